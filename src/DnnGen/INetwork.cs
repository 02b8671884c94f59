using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace DnnGen;

/// <summary>
/// What every generated network offers, whatever its sizes, activations and loss: the hook for code that works with any
/// network, such as serialisation, benchmarks and gradient checks. What only some kinds of network have is in
/// <see cref="IBinaryClassifier{T}"/> (a sigmoid output with binary cross-entropy) and <see cref="IMultiClassClassifier{T}"/>
/// (a softmax output with categorical cross-entropy); a regression (squared error) has only these members, its cost being
/// its measure. The generated class documents each member in detail.
/// </summary>
/// <typeparam name="T">The element type: <see cref="double"/> or <see cref="float"/>.</typeparam>
public interface INetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>n[0], n[1], ..., n[L], as given to [Network].</summary>
    ReadOnlySpan<int> LayerSizes { get; }

    /// <summary>Each layer's activation, layer 1 first (L entries), as the attribute resolved them.</summary>
    ReadOnlySpan<Activation> Activations { get; }

    /// <summary>The cost the network minimises.</summary>
    Loss Loss { get; }

    /// <summary>The slope of its leaky relu layers for z &lt; 0 (the attribute's LeakyReluSlope; 0.01, unused, when it has none).</summary>
    double LeakyReluSlope { get; }

    /// <summary>All parameters W1, b1, W2, b2, ... back to back, row-major with the course's shapes.</summary>
    Span<T> Parameters { get; }

    /// <summary>All gradients dW1, db1, ... of the last Backward, in the layout of <see cref="Parameters"/>.</summary>
    Span<T> Gradients { get; }

    /// <summary>Draws every W[l] from <paramref name="random"/> in layer order as the course does; biases zero.</summary>
    void InitializeParameters(NumPyRandom random, Initialization initialization);

    /// <summary>Forward propagation over example-major inputs, keeping the caches; returns AL.</summary>
    ReadOnlySpan<T> Forward(ReadOnlySpan<T> x);

    /// <summary>The cost of the last Forward against <paramref name="y"/>, by the network's loss.</summary>
    double ComputeCost(ReadOnlySpan<T> y);

    /// <summary>Backward propagation from the caches of the last Forward.</summary>
    void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y);

    /// <summary>One gradient-descent step with the gradients of the last Backward.</summary>
    void UpdateParameters(double learningRate);

    /// <summary>Forward, cost, Backward and update; returns the cost.</summary>
    /// <exception cref="ArithmeticException">Training diverged; the parameters are as before the call (see <see cref="Divergence"/>).</exception>
    double TrainStep(ReadOnlySpan<T> x, ReadOnlySpan<T> y, double learningRate);

    /// <summary>
    /// Full-batch gradient descent; returns the cost every 100 iterations and at the last, and reports every iteration
    /// to <paramref name="progress"/> on the training thread (a lambda goes through <see cref="NetworkTrainingExtensions"/>).
    /// </summary>
    /// <exception cref="ArithmeticException">
    /// Training diverged; the message names the iteration, and the parameters are those of the last iteration whose cost
    /// was finite (see <see cref="Divergence"/>).
    /// </exception>
    IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int iterations, double learningRate, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Course 2's training loop: <paramref name="options"/>.Epochs epochs of mini-batches (or full batches) with the
    /// attribute's <see cref="Optimizer"/>, learning-rate decay, L2 and dropout as the options say; returns the epoch
    /// costs every RecordEvery epochs and at the last, and reports every epoch to <paramref name="progress"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    /// <exception cref="ArithmeticException">
    /// Training diverged; the message names the epoch and mini-batch, and the parameters and the optimizer's state are
    /// those before the last update whose cost was finite.
    /// </exception>
    IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<T> x, ReadOnlySpan<T> y, TrainingOptions options, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The course's gradient check: <c>||grad - gradapprox|| / (||grad|| + ||gradapprox||)</c> over every parameter,
    /// gradapprox by centred differences of the cost (with the L2 term when <paramref name="l2"/> is not 0); below
    /// about 2e-7 (double) for a correct backward. See <see cref="GradientChecking"/>.
    /// </summary>
    double GradientCheck(ReadOnlySpan<T> x, ReadOnlySpan<T> y, double epsilon = 1e-7, double l2 = 0);

    /// <summary>The update rule of Train(x, y, options), as the attribute's Optimizer option fixed it.</summary>
    Optimizer Optimizer { get; }

    /// <summary>
    /// The optimizer's v, one per parameter in the layout of <see cref="Parameters"/> (v_dW1, v_db1, ...): momentum's
    /// velocity, Adam's first moment. Empty for <see cref="Optimizer.GradientDescent"/>.
    /// </summary>
    Span<T> Velocity { get; }

    /// <summary>Adam's s, the second moments (s_dW1, s_db1, ...), in the layout of <see cref="Parameters"/>; empty for the other optimizers.</summary>
    Span<T> SquaredGradientAverage { get; }

    /// <summary>
    /// The epochs Train(x, y, options) has completed since the training state was reset: the number of the next epoch,
    /// which fixes its shuffle, dropout masks and learning rate. At least 0.
    /// </summary>
    int CompletedEpochs { get; set; }

    /// <summary>The parameter updates Train(x, y, options) has made since the training state was reset: Adam's t. At least 0.</summary>
    long UpdateCount { get; set; }

    /// <summary>
    /// Zeroes <see cref="Velocity"/> and <see cref="SquaredGradientAverage"/>, <see cref="CompletedEpochs"/> and
    /// <see cref="UpdateCount"/>: the next Train(x, y, options) starts afresh. InitializeParameters and a LoadNpz
    /// without training state do it too.
    /// </summary>
    void ResetTrainingState();

    /// <summary>
    /// The outputs AL for example-major inputs (probabilities for a classifier, predicted values for a regression),
    /// without touching the training caches.
    /// </summary>
    void Predict(ReadOnlySpan<T> x, Span<T> outputs);
}

/// <summary>
/// A network with sigmoid outputs and binary cross-entropy: each of its OutputSize outputs is the probability of an
/// independent yes-or-no label, 0 or 1.
/// </summary>
/// <typeparam name="T">The element type: <see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IBinaryClassifier<T> : INetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Labels 0 or 1 (probability above 0.5), OutputSize per example.</summary>
    void PredictLabels(ReadOnlySpan<T> x, Span<T> labels);

    /// <summary>The fraction of labels (0 or 1) predicted right, over every example and output.</summary>
    double Accuracy(ReadOnlySpan<T> x, ReadOnlySpan<T> y);
}

/// <summary>
/// A network with a softmax output and categorical cross-entropy: its OutputSize outputs are the probabilities of the
/// classes 0 .. OutputSize - 1, and every example belongs to one. Labels are one-hot rows (OutputSize values, one 1) or
/// class indices, one <see cref="int"/> per example; the two forms give the same bits.
/// </summary>
/// <typeparam name="T">The element type: <see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IMultiClassClassifier<T> : INetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The cost of the last Forward against the examples' class indices.</summary>
    double ComputeCost(ReadOnlySpan<int> classes);

    /// <summary>Backward propagation from the caches of the last Forward, against the examples' class indices.</summary>
    void Backward(ReadOnlySpan<T> x, ReadOnlySpan<int> classes);

    /// <summary>Forward, cost, Backward and update against class indices; returns the cost.</summary>
    /// <exception cref="ArithmeticException">Training diverged (see <see cref="Divergence"/>).</exception>
    double TrainStep(ReadOnlySpan<T> x, ReadOnlySpan<int> classes, double learningRate);

    /// <summary>Full-batch gradient descent against class indices, as <see cref="INetwork{T}.Train(ReadOnlySpan{T}, ReadOnlySpan{T}, int, double, IProgress{TrainingRecord}?, CancellationToken)"/>.</summary>
    /// <exception cref="ArithmeticException">Training diverged (see <see cref="Divergence"/>).</exception>
    IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<T> x, ReadOnlySpan<int> classes, int iterations, double learningRate, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Course 2's training loop against class indices, as <see cref="INetwork{T}.Train(ReadOnlySpan{T}, ReadOnlySpan{T}, TrainingOptions, IProgress{TrainingRecord}?, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    /// <exception cref="ArithmeticException">Training diverged; the message names the epoch and mini-batch.</exception>
    IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<T> x, ReadOnlySpan<int> classes, TrainingOptions options, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The gradient check against class indices, as <see cref="INetwork{T}.GradientCheck"/>.</summary>
    double GradientCheck(ReadOnlySpan<T> x, ReadOnlySpan<int> classes, double epsilon = 1e-7, double l2 = 0);

    /// <summary>Each example's most probable class (the arg-max of its outputs; the first of equal ones).</summary>
    void PredictClasses(ReadOnlySpan<T> x, Span<int> classes);

    /// <summary>The fraction of examples whose class PredictClasses gets right, against one-hot labels.</summary>
    double Accuracy(ReadOnlySpan<T> x, ReadOnlySpan<T> y);

    /// <summary>The fraction of examples whose class PredictClasses gets right, against class indices.</summary>
    double Accuracy(ReadOnlySpan<T> x, ReadOnlySpan<int> classes);
}
