using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>
/// A user bakes trained weights into a console app with the package as its only reference: two .npz files beside the
/// project, listed as AdditionalFiles and named by [Network(..., Weights = ...)]. The app builds without a warning,
/// publishes with NativeAOT, and, with the .npz files deleted, prints the predictions those weights give.
/// </summary>
public sealed class BakedWeightsUserTests(PackageFixture package, SharedSteps shared) : IClassFixture<SharedSteps>
{
    private const int Timeout = 20 * 60 * 1000;

    private const string Program = """
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

        static string Text(double[] values) => string.Join(" ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        [Network(2, 4, 1, HiddenActivation = Activation.Tanh, Weights = "planar.npz")]
        partial class Planar;

        [Network(64, 32, 10, OutputActivation = Activation.Softmax, Weights = "models/digits.npz")]
        partial class Digits;
        """;

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
    public async Task Weights_baked_into_a_NativeAOT_app_need_no_file_at_run_time()
    {
        NativeAot.RequireToolchain();
        BakedApp baked = await BuildAndRunBakedApp();

        await baked.App.Publish("native", "-p:PublishAot=true");

        // The weights are in the executable: with every .npz (and the build's text forms of them) gone, it prints what
        // the JIT build printed from the same weights, to round-off (NativeAOT compiles for a lower instruction-set
        // baseline than the JIT's AVX-512 here, and the vectorised exp of the softmax rounds the last bit differently).
        File.Delete(baked.App.Path("planar.npz"));
        File.Delete(baked.App.Path("models/digits.npz"));
        foreach (string encoded in Directory.EnumerateFiles(baked.App.Path("obj"), "*.npz.txt", SearchOption.AllDirectories))
        {
            File.Delete(encoded);
        }

        Assert.Empty(Directory.EnumerateFiles(baked.App.Directory, "*.npz", SearchOption.AllDirectories));
        CommandResult native = await baked.App.RunPublished("native");
        foreach (string prefix in new[] { "planar: ", "digits: " })
        {
            AssertClose(Numbers(baked.Run.Output, prefix), Numbers(native.Output, prefix));
        }

        string Classes(string output) => output.Split('\n').Single(line => line.StartsWith("classes: ", StringComparison.Ordinal));
        Assert.Equal(Classes(baked.Run.Output), Classes(native.Output));
    }

    /// <summary>The app, what `dotnet run` printed, and the arrays of its two files.</summary>
    private sealed record BakedApp(ConsumerApp App, CommandResult Run, Dictionary<string, double[]> PlanarArrays, Dictionary<string, double[]> DigitsArrays);

    private Task<BakedApp> BuildAndRunBakedApp() => shared.Once(nameof(BakedApp), async () =>
    {
        ConsumerApp app = await ConsumerApp.Create(package, "BakedWeights");
        string baked = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Baked");
        File.Copy(Path.Combine(baked, "planar.npz"), app.Path("planar.npz"));
        Directory.CreateDirectory(app.Path("models"));
        File.Copy(Path.Combine(baked, "digits.npz"), app.Path("models/digits.npz"));
        app.Write("Program.cs", Program);
        app.AddItems("""
            <AdditionalFiles Include="planar.npz" />
            <AdditionalFiles Include="models/digits.npz" />
            """);

        await Commands.DotNetWithoutWarnings(app.Directory, "build");
        CommandResult run = await Commands.DotNet(app.Directory, "run", "--no-build");
        return new BakedApp(app, run, ReadNpz(app.Path("planar.npz")), ReadNpz(app.Path("models/digits.npz")));
    });

    private static double[] Numbers(string output, string prefix)
    {
        string line = output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"output {i}: {actual[i]:R}, but the weights give {expected[i]:R}");
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

    /// <summary>The arrays of a .npz that SaveNpz wrote: stored entries of C-order little-endian float64.</summary>
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
            Assert.Contains("'descr': '<f8', 'fortran_order': False", System.Text.Encoding.ASCII.GetString(npy, 10, headerLength));
            int start = 10 + headerLength;
            arrays[entry.FullName[..^4]] = Enumerable.Range(0, (npy.Length - start) / 8)
                .Select(i => BinaryPrimitives.ReadDoubleLittleEndian(npy.AsSpan(start + i * 8)))
                .ToArray();
        }

        return arrays;
    }
}
