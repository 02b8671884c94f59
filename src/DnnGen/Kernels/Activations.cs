using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace DnnGen.Kernels;

/// <summary>
/// The course's activation functions and their backward steps, element by element over example-major spans.
/// Generated code calls these for layers too wide to unroll; narrow layers inline the same formulas.
/// </summary>
public static class Activations
{
    /// <summary><c>A = relu(Z) = max(0, Z)</c>. <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    public static void Relu<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        TensorPrimitives.Max(z, T.Zero, a);
    }

    /// <summary><c>A = sigmoid(Z) = 1 / (1 + exp(-Z))</c>. <paramref name="a"/> may be <paramref name="z"/> itself.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(a, z.Length, nameof(a), "same as z");
        TensorPrimitives.Sigmoid(z, a);
    }

    /// <summary><c>sigmoid(z) = 1 / (1 + exp(-z))</c> for one value, as the course writes it.</summary>
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
