using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DnnGen.Kernels;

// linear(z) = z, the identity (a regression's output layer); linear'(z) = 1, so dZ = dA.
public static partial class Activations
{
    /// <summary><c>linear(z) = z</c>: the identity, for one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Linear<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
        => z;

    /// <summary><c>A = Z</c>: copies <paramref name="z"/> into <paramref name="a"/> (nothing to do when they are the same memory).</summary>
    public static void Linear<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        z.CopyTo(a);
    }

    /// <summary><c>dz = dA</c> for one value: the identity's derivative is 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LinearBackward<T>(T dA)
        where T : unmanaged, IFloatingPointIeee754<T>
        => dA;

    /// <summary><c>dZ = dA</c>: copies <paramref name="dA"/> into <paramref name="dZ"/> (nothing to do when they are the same memory).</summary>
    public static void LinearBackward<T>(ReadOnlySpan<T> dA, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        dA.CopyTo(dZ);
    }
}
