using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using DnnGen.Persistence;

namespace DnnGen;

/// <summary>
/// Exports any generated network as an ONNX model, for ONNX Runtime or anything else that reads ONNX: the network's
/// inference, with its weights inside the file.
/// </summary>
/// <remarks>
/// <para>
/// <b>The graph.</b> Input <c>x</c> of shape (batch, n[0]): one example per row, exactly the layout <c>Predict</c>
/// takes, with a symbolic batch dimension named <c>batch</c>, so that one model serves any number of examples. Then,
/// for each layer l = 1 .. L, a <c>Gemm</c> node (Z = A W^T + b, with <c>transB = 1</c>) whose B is the initializer
/// <c>Wl</c> of shape (n[l], n[l-1]) and whose C is <c>bl</c> of shape (n[l]), exactly the network's Parameters (the
/// names and shapes of <see cref="Npz"/>, biases as vectors), followed by the layer's activation node: <c>Relu</c>,
/// <c>LeakyRelu</c> (attribute <c>alpha</c>, the network's LeakyReluSlope; in double, see below), <c>Tanh</c>, <c>Sigmoid</c> or
/// <c>Softmax</c> (<c>axis = -1</c>, each example's values); a <see cref="Activation.Linear"/> layer has none. The
/// output, of shape (batch, n[L]), is named as <c>Predict</c>'s argument: <c>probabilities</c> for a classifier,
/// <c>predictions</c> for a regression (<see cref="Loss.SquaredError"/>).
/// </para>
/// <para>
/// <b>Types.</b> Every tensor has the network's element type: <c>float</c> (ONNX FLOAT, float32) or <c>double</c>
/// (DOUBLE, float64), so that ONNX Runtime computes in the precision the network does; parameters are stored exactly,
/// little-endian. ONNX's LeakyRelu takes its slope as a float32 attribute, and ONNX Runtime runs LeakyRelu (and PRelu)
/// on float32 only: so a double network's leaky relu layer is written as two nodes, <c>Mul</c> by a double scalar
/// initializer <c>slopel</c> and then <c>Max</c> of z and slope * z (<c>Min</c> for a slope above 1), which equals the
/// network's <c>z &gt; 0 ? z : z * slope</c> to the bit, the slope unrounded.
/// </para>
/// <para>
/// <b>The file.</b> ONNX IR version 8, the standard operator set (domain "") at version 13, producer "DnnGen", the
/// graph named after the network's class. It passes <c>onnx.checker.check_model(path, full_check=True)</c>, and ONNX
/// Runtime's outputs are within a few 1e-15 (double) or a few 1e-7 (float) of <c>Predict</c>'s, relative to the
/// larger of the output and 1 (its kernels sum in another order, and its float32 tanh and logistic are polynomial
/// approximations). The same parameters always give the same bytes. A save to a path is atomic, as <see cref="Npz"/>'s: through a temporary file in the same
/// folder, renamed over the destination.
/// </para>
/// </remarks>
public static class Onnx
{
    /// <summary>The file extension ONNX models have.</summary>
    public const string Extension = ".onnx";

    // The protobuf messages and field numbers of onnx/onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto),
    // message by message: only the fields this exporter writes, always in field-number order, as protobuf itself
    // serialises, so that re-serialising a loaded model gives the same bytes.
    private static class ModelProto
    {
        public const int IrVersion = 1;
        public const int ProducerName = 2;
        public const int ProducerVersion = 3;
        public const int Graph = 7;
        public const int OpsetImport = 8;
    }

    private static class OperatorSetIdProto
    {
        public const int Domain = 1;
        public const int Version = 2;
    }

    private static class GraphProto
    {
        public const int Node = 1;
        public const int Name = 2;
        public const int Initializer = 5;
        public const int DocString = 10;
        public const int Input = 11;
        public const int Output = 12;
    }

    private static class NodeProto
    {
        public const int Input = 1;
        public const int Output = 2;
        public const int Name = 3;
        public const int OpType = 4;
        public const int Attribute = 5;
    }

    private static class AttributeProto
    {
        public const int Name = 1;
        public const int F = 2;
        public const int I = 3;
        public const int Type = 20;

        // AttributeProto.AttributeType
        public const int Float = 1;
        public const int Int = 2;
    }

    private static class TensorProto
    {
        public const int Dims = 1;
        public const int DataType = 2;
        public const int Name = 8;
        public const int RawData = 9;

        // TensorProto.DataType
        public const int Float = 1;
        public const int Double = 11;
    }

    private static class ValueInfoProto
    {
        public const int Name = 1;
        public const int Type = 2;
    }

    private static class TypeProto
    {
        public const int TensorType = 1;

        // TypeProto.Tensor
        public const int ElemType = 1;
        public const int Shape = 2;
    }

    private static class TensorShapeProto
    {
        public const int Dim = 1;

        // TensorShapeProto.Dimension
        public const int DimValue = 1;
        public const int DimParam = 2;
    }

    // IR version 8 (ONNX 1.10) reads operator set 13 and later; 13 is the first whose Softmax normalises one axis
    // (the earlier ones flatten), and every operator used here is unchanged in meaning up to the newest sets.
    private const long IrVersion = 8;
    private const long OpsetVersion = 13;
    private const string BatchDimension = "batch";
    private const string InputName = "x";

    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="path"/> as an ONNX model (see <see cref="Onnx"/>'s remarks),
    /// atomically: through a temporary file in the same folder that is then renamed over <paramref name="path"/>.
    /// </summary>
    /// <param name="network">The network to export; it is not changed.</param>
    /// <param name="path">
    /// The file to write, usually ending in <see cref="Extension"/>; an existing file is replaced, keeping its Unix
    /// permissions. A symbolic link is followed, and its target replaced. Its folder must exist.
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty; a parameter is not finite (the message names it); or the network is not one an
    /// ONNX model can hold (its element type, sizes or activations; the message says what).
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder, a FIFO, a device or a socket, not a regular file; or the file could not be
    /// written. <paramref name="path"/> is left as it was.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    public static void SaveOnnx<T>(this INetwork<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Model model = Build(network);
        AtomicFile.Write(path, "the ONNX model", ".onnx-", file => Write(network, model, file));
    }

    /// <summary>
    /// Writes <paramref name="network"/> to <paramref name="destination"/> as an ONNX model (see <see cref="Onnx"/>'s
    /// remarks). Everything is checked before the first byte is written.
    /// </summary>
    /// <param name="network">The network to export; it is not changed.</param>
    /// <param name="destination">A writable stream; it is left open, positioned after the model.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is not writable; a parameter is not finite (the message names it); or the network
    /// is not one an ONNX model can hold (its element type, sizes or activations; the message says what).
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    public static void SaveOnnx<T>(this INetwork<T> network, Stream destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        Model model = Build(network);
        Write(network, model, destination);
    }

    // ---- Building ----

    /// <summary>
    /// One initializer: its TensorProto up to and including raw_data's tag and length (<see cref="Head"/>), then either
    /// <see cref="Count"/> values of the network's Parameters from <see cref="Offset"/>, or (Count 0) nothing more, its
    /// values being inside Head already.
    /// </summary>
    private sealed record Initializer(ProtoBuffer Head, int Offset, int Count, long Length);

    /// <summary>
    /// The whole model but the parameters' values: what goes before the initializers, the initializers, and what goes
    /// after them, with the lengths that let the values be written straight from Parameters to the destination.
    /// </summary>
    private sealed record Model(ProtoBuffer Head, ProtoBuffer GraphHead, Initializer[] Initializers, ProtoBuffer GraphTail, ProtoBuffer Tail);

    private static Model Build<T>(INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementType = ElementType<T>(network);
        int[] sizes = network.LayerSizes.ToArray();
        RequireSizes(sizes);
        Npz.RequireSavableParameters(network);
        Activation[] activations = network.Activations.ToArray();
        int layers = sizes.Length - 1;
        if (activations.Length != layers)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The network has {layers} layers (LayerSizes [{string.Join(", ", sizes)}]) but {activations.Length} Activations; one per layer is expected."),
                nameof(network));
        }

        double slope = activations.Contains(Activation.LeakyRelu) ? RequireSlope(network.LeakyReluSlope) : 0;
        string outputName = OutputName(network.Loss);

        var nodes = new ProtoBuffer();
        var initializers = new List<Initializer>();
        string previous = InputName;
        foreach (LayerSlot slot in ParameterLayout.Of(sizes))
        {
            int l = slot.Layer;
            string layer = l.ToString(CultureInfo.InvariantCulture);
            string weights = "W" + layer;
            string biases = "b" + layer;
            initializers.Add(ParameterTensor(weights, [slot.Rows, slot.Columns], elementType, slot.WeightOffset, slot.WeightCount));
            initializers.Add(ParameterTensor(biases, [slot.Rows], elementType, slot.BiasOffset, slot.Rows));

            Activation activation = activations[l - 1];
            string output = l == layers ? outputName : "A" + layer;
            string z = activation == Activation.Linear ? output : "Z" + layer;
            nodes.Message(GraphProto.Node, Node("Gemm", "gemm" + layer, [previous, weights, biases], z, Attribute.Int("transB", 1)));
            switch (activation)
            {
                case Activation.Linear:
                    break;
                case Activation.Relu:
                    nodes.Message(GraphProto.Node, Node("Relu", "relu" + layer, [z], output));
                    break;
                case Activation.LeakyRelu when elementType == TensorProto.Float:
                    nodes.Message(GraphProto.Node, Node("LeakyRelu", "leaky_relu" + layer, [z], output, Attribute.Float("alpha", (float)slope)));
                    break;
                case Activation.LeakyRelu:
                    // ONNX Runtime has LeakyRelu (and PRelu) for float32 only, and LeakyRelu's alpha is a float32: in
                    // double, leaky_relu(z) = max(z, slope * z) for a slope up to 1, min(z, slope * z) above, with the
                    // slope a double scalar. Both equal the network's "z > 0 ? z : z * slope" to the bit.
                    string slopeName = "slope" + layer;
                    string scaled = "Z" + layer + "_times_slope";
                    initializers.Add(ScalarTensor(slopeName, slope));
                    nodes.Message(GraphProto.Node, Node("Mul", "leaky_relu" + layer + "_scale", [z, slopeName], scaled));
                    nodes.Message(GraphProto.Node, Node(slope <= 1 ? "Max" : "Min", "leaky_relu" + layer, [z, scaled], output));
                    break;
                case Activation.Tanh:
                    nodes.Message(GraphProto.Node, Node("Tanh", "tanh" + layer, [z], output));
                    break;
                case Activation.Sigmoid:
                    nodes.Message(GraphProto.Node, Node("Sigmoid", "sigmoid" + layer, [z], output));
                    break;
                case Activation.Softmax:
                    nodes.Message(GraphProto.Node, Node("Softmax", "softmax" + layer, [z], output, Attribute.Int("axis", -1)));
                    break;
                default:
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Layer {l}'s activation is {activation}, which is not one of Relu, LeakyRelu, Tanh, Sigmoid, Linear and Softmax."),
                        nameof(network));
            }

            previous = output;
        }

        string className = network.GetType().Name;
        ProtoBuffer graphHead = nodes.String(GraphProto.Name, className);

        var graphTail = new ProtoBuffer()
            .String(GraphProto.DocString, Describe(className, sizes, activations, slope, network.Loss))
            .Message(GraphProto.Input, Value(InputName, elementType, sizes[0]))
            .Message(GraphProto.Output, Value(outputName, elementType, sizes[layers]));

        long graphLength = graphHead.Length + graphTail.Length;
        foreach (Initializer initializer in initializers)
        {
            graphLength += ProtoBuffer.TagSize(GraphProto.Initializer) + ProtoBuffer.VarintSize((ulong)initializer.Length) + initializer.Length;
        }

        var head = new ProtoBuffer()
            .Int64(ModelProto.IrVersion, IrVersion)
            .String(ModelProto.ProducerName, "DnnGen")
            .String(ModelProto.ProducerVersion, typeof(Onnx).Assembly.GetName().Version!.ToString(3))
            .LengthPrefix(ModelProto.Graph, graphLength);
        var tail = new ProtoBuffer()
            .Message(ModelProto.OpsetImport, new ProtoBuffer().String(OperatorSetIdProto.Domain, "").Int64(OperatorSetIdProto.Version, OpsetVersion));

        long length = head.Length + graphLength + tail.Length;
        if (length > int.MaxValue)
        {
            // A protobuf message is at most 2 GiB; ONNX keeps larger weights in external files, which this does not write.
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The network's {network.Parameters.Length} parameters make an ONNX model of {length} bytes, more than the 2 GiB ({int.MaxValue} bytes) one protobuf file can hold."),
                nameof(network));
        }

        return new Model(head, graphHead, [.. initializers], graphTail, tail);
    }

    private static int ElementType<T>(INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return TensorProto.Double;
        }

        if (typeof(T) == typeof(float))
        {
            return TensorProto.Float;
        }

        throw new ArgumentException($"The network computes in {typeof(T).Name}; ONNX export writes networks of float (float32) and double (float64).", nameof(network));
    }

    private static void RequireSizes(int[] sizes)
    {
        if (sizes.Length < 2 || sizes.Any(size => size < 1))
        {
            throw new ArgumentException(
                $"The network's LayerSizes are [{string.Join(", ", sizes)}]; at least two sizes, each at least 1, are expected.",
                "network");
        }
    }

    private static double RequireSlope(double slope)
    {
        if (!double.IsFinite(slope) || slope <= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The network's LeakyReluSlope is {slope}; a finite slope greater than 0 is expected."),
                "network");
        }

        return slope;
    }

    /// <summary>The output's name, Predict's argument's: probabilities for a classifier, predictions for a regression.</summary>
    private static string OutputName(Loss loss) => loss switch
    {
        Loss.BinaryCrossEntropy or Loss.CategoricalCrossEntropy => "probabilities",
        Loss.SquaredError => "predictions",
        _ => throw new ArgumentException(
            $"The network's Loss is {loss}, which is not one of BinaryCrossEntropy, CategoricalCrossEntropy and SquaredError.",
            "network"),
    };

    /// <summary>The graph's doc_string: what the network is, in words, for a viewer such as Netron.</summary>
    private static string Describe(string className, int[] sizes, Activation[] activations, double slope, Loss loss)
        => string.Create(CultureInfo.InvariantCulture, $"{className}, a DnnGen network of layer sizes [{string.Join(", ", sizes)}]; activations {string.Join(", ", activations.Select(activation => activation == Activation.LeakyRelu ? string.Create(CultureInfo.InvariantCulture, $"LeakyRelu (slope {slope:R})") : activation.ToString()))}; trained with {loss}.");

    /// <summary>An AttributeProto of type INT or FLOAT.</summary>
    private readonly record struct Attribute(string Name, int Type, long IntValue, float FloatValue)
    {
        public static Attribute Int(string name, long value) => new(name, AttributeProto.Int, value, 0);

        public static Attribute Float(string name, float value) => new(name, AttributeProto.Float, 0, value);

        public ProtoBuffer Encode()
        {
            var attribute = new ProtoBuffer().String(AttributeProto.Name, Name);
            if (Type == AttributeProto.Float)
            {
                attribute.Float(AttributeProto.F, FloatValue);
            }
            else
            {
                attribute.Int64(AttributeProto.I, IntValue);
            }

            return attribute.Int64(AttributeProto.Type, Type);
        }
    }

    private static ProtoBuffer Node(string opType, string name, string[] inputs, string output, params Attribute[] attributes)
    {
        var node = new ProtoBuffer();
        foreach (string input in inputs)
        {
            node.String(NodeProto.Input, input);
        }

        node.String(NodeProto.Output, output).String(NodeProto.Name, name).String(NodeProto.OpType, opType);
        foreach (Attribute attribute in attributes)
        {
            node.Message(NodeProto.Attribute, attribute.Encode());
        }

        return node;
    }

    /// <summary>A tensor's fields before raw_data: dims, data_type, name.</summary>
    private static ProtoBuffer TensorHead(string name, int[] dims, int elementType)
    {
        var tensor = new ProtoBuffer();
        foreach (int dim in dims)
        {
            tensor.Int64(TensorProto.Dims, dim);
        }

        return tensor.Int64(TensorProto.DataType, elementType).String(TensorProto.Name, name);
    }

    private static Initializer ParameterTensor(string name, int[] dims, int elementType, int offset, int count)
    {
        long rawLength = (long)count * (elementType == TensorProto.Double ? sizeof(double) : sizeof(float));
        ProtoBuffer head = TensorHead(name, dims, elementType).LengthPrefix(TensorProto.RawData, rawLength);
        return new Initializer(head, offset, count, head.Length + rawLength);
    }

    /// <summary>A double scalar (a tensor of shape ()), its value inside its head.</summary>
    private static Initializer ScalarTensor(string name, double value)
    {
        Span<byte> raw = stackalloc byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(raw, value);
        ProtoBuffer head = TensorHead(name, [], TensorProto.Double).LengthPrefix(TensorProto.RawData, raw.Length).Raw(raw);
        return new Initializer(head, 0, 0, head.Length);
    }

    /// <summary>A ValueInfoProto: a tensor of the element type and shape (batch, <paramref name="size"/>).</summary>
    private static ProtoBuffer Value(string name, int elementType, int size)
    {
        var shape = new ProtoBuffer()
            .Message(TensorShapeProto.Dim, new ProtoBuffer().String(TensorShapeProto.DimParam, BatchDimension))
            .Message(TensorShapeProto.Dim, new ProtoBuffer().Int64(TensorShapeProto.DimValue, size));
        var tensor = new ProtoBuffer().Int64(TypeProto.ElemType, elementType).Message(TypeProto.Shape, shape);
        return new ProtoBuffer()
            .String(ValueInfoProto.Name, name)
            .Message(ValueInfoProto.Type, new ProtoBuffer().Message(TypeProto.TensorType, tensor));
    }

    // ---- Writing ----

    private static void Write<T>(INetwork<T> network, Model model, Stream destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        destination.Write(model.Head.Written);
        destination.Write(model.GraphHead.Written);
        byte[] chunk = [];
        foreach (Initializer initializer in model.Initializers)
        {
            destination.Write(new ProtoBuffer().LengthPrefix(GraphProto.Initializer, initializer.Length).Written);
            destination.Write(initializer.Head.Written);
            if (initializer.Count > 0)
            {
                WriteLittleEndian(network.Parameters.Slice(initializer.Offset, initializer.Count), destination, ref chunk);
            }
        }

        destination.Write(model.GraphTail.Written);
        destination.Write(model.Tail.Written);
    }

    /// <summary>The values' bytes, little-endian: as they lie in memory on a little-endian machine, reversed on another.</summary>
    private static void WriteLittleEndian<T>(ReadOnlySpan<T> values, Stream destination, ref byte[] chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (BitConverter.IsLittleEndian)
        {
            destination.Write(bytes);
            return;
        }

        int size = typeof(T) == typeof(double) ? sizeof(double) : sizeof(float);
        if (chunk.Length == 0)
        {
            chunk = new byte[4096 * size];
        }

        for (int start = 0; start < bytes.Length; start += chunk.Length)
        {
            int count = Math.Min(chunk.Length, bytes.Length - start);
            bytes.Slice(start, count).CopyTo(chunk);
            for (int i = 0; i < count; i += size)
            {
                chunk.AsSpan(i, size).Reverse();
            }

            destination.Write(chunk, 0, count);
        }
    }
}
