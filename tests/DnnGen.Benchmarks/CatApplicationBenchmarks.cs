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
public class CatApplicationBenchmarks
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
        _single = new CatSingle();
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

    [Benchmark(Description = "cat application, 2500 iterations, float32")]
    public double ApplicationSingle()
    {
        _single.InitializeParameters(seed: 1);
        return _single.Train(_xSingle, _ySingle, 2500, 0.0075)[^1].Cost;
    }
}
