namespace DnnGen.Package.Tests;

/// <summary>
/// The package's one library, lib/net8.0, in apps for net8.0 and for net10.0, each published self-contained (the
/// net8.0 one brings a .NET 8 runtime restored from NuGet, as none is installed here) and with NativeAOT. The
/// networks are wide enough for the vector kernels and System.Numerics.Tensors, in double and in float. The NativeAOT
/// tests need clang and zlib, and skip without them (see <see cref="NativeAot"/>).
/// </summary>
public sealed class TargetFrameworkTests(PackageFixture package, SharedSteps shared) : IClassFixture<SharedSteps>
{
    private const string Networks = """
        using DnnGen;

        namespace Kernels;

        // Layers 1 (8 x 16) and 2 (9 x 8) have more than 64 weights, so they run on DnnGen.Kernels.Dense rather than
        // straight-line code.
        [Network(16, 8, 9, 1)]
        public partial class Wide;

        [Network(16, 8, 9, 1, Precision = Precision.Single)]
        public partial class WideSingle;
        """;

    private const string Program = """
        using System.Globalization;
        using System.Numerics;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using DnnGen;
        using Kernels;

        Console.WriteLine($"Runtime: {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"Dynamic code: {RuntimeFeature.IsDynamicCodeSupported}");
        Train("Wide", new Wide());
        Train("WideSingle", new WideSingle());

        // 40 examples of 16 values in [0, 1); the label is 1 when the first half outweighs the second.
        static void Train<T>(string name, IBinaryClassifier<T> network)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            const int m = 40;
            int n = network.LayerSizes[0];
            var random = new NumPyRandom(3);
            var x = new T[m * n];
            var y = new T[m];
            for (int i = 0; i < m; i++)
            {
                double balance = 0;
                for (int j = 0; j < n; j++)
                {
                    double value = random.NextDouble();
                    x[i * n + j] = T.CreateChecked(value);
                    balance += j < n / 2 ? value : -value;
                }

                y[i] = balance > 0 ? T.One : T.Zero;
            }

            network.InitializeParameters(new NumPyRandom(1), Initialization.NormalOverSqrtFanIn);
            foreach (TrainingRecord record in network.Train(x, y, iterations: 500, learningRate: 0.1))
            {
                Console.WriteLine($"{name} cost after iteration {record.Iteration}: {record.Cost.ToString("R", CultureInfo.InvariantCulture)}");
            }

            Console.WriteLine($"{name} accuracy: {network.Accuracy(x, y).ToString(CultureInfo.InvariantCulture)}");
        }
        """;

    private const int Timeout = 20 * 60 * 1000;

    [Theory(Timeout = Timeout)]
    [InlineData("net8.0", "Net8App", ".NET 8.0.")]
    [InlineData("net10.0", "Net10App", ".NET 10.0.")]
    public async Task Wide_networks_run_self_contained(string targetFramework, string appName, string runtime)
    {
        ConsumerApp app = await App(targetFramework, appName);

        await app.Publish("self-contained", "--self-contained");
        string generated = File.ReadAllText(app.Path("obj/generated/DnnGen.Generator/DnnGen.Generator.NetworkGenerator/Kernels.Wide.g.cs"));
        Assert.Contains("global::DnnGen.Kernels.Dense.Forward", generated);
        Assert.Contains("global::DnnGen.Kernels.Dense.InputGradient", generated);
        AssertTrained(await app.RunPublished("self-contained"), $"Runtime: {runtime}", "Dynamic code: True");
    }

    [Theory(Timeout = Timeout)]
    [InlineData("net8.0", "Net8App", ".NET 8.0.")]
    [InlineData("net10.0", "Net10App", ".NET 10.0.")]
    public async Task Wide_networks_run_natively(string targetFramework, string appName, string runtime)
    {
        NativeAot.RequireToolchain();
        ConsumerApp app = await App(targetFramework, appName);

        await app.Publish("native", "-p:PublishAot=true");
        AssertTrained(await app.RunPublished("native"), $"Runtime: {runtime}", "Dynamic code: False");
    }

    /// <summary>The app for one target framework, made once for its self-contained and its NativeAOT test.</summary>
    private Task<ConsumerApp> App(string targetFramework, string appName) => shared.Once(appName, async () =>
    {
        ConsumerApp app = await ConsumerApp.Create(package, appName, targetFramework);
        app.Write("Networks.cs", Networks);
        app.Write("Program.cs", Program);
        app.AddProperties(Readme.CodeBlockContaining(Readme.Section(Readme.GeneratedCodeHeading), "xml", "<EmitCompilerGeneratedFiles>"));
        return app;
    });

    private static void AssertTrained(CommandResult run, params string[] lines)
    {
        foreach (string line in lines)
        {
            Assert.True(run.Output.Contains(line, StringComparison.Ordinal), $"Expected '{line}' in the output of {run.Command}:\n{run.Output}");
        }

        TrainingOutput.DecreasingCosts(run.Output, "Wide cost");
        TrainingOutput.DecreasingCosts(run.Output, "WideSingle cost");
    }
}
