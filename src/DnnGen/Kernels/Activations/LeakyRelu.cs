using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

// leaky_relu(z) = z where z > 0, else slope * z (PyTorch's LeakyReLU with negative_slope = slope, default 0.01);
// its derivative is 1 where z > 0, else slope.
public static partial class Activations
{
    /// <summary>The slope PyTorch's <c>LeakyReLU</c> uses by default (<c>negative_slope=0.01</c>), and DnnGen's.</summary>
    public const double DefaultLeakyReluSlope = 0.01;

    /// <summary><c>leaky_relu(z) = z</c> where z &gt; 0, else <c>z * slope</c>, for one value (PyTorch's formula: NaN gives NaN, -0 gives -0 * slope).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LeakyRelu<T>(T z, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
        => z > T.Zero ? z : z * slope;

    /// <summary>
    /// <c>A = leaky_relu(Z)</c>: Z where Z &gt; 0, else <c>Z * slope</c>. <paramref name="a"/> may be <paramref name="z"/> itself.
    /// </summary>
    /// <remarks>
    /// Vectorised with a comparison, one multiplication and a selection per lane, which are the scalar form's operations
    /// lane by lane, so each element equals <see cref="LeakyRelu{T}(T, T)"/> bit for bit; <see cref="ReferenceActivations.LeakyRelu{T}"/>
    /// is the plain loop it is tested against.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slope"/> is not finite.</exception>
    public static void LeakyRelu<T>(ReadOnlySpan<T> z, Span<T> a, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        CheckSlope(slope);
        int i = 0;
        if (Vector.IsHardwareAccelerated && z.Length >= Vector<T>.Count)
        {
            var slopes = new Vector<T>(slope);
            for (; i <= z.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var values = new Vector<T>(z[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(values, Vector<T>.Zero), values, values * slopes).CopyTo(a[i..]);
            }
        }

        for (; i < z.Length; i++)
        {
            a[i] = LeakyRelu(z[i], slope);
        }
    }

    /// <summary><c>dz = dA</c> where z &gt; 0, else <c>dA * slope</c>, for one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LeakyReluBackward<T>(T dA, T z, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
        => z > T.Zero ? dA : dA * slope;

    /// <summary>
    /// <c>dZ = dA * leaky_relu'(Z)</c>: dA where Z &gt; 0, else <c>dA * slope</c>. <paramref name="dZ"/> may be <paramref name="dA"/> itself.
    /// </summary>
    /// <remarks>Vectorised as the forward form, and equal to <see cref="LeakyReluBackward{T}(T, T, T)"/> element by element, bit for bit.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slope"/> is not finite.</exception>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        CheckSlope(slope);
        int i = 0;
        if (Vector.IsHardwareAccelerated && dA.Length >= Vector<T>.Count)
        {
            var slopes = new Vector<T>(slope);
            for (; i <= dA.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var gradients = new Vector<T>(dA[i..]);
                var values = new Vector<T>(z[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(values, Vector<T>.Zero), gradients, gradients * slopes).CopyTo(dZ[i..]);
            }
        }

        for (; i < dA.Length; i++)
        {
            dZ[i] = LeakyReluBackward(dA[i], z[i], slope);
        }
    }

    private static void CheckSlope<T>(T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(slope))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), slope, "Expected a finite leaky relu slope (PyTorch's negative_slope; DnnGen's default is 0.01).");
        }
    }
}
