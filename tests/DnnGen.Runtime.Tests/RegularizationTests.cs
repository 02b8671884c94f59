using System;
using System.Collections.Generic;
using System.IO;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// L2 and inverted dropout against NumPy (KernelFiles/optimizer_values.npz, written by make_optimizer_values.py):
/// np.sum(np.square(W)) bit for bit, the masks of np.random.seed(1); D = np.random.rand(n, m) &lt; keep_prob, and the
/// course's A * D / keep_prob.
/// </summary>
public class RegularizationTests
{
    private static readonly IReadOnlyDictionary<string, NumPyArray> Values =
        NumPyFile.ReadNpz(Path.Combine(AppContext.BaseDirectory, "KernelFiles", "optimizer_values.npz"));

    // ---- L2 ----

    [Fact]
    public void L2_penalty_equals_numpys_sum_of_squares_bit_for_bit()
    {
        // NumPy's pairwise order: below 8, 8 to 128, the recursive halves, and chunks of 8192 (245760 = the cat
        // network's W1, 30 chunks: summed as one pairwise sum it differs in the last bit).
        double[] sizes = Values["l2_sizes"].ToDoubleArray();
        double[] sums = Values["l2_sums"].ToDoubleArray();
        for (int k = 0; k < sums.Length; k++)
        {
            int n = (int)sizes[3 * k];
            var w = new double[n];
            new NumPyRandom((uint)sizes[3 * k + 2]).FillStandardNormal(w);

            Assert.Equal(BitConverter.DoubleToInt64Bits(sums[k]), BitConverter.DoubleToInt64Bits(Regularization.L2Penalty<double>(w)));
        }
    }

    [Fact]
    public void L2_penalty_squares_a_float_networks_weights_in_double()
    {
        var w = new float[300];
        var random = new NumPyRandom(2);
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)random.NextGaussian();
        }

        Assert.Equal(Regularization.L2Penalty<double>(Array.ConvertAll(w, static x => (double)x)), Regularization.L2Penalty<float>(w));
        Assert.Equal(0.0, Regularization.L2Penalty<double>([]));
        Assert.Equal(25.0, Regularization.L2Penalty<double>([3.0, -4.0]));
    }

    [Fact]
    public void L2_cost_is_lambda_over_2m_times_the_sum()
    {
        Assert.Equal(0.7 / (2.0 * 211) * 12.5, Regularization.L2Cost(12.5, 0.7, 211));
        Assert.Equal(0.0, Regularization.L2Cost(12.5, 0.0, 211));
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.L2Cost(1, -0.1, 10)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.L2Cost(1, double.NaN, 10)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.L2Cost(1, 0.7, 0)).ParamName);
    }

    [Fact]
    public void L2_gradient_adds_lambda_over_m_times_w_to_each_element_bit_for_bit()
    {
        for (int n = 0; n <= 40; n++)
        {
            var w = new double[n];
            var dW = new double[n];
            var random = new NumPyRandom((uint)n);
            random.FillStandardNormal(w);
            random.FillStandardNormal(dW);
            double c = 0.7 / 211;
            double[] expected = new double[n];
            for (int k = 0; k < n; k++)
            {
                expected[k] = dW[k] + c * w[k];
            }

            Regularization.AddL2Gradient<double>(dW, w, c);

            Assert.Equal(Array.ConvertAll(expected, BitConverter.DoubleToInt64Bits), Array.ConvertAll(dW, BitConverter.DoubleToInt64Bits));
        }

        float[] dWf = [1f, 2f];
        Regularization.AddL2Gradient<float>(dWf, [10f, -10f], 0.5f);
        Assert.Equal([6f, -3f], dWf);
    }

    [Fact]
    public void L2_gradient_names_each_bad_argument()
    {
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => Regularization.AddL2Gradient<double>(new double[3], new double[2], 0.1)).ParamName);
        foreach (double c in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("lambdaOverM", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.AddL2Gradient<double>(new double[3], new double[3], c)).ParamName);
        }
    }

    // ---- Dropout ----

    [Fact]
    public void Dropout_masks_are_the_courses_rand_below_keep_prob_transposed()
    {
        // np.random.seed(1); D1 = np.random.rand(3, 5) < keep; D2 = np.random.rand(2, 5) < keep: D1 (n[1] = 3 units,
        // m = 5) is stored example-major, (5, 3), and D2 continues the stream.
        double keep = Values["dropout_keep"].ToDoubleArray()[0];
        var random = new NumPyRandom(1);
        var d1 = new double[5 * 3];
        var d2 = new double[5 * 2];

        Regularization.DropoutMask<double>(random, d1, units: 3, m: 5, keep);
        Regularization.DropoutMask<double>(random, d2, units: 2, m: 5, keep);

        Assert.Equal(Transpose(Values["dropout_D1"]), d1);
        Assert.Equal(Transpose(Values["dropout_D2"]), d2);
        Assert.Contains(0.0, d1);
        Assert.Contains(1.0, d1);

        // A float network draws the same doubles and compares them with its keep probability.
        var f1 = new float[5 * 3];
        Regularization.DropoutMask<float>(new NumPyRandom(1), f1, 3, 5, (float)keep);
        Assert.Equal(Array.ConvertAll(d1, static x => (float)x), f1);
    }

    [Fact]
    public void Dropout_forward_and_backward_are_the_courses_product_then_quotient_bit_for_bit()
    {
        double keep = Values["dropout_keep"].ToDoubleArray()[0];
        double[] mask = Transpose(Values["dropout_D1"]);
        double[] a = Transpose(Values["dropout_A1"]);
        double[] dA = Transpose(Values["dropout_dA1"]);

        Regularization.ApplyDropout<double>(a, mask, keep);
        Regularization.DropoutBackward<double>(dA, mask, keep);

        Assert.Equal(Array.ConvertAll(Transpose(Values["dropout_A1_out"]), BitConverter.DoubleToInt64Bits), Array.ConvertAll(a, BitConverter.DoubleToInt64Bits));
        Assert.Equal(Array.ConvertAll(Transpose(Values["dropout_dA1_out"]), BitConverter.DoubleToInt64Bits), Array.ConvertAll(dA, BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Dividing_after_masking_is_not_multiplying_by_the_reciprocal()
    {
        // Why the masks hold 0 and 1: with 1 / keep in the mask, a * (1 / 0.86) differs from the course's a / 0.86.
        double a = 1.3;
        double[] values = [a];

        Regularization.ApplyDropout<double>(values, [1.0], 0.86);

        Assert.Equal(a / 0.86, values[0]);
        Assert.NotEqual(a * (1 / 0.86), values[0]);
    }

    [Fact]
    public void A_keep_probability_of_one_keeps_every_unit()
    {
        var mask = new double[4 * 6];

        Regularization.DropoutMask<double>(new NumPyRandom(7), mask, 4, 6, 1.0);

        Assert.All(mask, static d => Assert.Equal(1.0, d));
    }

    [Fact]
    public void Drawing_and_applying_a_mask_allocates_nothing()
    {
        var random = new NumPyRandom(1);
        var mask = new double[64 * 20];
        var a = new double[64 * 20];
        Regularization.DropoutMask<double>(random, mask, 20, 64, 0.86);
        Regularization.ApplyDropout<double>(a, mask, 0.86);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Regularization.DropoutMask<double>(random, mask, 20, 64, 0.86);
            Regularization.ApplyDropout<double>(a, mask, 0.86);
            Regularization.DropoutBackward<double>(a, mask, 0.86);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Dropout_names_each_bad_argument()
    {
        var random = new NumPyRandom(1);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => Regularization.DropoutMask<double>(null!, new double[6], 2, 3, 0.5)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => Regularization.DropoutMask<double>(random, new double[5], 2, 3, 0.5)).ParamName);
        Assert.Equal("units", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.DropoutMask<double>(random, new double[6], 0, 3, 0.5)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.DropoutMask<double>(random, new double[6], 2, -1, 0.5)).ParamName);
        foreach (double keep in new[] { 0.0, -0.5, 1.0000001, double.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.DropoutMask<double>(random, new double[6], 2, 3, keep));
            Assert.Equal("keepProbability", e.ParamName);
            Assert.Contains("greater than 0 and at most 1", e.Message);
            Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.ApplyDropout<double>(new double[6], new double[6], keep)).ParamName);
            Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => Regularization.DropoutBackward<double>(new double[6], new double[6], keep)).ParamName);
        }

        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => Regularization.ApplyDropout<double>(new double[6], new double[7], 0.5)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => Regularization.DropoutBackward<double>(new double[6], new double[5], 0.5)).ParamName);
    }

    /// <summary>A (rows, columns) NumPy matrix as the (columns, rows) example-major span DnnGen stores.</summary>
    private static double[] Transpose(NumPyArray matrix)
    {
        int rows = matrix.Shape[0];
        int columns = matrix.Shape[1];
        double[] values = matrix.ToDoubleArray();
        var transposed = new double[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[c * rows + r] = values[r * columns + c];
            }
        }

        return transposed;
    }
}
