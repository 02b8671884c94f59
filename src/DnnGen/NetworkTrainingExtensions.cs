using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;

namespace DnnGen;

/// <summary>
/// <c>Train</c> with a lambda or method for its progress: <c>network.Train(x, y, 2500, 0.0075, progress: r =&gt; ...)</c>.
/// </summary>
/// <remarks>
/// The networks' own <c>Train</c> takes an <see cref="IProgress{T}"/>, as .NET code expects. A lambda does not convert
/// to an interface, so C# finds this extension instead (it needs <c>using DnnGen;</c>); a <c>null</c> or
/// <c>default</c> progress goes to the network's own method, so no call is ambiguous.
/// </remarks>
public static class NetworkTrainingExtensions
{
    /// <summary>
    /// Full-batch gradient descent, as the network's own <c>Train</c>, calling <paramref name="progress"/> on the
    /// training thread after every iteration.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="y">Their labels, OutputSize per example, in the form the network's loss takes.</param>
    /// <param name="iterations">How many iterations to run, at least 1.</param>
    /// <param name="learningRate">The step size alpha, finite and greater than zero.</param>
    /// <param name="progress">Called after every iteration with its cost, synchronously.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>The costs at iterations 0, 100, 200, ... and at the last iteration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="progress"/> is null.</exception>
    public static IReadOnlyList<TrainingRecord> Train<T>(
        this INetwork<T> network,
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> y,
        int iterations,
        double learningRate,
        Action<TrainingRecord> progress,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(progress);
        return network.Train(x, y, iterations, learningRate, new Callback(progress), cancellationToken);
    }

    /// <summary>
    /// Full-batch gradient descent against class indices, as the classifier's own <c>Train</c>, calling
    /// <paramref name="progress"/> on the training thread after every iteration.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="classes">Their classes, one index in 0 .. OutputSize - 1 per example.</param>
    /// <param name="iterations">How many iterations to run, at least 1.</param>
    /// <param name="learningRate">The step size alpha, finite and greater than zero.</param>
    /// <param name="progress">Called after every iteration with its cost, synchronously.</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>The costs at iterations 0, 100, 200, ... and at the last iteration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="progress"/> is null.</exception>
    public static IReadOnlyList<TrainingRecord> Train<T>(
        this IMultiClassClassifier<T> network,
        ReadOnlySpan<T> x,
        ReadOnlySpan<int> classes,
        int iterations,
        double learningRate,
        Action<TrainingRecord> progress,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(progress);
        return network.Train(x, classes, iterations, learningRate, new Callback(progress), cancellationToken);
    }

    /// <summary>
    /// Course 2's training loop, as the network's own <c>Train(x, y, options)</c>, calling <paramref name="progress"/> on
    /// the training thread after every epoch.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="y">Their labels, OutputSize per example, in the form the network's loss takes.</param>
    /// <param name="options">The learning rate, epochs and the rest.</param>
    /// <param name="progress">Called after every epoch with its cost, synchronously.</param>
    /// <param name="cancellationToken">Checked before every epoch.</param>
    /// <returns>The cost of every RecordEvery-th epoch and of the last.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="progress"/> is null.</exception>
    public static IReadOnlyList<TrainingRecord> Train<T>(
        this INetwork<T> network,
        ReadOnlySpan<T> x,
        ReadOnlySpan<T> y,
        TrainingOptions options,
        Action<TrainingRecord> progress,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(progress);
        return network.Train(x, y, options, new Callback(progress), cancellationToken);
    }

    /// <summary>
    /// Course 2's training loop against class indices, as the classifier's own <c>Train(x, classes, options)</c>, calling
    /// <paramref name="progress"/> on the training thread after every epoch.
    /// </summary>
    /// <param name="network">The network to train.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="classes">Their classes, one index in 0 .. OutputSize - 1 per example.</param>
    /// <param name="options">The learning rate, epochs and the rest.</param>
    /// <param name="progress">Called after every epoch with its cost, synchronously.</param>
    /// <param name="cancellationToken">Checked before every epoch.</param>
    /// <returns>The cost of every RecordEvery-th epoch and of the last.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="progress"/> is null.</exception>
    public static IReadOnlyList<TrainingRecord> Train<T>(
        this IMultiClassClassifier<T> network,
        ReadOnlySpan<T> x,
        ReadOnlySpan<int> classes,
        TrainingOptions options,
        Action<TrainingRecord> progress,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(progress);
        return network.Train(x, classes, options, new Callback(progress), cancellationToken);
    }

    // Reports on the calling thread, unlike System.Progress<T>, which posts to the synchronization context.
    private sealed class Callback(Action<TrainingRecord> action) : IProgress<TrainingRecord>
    {
        public void Report(TrainingRecord value) => action(value);
    }
}
