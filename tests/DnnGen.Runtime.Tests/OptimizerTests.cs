using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// Momentum and Adam against the course's update_parameters_with_momentum and update_parameters_with_adam, transcribed
/// into NumPy by make_optimizer_values.py (KernelFiles/optimizer_values.npz), and the vectorised kernels against their
/// plain references bit for bit.
/// </summary>
public class OptimizerTests
{
    private static readonly IReadOnlyDictionary<string, NumPyArray> Values =
        NumPyFile.ReadNpz(Path.Combine(AppContext.BaseDirectory, "KernelFiles", "optimizer_values.npz"));

    // ---- Against NumPy ----

    [Fact]
    public void Momentum_equals_the_course_update_bit_for_bit()
    {
        double[] hyper = Values["momentum_hyper"].ToDoubleArray();
        double[] parameters = Values["momentum_params0"].ToDoubleArray();
        var velocity = new double[parameters.Length];
        double[] reference = (double[])parameters.Clone();
        var referenceVelocity = new double[parameters.Length];

        for (int step = 0; step < 4; step++)
        {
            ReadOnlySpan<double> gradients = Row("momentum_grads", step);
            Optimizers.Momentum<double>(parameters, velocity, gradients, hyper[0], hyper[1]);
            ReferenceOptimizers.Momentum<double>(reference, referenceVelocity, gradients, hyper[0], hyper[1]);

            // NumPy's operations exactly: beta v + (1 - beta) g, then W - lr v.
            Assert.Equal(Bits(Row("momentum_v", step)), Bits(velocity));
            Assert.Equal(Bits(Row("momentum_params", step)), Bits(parameters));
            Assert.Equal(Bits(parameters), Bits(reference));
            Assert.Equal(Bits(velocity), Bits(referenceVelocity));
        }
    }

    [Fact]
    public void Adam_equals_the_course_update_within_1e_15_relative()
    {
        // The notebook's np.power(g, 2) and np.power(beta, t) go through NumPy's vectorised pow, within an ulp of
        // g * g and of the correctly rounded power; so the two agree to rounding, not bit for bit.
        RunAdam(static (p, v, s, g, h, t) => Optimizers.Adam<double>(p, v, s, g, h[0], h[1], h[2], h[3], t), (step, p, v, s) =>
        {
            AssertClose(Row("adam_params", step), p, 1e-15);
            AssertClose(Row("adam_v", step), v, 1e-15);
            AssertClose(Row("adam_s", step), s, 1e-15);
        });
    }

    [Fact]
    public void Adam_equals_the_course_update_with_a_correctly_rounded_square_and_power_bit_for_bit()
    {
        RunAdam(static (p, v, s, g, h, t) => Optimizers.Adam<double>(p, v, s, g, h[0], h[1], h[2], h[3], t), (step, p, v, s) =>
        {
            Assert.Equal(Bits(Row("adam_exact_v", step)), Bits(v));
            Assert.Equal(Bits(Row("adam_exact_s", step)), Bits(s));
            Assert.Equal(Bits(Row("adam_exact_params", step)), Bits(p));
        });
        RunAdam(static (p, v, s, g, h, t) => ReferenceOptimizers.Adam<double>(p, v, s, g, h[0], h[1], h[2], h[3], t), (step, p, v, s) =>
            Assert.Equal(Bits(Row("adam_exact_params", step)), Bits(p)));
    }

    [Fact]
    public void Bias_corrections_are_one_minus_the_correctly_rounded_power()
    {
        long[] ts = Array.ConvertAll(Values["bias_t"].ToDoubleArray(), static t => (long)t);
        double[] expected1 = Values["bias_correction1"].ToDoubleArray();
        double[] expected2 = Values["bias_correction2"].ToDoubleArray();

        for (int i = 0; i < ts.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected1[i]), BitConverter.DoubleToInt64Bits(Optimizers.BiasCorrection(0.9, ts[i])));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected2[i]), BitConverter.DoubleToInt64Bits(Optimizers.BiasCorrection(0.999, ts[i])));

            // A float network's correction is the double one of its (float) beta, rounded once.
            Assert.Equal((float)Optimizers.BiasCorrection((double)0.999f, ts[i]), Optimizers.BiasCorrection(0.999f, ts[i]));
        }

        Assert.Equal(1.0, Optimizers.BiasCorrection(0.0, 1));
        Assert.Equal(1.0, Optimizers.BiasCorrection(0.9, long.MaxValue));
    }

    [Fact]
    public void The_power_is_exact_where_the_exact_value_is_a_double()
    {
        Assert.Equal(0.9, Optimizers.Power(0.9, 1));
        Assert.Equal(0.0625, Optimizers.Power(0.5, 4));
        Assert.Equal(Math.ScaleB(1, -60), Optimizers.Power(0.5, 60));
        Assert.Equal(0.0, Optimizers.Power(0.0, 7));
    }

    // ---- The vectorised kernels against the plain references ----

    [Fact]
    public void Vectorised_momentum_equals_the_reference_bit_for_bit_at_every_length()
    {
        for (int n = 0; n <= 70; n++)
        {
            AssertMomentumAgrees<double>(n, 0.05, 0.9);
            AssertMomentumAgrees<float>(n, 0.05f, 0.9f);
        }

        AssertMomentumAgrees<double>(1003, 0.3, 0.0);
        AssertMomentumAgrees<float>(1003, 1e-3f, 0.99f);
    }

    [Fact]
    public void Vectorised_adam_equals_the_reference_bit_for_bit_at_every_length()
    {
        for (int n = 0; n <= 70; n++)
        {
            AssertAdamAgrees<double>(n, 0.01, 0.9, 0.999, 1e-8);
            AssertAdamAgrees<float>(n, 0.01f, 0.9f, 0.999f, 1e-8f);
        }

        AssertAdamAgrees<double>(1003, 0.0007, 0.5, 0.9, 0.0);
        AssertAdamAgrees<float>(1003, 0.1f, 0.0f, 0.0f, 1e-3f);
    }

    [Fact]
    public void Gradient_descent_with_a_snapshot_equals_the_reference_and_dense_gradient_descent_bit_for_bit_at_every_length()
    {
        // 0 .. 70 covers 0, 1 and every vector width +- 1 for both types; 245,973 is the cat network's parameter count.
        foreach (int n in Enumerable.Range(0, 71).Append(1003).Append(245_973))
        {
            AssertGradientDescentWithSnapshotAgrees<double>(n, 0.0075);
            AssertGradientDescentWithSnapshotAgrees<float>(n, 0.0075f);
        }

        AssertGradientDescentWithSnapshotAgrees<double>(1003, 1e-9);
        AssertGradientDescentWithSnapshotAgrees<float>(1003, 3f);
    }

    [Fact]
    public void Gradient_descent_with_a_snapshot_reports_a_nan_or_infinity_wherever_the_update_makes_one()
    {
        foreach (int n in new[] { 1, Vector<double>.Count - 1, Vector<double>.Count + 1, (3 * Vector<double>.Count) + 2, 70 })
        {
            for (int at = 0; at < n; at++)
            {
                AssertNotFiniteAt<double>(n, at, double.NaN, 1.0, 0.5);                        // a NaN gradient
                AssertNotFiniteAt<double>(n, at, 1.0, double.PositiveInfinity, 0.5);           // an infinite parameter
                AssertNotFiniteAt<double>(n, at, -double.MaxValue, double.MaxValue, 1.0);      // finite values that overflow
                AssertNotFiniteAt<float>(n, at, float.NegativeInfinity, 1f, 0.5f);             // an infinite gradient
                AssertNotFiniteAt<float>(n, at, 1f, float.NaN, 0.5f);                          // a NaN parameter
                AssertNotFiniteAt<float>(n, at, -float.MaxValue, float.MaxValue, 1f);
            }
        }
    }

    [Fact]
    public void Adam_with_a_snapshot_equals_adam_and_the_reference_bit_for_bit_and_keeps_the_state_before_it_at_every_length()
    {
        // 0 .. 70 covers 0, 1 and every vector width +- 1 for both types; 269,322 is the wide network's parameter count.
        foreach (int n in Enumerable.Range(0, 71).Append(1003).Append(269_322))
        {
            AssertAdamWithSnapshotAgrees<double>(n, 0.01, 0.9, 0.999, 1e-8);
            AssertAdamWithSnapshotAgrees<float>(n, 0.01f, 0.9f, 0.999f, 1e-8f);
        }

        AssertAdamWithSnapshotAgrees<double>(1003, 0.0007, 0.5, 0.9, 0.0);
        AssertAdamWithSnapshotAgrees<float>(1003, 0.1f, 0.0f, 0.0f, 1e-3f);
    }

    [Fact]
    public void Adam_with_a_snapshot_reports_a_nan_or_infinity_in_a_parameter_or_in_s_wherever_the_update_makes_one()
    {
        foreach (int n in new[] { 1, Vector<double>.Count - 1, Vector<double>.Count + 1, (3 * Vector<double>.Count) + 2, 70 })
        {
            for (int at = 0; at < n; at++)
            {
                AssertAdamNotFiniteAt<double>(n, at, double.NaN, 1.0, 0.0);                        // a NaN gradient
                AssertAdamNotFiniteAt<double>(n, at, 1.0, double.PositiveInfinity, 0.0);           // an infinite parameter
                AssertAdamNotFiniteAt<double>(n, at, 1e200, 1.0, 0.0);                             // g^2 overflows s, W stays finite
                AssertAdamNotFiniteAt<double>(n, at, 1.0, 1.0, double.PositiveInfinity);           // an infinite s before the update
                AssertAdamNotFiniteAt<float>(n, at, float.NegativeInfinity, 1f, 0f);
                AssertAdamNotFiniteAt<float>(n, at, 1e30f, 1f, 0f);
                AssertAdamNotFiniteAt<float>(n, at, 1f, float.NaN, 0f);
            }
        }
    }

    /// <summary>
    /// An update of 50,000 values is shared with the worker threads in pieces: a value that is not finite in any piece,
    /// the first, a middle one or the last one's tail, is reported, and the update is the reference's bit for bit.
    /// </summary>
    [Fact]
    public void A_shared_adam_update_reports_a_value_that_is_not_finite_in_any_piece()
    {
        Threads.Each([2, 3], _ =>
        {
            foreach (int at in new[] { 0, 8191, 8192, 25_000, 49_999 })
            {
                AssertAdamNotFiniteAt<double>(50_000, at, double.NaN, 1.0, 0.0);
                AssertAdamNotFiniteAt<float>(50_000, at, 1e30f, 1f, 0f);
            }

            AssertAdamWithSnapshotAgrees<double>(50_001, 0.01, 0.9, 0.999, 1e-8);
            AssertAdamWithSnapshotAgrees<float>(50_001, 0.01f, 0.9f, 0.999f, 1e-8f);
        });
    }

    /// <summary>
    /// GradientDescentWithSnapshot of 50,000 values (and the cat network's 245,973) is shared in pieces as Adam's update is:
    /// a value that is not finite in any piece is reported, and the update and the snapshot are the reference's bit for bit.
    /// </summary>
    [Fact]
    public void A_shared_gradient_descent_update_reports_a_value_that_is_not_finite_in_any_piece()
    {
        Threads.Each([2, 3], _ =>
        {
            foreach (int at in new[] { 0, 8191, 8192, 25_000, 49_999 })
            {
                AssertNotFiniteAt<double>(50_000, at, double.NaN, 1.0, 0.1);
                AssertNotFiniteAt<float>(50_000, at, 1e30f, 1f, 1e10f);
            }

            AssertGradientDescentWithSnapshotAgrees<double>(50_001, 0.0075);
            AssertGradientDescentWithSnapshotAgrees<float>(50_001, 0.0075f);
            AssertGradientDescentWithSnapshotAgrees<double>(245_973, 0.0075);
        });
    }

    [Fact]
    public void Adams_first_step_moves_each_parameter_by_about_the_rate_against_its_gradient()
    {
        // At t = 1 the corrected moments are g and g^2, so the step is rate * g / (|g| + epsilon).
        double[] parameters = [1.0, -2.0, 3.0];
        var v = new double[3];
        var s = new double[3];

        Optimizers.Adam<double>(parameters, v, s, [0.5, -4.0, 0.0], 0.01, 0.9, 0.999, 1e-8, 1);

        Assert.Equal(1.0 - 0.01, parameters[0], 1e-9);
        Assert.Equal(-2.0 + 0.01, parameters[1], 1e-9);
        Assert.Equal(3.0, parameters[2]);
    }

    // ---- Argument checks ----

    [Fact]
    public void Momentum_names_each_bad_argument()
    {
        var p = new double[4];
        var v = new double[4];
        var g = new double[4];

        Assert.Equal("velocity", Assert.Throws<ArgumentException>(() => Optimizers.Momentum<double>(p, new double[3], g, 0.1, 0.9)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => Optimizers.Momentum<double>(p, v, new double[5], 0.1, 0.9)).ParamName);
        foreach (double rate in new[] { 0.0, -0.1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Momentum<double>(p, v, g, rate, 0.9)).ParamName);
        }

        foreach (double beta in new[] { 1.0, -0.1, double.NaN, 2.0 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Momentum<double>(p, v, g, 0.1, beta));
            Assert.Equal("beta", e.ParamName);
            Assert.Contains("from 0 to below 1", e.Message);
        }

        Assert.Contains("Expected 4 elements", Assert.Throws<ArgumentException>(() => ReferenceOptimizers.Momentum<double>(p, new double[3], g, 0.1, 0.9)).Message);
    }

    [Fact]
    public void Gradient_descent_with_a_snapshot_names_each_bad_argument()
    {
        var p = new double[4];
        var g = new double[4];
        var snapshot = new double[4];

        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => Optimizers.GradientDescentWithSnapshot<double>(p, new double[3], 0.1, snapshot)).ParamName);
        Assert.Equal("snapshot", Assert.Throws<ArgumentException>(() => Optimizers.GradientDescentWithSnapshot<double>(p, g, 0.1, new double[5])).ParamName);
        foreach (double rate in new[] { 0.0, -0.1, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.GradientDescentWithSnapshot<double>(p, g, rate, snapshot)).ParamName);
        }

        Assert.Contains("Expected 4 elements", Assert.Throws<ArgumentException>(() => ReferenceOptimizers.GradientDescentWithSnapshot<double>(p, g, 0.1, new double[3])).Message);
    }

    [Fact]
    public void Adam_with_a_snapshot_names_a_snapshot_of_the_wrong_length_and_writes_nothing()
    {
        double[] p = [1, 2, 3, 4];
        var v = new double[4];
        var s = new double[4];
        var g = new double[] { 1, 1, 1, 1 };
        foreach (int length in new[] { 0, 4, 11, 13 })
        {
            var e = Assert.Throws<ArgumentException>(() => Optimizers.AdamWithSnapshot<double>(p, v, s, g, 0.1, 0.9, 0.999, 1e-8, 1, new double[length]));
            Assert.Equal("snapshot", e.ParamName);
            Assert.Contains("Expected 12 elements", e.Message);
        }

        Assert.Equal("v", Assert.Throws<ArgumentException>(() => Optimizers.AdamWithSnapshot<double>(p, new double[3], s, g, 0.1, 0.9, 0.999, 1e-8, 1, new double[12])).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.AdamWithSnapshot<double>(p, v, s, g, 0.1, 0.9, 0.999, 1e-8, 0, new double[12])).ParamName);
        Assert.Equal([1.0, 2, 3, 4], p);
        Assert.Equal(new double[4], v);
    }

    [Fact]
    public void Adam_names_each_bad_argument()
    {
        var p = new double[4];
        var v = new double[4];
        var s = new double[4];
        var g = new double[4];

        Assert.Equal("v", Assert.Throws<ArgumentException>(() => Optimizers.Adam<double>(p, new double[3], s, g, 0.1, 0.9, 0.999, 1e-8, 1)).ParamName);
        Assert.Equal("s", Assert.Throws<ArgumentException>(() => Optimizers.Adam<double>(p, v, new double[5], g, 0.1, 0.9, 0.999, 1e-8, 1)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => Optimizers.Adam<double>(p, v, s, [], 0.1, 0.9, 0.999, 1e-8, 1)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam<double>(p, v, s, g, 0, 0.9, 0.999, 1e-8, 1)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam<double>(p, v, s, g, 0.1, 1, 0.999, 1e-8, 1)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam<double>(p, v, s, g, 0.1, 0.9, -0.5, 1e-8, 1)).ParamName);
        foreach (double epsilon in new[] { -1e-8, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam<double>(p, v, s, g, 0.1, 0.9, 0.999, epsilon, 1)).ParamName);
        }

        foreach (long t in new[] { 0L, -1L, long.MinValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Adam<double>(p, v, s, g, 0.1, 0.9, 0.999, 1e-8, t));
            Assert.Equal("t", e.ParamName);
            Assert.Contains("counting from 1", e.Message);
        }

        // Nothing was updated by the refused calls.
        Assert.All(p, static x => Assert.Equal(0.0, x));
    }

    // ---- Helpers ----

    private delegate void AdamStep(double[] parameters, double[] v, double[] s, ReadOnlySpan<double> gradients, double[] hyper, long t);

    private static void RunAdam(AdamStep adam, Action<int, double[], double[], double[]> check)
    {
        double[] hyper = Values["adam_hyper"].ToDoubleArray();
        double[] ts = Values["adam_t"].ToDoubleArray();
        double[] parameters = Values["momentum_params0"].ToDoubleArray();
        var v = new double[parameters.Length];
        var s = new double[parameters.Length];
        for (int step = 0; step < ts.Length; step++)
        {
            adam(parameters, v, s, Row("adam_grads", step), hyper, (long)ts[step]);
            check(step, parameters, v, s);
        }
    }

    private static double[] Row(string name, int row)
    {
        NumPyArray array = Values[name];
        int columns = array.Shape[1];
        return array.ToDoubleArray().AsSpan(row * columns, columns).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= relative * Math.Abs(expected[i]),
                $"[{i}]: expected {expected[i]:R}, actual {actual[i]:R}");
        }
    }

    private static void AssertMomentumAgrees<T>(int n, T rate, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] p1, T[] v1, T[] g) = (Sample<T>(n, 1), Sample<T>(n, 2), Sample<T>(n, 3));
        (T[] p2, T[] v2) = ((T[])p1.Clone(), (T[])v1.Clone());
        for (int step = 0; step < 3; step++)
        {
            Optimizers.Momentum<T>(p1, v1, g, rate, beta);
            ReferenceOptimizers.Momentum<T>(p2, v2, g, rate, beta);
        }

        Assert.Equal(Bits(p2), Bits(p1));
        Assert.Equal(Bits(v2), Bits(v1));
    }

    private static void AssertGradientDescentWithSnapshotAgrees<T>(int n, T rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] original, T[] g) = (Sample<T>(n, 6), Sample<T>(n, 7));
        (T[] fast, T[] reference, T[] dense) = ((T[])original.Clone(), (T[])original.Clone(), (T[])original.Clone());
        T[] fastSnapshot = Enumerable.Repeat(T.NaN, n).ToArray(); // overwritten whole
        var referenceSnapshot = new T[n];

        Assert.True(Optimizers.GradientDescentWithSnapshot<T>(fast, g, rate, fastSnapshot));
        Assert.True(ReferenceOptimizers.GradientDescentWithSnapshot<T>(reference, g, rate, referenceSnapshot));
        Dense.GradientDescent<T>(dense, g, rate);

        Assert.Equal(Bits(dense), Bits(fast));
        Assert.Equal(Bits(reference), Bits(fast));
        Assert.Equal(Bits(original), Bits(fastSnapshot));
        Assert.Equal(Bits(original), Bits(referenceSnapshot));
    }

    // One non-finite result at index at, from gradient g and parameter p there; every other element finite.
    private static void AssertNotFiniteAt<T>(int n, int at, T g, T p, T rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] original, T[] gradients) = (Sample<T>(n, 8), Sample<T>(n, 9));
        (original[at], gradients[at]) = (p, g);
        (T[] fast, T[] reference, T[] dense) = ((T[])original.Clone(), (T[])original.Clone(), (T[])original.Clone());
        var snapshot = new T[n];

        Assert.False(Optimizers.GradientDescentWithSnapshot<T>(fast, gradients, rate, snapshot), $"n = {n}, at = {at}");
        Assert.False(ReferenceOptimizers.GradientDescentWithSnapshot<T>(reference, gradients, rate, new T[n]));
        Dense.GradientDescent<T>(dense, gradients, rate);

        Assert.False(T.IsFinite(fast[at]));
        Assert.Equal(Bits(dense), Bits(fast));
        Assert.Equal(reference, fast); // NaN equals NaN here
        Assert.Equal(Bits(original), Bits(snapshot));
    }

    private static void AssertAdamWithSnapshotAgrees<T>(int n, T rate, T beta1, T beta2, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] p1, T[] g) = (Sample<T>(n, 4), Sample<T>(n, 5));
        (T[] p2, T[] p3) = ((T[])p1.Clone(), (T[])p1.Clone());
        (T[] v1, T[] s1, T[] v2, T[] s2, T[] v3, T[] s3) = (new T[n], new T[n], new T[n], new T[n], new T[n], new T[n]);
        (T[] snapshot, T[] referenceSnapshot) = (new T[3 * n], new T[3 * n]);
        foreach (long t in new long[] { 1, 2, 3, 50, 100_000 })
        {
            T[] before = [.. p1, .. v1, .. s1];
            bool finite = Optimizers.AdamWithSnapshot<T>(p1, v1, s1, g, rate, beta1, beta2, epsilon, t, snapshot);
            Assert.Equal(finite, ReferenceOptimizers.AdamWithSnapshot<T>(p2, v2, s2, g, rate, beta1, beta2, epsilon, t, referenceSnapshot));
            Optimizers.Adam<T>(p3, v3, s3, g, rate, beta1, beta2, epsilon, t);
            // With epsilon 0, a zero gradient makes 0 / 0: the check must see it (the sample has zeros).
            Assert.Equal(Array.TrueForAll(p1, T.IsFinite) && Array.TrueForAll(s1, T.IsFinite), finite);
            Assert.Equal(epsilon != T.Zero || n < 6, finite);
            Assert.Equal(Bits(before), Bits(snapshot));
            Assert.Equal(Bits(referenceSnapshot), Bits(snapshot));
        }

        Assert.Equal(Bits(p3), Bits(p1));
        Assert.Equal(Bits(v3), Bits(v1));
        Assert.Equal(Bits(s3), Bits(s1));
        Assert.Equal(Bits(p2), Bits(p1));
        Assert.Equal(Bits(v2), Bits(v1));
        Assert.Equal(Bits(s2), Bits(s1));
    }

    private static void AssertAdamNotFiniteAt<T>(int n, int at, T g, T p, T s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] original, T[] gradients) = (Sample<T>(n, 8), Sample<T>(n, 9));
        var squares = new T[n];
        (original[at], gradients[at], squares[at]) = (p, g, s);
        (T[] fast, T[] reference) = ((T[])original.Clone(), (T[])original.Clone());
        (T[] vFast, T[] sFast, T[] vReference, T[] sReference) = (new T[n], (T[])squares.Clone(), new T[n], (T[])squares.Clone());
        var snapshot = new T[3 * n];
        T rate = T.CreateTruncating(0.01), beta1 = T.CreateTruncating(0.9), beta2 = T.CreateTruncating(0.999), epsilon = T.CreateTruncating(1e-8);

        Assert.False(Optimizers.AdamWithSnapshot<T>(fast, vFast, sFast, gradients, rate, beta1, beta2, epsilon, 1, snapshot), $"n = {n}, at = {at}");
        Assert.False(ReferenceOptimizers.AdamWithSnapshot<T>(reference, vReference, sReference, gradients, rate, beta1, beta2, epsilon, 1, new T[3 * n]));
        Assert.False(T.IsFinite(fast[at]) && T.IsFinite(sFast[at]));
        Assert.Equal(reference, fast); // NaN equals NaN here
        Assert.Equal(sReference, sFast);
        Assert.Equal(Bits(original), Bits(snapshot.AsSpan(0, n)));
        Assert.Equal(Bits(squares), Bits(snapshot.AsSpan(2 * n, n)));
    }

    private static void AssertAdamAgrees<T>(int n, T rate, T beta1, T beta2, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T[] p1, T[] g) = (Sample<T>(n, 4), Sample<T>(n, 5));
        T[] p2 = (T[])p1.Clone();
        (T[] v1, T[] s1, T[] v2, T[] s2) = (new T[n], new T[n], new T[n], new T[n]);
        foreach (long t in new long[] { 1, 2, 3, 50, 100_000 })
        {
            Optimizers.Adam<T>(p1, v1, s1, g, rate, beta1, beta2, epsilon, t);
            ReferenceOptimizers.Adam<T>(p2, v2, s2, g, rate, beta1, beta2, epsilon, t);
        }

        Assert.Equal(Bits(p2), Bits(p1));
        Assert.Equal(Bits(v2), Bits(v1));
        Assert.Equal(Bits(s2), Bits(s1));
    }

    /// <summary>Normal values over many magnitudes, with zeros and subnormals among them, from a fixed seed.</summary>
    private static T[] Sample<T>(int n, uint seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom(seed);
        var values = new T[n];
        for (int i = 0; i < n; i++)
        {
            double value = random.NextGaussian() * Math.Pow(10, (i % 9) - 4);
            values[i] = (i % 13) switch
            {
                5 => T.Zero,
                11 => T.Epsilon * T.CreateTruncating(i),
                _ => T.CreateTruncating(value),
            };
        }

        return values;
    }

    private static long[] Bits<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bits = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = typeof(T) == typeof(double)
                ? BitConverter.DoubleToInt64Bits(double.CreateTruncating(values[i]))
                : BitConverter.SingleToInt32Bits(float.CreateTruncating(values[i]));
        }

        return bits;
    }

    private static long[] Bits<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Bits<T>((ReadOnlySpan<T>)values);
}
