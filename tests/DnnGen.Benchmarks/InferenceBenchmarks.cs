using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>The forward pass of one example: latency of Predict for the cat network (float32) and for (2, 4, 1).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class InferenceBenchmarks
{
    private readonly CatSingle _cat = new();
    private readonly Planar _planar = new();
    private readonly float[] _image = new float[CatSingle.InputSize];
    private readonly float[] _catProbability = new float[1];
    private readonly double[] _point = [0.5, -1.25];
    private readonly double[] _planarProbability = new double[1];

    [GlobalSetup]
    public void Setup()
    {
        _cat.InitializeParameters(seed: 1);
        _planar.InitializeParameters(seed: 1);
        var random = new NumPyRandom(2);
        for (int i = 0; i < _image.Length; i++)
        {
            _image[i] = (float)random.NextDouble();
        }
    }

    [Benchmark(Description = "cat forward, 1 example, float32")]
    public float CatForwardOneExample()
    {
        _cat.Predict(_image, _catProbability);
        return _catProbability[0];
    }

    [Benchmark(Description = "(2, 4, 1) forward, 1 example, float64")]
    public double PlanarForwardOneExample()
    {
        _planar.Predict(_point, _planarProbability);
        return _planarProbability[0];
    }
}
