using System;
using System.Collections.Generic;
using System.Numerics;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The optimised dense kernels against <see cref="ReferenceDense"/> on sizes that are not multiples of any vector
/// width (so every register-block edge and column tail runs), in double and float, with random inputs from a fixed
/// seed per size. On an AVX-512 machine the default run covers the Vector512 code; run the suite again with
/// <c>DOTNET_EnableAVX512=0</c> (Vector256), <c>DOTNET_EnableAVX2=0</c> (Vector128) and
/// <c>DOTNET_EnableHWIntrinsic=0</c> (scalar) to cover the others. (.NET 10 ignores the older
/// <c>DOTNET_EnableAVX512F</c> switch.)
/// </summary>
public class DenseKernelTests
{
    private static readonly int[] SmallInputs = [1, 3, 17, 31];
    private static readonly int[] Units = [1, 3, 7, 20];
    private static readonly int[] Examples = [1, 2, 5, 11, 209];

    /// <summary>
    /// (nIn, nOut, m): every combination of small sizes, then wide layers (4099 spans several forward cache chunks
    /// and leaves a column tail; 12288 is the course's 64 x 64 x 3 images) with few examples.
    /// </summary>
    public static IEnumerable<object[]> Sizes()
    {
        foreach (int nIn in SmallInputs)
        {
            foreach (int nOut in Units)
            {
                foreach (int m in Examples)
                {
                    yield return [nIn, nOut, m];
                }
            }
        }

        foreach (int nIn in new[] { 4099, 12288 })
        {
            foreach (int nOut in new[] { 1, 7, 20 })
            {
                foreach (int m in new[] { 1, 2, 5 })
                {
                    yield return [nIn, nOut, m];
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Sizes"/> and the course's full training batch, for the two kernels that dominate a training
    /// iteration, in double (the unoptimised reference takes about a second per kernel and type for it).
    /// </summary>
    public static IEnumerable<object[]> SizesWithFullBatch() => [.. Sizes(), [12288, 20, 209]];

    /// <summary>
    /// (nIn, nOut, m) for the bit-for-bit checks: the small sizes with one and five examples, a wide layer, batches
    /// longer than the weight gradient's chunk of examples (64 to 256, by vector width and type), whose partial sums are
    /// stored and loaded again between chunks (the wide network's 784 inputs with 300 examples, and a column tail with
    /// 257), and unit counts whose dZ the weight gradient copies.
    /// </summary>
    public static IEnumerable<object[]> ExactSizes()
    {
        foreach (int nIn in SmallInputs)
        {
            foreach (int nOut in Units)
            {
                yield return [nIn, nOut, 1];
                yield return [nIn, nOut, 5];
            }
        }

        yield return [4099, 7, 5];
        yield return [784, 9, 300];
        yield return [37, 5, 257];

        // Rows of dZ a multiple of 512 bytes apart, which the weight gradient copies into runs per chunk (128 units in
        // both types, 64 in double only), with a column tail and a second chunk.
        yield return [37, 128, 150];
        yield return [300, 64, 40];
    }

    /// <summary>Parameter-vector lengths for the gradient-descent update.</summary>
    public static IEnumerable<object[]> Lengths() => [[1], [3], [17], [31], [12288 * 20 + 5]];

    [Theory]
    [MemberData(nameof(SizesWithFullBatch))]
    public void Forward_matches_the_reference_in_double(int nIn, int nOut, int m) => CheckForward<double>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Forward_matches_the_reference_in_float(int nIn, int nOut, int m) => CheckForward<float>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(SizesWithFullBatch))]
    public void Weight_gradients_match_the_reference_in_double(int nIn, int nOut, int m) => CheckWeightGradients<double>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Weight_gradients_match_the_reference_in_float(int nIn, int nOut, int m) => CheckWeightGradients<float>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Input_gradient_matches_the_reference_in_double(int nIn, int nOut, int m) => CheckInputGradient<double>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Input_gradient_matches_the_reference_in_float(int nIn, int nOut, int m) => CheckInputGradient<float>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Gradient_descent_rounds_as_the_reference_in_double(int length) => CheckGradientDescent<double>(length);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Gradient_descent_rounds_as_the_reference_in_float(int length) => CheckGradientDescent<float>(length);

    [Theory]
    [MemberData(nameof(ExactSizes))]
    public void Gradients_match_the_reference_bit_for_bit_in_double(int nIn, int nOut, int m) => CheckGradientsExactly<double>(nIn, nOut, m);

    [Theory]
    [MemberData(nameof(ExactSizes))]
    public void Gradients_match_the_reference_bit_for_bit_in_float(int nIn, int nOut, int m) => CheckGradientsExactly<float>(nIn, nOut, m);

    /// <summary>
    /// The weight gradient's two kernels, the register-blocked one and the panel one that takes aPrev too large for the
    /// caches (<see cref="Dense.StreamsInputs{T}"/>), each forced on every exact size: both match the reference bit for
    /// bit, so which one a shape gets changes no result.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExactSizes))]
    public void Both_weight_gradient_kernels_match_the_reference_bit_for_bit(int nIn, int nOut, int m)
    {
        CheckWeightGradientKernels<double>(nIn, nOut, m);
        CheckWeightGradientKernels<float>(nIn, nOut, m);
    }

    [Fact]
    public void The_panel_kernel_takes_inputs_too_large_for_the_caches()
    {
        // The cat's layer 1 (12288 x 209 doubles, 20 MiB) streams; the wide network's (784 x 128, 0.8 MiB) does not.
        Assert.True(Dense.StreamsInputs<double>(209, 12288));
        Assert.False(Dense.StreamsInputs<double>(128, 784));
        Assert.False(Dense.StreamsInputs<float>(128, 784));
    }

    [Fact]
    public void Input_gradient_overwrites_what_the_destination_held()
    {
        const int nIn = 37, nOut = 5, m = 3;
        var random = new Random(7);
        double[] dZ = RandomArray<double>(random, m * nOut);
        double[] w = RandomArray<double>(random, nOut * nIn);
        double[] expected = new double[m * nIn];
        ReferenceDense.InputGradient<double>(dZ, w, expected, nIn, nOut);

        foreach (double garbage in new[] { double.NaN, 1e300, -1 })
        {
            double[] dAPrev = new double[m * nIn];
            Array.Fill(dAPrev, garbage);
            Dense.InputGradient<double>(dZ, w, dAPrev, nIn, nOut);
            Assert.Equal(expected, dAPrev);
        }
    }

    [Fact]
    public void Forward_is_deterministic()
    {
        const int nIn = 12288, nOut = 20, m = 5;
        var random = new Random(11);
        float[] aPrev = RandomArray<float>(random, m * nIn);
        float[] w = RandomArray<float>(random, nOut * nIn);
        float[] b = RandomArray<float>(random, nOut);
        float[] first = new float[m * nOut];
        float[] second = new float[m * nOut];
        Dense.Forward<float>(aPrev, w, b, first, nIn, nOut);
        Dense.Forward<float>(aPrev, w, b, second, nIn, nOut);
        Assert.Equal(first, second);
    }

    /// <summary>
    /// Every example's z is computed in the same order whatever block it falls in (six examples on 16-register ISAs,
    /// four, or one), so a batch gives each example the bits it gets alone: 11 examples run a block of six, one of four
    /// and one single; 209 run the course's full batch through the cache chunks of the wide layer.
    /// </summary>
    [Theory]
    [InlineData(31, 7, 11)]
    [InlineData(4099, 20, 11)]
    [InlineData(12288, 20, 209)]
    public void Forward_gives_each_example_the_bits_it_gets_alone(int nIn, int nOut, int m)
    {
        var random = new Random(Seed(nIn, nOut, m, 4));
        double[] aPrev = RandomArray<double>(random, m * nIn);
        double[] w = RandomArray<double>(random, nOut * nIn);
        double[] b = RandomArray<double>(random, nOut);
        double[] batch = new double[m * nOut];
        Dense.Forward<double>(aPrev, w, b, batch, nIn, nOut);

        double[] alone = new double[nOut];
        for (int i = 0; i < m; i++)
        {
            Dense.Forward<double>(aPrev.AsSpan(i * nIn, nIn), w, b, alone, nIn, nOut);
            Assert.Equal(alone, batch.AsSpan(i * nOut, nOut).ToArray());
        }
    }

    [Theory]
    [InlineData("aPrev")]
    [InlineData("w")]
    [InlineData("b")]
    [InlineData("z")]
    public void Forward_rejects_a_wrong_length_naming_the_argument(string argument)
    {
        const int nIn = 3, nOut = 2, m = 4;
        double[] aPrev = new double[Length(argument, "aPrev", m * nIn)];
        double[] w = new double[Length(argument, "w", nOut * nIn)];
        double[] b = new double[Length(argument, "b", nOut)];
        double[] z = new double[Length(argument, "z", m * nOut)];
        var exception = Assert.Throws<ArgumentException>(() => Dense.Forward<double>(aPrev, w, b, z, nIn, nOut));
        Assert.Equal(argument, exception.ParamName);
    }

    [Theory]
    [InlineData("dZ")]
    [InlineData("aPrev")]
    [InlineData("dW")]
    [InlineData("db")]
    public void Weight_gradients_reject_a_wrong_length_naming_the_argument(string argument)
    {
        const int nIn = 3, nOut = 2, m = 4;
        float[] dZ = new float[Length(argument, "dZ", m * nOut)];
        float[] aPrev = new float[Length(argument, "aPrev", m * nIn)];
        float[] dW = new float[Length(argument, "dW", nOut * nIn)];
        float[] db = new float[Length(argument, "db", nOut)];
        var exception = Assert.Throws<ArgumentException>(() => Dense.WeightGradients<float>(dZ, aPrev, dW, db, nIn, nOut));
        Assert.Equal(argument, exception.ParamName);
    }

    [Theory]
    [InlineData("dZ")]
    [InlineData("w")]
    [InlineData("dAPrev")]
    public void Input_gradient_rejects_a_wrong_length_naming_the_argument(string argument)
    {
        const int nIn = 3, nOut = 2, m = 4;
        double[] dZ = new double[Length(argument, "dZ", m * nOut)];
        double[] w = new double[Length(argument, "w", nOut * nIn)];
        double[] dAPrev = new double[Length(argument, "dAPrev", m * nIn)];
        var exception = Assert.Throws<ArgumentException>(() => Dense.InputGradient<double>(dZ, w, dAPrev, nIn, nOut));
        Assert.Equal(argument, exception.ParamName);
    }

    [Fact]
    public void Gradient_descent_rejects_a_wrong_length_naming_the_argument()
    {
        var exception = Assert.Throws<ArgumentException>(() => Dense.GradientDescent<double>(new double[5], new double[4], 0.1));
        Assert.Equal("gradients", exception.ParamName);
    }

    [Fact]
    public void Empty_layers_are_rejected_naming_the_size()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.Forward<double>(new double[3], new double[0], new double[0], new double[0], 3, 0));
        Assert.Equal("nOut", exception.ParamName);
        exception = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.InputGradient<double>(new double[2], new double[0], new double[0], 0, 2));
        Assert.Equal("nIn", exception.ParamName);
    }

    private static void CheckForward<T>(int nIn, int nOut, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed(nIn, nOut, m, 0));
        T[] aPrev = RandomArray<T>(random, m * nIn);
        T[] w = RandomArray<T>(random, nOut * nIn);
        T[] b = RandomArray<T>(random, nOut);
        T[] expected = new T[m * nOut];
        ReferenceDense.Forward<T>(aPrev, w, b, expected, nIn, nOut);

        T[] actual = new T[m * nOut];
        Array.Fill(actual, T.NaN);
        Dense.Forward<T>(aPrev, w, b, actual, nIn, nOut);

        // sum_k |w[j, k] * aPrev[i, k]| + |b[j]|, the scale of the rounding errors of any summation order.
        double[] magnitude = new double[m * nOut];
        ReferenceDense.Forward<double>(Absolute(aPrev), Absolute(w), Absolute(b), magnitude, nIn, nOut);
        AssertClose(expected, actual, magnitude, nIn + 1, "z");
    }

    private static void CheckWeightGradients<T>(int nIn, int nOut, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed(nIn, nOut, m, 1));
        T[] dZ = RandomArray<T>(random, m * nOut);
        T[] aPrev = RandomArray<T>(random, m * nIn);
        T[] expectedDW = new T[nOut * nIn];
        T[] expectedDb = new T[nOut];
        ReferenceDense.WeightGradients<T>(dZ, aPrev, expectedDW, expectedDb, nIn, nOut);

        T[] dW = new T[nOut * nIn];
        T[] db = new T[nOut];
        Array.Fill(dW, T.NaN);
        Array.Fill(db, T.NaN);
        Dense.WeightGradients<T>(dZ, aPrev, dW, db, nIn, nOut);

        // (1/m) sum_i |dZ[i, j] * aPrev[i, k]|, accumulated row by row (the reference's loop order is slow here).
        double[] magnitudeDW = new double[nOut * nIn];
        double[] magnitudeDb = new double[nOut];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < nOut; j++)
            {
                double d = Math.Abs(double.CreateTruncating(dZ[(i * nOut) + j]));
                magnitudeDb[j] += d / m;
                for (int k = 0; k < nIn; k++)
                {
                    magnitudeDW[(j * nIn) + k] += d * Math.Abs(double.CreateTruncating(aPrev[(i * nIn) + k])) / m;
                }
            }
        }

        AssertClose(expectedDW, dW, magnitudeDW, m + 1, "dW");
        AssertClose(expectedDb, db, magnitudeDb, m + 1, "db");
    }

    private static void CheckInputGradient<T>(int nIn, int nOut, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed(nIn, nOut, m, 2));
        T[] dZ = RandomArray<T>(random, m * nOut);
        T[] w = RandomArray<T>(random, nOut * nIn);
        T[] expected = new T[m * nIn];
        ReferenceDense.InputGradient<T>(dZ, w, expected, nIn, nOut);

        // Garbage in the destination must not leak into the result.
        T[] actual = new T[m * nIn];
        Array.Fill(actual, T.NaN);
        Dense.InputGradient<T>(dZ, w, actual, nIn, nOut);

        double[] magnitude = new double[m * nIn];
        ReferenceDense.InputGradient<double>(Absolute(dZ), Absolute(w), magnitude, nIn, nOut);
        AssertClose(expected, actual, magnitude, nOut + 1, "dAPrev");
    }

    /// <summary>
    /// Both gradient kernels add every output's terms from zero in the reference's order (only the loops around
    /// them are blocked), so they must match it exactly, as the <see cref="Dense"/> remarks promise.
    /// </summary>
    private static void CheckGradientsExactly<T>(int nIn, int nOut, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed(nIn, nOut, m, 3));
        T[] dZ = RandomArray<T>(random, m * nOut);
        T[] aPrev = RandomArray<T>(random, m * nIn);
        T[] w = RandomArray<T>(random, nOut * nIn);

        T[] expectedDW = new T[nOut * nIn], expectedDb = new T[nOut], expectedDAPrev = new T[m * nIn];
        ReferenceDense.WeightGradients<T>(dZ, aPrev, expectedDW, expectedDb, nIn, nOut);
        ReferenceDense.InputGradient<T>(dZ, w, expectedDAPrev, nIn, nOut);

        T[] dW = new T[nOut * nIn], db = new T[nOut], dAPrev = new T[m * nIn];
        Dense.WeightGradients<T>(dZ, aPrev, dW, db, nIn, nOut);
        Dense.InputGradient<T>(dZ, w, dAPrev, nIn, nOut);

        Assert.Equal(expectedDW, dW);
        Assert.Equal(expectedDb, db);
        Assert.Equal(expectedDAPrev, dAPrev);
    }

    private static void CheckWeightGradientKernels<T>(int nIn, int nOut, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed(nIn, nOut, m, 5));
        T[] dZ = RandomArray<T>(random, m * nOut);
        T[] aPrev = RandomArray<T>(random, m * nIn);
        T[] expected = new T[nOut * nIn], expectedDb = new T[nOut];
        ReferenceDense.WeightGradients<T>(dZ, aPrev, expected, expectedDb, nIn, nOut);
        T inverseM = T.One / T.CreateChecked(m);
        foreach (bool stream in new[] { false, true })
        {
            // Garbage in the destination must not leak into the result, whichever kernel writes it.
            T[] dW = new T[nOut * nIn];
            Array.Fill(dW, T.NaN);
            Dense.SumsOfOuterProducts<T>(dZ, aPrev, dW, m, nIn, nOut, inverseM, stream);
            Assert.True(expected.AsSpan().SequenceEqual(dW), $"{typeof(T).Name} {(stream ? "panel" : "register-blocked")} kernel, ({nIn}, {nOut}, {m})");
        }
    }

    private static void CheckGradientDescent<T>(int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(length);
        T[] parameters = RandomArray<T>(random, length);
        T[] gradients = RandomArray<T>(random, length);
        T learningRate = T.CreateTruncating(0.0075);
        T[] expected = (T[])parameters.Clone();
        ReferenceDense.GradientDescent<T>(expected, gradients, learningRate);
        Dense.GradientDescent<T>(parameters, gradients, learningRate);

        // The update is one multiplication and one subtraction per element: it must round exactly as the reference.
        Assert.Equal(expected, parameters);
    }

    /// <summary>
    /// Asserts <c>|actual - expected| &lt;= 8 u sqrt(terms) * magnitude</c> element by element, where u is the unit
    /// roundoff of <typeparamref name="T"/> and magnitude the sum of the absolute values of the summed terms: about
    /// 4e-15 (double) and 2e-6 (float) relative for 17 terms, 1e-13 and 5e-5 for 12288. The rounding errors of sums
    /// of random-signed terms stay near u magnitude whatever the order; a wrong or missing term weighs about
    /// magnitude / terms, orders of magnitude more in double (the kernels' code is shared by both types).
    /// </summary>
    private static void AssertClose<T>(T[] expected, T[] actual, double[] magnitude, int terms, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double unitRoundoff = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        double relative = 8 * unitRoundoff * Math.Sqrt(terms);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]);
            double a = double.CreateTruncating(actual[i]);
            double tolerance = (relative * magnitude[i]) + double.Epsilon;
            Assert.True(
                Math.Abs(a - e) <= tolerance,
                $"{name}[{i}]: expected {e:R}, actual {a:R}, difference {Math.Abs(a - e):R} > tolerance {tolerance:R}.");
        }
    }

    /// <summary>A fixed seed for each size and kernel (HashCode.Combine would differ from run to run).</summary>
    private static int Seed(int nIn, int nOut, int m, int kernel) => (((((nIn * 31) + nOut) * 31) + m) * 31) + kernel;

    private static T[] RandomArray<T>(Random random, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    private static double[] Absolute<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Array.ConvertAll(values, value => Math.Abs(double.CreateTruncating(value)));

    /// <summary>The correct length, or one fewer for the argument under test.</summary>
    private static int Length(string argument, string name, int length) => argument == name ? length - 1 : length;
}
