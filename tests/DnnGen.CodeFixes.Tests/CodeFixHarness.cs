using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.CodeFixes.Tests;

/// <summary>
/// Runs a code fix as an IDE does. The sources are documents of a project in an <see cref="AdhocWorkspace"/>; the
/// generator runs on the project's compilation (a <see cref="GeneratorDriver"/>, as the compiler and the IDE run it)
/// and reports its DNNG diagnostics with locations made from a file path and a span; like the IDE, the harness maps
/// each into its document before handing it to the fix; the fix's operations are applied through the workspace.
/// </summary>
internal sealed class CodeFixHarness : IDisposable
{
    /// <summary>C# 12 is what a net8.0 project compiles with by default: the oldest language DnnGen supports by default.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    /// <summary>The generator, created from its assembly by its type name, as a compiler creates it from a package.</summary>
    private static readonly ISourceGenerator Generator =
        ((IIncrementalGenerator)Activator.CreateInstance(
            Assembly.Load("DnnGen.Generator").GetType("DnnGen.Generator.NetworkGenerator", throwOnError: true)!)!)
        .AsSourceGenerator();

    private readonly AdhocWorkspace _workspace = new();
    private readonly ProjectId _projectId;

    /// <summary>A workspace with one project holding <paramref name="sources"/> as File0.cs, File1.cs, ...</summary>
    public CodeFixHarness(params string[] sources)
    {
        _projectId = ProjectId.CreateNewId();
        Solution solution = _workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            _projectId,
            VersionStamp.Default,
            "UserProject",
            "UserProject",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: ParseOptions,
            metadataReferences: References.Value));
        for (int i = 0; i < sources.Length; i++)
        {
            string name = $"File{i}.cs";
            solution = solution.AddDocument(DocumentId.CreateNewId(_projectId, name), name, SourceText.From(sources[i]), filePath: Path.Combine(Path.GetTempPath(), "UserProject", name));
        }

        if (!_workspace.TryApplyChanges(solution))
        {
            throw new InvalidOperationException("The workspace did not take the project.");
        }
    }

    public Project Project => _workspace.CurrentSolution.GetProject(_projectId)!;

    public Document Document(int index) => Project.Documents.Single(d => d.Name == $"File{index}.cs");

    /// <summary>The text of every document, in order.</summary>
    public async Task<string[]> SourcesAsync()
    {
        var texts = new List<string>();
        foreach (Document document in Project.Documents.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            texts.Add((await document.GetTextAsync()).ToString());
        }

        return texts.ToArray();
    }

    /// <summary>
    /// Runs the generator on the project as it is now: its diagnostics (located as the generator locates them) and
    /// the compilation's own diagnostics with the generated code added.
    /// </summary>
    public async Task<(ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compilation)> CompileAsync()
    {
        Compilation input = (await Project.GetCompilationAsync())!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create([Generator], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        Assert.Empty(driver.GetRunResult().Results.Where(r => r.Exception is not null));
        return (generatorDiagnostics, output.GetDiagnostics());
    }

    /// <summary>The generator's diagnostics, each mapped into its document as an IDE maps it for a code fix.</summary>
    public async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync()
    {
        (ImmutableArray<Diagnostic> reported, _) = await CompileAsync();
        var mapped = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (Diagnostic diagnostic in reported)
        {
            mapped.Add(await MapIntoDocumentAsync(diagnostic));
        }

        return mapped.ToImmutable();
    }

    /// <summary>
    /// <paramref name="diagnostic"/> with its location in the syntax tree of the document that has its path. The
    /// generator's locations carry a path and a span but no tree (Location.Create(path, span, lines)); an IDE keeps a
    /// diagnostic as data (id, message, path, span) and recreates it in the document before calling a fix, which this
    /// does the same way.
    /// </summary>
    public async Task<Diagnostic> MapIntoDocumentAsync(Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        Document document = Project.Documents.Single(d => d.FilePath == path);
        SyntaxTree tree = (await document.GetSyntaxTreeAsync())!;
        return Diagnostic.Create(
            diagnostic.Id,
            diagnostic.Descriptor.Category,
            diagnostic.GetMessage(),
            diagnostic.Severity,
            diagnostic.DefaultSeverity,
            diagnostic.Descriptor.IsEnabledByDefault,
            diagnostic.WarningLevel,
            diagnostic.Descriptor.Title,
            diagnostic.Descriptor.Description,
            diagnostic.Descriptor.HelpLinkUri,
            Location.Create(tree, diagnostic.Location.SourceSpan));
    }

    /// <summary>The document a diagnostic mapped by <see cref="MapIntoDocumentAsync"/> is in.</summary>
    public Document DocumentOf(Diagnostic diagnostic) => Project.GetDocument(diagnostic.Location.SourceTree!)
        ?? Project.Documents.Single(d => d.FilePath == diagnostic.Location.GetLineSpan().Path);

    /// <summary>The code actions <paramref name="provider"/> registers for <paramref name="diagnostic"/>.</summary>
    public static async Task<IReadOnlyList<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    /// <summary>Applies <paramref name="action"/>'s operations to the workspace, as an IDE does when the user picks it.</summary>
    public async Task ApplyAsync(CodeAction action)
    {
        foreach (CodeActionOperation operation in await action.GetOperationsAsync(CancellationToken.None))
        {
            operation.Apply(_workspace, CancellationToken.None);
        }
    }

    /// <summary>
    /// Fix All in <paramref name="scope"/> for the diagnostics with <paramref name="trigger"/>'s id, as an IDE runs it
    /// from the light bulb on <paramref name="trigger"/>: the provider's Fix All provider, with the equivalence key of
    /// the action offered there.
    /// </summary>
    public async Task FixAllAsync(CodeFixProvider provider, Diagnostic trigger, FixAllScope scope = FixAllScope.Document)
    {
        Document document = DocumentOf(trigger);
        CodeAction offered = Assert.Single(await ActionsAsync(provider, document, trigger));
        FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new InvalidOperationException(provider.GetType().Name + " has no Fix All.");
        Assert.Contains(scope, fixAll.GetSupportedFixAllScopes());
        ImmutableArray<Diagnostic> all = await DiagnosticsAsync();
        var context = new FixAllContext(
            document,
            provider,
            scope,
            offered.EquivalenceKey,
            [trigger.Id],
            new DiagnosticSource(all),
            CancellationToken.None);
        CodeAction action = (await fixAll.GetFixAsync(context)) ?? throw new InvalidOperationException("Fix All made no change.");
        await ApplyAsync(action);
    }

    public void Dispose() => _workspace.Dispose();

    /// <summary>Hands Fix All the diagnostics of one run of the generator.</summary>
    private sealed class DiagnosticSource(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            => Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(diagnostics.Where(d => !d.Location.IsInSource));

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
