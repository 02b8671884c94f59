using System;
using System.Numerics;

namespace DnnGen;

/// <summary>
/// What a network with baked weights (<c>[Network(..., Weights = "cat.npz")]</c>) offers to code that works with any
/// such network: what it computes (the layer sizes, each layer's activation, the loss it was trained with, the leaky
/// relu slope), its parameters, read-only, and Predict. It has no training members: the weights are compile-time data
/// of the assembly, and nothing can change them. The generated class has more (PredictLabels or PredictClasses and
/// Accuracy where its loss has them, the constants InputSize and OutputSize, the views W1, b1, ...).
/// </summary>
/// <remarks>
/// A trainable network (<see cref="INetwork{T}"/>) has the same members, with writable parameters, but does not
/// implement this interface: its Parameters is a <see cref="Span{T}"/>, and a network that can be trained is not one
/// whose weights are fixed.
/// </remarks>
/// <typeparam name="T">The element type: <see cref="double"/> or <see cref="float"/>.</typeparam>
public interface IPredictor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>n[0], n[1], ..., n[L], as given to [Network].</summary>
    ReadOnlySpan<int> LayerSizes { get; }

    /// <summary>Each layer's activation, layer 1 first (L entries), as the attribute resolved them.</summary>
    ReadOnlySpan<Activation> Activations { get; }

    /// <summary>The loss the attribute names, which decides the kind of network (its labels and Accuracy).</summary>
    Loss Loss { get; }

    /// <summary>The slope of its leaky relu layers for z &lt; 0 (the attribute's LeakyReluSlope; 0.01, unused, when it has none).</summary>
    double LeakyReluSlope { get; }

    /// <summary>All parameters W1, b1, W2, b2, ... back to back, row-major with the course's shapes, as baked in.</summary>
    ReadOnlySpan<T> Parameters { get; }

    /// <summary>
    /// The outputs AL for example-major inputs (probabilities for a classifier, predicted values for a regression);
    /// only reads the baked parameters, so many threads may call it at once.
    /// </summary>
    void Predict(ReadOnlySpan<T> x, Span<T> outputs);
}
