using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.CodeFixes;

/// <summary>
/// Removes a [Network] that DNNG0010 reports: every one of a class's [Network] attributes but its first. An attribute
/// list left empty goes too, with its line when it stood on a line of its own.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDuplicateNetworkAttributeCodeFixProvider))]
[Shared]
public sealed class RemoveDuplicateNetworkAttributeCodeFixProvider : CodeFixProvider
{
    /// <summary>The fix's equivalence key.</summary>
    public const string EquivalenceKey = "DnnGen.RemoveDuplicateNetworkAttribute";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DuplicateAttribute);

    /// <summary>
    /// Fix All removes the reported attributes of a document together, not by merging one fix's text changes with
    /// another's as the batch fixer does: two duplicates in one list, <c>[Network(2, 1), Network(3, 1), Network(4, 1)]</c>,
    /// each rewrite that list, and the batch fixer would keep only one of the two rewrites.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) =>
        {
            var attributes = new List<AttributeSyntax>();
            foreach (Diagnostic diagnostic in diagnostics)
            {
                if (await FindAttributeAsync(document, diagnostic, context.CancellationToken).ConfigureAwait(false) is { } attribute)
                {
                    attributes.Add(attribute);
                }
            }

            return attributes.Count == 0 ? document : await RemoveAsync(document, attributes, context.CancellationToken).ConfigureAwait(false);
        });

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            AttributeSyntax? attribute = await FindAttributeAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (attribute is null)
            {
                continue;
            }

            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Remove the duplicate [{attribute}]",
                    cancellationToken => RemoveAsync(document, new[] { attribute }, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<AttributeSyntax?> FindAttributeAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        AttributeSyntax? attribute = await SyntaxLookup.FindAsync<AttributeSyntax>(document, diagnostic, cancellationToken).ConfigureAwait(false);
        return attribute is not null && attribute.Span == diagnostic.Location.SourceSpan && attribute.Parent is AttributeListSyntax ? attribute : null;
    }

    /// <summary>
    /// Removes <paramref name="attributes"/> as text changes, one per attribute list they stand in: a list that keeps
    /// other attributes is rewritten without them, and a list they empty is deleted (see <see cref="ListDeletion"/>).
    /// </summary>
    private static async Task<Document> RemoveAsync(Document document, IReadOnlyCollection<AttributeSyntax> attributes, CancellationToken cancellationToken)
    {
        SourceText text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<TextChange>();
        foreach (IGrouping<AttributeListSyntax, AttributeSyntax> group in attributes.GroupBy(a => (AttributeListSyntax)a.Parent!))
        {
            AttributeListSyntax list = group.Key;
            var removed = new HashSet<AttributeSyntax>(group);
            var kept = list.Attributes.Where(a => !removed.Contains(a)).ToList();
            if (kept.Count == 0)
            {
                changes.Add(new TextChange(ListDeletion(list), string.Empty));
            }
            else
            {
                // From the first attribute to the last: the target ("type:") and the brackets stay as written.
                TextSpan span = TextSpan.FromBounds(list.Attributes.First().SpanStart, list.Attributes.Last().Span.End);
                changes.Add(new TextChange(span, string.Join(", ", kept.Select(a => a.ToString()))));
            }
        }

        return document.WithText(text.WithChanges(changes));
    }

    /// <summary>
    /// What to delete for <paramref name="list"/>: the list and its trailing trivia (the space or the line end after
    /// it), and of its leading trivia only the indentation after the last line break. So a list on a line of its
    /// own goes with its line, a comment above it stays, and <c>[A] [B] class</c> becomes <c>[A] class</c>.
    /// </summary>
    private static TextSpan ListDeletion(AttributeListSyntax list)
    {
        SyntaxTriviaList leading = list.GetLeadingTrivia();
        int start = list.FullSpan.Start;
        for (int i = leading.Count - 1; i >= 0; i--)
        {
            if (leading[i].IsKind(SyntaxKind.EndOfLineTrivia))
            {
                start = leading[i].FullSpan.End;
                break;
            }

            if (!leading[i].IsKind(SyntaxKind.WhitespaceTrivia))
            {
                // A comment or directive right before the list, on its line: keep it and everything before it.
                start = leading[i].FullSpan.End;
                break;
            }
        }

        return TextSpan.FromBounds(start, list.FullSpan.End);
    }
}
