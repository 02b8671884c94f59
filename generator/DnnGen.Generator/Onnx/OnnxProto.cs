using System;
using System.Collections.Generic;

namespace DnnGen.Generator.Onnx;

// The parts of ONNX's messages the import reads, decoded from the wire format. Field numbers are those of
// onnx/onnx.proto (github.com/onnx/onnx, onnx/onnx.proto; the same in every IR version from 3 to 10, and in the copy
// Debian's python3-onnx 1.12 installs):
//   ModelProto        ir_version 1, producer_name 2, graph 7, opset_import 8
//   OperatorSetIdProto domain 1, version 2
//   GraphProto        node 1, name 2, initializer 5, input 11, output 12, sparse_initializer 15
//   NodeProto         input 1, output 2, name 3, op_type 4, attribute 5, domain 7
//   AttributeProto    name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
//   TensorProto       dims 1, data_type 2, segment 3, float_data 4, name 8, raw_data 9, double_data 10,
//                     external_data 13, data_location 14
//   ValueInfoProto    name 1, type 2;  TypeProto tensor_type 1;  TypeProto.Tensor elem_type 1, shape 2
//   TensorShapeProto  dim 1;  TensorShapeProto.Dimension dim_value 1, dim_param 2
// Every other field is skipped. These are plain mutable classes that live only inside one call of OnnxModelReader.Read;
// nothing of them reaches the incremental pipeline.

/// <summary>TensorProto.DataType's values that the import names in its messages.</summary>
internal static class OnnxDataType
{
    public const int Float = 1;
    public const int Double = 11;

    public static string Name(int dataType) => dataType switch
    {
        0 => "UNDEFINED",
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        _ => "data type " + dataType.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

internal sealed class OnnxModelProto
{
    public long IrVersion { get; private set; }

    public string ProducerName { get; private set; } = "";

    public OnnxGraphProto? Graph { get; private set; }

    /// <summary>The opset of the default domain ("" or "ai.onnx"), or 0 when the model imports none.</summary>
    public long DefaultOpset { get; private set; }

    public static OnnxModelProto Decode(byte[] bytes)
    {
        var model = new OnnxModelProto();
        var reader = new ProtobufReader(bytes);
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "ModelProto");
                    model.IrVersion = reader.ReadInt64();
                    break;
                case 2:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "ModelProto");
                    model.ProducerName = reader.ReadString();
                    break;
                case 7:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "ModelProto");
                    if (model.Graph is not null)
                    {
                        throw new OnnxFormatException("the model holds two graphs");
                    }

                    model.Graph = OnnxGraphProto.Decode(reader.ReadMessage());
                    break;
                case 8:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "ModelProto");
                    ProtobufReader opset = reader.ReadMessage();
                    string domain = "";
                    long version = 0;
                    while (opset.TryReadKey(out int f, out int w))
                    {
                        if (f == 1 && w == ProtobufReader.LengthDelimited)
                        {
                            domain = opset.ReadString();
                        }
                        else if (f == 2 && w == ProtobufReader.Varint)
                        {
                            version = opset.ReadInt64();
                        }
                        else
                        {
                            opset.Skip(w);
                        }
                    }

                    if (domain.Length == 0 || domain == "ai.onnx")
                    {
                        model.DefaultOpset = version;
                    }

                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return model;
    }
}

internal sealed class OnnxGraphProto
{
    public List<OnnxNodeProto> Nodes { get; } = new();

    public List<OnnxTensorProto> Initializers { get; } = new();

    public List<OnnxValueInfoProto> Inputs { get; } = new();

    public List<OnnxValueInfoProto> Outputs { get; } = new();

    public int SparseInitializers { get; private set; }

    public static OnnxGraphProto Decode(ProtobufReader reader)
    {
        var graph = new OnnxGraphProto();
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "GraphProto");
                    graph.Nodes.Add(OnnxNodeProto.Decode(reader.ReadMessage(), graph.Nodes.Count));
                    break;
                case 5:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "GraphProto");
                    graph.Initializers.Add(OnnxTensorProto.Decode(reader.ReadMessage()));
                    break;
                case 11:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "GraphProto");
                    graph.Inputs.Add(OnnxValueInfoProto.Decode(reader.ReadMessage()));
                    break;
                case 12:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "GraphProto");
                    graph.Outputs.Add(OnnxValueInfoProto.Decode(reader.ReadMessage()));
                    break;
                case 15:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "GraphProto");
                    reader.Skip(wire);
                    graph.SparseInitializers++;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return graph;
    }
}

internal sealed class OnnxNodeProto
{
    public List<string> Inputs { get; } = new();

    public List<string> Outputs { get; } = new();

    public string Name { get; private set; } = "";

    public string OpType { get; private set; } = "";

    public string Domain { get; private set; } = "";

    public List<OnnxAttributeProto> Attributes { get; } = new();

    /// <summary>The node's position in the graph, 0 first, to name a node that has no name.</summary>
    public int Index { get; private set; }

    public OnnxAttributeProto? Attribute(string name)
    {
        foreach (OnnxAttributeProto attribute in Attributes)
        {
            if (attribute.Name == name)
            {
                return attribute;
            }
        }

        return null;
    }

    public static OnnxNodeProto Decode(ProtobufReader reader, int index)
    {
        var node = new OnnxNodeProto { Index = index };
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.Inputs.Add(reader.ReadString());
                    break;
                case 2:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.Outputs.Add(reader.ReadString());
                    break;
                case 3:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.Name = reader.ReadString();
                    break;
                case 4:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.OpType = reader.ReadString();
                    break;
                case 5:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.Attributes.Add(OnnxAttributeProto.Decode(reader.ReadMessage()));
                    break;
                case 7:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "NodeProto");
                    node.Domain = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return node;
    }
}

internal sealed class OnnxAttributeProto
{
    public string Name { get; private set; } = "";

    /// <summary>AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, ...; 0 when absent (IR 1).</summary>
    public int Type { get; private set; }

    public float? F { get; private set; }

    public long? I { get; private set; }

    public OnnxTensorProto? T { get; private set; }

    public static OnnxAttributeProto Decode(ProtobufReader reader)
    {
        var attribute = new OnnxAttributeProto();
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "AttributeProto");
                    attribute.Name = reader.ReadString();
                    break;
                case 2:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Fixed32, "AttributeProto");
                    attribute.F = reader.ReadFloat();
                    break;
                case 3:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "AttributeProto");
                    attribute.I = reader.ReadInt64();
                    break;
                case 5:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "AttributeProto");
                    attribute.T = OnnxTensorProto.Decode(reader.ReadMessage());
                    break;
                case 20:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "AttributeProto");
                    attribute.Type = unchecked((int)reader.ReadVarint());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return attribute;
    }
}

internal sealed class OnnxTensorProto
{
    public List<long> Dims { get; } = new();

    public int DataType { get; private set; }

    public string Name { get; private set; } = "";

    public ArraySegment<byte>? RawData { get; private set; }

    public List<float> FloatData { get; } = new();

    public List<double> DoubleData { get; } = new();

    /// <summary>int64_data: the values of an INT64 tensor not held in raw_data, such as a Reshape's target shape.</summary>
    public List<long> Int64Data { get; } = new();

    /// <summary>True when the values are elsewhere: in an external file (data_location EXTERNAL, external_data) or a segment of a split tensor.</summary>
    public bool Elsewhere { get; private set; }

    public static OnnxTensorProto Decode(ProtobufReader reader)
    {
        var tensor = new OnnxTensorProto();
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == ProtobufReader.LengthDelimited:
                    ProtobufReader dims = reader.ReadMessage();
                    while (!dims.AtEnd)
                    {
                        tensor.Dims.Add(dims.ReadInt64());
                    }

                    break;
                case 1:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "TensorProto");
                    tensor.Dims.Add(reader.ReadInt64());
                    break;
                case 2:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "TensorProto");
                    tensor.DataType = unchecked((int)reader.ReadVarint());
                    break;
                case 3:
                    reader.Skip(wire);
                    tensor.Elsewhere = true;
                    break;
                case 4 when wire == ProtobufReader.LengthDelimited:
                    ProtobufReader floats = reader.ReadMessage();
                    while (!floats.AtEnd)
                    {
                        tensor.FloatData.Add(floats.ReadFloat());
                    }

                    break;
                case 4:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Fixed32, "TensorProto");
                    tensor.FloatData.Add(reader.ReadFloat());
                    break;
                case 7 when wire == ProtobufReader.LengthDelimited:
                    ProtobufReader longs = reader.ReadMessage();
                    while (!longs.AtEnd)
                    {
                        tensor.Int64Data.Add(longs.ReadInt64());
                    }

                    break;
                case 7:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "TensorProto");
                    tensor.Int64Data.Add(reader.ReadInt64());
                    break;
                case 8:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "TensorProto");
                    tensor.Name = reader.ReadString();
                    break;
                case 9:
                    ProtobufReader.Expect(field, wire, ProtobufReader.LengthDelimited, "TensorProto");
                    tensor.RawData = reader.ReadBytes();
                    break;
                case 10 when wire == ProtobufReader.LengthDelimited:
                    ProtobufReader doubles = reader.ReadMessage();
                    while (!doubles.AtEnd)
                    {
                        tensor.DoubleData.Add(doubles.ReadDouble());
                    }

                    break;
                case 10:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Fixed64, "TensorProto");
                    tensor.DoubleData.Add(reader.ReadDouble());
                    break;
                case 13:
                    reader.Skip(wire);
                    tensor.Elsewhere = true;
                    break;
                case 14:
                    ProtobufReader.Expect(field, wire, ProtobufReader.Varint, "TensorProto");
                    tensor.Elsewhere |= reader.ReadVarint() != 0;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return tensor;
    }
}

/// <summary>One dimension of a value's shape: a size, a symbolic name such as "N" (dim_param), or neither.</summary>
internal readonly struct OnnxDimension
{
    public OnnxDimension(long? value, string? parameter)
    {
        Value = value;
        Parameter = parameter;
    }

    public long? Value { get; }

    public string? Parameter { get; }

    public override string ToString()
        => Value is long v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : Parameter is { Length: > 0 } p ? p : "?";
}

internal sealed class OnnxValueInfoProto
{
    public string Name { get; private set; } = "";

    /// <summary>The tensor's element type, or null when the value has no tensor type.</summary>
    public int? ElementType { get; private set; }

    /// <summary>The tensor's shape, or null when the type gives none.</summary>
    public List<OnnxDimension>? Shape { get; private set; }

    public static OnnxValueInfoProto Decode(ProtobufReader reader)
    {
        var value = new OnnxValueInfoProto();
        while (reader.TryReadKey(out int field, out int wire))
        {
            if (field == 1 && wire == ProtobufReader.LengthDelimited)
            {
                value.Name = reader.ReadString();
            }
            else if (field == 2 && wire == ProtobufReader.LengthDelimited)
            {
                ProtobufReader type = reader.ReadMessage();
                while (type.TryReadKey(out int f, out int w))
                {
                    if (f == 1 && w == ProtobufReader.LengthDelimited)
                    {
                        value.DecodeTensorType(type.ReadMessage());
                    }
                    else
                    {
                        type.Skip(w);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return value;
    }

    private void DecodeTensorType(ProtobufReader reader)
    {
        while (reader.TryReadKey(out int field, out int wire))
        {
            if (field == 1 && wire == ProtobufReader.Varint)
            {
                ElementType = unchecked((int)reader.ReadVarint());
            }
            else if (field == 2 && wire == ProtobufReader.LengthDelimited)
            {
                Shape = new List<OnnxDimension>();
                ProtobufReader shape = reader.ReadMessage();
                while (shape.TryReadKey(out int f, out int w))
                {
                    if (f == 1 && w == ProtobufReader.LengthDelimited)
                    {
                        Shape.Add(DecodeDimension(shape.ReadMessage()));
                    }
                    else
                    {
                        shape.Skip(w);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    private static OnnxDimension DecodeDimension(ProtobufReader reader)
    {
        long? value = null;
        string? parameter = null;
        while (reader.TryReadKey(out int field, out int wire))
        {
            if (field == 1 && wire == ProtobufReader.Varint)
            {
                value = reader.ReadInt64();
            }
            else if (field == 2 && wire == ProtobufReader.LengthDelimited)
            {
                parameter = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return new OnnxDimension(value, parameter);
    }
}
