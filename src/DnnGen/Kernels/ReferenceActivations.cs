using System;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// The vectorised activations of <see cref="Activations"/> written as plainly as possible, one element at a time from
/// their formulas, and softmax's definition row by row. They define what the optimised forms must compute, bit for bit,
/// and are what their tests compare against.
/// </summary>
/// <remarks>Layout as <see cref="Activations"/>: example-major spans, (m, n).</remarks>
// Hidden from IntelliSense, as ReferenceDense: the plain definitions the tests hold the fast kernels to.
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class ReferenceActivations
{
    /// <summary><c>a[i] = z[i]</c> where <c>z[i] &gt; 0</c>, else <c>z[i] * slope</c>.</summary>
    public static void LeakyRelu<T>(ReadOnlySpan<T> z, Span<T> a, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = z[i] > T.Zero ? z[i] : z[i] * slope;
        }
    }

    /// <summary><c>dZ[i] = dA[i]</c> where <c>z[i] &gt; 0</c>, else <c>dA[i] * slope</c>.</summary>
    public static void LeakyReluBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> z, Span<T> dZ, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(z, dA.Length, nameof(z), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < dA.Length; i++)
        {
            dZ[i] = z[i] > T.Zero ? dA[i] : dA[i] * slope;
        }
    }

    /// <summary><c>dZ[i] = dA[i] * (1 - a[i] * a[i])</c>.</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> dA, ReadOnlySpan<T> a, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, dA.Length, nameof(a), "same as dA");
        Guard.Length<T>(dZ, dA.Length, nameof(dZ), "same as dA");
        for (int i = 0; i < dA.Length; i++)
        {
            T square = a[i] * a[i];
            dZ[i] = dA[i] * (T.One - square);
        }
    }

    /// <summary>
    /// Softmax of each example's n values in the order <see cref="Activations.Softmax{T}"/> documents: the maximum
    /// from left to right, then the exponentials and their sum from left to right, then one division per value.
    /// </summary>
    public static void Softmax<T>(ReadOnlySpan<T> z, Span<T> a, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = Guard.ExampleCount(z, n, nameof(z));
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        var exponentials = new T[n];
        for (int i = 0; i < m; i++)
        {
            T max = z[i * n];
            for (int j = 1; j < n; j++)
            {
                max = T.Max(max, z[(i * n) + j]);
            }

            T sum = T.Zero;
            for (int j = 0; j < n; j++)
            {
                exponentials[j] = T.Exp(z[(i * n) + j] - max);
                sum += exponentials[j];
            }

            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = exponentials[j] / sum;
            }
        }
    }
}
