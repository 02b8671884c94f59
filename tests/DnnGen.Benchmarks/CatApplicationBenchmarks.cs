using BenchmarkDotNet.Attributes;
using DnnGen.Kernels;

namespace DnnGen.Benchmarks;

/// <summary>
/// The course's whole application (L_layer_model): initialise with seed 1, then 2500 full-batch iterations of the cat
/// network at 0.0075, m = 209, training included, as samples/CatClassifier runs it. Train chooses layer 1 in the span of
/// the data here (DataSpan.Pays), so this measures that path end to end: G = X^T . X, the iterations, and W1 and dW1
/// made explicit at the end. Compare with the application line of reference/numpy_reference.py.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Q1Column]
[Q3Column]
public class CatApplicationBenchmarks
{
    private CatDouble _double = null!;
    private double[] _x = null!;
    private double[] _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_x, _y) = Data.Cat(Data.CatExamples);
        _double = new CatDouble();
        if (!DataSpan.Pays(CatDouble.InputSize, CatDouble.Layer1Size, Data.CatExamples, 2500))
        {
            throw new System.InvalidOperationException("The cat application should train in the span of the data; DataSpan.Mode is " + DataSpan.Mode + ".");
        }
    }

    [Benchmark(Description = "cat application, 2500 iterations, float64")]
    public double ApplicationDouble()
    {
        _double.InitializeParameters(seed: 1);
        return _double.Train(_x, _y, 2500, 0.0075)[^1].Cost;
    }

}

/// <summary>
/// The same application in float32, which trains directly (no span path: see DataSpan), about 7 s a run: ten runs after
/// two warm-ups, where the default job's up to 100 took a quarter of an hour of the comparison script's run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 10)]
public class CatApplicationSingleBenchmarks
{
    private CatSingle _single = null!;
    private float[] _xSingle = null!;
    private float[] _ySingle = null!;

    [GlobalSetup]
    public void Setup()
    {
        (double[] x, double[] y) = Data.Cat(Data.CatExamples);
        _xSingle = Data.ToSingle(x);
        _ySingle = Data.ToSingle(y);
        _single = new CatSingle();
    }

    [Benchmark(Description = "cat application, 2500 iterations, float32")]
    public double ApplicationSingle()
    {
        _single.InitializeParameters(seed: 1);
        return _single.Train(_xSingle, _ySingle, 2500, 0.0075)[^1].Cost;
    }
}
