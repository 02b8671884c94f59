using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// FsCheck generates whole projects of [Network] declarations, valid and broken, and the generator must never throw:
/// whatever it emits compiles without a warning, and whatever it does not emit comes with a DNNG error.
/// </summary>
/// <remarks>
/// Sizes include 0, negatives, int.MinValue and int.MaxValue, and 0 to 13 of them (1 to 12 layers and the degenerate
/// counts around them), written as arguments, arrays, collection expressions, constants, non-constants or of the
/// wrong type. Declarations are nested in up to two types of every kind, generic or not, partial or not; in the
/// global, a block or a file-scoped namespace; split across up to three files; up to three networks per project,
/// some deriving from others or named like another but for case; under every C# version from 7.3. The run is
/// seeded so that CI is reproducible; set DNNGEN_FSCHECK_SEED to explore other cases.
/// </remarks>
public class NeverCrashPropertyTests
{
    private const int Cases = 1000;

    private static readonly string[] Kinds = ["class", "sealed class", "abstract class", "static class", "struct", "record", "record struct", "interface", "generic class", "file class"];

    private static readonly string[] OuterKinds = ["class", "struct", "record", "record struct", "interface", "static class", "ref struct", "generic class"];

    private static readonly string[] AttributeNames = ["Network", "NetworkAttribute", "DnnGen.Network", "global::DnnGen.NetworkAttribute"];

    /// <summary>Every version from 7.3, weighted towards the default of net8.0 (12) and the newest.</summary>
    private static readonly LanguageVersion[] Versions =
    [
        LanguageVersion.CSharp7_3, LanguageVersion.CSharp8, LanguageVersion.CSharp9, LanguageVersion.CSharp10, LanguageVersion.CSharp11,
        LanguageVersion.CSharp12, LanguageVersion.CSharp12, LanguageVersion.CSharp12, LanguageVersion.CSharp12, LanguageVersion.CSharp12,
        LanguageVersion.CSharp13, LanguageVersion.CSharp13, LanguageVersion.Latest, LanguageVersion.Latest,
    ];

    [Fact]
    public void The_generator_never_throws_and_its_output_compiles_or_comes_with_an_error()
    {
        int declarations = 0, generated = 0, rejected = 0;
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("DNNGEN_FSCHECK_SEED"), out ulong chosen) ? chosen : 20251123;
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(Cases)
            .WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15), Microsoft.FSharp.Core.FSharpOption<int>.None))
            .WithParallelRunConfig(new ParallelRunConfig(Environment.ProcessorCount));

        Check.One(config, Prop.ForAll(Arb.From(Projects()), (Project project) =>
        {
            (int networks, int emitted, bool anyError) = AssertGeneratorBehaves(project);
            Interlocked.Add(ref declarations, networks);
            Interlocked.Add(ref generated, emitted);
            Interlocked.Add(ref rejected, anyError ? 1 : 0);
        }));

        TestContext.Current.SendDiagnosticMessage($"{Cases} projects, {declarations} [Network] declarations, {generated} generated files, {rejected} projects with a DNNG error");
        declarations.ShouldBeGreaterThanOrEqualTo(1000);
        generated.ShouldBeGreaterThan(Cases / 4, "too few valid declarations: the generators are too eager to break things");
        rejected.ShouldBeGreaterThan(Cases / 4, "too few invalid declarations");
    }

    private static (int Networks, int Emitted, bool AnyError) AssertGeneratorBehaves(Project project)
    {
        var parseOptions = new CSharpParseOptions(project.Version);
        CSharpCompilation input = GeneratorHarness.Compile(parseOptions, project.Files);
        if (project.TopLevel)
        {
            input = input.WithOptions(input.Options.WithOutputKind(OutputKind.ConsoleApplication));
        }

        GeneratorDriver driver = GeneratorHarness.CreateDriver(parseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        string context = project.ToString();
        result.Exception.ShouldBeNull(context);
        driverDiagnostics.Where(d => d.Id == "CS8785").ShouldBeEmpty(context);
        result.Diagnostics.Where(d => d.Id == "DNNG0009").ShouldBeEmpty(context);
        result.Diagnostics.ShouldAllBe(d => d.Id.StartsWith("DNNG", StringComparison.Ordinal), context);

        // Nothing DnnGen writes may fail to compile, whatever the user's code around it.
        var generatedTrees = result.GeneratedSources.Select(s => s.SyntaxTree).ToHashSet();
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        problems.Where(d => d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)).ShouldBeEmpty(context);

        bool anyError = result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        if (!anyError)
        {
            // Every network was valid: each was generated, and the project compiles without a single warning.
            result.GeneratedSources.Length.ShouldBe(project.Networks.Count, context);
            problems.ShouldBeEmpty(context);
        }

        return (project.Networks.Count, result.GeneratedSources.Length, anyError);
    }

    // ---- the generators ----

    private static Gen<Project> Projects() =>
        from version in Gen.Elements(Versions)
        from namespaceStyle in Gen.Elements("global", "block", "file-scoped").Where(style => style != "file-scoped" || version >= LanguageVersion.CSharp10)
        from count in Gen.Choose(1, 3)
        from networks in Gen.ListOf(Networks(version), count)
        from fileCount in Gen.Choose(1, 3)
        from placement in Gen.ArrayOf(Gen.Choose(0, 2), 16)
        from topLevel in version >= LanguageVersion.CSharp9 ? Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true))) : Gen.Constant(false)
        select Render(version, namespaceStyle, Named(networks), fileCount, placement, topLevel);

    /// <summary>
    /// Half the networks are drawn from choices that are all valid, so that valid projects are common; the other half
    /// from every choice, valid or not, so that each kind of mistake appears, alone or combined with others.
    /// </summary>
    private static Gen<Network> Networks(LanguageVersion version) =>
        from valid in Gen.Elements(true, false)
        from name in Gen.Elements("Net", "Réseau", "event", "UPPER")
        from kind in valid ? Gen.Elements("class", "class", "sealed class") : Gen.Elements(Kinds.Where(k => Allowed(k, version)).ToArray())
        from partial in valid ? Gen.Constant(true) : Gen.Elements(true, true, false)
        from outers in Gen.Frequency((3, Gen.Constant(Array.Empty<Outer>())), (2, Gen.ArrayOf(Outers(version, valid), 1)), (1, Gen.ArrayOf(Outers(version, valid), 2)))
        from sizes in (valid ? Gen.Choose(2, 13) : Gen.Frequency((1, Gen.Choose(0, 1)), (4, Gen.Choose(2, 13)))).SelectMany(n => Gen.ArrayOf(Sizes(valid), n))
        from sizeStyle in Gen.Elements(valid ? ValidSizeStyles : SizeStyles).Where(s => s != "collection" || version >= LanguageVersion.CSharp12)
        from options in Gen.Elements(valid ? ValidOptions : Options)
        from attribute in Gen.Elements(AttributeNames)
        from parts in Gen.Frequency((3, Gen.Constant(1)), (1, Gen.Choose(2, 3)))
        from twice in valid ? Gen.Constant(false) : Gen.Elements(false, false, false, true)
        from member in Gen.Elements(valid ? ValidMembers : Members)
        from baseClass in Gen.Elements(valid ? ["", "", "harmless"] : new[] { "", "harmless", "colliding", "network" })
        from semicolonBody in Gen.Elements(true, false).Where(semicolon => !semicolon || version >= LanguageVersion.CSharp12)
        from malformed in valid ? Gen.Constant(string.Empty) : Gen.Frequency((6, Gen.Constant(string.Empty)), (1, Gen.Elements(Malformations)))
        select new Network(name, kind, partial, outers, sizes, sizeStyle, options, attribute, parts, twice, member, baseClass, semicolonBody, malformed);

    /// <summary>
    /// Declarations the compiler rejects, or only warns about, while it still reads the attribute (or drops it): options
    /// before the sizes (CS1016), an option given twice (CS0643), another part that is not partial (CS0260), and an
    /// attribute target that makes the compiler ignore [Network] (CS0657).
    /// </summary>
    private static readonly string[] Malformations = ["options first", "option twice", "non-partial part", "method target"];

    private static readonly string[] ValidSizeStyles = ["arguments", "arguments", "new[]", "new int[]", "collection", "constants"];

    private static readonly string[] SizeStyles = [.. ValidSizeStyles, "readonly", "double", "null"];

    private static readonly string[] ValidOptions =
    [
        "", "", ", Precision = Precision.Single", ", Precision = Precision.Double", ", Initialization = Initialization.ScaledNormal",
        ", Precision = Precision.Single, Initialization = Initialization.NormalOverSqrtFanIn", ", Initialization = Initialization.Zeros",
        ", HiddenActivation = Activation.Tanh, Initialization = Initialization.He", ", OutputActivation = Activation.Linear",
        ", HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.2, Precision = Precision.Single",
        ", OutputActivation = Activation.Tanh, Loss = Loss.SquaredError", ", HiddenActivation = Activation.Sigmoid, OutputActivation = Activation.Relu",
        ", OutputActivation = Activation.Sigmoid, Loss = Loss.SquaredError", ", HiddenActivation = Activation.Linear, LeakyReluSlope = 1",
        ", Optimizer = Optimizer.Adam", ", Optimizer = Optimizer.Momentum, Precision = Precision.Single", ", Optimizer = Optimizer.GradientDescent",
    ];

    /// <summary>
    /// Every valid option and the invalid ones: values outside their enums, unknown options, softmax where it cannot go
    /// (valid only with two outputs or more), an Activations of one entry (valid only for L = 1), losses that do not
    /// fit, Activations with OutputActivation, slopes that are no slope.
    /// </summary>
    private static readonly string[] Options =
    [
        .. ValidOptions, ", Precision = (Precision)7", ", Initialization = (Initialization)(-1)", ", Momentum = 1", ", Precision = 1",
        ", OutputActivation = Activation.Softmax", ", HiddenActivation = Activation.Softmax", ", Activations = new[] { Activation.Tanh }",
        ", Activations = new[] { Activation.Relu, Activation.Softmax }", ", Loss = Loss.CategoricalCrossEntropy",
        ", OutputActivation = Activation.Linear, Loss = Loss.BinaryCrossEntropy", ", OutputActivation = Activation.Softmax, Loss = Loss.SquaredError",
        ", Activations = new[] { Activation.Relu, Activation.Sigmoid }, OutputActivation = Activation.Sigmoid", ", LeakyReluSlope = double.NaN",
        ", LeakyReluSlope = -1, HiddenActivation = Activation.LeakyRelu", ", Loss = (Loss)9", ", HiddenActivation = (Activation)6",
        ", Activations = null", ", Activations = new[] { (Activation)(-2), Activation.Sigmoid }", ", LeakyReluSlope = \"0.1\"",
        ", Optimizer = (Optimizer)3", ", Optimizer = 2",
    ];

    private static readonly string[] ValidMembers = ["", "", "public int Epochs { get; set; }", "public override string ToString() => \"network\";"];

    private static readonly string[] Members = [.. ValidMembers, "public int CompletedEpochs;", "private double[] _velocity = new double[1];", "public void Forward() { }", "private int W1;", "public static int Layer1Size => 1;", "private double[] _snapshot = new double[1];"];

    private static Gen<Outer> Outers(LanguageVersion version, bool valid) =>
        from kind in Gen.Elements(OuterKinds.Where(k => Allowed(k, version) && (!valid || k != "generic class")).ToArray())
        from partial in valid ? Gen.Constant(true) : Gen.Elements(true, true, true, false)
        select new Outer(kind, partial);

    private static Gen<int> Sizes(bool valid) => valid
        ? Gen.Frequency((12, Gen.Choose(1, 8)), (4, Gen.Choose(9, 300)), (1, Gen.Elements(12288, 4096)))
        : Gen.Frequency(
            (12, Gen.Choose(1, 8)),
            (4, Gen.Choose(9, 300)),
            (2, Gen.Elements(12288, 4096, 65536, 100_000)),
            (2, Gen.Elements(0, -1, -12288, int.MinValue, int.MaxValue, 1 << 30)));

    private static bool Allowed(string kind, LanguageVersion version) => kind switch
    {
        "record" => version >= LanguageVersion.CSharp9,
        "record struct" => version >= LanguageVersion.CSharp10,
        "file class" => version >= LanguageVersion.CSharp11,
        "interface" => version >= LanguageVersion.CSharp8,
        _ => true,
    };

    /// <summary>Gives the networks distinct names; one in three takes the previous network's name in capitals, which differs only in case.</summary>
    private static List<Network> Named(List<Network> networks)
    {
        var named = new List<Network>();
        for (int i = 0; i < networks.Count; i++)
        {
            Network network = networks[i];
            string name = network.Name switch
            {
                "event" when i == 0 => "@event",
                "UPPER" when i > 0 && named[i - 1].Name != named[i - 1].Name.ToUpperInvariant() => named[i - 1].Name.ToUpperInvariant(),
                "Réseau" => "Réseau" + i,
                _ => "Net" + i,
            };
            named.Add(network with { Name = name });
        }

        return named;
    }

    // ---- rendering ----

    private static Project Render(LanguageVersion version, string namespaceStyle, List<Network> networks, int fileCount, int[] placement, bool topLevel)
    {
        // With top-level statements, the first network, when it is top-level in the global namespace, is the class
        // they declare: Program (DNNG0016; its generated part would crash the SDK's compiler).
        if (topLevel && namespaceStyle == "global" && networks[0].Outers.Length == 0)
        {
            networks[0] = networks[0] with { Name = "Program" };
        }

        var files = Enumerable.Range(0, fileCount).Select(_ => new StringBuilder()).ToArray();
        var support = new StringBuilder();
        int slot = 0;
        for (int n = 0; n < networks.Count; n++)
        {
            Network network = networks[n];
            RenderSupport(support, network, n, networks);
            for (int part = 0; part < network.Parts; part++)
            {
                StringBuilder file = files[placement[slot++ % placement.Length] % fileCount];
                RenderPart(file, network, n, part, networks);
            }

            if (network.Malformed == "non-partial part")
            {
                RenderPart(files[placement[slot++ % placement.Length] % fileCount], network with { Partial = false, Member = string.Empty }, n, int.MaxValue, networks);
            }
        }

        string Wrap(string body) => namespaceStyle switch
        {
            "block" => "using DnnGen;\nnamespace Generated.Models\n{\n" + body + "}\n",
            "file-scoped" => "using DnnGen;\nnamespace Generated.Models;\n" + body,
            _ => "using DnnGen;\n" + body,
        };

        var sources = files.Select(f => Wrap(f.ToString())).ToList();
        sources.Add(Wrap(support.ToString()));
        if (topLevel)
        {
            // Top-level statements precede every type declaration of their file, so they have a file of their own.
            sources.Insert(0, "System.Console.WriteLine(args.Length);\n");
        }

        return new Project(version, networks, sources.ToArray(), topLevel);
    }

    /// <summary>Constants, non-constants and base classes a network refers to, in a file of their own.</summary>
    private static void RenderSupport(StringBuilder support, Network network, int n, List<Network> networks)
    {
        support.Append($"public static class Sizes{n}\n{{\n");
        for (int i = 0; i < network.Sizes.Length; i++)
        {
            support.Append($"    public const int S{i} = {Literal(network.Sizes[i])};\n");
            support.Append($"    public static readonly int R{i} = {Literal(network.Sizes[i])};\n");
        }

        support.Append("}\n");
        switch (network.BaseClass)
        {
            case "harmless":
                support.Append($"public class Base{n} {{ public string Name {{ get; set; }} = \"\"; }}\n");
                break;
            case "colliding":
                support.Append($"public class Base{n} {{ public void Train() {{ }} }}\n");
                break;
        }

        _ = networks;
    }

    private static void RenderPart(StringBuilder file, Network network, int n, int part, List<Network> networks)
    {
        int depth = 0;
        foreach (Outer outer in network.Outers)
        {
            string outerGeneric = outer.Kind == "generic class" ? "<T>" : string.Empty;
            string outerKeyword = outer.Kind switch
            {
                "generic class" => "class",
                "ref struct" => "struct",
                "static class" => "class",
                _ => outer.Kind,
            };
            string outerModifiers = (outer.Kind == "static class" ? "static " : string.Empty) + (outer.Kind == "ref struct" ? "ref " : string.Empty) + (outer.Partial ? "partial " : string.Empty);
            file.Append($"public {outerModifiers}{outerKeyword} Outer{n}_{depth}{outerGeneric}\n{{\n");
            depth++;
        }

        if (part == 0 || (part == 1 && network.AttributeTwice))
        {
            string arguments = Arguments(network, n);
            string options = network.Malformed == "option twice" ? network.Options + network.Options : network.Options;
            string list = network.Malformed == "options first" && options.Length > 0 && arguments.Length > 0
                ? options.Substring(2) + ", " + arguments
                : arguments + options;
            string target = network.Malformed == "method target" ? "method: " : string.Empty;
            file.Append('[').Append(target).Append(network.Attribute).Append('(').Append(list).Append(")]\n");
            if (part == 0 && network.AttributeTwice && network.Parts == 1)
            {
                file.Append('[').Append(network.Attribute).Append("(3, 1)]\n");
            }
        }

        bool isClass = network.Kind is "class" or "sealed class" or "abstract class";
        string baseList = part != 0 || !isClass ? string.Empty : network.BaseClass switch
        {
            "harmless" or "colliding" => $" : Base{n}",
            "network" when n > 0 && networks[n - 1].Outers.Length == 0 => " : " + networks[n - 1].Name,
            _ => string.Empty,
        };
        (string modifiers, string keyword, string generic) = network.Kind switch
        {
            "generic class" => ("", "class", "<T>"),
            "file class" when network.Outers.Length > 0 => ("", "class", ""), // file is for top-level types only
            "file class" => ("file ", "class", ""),
            "sealed class" or "abstract class" or "static class" => (network.Kind.Split(' ')[0] + " ", "class", ""),
            _ => ("", network.Kind, ""),
        };
        string access = network.Kind == "file class" && network.Outers.Length == 0 ? string.Empty : "public ";
        string body = part == 0 && network.Member.Length > 0 ? " { " + network.Member + " }" : network.SemicolonBody ? ";" : " { }";
        file.Append($"{access}{modifiers}{(network.Partial ? "partial " : string.Empty)}{keyword} {network.Name}{generic}{baseList}{body}\n");

        for (int i = 0; i < depth; i++)
        {
            file.Append("}\n");
        }
    }

    private static string Arguments(Network network, int n)
    {
        int[] sizes = network.Sizes;
        IEnumerable<string> literals = sizes.Select(Literal);
        return network.SizeStyle switch
        {
            "new[]" when sizes.Length > 0 => "new[] { " + string.Join(", ", literals) + " }",
            "new int[]" => "new int[] { " + string.Join(", ", literals) + " }",
            "collection" => "[" + string.Join(", ", literals) + "]",
            "constants" => string.Join(", ", sizes.Select((_, i) => $"Sizes{n}.S{i}")),
            "readonly" when sizes.Length > 0 => string.Join(", ", sizes.Select((_, i) => i == sizes.Length / 2 ? $"Sizes{n}.R{i}" : $"Sizes{n}.S{i}")),
            "double" when sizes.Length > 0 => string.Join(", ", literals.Select((s, i) => i == 0 ? "2.5" : s)),
            "null" when sizes.Length == 0 => "null",
            _ => string.Join(", ", literals),
        };
    }

    private static string Literal(int size) => size == int.MinValue ? "int.MinValue" : size.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Outer(string Kind, bool Partial);

    private sealed record Network(
        string Name,
        string Kind,
        bool Partial,
        Outer[] Outers,
        int[] Sizes,
        string SizeStyle,
        string Options,
        string Attribute,
        int Parts,
        bool AttributeTwice,
        string Member,
        string BaseClass,
        bool SemicolonBody,
        string Malformed);

    private sealed record Project(LanguageVersion Version, List<Network> Networks, string[] Files, bool TopLevel)
    {
        public override string ToString()
        {
            var text = new StringBuilder($"C# {Version.ToDisplayString()}, {(TopLevel ? "an executable with top-level statements, " : string.Empty)}{Networks.Count} network(s):\n");
            for (int i = 0; i < Files.Length; i++)
            {
                text.Append($"---- File{i}.cs ----\n").Append(Files[i]);
            }

            return text.ToString();
        }
    }
}
