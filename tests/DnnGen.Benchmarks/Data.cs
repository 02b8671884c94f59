using System;

namespace DnnGen.Benchmarks;

/// <summary>
/// Inputs of the cat dataset's shape: m = 209 examples of 12288 values in [0, 1) and 0/1 labels. The dense kernels do
/// the same work whatever the values, so synthetic data measures what the real data would.
/// </summary>
internal static class Data
{
    public const int CatExamples = 209;

    public static (double[] X, double[] Y) Cat(int examples)
    {
        var random = new NumPyRandom(1);
        var x = new double[examples * 12288];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble();
        }

        var y = new double[examples];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = random.NextDouble() < 0.35 ? 1 : 0;
        }

        return (x, y);
    }

    public static float[] ToSingle(double[] values) => Array.ConvertAll(values, v => (float)v);
}
