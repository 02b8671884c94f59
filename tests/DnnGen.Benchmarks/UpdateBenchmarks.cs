using System;
using BenchmarkDotNet.Attributes;
using DnnGen.Kernels;

namespace DnnGen.Benchmarks;

/// <summary>
/// A training step's update of the cat network's 245,973 parameters with its divergence snapshot and check, as three
/// passes (copy the parameters, Dense.GradientDescent, Divergence.AllFinite: TrainIteration before issue 14) and as the
/// one pass of Optimizers.GradientDescentWithSnapshot, in float64 and float32. Both leave the same bits.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class UpdateBenchmarks
{
    private const int Count = 245_973;

    private readonly double[] _parameters = new double[Count];
    private readonly double[] _gradients = new double[Count];
    private readonly double[] _snapshot = new double[Count];
    private readonly float[] _parametersSingle = new float[Count];
    private readonly float[] _gradientsSingle = new float[Count];
    private readonly float[] _snapshotSingle = new float[Count];

    [GlobalSetup]
    public void Setup()
    {
        var random = new NumPyRandom(4);
        for (int i = 0; i < Count; i++)
        {
            _parameters[i] = random.NextGaussian();
            _gradients[i] = random.NextGaussian();
            _parametersSingle[i] = (float)_parameters[i];
            _gradientsSingle[i] = (float)_gradients[i];
        }
    }

    // A tiny learning rate keeps the parameters (and so the work) the same across the many calls measured.
    [Benchmark(Baseline = true, Description = "copy, update, check: three passes, float64")]
    public bool ThreePassesDouble()
    {
        _parameters.AsSpan().CopyTo(_snapshot);
        Dense.GradientDescent<double>(_parameters, _gradients, 1e-9);
        return Divergence.AllFinite<double>(_parameters);
    }

    [Benchmark(Description = "GradientDescentWithSnapshot: one pass, float64")]
    public bool OnePassDouble() => Optimizers.GradientDescentWithSnapshot<double>(_parameters, _gradients, 1e-9, _snapshot);

    [Benchmark(Description = "copy, update, check: three passes, float32")]
    public bool ThreePassesSingle()
    {
        _parametersSingle.AsSpan().CopyTo(_snapshotSingle);
        Dense.GradientDescent<float>(_parametersSingle, _gradientsSingle, 1e-9f);
        return Divergence.AllFinite<float>(_parametersSingle);
    }

    [Benchmark(Description = "GradientDescentWithSnapshot: one pass, float32")]
    public bool OnePassSingle() => Optimizers.GradientDescentWithSnapshot<float>(_parametersSingle, _gradientsSingle, 1e-9f, _snapshotSingle);
}
