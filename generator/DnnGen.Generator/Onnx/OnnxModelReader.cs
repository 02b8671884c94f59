using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator.Onnx;

/// <summary>
/// Reads a dense network out of the bytes of an ONNX model: the graphs that PyTorch's torch.onnx.export and Keras's
/// tf2onnx write for a stack of dense layers. A pure function of the bytes; it never throws for any input.
/// </summary>
/// <remarks>
/// <para>
/// The graph must be one input, then a chain of nodes to one output, each node taking the value the one before it made:
/// a dense layer is a Gemm (with its bias as C, or an Add after it), or a MatMul and optionally an Add of the bias,
/// then at most one activation (none is Linear). A leaky relu is a LeakyRelu node, or Max(z, Mul(z, alpha)) (Min for
/// alpha above 1), as DnnGen's SaveOnnx writes it in float64, ONNX's LeakyRelu taking a float32 alpha. Identity nodes,
/// Flatten at axis 1 (which turns an input (N, 2, 3) into (N, 6), and is nothing on (N, k)), and a Reshape to the
/// same (N, features), as tf2onnx writes Keras's Flatten, may stand anywhere. Weights and biases are initializers or
/// Constant nodes, in raw_data or float_data / double_data. Gemm with transB = 1, torch's, holds W as (n[l], n[l-1]);
/// with transB = 0, and MatMul, as (n[l-1], n[l]), which is transposed into DnnGen's layout.
/// </para>
/// <para>
/// Errors come back as <see cref="OnnxError"/>s: every node of an unsupported op type at once, else the first problem
/// found walking the chain.
/// </para>
/// </remarks>
internal static class OnnxModelReader
{
    /// <summary>What the import supports, as its error messages say it.</summary>
    public const string Supported = "Gemm (any transB), MatMul + Add, Relu, LeakyRelu (or Max(z, Mul(z, alpha)), as DnnGen exports it in float64), Tanh, Sigmoid, Softmax (last axis), Identity, Flatten (or a Reshape to [-1, n] or [0, -1]); float32 and float64";

    /// <summary>The most parameters a network can have (a double network's buffer, NetworkShape.MaxParameterCount).</summary>
    private static readonly long MaxParameters = NetworkShape.MaxParameterCount(Precision.Double);

    private static readonly HashSet<string> SupportedOpTypes = new(StringComparer.Ordinal)
    {
        "Gemm", "MatMul", "Add", "Relu", "LeakyRelu", "Mul", "Max", "Min", "Tanh", "Sigmoid", "Softmax", "Identity", "Flatten", "Reshape", "Constant",
    };

    public static OnnxReadResult Read(byte[] bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return Fail(new OnnxError(OnnxErrorKind.InvalidModel, "The file is empty; an ONNX model is a protobuf ModelProto. Export the model again, for example with torch.onnx.export."));
        }

        OnnxModelProto model;
        try
        {
            model = OnnxModelProto.Decode(bytes);
        }
        catch (OnnxFormatException e)
        {
            return Fail(new OnnxError(OnnxErrorKind.InvalidModel, $"The file is not a valid ONNX model ({e.Message}): it is truncated, damaged or another kind of file. Export the model again, for example with torch.onnx.export."));
        }

        if (model.Graph is null)
        {
            return Fail(new OnnxError(OnnxErrorKind.InvalidModel, "The file is not an ONNX model: it holds no graph (ModelProto.graph). Export the model again, for example with torch.onnx.export."));
        }

        if (model.IrVersion < 1 || model.DefaultOpset < 1)
        {
            // Both MUST be present (onnx.proto); a model cut short after its graph has neither.
            string missing = model.IrVersion < 1 ? "no IR version (ModelProto.ir_version)" : "no opset of the default domain (ModelProto.opset_import)";
            return Fail(new OnnxError(OnnxErrorKind.InvalidModel, $"The file is not a complete ONNX model: it has {missing}, which every model must have; it may be truncated. Export the model again, for example with torch.onnx.export."));
        }

        try
        {
            return new Importer(model, model.Graph).Run();
        }
        catch (ImportException e)
        {
            return Fail(e.Error);
        }
    }

    /// <summary>
    /// The double nearest to the shortest decimal that reads back as <paramref name="value"/>: ONNX keeps float
    /// attributes as floats, and the decimal is what the exporter was given (0.2f, 0.200000003, gives 0.2).
    /// </summary>
    internal static double ShortestDecimal(float value)
    {
        for (int digits = 1; digits <= 9; digits++)
        {
            string text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && (float)parsed == value)
            {
                return parsed;
            }
        }

        return value;
    }

    private static OnnxReadResult Fail(params OnnxError[] errors) => new(null, new EquatableArray<OnnxError>(errors));

    private static string Describe(OnnxNodeProto node)
    {
        string op = node.Domain.Length == 0 || node.Domain == "ai.onnx" ? node.OpType : node.Domain + "." + node.OpType;
        return node.Name.Length > 0
            ? $"the {op} node '{node.Name}'"
            : $"the {op} node #{node.Index.ToString(CultureInfo.InvariantCulture)} (unnamed)";
    }

    private static string Shape(IReadOnlyList<long> dims)
        => "(" + string.Join(", ", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + (dims.Count == 1 ? ",)" : ")");

    private static string Shape(IReadOnlyList<OnnxDimension> dims)
        => "(" + string.Join(", ", dims.Select(d => d.ToString())) + (dims.Count == 1 ? ",)" : ")");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class ImportException : Exception
    {
        public ImportException(OnnxError error)
            : base(error.Message) => Error = error;

        public OnnxError Error { get; }
    }

    /// <summary>One dense layer as the walk builds it.</summary>
    private sealed class Layer
    {
        public Layer(OnnxNodeProto node, int fanIn, int units, double[] weights)
        {
            Node = node;
            FanIn = fanIn;
            Units = units;
            Weights = weights;
        }

        public OnnxNodeProto Node { get; }

        public int FanIn { get; }

        public int Units { get; }

        /// <summary>Row-major (Units, FanIn).</summary>
        public double[] Weights { get; }

        public double[]? Bias { get; set; }

        public Activation? Activation { get; set; }

        /// <summary>The activation's node; null for a linear layer.</summary>
        public OnnxNodeProto? ActivationNode { get; set; }
    }

    private sealed class Importer
    {
        private readonly OnnxModelProto _model;
        private readonly OnnxGraphProto _graph;
        private readonly Dictionary<string, OnnxTensorProto> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<OnnxNodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly List<Layer> _layers = new();
        private readonly List<(OnnxNodeProto Node, double Slope)> _leakyRelus = new();
        private Precision? _precision;
        private string _precisionSource = "";
        private long _parameters;

        public Importer(OnnxModelProto model, OnnxGraphProto graph)
        {
            _model = model;
            _graph = graph;
        }

        public OnnxReadResult Run()
        {
            OnnxError[] unsupported = _graph.Nodes
                .Where(node => !(node.Domain.Length == 0 || node.Domain == "ai.onnx") || !SupportedOpTypes.Contains(node.OpType))
                .Select(node => new OnnxError(
                    OnnxErrorKind.UnsupportedOperator,
                    $"{Capitalized(Describe(node))} is not supported: DnnGen imports {Supported}.",
                    node.Name,
                    node.OpType))
                .ToArray();
            if (unsupported.Length > 0)
            {
                return Fail(unsupported);
            }

            CollectConstants();
            OnnxValueInfoProto input = TheInput();
            OnnxValueInfoProto output = TheOutput();
            TakeInputType(input);

            foreach (OnnxNodeProto node in _graph.Nodes)
            {
                if (node.OpType == "Constant")
                {
                    continue;
                }

                foreach (string name in node.Inputs.Where(name => name.Length > 0 && !_constants.ContainsKey(name)).Distinct())
                {
                    if (!_consumers.TryGetValue(name, out List<OnnxNodeProto>? list))
                    {
                        _consumers[name] = list = new List<OnnxNodeProto>();
                    }

                    list.Add(node);
                }
            }

            Walk(input, output);
            return Result();
        }

        private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static ImportException Error(OnnxErrorKind kind, string message, OnnxNodeProto? node = null)
            => new(new OnnxError(kind, message, node?.Name, node?.OpType));

        private void CollectConstants()
        {
            if (_graph.SparseInitializers > 0)
            {
                throw Error(OnnxErrorKind.UnsupportedDataType, "The graph holds sparse initializers, which DnnGen does not read: store the weights as dense tensors (initializers or Constant nodes).");
            }

            foreach (OnnxTensorProto tensor in _graph.Initializers)
            {
                AddConstant(tensor.Name, tensor, null);
            }

            foreach (OnnxNodeProto node in _graph.Nodes.Where(node => node.OpType == "Constant"))
            {
                OnnxTensorProto? value = node.Attribute("value")?.T;
                if (value is null || node.Outputs.Count != 1 || node.Inputs.Any(name => name.Length > 0))
                {
                    throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(node))} does not give one tensor as its 'value' with one output; DnnGen reads Constant nodes that hold a weight or bias tensor.", node);
                }

                AddConstant(node.Outputs[0], value, node);
            }
        }

        private void AddConstant(string name, OnnxTensorProto tensor, OnnxNodeProto? node)
        {
            if (name.Length == 0 || _constants.ContainsKey(name))
            {
                throw Error(OnnxErrorKind.NotADenseChain, name.Length == 0
                    ? "The graph holds a tensor with no name; every initializer and Constant output must have one."
                    : $"The graph defines the tensor '{name}' twice; every initializer and Constant output must have its own name.", node);
            }

            _constants.Add(name, tensor);
        }

        private OnnxValueInfoProto TheInput()
        {
            List<OnnxValueInfoProto> inputs = _graph.Inputs.Where(value => !_constants.ContainsKey(value.Name)).ToList();
            if (inputs.Count != 1)
            {
                throw Error(OnnxErrorKind.NotADenseChain, inputs.Count == 0
                    ? "The graph has no input; a dense network takes one, the examples (N, n[0])."
                    : $"The graph has {Number(inputs.Count)} inputs ({string.Join(", ", inputs.Select(i => "'" + i.Name + "'"))}); a dense network takes one, the examples (N, n[0]).");
            }

            return inputs[0];
        }

        private OnnxValueInfoProto TheOutput()
        {
            if (_graph.Outputs.Count != 1)
            {
                throw Error(OnnxErrorKind.NotADenseChain, _graph.Outputs.Count == 0
                    ? "The graph has no output; a dense network has one, the last layer's activations (N, n[L])."
                    : $"The graph has {Number(_graph.Outputs.Count)} outputs ({string.Join(", ", _graph.Outputs.Select(o => "'" + o.Name + "'"))}); a dense network has one, the last layer's activations (N, n[L]).");
            }

            return _graph.Outputs[0];
        }

        private void TakeInputType(OnnxValueInfoProto input)
        {
            if (input.ElementType is int type)
            {
                _precision = PrecisionOf(type) ?? throw Error(OnnxErrorKind.UnsupportedDataType,
                    $"The graph's input '{input.Name}' is {OnnxDataType.Name(type)}; DnnGen imports float32 (FLOAT) and float64 (DOUBLE) networks.");
                _precisionSource = $"the graph's input '{input.Name}'";
            }
        }

        private static Precision? PrecisionOf(int dataType) => dataType switch
        {
            OnnxDataType.Float => Precision.Single,
            OnnxDataType.Double => Precision.Double,
            _ => null,
        };

        private static string PrecisionName(Precision precision) => precision == Precision.Double ? "DOUBLE (float64)" : "FLOAT (float32)";

        private void Walk(OnnxValueInfoProto input, OnnxValueInfoProto output)
        {
            string current = input.Name;
            string currentSource = $"the graph's input '{input.Name}'";
            List<OnnxDimension>? shape = input.Shape;
            if (shape is { Count: < 2 })
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"The graph's input '{input.Name}' has shape {Shape(shape)}; a dense network takes a batch of examples, (N, n[0]).");
            }

            // The width of the current value (features per example) when known, and its rank (2 after a Flatten).
            int rank = shape?.Count ?? 2;
            long? width = rank == 2 ? shape?[1].Value : null;
            if (rank > 2 && shape!.Skip(1).All(d => d.Value is not null))
            {
                // The features per example once flattened; any size past what a layer could take is as good as another.
                long features = 1;
                foreach (OnnxDimension dimension in shape.Skip(1))
                {
                    long size = dimension.Value!.Value;
                    features = size < 0 || features < 0 ? -1 : size > MaxParameters || features > MaxParameters ? MaxParameters + 1 : Math.Min(features * size, MaxParameters + 1);
                }

                width = features;
            }

            Layer? open = null;
            var visited = new HashSet<OnnxNodeProto>();
            while (true)
            {
                List<OnnxNodeProto> users = _consumers.TryGetValue(current, out List<OnnxNodeProto>? found) ? found : new List<OnnxNodeProto>();
                if (current == output.Name)
                {
                    if (users.Count > 0)
                    {
                        throw Error(OnnxErrorKind.NotADenseChain, $"The graph's output '{output.Name}' is also an input of {Describe(users[0])}; in a dense network the last layer's activations are only the output.", users[0]);
                    }

                    break;
                }

                if (users.Count == 0)
                {
                    throw Error(OnnxErrorKind.NotADenseChain, $"The value '{current}' made by {currentSource} is used by no node and is not the graph's output '{output.Name}'; a dense network is one chain of nodes from its input to its output.");
                }

                if (users.Count == 2 && LeakyReluPair(users, current) is { } pair)
                {
                    // Max(z, Mul(z, alpha)): two nodes that take z, one activation (DnnGen's float64 export of a leaky relu).
                    if (!visited.Add(pair.Mul) || !visited.Add(pair.Max))
                    {
                        throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(pair.Max))} is reached twice: the graph has a cycle.", pair.Max);
                    }

                    if (rank != 2)
                    {
                        throw Error(OnnxErrorKind.ShapeMismatch, $"{Capitalized(Describe(pair.Max))} takes '{current}', which has shape {Shape(shape!)}; DnnGen's layers take (N, features): flatten the input first (nn.Flatten, Flatten at axis 1).", pair.Max);
                    }

                    Activate(pair.Max, open, rank, pair.Slope);
                    current = pair.Max.Outputs[0];
                    currentSource = Describe(pair.Max);
                    continue;
                }

                if (users.Count > 1)
                {
                    throw Error(OnnxErrorKind.NotADenseChain, $"The value '{current}' made by {currentSource} is an input of {Number(users.Count)} nodes ({string.Join(", ", users.Select(Describe))}); a dense network is one chain, each value the input of the next node only.", users[1]);
                }

                OnnxNodeProto node = users[0];
                if (!visited.Add(node))
                {
                    throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} is reached twice: the graph has a cycle.", node);
                }

                string[] computed = node.Inputs.Where(name => name.Length > 0 && !_constants.ContainsKey(name)).ToArray();
                if (computed.Length != 1 || node.Inputs.Count(name => name == current) != 1)
                {
                    string other = computed.FirstOrDefault(name => name != current) ?? current;
                    throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} takes the computed value '{other}' besides '{current}'; in a dense network each node takes the previous node's value and constants (initializers or Constant nodes) only.", node);
                }

                if (node.Outputs.Count != 1 || node.Outputs[0].Length == 0)
                {
                    throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} has {Number(node.Outputs.Count(name => name.Length > 0))} outputs; in a dense network each node has one.", node);
                }

                if (rank != 2 && node.OpType != "Flatten" && node.OpType != "Reshape" && node.OpType != "Identity")
                {
                    throw Error(OnnxErrorKind.ShapeMismatch, $"{Capitalized(Describe(node))} takes '{current}', which has shape {Shape(shape!)}; DnnGen's layers take (N, features): flatten the input first (nn.Flatten, Flatten at axis 1).", node);
                }

                switch (node.OpType)
                {
                    case "Identity":
                        break;
                    case "Flatten":
                        long axis = node.Attribute("axis")?.I ?? 1;
                        if ((axis < 0 ? axis + rank : axis) != 1)
                        {
                            throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(node))} has axis = {Number(axis)} on a value of rank {Number(rank)}; DnnGen imports Flatten at axis 1, which keeps the batch axis.", node);
                        }

                        rank = 2;
                        break;
                    case "Reshape":
                        width = Reshape(node, current, rank, width);
                        rank = 2;
                        break;
                    case "Mul":
                    case "Max":
                    case "Min":
                        throw Error(OnnxErrorKind.UnsupportedOperator, $"{Capitalized(Describe(node))} is not supported on its own: DnnGen imports Mul and Max only as a leaky relu, Max(z, Mul(z, alpha)) with a constant 0 < alpha <= 1 (or Min for alpha >= 1), both nodes taking the same z, as DnnGen's SaveOnnx writes it in float64.", node);
                    case "Gemm":
                    case "MatMul":
                        Close(open);
                        open = Dense(node, current, ref width);
                        break;
                    case "Add":
                        AddBias(node, current, open);
                        break;
                    default:
                        Activate(node, open, rank);
                        break;
                }

                current = node.Outputs[0];
                currentSource = Describe(node);
            }

            Close(open);
            if (_layers.Count == 0)
            {
                throw Error(OnnxErrorKind.NotADenseChain, "The graph has no dense layer (Gemm, or MatMul + Add) between its input and its output.");
            }

            OnnxNodeProto? stray = _graph.Nodes.FirstOrDefault(node => node.OpType != "Constant" && !visited.Contains(node));
            if (stray is not null)
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(stray))} is not on the chain from the graph's input '{input.Name}' to its output '{output.Name}'; a dense network has no other nodes.", stray);
            }

            if (output.ElementType is int outputType && PrecisionOf(outputType) != _precision)
            {
                throw Error(OnnxErrorKind.UnsupportedDataType, $"The graph's output '{output.Name}' is {OnnxDataType.Name(outputType)}, but {_precisionSource} is {PrecisionName(_precision!.Value)}; a network has one element type.");
            }

            if (output.Shape is { } outputShape && (outputShape.Count != 2 || outputShape[1].Value is long units && units != _layers[_layers.Count - 1].Units))
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"The graph's output '{output.Name}' has shape {Shape(outputShape)}, but the last layer gives (N, {Number(_layers[_layers.Count - 1].Units)}).");
            }
        }

        /// <summary>
        /// The nodes <paramref name="users"/> of <paramref name="current"/> when they are a leaky relu as DnnGen's
        /// SaveOnnx writes one in float64: <c>s = Mul(z, alpha)</c> and <c>Max(z, s)</c> (<c>Min</c> for a slope above
        /// 1), operands in either order, alpha one constant value; null when they are not that shape, an error when
        /// they are but alpha makes no leaky relu.
        /// </summary>
        private (OnnxNodeProto Mul, OnnxNodeProto Max, double Slope)? LeakyReluPair(List<OnnxNodeProto> users, string current)
        {
            OnnxNodeProto? mul = users.FirstOrDefault(n => n.OpType == "Mul");
            OnnxNodeProto? max = users.FirstOrDefault(n => n.OpType is "Max" or "Min");
            if (mul is null || max is null || mul.Inputs.Count != 2 || mul.Outputs.Count != 1 || mul.Outputs[0].Length == 0
                || max.Inputs.Count != 2 || max.Outputs.Count != 1 || max.Outputs[0].Length == 0)
            {
                return null;
            }

            string scaled = mul.Outputs[0];
            string alphaName = mul.Inputs[0] == current ? mul.Inputs[1] : mul.Inputs[1] == current ? mul.Inputs[0] : string.Empty;
            bool operands = max.Inputs[0] == current && max.Inputs[1] == scaled || max.Inputs[1] == current && max.Inputs[0] == scaled;
            if (!_constants.TryGetValue(alphaName, out OnnxTensorProto? alpha) || !operands
                || !_consumers.TryGetValue(scaled, out List<OnnxNodeProto>? scaledUsers) || scaledUsers.Count != 1 || scaledUsers[0] != max)
            {
                return null;
            }

            if (alpha.Dims.Any(d => d != 1))
            {
                throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(mul))} multiplies '{current}' by '{alpha.Name}', of shape {Shape(alpha.Dims)}; DnnGen imports Max(z, Mul(z, alpha)) as a leaky relu when alpha is one value, the slope.", mul);
            }

            double slope = Values(alpha, mul, "slope")[0];
            _parameters--;
            if (alpha.DataType == OnnxDataType.Float)
            {
                slope = ShortestDecimal((float)slope);
            }

            bool isMax = max.OpType == "Max";
            if (!(slope > 0) || (isMax ? slope > 1 : slope < 1))
            {
                throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(max))} of '{current}' and {slope.ToString("R", CultureInfo.InvariantCulture)} * '{current}' ({Describe(mul)}) is no leaky relu: DnnGen imports Max(z, alpha * z) with 0 < alpha <= 1, and Min(z, alpha * z) with alpha >= 1, as a leaky relu of slope alpha.", max);
            }

            return (mul, max, slope);
        }

        /// <summary>
        /// A Reshape that flattens and keeps the batch axis, as tf2onnx writes Keras's Flatten: to a constant [-1, n] or
        /// [0, n], n the features per example, or [0, -1]; it is Flatten at axis 1, and nothing on (N, n). The width after it.
        /// </summary>
        private long? Reshape(OnnxNodeProto node, string current, int rank, long? width)
        {
            if (node.Inputs.Count != 2 || node.Inputs[0] != current || !_constants.TryGetValue(node.Inputs[1], out OnnxTensorProto? target))
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} has the inputs ({string.Join(", ", node.Inputs.Select(n => "'" + n + "'"))}); DnnGen imports Reshape of the previous value '{current}' to a constant shape.", node);
            }

            long[]? to = Int64Values(target);
            bool allowZero = (node.Attribute("allowzero")?.I ?? 0) != 0;
            string features = width is long known ? Number(known) + " features per example" : "its features per example not known from the model";
            bool flattens = to is { Length: 2 } && !allowZero && (to[0] == 0 && to[1] == -1
                || (to[0] == -1 || to[0] == 0) && to[1] > 0 && (width is null ? rank == 2 : width == to[1]));
            if (!flattens)
            {
                string shape = to is null ? $"'{target.Name}' (not a constant INT64 tensor)" : "[" + string.Join(", ", to.Select(Number)) + "]" + (allowZero ? " with allowzero = 1" : "");
                throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(node))} reshapes '{current}' (rank {Number(rank)}, {features}) to {shape}; DnnGen imports Reshape only as a flatten that keeps the batch axis: to [-1, n] or [0, n], n the features per example, or to [0, -1].", node);
            }

            return to![1] > 0 ? to[1] : width;
        }

        /// <summary>The values of a small INT64 tensor (in raw_data or int64_data), or null when it is not one.</summary>
        private static long[]? Int64Values(OnnxTensorProto tensor)
        {
            const int Int64 = 7;
            if (tensor.DataType != Int64 || tensor.Elsewhere || tensor.Dims.Count != 1 || tensor.Dims[0] < 0 || tensor.Dims[0] > 8)
            {
                return null;
            }

            int count = (int)tensor.Dims[0];
            if (tensor.RawData is ArraySegment<byte> raw)
            {
                if (raw.Count != count * 8)
                {
                    return null;
                }

                var reader = new ProtobufReader(raw.Array!, raw.Offset, raw.Offset + raw.Count);
                return Enumerable.Range(0, count).Select(_ => unchecked((long)reader.ReadFixed64())).ToArray();
            }

            return tensor.Int64Data.Count == count ? tensor.Int64Data.ToArray() : null;
        }

        private static void Close(Layer? layer)
        {
            if (layer is not null)
            {
                layer.Bias ??= new double[layer.Units];
                layer.Activation ??= Activation.Linear;
            }
        }

        private Layer Dense(OnnxNodeProto node, string current, ref long? width)
        {
            bool gemm = node.OpType == "Gemm";
            bool transposed = false;
            if (gemm)
            {
                float alpha = node.Attribute("alpha")?.F ?? 1f;
                float beta = node.Attribute("beta")?.F ?? 1f;
                long transA = node.Attribute("transA")?.I ?? 0;
                transposed = (node.Attribute("transB")?.I ?? 0) != 0;
                if (alpha != 1f || beta != 1f || transA != 0)
                {
                    throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(node))} has alpha = {ShortestDecimal(alpha).ToString("R", CultureInfo.InvariantCulture)}, beta = {ShortestDecimal(beta).ToString("R", CultureInfo.InvariantCulture)} and transA = {Number(transA)}; DnnGen imports Gemm with alpha = 1, beta = 1 and transA = 0 (and any transB), as PyTorch and Keras export dense layers.", node);
                }
            }

            if (node.Inputs.Count < 2 || node.Inputs[0] != current || node.Inputs.Count > (gemm ? 3 : 2))
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} has the inputs ({string.Join(", ", node.Inputs.Select(n => "'" + n + "'"))}); DnnGen imports {node.OpType} of the previous value '{current}' by a constant weight matrix{(gemm ? ", plus an optional constant bias" : "")}.", node);
            }

            OnnxTensorProto weights = Constant(node, 1, "weights");
            if (weights.Dims.Count != 2 || weights.Dims[0] < 1 || weights.Dims[1] < 1)
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"{Capitalized(Describe(node))} multiplies by '{weights.Name}', of shape {Shape(weights.Dims)}; a dense layer's weights are a matrix with at least one row and one column.", node);
            }

            long rows = weights.Dims[0], columns = weights.Dims[1];
            long fanIn = transposed ? columns : rows, units = transposed ? rows : columns;
            string form = gemm ? $"with transB = {(transposed ? 1 : 0)}" : "as MatMul's B";
            if (width is long known && known != fanIn)
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"{Capitalized(Describe(node))} multiplies by '{weights.Name}' of shape {Shape(weights.Dims)} ({form}), which takes {Number(fanIn)} values per example, but the value '{current}' it takes has {Number(known)}; the shapes do not chain.", node);
            }

            double[] values = Values(weights, node, "weights");
            var w = new double[values.Length];
            for (long r = 0; r < rows; r++)
            {
                for (long c = 0; c < columns; c++)
                {
                    // DnnGen's W is (units, fanIn): Gemm's transB = 1 weights already are; the others are (fanIn, units).
                    long target = transposed ? r * columns + c : c * rows + r;
                    w[target] = values[r * columns + c];
                }
            }

            width = units;
            var layer = new Layer(node, (int)fanIn, (int)units, w);
            if (gemm && node.Inputs.Count == 3 && node.Inputs[2].Length > 0)
            {
                layer.Bias = Bias(Constant(node, 2, "bias"), node, layer);
            }

            _layers.Add(layer);
            return layer;
        }

        private void AddBias(OnnxNodeProto node, string current, Layer? open)
        {
            if (open is null || open.Bias is not null || open.Activation is not null)
            {
                string after = open is null ? "before any dense layer" : open.Activation is not null ? "after an activation" : "to a dense layer that has its bias already";
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} adds a constant {after}; DnnGen imports Add only as the bias of a MatMul (MatMul + Add) or of a Gemm without C.", node);
            }

            if (node.Inputs.Count != 2)
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} has {Number(node.Inputs.Count)} inputs; Add takes two, the value and the bias.", node);
            }

            open.Bias = Bias(Constant(node, node.Inputs[0] == current ? 1 : 0, "bias"), node, open);
        }

        /// <summary>The node's input <paramref name="index"/>, which must name a constant (the walk has checked it is not computed).</summary>
        private OnnxTensorProto Constant(OnnxNodeProto node, int index, string role)
            => _constants.TryGetValue(node.Inputs[index], out OnnxTensorProto? tensor)
                ? tensor
                : throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} has no {role} (its input {Number(index)} is empty); DnnGen imports dense layers whose {role} is a constant tensor.", node);

        /// <summary>A bias of n[l] values, or one value that Gemm and Add broadcast to every unit.</summary>
        private double[] Bias(OnnxTensorProto tensor, OnnxNodeProto node, Layer layer)
        {
            List<long> dims = tensor.Dims;
            bool perUnit = dims.Count == 1 && dims[0] == layer.Units || dims.Count == 2 && dims[0] == 1 && dims[1] == layer.Units;
            bool scalar = dims.Count == 0 || dims.All(d => d == 1);
            if (!perUnit && !scalar)
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"{Capitalized(Describe(node))} adds '{tensor.Name}' of shape {Shape(dims)} to a layer of {Number(layer.Units)} units; a bias has shape ({Number(layer.Units)},) or (1, {Number(layer.Units)}).", node);
            }

            double[] values = Values(tensor, node, "bias");
            if (values.Length == layer.Units)
            {
                return values;
            }

            var broadcast = new double[layer.Units];
            for (int i = 0; i < broadcast.Length; i++)
            {
                broadcast[i] = values[0];
            }

            _parameters += layer.Units - values.Length;
            return broadcast;
        }

        /// <summary>Makes <paramref name="node"/> the open layer's activation; <paramref name="slope"/> is a Max or Min node's (see <see cref="LeakyReluPair"/>).</summary>
        private void Activate(OnnxNodeProto node, Layer? open, int rank, double slope = 0)
        {
            if (open is null)
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} comes before any dense layer; DnnGen imports an activation only after a Gemm or a MatMul (+ Add).", node);
            }

            if (open.Activation is Activation previous)
            {
                throw Error(OnnxErrorKind.NotADenseChain, $"{Capitalized(Describe(node))} follows the {previous} activation of layer {Number(_layers.Count)}; a dense layer has one activation.", node);
            }

            open.Bias ??= new double[open.Units];
            open.ActivationNode = node;
            switch (node.OpType)
            {
                case "Relu":
                    open.Activation = Activation.Relu;
                    break;
                case "Tanh":
                    open.Activation = Activation.Tanh;
                    break;
                case "Sigmoid":
                    open.Activation = Activation.Sigmoid;
                    break;
                case "LeakyRelu":
                    float alpha = node.Attribute("alpha")?.F ?? 0.01f;
                    if (float.IsNaN(alpha) || float.IsInfinity(alpha) || alpha <= 0)
                    {
                        string value = float.IsNaN(alpha) || float.IsInfinity(alpha) ? alpha.ToString(CultureInfo.InvariantCulture) : ShortestDecimal(alpha).ToString("R", CultureInfo.InvariantCulture);
                        throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(node))} has alpha = {value}; DnnGen imports LeakyRelu with a finite alpha greater than 0 (an alpha of 0 is Relu).", node);
                    }

                    open.Activation = Activation.LeakyRelu;
                    _leakyRelus.Add((node, ShortestDecimal(alpha)));
                    break;
                case "Max":
                case "Min":
                    open.Activation = Activation.LeakyRelu;
                    _leakyRelus.Add((node, slope));
                    break;
                default:
                    // Softmax: opset 13 made -1 the default axis; before it was 1 (and it flattened at the axis). On the
                    // (N, units) values of a dense chain both are the last axis; only another axis is refused.
                    long defaultAxis = _model.DefaultOpset >= 13 ? -1 : 1;
                    long axis = node.Attribute("axis")?.I ?? defaultAxis;
                    if ((axis < 0 ? axis + rank : axis) != rank - 1)
                    {
                        throw Error(OnnxErrorKind.UnsupportedSoftmaxAxis, $"{Capitalized(Describe(node))} has axis = {Number(axis)} on values of shape (N, {Number(open.Units)}), which is not the last axis; DnnGen imports Softmax over each example's units, the last axis (torch's Softmax(dim=-1)).", node);
                    }

                    open.Activation = Activation.Softmax;
                    break;
            }
        }

        /// <summary>The tensor's values in row-major order, as doubles; checks its element type, its size and that every value is finite.</summary>
        private double[] Values(OnnxTensorProto tensor, OnnxNodeProto node, string role)
        {
            string what = $"'{tensor.Name}', the {role} of {Describe(node)},";
            if (tensor.Elsewhere)
            {
                throw Error(OnnxErrorKind.InvalidModel, $"The tensor {what} is stored outside the model (external data); DnnGen reads models that hold their tensors: export without external data (torch.onnx.export does for models under 2 GB).", node);
            }

            Precision precision = PrecisionOf(tensor.DataType) ?? throw Error(OnnxErrorKind.UnsupportedDataType,
                $"The tensor {what} is {OnnxDataType.Name(tensor.DataType)}; DnnGen imports float32 (FLOAT) and float64 (DOUBLE) networks.", node);
            if (_precision is Precision expected && expected != precision)
            {
                throw Error(OnnxErrorKind.UnsupportedDataType, $"The tensor {what} is {PrecisionName(precision)}, but {_precisionSource} is {PrecisionName(expected)}; a network has one element type.", node);
            }

            if (_precision is null)
            {
                _precision = precision;
                _precisionSource = $"the tensor '{tensor.Name}'";
            }

            long count = 1;
            foreach (long dim in tensor.Dims)
            {
                if (dim < 0 || dim > MaxParameters)
                {
                    throw Error(OnnxErrorKind.ShapeMismatch, $"The tensor {what} has shape {Shape(tensor.Dims)}, which no dense layer has.", node);
                }

                count *= dim;
                if (count > MaxParameters)
                {
                    break;
                }
            }

            _parameters += count;
            if (_parameters > MaxParameters)
            {
                throw Error(OnnxErrorKind.ShapeMismatch, $"The network's parameters reach {Number(_parameters)} at the tensor {what} more than a DnnGen network can hold ({Number(MaxParameters)}).", node);
            }

            // The data must hold exactly what the shape calls for before anything of that size is allocated.
            int size = precision == Precision.Double ? 8 : 4;
            if (tensor.RawData is ArraySegment<byte> held && held.Count != count * size)
            {
                throw Error(OnnxErrorKind.InvalidModel, $"The tensor {what} of shape {Shape(tensor.Dims)} holds {Number(held.Count)} bytes of raw data; {Number(count)} values of {PrecisionName(precision)} take {Number(count * size)}. The model is damaged.", node);
            }

            int typed = precision == Precision.Double ? tensor.DoubleData.Count : tensor.FloatData.Count;
            if (tensor.RawData is null && typed != count)
            {
                throw Error(OnnxErrorKind.InvalidModel, $"The tensor {what} of shape {Shape(tensor.Dims)} holds {Number(typed)} values in {(precision == Precision.Double ? "double_data" : "float_data")}; its shape calls for {Number(count)}. The model is damaged.", node);
            }

            var values = new double[count];
            if (tensor.RawData is ArraySegment<byte> raw)
            {
                var reader = new ProtobufReader(raw.Array!, raw.Offset, raw.Offset + raw.Count);
                for (long i = 0; i < count; i++)
                {
                    values[i] = precision == Precision.Double ? reader.ReadDouble() : reader.ReadFloat();
                }
            }
            else
            {
                for (int i = 0; i < typed; i++)
                {
                    values[i] = precision == Precision.Double ? tensor.DoubleData[i] : tensor.FloatData[i];
                }
            }

            for (long i = 0; i < count; i++)
            {
                if (double.IsNaN(values[i]) || double.IsInfinity(values[i]))
                {
                    throw Error(OnnxErrorKind.NonFiniteWeight, $"The tensor {what} holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {Number(i)} (row-major in {Shape(tensor.Dims)}); every weight and bias must be finite.", node);
                }
            }

            return values;
        }

        private OnnxReadResult Result()
        {
            if (_leakyRelus.Count > 0 && _leakyRelus.FirstOrDefault(l => l.Slope != _leakyRelus[0].Slope) is { Node: not null } differing)
            {
                throw Error(OnnxErrorKind.UnsupportedAttribute, $"{Capitalized(Describe(differing.Node))} has alpha = {differing.Slope.ToString("R", CultureInfo.InvariantCulture)}, but {Describe(_leakyRelus[0].Node)} has {_leakyRelus[0].Slope.ToString("R", CultureInfo.InvariantCulture)}; a DnnGen network has one leaky relu slope.", differing.Node);
            }

            // What ONNX allows but a DnnGen network cannot have (DNNG0021 and DNNG0022 for [Network]).
            for (int l = 0; l < _layers.Count; l++)
            {
                Layer layer = _layers[l];
                ActivationEntry entry = Activations.Of(layer.Activation!.Value);
                if (l < _layers.Count - 1 && !entry.HiddenAllowed)
                {
                    throw Error(OnnxErrorKind.UnsupportedLayer, $"{Capitalized(Describe(layer.ActivationNode!))} is the activation of hidden layer {Number(l + 1)}; DnnGen imports {entry.Name} only as the output layer's activation.", layer.ActivationNode);
                }

                if (l == _layers.Count - 1 && layer.Units < entry.MinimumUnits)
                {
                    throw Error(OnnxErrorKind.UnsupportedLayer, $"{Capitalized(Describe(layer.ActivationNode!))} is the activation of an output layer of {Number(layer.Units)} unit; DnnGen imports {entry.Name} outputs of at least {Number(entry.MinimumUnits)} units (a {entry.Name} of one unit is always 1: use Sigmoid).", layer.ActivationNode);
                }
            }

            var sizes = new int[_layers.Count + 1];
            sizes[0] = _layers[0].FanIn;
            var activations = new int[_layers.Count];
            var parameters = new List<double>();
            for (int l = 0; l < _layers.Count; l++)
            {
                Layer layer = _layers[l];
                sizes[l + 1] = layer.Units;
                activations[l] = (int)layer.Activation!.Value;
                parameters.AddRange(layer.Weights);
                parameters.AddRange(layer.Bias!);
            }

            double slope = _leakyRelus.Count > 0 ? _leakyRelus[0].Slope : NetworkModel.DefaultLeakyReluSlope;
            var network = new OnnxNetwork(
                new EquatableArray<int>(sizes),
                new EquatableArray<int>(activations),
                slope,
                _precision ?? Precision.Double,
                new EquatableArray<double>(parameters.ToArray()));
            return new OnnxReadResult(network, default);
        }
    }
}
