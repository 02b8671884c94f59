using System;

namespace DnnGen;

/// <summary>
/// A layer's pre-activation Z[l] = W[l] . A[l-1] + b[l] overflowed to infinity or NaN for an example although the
/// inputs and the parameters are all finite: the values are too large for the network's element type. For layer 1 the
/// inputs are to blame (scale them); for a later layer, the inputs or the parameters (a very large weight).
/// </summary>
/// <remarks>
/// It is an <see cref="ArgumentException"/> naming the inputs' argument (<c>x</c>), as NaN or infinity in the inputs
/// is, with another message: those values were not finite to begin with, these became infinite in the arithmetic.
/// </remarks>
public sealed class LayerOverflowException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What overflowed, where, and what to do.</param>
    /// <param name="argumentName">The inputs' argument, <c>x</c>.</param>
    /// <param name="layer">The layer l whose pre-activation overflowed, from 1.</param>
    /// <param name="example">The example, counted from 0 in the argument.</param>
    public LayerOverflowException(string message, string argumentName, int layer, long example)
        : base(message, argumentName)
    {
        Layer = layer;
        Example = example;
    }

    /// <summary>The layer l whose pre-activation Z[l] overflowed, from 1.</summary>
    public int Layer { get; }

    /// <summary>The example, counted from 0 in the inputs' argument.</summary>
    public long Example { get; }
}
