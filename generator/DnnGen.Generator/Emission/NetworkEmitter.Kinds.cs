namespace DnnGen.Generator;

// The members only some kinds of network have, chosen by the loss's label form: a binary classifier's labels and
// accuracy, a multi-class classifier's classes and class-index overloads; a regression has none (its cost is its measure).
internal sealed partial class NetworkEmitter
{
    private void EmitKindMembers()
    {
        switch (LossInfo.Labels)
        {
            case LabelForm.Binary:
                EmitLabelsAndAccuracy();
                break;
            case LabelForm.OneHot:
                EmitClassPrediction();
                if (!_model.IsBaked)
                {
                    // Training against class indices: a baked network has no training members.
                    EmitClassIndexOverloads();
                }

                break;
        }
    }

    private void EmitLabelsAndAccuracy()
    {
        _w.Line("/// <summary>The course's predict: label 1 where the probability exceeds 0.5, else 0.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"labels\">Receives 0 or 1, (m, OutputSize).</param>");
        _w.Open($"public void PredictLabels({_readOnlySpan} x, {_span} labels)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(labels, (long)m * OutputSize, \"labels\", \"OutputSize labels for each of the m examples in x\");");
        _w.Line("Predict(x, labels);");
        _w.Open("for (int i = 0; i < labels.Length; i++)");
        _w.Line($"labels[i] = labels[i] > {Literal("0.5")} ? {Literal("1.0")} : {Literal("0.0")};");
        _w.Close();
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>The fraction of labels PredictLabels gets right, as the course prints \"Accuracy\".</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"y\">Their true labels (0 or 1), OutputSize per example.</param>");
        _w.Open($"public double Accuracy({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitLabelsGuard();
        _w.Line($"{_t}[] predictions = global::System.Buffers.ArrayPool<{_t}>.Shared.Rent(y.Length);");
        _w.Line("try");
        _w.Line("{");
        _w.Line($"    {_span} labels = new {_span}(predictions, 0, y.Length);");
        _w.Line("    PredictLabels(x, labels);");
        _w.Line("    int correct = 0;");
        _w.Line("    for (int i = 0; i < labels.Length; i++)");
        _w.Line("    {");
        _w.Line("        correct += labels[i] == y[i] ? 1 : 0;");
        _w.Line("    }");
        _w.Line();
        _w.Line("    return (double)correct / labels.Length;");
        _w.Line("}");
        _w.Line("finally");
        _w.Line("{");
        _w.Line($"    global::System.Buffers.ArrayPool<{_t}>.Shared.Return(predictions);");
        _w.Line("}");
        _w.Close();
        _w.Line();
    }

    /// <summary>PredictClasses, the one-example PredictClass and the two Accuracy overloads of a softmax classifier.</summary>
    private void EmitClassPrediction()
    {
        string pool = $"global::System.Buffers.ArrayPool<{_t}>.Shared";
        string intPool = "global::System.Buffers.ArrayPool<int>.Shared";

        _w.Line("// ---- Classes ----");
        _w.Line("// A class is an index 0 .. OutputSize - 1; an example's predicted class is the arg-max of its probabilities AL.");
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// Each example's most probable class: the arg-max of its OutputSize probabilities from Predict, the first of equal");
        _w.Line("/// ones, as NumPy's <c>np.argmax(AL, axis=0)</c>. Only reads the parameters, so many threads may call it at once.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"classes\">Receives each example's class, m values.</param>");
        _w.Open($"public void PredictClasses({_readOnlySpan} x, global::System.Span<int> classes)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<int>(classes, m, \"classes\", \"one class for each of the m examples in x\");");
        _w.Line("// AL (m, OutputSize) in a rented buffer, then each example's arg-max.");
        _w.Line($"{_t}[] probabilities = {pool}.Rent(m * OutputSize);");
        _w.Open("try");
        _w.Line($"{_span} al = new {_span}(probabilities, 0, m * OutputSize);");
        _w.Line("Predict(x, al);");
        _w.Line($"{Dnn}.Kernels.Classes.ArgMax<{_t}>(al, classes, OutputSize);");
        _w.Close();
        _w.Open("finally");
        _w.Line($"{pool}.Return(probabilities);");
        _w.Close();
        _w.Close();
        _w.Line();

        bool onStack = (long)N(L) * ElementBytes <= PredictStackLimitBytes;
        _w.Line("/// <summary>One example's most probable class: PredictClasses of that example alone.</summary>");
        _w.Line("/// <param name=\"x\">One example: exactly InputSize values, finite.</param>");
        _w.Line("/// <returns>The class, 0 .. OutputSize - 1.</returns>");
        _w.Open($"public int PredictClass({_readOnlySpan} x)");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(x, InputSize, \"x\", \"one example: InputSize values\");");
        _w.Line(onStack
            ? $"{_span} probabilities = stackalloc {_t}[OutputSize];"
            : $"{_span} probabilities = new {_t}[OutputSize];");
        _w.Line("Predict(x, probabilities);");
        _w.Line("global::System.Span<int> predicted = stackalloc int[1];");
        _w.Line($"{Dnn}.Kernels.Classes.ArgMax<{_t}>(probabilities, predicted, OutputSize);");
        _w.Line("return predicted[0];");
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>The fraction of examples whose class PredictClasses gets right, against one-hot labels.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"y\">Their one-hot labels, OutputSize per example (one 1 and zeros).</param>");
        _w.Open($"public double Accuracy({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(y, (long)m * OutputSize, \"y\", \"OutputSize labels for each of the m examples in x\");");
        _w.Line($"int[] classes = {intPool}.Rent(m);");
        _w.Open("try");
        _w.Line("global::System.Span<int> truth = new global::System.Span<int>(classes, 0, m);");
        _w.Line($"{Dnn}.Kernels.Classes.FromOneHot<{_t}>(y, truth, OutputSize, \"y\");");
        _w.Line("return Accuracy(x, truth);");
        _w.Close();
        _w.Open("finally");
        _w.Line($"{intPool}.Return(classes);");
        _w.Close();
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>The fraction of examples whose class PredictClasses gets right, against class indices.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 per example.</param>");
        _w.Open($"public double Accuracy({_readOnlySpan} x, global::System.ReadOnlySpan<int> classes)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitClassesGuard("the m examples in x");
        _w.Line($"int[] rented = {intPool}.Rent(m);");
        _w.Open("try");
        _w.Line("global::System.Span<int> predicted = new global::System.Span<int>(rented, 0, m);");
        _w.Line("PredictClasses(x, predicted);");
        _w.Line($"return {Dnn}.Kernels.Classes.Agreement(predicted, classes);");
        _w.Close();
        _w.Open("finally");
        _w.Line($"{intPool}.Return(rented);");
        _w.Close();
        _w.Close();
        _w.Line();
    }

    /// <summary>The check of <c>classes</c>: one index per example, each in 0 .. OutputSize - 1.</summary>
    private void EmitClassesGuard(string examples, string indent = "")
    {
        _w.Line($"{indent}{Dnn}.Guard.Length<int>(classes, m, \"classes\", \"one class index for each of {examples}\");");
        _w.Line($"{indent}{Dnn}.Guard.ClassIndices(classes, OutputSize, \"classes\");");
    }

    /// <summary>
    /// ComputeCost, Backward, TrainStep and Train with the labels as class indices. The cost reads them directly; the
    /// others write the one-hot rows they stand for into a buffer of the network's own and call their one-hot twins.
    /// </summary>
    private void EmitClassIndexOverloads()
    {
        string ro = _readOnlySpan;
        _w.Line("// ---- Class indices ----");
        _w.Line("// Each method that takes one-hot labels y also takes class indices: classes[i] is example i's class. They are checked,");
        _w.Line("// then written as the one-hot rows they stand for into a buffer of the network's own (grown to the largest m seen, so");
        _w.Line("// a training loop allocates nothing) and handed to the one-hot method: the same arithmetic, so the same bits.");
        _w.Line($"private {_t}[] _oneHot = global::System.Array.Empty<{_t}>();");
        _w.Line();
        _w.Line("// Y (OutputSize, m) one-hot from the m class indices, in _oneHot; the indices are already checked.");
        _w.Open($"private {ro} OneHot(global::System.ReadOnlySpan<int> classes)");
        _w.Line($"int length = {Dnn}.Guard.WorkspaceLength(classes.Length, OutputSize, \"classes\");");
        _w.Open("if (_oneHot.Length < length)");
        _w.Line($"_oneHot = new {_t}[length];");
        _w.Close();
        _w.Line();
        _w.Line($"{_span} y = new {_span}(_oneHot, 0, length);");
        _w.Line($"{Dnn}.Kernels.Classes.ToOneHot<{_t}>(classes, y, OutputSize);");
        _w.Line("return y;");
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>The cost of the last Forward against class indices, the same bits as against their one-hot rows.</summary>");
        _w.Line("/// <param name=\"classes\">The classes of the last Forward's m examples, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Open("public double ComputeCost(global::System.ReadOnlySpan<int> classes)");
        _w.Line("int m = RequireForward();");
        EmitClassesGuard("the last Forward's m examples");
        string cache = LossInfo.CostFromLogits ? "z" : "a";
        _w.Line($"return {Dnn}.Kernels.Cost.{LossInfo.CostKernel}<{_t}>({cache}{L}, classes);");
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>Backward propagation against class indices: Backward(x, y) with y their one-hot rows.</summary>");
        _w.Line("/// <param name=\"x\">The same examples that were passed to the last Forward.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Open($"public void Backward({ro} x, global::System.ReadOnlySpan<int> classes)");
        _w.Line("int m = RequireForward();");
        EmitClassesGuard("the last Forward's m examples");
        _w.Line("Backward(x, OneHot(classes));");
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>One full-batch training iteration against class indices: TrainStep(x, y, learningRate) with y their one-hot rows.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <returns>The cost of the forward pass, before the update.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">Training diverged, as for the one-hot TrainStep.</exception>");
        _w.Open($"public double TrainStep({ro} x, global::System.ReadOnlySpan<int> classes, double learningRate)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitClassesGuard("the m examples in x");
        _w.Line("return TrainStep(x, OneHot(classes), learningRate);");
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>Full-batch gradient descent against class indices: Train(x, y, ...) with y their one-hot rows.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Line("/// <param name=\"iterations\">How many iterations to run, at least 1.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <param name=\"progress\">Told every iteration's cost, on the training thread.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Checked before every iteration.</param>");
        _w.Line("/// <returns>The costs at iterations 0, 100, 200, ... and at the last iteration.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">Training diverged, as for the one-hot Train.</exception>");
        _w.Line("/// <exception cref=\"global::System.OperationCanceledException\"><paramref name=\"cancellationToken\"/> was cancelled.</exception>");
        _w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> Train(");
        _w.Line($"    {ro} x,");
        _w.Line("    global::System.ReadOnlySpan<int> classes,");
        _w.Line("    int iterations,");
        _w.Line("    double learningRate,");
        _w.Line($"    global::System.IProgress<{Dnn}.TrainingRecord>? progress = null,");
        _w.Line("    global::System.Threading.CancellationToken cancellationToken = default)");
        _w.Line("{");
        _w.Line($"    {Dnn}.Guard.AtLeast(iterations, 1, \"iterations\");");
        _w.Line($"    {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line($"    int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitClassesGuard("the m examples in x", "    ");
        _w.Line("    return Train(x, OneHot(classes), iterations, learningRate, progress, cancellationToken);");
        _w.Line("}");
        _w.Line();

        _w.Line("/// <summary>Course 2's training loop against class indices: Train(x, y, options, ...) with y their one-hot rows.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Line($"/// <param name=\"options\">The learning rate, epochs and the rest (see <see cref=\"{Dnn}.TrainingOptions\"/>).</param>");
        _w.Line("/// <param name=\"progress\">Told every epoch's cost, on the training thread.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Checked before every epoch.</param>");
        _w.Line("/// <returns>The cost of every RecordEvery-th epoch and of the last.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">An option is out of range; the exception names it.</exception>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">Training diverged, as for the one-hot Train.</exception>");
        _w.Line("/// <exception cref=\"global::System.OperationCanceledException\"><paramref name=\"cancellationToken\"/> was cancelled.</exception>");
        _w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> Train(");
        _w.Line($"    {ro} x,");
        _w.Line("    global::System.ReadOnlySpan<int> classes,");
        _w.Line($"    {Dnn}.TrainingOptions options,");
        _w.Line($"    global::System.IProgress<{Dnn}.TrainingRecord>? progress = null,");
        _w.Line("    global::System.Threading.CancellationToken cancellationToken = default)");
        _w.Line("{");
        _w.Line($"    int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitClassesGuard("the m examples in x", "    ");
        _w.Line("    return Train(x, OneHot(classes), options, progress, cancellationToken);");
        _w.Line("}");
        _w.Line();
        _w.Line("/// <summary>The gradient check against class indices: GradientCheck(x, y, epsilon, l2) with y their one-hot rows.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"classes\">Their classes, one index in 0 .. OutputSize - 1 each.</param>");
        _w.Line("/// <param name=\"epsilon\">The perturbation, finite and greater than zero.</param>");
        _w.Line("/// <param name=\"l2\">The course's lambd, finite and at least 0.</param>");
        _w.Line("/// <returns>The relative difference.</returns>");
        _w.Open($"public double GradientCheck({ro} x, global::System.ReadOnlySpan<int> classes, double epsilon = 1e-7, double l2 = 0)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        EmitClassesGuard("the m examples in x");
        _w.Line("return GradientCheck(x, OneHot(classes), epsilon, l2);");
        _w.Close();
        _w.Line();
    }
}
