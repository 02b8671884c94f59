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

namespace DnnGen.CodeFixes;

/// <summary>
/// DNNG0011 on an argument that is not a constant only because it reads <c>static readonly</c> fields, such as
/// <c>[Network(Sizes.Input, 1)]</c> with <c>static readonly int Input = 12288;</c>: makes those fields
/// <c>const</c>. It is offered only when that is all the argument lacks and each field can be a const: declared in
/// this solution's source, of a type a const can have, every variable of its declaration initialised with a
/// constant, and not assigned in a static constructor. Otherwise there is nothing mechanical to do, and no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeFieldConstCodeFixProvider))]
[Shared]
public sealed class MakeFieldConstCodeFixProvider : CodeFixProvider
{
    /// <summary>The fix's equivalence key.</summary>
    public const string EquivalenceKey = "DnnGen.MakeFieldConst";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.ArgumentNotConstant);

    /// <summary>
    /// Each fix rewrites the modifiers of field declarations, possibly in other documents; the batch fixer merges
    /// them, and two arguments that read one field make the same change, which it applies once.
    /// </summary>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            ExpressionSyntax? argument = await SyntaxLookup.FindAsync<ExpressionSyntax>(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (argument is null || argument.Span != diagnostic.Location.SourceSpan)
            {
                continue;
            }

            SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                continue;
            }

            var fields = new List<IFieldSymbol>();
            if (!BecomesConstant(argument, model, fields, context.CancellationToken) || fields.Count == 0)
            {
                continue;
            }

            Solution solution = context.Document.Project.Solution;
            var declarations = new List<(DocumentId Document, FieldDeclarationSyntax Declaration)>();
            foreach (IFieldSymbol field in fields)
            {
                (DocumentId, FieldDeclarationSyntax)? declaration = await ConvertibleDeclarationAsync(solution, field, context.CancellationToken).ConfigureAwait(false);
                if (declaration is null)
                {
                    declarations = null;
                    break;
                }

                declarations.Add(declaration.Value);
            }

            if (declarations is null)
            {
                continue;
            }

            string names = string.Join(", ", fields.Select(f => "'" + f.Name + "'"));
            context.RegisterCodeFix(
                CodeAction.Create(
                    fields.Count == 1 ? $"Make {names} a const" : $"Make {names} const",
                    cancellationToken => MakeConstAsync(solution, declarations, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    /// <summary>
    /// Whether <paramref name="expression"/> is a constant once the static readonly fields it reads, which are added
    /// to <paramref name="fields"/>, are: it is made of constants, such fields, and the operators a constant
    /// expression may use.
    /// </summary>
    private static bool BecomesConstant(ExpressionSyntax expression, SemanticModel model, List<IFieldSymbol> fields, CancellationToken cancellationToken)
    {
        if (model.GetConstantValue(expression, cancellationToken).HasValue)
        {
            return true;
        }

        switch (expression)
        {
            case IdentifierNameSyntax or MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression }:
                if (model.GetSymbolInfo(expression, cancellationToken).Symbol is IFieldSymbol { IsStatic: true, IsReadOnly: true, IsConst: false } field)
                {
                    if (!fields.Contains(field, SymbolEqualityComparer.Default))
                    {
                        fields.Add(field);
                    }

                    return true;
                }

                return false;
            case ParenthesizedExpressionSyntax parenthesized:
                return BecomesConstant(parenthesized.Expression, model, fields, cancellationToken);
            case CheckedExpressionSyntax @checked:
                return BecomesConstant(@checked.Expression, model, fields, cancellationToken);
            case CastExpressionSyntax cast:
                return BecomesConstant(cast.Expression, model, fields, cancellationToken);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression)
                || unary.IsKind(SyntaxKind.BitwiseNotExpression) || unary.IsKind(SyntaxKind.LogicalNotExpression):
                return BecomesConstant(unary.Operand, model, fields, cancellationToken);
            case BinaryExpressionSyntax binary when !binary.IsKind(SyntaxKind.AsExpression) && !binary.IsKind(SyntaxKind.IsExpression) && !binary.IsKind(SyntaxKind.CoalesceExpression):
                return BecomesConstant(binary.Left, model, fields, cancellationToken) && BecomesConstant(binary.Right, model, fields, cancellationToken);
            case ConditionalExpressionSyntax conditional:
                return BecomesConstant(conditional.Condition, model, fields, cancellationToken)
                    && BecomesConstant(conditional.WhenTrue, model, fields, cancellationToken)
                    && BecomesConstant(conditional.WhenFalse, model, fields, cancellationToken);
            default:
                return false;
        }
    }

    /// <summary>The document and declaration of <paramref name="field"/>, when the declaration can become a const; otherwise null.</summary>
    private static async Task<(DocumentId, FieldDeclarationSyntax)?> ConvertibleDeclarationAsync(Solution solution, IFieldSymbol field, CancellationToken cancellationToken)
    {
        if (!CanBeConst(field.Type) || field.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        SyntaxReference reference = field.DeclaringSyntaxReferences[0];
        Document? document = solution.GetDocument(reference.SyntaxTree);
        if (document is null
            || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: FieldDeclarationSyntax declaration } variables })
        {
            return null;
        }

        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return null;
        }

        // `const` applies to the whole declaration: `static readonly int A = 1, B = F();` cannot become one.
        foreach (VariableDeclaratorSyntax variable in variables.Variables)
        {
            if (variable.Initializer is null || !model.GetConstantValue(variable.Initializer.Value, cancellationToken).HasValue)
            {
                return null;
            }
        }

        return await IsAssignedInStaticConstructorAsync(solution, field, cancellationToken).ConfigureAwait(false)
            ? null
            : (document.Id, declaration);
    }

    /// <summary>The types a const field can have: the built-in numeric types, bool, char, string, and enums.</summary>
    private static bool CanBeConst(ITypeSymbol type) => type.TypeKind == TypeKind.Enum || type.SpecialType switch
    {
        SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_String
            or SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
            or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal => true,
        _ => false,
    };

    /// <summary>
    /// Whether a static constructor of the field's type writes it (the only place besides its initializer where a
    /// static readonly field can be written): a const could not be.
    /// </summary>
    private static async Task<bool> IsAssignedInStaticConstructorAsync(Solution solution, IFieldSymbol field, CancellationToken cancellationToken)
    {
        foreach (IMethodSymbol constructor in field.ContainingType.StaticConstructors)
        {
            foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
            {
                Document? document = solution.GetDocument(reference.SyntaxTree);
                SemanticModel? model = document is null ? null : await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
                if (model is null)
                {
                    // A constructor we cannot see might write it.
                    return true;
                }

                SyntaxNode body = await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false);
                foreach (SimpleNameSyntax name in body.DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    if (name.Identifier.ValueText == field.Name
                        && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, field)
                        && IsWritten(name))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> (or the member access it ends) is assigned, incremented, or passed by ref or out.</summary>
    private static bool IsWritten(SimpleNameSyntax name)
    {
        ExpressionSyntax target = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : name;
        while (target.Parent is ParenthesizedExpressionSyntax parenthesized)
        {
            target = parenthesized;
        }

        return target.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == target,
            PrefixUnaryExpressionSyntax unary => unary.IsKind(SyntaxKind.PreIncrementExpression) || unary.IsKind(SyntaxKind.PreDecrementExpression),
            PostfixUnaryExpressionSyntax unary => unary.IsKind(SyntaxKind.PostIncrementExpression) || unary.IsKind(SyntaxKind.PostDecrementExpression),
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None) && !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword),
            RefExpressionSyntax => true,
            _ => false,
        };
    }

    private static async Task<Solution> MakeConstAsync(Solution solution, IReadOnlyList<(DocumentId Document, FieldDeclarationSyntax Declaration)> declarations, CancellationToken cancellationToken)
    {
        foreach (IGrouping<DocumentId, FieldDeclarationSyntax> group in declarations.GroupBy(d => d.Document, d => d.Declaration))
        {
            Document document = solution.GetDocument(group.Key)!;
            SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
            root = root.ReplaceNodes(group.Distinct(), (original, _) => WithConst(original));
            solution = solution.WithDocumentSyntaxRoot(group.Key, root);
        }

        return solution;
    }

    /// <summary>
    /// <paramref name="declaration"/> with <c>static</c> and <c>readonly</c> replaced by one <c>const</c> after the
    /// remaining modifiers (<c>public static readonly int</c> becomes <c>public const int</c>), trivia kept.
    /// </summary>
    internal static FieldDeclarationSyntax WithConst(FieldDeclarationSyntax declaration)
    {
        SyntaxTokenList modifiers = declaration.Modifiers;
        var kept = modifiers.Where(m => !m.IsKind(SyntaxKind.StaticKeyword) && !m.IsKind(SyntaxKind.ReadOnlyKeyword)).ToList();
        SyntaxToken @const = SyntaxFactory.Token(SyntaxKind.ConstKeyword).WithTrailingTrivia(modifiers.Last().TrailingTrivia);
        if (kept.Count == 0)
        {
            @const = @const.WithLeadingTrivia(modifiers.First().LeadingTrivia);
        }
        else if (kept[0] != modifiers.First())
        {
            kept[0] = kept[0].WithLeadingTrivia(modifiers.First().LeadingTrivia);
        }

        return declaration.WithModifiers(SyntaxFactory.TokenList(kept.Append(@const)));
    }
}
