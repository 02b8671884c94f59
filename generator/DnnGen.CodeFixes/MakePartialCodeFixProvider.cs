using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DnnGen.CodeFixes;

/// <summary>
/// Adds <c>partial</c> to the type declaration whose identifier a diagnostic points at: the network class
/// (DNNG0001) or a type that encloses it (DNNG0006). A diagnostic reported on the identifier of a declaration that
/// must be partial gets this fix by adding its id to <see cref="FixableDiagnosticIds"/>, nothing more.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider))]
[Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <summary>The fix's equivalence key: Fix All makes every reported declaration partial at once.</summary>
    public const string EquivalenceKey = "DnnGen.MakePartial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.ClassMustBePartial,
        DiagnosticIds.ContainingTypeMustBePartial);

    /// <summary>
    /// Each fix inserts one keyword into one declaration's modifiers, so the fixes of a document, a project or a
    /// solution merge as text changes. Two networks nested in one type report that type twice: their two fixes are
    /// the same change, which the batch fixer applies once.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            TypeDeclarationSyntax? declaration = await SyntaxLookup.FindAsync<TypeDeclarationSyntax>(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (declaration is null
                || declaration.Identifier.Span != diagnostic.Location.SourceSpan
                || declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{declaration.Identifier.ValueText}' partial",
                    cancellationToken => MakePartialAsync(document, declaration, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, WithPartial(declaration)));
    }

    /// <summary>
    /// <paramref name="declaration"/> with <c>partial</c> as its last modifier, where C# requires it: right before
    /// <c>class</c>, <c>struct</c>, <c>interface</c> or <c>record</c>, and after <c>ref</c> and <c>readonly</c>
    /// (<c>public readonly ref partial struct</c>). The other modifiers keep their order and their trivia;
    /// <c>partial</c> takes over the keyword's leading trivia (with no modifiers: its indentation, a comment above it).
    /// </summary>
    internal static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
    {
        SyntaxToken keyword = declaration.Keyword;
        SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword)
            .WithLeadingTrivia(keyword.LeadingTrivia)
            .WithTrailingTrivia(SyntaxFactory.Space);
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
            .WithModifiers(declaration.Modifiers.Add(partial));
    }
}
