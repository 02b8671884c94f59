using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>
/// A user compiles trained models into a console app with the package as its only reference: two .npz files beside
/// the project named by [Network(..., Weights = ...)], and two PyTorch exports (stored with PyTorch's outputs in
/// tests/DnnGen.Generator.Tests/OnnxModels) named by [NetworkFromOnnx(...)], all four listed as AdditionalFiles. The
/// app builds without a warning, prints the predictions those weights give and PyTorch's predictions, publishes with
/// NativeAOT, and, with the model files and the build's text forms of them deleted, prints them still.
/// </summary>
public sealed class BakedWeightsUserTests(PackageFixture package, SharedSteps shared) : IClassFixture<SharedSteps>
{
    private const int Timeout = 20 * 60 * 1000;

    private static readonly string OnnxModels = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Generator.Tests", "OnnxModels");

    /// <summary>
    /// The PyTorch exports the app imports: float64 Linear(5, 8) -> Tanh -> Linear(8, 3) -> Softmax as a Gemm per
    /// layer, and float32 Linear(3, 7) -> LeakyReLU -> Linear(7, 4) -> LeakyReLU -> Linear(4, 2) as MatMul + Add.
    /// Their .npz files in OnnxModels hold the 16 stored inputs, x, and PyTorch's outputs for them, y.
    /// </summary>
    private static readonly OnnxImport Mlp = new("mlp", "models/mlp.onnx", "softmax_gemm_f64", Single: false);
    private static readonly OnnxImport Regression = new("regression", "models/regression_f32.onnx", "linear_matmul_f32", Single: true);

    /// <summary>The app: the stored inputs of each imported model are literals of it, since no file is read at run time.</summary>
    private static string Program(double[] mlpInputs, double[] regressionInputs) => $$"""
        using System.Globalization;
        using DnnGen;

        // Four points of the planar data, example-major, and two 8 x 8 images of 64 values in [0, 1].
        double[] points = [0.5, -1.0, 2.0, 0.25, -3.0, 1.5, 0.0, 0.0];
        double[] images = new double[2 * 64];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (i * 7 % 17) / 16.0;
        }

        var planar = new Planar();
        double[] probabilities = new double[4];
        planar.Predict(points, probabilities);
        Console.WriteLine("planar: " + Text(probabilities));

        IPredictor<double> digits = new Digits();
        double[] classProbabilities = new double[2 * 10];
        digits.Predict(images, classProbabilities);
        Console.WriteLine("digits: " + Text(classProbabilities));
        int[] classes = new int[2];
        new Digits().PredictClasses(images, classes);
        Console.WriteLine("classes: " + string.Join(" ", classes));

        // PyTorch's models, imported from ONNX, on the inputs stored with them.
        double[] mlpInputs = [{{Literals(mlpInputs, single: false)}}];
        double[] mlpProbabilities = new double[mlpInputs.Length / Mlp.InputSize * Mlp.OutputSize];
        IPredictor<double> mlp = new Mlp();
        mlp.Predict(mlpInputs, mlpProbabilities);
        Console.WriteLine("mlp: " + Text(mlpProbabilities));

        float[] regressionInputs = [{{Literals(regressionInputs, single: true)}}];
        float[] regressionPredictions = new float[regressionInputs.Length / Regression.InputSize * Regression.OutputSize];
        new Regression().Predict(regressionInputs, regressionPredictions);
        Console.WriteLine("regression: " + string.Join(" ", regressionPredictions.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

        static string Text(double[] values) => string.Join(" ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        [Network(2, 4, 1, HiddenActivation = Activation.Tanh, Weights = "planar.npz")]
        partial class Planar;

        [Network(64, 32, 10, OutputActivation = Activation.Softmax, Weights = "models/digits.npz")]
        partial class Digits;

        [NetworkFromOnnx("{{Mlp.Path}}")]
        partial class Mlp;

        [NetworkFromOnnx("{{Regression.Path}}")]
        partial class Regression;
        """;

    /// <summary>C# literals of the values: doubles, or floats (the values are floats widened) with their f suffix.</summary>
    private static string Literals(double[] values, bool single) =>
        string.Join(", ", values.Select(v => single ? ((float)v).ToString("R", CultureInfo.InvariantCulture) + "f" : v.ToString("R", CultureInfo.InvariantCulture)));

    [Fact(Timeout = Timeout)]
    public async Task Weights_baked_into_a_console_app_predict_what_the_files_say()
    {
        BakedApp baked = await BuildAndRunBakedApp();

        // An independent forward pass over the files' arrays (Math.Tanh, Math.Exp) agrees to round-off.
        double[] planar = Numbers(baked.Run.Output, "planar: ");
        double[] digits = Numbers(baked.Run.Output, "digits: ");
        Assert.Equal(4, planar.Length);
        Assert.Equal(20, digits.Length);
        double[] points = [0.5, -1.0, 2.0, 0.25, -3.0, 1.5, 0.0, 0.0];
        double[] images = Enumerable.Range(0, 128).Select(i => (i * 7 % 17) / 16.0).ToArray();
        AssertClose(Forward(baked.PlanarArrays, points, 2, hidden: Math.Tanh, softmax: false), planar);
        AssertClose(Forward(baked.DigitsArrays, images, 64, hidden: z => Math.Max(0, z), softmax: true), digits);
        int[] classes = Enumerable.Range(0, 2).Select(i => Array.IndexOf(digits, digits.Skip(i * 10).Take(10).Max(), i * 10) - i * 10).ToArray();
        Assert.Contains($"classes: {classes[0]} {classes[1]}\n", baked.Run.Output);
    }

    [Fact(Timeout = Timeout)]
    public async Task PyTorch_models_imported_into_a_console_app_predict_what_PyTorch_predicted()
    {
        BakedApp baked = await BuildAndRunBakedApp();

        foreach (OnnxImport import in new[] { Mlp, Regression })
        {
            import.AssertPredictsWhatPyTorchPredicted(baked.Run.Output);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Weights_baked_into_a_NativeAOT_app_need_no_file_at_run_time()
    {
        NativeAot.RequireToolchain();
        BakedApp baked = await BuildAndRunBakedApp();

        await baked.App.Publish("native", "-p:PublishAot=true");

        // The weights are in the executable: with every .npz and .onnx (and the build's text forms of them, which
        // DnnGen.targets writes as obj/**/dnngen/*.npz.txt and *.onnx.txt) gone, it prints what the JIT build printed
        // from the same weights, to round-off (NativeAOT compiles for a lower instruction-set baseline than the JIT's
        // AVX-512 here, and the vectorised exp of the softmax rounds the last bit differently), and PyTorch's outputs.
        foreach (string model in new[] { "planar.npz", "models/digits.npz", Mlp.Path, Regression.Path })
        {
            File.Delete(baked.App.Path(model));
        }

        string[] encoded = new[] { "*.npz.txt", "*.onnx.txt" }
            .SelectMany(pattern => Directory.EnumerateFiles(baked.App.Path("obj"), pattern, SearchOption.AllDirectories))
            .ToArray();
        // The build and the publish each write the four files' text forms.
        Assert.True(encoded.Length >= 4, "Expected the text forms of the four model files under obj, found: " + string.Join(", ", encoded));
        foreach (string text in encoded)
        {
            File.Delete(text);
        }

        foreach (string pattern in new[] { "*.npz", "*.onnx", "*.npz.txt", "*.onnx.txt" })
        {
            Assert.Empty(Directory.EnumerateFiles(baked.App.Directory, pattern, SearchOption.AllDirectories));
        }

        CommandResult native = await baked.App.RunPublished("native");
        foreach (string prefix in new[] { "planar: ", "digits: " })
        {
            AssertClose(Numbers(baked.Run.Output, prefix), Numbers(native.Output, prefix), 1e-12, "the JIT build printed");
        }

        string Classes(string output) => output.Split('\n').Single(line => line.StartsWith("classes: ", StringComparison.Ordinal));
        Assert.Equal(Classes(baked.Run.Output), Classes(native.Output));
        foreach (OnnxImport import in new[] { Mlp, Regression })
        {
            import.AssertPredictsWhatPyTorchPredicted(native.Output);
        }
    }

    /// <summary>The app, what `dotnet run` printed, and the arrays of its two .npz files.</summary>
    private sealed record BakedApp(ConsumerApp App, CommandResult Run, Dictionary<string, double[]> PlanarArrays, Dictionary<string, double[]> DigitsArrays);

    private Task<BakedApp> BuildAndRunBakedApp() => shared.Once(nameof(BakedApp), async () =>
    {
        ConsumerApp app = await ConsumerApp.Create(package, "BakedWeights");
        string baked = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Baked");
        File.Copy(Path.Combine(baked, "planar.npz"), app.Path("planar.npz"));
        Directory.CreateDirectory(app.Path("models"));
        File.Copy(Path.Combine(baked, "digits.npz"), app.Path("models/digits.npz"));
        foreach (OnnxImport import in new[] { Mlp, Regression })
        {
            File.Copy(Path.Combine(OnnxModels, import.Model + ".onnx"), app.Path(import.Path));
        }

        app.Write("Program.cs", Program(Mlp.Stored["x"], Regression.Stored["x"]));
        app.AddItems($"""
            <AdditionalFiles Include="planar.npz" />
            <AdditionalFiles Include="models/digits.npz" />
            <AdditionalFiles Include="{Mlp.Path}" />
            <AdditionalFiles Include="{Regression.Path}" />
            """);

        await Commands.DotNetWithoutWarnings(app.Directory, "build");
        CommandResult run = await Commands.DotNet(app.Directory, "run", "--no-build");
        return new BakedApp(app, run, ReadNpz(app.Path("planar.npz")), ReadNpz(app.Path("models/digits.npz")));
    });

    /// <summary>The numbers of the line that starts with <paramref name="prefix"/>; floats when <paramref name="single"/>, widened exactly.</summary>
    private static double[] Numbers(string output, string prefix, bool single = false)
    {
        string line = output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..].Split(' ')
            .Select(v => single ? float.Parse(v, CultureInfo.InvariantCulture) : double.Parse(v, CultureInfo.InvariantCulture))
            .ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-12, string source = "the weights give")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"output {i}: {actual[i]:R}, but {source} {expected[i]:R}");
        }
    }

    /// <summary>
    /// A stored PyTorch export that the app imports from <paramref name="Path"/>, its copy of
    /// OnnxModels/<paramref name="Model"/>.onnx, and whose predictions it prints on a line "<paramref name="Name"/>: ...";
    /// float32 when <paramref name="Single"/>. The model's .npz in OnnxModels holds the stored inputs x and PyTorch's outputs y.
    /// </summary>
    private sealed record OnnxImport(string Name, string Path, string Model, bool Single)
    {
        public Dictionary<string, double[]> Stored { get; } = ReadNpz(System.IO.Path.Combine(OnnxModels, Model + ".npz"));

        /// <summary>Checks the app's line for this model against PyTorch's outputs: within 1e-12 in float64, 1e-6 in float32.</summary>
        public void AssertPredictsWhatPyTorchPredicted(string output)
        {
            double[] predicted = Numbers(output, Name + ": ", Single);
            AssertClose(Stored["y"], predicted, Single ? 1e-6 : 1e-12, $"PyTorch's {Model}.onnx gave");
            TestContext.Current.SendDiagnosticMessage(
                $"{Path} ({Model}): {predicted.Length} outputs, the largest difference from PyTorch's {Stored["y"].Zip(predicted, (a, b) => Math.Abs(a - b)).Max():e2}");
        }
    }

    /// <summary>The network of the arrays W1, b1, ..., WL, bL on example-major inputs: g on the hidden layers, then sigmoid or softmax.</summary>
    private static double[] Forward(Dictionary<string, double[]> arrays, double[] x, int inputs, Func<double, double> hidden, bool softmax)
    {
        int layers = arrays.Count / 2;
        var outputs = new List<double>();
        for (int i = 0; i < x.Length / inputs; i++)
        {
            double[] a = x[(i * inputs)..((i + 1) * inputs)];
            for (int l = 1; l <= layers; l++)
            {
                double[] w = arrays[$"W{l}"];
                double[] b = arrays[$"b{l}"];
                double[] z = new double[b.Length];
                for (int j = 0; j < b.Length; j++)
                {
                    z[j] = b[j] + Enumerable.Range(0, a.Length).Sum(k => w[j * a.Length + k] * a[k]);
                }

                if (l < layers)
                {
                    a = z.Select(hidden).ToArray();
                }
                else if (softmax)
                {
                    double max = z.Max();
                    double sum = z.Sum(v => Math.Exp(v - max));
                    a = z.Select(v => Math.Exp(v - max) / sum).ToArray();
                }
                else
                {
                    a = z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
                }
            }

            outputs.AddRange(a);
        }

        return outputs.ToArray();
    }

    /// <summary>The arrays of a .npz that SaveNpz or np.savez wrote: C-order little-endian float64 or float32, widened.</summary>
    private static Dictionary<string, double[]> ReadNpz(string path)
    {
        var arrays = new Dictionary<string, double[]>(StringComparer.Ordinal);
        using ZipArchive zip = ZipFile.OpenRead(path);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            using var bytes = new MemoryStream();
            using (Stream stream = entry.Open())
            {
                stream.CopyTo(bytes);
            }

            byte[] npy = bytes.ToArray();
            int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8));
            string header = System.Text.Encoding.ASCII.GetString(npy, 10, headerLength);
            bool single = header.Contains("'descr': '<f4', 'fortran_order': False", StringComparison.Ordinal);
            Assert.True(single || header.Contains("'descr': '<f8', 'fortran_order': False", StringComparison.Ordinal), $"{path}, {entry.FullName}: {header}");
            int start = 10 + headerLength, size = single ? 4 : 8;
            arrays[entry.FullName[..^4]] = Enumerable.Range(0, (npy.Length - start) / size)
                .Select(i => single ? BinaryPrimitives.ReadSingleLittleEndian(npy.AsSpan(start + i * size)) : BinaryPrimitives.ReadDoubleLittleEndian(npy.AsSpan(start + i * size)))
                .ToArray();
        }

        return arrays;
    }
}
