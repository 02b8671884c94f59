using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.CodeFixes;

/// <summary>Finds the syntax a diagnostic points at.</summary>
internal static class SyntaxLookup
{
    /// <summary>
    /// The innermost node of type <typeparamref name="TNode"/> that covers <paramref name="diagnostic"/>'s span in
    /// <paramref name="document"/>, or null. The generator reports its diagnostics as locations made from a file path
    /// and a span (its pipeline keeps no syntax trees); an IDE hands a code fix the diagnostic with its location mapped
    /// into the document. Both carry the span, so the span is what is looked up, never the location's tree.
    /// </summary>
    public static async Task<TNode?> FindAsync<TNode>(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        where TNode : SyntaxNode
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        TextSpan span = diagnostic.Location.SourceSpan;
        if (root is null || span.End > root.FullSpan.End)
        {
            return null;
        }

        for (SyntaxNode? node = root.FindNode(span, getInnermostNodeForTie: true); node is not null; node = node.Parent)
        {
            if (node is TNode match)
            {
                return match;
            }
        }

        return null;
    }
}
