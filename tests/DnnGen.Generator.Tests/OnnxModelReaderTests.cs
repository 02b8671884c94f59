using System.Collections.Generic;
using System.IO;
using System.Text;
using DnnGen.Generator.Onnx;
using DnnGen.Tests.Shared;
using FsCheck;
using FsCheck.Fluent;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The ONNX reader against PyTorch's own exports (OnnxModels/make_onnx_models.py): every model reads to the sizes,
/// activations, element type and state_dict of the network it was exported from, and the forward pass computed from
/// the weights it extracts gives PyTorch's outputs. Models it must refuse give errors that name the node; damaged and
/// random bytes give an error and never an exception.
/// </summary>
public class OnnxModelReaderTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Generator.Tests", "OnnxModels");

    public static TheoryData<string, int[], string[], string, double> ImportedModels()
    {
        var data = new TheoryData<string, int[], string[], string, double>();
        foreach ((string suffix, string precision) in new[] { ("f64", "Double"), ("f32", "Single") })
        {
            foreach (string form in new[] { "gemm", "matmul" })
            {
                data.Add($"sigmoid_{form}_{suffix}", [6, 5, 1], ["Relu", "Sigmoid"], precision, 0.01);
                data.Add($"softmax_{form}_{suffix}", [5, 8, 3], ["Tanh", "Softmax"], precision, 0.01);
                data.Add($"linear_{form}_{suffix}", [3, 7, 4, 2], ["LeakyRelu", "LeakyRelu", "Linear"], precision, 0.2);
            }
        }

        data.Add("softmax_gemm_transb0_f64", [5, 8, 3], ["Tanh", "Softmax"], "Double", 0.01);
        data.Add("softmax_opset11_f32", [5, 8, 3], ["Tanh", "Softmax"], "Single", 0.01);
        data.Add("linear_constants_f32", [3, 7, 4, 2], ["LeakyRelu", "LeakyRelu", "Linear"], "Single", 0.2);
        data.Add("keras_sigmoid_f32", [6, 5, 1], ["Relu", "Sigmoid"], "Single", 0.01);
        data.Add("keras_softmax_f64", [5, 8, 3], ["Tanh", "Softmax"], "Double", 0.01);
        data.Add("keras_linear_f64", [3, 7, 2], ["LeakyRelu", "Linear"], "Double", 0.3);
        return data;
    }

    [Theory]
    [MemberData(nameof(ImportedModels))]
    public void A_PyTorch_export_reads_to_its_network_and_state_dict(string model, int[] sizes, string[] activations, string precisionName, double slope)
    {
        Precision precision = Enum.Parse<Precision>(precisionName);
        OnnxReadResult result = OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, model + ".onnx")));

        result.Errors.ShouldBeEmpty();
        OnnxNetwork network = result.Network.ShouldNotBeNull();
        network.LayerSizes.ToArray().ShouldBe(sizes);
        Enumerable.Range(1, sizes.Length - 1).Select(l => network.ActivationOf(l).ToString()).ShouldBe(activations);
        network.Precision.ShouldBe(precision);
        network.LeakyReluSlope.ShouldBe(slope);

        // The script stores the state_dict as W1, b1, ... in DnnGen's layout; the reader's parameters are those, exactly.
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(Path.Combine(Folder, model + ".npz"));
        double[] expected = Enumerable.Range(1, sizes.Length - 1)
            .SelectMany(l => arrays["W" + l].ToDoubleArray().Concat(arrays["b" + l].ToDoubleArray()))
            .ToArray();
        arrays["W1"].ElementType.ShouldBe(precision == Precision.Double ? NumPyElementType.Float64 : NumPyElementType.Float32);
        network.Parameters.ToArray().ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(ImportedModels))]
    public void The_forward_pass_with_the_extracted_weights_gives_PyTorchs_outputs(string model, int[] sizes, string[] activations, string precisionName, double slope)
    {
        Precision precision = Enum.Parse<Precision>(precisionName);
        _ = activations;
        _ = slope;
        OnnxNetwork network = OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, model + ".onnx"))).Network.ShouldNotBeNull();
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(Path.Combine(Folder, model + ".npz"));
        double[] x = arrays["x"].ToDoubleArray(), y = arrays["y"].ToDoubleArray();
        int examples = arrays["x"].Shape[0];
        arrays["x"].Shape[1].ShouldBe(sizes[0]);
        double tolerance = precision == Precision.Double ? 1e-12 : 1e-6;

        double worst = 0;
        for (int m = 0; m < examples; m++)
        {
            double[] outputs = Forward(network, x.AsSpan(m * sizes[0], sizes[0]).ToArray());
            for (int k = 0; k < outputs.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(outputs[k] - y[m * outputs.Length + k]));
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{model}: largest difference from PyTorch {worst:e2}");
        worst.ShouldBeLessThanOrEqualTo(tolerance);
    }

    /// <summary>a[l] = g(W[l] a[l-1] + b[l]) in double, one example, from the reader's parameters alone.</summary>
    private static double[] Forward(OnnxNetwork network, double[] a)
    {
        int offset = 0;
        for (int l = 1; l < network.LayerSizes.Count; l++)
        {
            int units = network.LayerSizes[l], fanIn = network.LayerSizes[l - 1];
            var z = new double[units];
            for (int j = 0; j < units; j++)
            {
                double sum = network.Parameters[offset + units * fanIn + j];
                for (int i = 0; i < fanIn; i++)
                {
                    sum += network.Parameters[offset + j * fanIn + i] * a[i];
                }

                z[j] = sum;
            }

            offset += units * fanIn + units;
            double max = z.Max();
            double total = z.Sum(v => Math.Exp(v - max));
            a = network.ActivationOf(l) switch
            {
                Activation.Relu => z.Select(v => Math.Max(0, v)).ToArray(),
                Activation.LeakyRelu => z.Select(v => v >= 0 ? v : network.LeakyReluSlope * v).ToArray(),
                Activation.Tanh => z.Select(Math.Tanh).ToArray(),
                Activation.Sigmoid => z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(),
                Activation.Softmax => z.Select(v => Math.Exp(v - max) / total).ToArray(),
                _ => z,
            };
        }

        offset.ShouldBe(network.Parameters.Count);
        return a;
    }

    [Theory]
    [InlineData("unsupported_elu", "UnsupportedOperator", "/1/Elu", "Elu", "The Elu node '/1/Elu' is not supported: DnnGen imports " + OnnxModelReader.Supported + ".")]
    [InlineData("softmax_dim0", "UnsupportedSoftmaxAxis", "/1/Softmax", "Softmax", "The Softmax node '/1/Softmax' has axis = 0 on values of shape (N, 3), which is not the last axis")]
    [InlineData("residual_add", "NotADenseChain", "/Add", "Add", "is an input of 2 nodes (the Gemm node '/linear/Gemm', the Add node '/Add')")]
    [InlineData("sigmoid_float16", "UnsupportedDataType", null, null, "The graph's input 'x' is FLOAT16; DnnGen imports float32 (FLOAT) and float64 (DOUBLE) networks.")]
    [InlineData("shapes_mismatch", "ShapeMismatch", "/2/Gemm", "Gemm", "multiplies by '2.weight' of shape (3, 7) (with transB = 1), which takes 7 values per example, but the value '/1/Tanh_output_0' it takes has 8; the shapes do not chain.")]
    public void A_model_outside_the_supported_set_gives_an_error_naming_its_node(string model, string kind, string? node, string? opType, string message)
    {
        OnnxReadResult result = OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, model + ".onnx")));

        result.Network.ShouldBeNull();
        OnnxError error = result.Errors.ShouldHaveSingleItem();
        error.Kind.ToString().ShouldBe(kind);
        error.NodeName.ShouldBe(node);
        error.OpType.ShouldBe(opType);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Every_unsupported_node_is_reported_at_once()
    {
        byte[] model = Build.Model(Build.Graph(
            [Build.Node("Gemm", ["x", "W", "b"], ["z"], "dense"), Build.Node("Elu", ["z"], ["a"], "elu"), Build.Node("Gemm", ["a", "W2", "b2"], ["z2"], "dense2"), Build.Node("Selu", ["z2"], ["y"], "")],
            [Build.Tensor("W", [2, 2], [1, 2, 3, 4]), Build.Tensor("b", [2], [0, 0]), Build.Tensor("W2", [1, 2], [1, 1]), Build.Tensor("b2", [1], [0])]));

        OnnxReadResult result = OnnxModelReader.Read(model);

        result.Errors.Select(e => (e.Kind, e.NodeName, e.OpType)).ShouldBe([(OnnxErrorKind.UnsupportedOperator, "elu", "Elu"), (OnnxErrorKind.UnsupportedOperator, "", "Selu")]);
        result.Errors[1].Message.ShouldStartWith("The Selu node #3 (unnamed) is not supported");
    }

    public static TheoryData<string, string, string> HandMadeGraphs() => new()
    {
        { "gemm-alpha", "UnsupportedAttribute", "has alpha = 2, beta = 1 and transA = 0; DnnGen imports Gemm with alpha = 1, beta = 1 and transA = 0" },
        { "two-slopes", "UnsupportedAttribute", "The LeakyRelu node 'leaky2' has alpha = 0.3, but the LeakyRelu node 'leaky1' has 0.2; a DnnGen network has one leaky relu slope." },
        { "activation-first", "NotADenseChain", "The Relu node 'relu' comes before any dense layer" },
        { "two-activations", "NotADenseChain", "The Sigmoid node 'sigmoid' follows the Relu activation of layer 1; a dense layer has one activation." },
        { "two-inputs", "NotADenseChain", "The graph has 2 inputs ('x', 'x2')" },
        { "nan-weight", "NonFiniteWeight", "The tensor 'W', the weights of the Gemm node 'dense', holds NaN at index 2 (row-major in (2, 2))" },
        { "external-data", "InvalidModel", "The tensor 'W', the weights of the Gemm node 'dense', is stored outside the model (external data)" },
        { "short-raw-data", "InvalidModel", "The tensor 'W', the weights of the Gemm node 'dense', of shape (2, 2) holds 24 bytes of raw data; 4 values of DOUBLE (float64) take 32." },
        { "huge-dims", "InvalidModel", "of shape (2000000, 1000) holds 32 bytes of raw data" },
        { "stray-node", "NotADenseChain", "The Relu node 'stray' is not on the chain from the graph's input 'x' to its output 'y'" },
        { "bias-shape", "ShapeMismatch", "adds 'b' of shape (3,) to a layer of 2 units; a bias has shape (2,) or (1, 2)." },
        { "rank-3-input", "ShapeMismatch", "The Gemm node 'dense' takes 'x', which has shape (N, 2, 1); DnnGen's layers take (N, features): flatten the input first" },
        { "flatten-axis-2", "UnsupportedAttribute", "The Flatten node 'flatten' has axis = 2 on a value of rank 3; DnnGen imports Flatten at axis 1" },
        { "custom-domain", "UnsupportedOperator", "The com.microsoft.FusedGemm node 'fused' is not supported" },
        { "no-opset", "InvalidModel", "it has no opset of the default domain (ModelProto.opset_import)" },
        { "softmax-axis-0", "UnsupportedSoftmaxAxis", "The Softmax node 'softmax' has axis = 0 on values of shape (N, 2)" },
        { "int64-weights", "UnsupportedDataType", "The tensor 'W', the weights of the Gemm node 'dense', is INT64" },
        { "mixed-types", "UnsupportedDataType", "The tensor 'W', the weights of the Gemm node 'dense', is FLOAT (float32), but the graph's input 'x' is DOUBLE (float64); a network has one element type." },
        { "add-after-activation", "NotADenseChain", "The Add node 'add' adds a constant after an activation" },
        { "computed-weights", "NotADenseChain", "The MatMul node 'dense' takes the computed value 'x2' besides 'x'" },
        { "output-used", "NotADenseChain", "The graph's output 'z' is also an input of the Relu node 'relu'" },
        { "hidden-softmax", "UnsupportedLayer", "The Softmax node 'softmax' is the activation of hidden layer 1; DnnGen imports softmax only as the output layer's activation." },
        { "one-unit-softmax", "UnsupportedLayer", "The Softmax node 'softmax' is the activation of an output layer of 1 unit; DnnGen imports softmax outputs of at least 2 units" },
        { "zero-alpha", "UnsupportedAttribute", "The LeakyRelu node 'leaky' has alpha = 0; DnnGen imports LeakyRelu with a finite alpha greater than 0 (an alpha of 0 is Relu)." },
        { "negative-alpha", "UnsupportedAttribute", "The LeakyRelu node 'leaky' has alpha = -0.1; DnnGen imports LeakyRelu with a finite alpha greater than 0" },
        { "max-slope-above-1", "UnsupportedAttribute", "The Max node 'max' of 'z' and 1.5 * 'z' (the Mul node 'scale') is no leaky relu: DnnGen imports Max(z, alpha * z) with 0 < alpha <= 1, and Min(z, alpha * z) with alpha >= 1" },
        { "min-slope-below-1", "UnsupportedAttribute", "The Min node 'max' of 'z' and 0.5 * 'z' (the Mul node 'scale') is no leaky relu" },
        { "max-slope-0", "UnsupportedAttribute", "The Max node 'max' of 'z' and 0 * 'z' (the Mul node 'scale') is no leaky relu" },
        { "max-slope-vector", "UnsupportedAttribute", "The Mul node 'scale' multiplies 'z' by 'alpha', of shape (2,); DnnGen imports Max(z, Mul(z, alpha)) as a leaky relu when alpha is one value" },
        { "max-slope-float", "UnsupportedDataType", "The tensor 'alpha', the slope of the Mul node 'scale', is FLOAT (float32), but the graph's input 'x' is DOUBLE (float64)" },
        { "mul-alone", "UnsupportedOperator", "The Mul node 'scale' is not supported on its own: DnnGen imports Mul and Max only as a leaky relu, Max(z, Mul(z, alpha))" },
        { "max-of-other", "UnsupportedOperator", "The Max node 'max' is not supported on its own" },
        { "reshape-allowzero", "UnsupportedAttribute", "The Reshape node 'reshape' reshapes 'x' (rank 2, 2 features per example) to [0, -1] with allowzero = 1; DnnGen imports Reshape only as a flatten that keeps the batch axis: to [-1, n] or [0, n], n the features per example, or to [0, -1]." },
        { "reshape-rank-3-target", "UnsupportedAttribute", "The Reshape node 'reshape' reshapes 'x' (rank 2, 2 features per example) to [-1, 1, 2]" },
        { "reshape-float-shape", "UnsupportedAttribute", "The Reshape node 'reshape' reshapes 'x' (rank 2, 2 features per example) to 'shape' (not a constant INT64 tensor)" },
        { "reshape-unknown-features", "UnsupportedAttribute", "The Reshape node 'reshape' reshapes 'x' (rank 3, its features per example not known from the model) to [-1, 2]" },
        { "leaky-two-slopes", "UnsupportedAttribute", "The Max node 'max2' has alpha = 0.25, but the LeakyRelu node 'leaky1' has 0.2; a DnnGen network has one leaky relu slope." },
    };

    [Theory]
    [MemberData(nameof(HandMadeGraphs))]
    public void A_hand_made_graph_outside_the_supported_set_gives_its_error(string name, string kind, string message)
    {
        OnnxReadResult result = OnnxModelReader.Read(HandMade(name));

        result.Network.ShouldBeNull();
        OnnxError error = result.Errors.ShouldHaveSingleItem();
        error.Kind.ToString().ShouldBe(kind);
        error.Message.ShouldContain(message);
    }

    private static byte[] HandMade(string name)
    {
        var w = Build.Tensor("W", [2, 2], [1, 2, 3, 4]);
        var b = Build.Tensor("b", [2], [0.5, -0.5]);
        Proto Gemm(string input = "x", string output = "z") => Build.Node("Gemm", [input, "W", "b"], [output], "dense", Build.Int("transB", 1));
        byte[] Reshaped(double[] shape, params Proto[] attributes) => Build.Model(Build.Graph(
            [Build.Node("Reshape", ["x", "shape"], ["f"], "reshape", attributes), Gemm("f", "y")], [w, b, Build.Tensor("shape", [shape.Length], shape, dataType: 7)]));
        return name switch
        {
            "gemm-alpha" => Build.Model(Build.Graph([Build.Node("Gemm", ["x", "W", "b"], ["y"], "dense", Build.Float("alpha", 2))], [w, b])),
            "two-slopes" => Build.Model(Build.Graph(
                [Gemm(), Build.Node("LeakyRelu", ["z"], ["a"], "leaky1", Build.Float("alpha", 0.2f)), Build.Node("Gemm", ["a", "W", "b"], ["z2"], "dense2"), Build.Node("LeakyRelu", ["z2"], ["y"], "leaky2", Build.Float("alpha", 0.3f))],
                [w, b])),
            "activation-first" => Build.Model(Build.Graph([Build.Node("Relu", ["x"], ["a"], "relu"), Gemm("a", "y")], [w, b])),
            "two-activations" => Build.Model(Build.Graph([Gemm(), Build.Node("Relu", ["z"], ["a"], "relu"), Build.Node("Sigmoid", ["a"], ["y"], "sigmoid")], [w, b])),
            "two-inputs" => Build.Model(Build.Graph([Gemm("x", "y")], [w, b], extraInputs: [Build.Value("x2", 11, [-1, 2])])),
            "nan-weight" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2, 2], [1, 2, double.NaN, 4]), b])),
            "external-data" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2, 2], [1, 2, 3, 4]).Varint(14, 1), b])),
            "short-raw-data" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2, 2], [1, 2, 3]), b])),
            "huge-dims" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2_000_000, 1000], [1, 2, 3, 4]), b], inputWidth: 1000)),
            "stray-node" => Build.Model(Build.Graph([Gemm("x", "y"), Build.Node("Relu", ["W"], ["unused"], "stray")], [w, b])),
            "bias-shape" => Build.Model(Build.Graph([Gemm("x", "y")], [w, Build.Tensor("b", [3], [1, 2, 3])])),
            "rank-3-input" => Build.Model(Build.Graph([Gemm("x", "y")], [w, b], inputShape: [-1, 2, 1])),
            "flatten-axis-2" => Build.Model(Build.Graph([Build.Node("Flatten", ["x"], ["f"], "flatten", Build.Int("axis", 2)), Gemm("f", "y")], [w, b], inputShape: [-1, 2, 1])),
            "custom-domain" => Build.Model(Build.Graph([Build.Node("FusedGemm", ["x", "W", "b"], ["y"], "fused").String(7, "com.microsoft")], [w, b])),
            "no-opset" => Build.Model(Build.Graph([Gemm("x", "y")], [w, b]), opset: null),
            "softmax-axis-0" => Build.Model(Build.Graph([Gemm(), Build.Node("Softmax", ["z"], ["y"], "softmax", Build.Int("axis", 0))], [w, b])),
            "int64-weights" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2, 2], [1, 2, 3, 4], dataType: 7), b])),
            "mixed-types" => Build.Model(Build.Graph([Gemm("x", "y")], [Build.Tensor("W", [2, 2], [1, 2, 3, 4], dataType: 1), b])),
            "add-after-activation" => Build.Model(Build.Graph([Gemm(), Build.Node("Relu", ["z"], ["a"], "relu"), Build.Node("Add", ["a", "b"], ["y"], "add")], [w, b])),
            "computed-weights" => Build.Model(Build.Graph([Build.Node("Relu", ["W"], ["x2"], "from-constants"), Build.Node("MatMul", ["x", "x2"], ["y"], "dense")], [w, b])),
            "output-used" => Build.Model(Build.Graph([Gemm(), Build.Node("Relu", ["z"], ["a"], "relu")], [w, b], output: "z")),
            "hidden-softmax" => Build.Model(Build.Graph([Gemm(), Build.Node("Softmax", ["z"], ["a"], "softmax"), Build.Node("Gemm", ["a", "W", "b"], ["y"], "dense2")], [w, b])),
            "one-unit-softmax" => Build.Model(Build.Graph(
                [Build.Node("Gemm", ["x", "W1", "b1"], ["z"], "dense", Build.Int("transB", 1)), Build.Node("Softmax", ["z"], ["y"], "softmax")],
                [Build.Tensor("W1", [1, 2], [1, 2]), Build.Tensor("b1", [1], [0])])),
            "zero-alpha" => Build.Model(Build.Graph([Gemm(), Build.Node("LeakyRelu", ["z"], ["y"], "leaky", Build.Float("alpha", 0))], [w, b])),
            "negative-alpha" => Build.Model(Build.Graph([Gemm(), Build.Node("LeakyRelu", ["z"], ["y"], "leaky", Build.Float("alpha", -0.1f))], [w, b])),
            "max-slope-above-1" => Build.Model(Build.Graph([Gemm(), .. Leaky("z", "y", "Max")], [w, b, Build.Tensor("alpha", [], [1.5])])),
            "min-slope-below-1" => Build.Model(Build.Graph([Gemm(), .. Leaky("z", "y", "Min")], [w, b, Build.Tensor("alpha", [], [0.5])])),
            "max-slope-0" => Build.Model(Build.Graph([Gemm(), .. Leaky("z", "y", "Max")], [w, b, Build.Tensor("alpha", [], [0])])),
            "max-slope-vector" => Build.Model(Build.Graph([Gemm(), .. Leaky("z", "y", "Max")], [w, b, Build.Tensor("alpha", [2], [0.1, 0.2])])),
            "max-slope-float" => Build.Model(Build.Graph([Gemm(), .. Leaky("z", "y", "Max")], [w, b, Build.Tensor("alpha", [], [0.1], dataType: 1)])),
            "mul-alone" => Build.Model(Build.Graph([Gemm(), Build.Node("Mul", ["z", "alpha"], ["y"], "scale")], [w, b, Build.Tensor("alpha", [], [0.1])])),
            "max-of-other" => Build.Model(Build.Graph([Gemm(), Build.Node("Max", ["z", "alpha"], ["y"], "max")], [w, b, Build.Tensor("alpha", [], [0.1])])),
            "reshape-allowzero" => Reshaped([0, -1], Build.Int("allowzero", 1)),
            "reshape-rank-3-target" => Reshaped([-1, 1, 2]),
            "reshape-float-shape" => Build.Model(Build.Graph([Build.Node("Reshape", ["x", "shape"], ["f"], "reshape"), Gemm("f", "y")], [w, b, Build.Tensor("shape", [2], [-1, 2])])),
            "reshape-unknown-features" => Build.Model(Build.Graph([Build.Node("Reshape", ["x", "shape"], ["f"], "reshape"), Gemm("f", "y")], [w, b, Build.Tensor("shape", [2], [-1, 2], dataType: 7)], inputShape: [-1, -1, 2])),
            "leaky-two-slopes" => Build.Model(Build.Graph(
                [Gemm(), Build.Node("LeakyRelu", ["z"], ["a"], "leaky1", Build.Float("alpha", 0.2f)), Build.Node("Gemm", ["a", "W", "b"], ["z2"], "dense2"), .. Leaky("z2", "y", "Max", "2")],
                [w, b, Build.Tensor("alpha", [], [0.25])])),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such hand-made graph"),
        };
    }

    /// <summary>A leaky relu as SaveOnnx writes it in float64: s = Mul(z, alpha), then Max(z, s) (or Min).</summary>
    private static Proto[] Leaky(string z, string output, string op, string suffix = "", bool swapMul = false, bool swapMax = false)
    {
        string s = z + "_scaled";
        return
        [
            Build.Node("Mul", swapMul ? ["alpha", z] : [z, "alpha"], [s], "scale" + suffix),
            Build.Node(op, swapMax ? [s, z] : [z, s], [output], "max" + suffix),
        ];
    }

    [Theory]
    [InlineData("Max", false, false, false, 0.1)]
    [InlineData("Max", true, true, false, 0.1)]
    [InlineData("Max", false, true, true, 0.3)]
    [InlineData("Max", false, false, false, 1.0)]
    [InlineData("Min", true, false, false, 2.5)]
    public void Max_of_z_and_a_scaled_z_reads_as_a_leaky_relu_with_that_slope(string op, bool swapMul, bool swapMax, bool constantNode, double slope)
    {
        // The slope exactly, as a double: 0.1 and 0.3 have no float32 form.
        Proto alpha = Build.Tensor("alpha", [], [slope]);
        Proto[] nodes = [Build.Node("Gemm", ["x", "W", "b"], ["z"], "dense", Build.Int("transB", 1)), .. Leaky("z", "a", op, "", swapMul, swapMax), Build.Node("Gemm", ["a", "W2", "b2"], ["y"], "dense2", Build.Int("transB", 1))];
        Proto[] initializers = [Build.Tensor("W", [2, 2], [1, 2, 3, 4]), Build.Tensor("b", [2], [0.5, -0.5]), Build.Tensor("W2", [1, 2], [1, -1]), Build.Tensor("b2", [1], [0])];
        byte[] model = constantNode
            ? Build.Model(Build.Graph([Build.Node("Constant", [], ["alpha"], "slope", new Proto().String(1, "value").Message(5, alpha).Varint(20, 4)), .. nodes], initializers))
            : Build.Model(Build.Graph(nodes, [.. initializers, alpha]));

        OnnxReadResult result = OnnxModelReader.Read(model);

        result.Errors.ShouldBeEmpty();
        OnnxNetwork network = result.Network.ShouldNotBeNull();
        network.LayerSizes.ToArray().ShouldBe([2, 2, 1]);
        Enumerable.Range(1, 2).Select(network.ActivationOf).ToArray().ShouldBe([Activation.LeakyRelu, Activation.Linear]);
        network.LeakyReluSlope.ShouldBe(slope);
        network.Parameters.ToArray().ShouldBe([1, 2, 3, 4, 0.5, -0.5, 1, -1, 0]);
    }

    [Theory]
    [InlineData(new long[] { -1, 2 }, new long[] { -1, 2 })]
    [InlineData(new long[] { 0, 2 }, new long[] { -1, 2 })]
    [InlineData(new long[] { 0, -1 }, new long[] { -1, 2 })]
    [InlineData(new long[] { -1, 2 }, new long[] { -1, 1, 2 })]
    [InlineData(new long[] { 0, -1 }, new long[] { -1, 2, 1 })]
    [InlineData(new long[] { 0, -1 }, new long[] { -1, -1, 2 })]
    public void A_Reshape_that_keeps_the_batch_axis_reads_as_a_flatten(long[] shape, long[] input)
    {
        // (N, 2) to [-1, 2], [0, 2] or [0, -1] is nothing; (N, 1, 2) or (N, 2, 1) to (N, 2) is Flatten at axis 1.
        byte[] model = Build.Model(Build.Graph(
            [Build.Node("Reshape", ["x", "shape"], ["f"], "reshape"), Build.Node("Gemm", ["f", "W", "b"], ["y"], "dense", Build.Int("transB", 1))],
            [Build.Tensor("W", [2, 2], [1, 2, 3, 4]), Build.Tensor("b", [2], [0.5, -0.5]), Build.Tensor("shape", [2], shape.Select(d => (double)d).ToArray(), dataType: 7)],
            inputShape: input));

        OnnxReadResult result = OnnxModelReader.Read(model);

        result.Errors.ShouldBeEmpty();
        result.Network.ShouldNotBeNull().LayerSizes.ToArray().ShouldBe([2, 2]);
    }

    [Fact]
    public void Hand_made_forms_that_PyTorch_does_not_write_read_as_dense_layers()
    {
        // A Gemm without C and an Add for its bias (bias first), a MatMul with no bias at all, a scalar bias broadcast to
        // every unit, a Softmax without axis at opset 12 (default 1, the last axis of (N, units)), typed double_data.
        byte[] model = Build.Model(Build.Graph(
            [
                Build.Node("Gemm", ["x", "W"], ["z"], "", Build.Int("transB", 1)),
                Build.Node("Add", ["b", "z"], ["zb"], "bias"),
                Build.Node("Relu", ["zb"], ["a"], "relu"),
                Build.Node("MatMul", ["a", "W2"], ["a2"], "nobias"),
                Build.Node("Gemm", ["a2", "W3", "c"], ["z3"], "scalar"),
                Build.Node("Softmax", ["z3"], ["y"], "softmax"),
            ],
            [
                Build.Tensor("W", [2, 2], [1, 2, 3, 4]),
                Build.Tensor("b", [1, 2], [0.5, -0.5]),
                Build.Tensor("W2", [2, 3], [1, 2, 3, 4, 5, 6]),
                Build.TypedTensor("W3", [3, 2], [7, 8, 9, 10, 11, 12]),
                Build.Tensor("c", [], [0.25]),
            ]), opset: 12);

        OnnxReadResult result = OnnxModelReader.Read(model);

        result.Errors.ShouldBeEmpty();
        OnnxNetwork network = result.Network.ShouldNotBeNull();
        network.LayerSizes.ToArray().ShouldBe([2, 2, 3, 2]);
        Enumerable.Range(1, 3).Select(network.ActivationOf).ToArray().ShouldBe([Activation.Relu, Activation.Linear, Activation.Softmax]);
        network.Precision.ShouldBe(Precision.Double);
        network.Parameters.ToArray().ShouldBe([
            1, 2, 3, 4, 0.5, -0.5,        // Gemm transB = 1: W as stored; the bias from the Add
            1, 4, 2, 5, 3, 6, 0, 0, 0,    // MatMul's (2, 3) transposed to (3, 2); no bias
            7, 9, 11, 8, 10, 12, 0.25, 0.25]); // Gemm transB = 0 transposed; the scalar C for both units
    }

    [Fact]
    public void Reading_the_same_bytes_twice_gives_equal_results_for_the_incremental_pipeline()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Folder, "linear_gemm_f64.onnx"));

        OnnxReadResult first = OnnxModelReader.Read(bytes), second = OnnxModelReader.Read((byte[])bytes.Clone());

        second.ShouldBe(first);
        second.GetHashCode().ShouldBe(first.GetHashCode());
        OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, "linear_gemm_f32.onnx"))).ShouldNotBe(first);
        OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, "unsupported_elu.onnx")))
            .ShouldBe(OnnxModelReader.Read(File.ReadAllBytes(Path.Combine(Folder, "unsupported_elu.onnx"))));
    }

    [Theory]
    [InlineData(0.2f, 0.2)]
    [InlineData(0.01f, 0.01)]
    [InlineData(0.3f, 0.3)]
    [InlineData(1f / 3, 0.33333334)]
    [InlineData(-0.125f, -0.125)]
    public void A_float_attribute_becomes_the_decimal_it_was_written_as(float stored, double expected)
        => OnnxModelReader.ShortestDecimal(stored).ShouldBe(expected);

    [Theory]
    [InlineData("sigmoid_gemm_f64")]
    [InlineData("linear_constants_f32")]
    [InlineData("softmax_gemm_transb0_f64")]
    public void Every_truncation_of_a_model_is_an_invalid_model_error(string model)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Folder, model + ".onnx"));
        OnnxModelReader.Read(bytes).Network.ShouldNotBeNull();

        for (int length = 0; length < bytes.Length; length++)
        {
            OnnxReadResult result = OnnxModelReader.Read(bytes.AsSpan(0, length).ToArray());
            result.Network.ShouldBeNull($"the first {length} of {bytes.Length} bytes");
            result.Errors.ShouldHaveSingleItem().Kind.ShouldBe(OnnxErrorKind.InvalidModel, $"the first {length} of {bytes.Length} bytes: {result.Errors[0].Message}");
        }
    }

    [Fact]
    public void Bytes_that_are_no_model_give_an_error()
    {
        byte[] npz = File.ReadAllBytes(Path.Combine(Folder, "sigmoid_gemm_f64.npz"));
        byte[] text = Encoding.UTF8.GetBytes("[Network(2, 1)] public partial class NotAModel;\n");
        OnnxError Single(byte[] bytes) => OnnxModelReader.Read(bytes).Errors.ShouldHaveSingleItem();

        Single([]).Message.ShouldStartWith("The file is empty");
        Single(npz).Message.ShouldStartWith("The file is not a valid ONNX model (");
        Single(text).Kind.ShouldBe(OnnxErrorKind.InvalidModel);
        Single([0x08, 0x07]).Message.ShouldStartWith("The file is not an ONNX model: it holds no graph");
        Single([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]).Message.ShouldContain("a number of more than ten bytes at byte 11");
        Single([0x3A, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]).Message.ShouldContain("a field of 33554431 bytes where only 1 remain at byte 5");
        Single([0x4B]).Message.ShouldContain("a field of wire type 3, which ONNX does not use");

        var random = new Random(13);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            OnnxReadResult result = OnnxModelReader.Read(bytes);
            result.Network.ShouldBeNull();
            result.Errors.Count.ShouldBeGreaterThan(0);
        }
    }

    [Fact]
    public void Random_mutations_of_a_valid_model_never_crash_the_reader()
    {
        string[] models = ["sigmoid_gemm_f64", "softmax_matmul_f32", "linear_constants_f32", "softmax_gemm_transb0_f64"];
        byte[][] originals = models.Select(m => File.ReadAllBytes(Path.Combine(Folder, m + ".onnx"))).ToArray();
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("DNNGEN_FSCHECK_SEED"), out ulong chosen) ? chosen : 20251202;
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(3000)
            .WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15), Microsoft.FSharp.Core.FSharpOption<int>.None));
        int read = 0, refused = 0;

        Gen<Mutation> mutation =
            from kind in Gen.Choose(0, 4)
            from position in Gen.Choose(0, int.MaxValue)
            from value in Gen.Frequency((3, Gen.Choose(0, 255)), (1, Gen.Elements(0x00, 0x01, 0x7F, 0x80, 0xFF)))
            from length in Gen.Choose(1, 12)
            select new Mutation(kind, position, (byte)value, length);
        Gen<(int Model, Mutation[] Mutations)> cases =
            from model in Gen.Choose(0, originals.Length - 1)
            from count in Gen.Frequency((4, Gen.Constant(1)), (2, Gen.Choose(2, 4)), (1, Gen.Choose(5, 20)))
            from mutations in Gen.ArrayOf(mutation, count)
            select (model, mutations);

        Check.One(config, Prop.ForAll(Arb.From(cases), ((int Model, Mutation[] Mutations) c) =>
        {
            byte[] bytes = c.Mutations.Aggregate(originals[c.Model], (b, m) => m.Apply(b));
            OnnxReadResult result = OnnxModelReader.Read(bytes);
            if (result.Network is { } network)
            {
                result.Errors.Count.ShouldBe(0);
                network.LayerSizes.Count.ShouldBeGreaterThanOrEqualTo(2);
                network.Activations.Count.ShouldBe(network.LayerSizes.Count - 1);
                long parameters = Enumerable.Range(1, network.LayerSizes.Count - 1).Sum(l => (long)network.LayerSizes[l] * (network.LayerSizes[l - 1] + 1));
                network.Parameters.Count.ShouldBe((int)parameters);
                network.Parameters.ShouldAllBe(v => !double.IsNaN(v) && !double.IsInfinity(v));
                read++;
            }
            else
            {
                result.Errors.Count.ShouldBeGreaterThan(0);
                result.Errors.ShouldAllBe(e => e.Message.Length > 0);
                refused++;
            }
        }));

        TestContext.Current.SendDiagnosticMessage($"mutated models: {read} read as networks, {refused} refused with an error");
        read.ShouldBeGreaterThan(0, "some mutations (of a weight's bits, of a name) leave a model that still reads");
        refused.ShouldBeGreaterThan(1000);
    }

    /// <summary>One edit of a model's bytes: 0 set a byte, 1 flip a bit, 2 insert bytes, 3 delete bytes, 4 truncate.</summary>
    public sealed record Mutation(int Kind, int Position, byte Value, int Length)
    {
        public byte[] Apply(byte[] bytes)
        {
            var list = new List<byte>(bytes);
            int at = list.Count == 0 ? 0 : Position % (list.Count + (Kind == 2 ? 1 : 0));
            switch (Kind)
            {
                case 0 when list.Count > 0:
                    list[at] = Value;
                    break;
                case 1 when list.Count > 0:
                    list[at] ^= (byte)(1 << (Value % 8));
                    break;
                case 2:
                    list.InsertRange(at, Enumerable.Repeat(Value, Length));
                    break;
                case 3 when list.Count > 0:
                    list.RemoveRange(at, Math.Min(Length, list.Count - at));
                    break;
                case 4:
                    list.RemoveRange(at, list.Count - at);
                    break;
            }

            return list.ToArray();
        }
    }

    /// <summary>A protobuf message under construction: the test's own writer of the wire format, independent of the reader.</summary>
    private sealed class Proto
    {
        private readonly List<byte> _bytes = [];

        public Proto Varint(int field, long value)
        {
            Key(field, 0);
            WriteVarint(unchecked((ulong)value));
            return this;
        }

        public Proto Float(int field, float value)
        {
            Key(field, 5);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public Proto Bytes(int field, byte[] value)
        {
            Key(field, 2);
            WriteVarint((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto value) => Bytes(field, value.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Key(int field, int wireType) => WriteVarint((ulong)(field << 3 | wireType));

        public static byte[] VarintBytes(long value)
        {
            var bytes = new List<byte>();
            ulong rest = unchecked((ulong)value);
            while (rest >= 0x80)
            {
                bytes.Add((byte)(rest | 0x80));
                rest >>= 7;
            }

            bytes.Add((byte)rest);
            return bytes.ToArray();
        }

        private void WriteVarint(ulong value) => _bytes.AddRange(VarintBytes(unchecked((long)value)));
    }

    /// <summary>ONNX messages by onnx.proto's field numbers (see OnnxProto.cs), double by default, input 'x' (N, 2), output 'y'.</summary>
    private static class Build
    {
        public static byte[] Model(Proto graph, int? opset = 14)
        {
            var model = new Proto().Varint(1, 7).String(2, "DnnGen tests").Message(7, graph);
            if (opset is int version)
            {
                model.Message(8, new Proto().String(1, "").Varint(2, version));
            }

            return model.ToArray();
        }

        public static Proto Graph(Proto[] nodes, Proto[] initializers, Proto[]? extraInputs = null, int inputWidth = 2, long[]? inputShape = null, string output = "y")
        {
            var graph = new Proto();
            foreach (Proto node in nodes)
            {
                graph.Message(1, node);
            }

            graph.String(2, "hand-made");
            foreach (Proto tensor in initializers)
            {
                graph.Message(5, tensor);
            }

            graph.Message(11, Value("x", 11, inputShape ?? [-1, inputWidth]));
            foreach (Proto input in extraInputs ?? [])
            {
                graph.Message(11, input);
            }

            return graph.Message(12, Value(output, 11, null));
        }

        public static Proto Node(string opType, string[] inputs, string[] outputs, string name, params Proto[] attributes)
        {
            var node = new Proto();
            foreach (string input in inputs)
            {
                node.String(1, input);
            }

            foreach (string output in outputs)
            {
                node.String(2, output);
            }

            node.String(3, name).String(4, opType);
            foreach (Proto attribute in attributes)
            {
                node.Message(5, attribute);
            }

            return node;
        }

        public static Proto Int(string name, long value) => new Proto().String(1, name).Varint(3, value).Varint(20, 2);

        public static Proto Float(string name, float value) => new Proto().String(1, name).Float(2, value).Varint(20, 1);

        /// <summary>A tensor with its values in raw_data: doubles by default, floats for data type 1, int64 for 7.</summary>
        public static Proto Tensor(string name, long[] dims, double[] values, int dataType = 11)
        {
            var tensor = new Proto();
            foreach (long dim in dims)
            {
                tensor.Varint(1, dim);
            }

            byte[] raw = values.SelectMany(v => dataType switch
            {
                1 => BitConverter.GetBytes((float)v),
                7 => BitConverter.GetBytes((long)v),
                _ => BitConverter.GetBytes(v),
            }).ToArray();
            return tensor.Varint(2, dataType).String(8, name).Bytes(9, raw);
        }

        /// <summary>A double tensor with its values in double_data, packed, and its dims packed too.</summary>
        public static Proto TypedTensor(string name, long[] dims, double[] values)
        {
            return new Proto().Bytes(1, dims.SelectMany(Proto.VarintBytes).ToArray()).Varint(2, 11).String(8, name).Bytes(10, values.SelectMany(BitConverter.GetBytes).ToArray());
        }

        public static Proto Value(string name, int elementType, long[]? shape)
        {
            var tensorType = new Proto().Varint(1, elementType);
            if (shape is not null)
            {
                var dims = new Proto();
                foreach (long dim in shape)
                {
                    dims.Message(1, dim < 0 ? new Proto().String(2, "N") : new Proto().Varint(1, dim));
                }

                tensorType.Message(2, dims);
            }

            return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
        }
    }
}
