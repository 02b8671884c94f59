using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DnnGen.Generator.Tests;

/// <summary>Compiles test sources against the runtime library and runs the generator on them, as a build would.</summary>
internal static class GeneratorHarness
{
    /// <summary>C# 12 is what a net8.0 project compiles with by default: the oldest language the output must suit.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    /// <summary>
    /// A library with nullable analysis on and every warning wave enabled: the SDK raises the warning level with the
    /// target framework (8 for net8.0, 10 for net10.0), and the default of 4 would hide such warnings as CS8981.
    /// </summary>
    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    /// <summary>
    /// A compilation with the references and no sources. Compilations made from it share its bound references, which
    /// makes each new one cheap: the property tests compile thousands.
    /// </summary>
    private static readonly Lazy<CSharpCompilation> Empty = new(() => CSharpCompilation.Create(
        "UserProject",
        [],
        References.Value,
        Options));

    public static CSharpCompilation Compile(params string[] sources) => Compile(ParseOptions, sources);

    public static CSharpCompilation Compile(CSharpParseOptions parseOptions, params string[] sources)
        => Empty.Value.AddSyntaxTrees(sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"File{i}.cs")));

    /// <summary>
    /// A compilation whose reference to the runtime library carries only the extern alias <paramref name="alias"/>, as
    /// <c>&lt;ProjectReference Aliases="alias" /&gt;</c> or <c>&lt;PackageReference Aliases="alias" /&gt;</c> gives it.
    /// </summary>
    public static CSharpCompilation CompileWithRuntimeAlias(string alias, params string[] sources)
    {
        string runtime = typeof(NetworkAttribute).Assembly.Location;
        IEnumerable<MetadataReference> references = References.Value.Select(reference =>
            reference is PortableExecutableReference { FilePath: { } path } && path == runtime
                ? reference.WithAliases([alias])
                : reference);
        return CSharpCompilation.Create(
            "UserProject",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"File{i}.cs")),
            references,
            Options);
    }

    /// <summary>Runs the generator once on <paramref name="input"/>.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(CSharpCompilation input)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null)
        => CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns its result and the compilation that includes the generated code.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources) => Run(ParseOptions, sources);

    /// <summary>Runs the generator once on sources parsed with <paramref name="parseOptions"/>.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(CSharpParseOptions parseOptions, params string[] sources)
    {
        CSharpCompilation input = Compile(parseOptions, sources);
        GeneratorDriver driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>The errors and warnings of the compilation with the generated code (hidden and info ones dropped).</summary>
    public static IReadOnlyList<Diagnostic> CompilerProblems(Compilation compilation)
        => compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
}
