using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The three losses and their output deltas: categorical cross-entropy from the logits (stable, against the naive
/// formula), squared error, and for every natural pair (sigmoid + binary cross-entropy, softmax + categorical
/// cross-entropy, linear + squared error) dZ[L] = A[L] - Y, checked as the derivative of the cost by centred
/// differences in double; and the label checks with the messages they give.
/// </summary>
public class LossTests
{
    private static double[] Values(int length, uint seed, double scale)
    {
        var random = new NumPyRandom(seed);
        var values = new double[length];
        for (int k = 0; k < length; k++)
        {
            values[k] = scale * random.NextGaussian();
        }

        return values;
    }

    private static (double[] OneHot, int[] Classes) Labels(int m, int n, uint seed)
    {
        var random = new NumPyRandom(seed);
        var oneHot = new double[m * n];
        var classes = new int[m];
        for (int i = 0; i < m; i++)
        {
            classes[i] = (int)(random.NextUInt32() % (uint)n);
            oneHot[(i * n) + classes[i]] = 1;
        }

        return (oneHot, classes);
    }

    /// <summary>The textbook formula, -(1/m) sum y log(exp(z) / sum exp(z)), fine for moderate logits.</summary>
    private static double NaiveCategoricalCrossEntropy(double[] z, double[] y, int m)
    {
        int n = z.Length / m;
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double total = 0;
            for (int j = 0; j < n; j++)
            {
                total += Math.Exp(z[(i * n) + j]);
            }

            for (int j = 0; j < n; j++)
            {
                sum += y[(i * n) + j] * Math.Log(Math.Exp(z[(i * n) + j]) / total);
            }
        }

        return -sum / m;
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(8, 3)]
    [InlineData(20, 10)]
    public void Categorical_cross_entropy_from_logits_agrees_with_the_naive_formula_on_moderate_logits(int m, int n)
    {
        double[] z = Values(m * n, seed: 31, scale: 4);
        (double[] y, int[] classes) = Labels(m, n, seed: 32);

        double stable = Cost.CategoricalCrossEntropyFromLogits<double>(z, y, m);

        Assert.Equal(NaiveCategoricalCrossEntropy(z, y, m), stable, 1e-14 * stable);
        Assert.Equal(BitConverter.DoubleToInt64Bits(stable), BitConverter.DoubleToInt64Bits(Cost.CategoricalCrossEntropyFromLogits<double>(z, classes)));
        float[] zf = Array.ConvertAll(z, value => (float)value);
        Assert.Equal(
            Cost.CategoricalCrossEntropyFromLogits<float>(zf, Array.ConvertAll(y, value => (float)value), m),
            Cost.CategoricalCrossEntropyFromLogits<float>(zf, classes));
    }

    [Fact]
    public void Categorical_cross_entropy_stays_finite_and_exact_for_huge_logits()
    {
        // Example 0 is certain and right, example 1 certain and wrong by 2e4; the naive formula gives NaN here.
        double[] z = [1e4, 0, -1e4, -1e4, 0, 1e4];
        double[] y = [1, 0, 0, 1, 0, 0];

        double cost = Cost.CategoricalCrossEntropyFromLogits<double>(z, y, 2);

        Assert.True(double.IsNaN(NaiveCategoricalCrossEntropy(z, y, 2)));
        Assert.Equal(2e4 / 2, cost);
        Assert.Equal(Math.Log(3), Cost.CategoricalCrossEntropyFromLogits<double>([1e300, 1e300, 1e300], [0, 1, 0], 1), 1e-15);

        // A float network's logits near float's limit: the cost is computed in double, so their difference does not overflow.
        float[] extreme = [3e38f, -3e38f];
        Assert.Equal(0, Cost.CategoricalCrossEntropyFromLogits<float>(extreme, (ReadOnlySpan<int>)[0]));
        Assert.Equal(2 * (double)3e38f, Cost.CategoricalCrossEntropyFromLogits<float>(extreme, (ReadOnlySpan<int>)[1]));
    }

    [Fact]
    public void Squared_error_is_half_the_mean_over_examples_of_the_summed_squares()
    {
        // m = 2 examples of 2 outputs: ((1 - 0)^2 + (2 - 4)^2 + (-1 - 0.5)^2 + (3 - 3)^2) / (2 * 2).
        double[] a = [1, 2, -1, 3];
        double[] y = [0, 4, 0.5, 3];

        Assert.Equal((1 + 4 + 2.25 + 0) / 4, Cost.SquaredError<double>(a, y, 2));
        Assert.Equal((1 + 4 + 2.25 + 0) / 4, Cost.SquaredError<float>([1f, 2f, -1f, 3f], [0f, 4f, 0.5f, 3f], 2));
        var delta = new double[4];
        Cost.SquaredErrorDelta<double>(a, y, delta);
        Assert.Equal([1, -2, -1.5, 0], delta);
    }

    [Fact]
    public void Softmax_deltas_are_A_minus_Y_with_either_label_form_giving_the_same_bits()
    {
        const int m = 6, n = 4;
        double[] z = Values(m * n, seed: 41, scale: 2);
        var a = new double[m * n];
        Activations.Softmax<double>(z, a, n);
        (double[] y, int[] classes) = Labels(m, n, seed: 42);

        var fromOneHot = new double[m * n];
        var fromClasses = new double[m * n];
        Cost.SoftmaxCrossEntropyDelta<double>(a, y, fromOneHot, n);
        Cost.SoftmaxCrossEntropyDelta<double>(a, classes, fromClasses);

        for (int k = 0; k < m * n; k++)
        {
            Assert.Equal(a[k] - y[k], fromOneHot[k]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(fromOneHot[k]), BitConverter.DoubleToInt64Bits(fromClasses[k]));
        }
    }

    // ---- dZ[L] = A[L] - Y is the gradient of the cost times m, for the three natural pairs ----

    [Fact]
    public void Softmax_with_categorical_cross_entropy_has_delta_A_minus_Y()
    {
        const int m = 5, n = 10;
        (double[] y, _) = Labels(m, n, seed: 52);
        AssertDeltaIsGradient(
            Values(m * n, seed: 51, scale: 2),
            z => Cost.CategoricalCrossEntropyFromLogits<double>(z, y, m),
            (z, dZ) =>
            {
                var a = new double[z.Length];
                Activations.Softmax<double>(z, a, n);
                Cost.SoftmaxCrossEntropyDelta<double>(a, y, dZ, n);
            },
            m);
    }

    [Fact]
    public void Sigmoid_with_binary_cross_entropy_has_delta_A_minus_Y_summed_over_several_outputs()
    {
        const int m = 6, n = 3;
        double[] y = Array.ConvertAll(Values(m * n, seed: 62, scale: 1), value => value > 0 ? 1.0 : 0.0);
        AssertDeltaIsGradient(
            Values(m * n, seed: 61, scale: 2),
            z => Cost.CrossEntropyFromLogits<double>(z, y, m),
            (z, dZ) =>
            {
                var a = new double[z.Length];
                Activations.Sigmoid<double>(z, a);
                Cost.SigmoidCrossEntropyDelta<double>(a, y, dZ);
            },
            m);
    }

    [Fact]
    public void Linear_with_squared_error_has_delta_A_minus_Y()
    {
        const int m = 7, n = 2;
        double[] y = Values(m * n, seed: 72, scale: 10);
        AssertDeltaIsGradient(
            Values(m * n, seed: 71, scale: 10),
            z => Cost.SquaredError<double>(z, y, m),
            (z, dZ) => Cost.SquaredErrorDelta<double>(z, y, dZ),
            m);
    }

    /// <summary>dJ/dZ by centred differences (h = 1e-6) against delta / m: relative difference below 1e-7.</summary>
    private static void AssertDeltaIsGradient(double[] z, Func<double[], double> cost, Action<double[], double[]> delta, int m)
    {
        var analytic = new double[z.Length];
        delta(z, analytic);
        const double h = 1e-6;
        double numerator = 0, gradientNorm = 0, approximationNorm = 0;
        for (int k = 0; k < z.Length; k++)
        {
            double[] plus = (double[])z.Clone();
            double[] minus = (double[])z.Clone();
            plus[k] += h;
            minus[k] -= h;
            double approximation = (cost(plus) - cost(minus)) / (2 * h);
            double gradient = analytic[k] / m;
            numerator += (gradient - approximation) * (gradient - approximation);
            gradientNorm += gradient * gradient;
            approximationNorm += approximation * approximation;
        }

        double difference = Math.Sqrt(numerator) / (Math.Sqrt(gradientNorm) + Math.Sqrt(approximationNorm));
        Assert.True(difference < 1e-7, $"relative difference {difference:R}");
    }

    // A full batch's losses are computed by the worker threads too, and summed in example order on the calling thread:
    // the documented order's bits, written out here, on one, two and three threads, from one-hot rows and from class
    // indices; and a bad row is still named by the first example, whichever piece holds it.
    [Fact]
    public void A_shared_cost_gives_the_documented_bits_on_any_number_of_threads_and_names_the_first_bad_example()
    {
        const int m = 1500, n = 10;
        double[] z = Values(m * n, seed: 12, scale: 20);
        (double[] y, int[] classes) = Labels(m, n, 13);
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            double max = z[i * n];
            for (int j = 1; j < n; j++)
            {
                max = Math.Max(max, z[(i * n) + j]);
            }

            double s = 0;
            for (int j = 0; j < n; j++)
            {
                s += Math.Exp(z[(i * n) + j] - max);
            }

            sum += (max - z[(i * n) + classes[i]]) + Math.Log(s);
        }

        long expected = BitConverter.DoubleToInt64Bits(sum / m);
        Threads.Each([1, 2, 3], _ =>
        {
            Assert.Equal(expected, BitConverter.DoubleToInt64Bits(Cost.CategoricalCrossEntropyFromLogits<double>(z, y, m)));
            Assert.Equal(expected, BitConverter.DoubleToInt64Bits(Cost.CategoricalCrossEntropyFromLogits<double>(z, classes)));

            var bad = (double[])y.Clone();
            bad[(1400 * n) + ((classes[1400] + 1) % n)] = 1;
            bad[(100 * n) + ((classes[100] + 1) % n)] = 0.5;
            var error = Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(z, bad, m));
            Assert.Contains("but example 100 holds 0.5 at value ", error.Message);
            var badClasses = (int[])classes.Clone();
            (badClasses[100], badClasses[1400]) = (n, -1);
            error = Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(z, badClasses));
            Assert.Contains("classes[100] (example 100)", error.Message);
        });
    }

    // ---- Label checks ----

    [Theory]
    [InlineData(new[] { 0.0, 1, 0, 0, 0.5, 0 }, "but example 1 holds 0.5 at value 1 (y[4]).")]
    [InlineData(new[] { 0.0, 1, 0, 0, 0, 0 }, "but example 1 holds no 1: all 3 values are 0.")]
    [InlineData(new[] { 1.0, 0, 1, 0, 1, 0 }, "but example 0 holds 2 ones, at values 0, 2.")]
    [InlineData(new[] { 0.0, 1, 0, double.NaN, 1, 0 }, "but example 1 holds NaN at value 0 (y[3]).")]
    public void One_hot_labels_are_checked_and_the_message_names_the_example_and_what_it_holds(double[] y, string expected)
    {
        string prefix = "Expected one-hot labels (each example's 3 values one 1 and the rest 0), ";

        var cost = Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(new double[6], y, 2));
        var delta = Assert.Throws<ArgumentException>(() => Cost.SoftmaxCrossEntropyDelta<double>(new double[6], y, new double[6], 3));

        Assert.Equal(prefix + expected + " (Parameter 'y')", cost.Message);
        Assert.Equal(cost.Message, delta.Message);
        Assert.Equal(3, Guard.OneHotLabels<double>([0, 0, 1, 1, 0, 0, 0, 1, 0], 3, "y"));
    }

    // OneHotLabels checks long spans with vector compares and row sums, and falls back to the row-by-row check only to
    // name the first bad row: every kind of bad row, placed in the vectors' part, in the scalar tail, and among good rows
    // on both sides, must still be found and named, in every floating-point type.
    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(17, 0.5)]
    [InlineData(1499, 0.5)]
    [InlineData(3, double.NaN)]
    [InlineData(1498, double.PositiveInfinity)]
    [InlineData(700, 2.0)]
    [InlineData(701, -1.0)]
    [InlineData(5, 1.0)]
    [InlineData(1499, 1.0)]
    [InlineData(9, 0.0)]
    [InlineData(1499, 0.0)]
    public void Long_one_hot_labels_are_checked_in_every_type_and_the_first_bad_example_is_named(int example, double value)
    {
        Check<double>();
        Check<float>();
        Check<Half>();

        void Check<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            const int m = 1500, n = 10;
            var y = new T[m * n];
            for (int i = 0; i < m; i++)
            {
                y[(i * n) + ((i * 7) % n)] = T.One;
            }

            // Negative zeros are zeros.
            Assert.Equal(m, Guard.OneHotLabels<T>(y, n, "y"));
            int hot = (example * 7) % n;
            y[(example * n) + ((hot + 2) % n)] = T.NegativeZero;
            y[(example * n) + ((hot + 3) % n)] = T.NegativeZero;
            Assert.Equal(m, Guard.OneHotLabels<T>(y, n, "y"));

            // value 1 adds a second one, value 0 removes the row's one, anything else replaces a zero.
            int at = value == 0.0 ? hot : (hot + 1) % n;
            y[(example * n) + at] = T.CreateChecked(value);
            var error = Assert.Throws<ArgumentException>(() => Guard.OneHotLabels<T>(y, n, "y"));
            Assert.Contains($"but example {example} holds ", error.Message);
            Assert.Equal("y", error.ParamName);

            // Two halves sum to 1 as a one does: the row sums alone would let them through.
            y[(example * n) + at] = T.Zero;
            y[(example * n) + hot] = T.CreateChecked(0.5);
            y[(example * n) + ((hot + 1) % n)] = T.CreateChecked(0.5);
            error = Assert.Throws<ArgumentException>(() => Guard.OneHotLabels<T>(y, n, "y"));
            Assert.Contains($"but example {example} holds 0.5 at value ", error.Message);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Class_indices_must_name_one_of_the_n_classes(int wrong)
    {
        int[] classes = [0, 2, wrong];

        var cost = Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(new double[9], classes));
        var delta = Assert.Throws<ArgumentException>(() => Cost.SoftmaxCrossEntropyDelta<double>(new double[9], classes, new double[9]));

        Assert.Equal($"Expected class indices from 0 to 2 (3 classes), but classes[2] (example 2) is {wrong}. (Parameter 'classes')", cost.Message);
        Assert.Equal(cost.Message, delta.Message);
    }

    [Fact]
    public void Shapes_that_are_not_whole_examples_are_refused()
    {
        Assert.Equal("zl", Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(new double[7], [0, 1])).ParamName);
        Assert.Equal("classes.Length", Assert.Throws<ArgumentOutOfRangeException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(new double[2], ReadOnlySpan<int>.Empty)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Cost.CategoricalCrossEntropyFromLogits<double>(new double[6], new double[4], 2)).ParamName);
        Assert.Equal("dZL", Assert.Throws<ArgumentException>(() => Cost.SoftmaxCrossEntropyDelta<double>(new double[6], [0, 1], new double[5])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Cost.SquaredError<double>(new double[6], new double[5], 2)).ParamName);
    }

    [Fact]
    public void Squared_error_targets_may_be_any_finite_value_but_not_NaN_or_infinite()
    {
        Assert.Equal(0, Cost.SquaredError<double>([-1e6, 42.5], [-1e6, 42.5], 1));

        var cost = Assert.Throws<ArgumentException>(() => Cost.SquaredError<double>(new double[4], [0, 1, double.NaN, 2], 2));
        var delta = Assert.Throws<ArgumentException>(() => Cost.SquaredErrorDelta<double>(new double[4], [0, 1, 2, double.PositiveInfinity], new double[4]));

        Assert.Equal("Expected finite values, but y[2] (example 1, value 0) is NaN. (Parameter 'y')", cost.Message);
        Assert.Equal("Expected finite targets, but y[3] is Infinity. (Parameter 'y')", delta.Message);
    }
}
