using System.Text.RegularExpressions;
using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>
/// A new user follows the README: a console app in a folder of its own, DnnGen from the local feed, the README's
/// Net.cs and Program.cs, the README's properties for reading the generated code, then build and run; and, where
/// clang and zlib are installed, a NativeAOT publish of the same app.
/// </summary>
public sealed partial class NewUserTests(PackageFixture package, SharedSteps shared) : IClassFixture<SharedSteps>
{
    private const int Timeout = 20 * 60 * 1000;

    [Fact(Timeout = Timeout)]
    public async Task The_readme_first_network_builds_without_warnings_trains_and_prints_what_the_readme_shows()
    {
        FirstNetwork first = await BuildAndRunFirstNetwork();

        // What the README shows `dotnet run` printing, but for the lines it leaves out ("..."), is what it prints.
        string shown = Readme.CodeBlockContaining(Readme.Section(Readme.FirstNetworkHeading), "", "Final cost:");
        string[] printed = first.Run.Output.Split('\n');
        foreach (string line in shown.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line != "..."))
        {
            Assert.True(printed.Contains(line), $"The README shows '{line}', but the app printed:\n{first.Run.Output}");
        }

        // The package's README runs the same network on the same data, and says what it ends with.
        string Printed(string prefix) =>
            printed.SingleOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
            ?? throw new InvalidOperationException($"The app printed no line '{prefix}...':\n{first.Run.Output}");
        string packageReadme = string.Join(" ", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "DnnGen", "PACKAGE.md")).Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(
            $"It prints a final cost of {Printed("Final cost: ")}, a training accuracy of {Printed("Training accuracy: ")} and a probability of {Printed("P(label 1) for a new example: ")}.",
            packageReadme);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_readme_first_network_published_with_NativeAOT_prints_the_same_costs()
    {
        NativeAot.RequireToolchain();
        FirstNetwork first = await BuildAndRunFirstNetwork();

        await first.App.Publish("native", "-p:PublishAot=true");
        CommandResult native = await first.App.RunPublished("native");
        IReadOnlyList<double> nativeCosts = TrainingOutput.DecreasingCosts(native.Output);
        Assert.Equal(first.Costs.Count, nativeCosts.Count);
        for (int i = 0; i < first.Costs.Count; i++)
        {
            // Printed with six decimals; JIT and NativeAOT compute the same network in the same order.
            Assert.Equal(first.Costs[i], nativeCosts[i], 1e-6);
        }
    }

    /// <summary>
    /// Nothing is on nuget.org yet, so the readmes' install commands (in their sh blocks) must say which version to
    /// add, and it must be one that their own pack command makes: the package's version prefix and their suffix. A
    /// command without a version could be answered from a stale copy in the NuGet cache.
    /// </summary>
    [Theory]
    [InlineData("README.md")]
    [InlineData("src/DnnGen/PACKAGE.md")]
    public void The_readme_installs_the_version_its_pack_command_makes(string file)
    {
        string markdown = File.ReadAllText(Path.Combine(RepositoryPaths.Root, file));
        string prefix = package.Version[..package.Version.IndexOf('-', StringComparison.Ordinal)];
        string[] commands = Readme.CodeBlocks(markdown, "sh").SelectMany(block => block.Split('\n')).Select(line => line.Trim()).ToArray();

        string[] packed = commands.Select(line => PackCommand().Match(line)).Where(match => match.Success)
            .Select(match => $"{prefix}-{match.Groups["suffix"].Value}")
            .ToArray();
        Assert.True(packed.Length > 0, $"{file} has no `dotnet pack ... --version-suffix SUFFIX` in a sh block.");
        string[] adds = commands.Where(line => line.StartsWith("dotnet add package DnnGen", StringComparison.Ordinal)).ToArray();
        Assert.True(adds.Length > 0, $"{file} has no `dotnet add package DnnGen` in a sh block.");
        foreach (string add in adds)
        {
            Match version = AddCommand().Match(add);
            Assert.True(version.Success, $"{file} says `{add}`, with no --version: NuGet could take any cached DnnGen, and nuget.org has none.");
            Assert.Contains(version.Groups["version"].Value, packed);
        }
    }

    /// <summary>The app, what `dotnet run` printed, and the costs in it.</summary>
    private sealed record FirstNetwork(ConsumerApp App, CommandResult Run, IReadOnlyList<double> Costs);

    /// <summary>
    /// Makes the README's first network, builds it without a warning, checks the generated file is where the README
    /// says, and runs it: once for both tests.
    /// </summary>
    private Task<FirstNetwork> BuildAndRunFirstNetwork() => shared.Once(nameof(FirstNetwork), async () =>
    {
        ConsumerApp app = await ConsumerApp.Create(package, "FirstNetwork");
        IReadOnlyDictionary<string, string> files = Readme.CSharpFiles(Readme.Section(Readme.FirstNetworkHeading));
        Assert.Equal(["Net.cs", "Program.cs"], files.Keys.Order(StringComparer.Ordinal));
        foreach ((string file, string text) in files)
        {
            app.Write(file, text);
        }

        string readingTheCode = Readme.Section(Readme.GeneratedCodeHeading);
        app.AddProperties(Readme.CodeBlockContaining(readingTheCode, "xml", "<EmitCompilerGeneratedFiles>"));

        await Commands.DotNetWithoutWarnings(app.Directory, "build");

        // The generated file is where the README says, and the README's example path for this network is right.
        string generatedFile = GeneratedFile(readingTheCode, "FirstNetwork", "Net");
        Assert.Contains($"`{generatedFile}`", readingTheCode);
        Assert.True(
            File.Exists(app.Path(generatedFile)),
            $"{generatedFile} was not written. obj/generated holds: {string.Join(", ", ListFiles(app.Path("obj/generated")))}");
        string code = File.ReadAllText(app.Path(generatedFile));
        Assert.Contains("// Generated by DnnGen from [Network(4, 3, 1)].", code);
        Assert.Contains("partial class Net : global::DnnGen.IBinaryClassifier<double>", code);

        // `dotnet run` after the build above; the build's output was the one to check for warnings.
        CommandResult run = await Commands.DotNet(app.Directory, "run", "--no-build");
        IReadOnlyList<double> costs = TrainingOutput.DecreasingCosts(run.Output);
        Assert.Equal(costs[^1], FinalCost(run.Output));
        return new FirstNetwork(app, run, costs);
    });

    /// <summary>The README's path pattern, <c>obj/generated/.../&lt;Namespace&gt;.&lt;Class&gt;.g.cs</c>, for one class.</summary>
    private static string GeneratedFile(string section, string @namespace, string @class)
    {
        Match pattern = GeneratedFilePattern().Match(section);
        Assert.True(pattern.Success, "The README section on the generated code gives no path of the form `obj/generated/.../<Namespace>.<Class>.g.cs`.");
        return $"{pattern.Groups["folder"].Value}{@namespace}.{@class}.g.cs";
    }

    private static double FinalCost(string output)
    {
        Match final = FinalCostLine().Match(output);
        Assert.True(final.Success, "The app printed no 'Final cost: ...' line:\n" + output);
        return double.Parse(final.Groups["cost"].Value.Replace(',', '.'), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IEnumerable<string> ListFiles(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories) : ["(no such folder)"];

    [GeneratedRegex(@"`(?<folder>obj/generated/[^`<]*)<Namespace>\.<Class>\.g\.cs`")]
    private static partial Regex GeneratedFilePattern();

    [GeneratedRegex(@"^dotnet pack .*--version-suffix (?<suffix>[\w.-]+)")]
    private static partial Regex PackCommand();

    [GeneratedRegex(@"^dotnet add package DnnGen --version (?<version>[\w.-]+)$")]
    private static partial Regex AddCommand();

    [GeneratedRegex(@"^Final cost: (?<cost>\S+)$", RegexOptions.Multiline)]
    private static partial Regex FinalCostLine();
}
