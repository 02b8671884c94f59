using System;
using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// One epoch of course 2's training loop, Train(x, y, TrainingOptions) with one epoch: shuffle, gather every mini-batch,
/// forward, cost, backward and the optimizer's update, with the divergence snapshot. The moons model of the Optimization
/// notebook (m = 300, mini-batches of 64: five updates) with each optimizer, and the digits softmax network (m = 1500,
/// mini-batches of 64: 24 updates) with Adam. Compare with the "optimizers" lines of reference/torch_reference.py, which
/// runs the same epochs with torch.optim.SGD (with and without momentum) and torch.optim.Adam.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OptimizerBenchmarks
{
    /// <summary>The notebook's moons.</summary>
    public const int MoonsExamples = 300;

    private readonly MoonsGradientDescent _gd = new();
    private readonly MoonsMomentum _momentum = new();
    private readonly MoonsAdam _adam = new();
    private readonly DigitsAdam _digits = new();
    private double[] _moonsX = null!;
    private double[] _moonsY = null!;
    private double[] _digitsX = null!;
    private int[] _digitsClasses = null!;

    // One epoch per call; a tiny learning rate keeps the parameters, and so the work, the same across calls.
    private static readonly TrainingOptions s_moons = new() { LearningRate = 1e-9, Epochs = 1, MiniBatchSize = 64, ShuffleSeed = 10 };
    private static readonly TrainingOptions s_digits = new() { LearningRate = 1e-9, Epochs = 1, MiniBatchSize = 64, ShuffleSeed = 10 };

    [GlobalSetup]
    public void Setup()
    {
        var random = new NumPyRandom(5);
        _moonsX = new double[MoonsExamples * 2];
        _moonsY = new double[MoonsExamples];
        for (int i = 0; i < MoonsExamples; i++)
        {
            _moonsX[2 * i] = random.NextGaussian();
            _moonsX[(2 * i) + 1] = random.NextGaussian();
            _moonsY[i] = random.NextDouble() < 0.5 ? 0 : 1;
        }

        _digitsX = new double[KindsBenchmarks.DigitsExamples * 64];
        for (int i = 0; i < _digitsX.Length; i++)
        {
            _digitsX[i] = 16 * random.NextDouble();
        }

        _digitsClasses = new int[KindsBenchmarks.DigitsExamples];
        for (int i = 0; i < _digitsClasses.Length; i++)
        {
            _digitsClasses[i] = (int)(10 * random.NextDouble());
        }

        _gd.InitializeParameters(3u);
        _momentum.InitializeParameters(3u);
        _adam.InitializeParameters(3u);
        _digits.InitializeParameters(3u);
    }

    [Benchmark(Description = "moons (2, 5, 2, 1) epoch, m = 300, mini-batches of 64, gradient descent, float64")]
    public int MoonsGradientDescentEpoch() => Epoch(_gd, _moonsX, _moonsY);

    [Benchmark(Description = "moons (2, 5, 2, 1) epoch, m = 300, mini-batches of 64, momentum, float64")]
    public int MoonsMomentumEpoch() => Epoch(_momentum, _moonsX, _moonsY);

    [Benchmark(Description = "moons (2, 5, 2, 1) epoch, m = 300, mini-batches of 64, Adam, float64")]
    public int MoonsAdamEpoch() => Epoch(_adam, _moonsX, _moonsY);

    [Benchmark(Description = "digits (64, 32, 10) softmax epoch, m = 1500, mini-batches of 64, Adam, float64")]
    public int DigitsAdamEpoch()
    {
        _digits.ResetTrainingState();
        return _digits.Train(_digitsX, _digitsClasses, s_digits).Count;
    }

    // ResetTrainingState keeps every call at epoch 0 (the same shuffle), as the PyTorch side reshuffles with one seed.
    private static int Epoch<TNetwork>(TNetwork network, double[] x, double[] y)
        where TNetwork : INetwork<double>
    {
        network.ResetTrainingState();
        return network.Train(x, y, s_moons).Count;
    }
}
