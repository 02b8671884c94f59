using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Numerics;
using DnnGen.Persistence;
using DnnGen.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace DnnGen.Runtime.Tests;

/// <summary>Leaky relu (slope 0.2, not a float32 value), tanh and softmax: issue 13's example.</summary>
[Network(4, 6, 5, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Softmax }, LeakyReluSlope = 0.2)]
public partial class OnnxLeakyTanhSoftmax;

/// <summary>The same in float32.</summary>
[Network(4, 6, 5, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Softmax }, LeakyReluSlope = 0.2, Precision = Precision.Single)]
public partial class OnnxLeakyTanhSoftmaxSingle;

/// <summary>The course's network: relu hidden layers, two sigmoid outputs with binary cross-entropy.</summary>
[Network(5, 7, 4, 2)]
public partial class OnnxReluSigmoid;

/// <summary>The same in float32.</summary>
[Network(5, 7, 4, 2, Precision = Precision.Single)]
public partial class OnnxReluSigmoidSingle;

/// <summary>A regression: tanh hidden layer, linear outputs, squared error.</summary>
[Network(3, 8, 2, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Linear)]
public partial class OnnxTanhRegression;

/// <summary>A float32 regression with sigmoid hidden layers.</summary>
[Network(3, 8, 6, 2, HiddenActivation = Activation.Sigmoid, OutputActivation = Activation.Linear, Precision = Precision.Single)]
public partial class OnnxSigmoidRegressionSingle;

/// <summary>A linear hidden layer (no activation node), a leaky relu of slope 1.5 (above 1) and PyTorch's default slope's float twin.</summary>
[Network(6, 5, 4, 3, Activations = new[] { Activation.Linear, Activation.LeakyRelu, Activation.Sigmoid }, LeakyReluSlope = 1.5)]
public partial class OnnxLinearLeakySigmoid;

/// <summary>Leaky relu with the default slope 0.01, in float32, into a softmax.</summary>
[Network(6, 5, 4, Activations = new[] { Activation.LeakyRelu, Activation.Softmax }, Precision = Precision.Single)]
public partial class OnnxLeakySoftmaxSingle;

/// <summary>L = 1: softmax regression.</summary>
[Network(6, 3, OutputActivation = Activation.Softmax)]
public partial class OnnxSoftmaxRegression;

/// <summary>L = 1: logistic regression in float32.</summary>
[Network(4, 1, Precision = Precision.Single)]
public partial class OnnxLogisticRegressionSingle;

/// <summary>L = 1: a linear regression, one output.</summary>
[Network(3, 1, OutputActivation = Activation.Linear)]
public partial class OnnxLinearRegression;

/// <summary>
/// SaveOnnx: every exported network runs in ONNX Runtime (the Microsoft.ML.OnnxRuntime package) and gives Predict's
/// outputs, for every activation, in double and float, on batches of several sizes; the file is deterministic,
/// written atomically, and, where python3 has the onnx package, passes onnx.checker with full_check.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    /// <summary>Batch sizes: one example, a few, many; one model serves them all through its symbolic dimension.</summary>
    private static readonly int[] BatchSizes = [1, 3, 64];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dnngen-onnx-" + Guid.NewGuid().ToString("N"));

    public OnnxExportTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>What each network's export is checked against: its ops, in graph order.</summary>
    private sealed record Case(Func<object> Create, string Ops);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        [nameof(OnnxLeakyTanhSoftmax)] = new(() => Seeded(new OnnxLeakyTanhSoftmax(), 11), "Gemm Mul Max Gemm Tanh Gemm Softmax"),
        [nameof(OnnxLeakyTanhSoftmaxSingle)] = new(() => Seeded(new OnnxLeakyTanhSoftmaxSingle(), 12), "Gemm LeakyRelu Gemm Tanh Gemm Softmax"),
        [nameof(OnnxReluSigmoid)] = new(() => Seeded(new OnnxReluSigmoid(), 13), "Gemm Relu Gemm Relu Gemm Sigmoid"),
        [nameof(OnnxReluSigmoidSingle)] = new(() => Seeded(new OnnxReluSigmoidSingle(), 14), "Gemm Relu Gemm Relu Gemm Sigmoid"),
        [nameof(OnnxTanhRegression)] = new(() => Seeded(new OnnxTanhRegression(), 15), "Gemm Tanh Gemm"),
        [nameof(OnnxSigmoidRegressionSingle)] = new(() => Seeded(new OnnxSigmoidRegressionSingle(), 16), "Gemm Sigmoid Gemm Sigmoid Gemm"),
        [nameof(OnnxLinearLeakySigmoid)] = new(() => Seeded(new OnnxLinearLeakySigmoid(), 17), "Gemm Gemm Mul Min Gemm Sigmoid"),
        [nameof(OnnxLeakySoftmaxSingle)] = new(() => Seeded(new OnnxLeakySoftmaxSingle(), 18), "Gemm LeakyRelu Gemm Softmax"),
        [nameof(OnnxSoftmaxRegression)] = new(() => Seeded(new OnnxSoftmaxRegression(), 19), "Gemm Softmax"),
        [nameof(OnnxLogisticRegressionSingle)] = new(() => Seeded(new OnnxLogisticRegressionSingle(), 20), "Gemm Sigmoid"),
        [nameof(OnnxLinearRegression)] = new(() => Seeded(new OnnxLinearRegression(), 21), "Gemm"),
    };

    public static TheoryData<string> Networks() => new(Cases.Keys);

    /// <summary>
    /// Every parameter, biases included, drawn from N(0, 1): zero biases (as InitializeParameters leaves them) would
    /// not show a bias read from the wrong place.
    /// </summary>
    private static TNetwork Seeded<TNetwork>(TNetwork network, uint seed)
        where TNetwork : class
    {
        var random = new NumPyRandom(seed);
        switch (network)
        {
            case INetwork<double> doubles:
                random.FillStandardNormal(doubles.Parameters);
                break;
            case INetwork<float> floats:
                var values = new double[floats.Parameters.Length];
                random.FillStandardNormal(values);
                for (int i = 0; i < values.Length; i++)
                {
                    floats.Parameters[i] = (float)values[i];
                }

                break;
        }

        return network;
    }

    private static byte[] Export<T>(INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        network.SaveOnnx(stream);
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Onnx_Runtime_gives_Predicts_outputs_on_batches_of_every_size(string name)
    {
        object network = Cases[name].Create();
        Differences largest = network switch
        {
            INetwork<double> doubles => Compare(doubles, tolerance: 1e-12),
            INetwork<float> floats => Compare(floats, tolerance: 1e-6),
            _ => throw new InvalidOperationException(name),
        };

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{name}: largest difference {largest.Absolute:E2}, relative to max(|Predict|, 1) {largest.Scaled:E2}, relative {largest.Relative:E2}");
    }

    /// <summary>The largest differences seen between ONNX Runtime's outputs and Predict's.</summary>
    private readonly record struct Differences(double Absolute, double Scaled, double Relative);

    /// <summary>
    /// Exports to a stream and to a file (the same bytes), runs the model in ONNX Runtime on batches of
    /// <see cref="BatchSizes"/> examples, and asserts every output within <paramref name="tolerance"/> of Predict's,
    /// relative to max(|Predict's|, 1): relative for outputs above 1, absolute for probabilities. (Relative alone
    /// would judge tiny probabilities by ONNX Runtime's float32 logistic, a polynomial good to about 1e-7 absolute,
    /// and its double sigmoid, 1 - 1 / (1 + e^-|z|) for z &lt; 0, which loses the low digits of an output near 0.)
    /// Returns the largest differences: absolute, as asserted, and purely relative.
    /// </summary>
    private Differences Compare<T>(INetwork<T> network, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] model = Export(network);
        string path = Path.Combine(_folder, network.GetType().Name + Onnx.Extension);
        network.SaveOnnx(path);
        Assert.Equal(model, File.ReadAllBytes(path));

        int inputs = network.LayerSizes[0];
        int outputs = network.LayerSizes[^1];
        var largest = new Differences(0, 0, 0);
        using var fromBytes = new InferenceSession(model);
        using var fromFile = new InferenceSession(path);
        AssertSignature(fromBytes, network);
        var random = new NumPyRandom(7);
        foreach (int m in BatchSizes)
        {
            double[] drawn = new double[m * inputs];
            random.FillStandardNormal(drawn);
            T[] x = drawn.Select(T.CreateChecked).ToArray();
            var expected = new T[m * outputs];
            network.Predict(x, expected);

            foreach (InferenceSession session in new[] { fromBytes, fromFile })
            {
                T[] actual = Run(session, x, m, inputs);
                Assert.Equal(expected.Length, actual.Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    double want = double.CreateChecked(expected[i]);
                    double got = double.CreateChecked(actual[i]);
                    double difference = Math.Abs(got - want);
                    double scaled = difference / Math.Max(Math.Abs(want), 1);
                    largest = new Differences(
                        Math.Max(largest.Absolute, difference),
                        Math.Max(largest.Scaled, scaled),
                        Math.Max(largest.Relative, difference / Math.Max(Math.Abs(want), double.Epsilon)));
                    Assert.True(
                        scaled <= tolerance,
                        $"{network.GetType().Name}, m = {m}, output {i}: ONNX Runtime gives {got:R}, Predict {want:R}; the difference {scaled:E3} (relative to max(|Predict|, 1)) > {tolerance:E0}.");
                }
            }
        }

        return largest;
    }

    /// <summary>Input x (batch, n[0]) and one output (batch, n[L]) named as Predict's argument, of the network's type.</summary>
    private static void AssertSignature<T>(InferenceSession session, INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        NodeMetadata input = Assert.Single(session.InputMetadata, pair => pair.Key == "x").Value;
        Assert.Single(session.InputMetadata);
        Assert.Equal(typeof(T), input.ElementType);
        Assert.Equal([-1, network.LayerSizes[0]], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);

        KeyValuePair<string, NodeMetadata> output = Assert.Single(session.OutputMetadata);
        Assert.Equal(network.Loss == Loss.SquaredError ? "predictions" : "probabilities", output.Key);
        Assert.Equal(typeof(T), output.Value.ElementType);
        Assert.Equal([-1, network.LayerSizes[^1]], output.Value.Dimensions);
        Assert.Equal("batch", output.Value.SymbolicDimensions[0]);

        ModelMetadata metadata = session.ModelMetadata;
        Assert.Equal("DnnGen", metadata.ProducerName);
        Assert.Equal(network.GetType().Name, metadata.GraphName);
    }

    private static T[] Run<T>(InferenceSession session, T[] x, int m, int inputs)
        where T : unmanaged
    {
        using var options = new RunOptions();
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, [m, inputs]);
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(options, ["x"], [input], session.OutputNames);
        OrtValue output = Assert.Single(results);
        Assert.Equal([m, (long)session.OutputMetadata.Single().Value.Dimensions[1]], output.GetTensorTypeAndShape().Shape);
        return output.GetTensorDataAsSpan<T>().ToArray();
    }

    [Fact]
    public void The_same_network_always_gives_the_same_bytes_and_other_parameters_other_bytes()
    {
        var network = Seeded(new OnnxLeakyTanhSoftmax(), 3);
        byte[] first = Export(network);
        byte[] again = Export(Seeded(new OnnxLeakyTanhSoftmax(), 3));
        string path = Path.Combine(_folder, "model.onnx");
        network.SaveOnnx(path);

        Assert.Equal(first, Export(network));
        Assert.Equal(first, again);
        Assert.Equal(first, File.ReadAllBytes(path));

        network.Parameters[^1] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(network.Parameters[^1]) + 1);
        byte[] changed = Export(network);
        Assert.Equal(first.Length, changed.Length);
        Assert.Single(Enumerable.Range(0, first.Length), i => first[i] != changed[i]);
    }

    [Fact]
    public void The_parameters_are_stored_exactly_little_endian_in_the_networks_type()
    {
        var network = Seeded(new OnnxReluSigmoid(), 4);
        var single = Seeded(new OnnxReluSigmoidSingle(), 4);
        byte[] doubles = Export(network);
        byte[] floats = Export(single);

        // W1 and b1 lie whole in the file: their raw_data are Parameters' bytes, in order.
        int w1 = 7 * 5, b1 = 7;
        byte[] doubleBytes = new byte[(w1 + b1) * sizeof(double)];
        byte[] floatBytes = new byte[(w1 + b1) * sizeof(float)];
        for (int i = 0; i < w1 + b1; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(doubleBytes.AsSpan(i * sizeof(double)), network.Parameters[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(floatBytes.AsSpan(i * sizeof(float)), single.Parameters[i]);
        }

        Assert.True(Contains(doubles, doubleBytes.AsSpan(0, w1 * sizeof(double))), "W1's float64 bytes");
        Assert.True(Contains(doubles, doubleBytes.AsSpan(w1 * sizeof(double))), "b1's float64 bytes");
        Assert.True(Contains(floats, floatBytes.AsSpan(0, w1 * sizeof(float))), "W1's float32 bytes");
        Assert.True(Contains(floats, floatBytes.AsSpan(w1 * sizeof(float))), "b1's float32 bytes");
        Assert.False(Contains(floats, doubleBytes.AsSpan(0, 16)), "a float network holds no float64 weights");

        static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
    }

    [Fact]
    public void A_save_to_a_path_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_folder, "model.onnx");
        File.WriteAllText(path, "an older file");
        var network = Seeded(new OnnxTanhRegression(), 5);

        network.SaveOnnx(path);

        Assert.Equal([path], Directory.GetFileSystemEntries(_folder));
        Assert.Equal(Export(network), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_network_with_a_non_finite_parameter_is_refused_and_the_old_file_left_as_it_was()
    {
        string path = Path.Combine(_folder, "model.onnx");
        var network = Seeded(new OnnxReluSigmoid(), 6);
        network.SaveOnnx(path);
        byte[] before = File.ReadAllBytes(path);
        network.W2[5] = double.PositiveInfinity;

        var error = Assert.Throws<ArgumentException>(() => network.SaveOnnx(path));
        using var stream = new MemoryStream();
        var streamError = Assert.Throws<ArgumentException>(() => network.SaveOnnx(stream));

        Assert.Equal("network", error.ParamName);
        Assert.Contains("W2[0, 5] is Infinity", error.Message);
        Assert.Contains("non-finite parameters is not saved", error.Message);
        Assert.Equal(error.Message, streamError.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_folder));
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file()
    {
        string path = Path.Combine(_folder, "model.onnx");
        File.WriteAllText(path, "the old model");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, "the ONNX model", ".onnx-", file =>
        {
            file.Write(new byte[1000]);
            throw new IOException("the disk is full");
        }));

        Assert.Equal("the disk is full", error.Message);
        Assert.Equal("the old model", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void Destinations_that_are_not_files_are_refused_with_the_model_named()
    {
        var network = Seeded(new OnnxLinearRegression(), 8);
        string missing = Path.Combine(_folder, "absent", "model.onnx");

        var folder = Assert.Throws<IOException>(() => network.SaveOnnx(_folder));
        var absent = Assert.Throws<DirectoryNotFoundException>(() => network.SaveOnnx(missing));

        Assert.Equal($"Cannot save the ONNX model to '{_folder}': it is a folder.", folder.Message);
        Assert.Contains($"the folder '{Path.Combine(_folder, "absent")}' does not exist", absent.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void Bad_arguments_name_themselves()
    {
        var network = Seeded(new OnnxLinearRegression(), 9);
        using var readOnly = new MemoryStream(new byte[16], writable: false);

        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => ((INetwork<double>)null!).SaveOnnx(new MemoryStream())).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => ((INetwork<double>)null!).SaveOnnx("model.onnx")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => network.SaveOnnx((string)null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => network.SaveOnnx("")).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentNullException>(() => network.SaveOnnx((Stream)null!)).ParamName);
        var notWritable = Assert.Throws<ArgumentException>(() => network.SaveOnnx(readOnly));
        Assert.Equal("destination", notWritable.ParamName);
        Assert.StartsWith("The stream is not writable.", notWritable.Message);
    }

    /// <summary>States no generated network is in, each refused with what was expected and found.</summary>
    public static TheoryData<string, string> Unexportable() => new()
    {
        { "activations", "The network has 2 layers (LayerSizes [5, 4, 3]) but 1 Activations; one per layer is expected." },
        { "activation", "Layer 2's activation is 42, which is not one of Relu, LeakyRelu, Tanh, Sigmoid, Linear and Softmax." },
        { "slope", "The network's LeakyReluSlope is NaN; a finite slope greater than 0 is expected." },
        { "loss", "The network's Loss is 9, which is not one of BinaryCrossEntropy, CategoricalCrossEntropy and SquaredError." },
        { "sizes", "The network's LayerSizes are [5]; at least two sizes, each at least 1, are expected." },
    };

    [Theory]
    [MemberData(nameof(Unexportable))]
    public void A_network_that_is_not_a_dense_network_DnnGen_generates_is_refused(string what, string message)
    {
        HandWrittenNetwork network = what switch
        {
            "activations" => new([5, 4, 3], Optimizer.GradientDescent) { ActivationsSet = [Activation.Relu] },
            "activation" => new([5, 4, 3], Optimizer.GradientDescent) { ActivationsSet = [Activation.Relu, (Activation)42] },
            "slope" => new([5, 4, 3], Optimizer.GradientDescent) { ActivationsSet = [Activation.LeakyRelu, Activation.Sigmoid], LeakyReluSlope = double.NaN },
            "loss" => new([5, 4, 3], Optimizer.GradientDescent) { Loss = (Loss)9 },
            _ => new([5], Optimizer.GradientDescent) { ActivationsSet = [] },
        };
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => network.SaveOnnx(stream));

        Assert.Equal("network", error.ParamName);
        Assert.StartsWith(message, error.Message);
        Assert.Equal(0, stream.Length);
    }

    /// <summary>
    /// onnx.checker.check_model(path, full_check=True) on every exported model, run by python3 with Debian's
    /// python3-onnx (check_onnx.py), which also re-serialises each file and infers its output's shape. Skipped with a
    /// message where python3 or its onnx module is missing; under CI=true, where .ci/run installs python3-onnx, it fails
    /// instead.
    /// </summary>
    [Fact]
    public void Every_exported_model_passes_the_ONNX_checker()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            Prerequisite.Missing($"{python} is not installed; the ONNX checker test needs it with the onnx module (apt-get install python3-onnx).");
        }

        (int probe, _, string probeError) = RunProcess(python, ["-c", "import onnx"]);
        if (probe != 0)
        {
            Prerequisite.Missing($"{python} cannot import onnx ({probeError.Trim().Split('\n')[^1]}); the ONNX checker test needs it (apt-get install python3-onnx).");
        }

        var expected = new List<string>();
        var paths = new List<string>();
        foreach ((string name, Case @case) in Cases)
        {
            object network = @case.Create();
            string path = Path.Combine(_folder, name + Onnx.Extension);
            (int[] sizes, Loss loss) = network switch
            {
                INetwork<double> doubles => Save(doubles, path),
                INetwork<float> floats => Save(floats, path),
                _ => throw new InvalidOperationException(name),
            };
            paths.Add(path);
            string output = loss == Loss.SquaredError ? "predictions" : "probabilities";
            expected.Add($"{name}{Onnx.Extension}|8|:13|{@case.Ops}|x:batch,{sizes[0]}|{output}:batch,{sizes[^1]}|batch,{sizes[^1]}");
        }

        string script = Path.Combine(AppContext.BaseDirectory, "check_onnx.py");
        (int exitCode, string report, string errors) = RunProcess(python, [script, .. paths]);

        Assert.True(exitCode == 0, $"check_onnx.py failed (exit code {exitCode}):\n{report}{errors}");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.Equal(expected, report.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        static (int[] Sizes, Loss Loss) Save<T>(INetwork<T> network, string path)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            network.SaveOnnx(path);
            return (network.LayerSizes.ToArray(), network.Loss);
        }
    }

    private static (int ExitCode, string Output, string Error) RunProcess(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        System.Threading.Tasks.Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
