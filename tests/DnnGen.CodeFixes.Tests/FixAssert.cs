using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace DnnGen.CodeFixes.Tests;

/// <summary>The checks every fix test makes: what the generator reported, what the fix offered, what it wrote, and that the result builds.</summary>
internal static class FixAssert
{
    /// <summary>
    /// Applies the one fix <paramref name="provider"/> offers for the one <paramref name="id"/> diagnostic of
    /// <paramref name="before"/>, and checks its title, that the sources become exactly <paramref name="after"/>, and
    /// that they then compile with the generator without any DNNG diagnostic, error or warning.
    /// </summary>
    public static async Task FixesAsync(CodeFixProvider provider, string id, string title, string[] before, string[] after)
    {
        using var harness = new CodeFixHarness(before);
        Diagnostic diagnostic = await SingleAsync(harness, id);
        IReadOnlyList<CodeAction> actions = await CodeFixHarness.ActionsAsync(provider, harness.DocumentOf(diagnostic), diagnostic);

        CodeAction action = Assert.Single(actions);
        Assert.Equal(title, action.Title);
        Assert.NotNull(action.EquivalenceKey);
        await harness.ApplyAsync(action);

        Assert.Equal(after, await harness.SourcesAsync());
        await CompilesCleanlyAsync(harness);
    }

    public static Task FixesAsync(CodeFixProvider provider, string id, string title, string before, string after)
        => FixesAsync(provider, id, title, [before], [after]);

    /// <summary>
    /// Fix All in the document from the first <paramref name="id"/> diagnostic, after checking that the generator
    /// reported <paramref name="count"/> of them; then the same checks as <see cref="FixesAsync(CodeFixProvider, string, string, string[], string[])"/>.
    /// </summary>
    public static async Task FixesAllAsync(CodeFixProvider provider, string id, int count, string before, string after)
    {
        using var harness = new CodeFixHarness(before);
        ImmutableArray<Diagnostic> diagnostics = await harness.DiagnosticsAsync();
        Assert.Equal(Enumerable.Repeat(id, count), diagnostics.Select(d => d.Id));

        await harness.FixAllAsync(provider, diagnostics[0]);

        Assert.Equal([after], await harness.SourcesAsync());
        await CompilesCleanlyAsync(harness);
    }

    /// <summary>That the generator reports <paramref name="id"/> for <paramref name="source"/> and <paramref name="provider"/> offers nothing for it.</summary>
    public static async Task OffersNoFixAsync(CodeFixProvider provider, string id, params string[] sources)
    {
        using var harness = new CodeFixHarness(sources);
        Diagnostic diagnostic = await SingleAsync(harness, id);

        Assert.Empty(await CodeFixHarness.ActionsAsync(provider, harness.DocumentOf(diagnostic), diagnostic));
    }

    /// <summary>The generator's one diagnostic, which must be <paramref name="id"/>, mapped into its document.</summary>
    public static async Task<Diagnostic> SingleAsync(CodeFixHarness harness, string id)
    {
        ImmutableArray<Diagnostic> diagnostics = await harness.DiagnosticsAsync();
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic;
    }

    /// <summary>The generator reports nothing, and the compilation with its code has no error and no warning.</summary>
    public static async Task CompilesCleanlyAsync(CodeFixHarness harness)
    {
        (ImmutableArray<Diagnostic> generator, ImmutableArray<Diagnostic> compilation) = await harness.CompileAsync();
        Assert.Empty(generator.Select(d => d.ToString()));
        Assert.Empty(compilation.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
    }
}
