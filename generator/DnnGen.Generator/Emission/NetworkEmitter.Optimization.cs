using System;
using System.Collections.Generic;
using System.Linq;

namespace DnnGen.Generator;

// Course 2's training (issue 12): the optimizer's state, Train(x, y, TrainingOptions) with mini-batches, learning-rate
// decay, L2 and dropout, the optimizer's per-layer update, the divergence rollback of parameters and state, and the
// gradient check.
internal sealed partial class NetworkEmitter
{
    private Optimizer Optimizer => _model.Optimizer;

    /// <summary>Whether the optimizer keeps a velocity v (momentum, Adam).</summary>
    private bool HasVelocity => Optimizer != Optimizer.GradientDescent;

    /// <summary>Whether the optimizer keeps second moments s (Adam).</summary>
    private bool HasSquares => Optimizer == Optimizer.Adam;

    /// <summary>The state buffers beside the parameters: 0, 1 (v) or 2 (v, s).</summary>
    private int StateBuffers => (HasVelocity ? 1 : 0) + (HasSquares ? 1 : 0);

    /// <summary>Dropout applies to the hidden layers 1 .. L-1; a network without one never drops.</summary>
    private bool CanDrop => L > 1;

    /// <summary>
    /// Whether Train(x, y, options) can train layer 1 in the span of the data: where Train(x, y, iterations, learningRate)
    /// can, with gradient descent or momentum (Adam's elementwise square root leaves the span), for full batches without
    /// dropout (decided at run time).
    /// </summary>
    private bool OptionsTrainInSpan => TrainsInSpan && Optimizer != Optimizer.Adam;

    /// <summary>The expression that makes the network's DataSpanTrainer, with momentum's velocity where Train(x, y, options) needs it.</summary>
    private string NewDataSpanTrainer
        => $"new {Dnn}.Kernels.DataSpanTrainer<{_t}>(_parameters, _gradients, {(OptionsTrainInSpan && HasVelocity ? "_velocity, " : string.Empty)}{_shape.WeightOffset(1)}, InputSize, Layer1Size)";

    private string OptimizerName => Optimizer switch
    {
        Optimizer.Momentum => "gradient descent with momentum",
        Optimizer.Adam => "Adam",
        _ => "gradient descent",
    };

    private void EmitTrainingState()
    {
        _w.Line($"// ---- The optimizer's state: {OptimizerName} (the attribute's Optimizer) ----");
        if (HasVelocity)
        {
            _w.Line("// v (and Adam's s) are twins of the parameter buffer, in its layout: v_dW1, v_db1, v_dW2, ... where W1, b1, W2, ... are.");
            _w.Line($"private readonly {Dnn}.AlignedBuffer<{_t}> _velocity = new {Dnn}.AlignedBuffer<{_t}>(ParameterCount);");
            if (HasSquares)
            {
                _w.Line($"private readonly {Dnn}.AlignedBuffer<{_t}> _squares = new {Dnn}.AlignedBuffer<{_t}>(ParameterCount);");
            }
        }
        else
        {
            _w.Line("// Gradient descent keeps no state besides the epoch and update counts.");
        }

        _w.Line("private int _completedEpochs;");
        _w.Line("private long _updateCount;");
        _w.Line();
        _w.Line($"/// <summary>The update rule of Train(x, y, options): {Dnn.Replace("global::", string.Empty)}.Optimizer.{Optimizer}, fixed by the attribute.</summary>");
        _w.Line($"public {Dnn}.Optimizer Optimizer => {Dnn}.Optimizer.{Optimizer};");
        _w.Line();
        _w.Line(HasVelocity
            ? $"/// <summary>{(HasSquares ? "Adam's first moments v" : "Momentum's velocity v")}, one per parameter in the layout of <see cref=\"Parameters\"/> (v_dW1, v_db1, ...); zero until Train(x, y, options) runs.</summary>"
            : "/// <summary>Empty: gradient descent keeps no velocity.</summary>");
        if (HasVelocity && OptionsTrainInSpan)
        {
            // Under momentum in the span of the data, v_dW1 is formed only when read, as W1 is.
            _w.Open($"public {_span} Velocity");
            _w.Open("get");
            _w.Line("_dataSpan?.SyncVelocity();");
            _w.Line("return _velocity.Span;");
            _w.Close();
            _w.Close();
        }
        else
        {
            _w.Line($"public {_span} Velocity => {(HasVelocity ? "_velocity.Span" : "default")};");
        }
        _w.Line();
        _w.Line(HasSquares
            ? "/// <summary>Adam's second moments s, one per parameter in the layout of <see cref=\"Parameters\"/> (s_dW1, s_db1, ...).</summary>"
            : "/// <summary>Empty: only Adam keeps second moments.</summary>");
        _w.Line($"public {_span} SquaredGradientAverage => {(HasSquares ? "_squares.Span" : "default")};");
        _w.Line();
        _w.Line("/// <summary>The epochs Train(x, y, options) has completed since the state was reset: the next epoch's number, which fixes its shuffle, masks and rate.</summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value set is negative.</exception>");
        _w.Line("public int CompletedEpochs");
        _w.Line("{");
        _w.Line("    get => _completedEpochs;");
        _w.Line($"    set => _completedEpochs = {Dnn}.Guard.AtLeastZero(value, \"value\");");
        _w.Line("}");
        _w.Line();
        _w.Line("/// <summary>The updates Train(x, y, options) has made since the state was reset: Adam's t, the last update's.</summary>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value set is negative.</exception>");
        _w.Line("public long UpdateCount");
        _w.Line("{");
        _w.Line("    get => _updateCount;");
        _w.Line($"    set => _updateCount = {Dnn}.Guard.AtLeastZero(value, \"value\");");
        _w.Line("}");
        _w.Line();
        _w.Line("/// <summary>Zeroes the optimizer's state and both counts: the next Train(x, y, options) starts afresh, at epoch 0.</summary>");
        _w.Open("public void ResetTrainingState()");
        if (HasVelocity)
        {
            if (OptionsTrainInSpan)
            {
                _w.Line("// From a Train's progress callback: the zeroed velocity replaces the one it trains, which it then takes up.");
                _w.Line("_dataSpan?.SyncVelocity();");
            }

            _w.Line("_velocity.Span.Clear();");
        }

        if (HasSquares)
        {
            _w.Line("_squares.Span.Clear();");
        }

        _w.Line("_completedEpochs = 0;");
        _w.Line("_updateCount = 0;");
        _w.Line("_rollbackValid = false;");
        _w.Close();
        _w.Line();
    }

    private void EmitOptionsTraining()
    {
        string ro = _readOnlySpan;
        _w.Line("// ---- Course 2's training loop: mini-batches, the optimizer, decay, L2 and dropout ----");
        _w.Line();
        _w.Line("// Train(x, y, options)'s mini-batch buffers, kept from call to call: the shuffled order of the examples, one mini-batch's");
        _w.Line($"// gathered examples and labels (each grown when a call needs more), and the generator of the shuffle{(CanDrop ? " and that of the dropout" : string.Empty)}");
        _w.Line($"// {(CanDrop ? "masks, each" : "order,")} re-seeded before every use.");
        _w.Line("private int[] _shuffledOrder = global::System.Array.Empty<int>();");
        _w.Line($"private {_t}[] _batchX = global::System.Array.Empty<{_t}>();");
        _w.Line($"private {_t}[] _batchY = global::System.Array.Empty<{_t}>();");
        _w.Line($"private {Dnn}.NumPyRandom? _shuffler;");
        if (CanDrop)
        {
            _w.Line($"private {Dnn}.NumPyRandom? _dropoutRandom;");
        }

        _w.Line();
        _w.Line("/// <summary>");
        _w.Line($"/// Trains for <paramref name=\"options\"/>.Epochs epochs with {OptimizerName}, as course 2's <c>model</c> does: each epoch");
        _w.Line("/// shuffles the examples (MiniBatchSize &gt; 0) and, for each mini-batch, runs forward (dropping hidden units when");
        _w.Line("/// KeepProbability &lt; 1), the cost (with the L2 term when L2 &gt; 0), backward and one update.");
        _w.Line("/// </summary>");
        if (OptionsTrainInSpan)
        {
            _w.Line("/// <remarks>");
            _w.Line($"/// Full batches{(CanDrop ? " without dropout" : string.Empty)} on m &lt;= n[0] / 2 examples train layer 1 in the span of the data when it pays (see");
            _w.Line($"/// <see cref=\"{Dnn}.Kernels.DataSpan\"/>): the same numbers up to rounding, at a fraction of the work.");
            _w.Line("/// </remarks>");
        }

        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line($"/// <param name=\"y\">Their {LossInfo.LabelText}, OutputSize per example.</param>");
        _w.Line($"/// <param name=\"options\">The learning rate, epochs and the rest (see <see cref=\"{Dnn}.TrainingOptions\"/>), checked before anything changes.</param>");
        _w.Line("/// <param name=\"progress\">Told every epoch's cost, on the training thread.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Checked before every epoch; on cancellation the network is as after the last completed epoch.</param>");
        _w.Line("/// <returns>");
        _w.Line("/// The cost of every RecordEvery-th epoch and of the last, each the epoch's mini-batch losses summed (each before its");
        _w.Line("/// update) over m. Epochs are numbered on from <see cref=\"CompletedEpochs\"/>, which this call advances.");
        _w.Line("/// </returns>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">An option is out of range; the exception names it.</exception>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">");
        _w.Line("/// Training diverged: a mini-batch's cost is not finite, its forward pass overflowed, or an update made a parameter NaN or");
        _w.Line("/// infinite. The message names the epoch and mini-batch; the parameters, the optimizer's state and the counts are those");
        _w.Line("/// before the last update whose cost was finite (never before this call's start).");
        _w.Line("/// </exception>");
        _w.Line("/// <exception cref=\"global::System.OperationCanceledException\"><paramref name=\"cancellationToken\"/> was cancelled.</exception>");
        _w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> Train(");
        _w.Line($"    {ro} x,");
        _w.Line($"    {ro} y,");
        _w.Line($"    {Dnn}.TrainingOptions options,");
        _w.Line($"    global::System.IProgress<{Dnn}.TrainingRecord>? progress = null,");
        _w.Line("    global::System.Threading.CancellationToken cancellationToken = default)");
        _w.OpenBrace();
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitLabelsGuard();
        _w.Line($"{Dnn}.Kernels.TrainingSettings<{_t}> settings = {Dnn}.Kernels.TrainingSettings<{_t}>.Create(options, m, _completedEpochs);");
        _w.Open("if (settings.Shuffles)");
        _w.Line("// Full batches find a NaN or infinity in x through Z1, before any update; mini-batches would find it only in its");
        _w.Line("// batch, after other batches' updates, and at its place in the batch: so x is checked whole first.");
        _w.Line($"{Dnn}.Guard.Finite<{_t}>(x, InputSize, \"x\");");
        _w.Close();
        _w.Line();
        string sh = "settings.Shuffles";
        if (OptionsTrainInSpan)
        {
            EmitOptionsTrainingInSpanChoice();
            sh = "shuffles";
        }

        _w.Line("// Mini-batches are gathered into buffers kept from call to call, grown to the largest mini-batch and example count");
        _w.Line("// seen: after the first call, no call, epoch or mini-batch allocates (but for the history).");
        _w.Line("int batches = settings.BatchCount;");
        _w.Open($"if ({sh})");
        _w.Line($"int xLength = {Dnn}.Guard.WorkspaceLength(settings.BatchSize, InputSize, \"x\");");
        _w.Line($"int yLength = {Dnn}.Guard.WorkspaceLength(settings.BatchSize, OutputSize, \"y\");");
        foreach ((string buffer, string type, string length) in new[] { ("_shuffledOrder", "int", "m"), ("_batchX", _t, "xLength"), ("_batchY", _t, "yLength") })
        {
            _w.Open($"if ({buffer}.Length < {length})");
            _w.Line($"{buffer} = new {type}[{length}];");
            _w.Close();
            _w.Line();
        }

        _w.Line($"_shuffler ??= new {Dnn}.NumPyRandom(0u);");
        _w.Close();
        _w.Line();
        _w.Line($"global::System.Span<int> permutation = new global::System.Span<int>(_shuffledOrder, 0, {sh} ? m : 0);");
        if (CanDrop)
        {
            _w.Line($"{Dnn}.NumPyRandom? dropout = null;");
            _w.Open("if (settings.Dropout)");
            _w.Line("// The state of a generator made afresh: np.random.seed(DropoutSeed).");
            _w.Line($"dropout = _dropoutRandom ??= new {Dnn}.NumPyRandom(settings.DropoutSeed);");
            _w.Line("dropout.Seed(settings.DropoutSeed);");
            _w.Close();
            _w.Line();
            _w.Line("_keepProbability = settings.KeepProbability;");
        }
        else
        {
            _w.Line("// A network without hidden layers has no unit to drop: KeepProbability changes nothing.");
        }

        _w.Line("_rollbackValid = false;");
        _w.Line($"global::System.Collections.Generic.List<{Dnn}.TrainingRecord> history = new global::System.Collections.Generic.List<{Dnn}.TrainingRecord>(global::System.Math.Min(settings.Epochs / settings.RecordEvery + 2, 1024));");
        _w.Line("for (int epoch = settings.FirstEpoch; epoch < settings.FirstEpoch + settings.Epochs; epoch++)");
        _w.OpenBrace();
        _w.Line("cancellationToken.ThrowIfCancellationRequested();");
        _w.Line("// Epoch 0 runs at LearningRate, epoch e + 1 at LearningRate / (1 + DecayRate floor(e / DecayInterval)).");
        _w.Line($"{_t} rate = settings.RateAt(epoch);");
        _w.Line("// np.random.seed(ShuffleSeed + 1 + epoch); permutation = np.random.permutation(m)");
        _w.Open($"if ({sh})");
        _w.Line($"{Dnn}.Kernels.MiniBatches.Shuffle(_shuffler!, settings.ShuffleSeedOf(epoch), permutation);");
        _w.Close();
        _w.Line();
        if (CanDrop)
        {
            _w.Line("// Fresh masks: this epoch's draw from np.random.seed(DropoutSeed + epoch), mini-batch after mini-batch.");
            _w.Open("if (dropout is not null && !settings.RepeatDropoutMasks)");
            _w.Line("dropout.Seed(settings.DropoutSeedOf(epoch));");
            _w.Close();
            _w.Line();
        }

        _w.Line("double total = 0;");
        _w.Line("for (int batch = 0; batch < batches; batch++)");
        _w.OpenBrace();
        _w.Line($"{ro} xBatch = x;");
        _w.Line($"{ro} yBatch = y;");
        _w.Line("int size = m;");
        _w.Open($"if ({sh})");
        _w.Line("// The shuffled examples permutation[start .. start + size), the course's X[:, permutation][:, start:start + size].");
        _w.Line($"int start = {Dnn}.Kernels.MiniBatches.BatchStart(m, settings.MiniBatchSize, batch);");
        _w.Line($"size = {Dnn}.Kernels.MiniBatches.BatchSize(m, settings.MiniBatchSize, batch);");
        _w.Line($"{_span} gatheredX = new {_span}(_batchX, 0, size * InputSize);");
        _w.Line($"{_span} gatheredY = new {_span}(_batchY, 0, size * OutputSize);");
        _w.Line($"{Dnn}.Kernels.MiniBatches.Gather<{_t}>(x, InputSize, permutation.Slice(start, size), gatheredX);");
        _w.Line($"{Dnn}.Kernels.MiniBatches.Gather<{_t}>(y, OutputSize, permutation.Slice(start, size), gatheredY);");
        _w.Line("xBatch = gatheredX;");
        _w.Line("yBatch = gatheredY;");
        _w.Close();
        _w.Line();
        if (CanDrop)
        {
            _w.Line("// The Regularization notebook's masks: np.random.seed(DropoutSeed) at the top of every forward pass.");
            _w.Open("if (dropout is not null && settings.RepeatDropoutMasks)");
            _w.Line("dropout.Seed(settings.DropoutSeed);");
            _w.Close();
            _w.Line();
        }

        _w.Line($"double cost = TrainMiniBatch(xBatch, yBatch, size, rate, in settings, {(CanDrop ? "dropout" : "null")}, epoch, batch{(OptionsTrainInSpan ? ", inSpan" : string.Empty)});");
        _w.Line("// The course's cost_total += compute_cost(...): the mini-batch's summed loss, its mean cost times its size.");
        _w.Line($"total += {sh} ? cost * size : cost;");
        _w.Close();
        _w.Line();
        _w.Line("_completedEpochs = epoch + 1;");
        _w.Line($"{Dnn}.TrainingRecord record = new {Dnn}.TrainingRecord(epoch, {sh} ? total / m : total);");
        _w.Open("if (settings.Records(epoch))");
        _w.Line("history.Add(record);");
        _w.Close();
        _w.Line();
        _w.Line("progress?.Report(record);");
        _w.Close();
        _w.Line();
        _w.Line("return history;");
        _w.Close();
        _w.Line();

        EmitTrainMiniBatch();
        EmitOptimizerUpdate();
        if (OptionsTrainInSpan)
        {
            EmitOptimizerUpdateInSpan();
        }

        EmitRollback();
        EmitGradientCheck();
        if (CanDrop)
        {
            EmitDropoutWorkspace();
        }
    }

    /// <summary>
    /// Train(x, y, options)'s choice of the span of the data, after its checks: the branch that trains in it, the end of
    /// Train, and the head of TrainEpochs, which holds the rest of the loop for both paths.
    /// </summary>
    private void EmitOptionsTrainingInSpanChoice()
    {
        string ro = _readOnlySpan;
        string records = $"global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord>";
        _w.Line("// Full batches (MiniBatchSize 0, or at least m: one batch of all m examples, whose gradient their order does not");
        _w.Line($"// change){(CanDrop ? " without dropout" : string.Empty)}, with m < n[0] / 2 and enough epochs, train layer 1 in the span of the data, through");
        _w.Line("// G = X^T . X, as Train(x, y, iterations, learningRate) does: the same numbers up to rounding at a fraction of the work");
        _w.Line($"// (the rule: DnnGen.Kernels.DataSpan.Pays, one update per epoch). W1{(HasVelocity ? ", v_dW1" : string.Empty)} and dW1 are formed when training ends and");
        _w.Line("// whenever they are read.");
        string dropout = CanDrop ? "!settings.Dropout && " : string.Empty;
        EmitSpanDispatch(
            $"settings.BatchCount == 1 && {dropout}_dataSpan is not {{ Active: true }} && {Dnn}.Kernels.DataSpan.Pays(InputSize, Layer1Size, m, settings.Epochs)",
            "TrainEpochs",
            "in settings",
            "progress",
            "cancellationToken");
        _w.Close();
        _w.Line();
        _w.Line("// Train(x, y, options)'s epochs on checked arguments, with layer 1 in the span of the data or not. In the span, the one");
        _w.Line("// batch is the m examples in their order, never shuffled.");
        _w.Line($"private {records} TrainEpochs({ro} x, {ro} y, in {Dnn}.Kernels.TrainingSettings<{_t}> settings, global::System.IProgress<{Dnn}.TrainingRecord>? progress, global::System.Threading.CancellationToken cancellationToken, bool inSpan)");
        _w.OpenBrace();
        _w.Line("int m = x.Length / InputSize; // checked by Train");
        _w.Line("bool shuffles = settings.Shuffles && !inSpan;");
    }

    private void EmitTrainMiniBatch()
    {
        string ro = _readOnlySpan;
        bool span = OptionsTrainInSpan;
        _w.Line("// One mini-batch of Train(x, y, options) on checked arguments: forward, cost, backward, update; returns the cost before");
        _w.Line("// the update. The state before the update is kept, so that a later cost that is not finite can undo it.");
        if (span)
        {
            _w.Line("// inSpan: the full batch of a Train in the span of the data, layer 1's W1 = c W1(0) + C X^T moved through DataSpanTrainer.");
        }

        _w.Line($"private double TrainMiniBatch({ro} x, {ro} y, int m, {_t} rate, in {Dnn}.Kernels.TrainingSettings<{_t}> settings, {Dnn}.NumPyRandom? dropout, int epoch, int batch{(span ? ", bool inSpan = false" : string.Empty)})");
        _w.OpenBrace();
        _w.Line("double cost;");
        _w.Open("try");
        if (span)
        {
            _w.Line(CanDrop ? "ForwardCore(x, dropout, inSpan);" : "ForwardCore(x, inSpan);");
        }
        else
        {
            _w.Line(CanDrop ? "ForwardCore(x, dropout);" : "Forward(x);");
        }

        _w.Line("cost = ComputeCost(y);");
        _w.Open("if (settings.L2 != 0)");
        _w.Line($"// + lambd / (2m) (sum(W1^2){(L > 1 ? " + ... + sum(W" + I(L) + "^2)" : string.Empty)}), compute_cost_with_regularization's term");
        _w.Line($"cost += {Dnn}.Kernels.Regularization.L2Cost(SumOfSquaredWeights({(span ? "inSpan" : string.Empty)}), settings.L2, m);");
        _w.Close();
        _w.Close();
        _w.Line($"catch ({Dnn}.LayerOverflowException overflow) when (_rollbackValid)");
        _w.Line("{");
        _w.Line("    // After updates whose costs were finite, an overflow means the parameters grew too large: training diverged.");
        _w.Line($"    throw Diverged(epoch, batch, settings.BatchCount, double.NaN, overflow, rate{(span ? ", inSpan" : string.Empty)});");
        _w.Line("}");
        _w.Line();
        _w.Open("if (!double.IsFinite(cost))");
        _w.Line($"throw Diverged(epoch, batch, settings.BatchCount, cost, null, rate{(span ? ", inSpan" : string.Empty)});");
        _w.Close();
        _w.Line();
        if (span)
        {
            _w.Line(CanDrop ? "BackwardCore(x, y, dropout is not null, inSpan);" : "BackwardCore(x, y, inSpan: inSpan);");
        }
        else
        {
            _w.Line(CanDrop ? "BackwardCore(x, y, dropout is not null);" : "BackwardCore(x, y);");
        }

        _w.Line("_gradientsInvalid = false;");
        if (span)
        {
            _w.Line($"{_t} lambdaOverM = settings.L2 != 0 ? ({_t})(settings.L2 / m) : {Literal("0")};");
        }

        _w.Open("if (settings.L2 != 0)");
        _w.Line(span ? "AddL2Gradients(lambdaOverM, inSpan);" : $"AddL2Gradients(({_t})(settings.L2 / m));");
        _w.Close();
        _w.Line();
        _w.Line($"KeepRollback(epoch, batch, cost{(span && HasVelocity ? ", inSpan" : string.Empty)});");
        if (span)
        {
            _w.Line("bool finite;");
            _w.Open("if (inSpan)");
            _w.Line(Optimizer == Optimizer.GradientDescent
                ? "// The same update with W1 = c W1(0) + C X^T moved through c and C (see ApplyOptimizerInSpan)."
                : "// The same update with W1 and v_dW1 moved through their scalars and coefficients (see ApplyOptimizerInSpan).");
            _w.Line($"finite = ApplyOptimizerInSpan(rate, {(Optimizer == Optimizer.Momentum ? "settings.Beta, " : string.Empty)}lambdaOverM);");
            _w.Close();
            _w.Open("else");
        }

        string check;
        if (Optimizer == Optimizer.GradientDescent)
        {
            _w.Line("// update_parameters_with_gd, W[l] -= rate * dW[l] and b[l] -= rate * db[l], over the whole buffer at once (the gradients");
            _w.Line("// share its layout), in the same pass as the rollback's copy of the parameters before it and the check that all are finite.");
            check = $"{Dnn}.Kernels.Optimizers.GradientDescentWithSnapshot<{_t}>(_parameters.Span, _gradients.Span, rate, _rollback!)";
        }
        else if (Optimizer == Optimizer.Adam)
        {
            _w.Line("// update_parameters_with_adam with the rollback's copy of W, v and s before it and the check that W and s are finite,");
            _w.Line("// in one pass (see ApplyOptimizer).");
            check = "ApplyOptimizer(rate, settings.Beta1, settings.Beta2, settings.Epsilon, _updateCount + 1)";
        }
        else
        {
            _w.Line("ApplyOptimizer(rate, settings.Beta);");
            check = $"{Dnn}.Divergence.AllFinite<{_t}>(_parameters.Span)";
        }

        if (span)
        {
            _w.Line($"finite = {check};");
            _w.Close();
            _w.Line();
            _w.Open("if (!finite)");
        }
        else
        {
            _w.Open(Optimizer == Optimizer.Momentum ? $"if (!({check}))" : $"if (!{check})");
        }

        _w.Line($"RestoreRollback({(span ? "inSpan" : string.Empty)});");
        _w.Line($"throw {Dnn}.Divergence.MiniBatchUpdateNotFinite(epoch, batch, settings.BatchCount, cost, (double)rate);");
        _w.Close();
        _w.Line();
        _w.Line("_updateCount++;");
        _w.Line("return cost;");
        _w.Close();
        _w.Line();

        string sums = string.Join(" + ", Enumerable.Range(2, L - 1).Select(l => $"{Dnn}.Kernels.Regularization.L2Penalty<{_t}>(W{l})"));
        if (span)
        {
            _w.Line("// sum(W1^2) + sum(W2^2) + ...: each layer's sum in NumPy's order, added from W1 on as the course writes it. In the span");
            _w.Line("// of the data, sum(W1^2) = ||c W1(0)||^2 + 2 <c Z1(0), C> + trace(C G C^T) from C and the forward's C . G, W1 unformed.");
            _w.Line("private double SumOfSquaredWeights(bool inSpan = false)");
            _w.Line($"    => (inSpan ? _dataSpan!.SumOfSquaredWeights() : {Dnn}.Kernels.Regularization.L2Penalty<{_t}>(W1)){(L > 1 ? " + " + sums : string.Empty)};");
        }
        else
        {
            _w.Line("// sum(W1^2) + sum(W2^2) + ...: each layer's sum in NumPy's order, added from W1 on as the course writes it.");
            _w.Line("private double SumOfSquaredWeights()");
            _w.Line("    => " + string.Join(" + ", Enumerable.Range(1, L).Select(l => $"{Dnn}.Kernels.Regularization.L2Penalty<{_t}>(W{l})")) + ";");
        }

        _w.Line();
        _w.Line("// backward_propagation_with_regularization's terms: dW[l] += (lambd / m) W[l]; the biases are not regularised.");
        _w.Open($"private void AddL2Gradients({_t} lambdaOverM{(span ? ", bool inSpan = false" : string.Empty)})");
        for (int l = 1; l <= L; l++)
        {
            string line = $"{Dnn}.Kernels.Regularization.AddL2Gradient<{_t}>(dW{l}, W{l}, lambdaOverM); // dW{l} ({N(l)}, {N(l - 1)}) += (lambd / m) W{l}";
            if (l == 1 && span)
            {
                _w.Line("// In the span of the data, dW1's term is in the update of C (DataSpanTrainer), dW1 formed only when read.");
                _w.Open("if (!inSpan)");
                _w.Line(line);
                _w.Close();
                _w.Line();
            }
            else
            {
                _w.Line(line);
            }
        }

        _w.Close();
        _w.Line();
    }

    private void EmitOptimizerUpdate()
    {
        if (Optimizer == Optimizer.GradientDescent)
        {
            // TrainMiniBatch calls Optimizers.GradientDescentWithSnapshot on the whole buffer instead.
            return;
        }

        switch (Optimizer)
        {
            case Optimizer.Momentum:
                _w.Line("// update_parameters_with_momentum, layer by layer: v = beta v + (1 - beta) dW, then W = W - rate v (b alike).");
                if (OptionsTrainInSpan)
                {
                    _w.Line("// inSpan: all but W1, which DataSpanTrainer.UpdateWithMomentum moves in the span of the data.");
                    _w.Open($"private void ApplyOptimizer({_t} rate, {_t} beta, bool inSpan = false)");
                }
                else
                {
                    _w.Open($"private void ApplyOptimizer({_t} rate, {_t} beta)");
                }

                break;
            case Optimizer.Adam:
                _w.Line("// update_parameters_with_adam, t the update's number from 1: the moments, their bias corrections");
                _w.Line("// v^ = v / (1 - beta1^t) and s^ = s / (1 - beta2^t), then W = W - rate v^ / (sqrt(s^) + epsilon) (b alike), for every");
                _w.Line("// layer in one pass over the buffers (v, s and the gradients share the parameters' layout, and the update is elementwise),");
                _w.Line("// which also copies W, v and s before the update into the rollback and returns whether W and s are all finite.");
                _w.Open($"private bool ApplyOptimizer({_t} rate, {_t} beta1, {_t} beta2, {_t} epsilon, long t)");
                break;
        }

        for (int l = 1; l <= L; l++)
        {
            if (l > 1)
            {
                _w.Line();
            }

            int weights = _shape.WeightOffset(l);
            int biases = _shape.BiasOffset(l);
            int count = _shape.WeightCount(l);
            string shapeW = $"({N(l)}, {N(l - 1)})";
            string shapeB = $"({N(l)}, 1)";
            switch (Optimizer)
            {
                case Optimizer.Momentum:
                    _w.Line($"// v_dW{l} {shapeW} = beta v_dW{l} + (1 - beta) dW{l};  W{l} -= rate * v_dW{l}");
                    _w.Line($"// v_db{l} {shapeB} = beta v_db{l} + (1 - beta) db{l};  b{l} -= rate * v_db{l}");
                    if (l == 1 && OptionsTrainInSpan)
                    {
                        _w.Open("if (!inSpan)");
                        _w.Line($"{Dnn}.Kernels.Optimizers.Momentum<{_t}>(W{l}, _velocity.Slice({weights}, {count}), dW{l}, rate, beta);");
                        _w.Close();
                        _w.Line();
                    }
                    else
                    {
                        _w.Line($"{Dnn}.Kernels.Optimizers.Momentum<{_t}>(W{l}, _velocity.Slice({weights}, {count}), dW{l}, rate, beta);");
                    }

                    _w.Line($"{Dnn}.Kernels.Optimizers.Momentum<{_t}>(b{l}, _velocity.Slice({biases}, {N(l)}), db{l}, rate, beta);");
                    break;
                case Optimizer.Adam:
                    _w.Line($"// v_dW{l} {shapeW} = beta1 v_dW{l} + (1 - beta1) dW{l};  s_dW{l} = beta2 s_dW{l} + (1 - beta2) dW{l}^2");
                    _w.Line($"//   W{l} -= rate * (v_dW{l} / (1 - beta1^t)) / (sqrt(s_dW{l} / (1 - beta2^t)) + epsilon);  b{l} {shapeB} alike with db{l}");
                    _w.Line($"//   (W{l} at [{weights}, {weights + count}), b{l} at [{biases}, {biases + N(l)}) of every buffer)");
                    break;
            }
        }

        if (Optimizer == Optimizer.Adam)
        {
            _w.Line();
            _w.Line($"return {Dnn}.Kernels.Optimizers.AdamWithSnapshot<{_t}>(_parameters.Span, _velocity.Span, _squares.Span, _gradients.Span, rate, beta1, beta2, epsilon, t, _rollback!);");
        }

        _w.Close();
        _w.Line();
    }

    // ApplyOptimizerInSpan: Train(x, y, options)'s update in the span of the data, with TrainMiniBatch's checks.
    private void EmitOptimizerUpdateInSpan()
    {
        int tail = _shape.BiasOffset(1);
        long tailLength = _shape.ParameterCount - tail;
        string w1 = $"W1 ({N(1)}, {N(0)})";
        string c = $"C ({N(1)}, m)";
        string rest = L == 1
            ? "b1"
            : L == 2 ? "b1, W2 and b2" : $"b1 and W[l], b[l] for l = 2 .. {L}";
        if (Optimizer == Optimizer.GradientDescent)
        {
            _w.Line($"// update_parameters_with_gd in the span of the data. {w1} = c W1(0) + {c} X^T, X (n[0], m), is never formed:");
            _w.Line("// with dW1 = (lambd / m) W1 + (1/m) dZ1 X^T = (lambd / m) c W1(0) + ((1/m) dZ1 + (lambd / m) C) X^T, W1 -= rate * dW1 is");
            _w.Line("//   c -= rate (lambd / m) c;  C -= rate ((1/m) dZ1 + (lambd / m) C)   (c stays 1 without L2)");
            _w.Line($"// and {rest} (from {tail} on) take update_parameters_with_gd's steps, in the same pass as");
            _w.Line("// their rollback copy and the check that all are finite. DataSpanTrainer keeps c and C before the update for the rollback.");
            _w.Open($"private bool ApplyOptimizerInSpan({_t} rate, {_t} lambdaOverM)");
            _w.Line("bool coefficientsFinite = _dataSpan!.Update(rate, lambdaOverM);");
            _w.Line($"bool restFinite = {Dnn}.Kernels.Optimizers.GradientDescentWithSnapshot<{_t}>(_parameters.Span.Slice({tail}), _gradients.Span.Slice({tail}), rate, new global::System.Span<{_t}>(_rollback!, {tail}, {tailLength}));");
            _w.Line("return coefficientsFinite && restFinite;");
            _w.Close();
        }
        else
        {
            _w.Line($"// update_parameters_with_momentum in the span of the data. {w1} and v_dW1 are never formed: with X (n[0], m),");
            _w.Line($"//   W1 = c W1(0) + c' v_dW1(0) + {c} X^T,  v_dW1 = cv W1(0) + cv' v_dW1(0) + V ({N(1)}, m) X^T");
            _w.Line("// (c = 1, cv' = 1, the rest 0 at the start). dW1 = (lambd / m)(c W1(0) + c' v_dW1(0)) + ((1/m) dZ1 + (lambd / m) C) X^T, so");
            _w.Line("// v_dW1 = beta v_dW1 + (1 - beta) dW1 and W1 -= rate * v_dW1 are, term by term,");
            _w.Line("//   cv = beta cv + (1 - beta) (lambd / m) c;  cv' = beta cv' + (1 - beta) (lambd / m) c'");
            _w.Line("//   V = beta V + (1 - beta) ((1/m) dZ1 + (lambd / m) C)");
            _w.Line("//   c -= rate cv;  c' -= rate cv';  C -= rate V");
            _w.Line($"// then {rest} take update_parameters_with_momentum's steps (ApplyOptimizer without W1), and the parameters from");
            _w.Line($"// {tail} on are checked. DataSpanTrainer keeps the scalars, C and V before the update for the rollback.");
            _w.Open($"private bool ApplyOptimizerInSpan({_t} rate, {_t} beta, {_t} lambdaOverM)");
            _w.Line("bool coefficientsFinite = _dataSpan!.UpdateWithMomentum(rate, beta, lambdaOverM);");
            _w.Line("ApplyOptimizer(rate, beta, inSpan: true);");
            _w.Line($"return coefficientsFinite && {Dnn}.Divergence.AllFinite<{_t}>(_parameters.Span.Slice({tail}));");
            _w.Close();
        }

        _w.Line();
    }

    private void EmitRollback()
    {
        string buffers = StateBuffers switch
        {
            2 => "the parameters, v and s",
            1 => "the parameters and v",
            _ => "the parameters",
        };
        _w.Line($"// Train(x, y, options) keeps {buffers} from before its last update, with the counts, the mini-batch and its cost:");
        _w.Line("// when the next mini-batch's cost is not finite, or an update is, they are restored. Never across calls: each Train");
        _w.Line("// starts with nothing to restore.");
        _w.Line($"private {_t}[]? _rollback;");
        _w.Line("private bool _rollbackValid;");
        _w.Line("private int _rollbackEpoch;");
        _w.Line("private int _rollbackBatch;");
        _w.Line("private int _rollbackCompletedEpochs;");
        _w.Line("private long _rollbackUpdateCount;");
        _w.Line("private double _rollbackBatchCost;");
        _w.Line();
        bool span = OptionsTrainInSpan;
        int tail = _shape.BiasOffset(1);
        long tailLength = _shape.ParameterCount - tail;
        if (span && HasVelocity)
        {
            _w.Line("// inSpan: W1 and v_dW1 are kept by DataSpanTrainer's update (as their scalars and coefficients): only b1 and the");
            _w.Line($"// layers after it, from {tail} on, are kept here.");
        }

        _w.Open($"private void KeepRollback(int epoch, int batch, double cost{(span && HasVelocity ? ", bool inSpan = false" : string.Empty)})");
        _w.Line($"_rollback ??= new {_t}[{I(StateBuffers + 1)} * ParameterCount];");
        if (Optimizer == Optimizer.Momentum)
        {
            if (span)
            {
                _w.Open("if (inSpan)");
                _w.Line($"_parameters.Span.Slice({tail}).CopyTo(new {_span}(_rollback, {tail}, {tailLength}));");
                _w.Line($"_velocity.Span.Slice({tail}).CopyTo(new {_span}(_rollback, ParameterCount + {tail}, {tailLength}));");
                _w.Close();
                _w.Open("else");
            }

            _w.Line("_parameters.Span.CopyTo(_rollback);");
            _w.Line($"_velocity.Span.CopyTo(new {_span}(_rollback, ParameterCount, ParameterCount));");
            if (span)
            {
                _w.Close();
                _w.Line();
            }
        }
        else if (Optimizer == Optimizer.Adam)
        {
            _w.Line("// The parameters, v and s are copied by the update itself (Optimizers.AdamWithSnapshot), in its one pass.");
        }
        else
        {
            _w.Line("// The parameters are copied by the update itself (Optimizers.GradientDescentWithSnapshot), in its one pass.");
            if (span)
            {
                _w.Line("// In the span of the data, b1 and the layers after it are (ApplyOptimizerInSpan), and DataSpanTrainer keeps W1's c and C.");
            }
        }

        _w.Line("_rollbackValid = true;");
        _w.Line("_rollbackEpoch = epoch;");
        _w.Line("_rollbackBatch = batch;");
        _w.Line("_rollbackCompletedEpochs = _completedEpochs;");
        _w.Line("_rollbackUpdateCount = _updateCount;");
        _w.Line("_rollbackBatchCost = cost;");
        _w.Close();
        _w.Line();
        _w.Line("// Puts back what KeepRollback kept; once only.");
        _w.Open($"private bool RestoreRollback({(span ? "bool inSpan = false" : string.Empty)})");
        _w.Open("if (!_rollbackValid || _rollback is null)");
        _w.Line("return false;");
        _w.Close();
        _w.Line();
        if (span)
        {
            _w.Open("if (inSpan)");
            _w.Line($"// W1{(HasVelocity ? " and v_dW1" : string.Empty)} from DataSpanTrainer's copy, b1 and the layers after it from here.");
            _w.Line("_dataSpan!.RollBack();");
            _w.Line($"new {_readOnlySpan}(_rollback, {tail}, {tailLength}).CopyTo(_parameters.Span.Slice({tail}));");
            if (HasVelocity)
            {
                _w.Line($"new {_readOnlySpan}(_rollback, ParameterCount + {tail}, {tailLength}).CopyTo(_velocity.Span.Slice({tail}));");
            }

            _w.Close();
            _w.Open("else");
        }

        _w.Line($"new {_readOnlySpan}(_rollback, 0, ParameterCount).CopyTo(_parameters.Span);");
        if (HasVelocity)
        {
            _w.Line($"new {_readOnlySpan}(_rollback, ParameterCount, ParameterCount).CopyTo(_velocity.Span);");
        }

        if (HasSquares)
        {
            _w.Line($"new {_readOnlySpan}(_rollback, 2 * ParameterCount, ParameterCount).CopyTo(_squares.Span);");
        }

        if (span)
        {
            _w.Close();
            _w.Line();
        }

        _w.Line("_completedEpochs = _rollbackCompletedEpochs;");
        _w.Line("_updateCount = _rollbackUpdateCount;");
        _w.Line("_rollbackValid = false;");
        _w.Line("return true;");
        _w.Close();
        _w.Line();
        _w.Line("// The exception for a mini-batch whose cost is not finite or whose forward pass overflowed, after the rollback.");
        _w.Open($"private global::System.ArithmeticException Diverged(int epoch, int batch, int batches, double cost, {Dnn}.LayerOverflowException? overflow, {_t} rate{(span ? ", bool inSpan = false" : string.Empty)})");
        _w.Line("int restoredEpoch = _rollbackEpoch;");
        _w.Line("int restoredBatch = _rollbackBatch;");
        _w.Line("double restoredCost = _rollbackBatchCost;");
        _w.Line($"bool restored = RestoreRollback({(span ? "inSpan" : string.Empty)});");
        _w.Line($"return {Dnn}.Divergence.MiniBatchDiverged(epoch, batch, batches, cost, overflow, restored, restoredEpoch, restoredBatch, restoredCost, (double)rate);");
        _w.Close();
        _w.Line();
    }

    private void EmitGradientCheck()
    {
        _w.Line("/// <summary>");
        _w.Line("/// The course's gradient check (gradient_check_n): Backward's gradients against centred differences of the cost,");
        _w.Line("/// <c>||grad - gradapprox|| / (||grad|| + ||gradapprox||)</c> over all parameters, with the L2 term when");
        _w.Line($"/// <paramref name=\"l2\"/> &gt; 0, never with dropout. Two forward passes per parameter: for small networks (see <see cref=\"{Dnn}.GradientChecking\"/>).");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line($"/// <param name=\"y\">Their {LossInfo.LabelText}, OutputSize per example.</param>");
        _w.Line("/// <param name=\"epsilon\">The perturbation, finite and greater than zero; the course's 1e-7.</param>");
        _w.Line("/// <param name=\"l2\">The course's lambd, finite and at least 0.</param>");
        _w.Line("/// <returns>The relative difference: below about 2e-7 for a correct backward (in double).</returns>");
        _w.Open($"public double GradientCheck({_readOnlySpan} x, {_readOnlySpan} y, double epsilon = 1e-7, double l2 = 0)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitLabelsGuard();
        _w.Line($"return {Dnn}.GradientChecking.Check<{_t}>(this, x, y, epsilon, l2);");
        _w.Close();
        _w.Line();
    }

    private void EmitDropoutWorkspace()
    {
        var hidden = Enumerable.Range(1, L - 1).ToList();
        _w.Line("// ---- Dropout workspace ----");
        _w.Line("// For each hidden layer, the mask D[l] (0 or 1) and the dropped activations A[l] * D[l] / keep_prob that the next layer");
        _w.Line("// reads (A[l] itself stays for the activation's backward), (m, n[l]) each. Made on the first Train with dropout, grown");
        _w.Line("// to the largest mini-batch and reused.");
        _w.Line($"private {_t}[] _dropout = global::System.Array.Empty<{_t}>();");
        _w.Line("private int _dropoutCapacity;");
        _w.Line($"private {_t} _keepProbability = {Literal("1")};");
        _w.Line();
        long start = 0;
        foreach (int l in hidden)
        {
            _w.Line($"private {_span} d{l} => DropoutBlock({I(start)}, {N(l)}); // D{l}, (m, {N(l)})");
            start += N(l);
            _w.Line($"private {_span} a{l}Dropped => DropoutBlock({I(start)}, {N(l)}); // A{l} * D{l} / keep_prob, (m, {N(l)})");
            start += N(l);
        }

        _w.Line();
        _w.Open("private void PrepareDropout(int m)");
        _w.Open("if (m > _dropoutCapacity)");
        _w.Line($"_dropout = new {_t}[{Dnn}.Guard.WorkspaceLength(m, {I(start)}, \"x\")];");
        _w.Line("_dropoutCapacity = m;");
        _w.Close();
        _w.Close();
        _w.Line();
        _w.Line($"private {_span} DropoutBlock(long start, int width)");
        _w.Line($"    => new {_span}(_dropout, checked((int)(_dropoutCapacity * start)), _batchSize * width);");
        _w.Line();
    }

    /// <summary>The names the issue-12 members take in the class, for the collision checks (NetworkShape.GeneratedMemberNames).</summary>
    internal static IEnumerable<string> TrainingMemberNames(int layerCount, Optimizer optimizer)
    {
        foreach (string name in new[]
        {
            "Optimizer", "Velocity", "SquaredGradientAverage", "CompletedEpochs", "UpdateCount", "ResetTrainingState", "GradientCheck",
            "_completedEpochs", "_updateCount", "TrainMiniBatch", "SumOfSquaredWeights", "AddL2Gradients",
            "_rollback", "_shuffledOrder", "_batchX", "_batchY", "_shuffler", "_rollbackValid", "_rollbackEpoch", "_rollbackBatch", "_rollbackCompletedEpochs",
            "_rollbackUpdateCount", "_rollbackBatchCost", "KeepRollback", "RestoreRollback", "Diverged",
        })
        {
            yield return name;
        }

        if (optimizer != Optimizer.GradientDescent)
        {
            yield return "ApplyOptimizer";
            yield return "_velocity";
        }

        if (optimizer == Optimizer.Adam)
        {
            yield return "_squares";
        }

        if (layerCount < 2)
        {
            yield break;
        }

        foreach (string name in new[] { "ForwardCore", "_dropoutRandom", "_dropout", "_dropoutCapacity", "_keepProbability", "PrepareDropout", "DropoutBlock" })
        {
            yield return name;
        }

        for (int l = 1; l < layerCount; l++)
        {
            string n = l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return "d" + n;
            yield return "a" + n + "Dropped";
        }
    }
}
