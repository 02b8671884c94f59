using System;
using System.Collections.Generic;
using System.Numerics;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// Leaky relu, tanh, linear and softmax, and the backward forms of all six activations: each span form equals its
/// scalar form bit for bit (what lets a fused Predict agree exactly with Forward), each vectorised form equals its
/// plain reference, and each backward form is the derivative of its forward form by centred differences in double.
/// </summary>
public class ActivationKindsTests
{
    private const double Slope = 0.01;

    // ---- Span forms against scalar forms, bit for bit, on ordinary and special values ----

    [Fact]
    public void Span_leaky_relu_equals_scalar_leaky_relu_bit_for_bit()
    {
        AssertAgrees<double>((z, a) => Activations.LeakyRelu<double>(z, a, Slope), z => Activations.LeakyRelu(z, Slope));
        AssertAgrees<float>((z, a) => Activations.LeakyRelu<float>(z, a, 0.2f), z => Activations.LeakyRelu(z, 0.2f));
    }

    [Fact]
    public void Span_tanh_and_linear_equal_their_scalar_forms_bit_for_bit()
    {
        AssertAgrees<double>((z, a) => Activations.Tanh<double>(z, a), Activations.Tanh);
        AssertAgrees<float>((z, a) => Activations.Tanh<float>(z, a), Activations.Tanh);
        AssertAgrees<double>((z, a) => Activations.Linear<double>(z, a), Activations.Linear);
    }

    [Fact]
    public void Span_backward_forms_equal_their_scalar_forms_bit_for_bit()
    {
        // dA is the fixed sequence; the special value goes into Z (or A).
        AssertBackwardAgrees<double>((dA, z, dZ) => Activations.ReluBackward<double>(dA, z, dZ), Activations.ReluBackward);
        AssertBackwardAgrees<float>((dA, z, dZ) => Activations.ReluBackward<float>(dA, z, dZ), Activations.ReluBackward);
        AssertBackwardAgrees<double>((dA, z, dZ) => Activations.LeakyReluBackward<double>(dA, z, dZ, Slope), (dA, z) => Activations.LeakyReluBackward(dA, z, Slope));
        AssertBackwardAgrees<float>((dA, z, dZ) => Activations.LeakyReluBackward<float>(dA, z, dZ, 0.2f), (dA, z) => Activations.LeakyReluBackward(dA, z, 0.2f));
        AssertBackwardAgrees<double>((dA, a, dZ) => Activations.TanhBackward<double>(dA, a, dZ), Activations.TanhBackward);
        AssertBackwardAgrees<float>((dA, a, dZ) => Activations.TanhBackward<float>(dA, a, dZ), Activations.TanhBackward);
        AssertBackwardAgrees<double>((dA, z, dZ) => Activations.SigmoidBackward<double>(dA, z, dZ), Activations.SigmoidBackward);
        AssertBackwardAgrees<double>((dA, z, dZ) => Activations.LinearBackward<double>(dA, dZ), (dA, z) => Activations.LinearBackward(dA));
    }

    // ---- Vectorised forms against their plain references ----

    [Fact]
    public void Vectorised_leaky_relu_and_tanh_backward_equal_their_references_bit_for_bit()
    {
        AssertAgrees<double>((z, a) => Activations.LeakyRelu<double>(z, a, Slope), (z, a) => ReferenceActivations.LeakyRelu<double>(z, a, Slope));
        AssertAgrees<float>((z, a) => Activations.LeakyRelu<float>(z, a, 0.01f), (z, a) => ReferenceActivations.LeakyRelu<float>(z, a, 0.01f));
        AssertAgrees<double>(
            (z, dZ) => Activations.LeakyReluBackward<double>(Gradients<double>(z.Length), z, dZ, Slope),
            (z, dZ) => ReferenceActivations.LeakyReluBackward<double>(Gradients<double>(z.Length), z, dZ, Slope));
        AssertAgrees<float>(
            (a, dZ) => Activations.TanhBackward<float>(Gradients<float>(a.Length), a, dZ),
            (a, dZ) => ReferenceActivations.TanhBackward<float>(Gradients<float>(a.Length), a, dZ));
        AssertAgrees<double>(
            (a, dZ) => Activations.TanhBackward<double>(Gradients<double>(a.Length), a, dZ),
            (a, dZ) => ReferenceActivations.TanhBackward<double>(Gradients<double>(a.Length), a, dZ));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 3)]
    [InlineData(5, 10)]
    [InlineData(3, 37)]
    public void Softmax_equals_its_reference_definition_bit_for_bit(int m, int n)
    {
        double[] z = Values(m * n, seed: 5, scale: 30);
        var a = new double[m * n];
        var reference = new double[m * n];

        Activations.Softmax<double>(z, a, n);
        ReferenceActivations.Softmax<double>(z, reference, n);

        Assert.Equal(Bits(reference), Bits(a));
        float[] zf = Array.ConvertAll(z, value => (float)value);
        var af = new float[m * n];
        var referenceF = new float[m * n];
        Activations.Softmax<float>(zf, af, n);
        ReferenceActivations.Softmax<float>(zf, referenceF, n);
        Assert.Equal(referenceF, af);
    }

    // A full batch's rows are shared with the worker threads: the same bits as the reference on one, two and three
    // threads, written to another buffer or in place, for row counts that split evenly and unevenly.
    [Theory]
    [InlineData(1500, 10)]
    [InlineData(1001, 3)]
    [InlineData(130, 64)]
    public void A_shared_softmax_gives_its_reference_bits_on_any_number_of_threads_and_in_place(int m, int n)
    {
        double[] z = Values(m * n, seed: 6, scale: 30);
        var reference = new double[m * n];
        ReferenceActivations.Softmax<double>(z, reference, n);
        Threads.Each([1, 2, 3], _ =>
        {
            var a = new double[m * n];
            Activations.Softmax<double>(z, a, n);
            Assert.Equal(Bits(reference), Bits(a));

            var inPlace = (double[])z.Clone();
            Activations.Softmax<double>(inPlace, inPlace, n);
            Assert.Equal(Bits(reference), Bits(inPlace));
        });
    }

    // ---- Softmax's behaviour ----

    [Fact]
    public void Softmax_rows_are_distributions_that_ignore_a_shift_of_the_logits()
    {
        const int n = 10;
        double[] z = Values(4 * n, seed: 2, scale: 5);
        var a = new double[z.Length];
        Activations.Softmax<double>(z, a, n);
        for (int i = 0; i < 4; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                Assert.InRange(a[(i * n) + j], 0.0, 1.0);
                sum += a[(i * n) + j];
            }

            Assert.Equal(1.0, sum, 1e-15);
        }

        double[] shifted = Array.ConvertAll(z, value => value + 1000);
        var b = new double[z.Length];
        Activations.Softmax<double>(shifted, b, n);
        for (int k = 0; k < z.Length; k++)
        {
            Assert.Equal(a[k], b[k], 1e-12);
        }
    }

    [Fact]
    public void Softmax_stays_finite_for_huge_logits_and_may_write_over_its_input()
    {
        double[] z = [1e4, 0, -1e4, 1e308, 1e308, -1e308];
        Activations.Softmax<double>(z, z, 3);

        Assert.Equal([1.0, 0.0, 0.0, 0.5, 0.5, 0.0], z);
    }

    [Fact]
    public void Softmax_of_a_row_with_NaN_is_NaN_and_bad_shapes_are_refused()
    {
        double[] z = [0, double.NaN, 1, 2, 3, 4];
        var a = new double[6];
        Activations.Softmax<double>(z, a, 3);
        Assert.All(a[..3], value => Assert.True(double.IsNaN(value)));
        Assert.All(a[3..], value => Assert.True(double.IsFinite(value)));

        Assert.Equal("z", Assert.Throws<ArgumentException>(() => Activations.Softmax<double>(new double[7], new double[7], 3)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Activations.Softmax<double>(new double[6], new double[3], 3)).ParamName);
        Assert.Equal("dZ", Assert.Throws<ArgumentException>(() => Activations.SoftmaxBackward<double>(new double[6], new double[6], new double[5], 3)).ParamName);
    }

    [Fact]
    public void Leaky_relu_follows_PyTorch_and_refuses_a_non_finite_slope()
    {
        Assert.Equal(0.01, Activations.DefaultLeakyReluSlope);
        Assert.Equal(-0.02, Activations.LeakyRelu(-2.0, 0.01));
        Assert.Equal(3.0, Activations.LeakyRelu(3.0, 0.01));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(Activations.LeakyRelu(-0.0, 0.01)));
        Assert.True(double.IsNaN(Activations.LeakyRelu(double.NaN, 0.01)));
        Assert.Equal(0.5 * 0.01, Activations.LeakyReluBackward(0.5, -1.0, 0.01));
        Assert.Equal(0.5 * 0.01, Activations.LeakyReluBackward(0.5, 0.0, 0.01));
        Assert.Equal(0.5, Activations.LeakyReluBackward(0.5, 1e-300, 0.01));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Activations.LeakyRelu<double>(new double[2], new double[2], double.NaN));
        Assert.Equal("slope", error.ParamName);
    }

    // ---- Gradient checks: centred differences of J(z) = sum_k c_k act(z)_k against backward(dA = c) ----

    public static TheoryData<string> ElementWise() => ["relu", "leaky_relu", "tanh", "sigmoid", "linear"];

    [Theory]
    [MemberData(nameof(ElementWise))]
    public void Element_wise_backward_forms_are_the_derivatives_of_their_forward_forms(string name)
    {
        const int length = 40;
        double[] z = Values(length, seed: 11, scale: 3);
        for (int k = 0; k < length; k++)
        {
            // Keep clear of relu's kink at 0, where the derivative is not defined.
            if (Math.Abs(z[k]) < 0.05)
            {
                z[k] += 0.1;
            }
        }

        double[] c = Values(length, seed: 12, scale: 1);
        (Action<double[], double[]> forward, Action<double[], double[], double[], double[]> backward) = name switch
        {
            "relu" => ((Action<double[], double[]>)((x, a) => Activations.Relu<double>(x, a)), (Action<double[], double[], double[], double[]>)((dA, x, a, dZ) => Activations.ReluBackward<double>(dA, x, dZ))),
            "leaky_relu" => ((x, a) => Activations.LeakyRelu<double>(x, a, 0.1), (dA, x, a, dZ) => Activations.LeakyReluBackward<double>(dA, x, dZ, 0.1)),
            "tanh" => ((x, a) => Activations.Tanh<double>(x, a), (dA, x, a, dZ) => Activations.TanhBackward<double>(dA, a, dZ)),
            "sigmoid" => ((x, a) => Activations.Sigmoid<double>(x, a), (dA, x, a, dZ) => Activations.SigmoidBackward<double>(dA, x, dZ)),
            _ => ((x, a) => Activations.Linear<double>(x, a), (dA, x, a, dZ) => Activations.LinearBackward<double>(dA, dZ)),
        };

        AssertGradient(z, c, forward, backward);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(4, 3)]
    [InlineData(3, 10)]
    public void Softmax_backward_is_the_Jacobian_vector_product(int m, int n)
    {
        double[] z = Values(m * n, seed: 21, scale: 2);
        double[] c = Values(m * n, seed: 22, scale: 1);

        AssertGradient(z, c, (x, a) => Activations.Softmax<double>(x, a, n), (dA, x, a, dZ) => Activations.SoftmaxBackward<double>(dA, a, dZ, n));
    }

    [Fact]
    public void Softmax_backward_may_write_over_dA()
    {
        double[] z = Values(12, seed: 3, scale: 2);
        var a = new double[12];
        Activations.Softmax<double>(z, a, 4);
        double[] dA = Values(12, seed: 4, scale: 1);
        var expected = new double[12];
        Activations.SoftmaxBackward<double>(dA, a, expected, 4);

        Activations.SoftmaxBackward<double>(dA, a, dA, 4);

        Assert.Equal(expected, dA);
    }

    /// <summary>
    /// J(z) = sum_k c_k act(z)_k, so dJ/dA = c and backward(dA = c) must be dJ/dz. Each component against
    /// (J(z + h e_k) - J(z - h e_k)) / 2h with h = 1e-6: relative difference of the whole gradient below 1e-7.
    /// </summary>
    private static void AssertGradient(double[] z, double[] c, Action<double[], double[]> forward, Action<double[], double[], double[], double[]> backward)
    {
        var a = new double[z.Length];
        forward(z, a);
        var analytic = new double[z.Length];
        backward(c, z, a, analytic);

        const double h = 1e-6;
        double numerator = 0, gradientNorm = 0, approximationNorm = 0;
        for (int k = 0; k < z.Length; k++)
        {
            double[] plus = (double[])z.Clone();
            double[] minus = (double[])z.Clone();
            plus[k] += h;
            minus[k] -= h;
            double approximation = (Objective(plus, c, forward) - Objective(minus, c, forward)) / (2 * h);
            numerator += (analytic[k] - approximation) * (analytic[k] - approximation);
            gradientNorm += analytic[k] * analytic[k];
            approximationNorm += approximation * approximation;
        }

        double difference = Math.Sqrt(numerator) / (Math.Sqrt(gradientNorm) + Math.Sqrt(approximationNorm));
        Assert.True(difference < 1e-7, $"relative difference {difference:R}");
    }

    private static double Objective(double[] z, double[] c, Action<double[], double[]> forward)
    {
        var a = new double[z.Length];
        forward(z, a);
        double sum = 0;
        for (int k = 0; k < z.Length; k++)
        {
            sum += c[k] * a[k];
        }

        return sum;
    }

    // ---- Helpers ----

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

    private static T[] Gradients<T>(int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int k = 0; k < length; k++)
        {
            values[k] = T.CreateTruncating(Math.Sin(k + 1) * 3);
        }

        return values;
    }

    private static long[] Bits(double[] values) => Array.ConvertAll(values, BitConverter.DoubleToInt64Bits);

    private static List<T> Specials<T>()
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
        =>
        [
            T.Zero, T.NegativeZero, T.One, -T.One, T.CreateTruncating(0.75), T.CreateTruncating(-1e-3), T.NaN, -T.NaN,
            T.PositiveInfinity, T.NegativeInfinity, T.Epsilon, -T.Epsilon, T.MaxValue, T.MinValue,
            T.CreateTruncating(40), T.CreateTruncating(-40), T.CreateTruncating(800), T.CreateTruncating(-800),
        ];

    private static bool SameBits<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(double)
            ? BitConverter.DoubleToInt64Bits(double.CreateTruncating(x)) == BitConverter.DoubleToInt64Bits(double.CreateTruncating(y))
            : BitConverter.SingleToInt32Bits(float.CreateTruncating(x)) == BitConverter.SingleToInt32Bits(float.CreateTruncating(y));

    /// <summary>
    /// For each length from 1 to 70 (every vector width's body and tail), each position and each special value: a span
    /// of ordinary values from -8 to 8 with the special value at that position, through both forms, compared bit for bit.
    /// </summary>
    private static void AssertAgrees<T>(Action<T[], T[]> spanForm, Action<T[], T[]> otherForm)
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        var random = new NumPyRandom(7);
        var failures = new List<string>();
        foreach (T special in Specials<T>())
        {
            for (int length = 1; length <= 70; length++)
            {
                for (int position = 0; position < length; position += 1 + (length / 8))
                {
                    var z = new T[length];
                    for (int i = 0; i < length; i++)
                    {
                        z[i] = T.CreateTruncating((16 * random.NextDouble()) - 8);
                    }

                    z[position] = special;
                    var a = new T[length];
                    var b = new T[length];
                    spanForm(z, a);
                    otherForm(z, b);
                    for (int i = 0; i < length; i++)
                    {
                        if (!SameBits(a[i], b[i]) && failures.Count < 10)
                        {
                            failures.Add($"length {length}, element {i}: {z[i]} gives {a[i]} against {b[i]}");
                        }
                    }
                }
            }
        }

        Assert.Empty(failures);
    }

    private static void AssertAgrees<T>(Action<T[], T[]> spanForm, Func<T, T> scalarForm)
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
        => AssertAgrees<T>(spanForm, (z, a) =>
        {
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = scalarForm(z[i]);
            }
        });

    private static void AssertBackwardAgrees<T>(Action<T[], T[], T[]> spanForm, Func<T, T, T> scalarForm)
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
        => AssertAgrees<T>(
            (z, dZ) => spanForm(Gradients<T>(z.Length), z, dZ),
            (z, dZ) =>
            {
                T[] dA = Gradients<T>(z.Length);
                for (int i = 0; i < z.Length; i++)
                {
                    dZ[i] = scalarForm(dA[i], z[i]);
                }
            });
}
