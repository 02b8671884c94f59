using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace DnnGen;

/// <summary>
/// What every generated network offers, whatever its sizes: the hook for code that works with any network, such as
/// serialisation, benchmarks and gradient checks. The generated class documents each member in detail.
/// </summary>
/// <typeparam name="T">The element type: <see cref="double"/> or <see cref="float"/>.</typeparam>
public interface INetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>n[0], n[1], ..., n[L], as given to [Network].</summary>
    ReadOnlySpan<int> LayerSizes { get; }

    /// <summary>All parameters W1, b1, W2, b2, ... back to back, row-major with the course's shapes.</summary>
    Span<T> Parameters { get; }

    /// <summary>All gradients dW1, db1, ... of the last Backward, in the layout of <see cref="Parameters"/>.</summary>
    Span<T> Gradients { get; }

    /// <summary>Draws every W[l] from <paramref name="random"/> in layer order as the course does; biases zero.</summary>
    void InitializeParameters(NumPyRandom random, Initialization initialization);

    /// <summary>Forward propagation over example-major inputs, keeping the caches; returns AL.</summary>
    ReadOnlySpan<T> Forward(ReadOnlySpan<T> x);

    /// <summary>The cross-entropy cost of the last Forward against <paramref name="y"/>.</summary>
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

    /// <summary>Probabilities AL for example-major inputs, without touching the training caches.</summary>
    void Predict(ReadOnlySpan<T> x, Span<T> probabilities);

    /// <summary>Labels 0 or 1 (probability above 0.5).</summary>
    void PredictLabels(ReadOnlySpan<T> x, Span<T> labels);

    /// <summary>The fraction of labels predicted right.</summary>
    double Accuracy(ReadOnlySpan<T> x, ReadOnlySpan<T> y);
}
