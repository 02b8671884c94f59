using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// One full-batch training iteration of the cat network (forward, cost, backward, update; m = 209): the course's
/// inner loop, about 206 MFLOP. Compare with reference/numpy_reference.py and reference/torch_reference.py.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TrainingBenchmarks
{
    private CatDouble _double = null!;
    private CatSingle _single = null!;
    private double[] _x = null!;
    private double[] _y = null!;
    private float[] _xSingle = null!;
    private float[] _ySingle = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_x, _y) = Data.Cat(Data.CatExamples);
        _xSingle = Data.ToSingle(_x);
        _ySingle = Data.ToSingle(_y);
        _double = new CatDouble();
        _double.InitializeParameters(seed: 1);
        _single = new CatSingle();
        _single.InitializeParameters(seed: 1);
    }

    // A tiny learning rate keeps the parameters (and so the work) the same across the many iterations measured.
    [Benchmark(Description = "cat iteration, float64")]
    public double TrainStepDouble() => _double.TrainStep(_x, _y, 1e-9);

    [Benchmark(Description = "cat iteration, float32")]
    public double TrainStepSingle() => _single.TrainStep(_xSingle, _ySingle, 1e-9);
}
