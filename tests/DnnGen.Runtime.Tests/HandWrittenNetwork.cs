using System;
using System.Collections.Generic;
using System.Threading;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// An <see cref="INetwork{T}"/> written by hand, holding only what persistence reads and writes: for the states a
/// generated network cannot be put in (buffers of the wrong length, a negative count, an optimizer DnnGen does not
/// know; activations, a loss or a slope it cannot have), which SaveNpz, LoadNpz and SaveOnnx must refuse rather than
/// trust. Everything that computes throws.
/// </summary>
internal sealed class HandWrittenNetwork : INetwork<double>
{
    private readonly int[] _sizes;
    private readonly double[] _parameters;
    private readonly double[] _velocity;
    private readonly double[] _squares;

    /// <summary>A network of <paramref name="sizes"/> whose buffers have the lengths given (by default, the right ones).</summary>
    public HandWrittenNetwork(int[] sizes, Optimizer optimizer, int? velocityLength = null, int? squaresLength = null)
    {
        _sizes = sizes;
        int count = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            count += (sizes[l] * sizes[l - 1]) + sizes[l];
        }

        Optimizer = optimizer;
        _parameters = new double[count];
        _velocity = new double[velocityLength ?? (optimizer is Optimizer.Momentum or Optimizer.Adam ? count : 0)];
        _squares = new double[squaresLength ?? (optimizer == Optimizer.Adam ? count : 0)];
    }

    public ReadOnlySpan<int> LayerSizes => _sizes;

    /// <summary>Whatever a test sets, unchecked (a wrong count, an unknown value): what SaveOnnx must refuse. Default: Relu hidden, Sigmoid output.</summary>
    public Activation[]? ActivationsSet { get; init; }

    public ReadOnlySpan<Activation> Activations
        => ActivationsSet ?? [.. System.Linq.Enumerable.Repeat(Activation.Relu, _sizes.Length - 2), Activation.Sigmoid];

    /// <summary>Unchecked: a test may set a value Loss does not define.</summary>
    public Loss Loss { get; init; } = Loss.BinaryCrossEntropy;

    /// <summary>Unchecked: a test may set NaN or a negative slope.</summary>
    public double LeakyReluSlope { get; init; } = 0.01;

    public Span<double> Parameters => _parameters;

    public Span<double> Gradients => throw new NotSupportedException();

    public Optimizer Optimizer { get; }

    public Span<double> Velocity => _velocity;

    public Span<double> SquaredGradientAverage => _squares;

    /// <summary>Unchecked, unlike a generated network's: a test may set -1.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Unchecked, unlike a generated network's: a test may set -1.</summary>
    public long UpdateCount { get; set; }

    public void ResetTrainingState()
    {
        Array.Clear(_velocity);
        Array.Clear(_squares);
        CompletedEpochs = 0;
        UpdateCount = 0;
    }

    public void InitializeParameters(NumPyRandom random, Initialization initialization) => throw new NotSupportedException();

    public ReadOnlySpan<double> Forward(ReadOnlySpan<double> x) => throw new NotSupportedException();

    public double ComputeCost(ReadOnlySpan<double> y) => throw new NotSupportedException();

    public void Backward(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => throw new NotSupportedException();

    public void UpdateParameters(double learningRate) => throw new NotSupportedException();

    public double TrainStep(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double learningRate) => throw new NotSupportedException();

    public IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int iterations, double learningRate, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public IReadOnlyList<TrainingRecord> Train(ReadOnlySpan<double> x, ReadOnlySpan<double> y, TrainingOptions options, IProgress<TrainingRecord>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public double GradientCheck(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double epsilon = 1e-7, double l2 = 0) => throw new NotSupportedException();

    public void Predict(ReadOnlySpan<double> x, Span<double> outputs) => throw new NotSupportedException();
}
