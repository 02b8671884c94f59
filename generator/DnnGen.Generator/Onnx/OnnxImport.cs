namespace DnnGen.Generator.Onnx;

/// <summary>What an <see cref="OnnxError"/> is about, so that each kind can have its own DNNG id.</summary>
internal enum OnnxErrorKind
{
    /// <summary>The bytes are not an ONNX model: not protobuf, truncated, no graph, or tensors stored outside the file.</summary>
    InvalidModel = 0,

    /// <summary>A node whose op type (or domain) the import does not support.</summary>
    UnsupportedOperator = 1,

    /// <summary>A supported op type with attributes the import does not support: Gemm's alpha, beta or transA, Flatten's axis, LeakyRelu slopes that differ.</summary>
    UnsupportedAttribute = 2,

    /// <summary>A Softmax over an axis other than the last.</summary>
    UnsupportedSoftmaxAxis = 3,

    /// <summary>The graph is not one input through a chain of dense layers to one output.</summary>
    NotADenseChain = 4,

    /// <summary>A tensor (input, output, weight or bias) whose element type is not float32 or float64, or that differs from the input's.</summary>
    UnsupportedDataType = 5,

    /// <summary>Shapes that do not chain: a weight's fan-in that is not the previous layer's width, a bias of the wrong size, ...</summary>
    ShapeMismatch = 6,

    /// <summary>A weight or bias that is NaN or infinite.</summary>
    NonFiniteWeight = 7,

    /// <summary>A layer a DnnGen network cannot have, though ONNX can: Softmax on a hidden layer, or on fewer than 2 units.</summary>
    UnsupportedLayer = 8,
}

/// <summary>
/// One reason the model cannot be imported. <see cref="Message"/> is a whole sentence for a diagnostic, naming the node
/// (its name, or its position when it has none) and its op type when there is one, and saying what is supported.
/// </summary>
internal sealed record OnnxError(OnnxErrorKind Kind, string Message, string? NodeName = null, string? OpType = null);

/// <summary>
/// A dense network read from an ONNX model, in the terms of [Network]: the sizes n[0] .. n[L], each layer's activation,
/// the leaky relu slope, the element type, and the parameters in the layout of INetwork&lt;T&gt;.Parameters.
/// </summary>
/// <param name="LayerSizes">n[0] (inputs) .. n[L] (outputs).</param>
/// <param name="Activations">Layer l's <see cref="Activation"/> at index l - 1, as numbers (as in <see cref="NetworkModel.Activations"/>).</param>
/// <param name="LeakyReluSlope">
/// The LeakyRelu nodes' alpha (all equal), or <see cref="NetworkModel.DefaultLeakyReluSlope"/> when there are none. ONNX
/// stores alpha as a float; the slope is the shortest decimal that is that float, as a double (0.2f gives 0.2), which is
/// what the exporter was given: torch's LeakyReLU(0.2) on float64 computes with 0.2, not with (double)0.2f.
/// </param>
/// <param name="Precision">Double for DOUBLE tensors, Single for FLOAT.</param>
/// <param name="Parameters">
/// W[1], b[1], W[2], b[2], ... back to back: W[l] row-major (n[l], n[l-1]), b[l] n[l] values. Single models' values are
/// floats widened to double, exactly.
/// </param>
internal sealed record OnnxNetwork(
    EquatableArray<int> LayerSizes,
    EquatableArray<int> Activations,
    double LeakyReluSlope,
    Precision Precision,
    EquatableArray<double> Parameters)
{
    public Activation ActivationOf(int layer) => (Activation)Activations[layer - 1];
}

/// <summary>The outcome of <see cref="OnnxModelReader.Read(byte[])"/>: a network, or the errors that prevent one (at least one).</summary>
internal sealed record OnnxReadResult(OnnxNetwork? Network, EquatableArray<OnnxError> Errors);
