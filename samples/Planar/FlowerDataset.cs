using System;
using DnnGen;

namespace Planar;

/// <summary>
/// The course's week-3 "flower": planar_utils.load_planar_dataset() rebuilt with the NumPy-compatible generator, so the
/// 400 points are NumPy's own. Two classes of 200 points; for class j, t = linspace(3.12 j, 3.12 (j + 1), 200) +
/// 0.2 randn(200), r = 4 sin(4 t) + 0.2 randn(200), and the point is (r sin t, r cos t).
/// </summary>
public static class FlowerDataset
{
    /// <summary>The number of points (the course's m).</summary>
    public const int Count = 400;

    /// <summary>Points per class.</summary>
    public const int PerClass = Count / 2;

    /// <summary>The seed load_planar_dataset sets.</summary>
    public const uint Seed = 1;

    /// <summary>
    /// The points, example-major: point i is (x[2 i], x[2 i + 1]), the course's X[:, i]; and the labels y[i], 0 (red)
    /// for the first 200, 1 (blue) for the rest.
    /// </summary>
    public static (double[] X, double[] Y) Generate()
    {
        const double MaximumRay = 4;
        var random = new NumPyRandom(Seed);
        var x = new double[Count * 2];
        var y = new double[Count];
        var noise = new double[PerClass];
        for (int j = 0; j < 2; j++)
        {
            double[] t = Linspace(j * 3.12, (j + 1) * 3.12, PerClass);
            random.FillStandardNormal(noise);
            for (int i = 0; i < PerClass; i++)
            {
                t[i] += noise[i] * 0.2;
            }

            random.FillStandardNormal(noise);
            for (int i = 0; i < PerClass; i++)
            {
                double r = (MaximumRay * Math.Sin(4 * t[i])) + (noise[i] * 0.2);
                int index = (j * PerClass) + i;
                x[2 * index] = r * Math.Sin(t[i]);
                x[(2 * index) + 1] = r * Math.Cos(t[i]);
                y[index] = j;
            }
        }

        return (x, y);
    }

    /// <summary>np.linspace(start, stop, count): start + i * step, with the last value exactly stop.</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        double step = (stop - start) / (count - 1);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (i * step) + start;
        }

        values[^1] = stop;
        return values;
    }
}
