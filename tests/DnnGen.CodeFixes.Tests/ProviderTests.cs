using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace DnnGen.CodeFixes.Tests;

/// <summary>How an IDE finds the fixes, and which diagnostics they answer.</summary>
public class ProviderTests
{
    private static readonly Assembly CodeFixes = typeof(MakePartialCodeFixProvider).Assembly;

    /// <summary>The generator's descriptors, read from its assembly: id to title.</summary>
    private static readonly Dictionary<string, string> GeneratorDiagnostics =
        ((DiagnosticDescriptor[])Assembly.Load("DnnGen.Generator").GetType("DnnGen.Generator.DiagnosticDescriptors", throwOnError: true)!
            .GetField("All", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
        .ToDictionary(d => d.Id, d => d.Title.ToString());

    [Fact]
    public void Every_provider_is_exported_for_CSharp_as_an_IDE_discovers_it()
    {
        // Visual Studio and the C# extension find code fixes through MEF: an exported, shared CodeFixProvider.
        Type[] providers = CodeFixes.GetTypes().Where(t => typeof(CodeFixProvider).IsAssignableFrom(t)).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();

        Assert.Equal(
            ["MakeFieldConstCodeFixProvider", "MakePartialCodeFixProvider", "RemoveDuplicateNetworkAttributeCodeFixProvider"],
            providers.Select(t => t.Name));
        foreach (Type provider in providers)
        {
            ExportCodeFixProviderAttribute export = provider.GetCustomAttribute<ExportCodeFixProviderAttribute>()
                ?? throw new InvalidOperationException(provider.Name + " is not exported.");
            Assert.Equal([LanguageNames.CSharp], export.Languages);
            Assert.Equal(provider.Name, export.Name);
            Assert.NotNull(provider.GetCustomAttribute<SharedAttribute>());
            Assert.True(provider.IsPublic && provider.GetConstructor(Type.EmptyTypes) is not null, provider.Name + " needs a public parameterless constructor.");
        }
    }

    [Fact]
    public void The_fixes_answer_the_generators_diagnostics_they_are_written_for()
    {
        var fixedIds = new Dictionary<string, string>
        {
            ["DNNG0001"] = "A network class must be partial",
            ["DNNG0006"] = "A type enclosing a network must be partial",
            ["DNNG0010"] = "[Network] appears more than once on a class",
            ["DNNG0011"] = "A [Network] argument is not a compile-time constant",
        };

        ImmutableArray<string> ids = [.. new CodeFixProvider[] { new MakePartialCodeFixProvider(), new RemoveDuplicateNetworkAttributeCodeFixProvider(), new MakeFieldConstCodeFixProvider() }
            .SelectMany(p => p.FixableDiagnosticIds)
            .Order(StringComparer.Ordinal)];

        Assert.Equal(fixedIds.Keys.Order(StringComparer.Ordinal), ids);
        Assert.Equal(fixedIds, ids.ToDictionary(id => id, id => GeneratorDiagnostics[id]));
    }

    [Fact]
    public void Every_provider_supports_fix_all_in_a_document_a_project_and_the_solution()
    {
        foreach (CodeFixProvider provider in new CodeFixProvider[] { new MakePartialCodeFixProvider(), new RemoveDuplicateNetworkAttributeCodeFixProvider(), new MakeFieldConstCodeFixProvider() })
        {
            FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new InvalidOperationException(provider.GetType().Name + " has no Fix All.");
            Assert.Superset(new HashSet<FixAllScope> { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution }, fixAll.GetSupportedFixAllScopes().ToHashSet());
        }
    }

    /// <summary>
    /// A host that hands the fix the generator's diagnostic as reported, with its path-and-span location rather than
    /// one in the document's tree, gets the same fix: the fixes look the syntax up by span.
    /// </summary>
    [Fact]
    public async Task A_diagnostic_with_the_generators_own_location_gets_the_same_fix()
    {
        using var harness = new CodeFixHarness("""
            using DnnGen;

            [Network(2, 1)]
            public class Net;
            """);
        (ImmutableArray<Diagnostic> reported, _) = await harness.CompileAsync();
        Diagnostic diagnostic = Assert.Single(reported);
        Assert.Equal(LocationKind.ExternalFile, diagnostic.Location.Kind);

        CodeAction action = Assert.Single(await CodeFixHarness.ActionsAsync(new MakePartialCodeFixProvider(), harness.Document(0), diagnostic));
        await harness.ApplyAsync(action);

        Assert.Equal(
            ["""
            using DnnGen;

            [Network(2, 1)]
            public partial class Net;
            """],
            await harness.SourcesAsync());
        await FixAssert.CompilesCleanlyAsync(harness);
    }

    [Fact]
    public async Task The_fixes_of_different_diagnostics_have_different_equivalence_keys()
    {
        Assert.Equal(
            3,
            new[] { MakePartialCodeFixProvider.EquivalenceKey, RemoveDuplicateNetworkAttributeCodeFixProvider.EquivalenceKey, MakeFieldConstCodeFixProvider.EquivalenceKey }.Distinct().Count());

        // A class with two faults: each fix is offered for its own diagnostic only.
        using var harness = new CodeFixHarness("""
            using DnnGen;

            [Network(2, 1)]
            [Network(3, 1)]
            public class Net;
            """);
        ImmutableArray<Diagnostic> diagnostics = await harness.DiagnosticsAsync();
        Diagnostic duplicate = Assert.Single(diagnostics);
        Assert.Equal("DNNG0010", duplicate.Id);
        Assert.Empty(await CodeFixHarness.ActionsAsync(new MakePartialCodeFixProvider(), harness.Document(0), duplicate));
    }
}
