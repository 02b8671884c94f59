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
        _w.Line($"public {_span} Velocity => {(HasVelocity ? "_velocity.Span" : "default")};");
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
        _w.Line("// Mini-batches are gathered into buffers kept from call to call, grown to the largest mini-batch and example count");
        _w.Line("// seen: after the first call, no call, epoch or mini-batch allocates (but for the history).");
        _w.Line("int batches = settings.BatchCount;");
        _w.Open("if (settings.Shuffles)");
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
        _w.Line("global::System.Span<int> permutation = new global::System.Span<int>(_shuffledOrder, 0, settings.Shuffles ? m : 0);");
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
        _w.Open("if (settings.Shuffles)");
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
        _w.Open("if (settings.Shuffles)");
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

        _w.Line($"double cost = TrainMiniBatch(xBatch, yBatch, size, rate, in settings, {(CanDrop ? "dropout" : "null")}, epoch, batch);");
        _w.Line("// The course's cost_total += compute_cost(...): the mini-batch's summed loss, its mean cost times its size.");
        _w.Line("total += settings.Shuffles ? cost * size : cost;");
        _w.Close();
        _w.Line();
        _w.Line("_completedEpochs = epoch + 1;");
        _w.Line($"{Dnn}.TrainingRecord record = new {Dnn}.TrainingRecord(epoch, settings.Shuffles ? total / m : total);");
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
        EmitRollback();
        EmitGradientCheck();
        if (CanDrop)
        {
            EmitDropoutWorkspace();
        }
    }

    private void EmitTrainMiniBatch()
    {
        string ro = _readOnlySpan;
        _w.Line("// One mini-batch of Train(x, y, options) on checked arguments: forward, cost, backward, update; returns the cost before");
        _w.Line("// the update. The state before the update is kept, so that a later cost that is not finite can undo it.");
        _w.Line($"private double TrainMiniBatch({ro} x, {ro} y, int m, {_t} rate, in {Dnn}.Kernels.TrainingSettings<{_t}> settings, {Dnn}.NumPyRandom? dropout, int epoch, int batch)");
        _w.OpenBrace();
        _w.Line("double cost;");
        _w.Open("try");
        _w.Line(CanDrop ? "ForwardCore(x, dropout);" : "Forward(x);");
        _w.Line("cost = ComputeCost(y);");
        _w.Open("if (settings.L2 != 0)");
        _w.Line($"// + lambd / (2m) (sum(W1^2){(L > 1 ? " + ... + sum(W" + I(L) + "^2)" : string.Empty)}), compute_cost_with_regularization's term");
        _w.Line($"cost += {Dnn}.Kernels.Regularization.L2Cost(SumOfSquaredWeights(), settings.L2, m);");
        _w.Close();
        _w.Close();
        _w.Line($"catch ({Dnn}.LayerOverflowException overflow) when (_rollbackValid)");
        _w.Line("{");
        _w.Line("    // After updates whose costs were finite, an overflow means the parameters grew too large: training diverged.");
        _w.Line("    throw Diverged(epoch, batch, settings.BatchCount, double.NaN, overflow, rate);");
        _w.Line("}");
        _w.Line();
        _w.Open("if (!double.IsFinite(cost))");
        _w.Line("throw Diverged(epoch, batch, settings.BatchCount, cost, null, rate);");
        _w.Close();
        _w.Line();
        _w.Line(CanDrop ? "BackwardCore(x, y, dropout is not null);" : "BackwardCore(x, y);");
        _w.Line("_gradientsInvalid = false;");
        _w.Open("if (settings.L2 != 0)");
        _w.Line($"AddL2Gradients(({_t})(settings.L2 / m));");
        _w.Close();
        _w.Line();
        _w.Line("KeepRollback(epoch, batch, cost);");
        if (Optimizer == Optimizer.GradientDescent)
        {
            _w.Line("// update_parameters_with_gd, W[l] -= rate * dW[l] and b[l] -= rate * db[l], over the whole buffer at once (the gradients");
            _w.Line("// share its layout), in the same pass as the rollback's copy of the parameters before it and the check that all are finite.");
            _w.Open($"if (!{Dnn}.Kernels.Optimizers.GradientDescentWithSnapshot<{_t}>(_parameters.Span, _gradients.Span, rate, _rollback!))");
        }
        else
        {
            _w.Line(Optimizer == Optimizer.Momentum
                ? "ApplyOptimizer(rate, settings.Beta);"
                : "ApplyOptimizer(rate, settings.Beta1, settings.Beta2, settings.Epsilon, _updateCount + 1);");
            string check = $"{Dnn}.Divergence.AllFinite<{_t}>(_parameters.Span)" + (HasSquares ? $" && {Dnn}.Divergence.AllFinite<{_t}>(_squares.Span)" : string.Empty);
            _w.Open($"if (!({check}))");
        }

        _w.Line("RestoreRollback();");
        _w.Line($"throw {Dnn}.Divergence.MiniBatchUpdateNotFinite(epoch, batch, settings.BatchCount, cost, (double)rate);");
        _w.Close();
        _w.Line();
        _w.Line("_updateCount++;");
        _w.Line("return cost;");
        _w.Close();
        _w.Line();

        _w.Line("// sum(W1^2) + sum(W2^2) + ...: each layer's sum in NumPy's order, added from W1 on as the course writes it.");
        _w.Line("private double SumOfSquaredWeights()");
        _w.Line("    => " + string.Join(" + ", Enumerable.Range(1, L).Select(l => $"{Dnn}.Kernels.Regularization.L2Penalty<{_t}>(W{l})")) + ";");
        _w.Line();
        _w.Line("// backward_propagation_with_regularization's terms: dW[l] += (lambd / m) W[l]; the biases are not regularised.");
        _w.Open($"private void AddL2Gradients({_t} lambdaOverM)");
        for (int l = 1; l <= L; l++)
        {
            _w.Line($"{Dnn}.Kernels.Regularization.AddL2Gradient<{_t}>(dW{l}, W{l}, lambdaOverM); // dW{l} ({N(l)}, {N(l - 1)}) += (lambd / m) W{l}");
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
                _w.Open($"private void ApplyOptimizer({_t} rate, {_t} beta)");
                break;
            case Optimizer.Adam:
                _w.Line("// update_parameters_with_adam, layer by layer, t the update's number from 1: the moments, their bias corrections");
                _w.Line("// v^ = v / (1 - beta1^t) and s^ = s / (1 - beta2^t), then W = W - rate v^ / (sqrt(s^) + epsilon) (b alike).");
                _w.Open($"private void ApplyOptimizer({_t} rate, {_t} beta1, {_t} beta2, {_t} epsilon, long t)");
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
                    _w.Line($"{Dnn}.Kernels.Optimizers.Momentum<{_t}>(W{l}, _velocity.Slice({weights}, {count}), dW{l}, rate, beta);");
                    _w.Line($"{Dnn}.Kernels.Optimizers.Momentum<{_t}>(b{l}, _velocity.Slice({biases}, {N(l)}), db{l}, rate, beta);");
                    break;
                case Optimizer.Adam:
                    _w.Line($"// v_dW{l} {shapeW} = beta1 v_dW{l} + (1 - beta1) dW{l};  s_dW{l} = beta2 s_dW{l} + (1 - beta2) dW{l}^2");
                    _w.Line($"//   W{l} -= rate * (v_dW{l} / (1 - beta1^t)) / (sqrt(s_dW{l} / (1 - beta2^t)) + epsilon);  b{l} {shapeB} alike with db{l}");
                    _w.Line($"{Dnn}.Kernels.Optimizers.Adam<{_t}>(W{l}, _velocity.Slice({weights}, {count}), _squares.Slice({weights}, {count}), dW{l}, rate, beta1, beta2, epsilon, t);");
                    _w.Line($"{Dnn}.Kernels.Optimizers.Adam<{_t}>(b{l}, _velocity.Slice({biases}, {N(l)}), _squares.Slice({biases}, {N(l)}), db{l}, rate, beta1, beta2, epsilon, t);");
                    break;
            }
        }

        _w.Close();
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
        _w.Open("private void KeepRollback(int epoch, int batch, double cost)");
        _w.Line($"_rollback ??= new {_t}[{I(StateBuffers + 1)} * ParameterCount];");
        if (HasVelocity)
        {
            _w.Line("_parameters.Span.CopyTo(_rollback);");
            _w.Line($"_velocity.Span.CopyTo(new {_span}(_rollback, ParameterCount, ParameterCount));");
        }
        else
        {
            _w.Line("// The parameters are copied by the update itself (Optimizers.GradientDescentWithSnapshot), in its one pass.");
        }

        if (HasSquares)
        {
            _w.Line($"_squares.Span.CopyTo(new {_span}(_rollback, 2 * ParameterCount, ParameterCount));");
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
        _w.Open("private bool RestoreRollback()");
        _w.Open("if (!_rollbackValid || _rollback is null)");
        _w.Line("return false;");
        _w.Close();
        _w.Line();
        _w.Line($"new {_readOnlySpan}(_rollback, 0, ParameterCount).CopyTo(_parameters.Span);");
        if (HasVelocity)
        {
            _w.Line($"new {_readOnlySpan}(_rollback, ParameterCount, ParameterCount).CopyTo(_velocity.Span);");
        }

        if (HasSquares)
        {
            _w.Line($"new {_readOnlySpan}(_rollback, 2 * ParameterCount, ParameterCount).CopyTo(_squares.Span);");
        }

        _w.Line("_completedEpochs = _rollbackCompletedEpochs;");
        _w.Line("_updateCount = _rollbackUpdateCount;");
        _w.Line("_rollbackValid = false;");
        _w.Line("return true;");
        _w.Close();
        _w.Line();
        _w.Line("// The exception for a mini-batch whose cost is not finite or whose forward pass overflowed, after the rollback.");
        _w.Open($"private global::System.ArithmeticException Diverged(int epoch, int batch, int batches, double cost, {Dnn}.LayerOverflowException? overflow, {_t} rate)");
        _w.Line("int restoredEpoch = _rollbackEpoch;");
        _w.Line("int restoredBatch = _rollbackBatch;");
        _w.Line("double restoredCost = _rollbackBatchCost;");
        _w.Line("bool restored = RestoreRollback();");
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
