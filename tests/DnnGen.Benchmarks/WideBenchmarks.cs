using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// One mini-batch step of a network wider than the course's: (784, 256, 256, 10) relu -> softmax against class
/// indices, Adam, mini-batches of 128, on synthetic data of MNIST's shape (pixels in [0, 1), classes 0 to 9, fixed
/// seed). Each call is one epoch of <c>Train(x, classes, options)</c> over 1280 examples, ten steps (the shuffle, and
/// for each mini-batch the gather, forward, cost, backward, Adam's update and the divergence snapshot), and the figure
/// is one step. Compare with the "wide" lines of reference/torch_reference.py: the same epoch with torch.randperm,
/// indexing, autograd, cross_entropy from the logits and torch.optim.Adam, divided by ten the same way.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class WideBenchmarks
{
    /// <summary>The examples of one epoch: ten mini-batches of <see cref="MiniBatch"/>.</summary>
    public const int Examples = 1280;

    /// <summary>The mini-batch size.</summary>
    public const int MiniBatch = 128;

    private const int Steps = Examples / MiniBatch;

    // One epoch per call. A tiny learning rate keeps the parameters, and so the work, the same across calls; the
    // training state is not reset between calls (each epoch shuffles differently, which does the same work), so that
    // clearing Adam's 4 MB of moments is not counted as part of a step.
    private static readonly TrainingOptions s_options = new() { LearningRate = 1e-9, Epochs = 1, MiniBatchSize = MiniBatch, ShuffleSeed = 10 };

    private readonly WideAdam _double = new();
    private readonly WideAdamSingle _single = new();
    private double[] _x = null!;
    private float[] _xSingle = null!;
    private int[] _classes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new NumPyRandom(7);
        _x = new double[Examples * 784];
        for (int i = 0; i < _x.Length; i++)
        {
            _x[i] = random.NextDouble();
        }

        _xSingle = Data.ToSingle(_x);
        _classes = new int[Examples];
        for (int i = 0; i < _classes.Length; i++)
        {
            _classes[i] = (int)(10 * random.NextDouble());
        }

        _double.InitializeParameters(3u);
        _single.InitializeParameters(3u);
    }

    [Benchmark(Description = "wide (784, 256, 256, 10) softmax step, mini-batches of 128, Adam, float64", OperationsPerInvoke = Steps)]
    public int StepDouble() => _double.Train(_x, _classes, s_options).Count;

    [Benchmark(Description = "wide (784, 256, 256, 10) softmax step, mini-batches of 128, Adam, float32", OperationsPerInvoke = Steps)]
    public int StepSingle() => _single.Train(_xSingle, _classes, s_options).Count;
}
