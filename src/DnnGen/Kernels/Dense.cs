#pragma warning disable CS1591 // stand-in with the final signatures, so the generator can be built before the optimised kernels
using System;
using System.Numerics;

namespace DnnGen.Kernels;

// Same contract as ReferenceDense; replaced by the optimised kernels in a later commit.
public static class Dense
{
    public static void Forward<T>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> z, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T> => ReferenceDense.Forward(aPrev, w, b, z, nIn, nOut);

    public static void WeightGradients<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, Span<T> db, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T> => ReferenceDense.WeightGradients(dZ, aPrev, dW, db, nIn, nOut);

    public static void InputGradient<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> w, Span<T> dAPrev, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T> => ReferenceDense.InputGradient(dZ, w, dAPrev, nIn, nOut);

    public static void GradientDescent<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T> => ReferenceDense.GradientDescent(parameters, gradients, learningRate);
}
