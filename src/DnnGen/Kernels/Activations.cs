using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

/// <summary>
/// The course's activation functions and their backward steps, element by element over example-major spans, and
/// one value at a time. Forward and Backward call the span forms; a network whose layers are all straight-line code
/// calls the scalar forms from its fused Predict. Each span form gives, element by element, the bits of its scalar
/// form, so Predict and Forward agree exactly.
/// </summary>
// Hidden from IntelliSense: only generated code calls it (users call the network's Forward and Predict).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary><c>A = relu(Z) = max(0, Z)</c>. <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    /// <remarks>
    /// Vectorised, and equal bit for bit to <see cref="Relu{T}(T)"/> on each element that arithmetic can produce:
    /// IEEE 754 maximum, so NaN propagates with its sign and payload, and -0 becomes +0. (The one difference is a
    /// signalling NaN, which this quiets and the scalar form passes on; no addition, and so no Z, is ever one.)
    /// </remarks>
    public static void Relu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        TensorPrimitives.Max(z, T.Zero, a);
    }

    /// <summary><c>relu(z) = max(0, z)</c> for one value: IEEE 754 maximum, so NaN propagates and -0 becomes +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Relu<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Max(z, T.Zero);

    /// <summary><c>A = sigmoid(Z) = 1 / (1 + exp(-Z))</c>. <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    /// <remarks>
    /// Element by element through <see cref="Sigmoid{T}(T)"/>, not vectorised: a vectorised exp may differ from the
    /// scalar <c>T.Exp</c> in the last bit, and this must agree exactly with the scalar form, which the backward pass
    /// and the fused Predict use. It only runs on the output layer, n[L] values per example.
    /// </remarks>
    public static void Sigmoid<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = Sigmoid(z[i]);
        }
    }

    /// <summary><c>sigmoid(z) = 1 / (1 + exp(-z))</c> for one value, as the course writes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.One / (T.One + T.Exp(-z));

    /// <summary><c>dZ = dA * relu'(Z)</c>: the course's relu_backward copies dA and zeroes it where Z &lt;= 0.</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < dA.Length; i++)
        {
            dZ[i] = z[i] > T.Zero ? dA[i] : T.Zero;
        }
    }

    /// <summary><c>dZ = dA * s * (1 - s)</c> with <c>s = sigmoid(Z)</c>: the course's sigmoid_backward.</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < dA.Length; i++)
        {
            T s = Sigmoid(z[i]);
            dZ[i] = dA[i] * s * (T.One - s);
        }
    }
}
