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
    [InlineData(784, 256, 128)]
    [InlineData(37, 10, 300)]
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
        AssertMatchesReferenceForward(z4, aPrev, w, b, nIn, nOut, m);
    }

    /// <summary>
    /// The input gradient is split by blocks of four examples; a count that is not a multiple of four leaves a short
    /// last block, and more pieces than cores leave some for whichever thread is free.
    /// </summary>
    [Theory]
    [InlineData(256, 256, 128)]
    [InlineData(20, 7, 1001)]
    [InlineData(33, 130, 61)]
    public void The_input_gradient_is_bit_identical_on_one_thread_and_several(int nIn, int nOut, int m)
    {
        var random = new Random(nIn + 7 * nOut + 131 * m);
        double[] dZ = Values(random, m * nOut);
        double[] w = Values(random, nOut * nIn);
        double[] expected = new double[m * nIn];
        ReferenceDense.InputGradient<double>(dZ, w, expected, nIn, nOut);
        Threads.Each([1, 2, 3, 7], threads =>
        {
            double[] dAPrev = new double[m * nIn];
            Array.Fill(dAPrev, double.NaN);
            Dense.InputGradient<double>(dZ, w, dAPrev, nIn, nOut);
            Assert.True(expected.AsSpan().SequenceEqual(dAPrev), $"{threads} threads");
        });
    }

    [Theory]
    [InlineData(12288, 20, 1)]
    [InlineData(12288, 20, 3)]
    [InlineData(4099, 21, 1)]
    [InlineData(17000, 5, 2)]
    [InlineData(20000, 3, 1)]
    public void A_few_examples_are_split_by_units_with_bit_identical_results(int nIn, int nOut, int m)
    {
        // Too few examples to go round, so the pieces are blocks of units; a unit count that is not a multiple of
        // four leaves a short last block, and more pieces than cores leaves some for whichever thread is free.
        var random = new Random(nIn + nOut + m);
        double[] aPrev = Values(random, m * nIn);
        double[] w = Values(random, nOut * nIn);
        double[] b = Values(random, nOut);
        double[] dZ = Values(random, m * nOut);

        (double[] z1, double[] dW1, _) = Run(1, aPrev, w, b, dZ, nIn, nOut, m);
        foreach (int threads in new[] { 2, 3, 7 })
        {
            (double[] z, double[] dW, _) = Run(threads, aPrev, w, b, dZ, nIn, nOut, m);
            Assert.Equal(z1, z);
            Assert.Equal(dW1, dW);
        }

        AssertMatchesReferenceForward(z1, aPrev, w, b, nIn, nOut, m);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void One_example_forward_equals_its_row_of_a_batch_forward_bit_for_bit(int threads)
    {
        // 209 examples: 52 blocks of four and one example on its own. Each example's dot products are computed alone
        // in a prediction and in a block of four in the batch; the sums must not depend on which.
        const int nIn = 12288, nOut = 20, m = 209;
        var random = new Random(209);
        float[] x = Array.ConvertAll(Values(random, m * nIn), v => (float)v);
        float[] w = Array.ConvertAll(Values(random, nOut * nIn), v => (float)v);
        float[] b = Array.ConvertAll(Values(random, nOut), v => (float)v);
        Threads.Each([threads], _ =>
        {
            var batch = new float[m * nOut];
            Dense.Forward<float>(x, w, b, batch, nIn, nOut);
            var single = new float[nOut];
            foreach (int i in new[] { 0, 1, 2, 3, 101, 207, 208 })
            {
                Dense.Forward<float>(x.AsSpan(i * nIn, nIn), w, b, single, nIn, nOut);
                Assert.Equal(batch.AsSpan(i * nOut, nOut).ToArray(), single);
            }
        });
    }

    [Fact]
    public void Kernels_called_from_many_threads_at_once_give_the_single_threaded_results()
    {
        const int nIn = 12288, nOut = 20;
        var random = new Random(8);
        double[] x = Values(random, 5 * nIn);
        double[] w = Values(random, nOut * nIn);
        double[] b = Values(random, nOut);
        double[] dZ = Values(random, 5 * nOut);
        (double[] z, double[] dW, double[] db) = Run(1, x, w, b, dZ, nIn, nOut, 5);
        System.Threading.Tasks.Parallel.For(0, 8, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var zThread = new double[z.Length];
            var dWThread = new double[dW.Length];
            var dbThread = new double[db.Length];
            for (int repeat = 0; repeat < 20; repeat++)
            {
                Dense.Forward<double>(x, w, b, zThread, nIn, nOut);
                Dense.WeightGradients<double>(dZ, x, dWThread, dbThread, nIn, nOut);
                Assert.Equal(z, zThread);
                Assert.Equal(dW, dWThread);
                Assert.Equal(db, dbThread);
            }
        });
    }

    [Fact]
    public void The_degree_of_parallelism_must_be_positive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.MaxDegreeOfParallelism = 0);
        Assert.Equal("value", error.ParamName);
    }

    private static (double[] Z, double[] DW, double[] Db) Run(int threads, double[] aPrev, double[] w, double[] b, double[] dZ, int nIn, int nOut, int m)
    {
        return Threads.With(threads, () =>
        {
            var z = new double[m * nOut];
            var dW = new double[nOut * nIn];
            var db = new double[nOut];
            Dense.Forward<double>(aPrev, w, b, z, nIn, nOut);
            Dense.WeightGradients<double>(dZ, aPrev, dW, db, nIn, nOut);
            return (z, dW, db);
        });
    }

    /// <summary>Asserts <paramref name="z"/> is ReferenceDense's forward product, up to the rounding of a different summation order.</summary>
    private static void AssertMatchesReferenceForward(double[] z, double[] aPrev, double[] w, double[] b, int nIn, int nOut, int m)
    {
        var reference = new double[m * nOut];
        ReferenceDense.Forward<double>(aPrev, w, b, reference, nIn, nOut);
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.Equal(reference[i], z[i], 1e-9 * Math.Max(1, Math.Abs(reference[i])));
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
