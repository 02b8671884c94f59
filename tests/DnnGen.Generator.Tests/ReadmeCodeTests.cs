// Every C# block in README.md and in the package's README (src/DnnGen/PACKAGE.md) is compiled here, with the
// generator, the way a new console app (`dotnet new console` plus the DnnGen package) compiles it: C# 12 (a net8.0
// project's default), nullable enabled, the template's implicit usings. The convention, for whoever adds a block:
//
//   1. A ```csharp block is compiled. Write it complete, as a user would paste it.
//   2. A block whose first line is a comment naming a file, such as `// Net.cs`, is one file of a project: the blocks
//      so named under one heading are compiled together, as one project (the first network's Net.cs and
//      Program.cs). Any other block is a project of one file of its own (top-level statements are fine, before any
//      type declaration, as C# requires).
//   3. A block that cannot compile on its own (an excerpt of generated code, a line to add to a method) starts with
//      a visible comment `// Fragment: what it is`, and is shown, never compiled. Keep these few.
//   4. Fence C# with ```csharp: a block fenced ```cs or ```c# fails the test rather than escaping it.
//   5. A block that bakes weights (Weights = "cat.npz") or imports a model ([NetworkFromOnnx("mlp.onnx")]) is compiled
//      with that file listed, as DnnGen.targets lists it: ReadmeModelFiles says which file of the repository stands
//      for each name.
//
// A block compiles when the compilation with the generated code has no error and no warning, and no DNNG diagnostic
// of any severity is reported, by the generator or the compiler. A failure names the README's line.

using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Text.RegularExpressions;
using DnnGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DnnGen.Generator.Tests;

public sealed partial class ReadmeCodeTests
{
    /// <summary>The Markdown files whose C# blocks are compiled, relative to the repository.</summary>
    private static readonly string[] Documents = ["README.md", "src/DnnGen/PACKAGE.md"];

    /// <summary>What `dotnet new console` puts in its implicit global usings.</summary>
    private const string ConsoleImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (string document in Documents)
        {
            foreach (ReadmeProject project in ReadmeProject.All(document))
            {
                data.Add(project.Id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_readme_code_block_compiles_with_the_generator_without_errors_warnings_or_DNNG_diagnostics(string id)
    {
        ReadmeProject project = Documents.SelectMany(ReadmeProject.All).Single(p => p.Id == id);

        IReadOnlyList<string> problems = Problems(project);

        Assert.True(problems.Count == 0, $"{project.Describe()} does not compile as the README says it does (mark an excerpt `// Fragment: ...`):\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_readmes_compiled_blocks_include_the_headline_snippet_and_the_first_network()
    {
        ReadmeProject[] readme = ReadmeProject.All("README.md").ToArray();

        // The block at the top of the README, before any section, is a project of its own.
        ReadmeProject headline = readme[0];
        Assert.Equal("# DnnGen", headline.Heading);
        Assert.Contains("[Network(", headline.Files.Single().Text);
        Assert.Contains(readme, p => p.Heading == "## Your first network in 60 seconds" && p.Files.Select(f => f.Name).Order().SequenceEqual(["Net.cs", "Program.cs"]));
        Assert.Contains(ReadmeProject.All("src/DnnGen/PACKAGE.md"), p => p.Files.Select(f => f.Name).Order().SequenceEqual(["Net.cs", "Program.cs"]));
    }

    [Fact]
    public void Every_csharp_block_is_fenced_csharp_so_that_none_escapes_the_compiler()
    {
        foreach (string document in Documents)
        {
            string[] lines = ReadmeProject.Lines(document);
            for (int i = 0; i < lines.Length; i++)
            {
                Match fence = CSharpFence().Match(lines[i]);
                string language = fence.Groups["language"].Value;
                Assert.False(fence.Success && language != "csharp", $"{document} line {i + 1} opens a C# block with ```{language}: write ```csharp, so that ReadmeCodeTests compiles it.");
            }
        }
    }

    /// <summary>The problems of a project: every diagnostic that makes it not compile as the README claims.</summary>
    internal static IReadOnlyList<string> Problems(ReadmeProject project)
    {
        SyntaxTree[] trees =
        [
            CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, GeneratorHarness.ParseOptions, path: "GlobalUsings.g.cs"),
            .. project.Files.Select(file => CSharpSyntaxTree.ParseText(file.Text, GeneratorHarness.ParseOptions, path: file.Name)),
        ];

        // An app with top-level statements is an executable; a project of declarations only, a library.
        bool topLevel = trees.Any(tree => tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any());
        CSharpCompilation input = GeneratorHarness.Compile().AddSyntaxTrees(trees);
        input = input.WithOptions(input.Options.WithOutputKind(topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary));

        // A block that bakes weights (Weights = "cat.npz") or imports a model gets the file, listed as a build with DnnGen.targets lists it.
        var problems = new List<string>();
        var files = new List<ModelFileHarness.Listed>();
        foreach (string named in project.Files.SelectMany(file => ModelFile().Matches(file.Text)).Select(match => match.Groups["file"].Value).Distinct())
        {
            if (ReadmeModelFiles.TryGetValue(named, out string? path))
            {
                files.Add(new ModelFileHarness.Listed(named, File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, path))));
            }
            else
            {
                problems.Add($"  \"{named}\": ReadmeCodeTests.ReadmeModelFiles has no file for it");
            }
        }

        GeneratorDriver driver = ModelFileHarness.CreateDriver(files)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        return problems.Concat(result.Diagnostics.Concat(driverDiagnostics).Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || d.Id.StartsWith("DNNG", StringComparison.Ordinal))
            .Distinct()
            .Select(project.Describe))
            .ToList();
    }

    /// <summary>The files the README's blocks bake in or import, by the name they give them, and where each is in the repository.</summary>
    private static readonly Dictionary<string, string> ReadmeModelFiles = new(StringComparer.Ordinal)
    {
        ["cat.npz"] = "tests/DnnGen.Course.Tests/Reference/cat.npz",
        // PyTorch's Linear(5, 8) -> Tanh -> Linear(8, 3) -> Softmax in float32, as the package readme's mlp.onnx is.
        ["mlp.onnx"] = "tests/DnnGen.Generator.Tests/OnnxModels/softmax_gemm_f32.onnx",
    };

    [GeneratedRegex(@"(?:Weights = |NetworkFromOnnx\()""(?<file>[^""]+)""")]
    private static partial Regex ModelFile();

    /// <summary>A fence that opens C# under any of the names Markdown renderers know it by.</summary>
    [GeneratedRegex(@"^\s*```\s*(?<language>(?:cs|c#|c-sharp|csharp)(?:[\s{].*)?)$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();
}

/// <summary>One C# file of a README project: its name, its text, and the README line its first line is on.</summary>
internal sealed record ReadmeFile(string Name, string Text, int FirstLine);

/// <summary>
/// The C# blocks of a README that compile together: the file-named blocks under one heading, or one block alone.
/// </summary>
internal sealed partial record ReadmeProject(string Document, string Heading, IReadOnlyList<ReadmeFile> Files)
{
    /// <summary>The name a test run shows: the document and the line of the project's first block.</summary>
    public string Id => $"{Document} line {Files[0].FirstLine}";

    public static string[] Lines(string document) =>
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, document)).ReplaceLineEndings("\n").Split('\n');

    /// <summary>The projects of a document, in the order of their first blocks.</summary>
    public static IEnumerable<ReadmeProject> All(string document)
    {
        string[] lines = Lines(document);
        var projects = new List<ReadmeProject>();
        // The named blocks of each heading, by the heading's line: two headings of the same text are two projects.
        var named = new Dictionary<int, List<ReadmeFile>>();
        string heading = "";
        int headingLine = -1;
        for (int i = 0; i < lines.Length; i++)
        {
            Match fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                if (HeadingLine().IsMatch(lines[i]))
                {
                    heading = lines[i];
                    headingLine = i;
                }

                continue;
            }

            int end = Array.FindIndex(lines, i + 1, line => line.Trim() == "```");
            if (end < 0)
            {
                throw new InvalidDataException($"{document} line {i + 1} opens a code block that never closes.");
            }

            if (fence.Groups["language"].Value == "csharp")
            {
                string indent = fence.Groups["indent"].Value;
                string text = string.Join("\n", lines[(i + 1)..end].Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line)) + "\n";
                int firstLine = i + 2;
                Match name = FileName().Match(text);
                if (text.StartsWith("// Fragment:", StringComparison.Ordinal))
                {
                    // Shown, not compiled: the block says so in its first line.
                }
                else if (name.Success)
                {
                    if (!named.TryGetValue(headingLine, out List<ReadmeFile>? files))
                    {
                        files = [];
                        named.Add(headingLine, files);
                        projects.Add(new ReadmeProject(document, heading, files));
                    }

                    string file = name.Groups["file"].Value;
                    if (files.Any(f => f.Name == file))
                    {
                        throw new InvalidDataException($"{document} line {firstLine}: a second '// {file}' under '{heading}'; the named blocks under one heading are the files of one project.");
                    }

                    files.Add(new ReadmeFile(file, text, firstLine));
                }
                else
                {
                    projects.Add(new ReadmeProject(document, heading, [new ReadmeFile("Program.cs", text, firstLine)]));
                }
            }

            i = end;
        }

        return projects;
    }

    public string Describe() =>
        $"The C# {(Files.Count == 1 ? "block" : "blocks")} of {Document} under '{Heading}' at line {string.Join(", ", Files.Select(f => f.FirstLine))}";

    /// <summary>A diagnostic, with the README line it is on when it is in one of the project's files.</summary>
    public string Describe(Diagnostic diagnostic)
    {
        // The generator's diagnostics carry a location rebuilt from its model: an external file's, with the same path.
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        ReadmeFile? file = span.IsValid ? Files.FirstOrDefault(f => f.Name == span.Path) : null;
        string where = file is null
            ? (span.IsValid && span.Path.Length > 0 ? $"{span.Path} line {span.StartLinePosition.Line + 1}" : "(no location)")
            : $"{Document} line {file.FirstLine + span.StartLinePosition.Line} ({file.Name} line {span.StartLinePosition.Line + 1})";
        return $"  {where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    [GeneratedRegex(@"^(?<indent>\s*)```(?<language>\S*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^#{1,6} ")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"\A// (?<file>[\w.]+\.cs)\n")]
    private static partial Regex FileName();
}
