using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using DnnGen.Generator.Onnx;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DnnGen.Generator;

/// <summary>A member name and where it is declared, kept by value so that a later stage can report a collision with it.</summary>
internal sealed record NamedLocation(string Name, LocationInfo? Location);

/// <summary>
/// What a [NetworkFromOnnx] class declares that the generated members could collide with, kept by value: the generated
/// names depend on the layer count and the loss, and the element type on the model, so the checks of [Network]
/// (DNNG0007, DNNG0014, DNNG0017) run after the model is read, on these facts.
/// </summary>
/// <param name="Interfaces">
/// Each interface of the base list that is, or extends, INetwork&lt;T&gt; or IPredictor&lt;T&gt; of float or double.
/// </param>
/// <param name="BaseMembers">
/// The accessible members of the base classes, nearest first, each "ancestor\nname" (ancestor empty for the direct base).
/// </param>
internal sealed record DeclarationFacts(
    EquatableArray<NamedLocation> Members,
    EquatableArray<string> BaseMembers,
    string BaseName,
    LocationInfo? BaseLocation,
    EquatableArray<DeclaredInterface> Interfaces);

/// <summary>
/// A network interface in an imported class's base list: how the message names it ("INetwork&lt;double&gt; through
/// 'IMine'"), what to remove, its element type ("float" or "double") and where it is written.
/// </summary>
internal sealed record DeclaredInterface(string How, string Remove, string ElementType, LocationInfo? Location);

/// <summary>
/// One [NetworkFromOnnx("x.onnx")] declaration as the parse leaves it: the network's place and names (a
/// <see cref="NetworkModel"/> without layers), the path, and what its class declares; or the diagnostics that stop it.
/// </summary>
internal sealed record OnnxDeclaration(
    NetworkModel? Template,
    string Path,
    LocationInfo? AttributeLocation,
    LocationInfo? Identifier,
    DeclarationFacts? Facts,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A listed .onnx file, read once whatever the networks: the file (without its bytes) and what the reader made of it.</summary>
internal sealed record OnnxFile(ModelFile File, OnnxReadResult Result);

/// <summary>A declaration paired with the file it names, or why there is none; equal unless one of the two changed.</summary>
internal sealed record OnnxImportInput(OnnxDeclaration Declaration, OnnxFile? File, ModelFileProblem Problem, string Why);

/// <summary>
/// [NetworkFromOnnx("mlp.onnx")]: the parse of the declaration (<see cref="Parse"/>), the reading of each listed .onnx
/// (<see cref="Read"/>), and the import that makes of the two a baked network (<see cref="Import"/>), for the emitter
/// of networks with Weights. Diagnostics DNNG0031 to DNNG0034 are reported at the attribute.
/// </summary>
internal static class OnnxNetworks
{
    public const string AttributeMetadataName = "DnnGen.NetworkFromOnnxAttribute";

    public static OnnxDeclaration Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());
        string className = symbol.Name;
        AttributeData attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        LocationInfo? attributeLocation = LocationInfo.From(attributeSyntax?.GetLocation()) ?? identifier;
        OnnxDeclaration Failed() => new(null, string.Empty, attributeLocation, identifier, null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

        // A class is one network: with [Network] as well, [Network] makes it and this attribute is reported. Two
        // [NetworkFromOnnx] on the parts of one class are the compiler's CS0579; neither generates anything.
        AttributeData? network = symbol.GetAttributes().FirstOrDefault(NetworkParser.IsNetworkAttribute);
        if (network is not null)
        {
            FileLinePositionSpan at = network.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation().GetLineSpan() ?? default;
            string where = string.Format(CultureInfo.InvariantCulture, "{0}({1},{2})", System.IO.Path.GetFileName(at.Path ?? string.Empty), at.StartLinePosition.Line + 1, at.StartLinePosition.Character + 1);
            diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.DuplicateAttribute, attributeLocation, className, where));
            return Failed();
        }

        if (symbol.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == AttributeMetadataName) > 1)
        {
            return Failed();
        }

        var containingTypes = new List<ContainingType>();
        if (!NetworkParser.CheckDeclaration(symbol, declaration, className, identifier, attributeLocation, diagnostics, containingTypes, cancellationToken, "NetworkFromOnnx"))
        {
            return Failed();
        }

        LocationInfo? argumentLocation = LocationInfo.From(attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault()?.GetLocation()) ?? attributeLocation;
        string? path = attribute.AttributeConstructor is not null
            && attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Primitive
            ? attribute.ConstructorArguments[0].Value as string
            : null;
        string? problem = attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            ? "its argument is not a constant string; write the path of the model as the project lists it, such as \"mlp.onnx\""
            : string.IsNullOrWhiteSpace(path)
            ? "it names no file; give the path of the .onnx model as the project lists it, such as \"mlp.onnx\""
            : !path!.Trim().EndsWith(".onnx", System.StringComparison.OrdinalIgnoreCase)
            ? "it is not an .onnx file; [NetworkFromOnnx] imports an ONNX model, as torch.onnx.export writes it (weights in a .npz file are baked with [Network(..., Weights = \"x.npz\")])"
            : path.StartsWith("/", System.StringComparison.Ordinal) || path.StartsWith("\\", System.StringComparison.Ordinal) || (path.Length > 1 && path[1] == ':')
            ? "it is an absolute path; give the path relative to the project, as <AdditionalFiles Include=\"...\" /> lists it, such as \"mlp.onnx\""
            : null;
        if (problem is not null)
        {
            diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.OnnxModelNotFound, argumentLocation, className, path ?? string.Empty, problem));
        }

        if (diagnostics.Count > 0)
        {
            return Failed();
        }

        DeclarationFacts facts = Facts(context, symbol, identifier, diagnostics, cancellationToken);
        if (diagnostics.Count > 0)
        {
            return Failed();
        }

        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString(NetworkParser.NamespaceFormat);
        var template = new NetworkModel(
            ns,
            NetworkParser.EscapeIdentifier(className),
            new EquatableArray<ContainingType>(containingTypes.ToArray()),
            default,
            Precision.Double,
            Initialization.NormalOverSqrtFanIn,
            NetworkParser.RuntimeAlias(context.SemanticModel.Compilation, attribute.AttributeClass),
            Weights: path,
            FromOnnx: true);
        return new OnnxDeclaration(template, path!, attributeLocation, identifier, facts, default);
    }

    /// <summary>Reads one listed .onnx file (once, whatever the networks); its bytes are not kept.</summary>
    public static OnnxFile Read(ModelFile file, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        OnnxReadResult result = file.Problem == ModelFileProblem.None
            ? OnnxModelReader.Read(file.Bytes.AsSpan().ToArray())
            : new OnnxReadResult(null, default);
        return new OnnxFile(file.WithoutBytes(), result);
    }

    /// <summary>Pairs a declaration with the .onnx file it names.</summary>
    public static OnnxImportInput Match(OnnxDeclaration declaration, ImmutableArray<OnnxFile> files)
    {
        if (declaration.Template is null)
        {
            return new OnnxImportInput(declaration, null, ModelFileProblem.None, string.Empty);
        }

        OnnxFile? file = ModelFiles.Find(files, f => f.File, declaration.Path, out ModelFileProblem problem, out string why);
        return new OnnxImportInput(declaration, file, problem, why);
    }

    /// <summary>The imported network, baked, or the diagnostics that stop it.</summary>
    public static ParseResult Import(OnnxImportInput input)
    {
        OnnxDeclaration declaration = input.Declaration;
        if (declaration.Template is not { } template || declaration.Facts is not { } facts)
        {
            return new ParseResult(null, declaration.Diagnostics);
        }

        string className = template.ClassName.Replace("@", string.Empty);
        LocationInfo? location = declaration.AttributeLocation;
        if (input.File is null)
        {
            return Failed(input.Problem == ModelFileProblem.Damaged
                ? NetworkParser.Report(DiagnosticDescriptors.InvalidOnnxModel, location, className, declaration.Path, input.Why)
                : NetworkParser.Report(DiagnosticDescriptors.OnnxModelNotFound, location, className, declaration.Path, input.Why));
        }

        OnnxReadResult read = input.File.Result;
        if (read.Network is not { } network)
        {
            return Failed(read.Errors.Select(error => NetworkParser.Report(Descriptor(error.Kind), location, className, declaration.Path, error.Message)).ToArray());
        }

        Activation output = network.ActivationOf(network.LayerSizes.Count - 1);
        Loss loss = Activations.Of(output).DefaultLoss;
        var shape = new NetworkShape(network.LayerSizes);
        DiagnosticInfo? tooLarge = NetworkParser.CheckArrayLimits(shape, network.Precision, className, location, baked: true, attribute: "NetworkFromOnnx");
        if (tooLarge is not null)
        {
            return Failed(tooLarge);
        }

        string own = network.Precision == Precision.Single ? "float" : "double";
        DiagnosticInfo[] otherType = facts.Interfaces
            .Where(declared => declared.ElementType != own)
            .Select(declared => NetworkParser.Report(
                DiagnosticDescriptors.OtherPrecisionInterface,
                declared.Location ?? declaration.Identifier,
                className,
                declared.How,
                own,
                declared.Remove,
                "import a model of " + (own == "float" ? "float64 (DOUBLE)" : "float32 (FLOAT)") + " tensors",
                "NetworkFromOnnx(\"" + declaration.Path + "\")",
                "IPredictor"))
            .ToArray();
        if (otherType.Length > 0)
        {
            return Failed(otherType);
        }

        var generated = new HashSet<string>(shape.BakedMemberNames(Losses.Of(loss).Labels));
        DiagnosticInfo[] collisions = Collisions(facts, className, declaration.Identifier, generated).ToArray();
        if (collisions.Length > 0)
        {
            return Failed(collisions);
        }

        NetworkModel model = template with
        {
            LayerSizes = network.LayerSizes,
            Precision = network.Precision,
            Activations = network.Activations,
            Loss = loss,
            LeakyReluSlope = network.LeakyReluSlope,
            BakedParameters = network.Parameters,
        };
        return new ParseResult(model, default);
    }

    /// <summary>The descriptor of each kind of reader error.</summary>
    private static DiagnosticDescriptor Descriptor(OnnxErrorKind kind) => kind switch
    {
        OnnxErrorKind.InvalidModel => DiagnosticDescriptors.InvalidOnnxModel,
        OnnxErrorKind.UnsupportedOperator or OnnxErrorKind.UnsupportedAttribute or OnnxErrorKind.UnsupportedSoftmaxAxis or OnnxErrorKind.UnsupportedLayer
            => DiagnosticDescriptors.UnsupportedOnnxNode,
        _ => DiagnosticDescriptors.UnsupportedOnnxGraph,
    };

    private static ParseResult Failed(params DiagnosticInfo[] diagnostics) => new(null, new EquatableArray<DiagnosticInfo>(diagnostics));

    /// <summary>
    /// What the class declares, by value; DNNG0014 at once for a base class that is itself a network, which collides
    /// whatever the model.
    /// </summary>
    private static DeclarationFacts Facts(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, LocationInfo? identifier, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var members = new List<NamedLocation>();
        foreach (ISymbol member in symbol.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!member.IsImplicitlyDeclared)
            {
                members.Add(new NamedLocation(member.Name, LocationInfo.From(member.Locations.FirstOrDefault(l => l.IsInSource)) ?? identifier));
            }
        }

        var baseMembers = new List<string>();
        string baseName = string.Empty;
        LocationInfo? baseLocation = null;
        INamedTypeSymbol? directBase = symbol.BaseType;
        if (directBase is not null && directBase.SpecialType != SpecialType.System_Object)
        {
            baseLocation = NetworkParser.BaseTypeLocation(context, symbol, directBase, cancellationToken) ?? identifier;
            baseName = directBase.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            for (INamedTypeSymbol? ancestor = directBase; ancestor is not null && ancestor.SpecialType != SpecialType.System_Object; ancestor = ancestor.BaseType)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ancestor.GetAttributes().Any(a => NetworkParser.IsNetworkAttribute(a) || a.AttributeClass?.ToDisplayString() == AttributeMetadataName)
                    || ancestor.Interfaces.Any(IsNetworkInterface))
                {
                    string which = SymbolEqualityComparer.Default.Equals(ancestor, directBase) ? "it" : "its base '" + ancestor.Name + "'";
                    diagnostics.Add(NetworkParser.Report(
                        DiagnosticDescriptors.BaseClassCollision,
                        baseLocation,
                        symbol.Name,
                        baseName,
                        which + " is itself a network, and every member DnnGen generates in '" + symbol.Name + "' would hide one of its own; derive from another class, or give '" + symbol.Name + "' a field that holds the other network"));
                    break;
                }

                foreach (ISymbol member in ancestor.GetMembers())
                {
                    if (!member.IsImplicitlyDeclared
                        && member.DeclaredAccessibility != Accessibility.Private
                        && context.SemanticModel.Compilation.IsSymbolAccessibleWithin(member, symbol))
                    {
                        baseMembers.Add((SymbolEqualityComparer.Default.Equals(ancestor, directBase) ? string.Empty : ancestor.Name) + "\n" + member.Name);
                    }
                }
            }
        }

        var interfaces = new List<DeclaredInterface>();
        foreach (INamedTypeSymbol declared in symbol.Interfaces)
        {
            INamedTypeSymbol? network = IsNetworkInterface(declared) ? declared : declared.AllInterfaces.FirstOrDefault(IsNetworkInterface);
            if (network is { TypeArguments.Length: 1 } && network.TypeArguments[0].SpecialType is SpecialType.System_Single or SpecialType.System_Double)
            {
                string name = network.Name + "<" + (network.TypeArguments[0].SpecialType == SpecialType.System_Single ? "float" : "double") + ">";
                string declaredName = "'" + declared.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'";
                bool direct = SymbolEqualityComparer.Default.Equals(network, declared);
                interfaces.Add(new DeclaredInterface(
                    direct ? name : name + " through " + declaredName,
                    direct ? name : declaredName,
                    network.TypeArguments[0].SpecialType == SpecialType.System_Single ? "float" : "double",
                    NetworkParser.BaseTypeLocation(context, symbol, declared, cancellationToken) ?? identifier));
            }
        }

        return new DeclarationFacts(
            new EquatableArray<NamedLocation>(members.ToArray()),
            new EquatableArray<string>(baseMembers.ToArray()),
            baseName,
            baseLocation,
            new EquatableArray<DeclaredInterface>(interfaces.ToArray()));
    }

    private static bool IsNetworkInterface(INamedTypeSymbol type)
        => type.OriginalDefinition.ToDisplayString() is "DnnGen.INetwork<T>" or "DnnGen.IPredictor<T>";

    /// <summary>DNNG0007 and DNNG0014 as [Network] reports them, from the facts and the names the model generates.</summary>
    private static IEnumerable<DiagnosticInfo> Collisions(DeclarationFacts facts, string className, LocationInfo? identifier, HashSet<string> generated)
    {
        if (generated.Contains(className))
        {
            yield return NetworkParser.Report(
                DiagnosticDescriptors.MemberNameCollision,
                identifier,
                "The class's own name '" + className + "' is the name of a member DnnGen generates for the network, and C# forbids a member named like its class; rename the class");
        }

        foreach (NamedLocation member in facts.Members)
        {
            if (generated.Contains(member.Name))
            {
                yield return NetworkParser.Report(
                    DiagnosticDescriptors.MemberNameCollision,
                    member.Location ?? identifier,
                    "'" + className + "' already declares '" + member.Name + "', which DnnGen generates for the network; rename or remove it");
            }
        }

        var reported = new HashSet<string>();
        foreach (string entry in facts.BaseMembers)
        {
            int separator = entry.IndexOf('\n');
            string ancestor = entry.Substring(0, separator), name = entry.Substring(separator + 1);
            if (generated.Contains(name) && reported.Add(name))
            {
                string which = ancestor.Length == 0 ? "it" : "its base '" + ancestor + "'";
                yield return NetworkParser.Report(
                    DiagnosticDescriptors.BaseClassCollision,
                    facts.BaseLocation,
                    className,
                    facts.BaseName,
                    which + " declares '" + name + "', which DnnGen generates in every network and would hide; rename it there, make it private, or derive from another class");
            }
        }
    }
}
