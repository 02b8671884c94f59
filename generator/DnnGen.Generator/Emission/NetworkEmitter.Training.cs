using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator;

// Forward, the cost, Backward, the update and the training loop.
internal sealed partial class NetworkEmitter
{
    private void EmitForward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Forward propagation over m examples (the course's L_model_forward): keeps every Z[l] and A[l] for Backward and");
        _w.Line($"/// returns AL (m, OutputSize), {OutputActivation.OutputMeaning} for each example.");
        _w.Line("/// </summary>");
        _w.Line($"/// <param name=\"x\">m examples, example-major: x[i * {N(0)} .. (i + 1) * {N(0)}) is example i. Finite values only.</param>");
        _w.Line($"/// <exception cref=\"{Dnn}.LayerOverflowException\">A layer's pre-activation overflowed although x and the parameters are finite.</exception>");
        if (CanDrop || TrainsInSpan)
        {
            _w.Line($"public {_readOnlySpan} Forward({_readOnlySpan} x) => ForwardCore(x{(CanDrop ? ", null" : string.Empty)});");
            _w.Line();
            if (CanDrop)
            {
                _w.Line("// Forward; given a random stream, also the inverted dropout of Train(x, y, options) on every hidden layer: D[l] drawn from it,");
                _w.Line("// A[l] * D[l] / keep_prob into a[l]Dropped, which the next layer reads; A[l] itself stays for the backward.");
            }

            if (TrainsInSpan)
            {
                _w.Line("// inSpan: layer 1 from the span of the data, for Train's iterations over the examples DataSpanTrainer holds (x is those examples).");
            }

            string dropoutParameter = CanDrop ? $", {Dnn}.NumPyRandom? dropout" : string.Empty;
            string spanParameter = TrainsInSpan ? ", bool inSpan = false" : string.Empty;
            _w.Open($"private {_readOnlySpan} ForwardCore({_readOnlySpan} x{dropoutParameter}{spanParameter})");
        }
        else
        {
            _w.Open($"public {_readOnlySpan} Forward({_readOnlySpan} x)");
        }

        _w.Line("// A Forward that throws leaves no caches, neither its own half-computed ones nor an earlier Forward's: ComputeCost");
        _w.Line("// and Backward then ask for a Forward first.");
        _w.Line("_batchSize = 0;");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line("PrepareWorkspace(m);");
        if (CanDrop)
        {
            _w.Open("if (dropout is not null)");
            _w.Line("PrepareDropout(m);");
            _w.Close();
            _w.Line();
        }

        _w.Open("try");
        for (int l = 1; l <= L; l++)
        {
            if (l > 1)
            {
                _w.Line();
            }

            _w.Line($"// Layer {l}, {Step(l)}: {LinearForwardEquation(l)}");
            _w.Line($"//   {ActivationEquation(l)}");
            string input = l == 1 ? "x" : "input" + I(l);
            if (l > 1)
            {
                _w.Line($"{_span} input{l} = dropout is null ? a{l - 1} : a{l - 1}Dropped;");
            }

            string weights = "W" + I(l);
            if (l == 1 && TrainsInSpan)
            {
                _w.Open("if (inSpan)");
                _w.Line($"// Z1 ({N(1)}, m) = c Z1(0) ({N(1)}, m) + C ({N(1)}, m) . G (m, m) + b1 ({N(1)}, 1), G = X^T . X: W1 = c W1(0) + C . X^T is never");
                if (OptionsTrainInSpan && HasVelocity)
                {
                    _w.Line("// formed (see DnnGen.Kernels.DataSpan); c = 1 but under L2, and momentum adds c' v_dW1(0) . X (see ApplyOptimizerInSpan)");
                }
                else if (OptionsTrainInSpan)
                {
                    _w.Line("// formed (see DnnGen.Kernels.DataSpan); c = 1 but under Train(x, y, options)'s L2 (see ApplyOptimizerInSpan)");
                }
                else
                {
                    _w.Line("// formed (see DnnGen.Kernels.DataSpan); c = 1 under plain gradient descent");
                }

                _w.Line($"_dataSpan!.Forward(b1, z1);");
                _w.Line(ActivationCall(1, "z1", "a1"));
                _w.Close();
                _w.Open("else");
                _w.Line($"Layer{l}Forward({input}, W{l}, b{l}, z{l}, a{l});");
                _w.Close();
                _w.Line();

                // The check reads the weights in place: through W1 it would make them explicit in the span's every iteration.
                weights = WeightsRegion(1);
            }
            else
            {
                _w.Line($"Layer{l}Forward({input}, W{l}, b{l}, z{l}, a{l});");
            }

            if (l == 1)
            {
                _w.Line("// A NaN or infinity in x makes its example's row of Z1 non-finite, so checking Z1 checks x at a fraction of the");
                _w.Line("// cost; a Z that is not finite from finite values is an overflow, reported as such, whatever the layer.");
            }

            _w.Line($"{Dnn}.Guard.PreActivations<{_t}>(z{l}, {l}, {input}, {weights}, b{l}, \"x\");");
            if (l < L)
            {
                _w.Open("if (dropout is not null)");
                _w.Line($"// D{l} ({N(l)}, m) = rand({N(l)}, m) < keep_prob;  A{l} = A{l} * D{l} / keep_prob, kept apart in a{l}Dropped");
                _w.Line($"{Dnn}.Kernels.Regularization.DropoutMask<{_t}>(dropout, d{l}, {N(l)}, m, _keepProbability);");
                _w.Line($"a{l}.CopyTo(a{l}Dropped);");
                _w.Line($"{Dnn}.Kernels.Regularization.ApplyDropout<{_t}>(a{l}Dropped, d{l}, _keepProbability);");
                _w.Close();
            }
        }

        _w.Close();
        _w.Open("catch");
        _w.Line("_batchSize = 0;");
        _w.Line("throw;");
        _w.Close();
        _w.Line();
        _w.Line($"return a{L};");
        _w.Close();
        _w.Line();
    }

    private void EmitCost()
    {
        _w.Line("/// <summary>");
        foreach (string line in LossInfo.CostSummary)
        {
            _w.Line("/// " + line);
        }

        _w.Line("/// </summary>");
        _w.Line($"/// <param name=\"y\">The m {LossInfo.LabelText} of the examples of the last Forward, OutputSize per example.</param>");
        _w.Open($"public double ComputeCost({_readOnlySpan} y)");
        _w.Line("int m = RequireForward();");
        EmitLabelsGuard(description: "the labels of the last Forward's m examples");
        _w.Line($"return {Dnn}.Kernels.Cost.{LossInfo.CostKernel}<{_t}>({(LossInfo.CostFromLogits ? "z" : "a")}{L}, y, m);");
        _w.Close();
        _w.Line();
        if (LossInfo.LiteralCostKernel is not null)
        {
            _w.Line($"/// <summary>The course's compute_cost, literally: {LossInfo.Equation}.</summary>");
            _w.Line("/// <param name=\"al\">Probabilities AL, (m, OutputSize).</param>");
            _w.Line("/// <param name=\"y\">Labels (0 or 1), the same shape as <paramref name=\"al\"/>.</param>");
            _w.Open($"public static double ComputeCost({_readOnlySpan} al, {_readOnlySpan} y)");
            _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(al, OutputSize, \"al\");");
            _w.Line($"return {Dnn}.Kernels.Cost.{LossInfo.LiteralCostKernel}<{_t}>(al, y, m);");
            _w.Close();
            _w.Line();
        }
    }

    private void EmitBackward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Backward propagation (the course's L_model_backward) from the caches of the last Forward: fills every dW[l] and");
        _w.Line("/// db[l]. dA0 is never computed: the course discards it.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">The same examples that were passed to the last Forward (layer 1's weight gradient needs them).</param>");
        _w.Line($"/// <param name=\"y\">Their {LossInfo.LabelText}, OutputSize per example.</param>");
        _w.Open($"public void Backward({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line("int m = RequireForward();");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(x, (long)m * InputSize, \"x\", \"the last Forward's m examples\");");
        EmitLabelsGuard(description: "the labels of the last Forward's m examples");
        _w.Line("// Until this call has finished, the gradients are half written: UpdateParameters refuses them if it throws.");
        _w.Line("_gradientsInvalid = true;");
        _w.Line("BackwardCore(x, y);");
        _w.Line();
        _w.Line($"// x should be the last Forward's inputs, already checked; if it is not, a NaN or infinity in it shows in dW1.");
        _w.Line($"{Dnn}.Guard.FiniteInputs<{_t}>(x, InputSize, dW1, \"x\");");
        _w.Line("_gradientsInvalid = false;");
        _w.Close();
        _w.Line();
        _w.Line("// Set while a Backward is under way and left set when it throws, so that its gradients are never applied.");
        _w.Line("private bool _gradientsInvalid;");
        _w.Line();
        _w.Line("// Backward without the argument checks, for TrainIteration, whose arguments Forward and TrainStep checked.");
        if (CanDrop)
        {
            _w.Line("// With dropout (Train(x, y, options)), each layer reads the dropped A[l-1] its forward read, and dA[l-1] is dropped alike.");
        }

        if (TrainsInSpan)
        {
            _w.Line("// inSpan: layer 1's gradient stays in the span of the data, dZ1 handed to DataSpanTrainer, dW1 formed only when read.");
        }

        _w.Open($"private void BackwardCore({_readOnlySpan} x, {_readOnlySpan} y{(CanDrop ? ", bool dropout = false" : string.Empty)}{(TrainsInSpan ? ", bool inSpan = false" : string.Empty)})");

        bool natural = OutputActivation.Kind == LossInfo.NaturalOutput;
        string deltaCall = $"{Dnn}.Kernels.Cost.{LossInfo.DeltaKernel}<{_t}>(a{L}, y, dZ{L}{(LossInfo.DeltaTakesUnits ? ", " + I(N(L)) : string.Empty)});";
        if (natural)
        {
            string[] explanation = LossInfo.DeltaExplanation;
            _w.Line($"// Output layer: dZ{L} ({N(L)}, m) = A{L} - Y. {Fill(explanation[0], L)}");
            for (int k = 1; k < explanation.Length; k++)
            {
                _w.Line("// " + Fill(explanation[k], L));
            }

            _w.Line(deltaCall);
        }
        else
        {
            // Parsing allows an unnatural pair only when the loss's delta kernel is its gradient dA[L] (squared error).
            _w.Line($"// Output layer: dA{L} ({N(L)}, m) = {Fill(LossInfo.OutputGradient, L)}, the gradient of the {LossInfo.Name} (its 1/m is applied");
            _w.Line($"// with dW{L} and db{L}), formed in dZ{L}'s block; Layer{L}Backward then applies the {ActivationName(L)} backward in place.");
            _w.Line(deltaCall);
        }

        for (int l = L; l >= 1; l--)
        {
            _w.Line();
            if (l == L && natural)
            {
                _w.Line($"// Layer {l}: {WeightGradientEquation(l)}");
                if (l > 1)
                {
                    _w.Line($"//   {InputGradientEquation(l)}");
                    _w.Line($"Layer{l}LinearBackward(dZ{l}, {PreviousActivation(l)}, W{l}, dW{l}, db{l}, dA{l - 1});");
                    EmitDropoutBackward(l);
                }
                else
                {
                    EmitLayer1Backward($"Layer{l}LinearBackward(dZ{l}, x, dW{l}, db{l});", null);
                }

                continue;
            }

            _w.Line($"// Layer {l}: {ActivationBackwardEquation(l)}");
            _w.Line($"//   {WeightGradientEquation(l)}");
            if (l > 1)
            {
                _w.Line($"//   {InputGradientEquation(l)}");
                _w.Line($"Layer{l}Backward({(l == L ? "dZ" : "dA")}{l}, {BackwardCacheArgument(l)}{PreviousActivation(l)}, W{l}, dZ{l}, dW{l}, db{l}, dA{l - 1});");
                EmitDropoutBackward(l);
            }
            else
            {
                string dA = (l == L ? "dZ" : "dA") + "1";
                EmitLayer1Backward($"Layer1Backward({dA}, {BackwardCacheArgument(1)}x, dZ1, dW1, db1);", ActivationBackwardCall(1, dA, "z1", "a1", "dZ1"));
            }
        }

        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// Layer 1's step in BackwardCore: <paramref name="direct"/>, or, where Train may run in the span of the data, the
    /// activation's backward (<paramref name="activationBackward"/>, none for an output layer whose dZ is already formed)
    /// followed by db1 and dZ1 handed to the DataSpanTrainer.
    /// </summary>
    private void EmitLayer1Backward(string direct, string? activationBackward)
    {
        if (!TrainsInSpan)
        {
            _w.Line(direct);
            return;
        }

        _w.Open("if (inSpan)");
        if (activationBackward is not null)
        {
            _w.Line(activationBackward);
        }

        _w.Line("// db1 (1/m) sum over m of dZ1 here; C moves by rate (1/m) dZ1 at the update; dW1 = (1/m) dZ1 . X^T (+ its L2 term)");
        _w.Line("// only when read");
        _w.Line("_dataSpan!.Backward(dZ1, db1);");
        _w.Close();
        _w.Open("else");
        _w.Line(direct);
        _w.Close();
    }

    /// <summary>Layer <paramref name="layer"/>'s input in BackwardCore: A[l-1], or its dropped copy under dropout.</summary>
    private string PreviousActivation(int layer)
        => CanDrop ? $"dropout ? a{layer - 1}Dropped : a{layer - 1}" : "a" + I(layer - 1);

    /// <summary>dropout's backward after layer <paramref name="layer"/> formed dA[l-1]: dA[l-1] * D[l-1] / keep_prob.</summary>
    private void EmitDropoutBackward(int layer)
    {
        _w.Open("if (dropout)");
        _w.Line($"// dA{layer - 1} = dA{layer - 1} * D{layer - 1} / keep_prob: dropout's backward");
        _w.Line($"{Dnn}.Kernels.Regularization.DropoutBackward<{_t}>(dA{layer - 1}, d{layer - 1}, _keepProbability);");
        _w.Close();
    }

    private void EmitUpdate()
    {
        _w.Line("/// <summary>One gradient-descent step (the course's update_parameters): W[l] -= learningRate * dW[l], b[l] -= learningRate * db[l].</summary>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <remarks>Applies the gradients as they are, like the course's function; TrainStep and Train check the result for NaN.</remarks>");
        _w.Line("/// <exception cref=\"global::System.InvalidOperationException\">The last Backward threw, so its gradients are not used.</exception>");
        _w.Open("public void UpdateParameters(double learningRate)");
        _w.Line($"{_t} rate = {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Open("if (_gradientsInvalid)");
        _w.Line("throw new global::System.InvalidOperationException(\"The gradients are not usable: the last Backward threw before it finished. Call Backward(x, y) with the last Forward's examples first.\");");
        _w.Close();
        EmitGradientDescentSteps();
        _w.Close();
        _w.Line();
    }

    /// <summary>update_parameters' steps, layer by layer.</summary>
    private void EmitGradientDescentSteps()
    {
        for (int l = 1; l <= L; l++)
        {
            _w.Line();
            _w.Line($"// W{l} ({N(l)}, {N(l - 1)}) -= rate * dW{l};  b{l} ({N(l)}, 1) -= rate * db{l}");
            _w.Line($"{Dnn}.Kernels.Dense.GradientDescent<{_t}>(W{l}, dW{l}, rate);");
            _w.Line($"{Dnn}.Kernels.Dense.GradientDescent<{_t}>(b{l}, db{l}, rate);");
        }
    }

    /// <summary>Whether Train(x, y, iterations, learningRate) can train layer 1 in the span of the data (see NetworkShape.TrainsInSpan).</summary>
    private bool TrainsInSpan => _shape.TrainsInSpan(_model.Precision);

    /// <summary>
    /// A Train's choice between its two loops: under <paramref name="condition"/>, <paramref name="loop"/> in the span of
    /// the data through DataSpanTrainer.Train (which forms W1 when it returns, throws or is cancelled), else
    /// <paramref name="loop"/> directly; both take x, y, then <paramref name="arguments"/> (locals of the Train, one
    /// prefixed "in " passed by reference), then inSpan.
    /// </summary>
    private void EmitSpanDispatch(string condition, string loop, params string[] arguments)
    {
        // Each argument as its modifier ("in " or none), its local's name, and the state tuple's field (the name capitalised).
        var parsed = arguments
            .Select(a => a.StartsWith("in ", StringComparison.Ordinal) ? (Modifier: "in ", Name: a.Substring(3)) : (Modifier: string.Empty, Name: a))
            .Select(a => (a.Modifier, a.Name, Field: char.ToUpperInvariant(a.Name[0]) + a.Name.Substring(1)))
            .ToArray();
        string state = string.Join(", ", parsed.Select(a => $"{a.Field}: {a.Name}"));
        string fromState = string.Join(", ", parsed.Select(a => $"{a.Modifier}state.{a.Field}"));
        _w.Open($"if ({condition})");
        _w.Line($"_dataSpan ??= {NewDataSpanTrainer};");
        _w.Line($"return _dataSpan.Train(x, y, (Network: this, {state}),");
        _w.Line($"    static (state, examples, labels) => state.Network.{loop}(examples, labels, {fromState}, inSpan: true));");
        _w.Close();
        _w.Line();
        _w.Line($"return {loop}(x, y, {string.Join(", ", arguments)}, inSpan: false);");
    }

    /// <summary>W1 in place, <c>_parameters.Slice(0, n)</c>: what the W1 property returns, without making it explicit first.</summary>
    private string WeightsRegion(int l) => $"_parameters.Slice({_shape.WeightOffset(l)}, {_shape.WeightCount(l)})";

    private void EmitTraining()
    {
        _w.Line("/// <summary>One full-batch training iteration: Forward, cost, Backward, UpdateParameters.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line($"/// <param name=\"y\">Their {LossInfo.LabelText}, OutputSize per example.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <returns>The cost of the forward pass, before the update.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">");
        _w.Line("/// Training diverged: the cost is not finite, a layer's pre-activation overflowed after earlier steps, or the update");
        _w.Line("/// made a parameter NaN or infinite. The parameters are then the last ones whose cost was finite: those before the");
        _w.Line("/// previous TrainStep's update when they are still exactly what it made of them, else those before this call");
        _w.Line($"/// (see <see cref=\"{Dnn}.Divergence\"/>).");
        _w.Line("/// </exception>");
        _w.Line($"/// <exception cref=\"{Dnn}.LayerOverflowException\">A layer's pre-activation overflowed on these parameters, with nothing to roll back to: the inputs are too large.</exception>");
        _w.Open($"public double TrainStep({_readOnlySpan} x, {_readOnlySpan} y, double learningRate)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitLabelsGuard();
        _w.Line($"{Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line("return TrainIteration(x, y, learningRate, -1);");
        _w.Close();
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// Full-batch gradient descent for <paramref name=\"iterations\"/> iterations (the course's L_layer_model), recording");
        _w.Line("/// the cost every 100 iterations and at the last one.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line($"/// <param name=\"y\">Their {LossInfo.LabelText}, OutputSize per example.</param>");
        _w.Line("/// <param name=\"iterations\">How many iterations to run, at least 1.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <param name=\"progress\">Told every iteration's cost, on the training thread, for progress display. A lambda works too, through");
        _w.Line($"/// <see cref=\"{Dnn}.NetworkTrainingExtensions\"/>.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Checked before every iteration; on cancellation the parameters are those after the last completed iteration.</param>");
        _w.Line("/// <returns>The costs at iterations 0, 100, 200, ... and at the last iteration.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">");
        _w.Line("/// Training diverged. The message names the iteration and suggests a smaller learning rate; the parameters are those");
        _w.Line($"/// of the last iteration whose cost was finite, which the message names too (see <see cref=\"{Dnn}.Divergence\"/>).");
        _w.Line("/// </exception>");
        _w.Line("/// <exception cref=\"global::System.OperationCanceledException\"><paramref name=\"cancellationToken\"/> was cancelled.</exception>");
        _w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> Train(");
        _w.Line($"    {_readOnlySpan} x,");
        _w.Line($"    {_readOnlySpan} y,");
        _w.Line("    int iterations,");
        _w.Line("    double learningRate,");
        _w.Line($"    global::System.IProgress<{Dnn}.TrainingRecord>? progress = null,");
        _w.Line("    global::System.Threading.CancellationToken cancellationToken = default)");
        _w.OpenBrace();
        _w.Line($"{Dnn}.Guard.AtLeast(iterations, 1, \"iterations\");");
        _w.Line($"{Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitLabelsGuard();
        _w.Line();
        if (!TrainsInSpan)
        {
            EmitTrainLoop(inSpan: false);
            _w.Close();
            _w.Line();
        }
        else
        {
            _w.Line("// With m < n[0] / 2 examples and enough iterations, layer 1 trains in the span of the data, through G = X^T . X: the");
            _w.Line("// same numbers up to rounding at a fraction of the work (the rule: DnnGen.Kernels.DataSpan.Pays). W1 and dW1 are formed");
            _w.Line("// when training ends and whenever they are read meanwhile.");
            EmitSpanDispatch(
                $"_dataSpan is not {{ Active: true }} && {Dnn}.Kernels.DataSpan.Pays(InputSize, Layer1Size, m, iterations)",
                "TrainLoop",
                "iterations",
                "learningRate",
                "progress",
                "cancellationToken");
            _w.Close();
            _w.Line();
            _w.Line("// Train's iterations on checked arguments, with layer 1 in the span of the data or not.");
            _w.Open($"private global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> TrainLoop({_readOnlySpan} x, {_readOnlySpan} y, int iterations, double learningRate, global::System.IProgress<{Dnn}.TrainingRecord>? progress, global::System.Threading.CancellationToken cancellationToken, bool inSpan)");
            EmitTrainLoop(inSpan: true);
            _w.Close();
            _w.Line();
        }

        _w.Line("// The parameters before the last update: an update that makes a parameter NaN or infinite is undone from here, and");
        _w.Line("// the last parameters whose cost was finite are restored from here when a later cost is not. Allocated by the first step.");
        _w.Line($"private {_t}[]? _snapshot;");
        _w.Line();
        _w.Line("// The learning rate and the cost of the last successful update, from the snapshot; zero when there is none to undo.");
        _w.Line($"private {_t} _rollbackRate;");
        _w.Line("private double _rollbackCost;");
        _w.Line();
        _w.Line("// One iteration of TrainStep (iteration -1) or Train, on checked arguments.");
        _w.Open($"private double TrainIteration({_readOnlySpan} x, {_readOnlySpan} y, double learningRate, int iteration{(TrainsInSpan ? ", bool inSpan = false" : string.Empty)})");
        _w.Line("double cost;");
        _w.Line("try");
        _w.Line("{");
        _w.Line(TrainsInSpan ? $"    ForwardCore(x, {(CanDrop ? "null, " : string.Empty)}inSpan);" : "    Forward(x);");
        _w.Line("    cost = ComputeCost(y);");
        _w.Line("}");
        _w.Line($"catch ({Dnn}.LayerOverflowException overflow) when (iteration != 0)");
        _w.Line("{");
        _w.Line("    // After updates whose costs were finite, an overflow means the parameters grew too large: training diverged.");
        _w.Line("    // With nothing to roll back to, these are the parameters the caller gave, and the overflow is reported as it is.");
        _w.Line("    double restoredCost = _rollbackCost;");
        _w.Line("    if (!RollBack())");
        _w.Line("    {");
        _w.Line("        throw;");
        _w.Line("    }");
        _w.Line();
        _w.Line($"    throw {Dnn}.Divergence.ForwardOverflow(iteration, overflow, true, restoredCost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line("if (!double.IsFinite(cost))");
        _w.Line("{");
        _w.Line("    // Caught before Backward and the update. The snapshot holds the parameters before the last update, whose cost was");
        _w.Line("    // finite: those are the ones to keep (not beyond the start of a Train, iteration 0).");
        _w.Line("    double restoredCost = _rollbackCost;");
        _w.Line("    bool restored = iteration != 0 && RollBack();");
        _w.Line($"    throw {Dnn}.Divergence.CostNotFinite(iteration, cost, restored, restoredCost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line(TrainsInSpan ? "BackwardCore(x, y, inSpan: inSpan);" : "BackwardCore(x, y);");
        _w.Line("_gradientsInvalid = false;");
        if (TrainsInSpan)
        {
            _w.Open("if (inSpan)");
            _w.Line("return UpdateInSpan(cost, learningRate, iteration);");
            _w.Close();
            _w.Line();
            _w.Line("_rollbackInSpan = false;");
        }

        _w.Line($"_snapshot ??= new {_t}[ParameterCount];");
        _w.Line($"_rollbackRate = {Literal("0.0")};");
        _w.Line($"{_t} rate = {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line("// UpdateParameters' steps, W[l] -= rate * dW[l] and b[l] -= rate * db[l], over the whole buffer at once (the gradients");
        _w.Line("// share its layout), in the same pass as the snapshot of the parameters before it and the check that all are finite.");
        _w.Line($"if (!{Dnn}.Kernels.Optimizers.GradientDescentWithSnapshot<{_t}>(_parameters.Span, _gradients.Span, rate, _snapshot))");
        _w.Line("{");
        _w.Line($"    new {_readOnlySpan}(_snapshot).CopyTo(_parameters.Span);");
        _w.Line($"    throw {Dnn}.Divergence.UpdateNotFinite(iteration, cost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line("_rollbackRate = rate;");
        _w.Line("_rollbackCost = cost;");
        _w.Line("return cost;");
        _w.Close();
        _w.Line();
        _w.Line("// Restores the snapshot if the parameters are still exactly what the last update made of it (a call of");
        _w.Line("// InitializeParameters, LoadNpz or a write into Parameters since then is never undone); once only.");
        _w.Open("private bool RollBack()");
        _w.Line($"{_t} rate = _rollbackRate;");
        _w.Line($"_rollbackRate = {Literal("0.0")};");
        if (TrainsInSpan)
        {
            _w.Open("if (_rollbackInSpan)");
            _w.Line("// Within a Train in the span of the data: C before the update, and the parameters after W1 from the snapshot.");
            _w.Line("_rollbackInSpan = false;");
            _w.Line($"return rate != {Literal("0.0")} && _snapshot is not null && _dataSpan is not null && _dataSpan.RollBack() && RestoreAfterWeights1();");
            _w.Close();
            _w.Line();
        }

        _w.Line($"return _snapshot is not null && {Dnn}.Divergence.TryRestoreBeforeUpdate<{_t}>(_parameters.Span, _snapshot, _gradients.Span, rate);");
        _w.Close();
        _w.Line();
        if (TrainsInSpan)
        {
            EmitUpdateInSpan();
        }
    }

    // Train's loop: every iteration's cost reported, one record per 100 kept.
    private void EmitTrainLoop(bool inSpan)
    {
        _w.Line("// One record per 100 iterations, room for the first 102,300 made up front: the list grows if there are more.");
        _w.Line($"global::System.Collections.Generic.List<{Dnn}.TrainingRecord> history = new global::System.Collections.Generic.List<{Dnn}.TrainingRecord>(global::System.Math.Min(iterations / 100 + 2, 1024));");
        _w.Open("for (int iteration = 0; iteration < iterations; iteration++)");
        _w.Line("cancellationToken.ThrowIfCancellationRequested();");
        _w.Line($"double cost = TrainIteration(x, y, learningRate, iteration{(inSpan ? ", inSpan" : string.Empty)});");
        _w.Line($"{Dnn}.TrainingRecord record = new {Dnn}.TrainingRecord(iteration, cost);");
        _w.Open("if (iteration % 100 == 0 || iteration == iterations - 1)");
        _w.Line("history.Add(record);");
        _w.Close();
        _w.Line();
        _w.Line("progress?.Report(record);");
        _w.Close();
        _w.Line();
        _w.Line("return history;");
    }

    // The update of an iteration in the span of the data, with the snapshot and the checks of TrainIteration's.
    private void EmitUpdateInSpan()
    {
        int tail = _shape.BiasOffset(1);
        long tailLength = _shape.ParameterCount - tail;
        _w.Line("// Whether the update to undo was made in the span of the data: then C is restored, and W1 stays as it is.");
        _w.Line("private bool _rollbackInSpan;");
        _w.Line();
        _w.Line("// TrainIteration's update in the span of the data. W1 does not move (C does, in the DataSpanTrainer, which keeps its own");
        _w.Line($"// copy for a rollback), so the snapshot holds only b1 and the layers after it: {I(tailLength)} values, not {I(_shape.ParameterCount)}.");
        _w.Open($"private double UpdateInSpan(double cost, double learningRate, int iteration)");
        _w.Line($"_snapshot ??= new {_t}[ParameterCount];");
        _w.Line($"_rollbackRate = {Literal("0.0")};");
        _w.Line($"{_t} rate = {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line();
        _w.Line($"// W1 ({N(1)}, {N(0)}) -= rate * dW1 in the span of the data: C ({N(1)}, m) -= rate (1/m) dZ1 ({N(1)}, m)");
        _w.Line("bool coefficientsFinite = _dataSpan!.Update(rate);");
        if (L == 1)
        {
            _w.Line($"// b1 ({N(1)}, 1) -= rate * db1 (from {tail} on), in the same pass as its snapshot and the check that it is finite.");
        }
        else
        {
            string layers = L == 2 ? "W2 -= rate * dW2 and b2 -= rate * db2" : $"W[l] -= rate * dW[l] and b[l] -= rate * db[l] for l = 2 .. {L}";
            _w.Line($"// b1 -= rate * db1, then {layers}: the {I(tailLength)} values");
            _w.Line($"// from {tail} on (the gradients share the parameters' layout), in the same pass as their snapshot and the check that");
            _w.Line("// all are finite.");
        }

        _w.Line($"bool restFinite = {Dnn}.Kernels.Optimizers.GradientDescentWithSnapshot<{_t}>(_parameters.Span.Slice({tail}), _gradients.Span.Slice({tail}), rate, new global::System.Span<{_t}>(_snapshot, {tail}, {tailLength}));");
        _w.Line("if (!coefficientsFinite || !restFinite)");
        _w.Line("{");
        _w.Line("    _dataSpan.RollBack();");
        _w.Line("    RestoreAfterWeights1();");
        _w.Line($"    throw {Dnn}.Divergence.UpdateNotFinite(iteration, cost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line("_rollbackRate = rate;");
        _w.Line("_rollbackInSpan = true;");
        _w.Line("_rollbackCost = cost;");
        _w.Line("return cost;");
        _w.Close();
        _w.Line();
        _w.Line("// b1 and the layers after it back from the snapshot; true, for RollBack's expression.");
        _w.Open("private bool RestoreAfterWeights1()");
        _w.Line($"new {_readOnlySpan}(_snapshot!, {tail}, {tailLength}).CopyTo(_parameters.Span.Slice({tail}));");
        _w.Line("return true;");
        _w.Close();
        _w.Line();
    }
}
