using System;
using System.Collections.Generic;
using System.Numerics;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The span activations give, element by element, the bits of their scalar forms: Forward uses the span forms and a
/// straight-line network's fused Predict the scalar ones, so this is what makes the two agree exactly. Lengths up to
/// 70 run every vector width's body and tail; CI runs this suite again on the narrower vector paths.
/// </summary>
public class ActivationTests
{
    [Fact]
    public void Span_relu_equals_scalar_relu_bit_for_bit_in_double()
        => AssertReluAgrees(
            SpecialValues<double>([BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0456)), BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0123)]),
            value => BitConverter.DoubleToInt64Bits(value));

    [Fact]
    public void Span_relu_equals_scalar_relu_bit_for_bit_in_float()
        => AssertReluAgrees(
            SpecialValues<float>([BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0456)), BitConverter.Int32BitsToSingle(0x7FC0_0123)]),
            value => BitConverter.SingleToInt32Bits(value));

    [Fact]
    public void Relu_is_the_IEEE_maximum_NaN_propagates_and_negative_zero_becomes_zero()
    {
        double nan = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0456));
        Assert.Equal(BitConverter.DoubleToInt64Bits(nan), BitConverter.DoubleToInt64Bits(Activations.Relu(nan)));
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(Activations.Relu(-0.0)));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Activations.Relu(-0.0f)));
        Assert.Equal(0.0, Activations.Relu(double.NegativeInfinity));
        Assert.Equal(double.PositiveInfinity, Activations.Relu(double.PositiveInfinity));
        Assert.Equal(double.Epsilon, Activations.Relu(double.Epsilon));
    }

    [Fact]
    public void Span_sigmoid_equals_scalar_sigmoid_bit_for_bit_in_double()
        => AssertSigmoidAgrees(SpecialValues<double>([]), value => BitConverter.DoubleToInt64Bits(value));

    [Fact]
    public void Span_sigmoid_equals_scalar_sigmoid_bit_for_bit_in_float()
        => AssertSigmoidAgrees(SpecialValues<float>([]), value => BitConverter.SingleToInt32Bits(value));

    [Fact]
    public void Span_sigmoid_may_write_over_its_input()
    {
        double[] z = [-3, -0.5, 0, 0.25, 40];
        double[] expected = Array.ConvertAll(z, Activations.Sigmoid);

        Activations.Sigmoid<double>(z, z);

        Assert.Equal(expected, z);
    }

    /// <summary>
    /// Every kind of value Z can hold, signalling NaNs aside: Z is a sum, and an addition never yields one. The
    /// quiet NaNs have either sign and a payload, since relu must pass both on.
    /// </summary>
    private static List<T> SpecialValues<T>(T[] extraNaNs)
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        var values = new List<T>
        {
            T.Zero, T.NegativeZero, T.One, -T.One, T.CreateTruncating(0.75), T.CreateTruncating(-1e-3), T.NaN, -T.NaN,
            T.PositiveInfinity, T.NegativeInfinity, T.Epsilon, -T.Epsilon, T.MaxValue, T.MinValue,
            T.CreateTruncating(40), T.CreateTruncating(-40), T.CreateTruncating(800), T.CreateTruncating(-800),
        };
        values.AddRange(extraNaNs);
        return values;
    }

    private static void AssertReluAgrees<T, TBits>(List<T> specials, Func<T, TBits> bits)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AssertAgrees(specials, bits, (z, a) => Activations.Relu<T>(z, a), Activations.Relu);

    private static void AssertSigmoidAgrees<T, TBits>(List<T> specials, Func<T, TBits> bits)
        where T : unmanaged, IFloatingPointIeee754<T>
        => AssertAgrees(specials, bits, (z, a) => Activations.Sigmoid<T>(z, a), Activations.Sigmoid);

    /// <summary>
    /// For each length from 1 to 70, each position and each special value: a span of ordinary values from -8 to 8
    /// (a fixed sequence) with the special value at that position, through the span form, then every element against
    /// the scalar form.
    /// </summary>
    private static void AssertAgrees<T, TBits>(List<T> specials, Func<T, TBits> bits, Action<T[], T[]> spanForm, Func<T, T> scalarForm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom(7);
        var failures = new List<string>();
        for (int length = 1; length <= 70; length++)
        {
            for (int position = 0; position < length; position++)
            {
                foreach (T special in specials)
                {
                    var z = new T[length];
                    for (int i = 0; i < length; i++)
                    {
                        z[i] = T.CreateTruncating(16 * random.NextDouble() - 8);
                    }

                    z[position] = special;
                    var a = new T[length];
                    spanForm(z, a);
                    for (int i = 0; i < length; i++)
                    {
                        if (!bits(a[i])!.Equals(bits(scalarForm(z[i]))) && failures.Count < 10)
                        {
                            failures.Add($"length {length}, element {i}: {z[i]} gives {a[i]} against {scalarForm(z[i])}");
                        }
                    }
                }
            }
        }

        Assert.Empty(failures);
    }
}
