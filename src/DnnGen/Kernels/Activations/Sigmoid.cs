using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

// sigmoid(z) = 1 / (1 + exp(-z)); sigmoid'(z) = s (1 - s) with s = sigmoid(z).
public static partial class Activations
{
    /// <summary><c>sigmoid(z) = 1 / (1 + exp(-z))</c> for one value, as the course writes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.One / (T.One + T.Exp(-z));

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

    /// <summary><c>dz = dA * s * (1 - s)</c> with <c>s = sigmoid(z)</c>, for one value, evaluated left to right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SigmoidBackward<T>(T dA, T z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T s = Sigmoid(z);
        return dA * s * (T.One - s);
    }

    /// <summary><c>dZ = dA * s * (1 - s)</c> with <c>s = sigmoid(Z)</c>: the course's sigmoid_backward.</summary>
    public static void SigmoidBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < dA.Length; i++)
        {
            dZ[i] = SigmoidBackward(dA[i], z[i]);
        }
    }
}
