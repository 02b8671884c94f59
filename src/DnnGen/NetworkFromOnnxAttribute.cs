using System;

namespace DnnGen;

/// <summary>
/// Asks the DnnGen source generator to compile an ONNX model of a dense network into a <c>partial class</c>: its layer
/// sizes, activations and weights are all read from the model at build time, and the class is inference only, as a
/// network with baked weights (<see cref="NetworkAttribute.Weights"/>): <c>Predict</c>, the members of its kind
/// (<c>PredictLabels</c> or <c>PredictClasses</c>, <c>Accuracy</c>), the read-only views <c>W1</c>, <c>b1</c>, ...,
/// <see cref="IPredictor{T}"/>, and no file read at run time.
/// </summary>
/// <example>
/// <code>
/// // mlp.onnx exported by torch.onnx.export from an nn.Sequential of Linear layers and activations,
/// // listed in the project as &lt;AdditionalFiles Include="mlp.onnx" /&gt;
/// [NetworkFromOnnx("mlp.onnx")]
/// public partial class ImportedMlp;
/// </code>
/// </example>
/// <remarks>
/// The model must be one input, a chain of dense layers and one output, as PyTorch and Keras export a stack of dense
/// layers: Gemm (any transB) or MatMul + Add, each followed by at most one of Relu, LeakyRelu, Tanh, Sigmoid and
/// Softmax (last axis, output layer only), with Identity and Flatten anywhere; float32 or float64, weights inside the
/// file. The element type follows the model's (float32 gives <see cref="Precision.Single"/>), and the loss, which decides
/// the kind of network, is the output activation's own. Anything else is a DNNG error at the attribute that names the
/// node, its op type and what is supported (DNNG0031 to DNNG0034).
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class NetworkFromOnnxAttribute : Attribute
{
    /// <summary>Imports the ONNX model at <paramref name="path"/>.</summary>
    /// <param name="path">The model's path as the project lists it in <c>&lt;AdditionalFiles Include="mlp.onnx" /&gt;</c>, relative to the project.</param>
    public NetworkFromOnnxAttribute(string path) => Path = path;

    /// <summary>The model's path as written in the attribute.</summary>
    public string Path { get; }
}
