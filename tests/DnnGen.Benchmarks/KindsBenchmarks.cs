using System;
using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// The networks beyond the course's first family, on the shapes of their samples: one training iteration and the
/// prediction of one example each. Compare with the "kinds" lines of reference/torch_reference.py, which times the
/// same shapes with PyTorch's autograd.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class KindsBenchmarks
{
    /// <summary>samples/Digits' training part: 1500 of the 1797 digits.</summary>
    public const int DigitsExamples = 1500;

    /// <summary>The course's flower: 400 points.</summary>
    public const int PlanarExamples = 400;

    /// <summary>samples/Digits' diabetes training part: 353 of the 442 patients.</summary>
    public const int DiabetesExamples = 353;

    private readonly PlanarTanh _planar = new();
    private readonly DigitsSoftmax _digits = new();
    private readonly DiabetesLinear _diabetes = new();
    private double[] _planarX = null!;
    private double[] _planarY = null!;
    private double[] _digitsX = null!;
    private int[] _digitsClasses = null!;
    private double[] _diabetesX = null!;
    private double[] _diabetesY = null!;
    private readonly double[] _digitsOutput = new double[10];

    [GlobalSetup]
    public void Setup()
    {
        var random = new NumPyRandom(3);
        _planarX = Normal(random, PlanarExamples * 2);
        _planarY = new double[PlanarExamples];
        for (int i = 0; i < _planarY.Length; i++)
        {
            _planarY[i] = random.NextDouble() < 0.5 ? 0 : 1;
        }

        _digitsX = new double[DigitsExamples * 64];
        for (int i = 0; i < _digitsX.Length; i++)
        {
            _digitsX[i] = 16 * random.NextDouble();
        }

        _digitsClasses = new int[DigitsExamples];
        for (int i = 0; i < _digitsClasses.Length; i++)
        {
            _digitsClasses[i] = (int)(10 * random.NextDouble());
        }

        _diabetesX = Normal(random, DiabetesExamples * 10);
        _diabetesY = Normal(random, DiabetesExamples);
    }

    // Tiny learning rates keep the parameters (and so the work) the same across the many iterations measured.
    [Benchmark(Description = "(2, 4, 1) tanh iteration, m = 400, float64")]
    public double PlanarIteration() => _planar.TrainStep(_planarX, _planarY, 1e-9);

    [Benchmark(Description = "(64, 32, 10) softmax iteration, m = 1500, float64")]
    public double DigitsIteration() => _digits.TrainStep(_digitsX, _digitsClasses, 1e-9);

    [Benchmark(Description = "(10, 16, 1) linear iteration, m = 353, float64")]
    public double DiabetesIteration() => _diabetes.TrainStep(_diabetesX, _diabetesY, 1e-9);

    [Benchmark(Description = "(2, 4, 1) tanh forward, 1 example, float64")]
    public double PlanarPredict() => _planar.Predict(_planarX.AsSpan(0, 2));

    [Benchmark(Description = "(64, 32, 10) softmax forward, 1 example, float64")]
    public double DigitsPredict()
    {
        _digits.Predict(_digitsX.AsSpan(0, 64), _digitsOutput);
        return _digitsOutput[0];
    }

    [Benchmark(Description = "(10, 16, 1) linear forward, 1 example, float64")]
    public double DiabetesPredict() => _diabetes.Predict(_diabetesX.AsSpan(0, 10));

    private static double[] Normal(NumPyRandom random, int count)
    {
        double[] values = new double[count];
        random.FillStandardNormal(values);
        return values;
    }
}
