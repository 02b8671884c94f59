using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

// relu(z) = max(0, z); relu'(z) = 1 where z > 0, else 0.
public static partial class Activations
{
    /// <summary><c>relu(z) = max(0, z)</c> for one value: IEEE 754 maximum, so NaN propagates and -0 becomes +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Relu<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Max(z, T.Zero);

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

    /// <summary><c>dz = relu'(z) * dA</c> for one value: <paramref name="dA"/> where z &gt; 0, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ReluBackward<T>(T dA, T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => z > T.Zero ? dA : T.Zero;

    /// <summary><c>dZ = dA * relu'(Z)</c>: the course's relu_backward copies dA and zeroes it where Z &lt;= 0.</summary>
    /// <remarks>
    /// Vectorised with a comparison and a selection per lane, the scalar form's operations, so each element equals
    /// <see cref="ReluBackward{T}(T, T)"/> bit for bit (dA's own bits where Z &gt; 0, +0 elsewhere, NaN Z included); and
    /// without the scalar loop's branch, which Z's signs make unpredictable.
    /// </remarks>
    public static void ReluBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        int i = 0;
        if (Vector.IsHardwareAccelerated && dA.Length >= Vector<T>.Count)
        {
            for (; i <= dA.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gradients = new Vector<T>(dA[i..]);
                var values = new Vector<T>(z[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(values, Vector<T>.Zero), gradients, Vector<T>.Zero).CopyTo(dZ[i..]);
            }
        }

        for (; i < dA.Length; i++)
        {
            dZ[i] = ReluBackward(dA[i], z[i]);
        }
    }
}
