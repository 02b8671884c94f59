using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The threaded paths of Dense: large layers are split across threads, and the split must not change a single bit,
/// so that training gives the same numbers on one core or many.
/// </summary>
public class DenseParallelismTests
{
    [Theory]
    [InlineData(12288, 20, 209)]
    [InlineData(12288, 7, 13)]
    [InlineData(4099, 33, 61)]
    public void Forward_and_weight_gradients_are_bit_identical_on_one_thread_and_several(int nIn, int nOut, int m)
    {
        var random = new Random(nIn + 31 * nOut + 977 * m);
        double[] aPrev = Values(random, m * nIn);
        double[] w = Values(random, nOut * nIn);
        double[] b = Values(random, nOut);
        double[] dZ = Values(random, m * nOut);

        (double[] z1, double[] dW1, double[] db1) = Run(1, aPrev, w, b, dZ, nIn, nOut, m);
        (double[] z4, double[] dW4, double[] db4) = Run(4, aPrev, w, b, dZ, nIn, nOut, m);

        Assert.Equal(z1, z4);
        Assert.Equal(dW1, dW4);
        Assert.Equal(db1, db4);

        // The threaded result is also the right one, not merely a repeatable one.
        var reference = new double[m * nOut];
        ReferenceDense.Forward<double>(aPrev, w, b, reference, nIn, nOut);
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.Equal(reference[i], z4[i], 1e-9 * Math.Max(1, Math.Abs(reference[i])));
        }
    }

    [Fact]
    public void The_degree_of_parallelism_must_be_positive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.MaxDegreeOfParallelism = 0);
        Assert.Equal("value", error.ParamName);
    }

    private static (double[] Z, double[] DW, double[] Db) Run(int threads, double[] aPrev, double[] w, double[] b, double[] dZ, int nIn, int nOut, int m)
    {
        int saved = Dense.MaxDegreeOfParallelism;
        try
        {
            Dense.MaxDegreeOfParallelism = threads;
            var z = new double[m * nOut];
            var dW = new double[nOut * nIn];
            var db = new double[nOut];
            Dense.Forward<double>(aPrev, w, b, z, nIn, nOut);
            Dense.WeightGradients<double>(dZ, aPrev, dW, db, nIn, nOut);
            return (z, dW, db);
        }
        finally
        {
            Dense.MaxDegreeOfParallelism = saved;
        }
    }

    private static double[] Values(Random random, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextDouble() * 2 - 1;
        }

        return values;
    }
}
