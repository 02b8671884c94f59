using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

// tanh(z); tanh'(z) = 1 - tanh(z)^2 = 1 - A^2, so the backward step needs only A (the course's week 3:
// dZ1 = W2^T dZ2 * (1 - A1^2)).
public static partial class Activations
{
    /// <summary><c>tanh(z)</c> for one value (<c>T.Tanh</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Tanh(z);

    /// <summary><c>A = tanh(Z)</c>. <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    /// <remarks>
    /// Element by element through <see cref="Tanh{T}(T)"/>, not vectorised: a vectorised tanh may differ from the
    /// scalar <c>T.Tanh</c> in the last bit, and this must agree exactly with the scalar form the fused Predict uses.
    /// </remarks>
    public static void Tanh<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = Tanh(z[i]);
        }
    }

    /// <summary><c>dz = dA * (1 - a * a)</c> for one value, with <c>a = tanh(z)</c> from the forward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TanhBackward<T>(T dA, T a)
        where T : unmanaged, IFloatingPointIeee754<T>
        => dA * (T.One - (a * a));

    /// <summary>
    /// <c>dZ = dA * (1 - A^2)</c> from the forward pass's <c>A = tanh(Z)</c>. <paramref name="dZ"/> may be <paramref name="dA"/> itself.
    /// </summary>
    /// <remarks>
    /// Vectorised: a multiplication, a subtraction and a multiplication per lane, in the scalar form's order and never
    /// fused, so each element equals <see cref="TanhBackward{T}(T, T)"/> bit for bit; <see cref="ReferenceActivations.TanhBackward{T}"/>
    /// is the plain loop it is tested against.
    /// </remarks>
    public static void TanhBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> a, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, dA.Length, nameof(a), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        int i = 0;
        if (Vector.IsHardwareAccelerated && dA.Length >= Vector<T>.Count)
        {
            for (; i <= dA.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var activations = new Vector<T>(a[i..]);
                (new Vector<T>(dA[i..]) * (Vector<T>.One - (activations * activations))).CopyTo(dZ[i..]);
            }
        }

        for (; i < dA.Length; i++)
        {
            dZ[i] = TanhBackward(dA[i], a[i]);
        }
    }
}
