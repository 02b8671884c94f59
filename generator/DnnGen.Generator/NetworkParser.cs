using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DnnGen.Generator;

/// <summary>
/// Turns one [Network] declaration into a <see cref="ParseResult"/>: the model to emit, or the diagnostics that say
/// why it cannot be emitted. Symbols and syntax are used here and nowhere later.
/// </summary>
internal static class NetworkParser
{
    public const string AttributeMetadataName = "DnnGen.NetworkAttribute";

    private static readonly SymbolDisplayFormat NamespaceFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());
        string className = symbol.Name;

        AttributeData attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        LocationInfo? attributeLocation = LocationInfo.From(attributeSyntax?.GetLocation()) ?? identifier;

        // The compiler reports malformed attribute arguments itself (CS0182, CS1503, ...); adding to that would be noise.
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
        {
            return Empty;
        }

        if (CountNetworkAttributes(symbol) > 1)
        {
            // Partial declarations each carrying [Network] reach this transform once per declaration; only one may
            // speak, or the same file would be generated twice.
            return IsFirstNetworkAttribute(symbol, attribute)
                ? Failed(Report(DiagnosticDescriptors.DuplicateAttribute, identifier, className))
                : Empty;
        }

        string? unsupported = DescribeUnsupportedTarget(symbol);
        if (unsupported is not null)
        {
            return Failed(Report(DiagnosticDescriptors.UnsupportedTarget, identifier, className, unsupported));
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Report(DiagnosticDescriptors.ClassMustBePartial, identifier, className));
        }

        var containingTypes = new List<ContainingType>();
        for (INamedTypeSymbol? outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var outerSyntax = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as TypeDeclarationSyntax;
            LocationInfo? outerIdentifier = LocationInfo.From(outerSyntax?.Identifier.GetLocation()) ?? identifier;
            if (outer.TypeParameters.Length > 0)
            {
                return Failed(Report(DiagnosticDescriptors.UnsupportedTarget, identifier, className, "nested inside the generic type '" + outer.Name + "'"));
            }

            if (outerSyntax is null || !outerSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Report(DiagnosticDescriptors.ContainingTypeMustBePartial, outerIdentifier, outer.Name, className));
            }

            containingTypes.Insert(0, new ContainingType(TypeKeyword(outer), EscapeIdentifier(outer.Name)));
        }

        int[] sizes = ReadLayerSizes(attribute);
        if (sizes.Length < 2)
        {
            diagnostics.Add(Report(DiagnosticDescriptors.TooFewLayerSizes, attributeLocation, className, sizes.Length.ToString(CultureInfo.InvariantCulture)));
        }

        for (int i = 0; i < sizes.Length; i++)
        {
            if (sizes[i] <= 0)
            {
                diagnostics.Add(Report(
                    DiagnosticDescriptors.LayerSizeMustBePositive,
                    SizeArgumentLocation(attributeSyntax, i, sizes.Length) ?? attributeLocation,
                    i.ToString(CultureInfo.InvariantCulture),
                    sizes[i].ToString(CultureInfo.InvariantCulture)));
            }
        }

        Precision precision = Precision.Double;
        Initialization initialization = Initialization.NormalOverSqrtFanIn;
        foreach (KeyValuePair<string, TypedConstant> option in attribute.NamedArguments)
        {
            int value = option.Value.Value is int number ? number : -1;
            LocationInfo? optionLocation = NamedArgumentLocation(attributeSyntax, option.Key) ?? attributeLocation;
            switch (option.Key)
            {
                case "Precision" when value is (int)Precision.Double or (int)Precision.Single:
                    precision = (Precision)value;
                    break;
                case "Precision":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Precision", Format(value), "DnnGen.Precision", "Double, Single"));
                    break;
                case "Initialization" when value is (int)Initialization.ScaledNormal or (int)Initialization.NormalOverSqrtFanIn:
                    initialization = (Initialization)value;
                    break;
                case "Initialization":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Initialization", Format(value), "DnnGen.Initialization", "ScaledNormal, NormalOverSqrtFanIn"));
                    break;
            }
        }

        if (diagnostics.Count > 0)
        {
            return Failed(diagnostics.ToArray());
        }

        var shape = new NetworkShape(new EquatableArray<int>(sizes));
        if (shape.ParameterCount > NetworkShape.MaxArrayLength)
        {
            decimal exactCount = 0;
            for (int l = 1; l < sizes.Length; l++)
            {
                exactCount += (decimal)sizes[l] * sizes[l - 1] + sizes[l];
            }

            string count = exactCount.ToString("N0", CultureInfo.InvariantCulture);
            return Failed(Report(DiagnosticDescriptors.NetworkTooLarge, attributeLocation, className, count, Format(NetworkShape.MaxArrayLength)));
        }

        diagnostics.AddRange(FindCollisions(symbol, shape, identifier, cancellationToken));
        if (diagnostics.Count > 0)
        {
            return Failed(diagnostics.ToArray());
        }

        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString(NamespaceFormat);
        var model = new NetworkModel(
            ns,
            EscapeIdentifier(className),
            new EquatableArray<ContainingType>(containingTypes.ToArray()),
            shape.Sizes,
            precision,
            initialization);
        return new ParseResult(model, default);
    }

    private static ParseResult Empty { get; } = new(null, default);

    private static ParseResult Failed(params DiagnosticInfo[] diagnostics) => new(null, new EquatableArray<DiagnosticInfo>(diagnostics));

    private static DiagnosticInfo Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        => new(descriptor.Id, location, new EquatableArray<string>(arguments));

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static bool IsNetworkAttribute(AttributeData attribute)
        => attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName;

    private static int CountNetworkAttributes(INamedTypeSymbol symbol) => symbol.GetAttributes().Count(IsNetworkAttribute);

    private static bool IsFirstNetworkAttribute(INamedTypeSymbol symbol, AttributeData attribute)
        => ReferenceEquals(symbol.GetAttributes().First(IsNetworkAttribute).ApplicationSyntaxReference?.GetSyntax(), attribute.ApplicationSyntaxReference?.GetSyntax());

    private static string? DescribeUnsupportedTarget(INamedTypeSymbol symbol)
    {
        if (symbol.TypeKind == TypeKind.Interface)
        {
            return "an interface";
        }

        if (symbol.TypeKind == TypeKind.Struct)
        {
            return symbol.IsRecord ? "a record struct" : "a struct";
        }

        if (symbol.IsRecord)
        {
            return "a record";
        }

        if (symbol.IsStatic)
        {
            return "a static class";
        }

        if (symbol.IsAbstract)
        {
            return "an abstract class";
        }

        return symbol.TypeParameters.Length > 0 ? "a generic class" : null;
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Interface } => "interface",
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        _ => "class",
    };

    private static string EscapeIdentifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.PartialKeyword
            ? "@" + name
            : name;

    private static int[] ReadLayerSizes(AttributeData attribute)
    {
        TypedConstant argument = attribute.ConstructorArguments[0];
        if (argument.Kind != TypedConstantKind.Array || argument.IsNull)
        {
            return System.Array.Empty<int>();
        }

        return argument.Values.Select(v => v.Value is int size ? size : 0).ToArray();
    }

    /// <summary>The syntax of size <paramref name="index"/>: a positional argument, or an element of an array argument.</summary>
    private static LocationInfo? SizeArgumentLocation(AttributeSyntax? attribute, int index, int count)
    {
        var positional = attribute?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList();
        if (positional is null)
        {
            return null;
        }

        if (positional.Count == count)
        {
            return LocationInfo.From(positional[index].GetLocation());
        }

        InitializerExpressionSyntax? initializer = positional.Count == 1
            ? positional[0].Expression switch
            {
                ArrayCreationExpressionSyntax array => array.Initializer,
                ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer,
                _ => null,
            }
            : null;
        return initializer is not null && initializer.Expressions.Count == count
            ? LocationInfo.From(initializer.Expressions[index].GetLocation())
            : null;
    }

    private static LocationInfo? NamedArgumentLocation(AttributeSyntax? attribute, string name)
        => LocationInfo.From(attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation());

    private static IEnumerable<DiagnosticInfo> FindCollisions(INamedTypeSymbol symbol, NetworkShape shape, LocationInfo? identifier, CancellationToken cancellationToken)
    {
        var generated = new HashSet<string>(shape.GeneratedMemberNames());
        if (generated.Contains(symbol.Name))
        {
            // C# forbids a member named like its enclosing type, so the class itself must not take a generated name.
            yield return Report(DiagnosticDescriptors.MemberNameCollision, identifier, symbol.Name, symbol.Name);
        }

        foreach (ISymbol member in symbol.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!member.IsImplicitlyDeclared && generated.Contains(member.Name))
            {
                Location? location = member.Locations.FirstOrDefault(l => l.IsInSource);
                yield return Report(DiagnosticDescriptors.MemberNameCollision, LocationInfo.From(location) ?? identifier, symbol.Name, member.Name);
            }
        }
    }
}
