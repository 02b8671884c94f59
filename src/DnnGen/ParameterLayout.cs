using System;

namespace DnnGen;

/// <summary>
/// Where one layer's parameters sit in a network's <see cref="INetwork{T}.Parameters"/> (and, in the same layout, its
/// gradients and optimizer state): W[l], <see cref="Rows"/> x <see cref="Columns"/> row-major from
/// <see cref="WeightOffset"/>, then b[l], <see cref="Rows"/> values from <see cref="BiasOffset"/>.
/// </summary>
/// <param name="Layer">l, 1 .. L.</param>
/// <param name="Rows">n[l], the layer's units.</param>
/// <param name="Columns">n[l-1], its inputs.</param>
/// <param name="WeightOffset">Where W[l] starts.</param>
internal readonly record struct LayerSlot(int Layer, int Rows, int Columns, int WeightOffset)
{
    /// <summary>n[l] * n[l-1], the values of W[l].</summary>
    public int WeightCount => Rows * Columns;

    /// <summary>Where b[l] starts: right after W[l].</summary>
    public int BiasOffset => WeightOffset + WeightCount;

    /// <summary>Where the next layer's W starts, or the buffer's length after the last layer.</summary>
    public int End => BiasOffset + Rows;
}

/// <summary>
/// The layout the generator gives every network's parameter buffer: W1, b1, W2, b2, ..., WL, bL, one after the other
/// (the generator's NetworkShape computes the same offsets for the emitted code). The one place the runtime library
/// computes it, for the gradient check and the .npz and ONNX files.
/// </summary>
internal static class ParameterLayout
{
    /// <summary>The slot of every layer 1 .. L of a network of <paramref name="sizes"/> n[0], ..., n[L].</summary>
    /// <exception cref="OverflowException">The parameters do not fit in an int's range (no network's do).</exception>
    public static LayerSlot[] Of(ReadOnlySpan<int> sizes)
    {
        var slots = new LayerSlot[Math.Max(0, sizes.Length - 1)];
        int offset = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            slots[l - 1] = new LayerSlot(l, sizes[l], sizes[l - 1], offset);
            offset = checked((sizes[l] * sizes[l - 1]) + sizes[l] + offset);
        }

        return slots;
    }
}
