using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DnnGen;

/// <summary>
/// Argument checks shared by the runtime library and the generated networks. Every failure names the argument,
/// the expected value and the actual value, so a shape mistake reads like a shape mistake.
/// </summary>
/// <remarks>
/// The checks are cheap enough for every training iteration: lengths are compared, labels (a few per example) are
/// read once, and the inputs are checked for NaN and infinity through the first layer's output when that is the
/// smaller of the two (see <see cref="FiniteInputs{T}"/>), so a 12288-input network does not re-read its 2.5 million
/// inputs every iteration.
/// </remarks>
// Hidden from IntelliSense, as System.Text.Json hides its generator's helpers: only generated code calls it.
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Guard
{
    /// <summary>Throws unless <paramref name="span"/> holds exactly <paramref name="expected"/> elements.</summary>
    /// <param name="span">The span to check.</param>
    /// <param name="expected">The length it must have; a product of sizes, computed in <see cref="long"/> so it cannot wrap.</param>
    /// <param name="argumentName">The argument the exception names.</param>
    /// <param name="shape">What the span holds, in words, for the message.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length<T>(ReadOnlySpan<T> span, long expected, string argumentName, string shape)
    {
        if (span.Length != expected)
        {
            ThrowWrongLength(span.Length, expected, argumentName, shape);
        }
    }

    /// <summary>
    /// Returns the number of examples m in an example-major span of <paramref name="rowLength"/> values per example,
    /// throwing unless its length is a positive multiple of <paramref name="rowLength"/>.
    /// </summary>
    /// <remarks>
    /// Inlined, with the throwing kept out of line, so that the division by a generated network's constant row length
    /// compiles to a multiplication: on a small network's prediction the checks are a noticeable part of the time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ExampleCount<T>(ReadOnlySpan<T> span, int rowLength, string argumentName)
    {
        AtLeast(rowLength, 1, nameof(rowLength));
        int m = span.Length / rowLength;
        if (span.Length == 0 || m * rowLength != span.Length)
        {
            ThrowNotWholeExamples(span.Length, rowLength, argumentName);
        }

        return m;
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and greater than zero.</summary>
    public static void PositiveFinite(double value, string argumentName)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(argumentName, value, "Expected a finite value greater than zero.");
        }
    }

    /// <summary>
    /// Checks a learning rate and returns it in the network's element type: it must be finite and greater than zero,
    /// and stay so in <typeparamref name="T"/> (1e300 is a valid double but an infinite float).
    /// </summary>
    public static T LearningRate<T>(double learningRate, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        PositiveFinite(learningRate, argumentName);
        T rate = T.CreateTruncating(learningRate);
        if (!T.IsFinite(rate) || rate <= T.Zero)
        {
            throw new ArgumentOutOfRangeException(
                argumentName,
                learningRate,
                string.Create(CultureInfo.InvariantCulture, $"Expected a value greater than zero that {typeof(T).Name} holds as a finite number greater than zero (from {T.Epsilon} to {T.BitDecrement(T.PositiveInfinity)})."));
        }

        return rate;
    }

    /// <summary>Throws unless <paramref name="value"/> is at least <paramref name="minimum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AtLeast(int value, int minimum, string argumentName)
    {
        if (value < minimum)
        {
            ThrowBelowMinimum(value, minimum, argumentName);
        }
    }

    /// <summary>Returns <paramref name="value"/> if it is at least 0, else throws naming the argument.</summary>
    public static int AtLeastZero(int value, string argumentName)
    {
        AtLeast(value, 0, argumentName);
        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it is at least 0, else throws naming the argument.</summary>
    public static long AtLeastZero(long value, string argumentName)
        => value >= 0 ? value : throw new ArgumentOutOfRangeException(argumentName, value, "Expected at least 0.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongLength(int actual, long expected, string argumentName, string shape)
        => throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Expected {expected} elements ({shape}), but the span holds {actual}."),
            argumentName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotWholeExamples(int actual, int rowLength, string argumentName)
        => throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Expected a positive multiple of {rowLength} elements (m examples of {rowLength} values, example-major), but the span holds {actual}."),
            argumentName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBelowMinimum(int value, int minimum, string argumentName)
        => throw new ArgumentOutOfRangeException(argumentName, value, string.Create(CultureInfo.InvariantCulture, $"Expected at least {minimum}."));

    /// <summary>
    /// Throws unless <paramref name="labels"/> holds <paramref name="expected"/> elements, each exactly 0 or 1 (the
    /// course's binary labels; NaN is neither).
    /// </summary>
    public static void Labels<T>(ReadOnlySpan<T> labels, long expected, string argumentName, string shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Length(labels, expected, argumentName, shape);
        Labels(labels, argumentName);
    }

    /// <summary>Throws unless every element of <paramref name="labels"/> is exactly 0 or 1.</summary>
    public static void Labels<T>(ReadOnlySpan<T> labels, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < labels.Length; i++)
        {
            T label = labels[i];
            if (label != T.Zero && label != T.One)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Expected labels 0 or 1, but {argumentName}[{i}] is {label}."),
                    argumentName);
            }
        }
    }

    /// <summary>Throws unless every element of <paramref name="probabilities"/> lies in [0, 1] (NaN does not).</summary>
    public static void Probabilities<T>(ReadOnlySpan<T> probabilities, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < probabilities.Length; i++)
        {
            T p = probabilities[i];
            if (!(p >= T.Zero && p <= T.One))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Expected probabilities from 0 to 1, but {argumentName}[{i}] is {p}."),
                    argumentName);
            }
        }
    }

    /// <summary>
    /// Throws if an example-major span holds NaN or an infinity, naming the first such element, its example and its
    /// position in the example. One vectorised pass.
    /// </summary>
    /// <param name="values">The values to check.</param>
    /// <param name="rowLength">Values per example, for the message.</param>
    /// <param name="argumentName">The argument the exception names.</param>
    /// <param name="offset">Where <paramref name="values"/> starts in the argument, when it is a slice of it.</param>
    public static void Finite<T>(ReadOnlySpan<T> values, int rowLength, string argumentName, int offset = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AtLeast(rowLength, 1, nameof(rowLength));
        if (TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                long index = (long)offset + i;
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Expected finite values, but {argumentName}[{index}] (example {index / rowLength}, value {index % rowLength}) is {values[i]}."),
                    argumentName);
            }
        }
    }

    /// <summary>
    /// Throws if the inputs <paramref name="x"/> hold NaN or an infinity, reading whichever is shorter: <paramref name="x"/>
    /// itself, or <paramref name="derived"/>, a span computed from it in which any non-finite input necessarily shows.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The generated networks pass the first layer's pre-activations Z1 = W1 . X + b1 (or, in Backward, dW1 = dZ1 . X^T / m).
    /// Every input is multiplied by a weight and summed, with no activation in between, so a NaN or an infinity in
    /// example i makes all of Z1's row i NaN or infinite (0 * infinity is NaN): if Z1 is all finite, so is X. Z1 has
    /// n[1] values per example against X's n[0]: for the course's cat network, 20 against 12288, a check of 4,180
    /// values instead of 2.5 million (0.4 microseconds instead of 0.5 ms, per 5 ms iteration).
    /// </para>
    /// <para>
    /// When <paramref name="derived"/> is not finite, either the inputs or the parameters are at fault; the inputs are
    /// then read in full, and only a non-finite input throws. Non-finite parameters show up in the cost instead.
    /// </para>
    /// </remarks>
    public static void FiniteInputs<T>(ReadOnlySpan<T> x, int rowLength, ReadOnlySpan<T> derived, string argumentName, int offset = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (derived.Length < x.Length && TensorPrimitives.IsFiniteAll(derived))
        {
            return;
        }

        Finite(x, rowLength, argumentName, offset);
    }

    /// <summary>
    /// Throws unless layer <paramref name="layer"/>'s pre-activations <paramref name="z"/> = W . input + b are all finite,
    /// naming the cause: NaN or infinity in the inputs (layer 1), a parameter that is not finite, or an overflow of finite
    /// values (a <see cref="LayerOverflowException"/>). One vectorised pass when all is well.
    /// </summary>
    /// <param name="z">Z[l], (m, n[l]) example-major.</param>
    /// <param name="layer">l, from 1.</param>
    /// <param name="input">The layer's input: x for layer 1, else A[l-1]; (m, n[l-1]).</param>
    /// <param name="w">W[l], (n[l], n[l-1]).</param>
    /// <param name="b">b[l], n[l] values.</param>
    /// <param name="argumentName">The inputs' argument, for the message: <c>x</c>.</param>
    /// <param name="firstExample">The index in the argument of the first example of <paramref name="z"/>, when it is a slice.</param>
    /// <remarks>
    /// Every input is multiplied by a weight and summed with no activation in between, so a NaN or an infinity in x shows
    /// in its example's Z1: checking Z1 checks x too, and reads n[1] values per example instead of n[0]. Only when Z1 is
    /// not finite are x and the parameters read, to say which is at fault.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="input"/> of layer 1 holds NaN or an infinity.</exception>
    /// <exception cref="LayerOverflowException">The values are finite but Z[l] overflowed.</exception>
    /// <exception cref="InvalidOperationException">A parameter of the layer is NaN or infinite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PreActivations<T>(ReadOnlySpan<T> z, int layer, ReadOnlySpan<T> input, ReadOnlySpan<T> w, ReadOnlySpan<T> b, string argumentName, int firstExample = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TensorPrimitives.IsFiniteAll(z))
        {
            ThrowNotFinitePreActivations(z, layer, input, w, b, argumentName, firstExample);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinitePreActivations<T>(ReadOnlySpan<T> z, int layer, ReadOnlySpan<T> input, ReadOnlySpan<T> w, ReadOnlySpan<T> b, string argumentName, int firstExample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AtLeast(b.Length, 1, nameof(b));
        int nOut = b.Length;
        int nIn = w.Length / nOut;
        AtLeast(nIn, 1, nameof(w));
        if (layer == 1)
        {
            // NaN or infinity in x itself: the usual message, with the position in the whole argument.
            Finite(input, nIn, argumentName, checked(firstExample * nIn));
        }

        RequireFiniteParameters(w, nIn, "W", layer);
        RequireFiniteParameters(b, 1, "b", layer);
        string type = typeof(T).Name;
        for (int index = 0; index < z.Length; index++)
        {
            if (T.IsFinite(z[index]))
            {
                continue;
            }

            int i = index / nOut;
            int j = index % nOut;
            long example = (long)firstExample + i;
            ReadOnlySpan<T> row = input.Slice(i * nIn, nIn);
            if (!TensorPrimitives.IsFiniteAll(row))
            {
                // Only a direct call of a layer step can get here: Forward and Predict check each layer's inputs.
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Layer {layer}'s input A{layer - 1} of example {example} of {argumentName} holds NaN or an infinity, so Z{layer} is not finite."),
                    argumentName);
            }

            T largestInput = TensorPrimitives.MaxMagnitude(row);
            string message = layer == 1
                ? string.Create(CultureInfo.InvariantCulture, $"Layer 1's pre-activation overflowed: Z1[{j}] of example {example} of {argumentName} is {z[index]}, although {argumentName} and the parameters are finite. The inputs are too large for {type}: the largest magnitude in example {example} is {T.Abs(largestInput)}. Scale them, for example to [0, 1] or to mean 0 and variance 1.")
                : string.Create(CultureInfo.InvariantCulture, $"Layer {layer}'s pre-activation overflowed: Z{layer}[{j}] of example {example} of {argumentName} is {z[index]}, although layer {layer}'s inputs A{layer - 1} and parameters W{layer}, b{layer} are finite. The values are too large for {type}: the largest |A{layer - 1}| of example {example} is {T.Abs(largestInput)} and the largest |W{layer}| is {T.Abs(TensorPrimitives.MaxMagnitude(w))}. Scale the inputs, or check the parameters (a very large weight, for example one loaded from a file).");
            throw new LayerOverflowException(message, argumentName, layer, example);
        }
    }

    private static void RequireFiniteParameters<T>(ReadOnlySpan<T> values, int columns, string name, int layer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"Parameter {name}{layer}[{i / columns}, {i % columns}] is {values[i]}: the parameters must be finite. Set them with InitializeParameters or LoadNpz, or write finite values into Parameters."));
            }
        }
    }

    /// <summary>
    /// Returns the length of a training workspace of <paramref name="valuesPerExample"/> values for each of
    /// <paramref name="m"/> examples, throwing if it exceeds what one array can hold.
    /// </summary>
    public static int WorkspaceLength(int m, long valuesPerExample, string argumentName)
    {
        AtLeast(m, 0, nameof(m));
        if (valuesPerExample < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(valuesPerExample), valuesPerExample, "Expected at least 1.");
        }

        long length = m * valuesPerExample;
        if (length > Array.MaxLength)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Expected at most {Array.MaxLength / valuesPerExample} examples at a time: training on {m} examples needs a workspace of {length} values ({valuesPerExample} per example), more than the {Array.MaxLength} an array can hold. Train on smaller batches."),
                argumentName);
        }

        return (int)length;
    }
}
