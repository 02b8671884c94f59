using System.Collections.Generic;
using System.Collections.Immutable;
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

    internal static readonly SymbolDisplayFormat NamespaceFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>
    /// The alias generated code must use for the runtime library: "global", unless the project references the library
    /// only under extern aliases (<c>Aliases="dnn"</c> on its reference), where <c>global::DnnGen</c> would not resolve
    /// (CS0400); then the first alias, which the generated file declares with <c>extern alias</c>.
    /// </summary>
    internal static string RuntimeAlias(Compilation compilation, INamedTypeSymbol? attributeClass)
    {
        IAssemblySymbol? runtime = attributeClass?.ContainingAssembly;
        if (runtime is null || SymbolEqualityComparer.Default.Equals(runtime, compilation.Assembly))
        {
            return "global";
        }

        System.Collections.Immutable.ImmutableArray<string> aliases = compilation.GetMetadataReference(runtime)?.Properties.Aliases ?? default;
        return aliases.IsDefaultOrEmpty || aliases.Contains("global") ? "global" : aliases[0];
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());
        string className = symbol.Name;

        var networkAttributes = symbol.GetAttributes().Where(IsNetworkAttribute).ToList();
        if (networkAttributes.Count > 1)
        {
            // Partial declarations each carrying [Network] reach this transform once per declaration, and several
            // attributes on one declaration arrive together. The first attribute of the class is the network; every
            // other one is reported where it stands, and nothing is generated.
            return Failed(DuplicateAttributes(context, networkAttributes[0], className, cancellationToken));
        }

        AttributeData attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        LocationInfo? attributeLocation = LocationInfo.From(attributeSyntax?.GetLocation()) ?? identifier;

        var containingTypes = new List<ContainingType>();
        if (!CheckDeclaration(symbol, declaration, className, identifier, attributeLocation, diagnostics, containingTypes, cancellationToken))
        {
            return Failed(diagnostics.ToArray());
        }

        // The compiler reports malformed arguments itself too (CS0182, CS1503, ...); DnnGen says what each must be.
        List<DiagnosticInfo> badArguments = AttributeArguments.Check(attributeSyntax, context.SemanticModel, cancellationToken);
        if (badArguments.Count == 0
            && (attribute.AttributeConstructor is null
                || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
                || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error)))
        {
            badArguments.Add(AttributeArguments.Unbound(attributeSyntax, attributeLocation));
        }

        if (badArguments.Count > 0)
        {
            diagnostics.AddRange(badArguments);
            return Failed(diagnostics.ToArray());
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
                    LocationInfo.From(AttributeArguments.SizeSyntax(attributeSyntax, i, sizes.Length)?.GetLocation()) ?? attributeLocation,
                    i.ToString(CultureInfo.InvariantCulture),
                    sizes[i].ToString(CultureInfo.InvariantCulture)));
            }
        }

        Precision precision = Precision.Double;
        Initialization initialization = Initialization.NormalOverSqrtFanIn;
        Activation? hidden = null;
        Activation? output = null;
        Activation[]? activations = null;
        Loss? loss = null;
        Optimizer optimizer = Optimizer.GradientDescent;
        double slope = NetworkModel.DefaultLeakyReluSlope;
        string? weights = null;
        bool weightsGiven = false;
        var trainingOptions = new List<string>();
        foreach (KeyValuePair<string, TypedConstant> option in attribute.NamedArguments)
        {
            // An array's Value throws (its elements are in Values): Activations is read by ReadActivations.
            int value = option.Value.Kind != TypedConstantKind.Array && option.Value.Value is int number ? number : -1;
            LocationInfo? optionLocation = NamedArgumentLocation(attributeSyntax, option.Key) ?? attributeLocation;
            switch (option.Key)
            {
                case "Precision" when value is (int)Precision.Double or (int)Precision.Single:
                    precision = (Precision)value;
                    break;
                case "Precision":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Precision", Format(value), "DnnGen.Precision", "Double, Single"));
                    break;
                case "Initialization" when value is >= (int)Initialization.ScaledNormal and <= (int)Initialization.He:
                    initialization = (Initialization)value;
                    break;
                case "Initialization":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Initialization", Format(value), "DnnGen.Initialization", "ScaledNormal, NormalOverSqrtFanIn, Zeros, He"));
                    break;
                case "HiddenActivation" or "OutputActivation" when Activations.IsDefined(value):
                    if (option.Key == "HiddenActivation")
                    {
                        hidden = (Activation)value;
                    }
                    else
                    {
                        output = (Activation)value;
                    }

                    break;
                case "HiddenActivation" or "OutputActivation":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, option.Key, Format(value), "DnnGen.Activation", Activations.Names));
                    break;
                case "Loss" when Losses.IsDefined(value):
                    loss = (Loss)value;
                    break;
                case "Loss":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Loss", Format(value), "DnnGen.Loss", Losses.Names));
                    break;
                case "Optimizer" when value is >= (int)Optimizer.GradientDescent and <= (int)Optimizer.Adam:
                    optimizer = (Optimizer)value;
                    break;
                case "Optimizer":
                    diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, optionLocation, "Optimizer", Format(value), "DnnGen.Optimizer", "GradientDescent, Momentum, Adam"));
                    break;
                case "LeakyReluSlope":
                    slope = option.Value.Kind != TypedConstantKind.Array && option.Value.Value is double d ? d : double.NaN;
                    break;
                case "Activations":
                    activations = ReadActivations(option.Value, attributeSyntax, optionLocation, diagnostics);
                    break;
                case "Weights":
                    weightsGiven = true;
                    weights = option.Value.Kind != TypedConstantKind.Array ? option.Value.Value as string : null;
                    break;
            }

            if (option.Key is "Initialization" or "Optimizer")
            {
                trainingOptions.Add(option.Key);
            }
        }

        if (weightsGiven)
        {
            diagnostics.AddRange(CheckWeights(attributeSyntax, attributeLocation, weights, trainingOptions));
        }

        int layerCount = sizes.Length - 1;
        Activation[] resolved = new Activation[System.Math.Max(layerCount, 0)];
        if (diagnostics.Count == 0)
        {
            diagnostics.AddRange(ResolveActivations(attributeSyntax, attributeLocation, className, sizes, hidden, output, activations, resolved));
        }

        Loss resolvedLoss = Loss.BinaryCrossEntropy;
        if (diagnostics.Count == 0)
        {
            ActivationEntry outputEntry = Activations.Of(resolved[layerCount - 1]);
            resolvedLoss = loss ?? outputEntry.DefaultLoss;
            LossEntry lossEntry = Losses.Of(resolvedLoss);
            if (!lossEntry.Fits(outputEntry))
            {
                string fix = outputEntry.DefaultLoss == resolvedLoss
                    ? "another output activation"
                    : $"Loss = Loss.{outputEntry.DefaultLoss}, the loss of a {outputEntry.Name} output (or leave Loss out: it is the default), or make the output {Activations.Of(lossEntry.NaturalOutput).SourceName} for Loss.{resolvedLoss}";
                diagnostics.Add(Report(
                    DiagnosticDescriptors.LossDoesNotFitOutput,
                    NamedArgumentLocation(attributeSyntax, "Loss") ?? attributeLocation,
                    resolvedLoss.ToString(),
                    outputEntry.Name,
                    className,
                    lossEntry.Requirement,
                    fix));
            }

            // A float network writes the slope as a float literal: beyond float's range it does not compile (CS0594), and
            // below its smallest value it rounds to 0, plain relu.
            bool outsideFloat = precision == Precision.Single && slope > 0 && !double.IsInfinity(slope)
                && (slope > float.MaxValue || (float)slope == 0);
            if (double.IsNaN(slope) || double.IsInfinity(slope) || slope <= 0 || outsideFloat)
            {
                string text = double.IsNaN(slope) ? "NaN" : double.IsPositiveInfinity(slope) ? "infinity" : double.IsNegativeInfinity(slope) ? "minus infinity" : slope.ToString("R", CultureInfo.InvariantCulture);
                if (outsideFloat)
                {
                    text += slope > float.MaxValue
                        ? ", beyond the largest float, and the network computes in float (Precision = Precision.Single)"
                        : ", which rounds to 0 in float, the network's type (Precision = Precision.Single)";
                }

                diagnostics.Add(Report(
                    DiagnosticDescriptors.InvalidLeakyReluSlope,
                    NamedArgumentLocation(attributeSyntax, "LeakyReluSlope") ?? attributeLocation,
                    className,
                    text,
                    slope == 0 ? "; a slope of 0 is plain relu: write Activation.Relu instead" : string.Empty));
            }
        }

        if (diagnostics.Count > 0)
        {
            return Failed(diagnostics.ToArray());
        }

        bool baked = weights is not null;
        var shape = new NetworkShape(new EquatableArray<int>(sizes));
        DiagnosticInfo? tooLarge = CheckArrayLimits(shape, precision, className, attributeLocation, baked);
        if (tooLarge is not null)
        {
            return Failed(tooLarge);
        }

        LabelForm labels = Losses.Of(resolvedLoss).Labels;
        var generated = new HashSet<string>(baked ? shape.BakedMemberNames(labels) : shape.GeneratedMemberNames(labels, optimizer, precision));
        diagnostics.AddRange(FindCollisions(symbol, generated, identifier, cancellationToken));
        diagnostics.AddRange(FindBaseClassCollisions(context, symbol, generated, identifier, cancellationToken));
        diagnostics.AddRange(FindOtherPrecisionInterfaces(context, symbol, precision, identifier, cancellationToken));
        if (diagnostics.Count > 0)
        {
            return Failed(diagnostics.ToArray());
        }

        // A baked network keeps no gradients, snapshot or training caches: its parameters are data of the assembly.
        DiagnosticInfo? largeNetwork = baked ? null : CheckMemory(shape, precision, optimizer, className, attributeLocation);
        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString(NamespaceFormat);
        var model = new NetworkModel(
            ns,
            EscapeIdentifier(className),
            new EquatableArray<ContainingType>(containingTypes.ToArray()),
            shape.Sizes,
            precision,
            initialization,
            RuntimeAlias(context.SemanticModel.Compilation, attribute.AttributeClass),
            new EquatableArray<int>(resolved.Select(a => (int)a).ToArray()),
            resolvedLoss,
            // A slope no layer uses is left out of the model, so that setting it changes nothing (and regenerates nothing).
            Activations.AnyTakesSlope(resolved) ? slope : NetworkModel.DefaultLeakyReluSlope,
            optimizer,
            weights);
        return new ParseResult(
            model,
            largeNetwork is null ? default : new EquatableArray<DiagnosticInfo>(new[] { largeNetwork }),
            baked ? attributeLocation : null);
    }

    /// <summary>
    /// The checks of the declaration that every network attribute shares ([Network] and [NetworkFromOnnx]): the language
    /// version, the class's kind and parts, and its enclosing types, which <paramref name="containingTypes"/> receives,
    /// outermost first. False when nothing can be generated for it whatever the attribute says; diagnostics that still
    /// let the attribute be checked (a part that is not partial, ...) are added and true is returned.
    /// </summary>
    internal static bool CheckDeclaration(
        INamedTypeSymbol symbol, TypeDeclarationSyntax declaration, string className, LocationInfo? identifier, LocationInfo? attributeLocation,
        List<DiagnosticInfo> diagnostics, List<ContainingType> containingTypes, CancellationToken cancellationToken, string attribute = "Network")
    {
        LanguageVersion languageVersion = ((CSharpParseOptions)declaration.SyntaxTree.Options).LanguageVersion;
        if (languageVersion < NetworkEmitter.MinimumLanguageVersion)
        {
            diagnostics.Add(Report(
                DiagnosticDescriptors.LanguageVersionTooLow,
                attributeLocation,
                className,
                languageVersion.ToDisplayString(),
                NetworkEmitter.MinimumLanguageVersion.ToDisplayString()));
        }

        if (IsTopLevelStatementsClass(symbol, cancellationToken))
        {
            // The generated part's base list on this class crashes the C# compiler (an InvalidCastException in Roslyn's
            // base-list binding), so nothing may be generated: the network needs a class of its own.
            diagnostics.Add(Report(DiagnosticDescriptors.TopLevelStatementsClass, identifier, className, attribute == "Network" ? "Network(...)" : attribute + "(\"model.onnx\")"));
            return false;
        }

        DiagnosticInfo[] mixedParts = MixedPartKinds(symbol, declaration, className, attribute, cancellationToken);
        if (mixedParts.Length > 0)
        {
            diagnostics.AddRange(mixedParts);
            return false;
        }

        string? unsupported = DescribeUnsupportedTarget(symbol);
        if (unsupported is not null)
        {
            diagnostics.Add(Report(DiagnosticDescriptors.UnsupportedTarget, identifier, className, unsupported, attribute));
            return false;
        }

        // Every declaration of the class must be partial (CS0260 otherwise), not only the one that carries [Network].
        foreach (TypeDeclarationSyntax part in Parts(symbol, cancellationToken))
        {
            if (!part.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Report(DiagnosticDescriptors.ClassMustBePartial, LocationInfo.From(part.Identifier.GetLocation()), className, attribute));
            }
        }

        for (INamedTypeSymbol? outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.TypeParameters.Length > 0)
            {
                diagnostics.Add(Report(DiagnosticDescriptors.UnsupportedTarget, identifier, className, "nested inside the generic type '" + outer.Name + "'", attribute));
                return false;
            }

            if (outer.IsFileLocal)
            {
                diagnostics.Add(Report(DiagnosticDescriptors.UnsupportedTarget, identifier, className, "nested inside the file-local type '" + outer.Name + "'", attribute));
                return false;
            }

            // Each declaration of the enclosing type, wherever it is, must be partial too.
            List<TypeDeclarationSyntax> outerParts = Parts(outer, cancellationToken);
            if (outerParts.Count == 0)
            {
                diagnostics.Add(Report(DiagnosticDescriptors.ContainingTypeMustBePartial, identifier, outer.Name, className));
            }

            foreach (TypeDeclarationSyntax part in outerParts)
            {
                if (!part.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(Report(DiagnosticDescriptors.ContainingTypeMustBePartial, LocationInfo.From(part.Identifier.GetLocation()), outer.Name, className));
                }
            }

            containingTypes.Insert(0, new ContainingType(PartialDeclaration(outer), EscapeIdentifier(outer.Name)));
        }

        return true;
    }

    /// <summary>
    /// DNNG0012 for a Weights that cannot name a .npz the project lists (null, empty, another kind of file, an absolute
    /// path), and for the training options a baked network has no use for (Initialization, Optimizer).
    /// </summary>
    private static IEnumerable<DiagnosticInfo> CheckWeights(AttributeSyntax? attributeSyntax, LocationInfo? attributeLocation, string? weights, List<string> trainingOptions)
    {
        AttributeArgumentSyntax? Option(string name) => attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        DiagnosticInfo Invalid(string name, string reason)
            => Report(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(Option(name)?.GetLocation()) ?? attributeLocation, Option(name)?.ToString() ?? name, reason);

        string? reason = null;
        if (string.IsNullOrWhiteSpace(weights))
        {
            reason = "it names no file; give the path of the .npz file as the project lists it, such as \"cat.npz\", or leave Weights out for a network to train";
        }
        else if (!weights!.Trim().EndsWith(".npz", System.StringComparison.OrdinalIgnoreCase))
        {
            reason = "'" + weights + "' is not a .npz file; Weights takes the .npz archive that SaveNpz or np.savez(path, **parameters) writes (an ONNX model is imported with [NetworkFromOnnx(\"model.onnx\")])";
        }
        else if (weights.StartsWith("/", System.StringComparison.Ordinal) || weights.StartsWith("\\", System.StringComparison.Ordinal) || (weights.Length > 1 && weights[1] == ':'))
        {
            reason = "'" + weights + "' is an absolute path; give the path relative to the project, as <AdditionalFiles Include=\"...\" /> lists it, such as \"cat.npz\"";
        }

        if (reason is not null)
        {
            yield return Invalid("Weights", reason);
        }

        foreach (string option in trainingOptions)
        {
            string what = option == "Initialization" ? "initialised" : "trained";
            yield return Invalid(option, "a network with Weights is inference only, its parameters baked in from the file: it is never " + what + ", so " + option + " has no effect; remove it");
        }
    }

    /// <summary>
    /// The values of Activations, each a member of DnnGen.Activation (DNNG0008 at the element that is not); null when
    /// the array itself is null, which AttributeArguments reports.
    /// </summary>
    private static Activation[]? ReadActivations(TypedConstant value, AttributeSyntax? attributeSyntax, LocationInfo? optionLocation, List<DiagnosticInfo> diagnostics)
    {
        if (value.Kind != TypedConstantKind.Array || value.IsNull)
        {
            return null;
        }

        IReadOnlyList<ExpressionSyntax>? elements = ActivationsSyntax(attributeSyntax);
        var read = new Activation[value.Values.Length];
        for (int i = 0; i < read.Length; i++)
        {
            int number = value.Values[i].Value is int n ? n : -1;
            if (Activations.IsDefined(number))
            {
                read[i] = (Activation)number;
            }
            else
            {
                LocationInfo? at = elements is not null && elements.Count == read.Length ? LocationInfo.From(elements[i].GetLocation()) : optionLocation;
                diagnostics.Add(Report(DiagnosticDescriptors.InvalidOptionValue, at, "Activations[" + i.ToString(CultureInfo.InvariantCulture) + "]", Format(number), "DnnGen.Activation", Activations.Names));
            }
        }

        return read;
    }

    /// <summary>The elements of the Activations array as written, when it is written in place.</summary>
    private static IReadOnlyList<ExpressionSyntax>? ActivationsSyntax(AttributeSyntax? attributeSyntax)
    {
        ExpressionSyntax? expression = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Activations")?.Expression;
        return expression is null ? null : AttributeArguments.ArrayElements(expression);
    }

    /// <summary>
    /// Every layer's activation into <paramref name="resolved"/>: Activations, or HiddenActivation (default relu) for
    /// layers 1 .. L-1 and OutputActivation (default sigmoid) for L; DNNG0019 to DNNG0022 when they do not make a network.
    /// </summary>
    private static IEnumerable<DiagnosticInfo> ResolveActivations(
        AttributeSyntax? attributeSyntax, LocationInfo? attributeLocation, string className, int[] sizes,
        Activation? hidden, Activation? output, Activation[]? activations, Activation[] resolved)
    {
        int layerCount = resolved.Length;
        LocationInfo? activationsLocation = NamedArgumentLocation(attributeSyntax, "Activations") ?? attributeLocation;
        if (activations is not null)
        {
            bool conflict = false;
            foreach ((string name, Activation? given) in new[] { ("HiddenActivation", hidden), ("OutputActivation", output) })
            {
                if (given is not null)
                {
                    conflict = true;
                    yield return Report(
                        DiagnosticDescriptors.ActivationsWithLayerOptions,
                        NamedArgumentLocation(attributeSyntax, name) ?? attributeLocation,
                        className,
                        name,
                        ActivationsExample(layerCount, hidden ?? Activation.Relu, output ?? Activation.Sigmoid));
                }
            }

            if (conflict)
            {
                yield break;
            }

            if (activations.Length != layerCount)
            {
                string entries = activations.Length == 1 ? "1 entry" : activations.Length.ToString(CultureInfo.InvariantCulture) + " entries";
                yield return Report(
                    DiagnosticDescriptors.ActivationCountMismatch,
                    activationsLocation,
                    className,
                    entries,
                    layerCount.ToString(CultureInfo.InvariantCulture),
                    string.Join(", ", sizes),
                    ActivationsExample(layerCount, Activation.Relu, Activation.Sigmoid));
                yield break;
            }

            activations.CopyTo(resolved, 0);
        }
        else
        {
            for (int l = 1; l <= layerCount; l++)
            {
                resolved[l - 1] = l == layerCount ? output ?? Activation.Sigmoid : hidden ?? Activation.Relu;
            }
        }

        IReadOnlyList<ExpressionSyntax>? elements = activations is null ? null : ActivationsSyntax(attributeSyntax);
        LocationInfo? LayerLocation(int layer, string option)
            => elements is not null && elements.Count == layerCount
                ? LocationInfo.From(elements[layer - 1].GetLocation())
                : activations is not null ? activationsLocation : NamedArgumentLocation(attributeSyntax, option) ?? attributeLocation;

        for (int l = 1; l < layerCount; l++)
        {
            if (!Activations.Of(resolved[l - 1]).HiddenAllowed)
            {
                yield return Report(DiagnosticDescriptors.HiddenSoftmax, LayerLocation(l, "HiddenActivation"), l.ToString(CultureInfo.InvariantCulture), className);
                if (activations is null)
                {
                    // One HiddenActivation sets every hidden layer: one report is enough.
                    break;
                }
            }
        }

        ActivationEntry last = Activations.Of(resolved[layerCount - 1]);
        if (sizes[layerCount] < last.MinimumUnits)
        {
            yield return Report(DiagnosticDescriptors.SoftmaxTooFewOutputs, LayerLocation(layerCount, "OutputActivation"), className);
        }
    }

    /// <summary>An Activations array for L layers, as DNNG0019 and DNNG0020 suggest it: the hidden activation L-1 times, then the output's.</summary>
    private static string ActivationsExample(int layerCount, Activation hidden, Activation output)
    {
        var entries = new List<string>();
        for (int l = 1; l <= layerCount; l++)
        {
            entries.Add(Activations.Of(l == layerCount ? output : hidden).SourceName);
        }

        return "Activations = new[] { " + string.Join(", ", entries) + " }";
    }

    private static ParseResult Empty { get; } = new(null, default);

    private static ParseResult Failed(params DiagnosticInfo[] diagnostics)
        => diagnostics.Length == 0 ? Empty : new(null, new EquatableArray<DiagnosticInfo>(diagnostics));

    internal static DiagnosticInfo Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        => new(descriptor.Id, location, new EquatableArray<string>(arguments));

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static bool IsNetworkAttribute(AttributeData attribute)
        => attribute.AttributeClass?.ToDisplayString() == AttributeMetadataName;

    /// <summary>DNNG0010 for each [Network] of this declaration other than the class's first, where it stands.</summary>
    private static DiagnosticInfo[] DuplicateAttributes(GeneratorAttributeSyntaxContext context, AttributeData first, string className, CancellationToken cancellationToken)
    {
        SyntaxNode? firstSyntax = first.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        FileLinePositionSpan firstPosition = firstSyntax?.GetLocation().GetLineSpan() ?? default;
        string where = string.Format(
            CultureInfo.InvariantCulture,
            "{0}({1},{2})",
            System.IO.Path.GetFileName(firstPosition.Path ?? string.Empty),
            firstPosition.StartLinePosition.Line + 1,
            firstPosition.StartLinePosition.Character + 1);
        return context.Attributes
            .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken))
            .Where(syntax => syntax is not null && !ReferenceEquals(syntax, firstSyntax))
            .Select(syntax => Report(DiagnosticDescriptors.DuplicateAttribute, LocationInfo.From(syntax!.GetLocation()), className, where))
            .ToArray();
    }

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

        if (symbol.IsFileLocal)
        {
            return "a file-local class, which cannot have a part in the generated file";
        }

        return symbol.TypeParameters.Length > 0 ? "a generic class" : null;
    }

    private static string PartialDeclaration(INamedTypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Interface } => "partial interface",
        { IsRecord: true, TypeKind: TypeKind.Struct } => "partial record struct",
        { IsRecord: true } => "partial record",
        { TypeKind: TypeKind.Struct, IsRefLikeType: true } => "ref partial struct",
        { TypeKind: TypeKind.Struct } => "partial struct",
        _ => "partial class",
    };

    internal static string EscapeIdentifier(string name)
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

    private static LocationInfo? NamedArgumentLocation(AttributeSyntax? attribute, string name)
        => LocationInfo.From(attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation());

    /// <summary>
    /// DNNG0004 when the parameters do not fit in one aligned buffer (the limit its constructor enforces at run time), or
    /// one example's training caches in one array.
    /// </summary>
    internal static DiagnosticInfo? CheckArrayLimits(NetworkShape shape, Precision precision, string className, LocationInfo? location, bool baked, string attribute = "Network")
    {
        long maxParameters = NetworkShape.MaxParameterCount(precision);
        if (shape.ParameterCount > maxParameters)
        {
            decimal exactCount = 0;
            for (int l = 1; l <= shape.LayerCount; l++)
            {
                exactCount += (decimal)shape.Sizes[l] * shape.Sizes[l - 1] + shape.Sizes[l];
            }

            string count = exactCount.ToString("N0", CultureInfo.InvariantCulture) + " parameters";
            string type = precision == Precision.Single ? "float" : "double";
            string limit = string.Format(
                CultureInfo.InvariantCulture,
                "{0} parameters one buffer of {1} holds (a .NET array's {2} elements less the {3} that align it to {4} bytes)",
                Format(maxParameters),
                type,
                Format(NetworkShape.MaxArrayLength),
                NetworkShape.MaxArrayLength - maxParameters,
                NetworkShape.AlignedBufferAlignment);
            return Report(DiagnosticDescriptors.NetworkTooLarge, location, className, count, limit, attribute);
        }

        if (!baked && shape.WorkspaceWidth > NetworkShape.MaxArrayLength)
        {
            string width = Format(shape.WorkspaceWidth) + " training values for each example (Z, A, dZ and dA of every layer)";
            return Report(DiagnosticDescriptors.NetworkTooLarge, location, className, width, Format(NetworkShape.MaxArrayLength) + " elements a .NET array can hold", attribute);
        }

        return null;
    }

    /// <summary>
    /// DNNG0013 when the buffers of the parameter count exceed <see cref="DiagnosticDescriptors.MemoryWarningBytes"/>: the
    /// parameters, gradients, the optimizer's state (v, and Adam's s), the snapshot of TrainIteration and the rollback of
    /// Train(x, y, options), which copies the parameters and the state.
    /// </summary>
    private static DiagnosticInfo? CheckMemory(NetworkShape shape, Precision precision, Optimizer optimizer, string className, LocationInfo? location)
    {
        int elementBytes = precision == Precision.Single ? 4 : 8;
        int state = optimizer switch { Optimizer.Adam => 2, Optimizer.Momentum => 1, _ => 0 };
        int buffers = 2 + state + 1 + (1 + state);
        long bytes = buffers * shape.ParameterCount * elementBytes;
        if (bytes <= DiagnosticDescriptors.MemoryWarningBytes)
        {
            return null;
        }

        return Report(
            DiagnosticDescriptors.LargeNetwork,
            location,
            className,
            Format(shape.ParameterCount),
            FormatBytes(bytes),
            FormatBytes(shape.WorkspaceWidth * elementBytes),
            buffers.ToString(CultureInfo.InvariantCulture),
            optimizer switch { Optimizer.Adam => "Adam's two moment estimates, ", Optimizer.Momentum => "momentum's velocity, ", _ => string.Empty });
    }

    /// <summary>A byte count in the largest binary unit that keeps it at least 1, such as "1.50 GiB" or "1.0 KiB".</summary>
    internal static string FormatBytes(long bytes)
    {
        string[] units = { "bytes", "KiB", "MiB", "GiB", "TiB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " bytes"
            : value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static IEnumerable<DiagnosticInfo> FindCollisions(INamedTypeSymbol symbol, HashSet<string> generated, LocationInfo? identifier, CancellationToken cancellationToken)
    {
        if (generated.Contains(symbol.Name))
        {
            // C# forbids a member named like its enclosing type, so the class itself must not take a generated name.
            yield return Report(
                DiagnosticDescriptors.MemberNameCollision,
                identifier,
                "The class's own name '" + symbol.Name + "' is the name of a member DnnGen generates for the network, and C# forbids a member named like its class; rename the class");
        }

        foreach (ISymbol member in symbol.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!member.IsImplicitlyDeclared && generated.Contains(member.Name))
            {
                Location? location = member.Locations.FirstOrDefault(l => l.IsInSource);
                yield return Report(
                    DiagnosticDescriptors.MemberNameCollision,
                    LocationInfo.From(location) ?? identifier,
                    "'" + symbol.Name + "' already declares '" + member.Name + "', which DnnGen generates for the network; rename or remove it");
            }
        }
    }

    /// <summary>
    /// DNNG0014: a base class that is itself a network, or that has an accessible member with a generated name (which
    /// the generated member would hide), reported at the base type in the class's base list.
    /// </summary>
    private static IEnumerable<DiagnosticInfo> FindBaseClassCollisions(
        GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, HashSet<string> generated, LocationInfo? identifier, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? directBase = symbol.BaseType;
        if (directBase is null || directBase.SpecialType == SpecialType.System_Object)
        {
            yield break;
        }

        LocationInfo? location = BaseTypeLocation(context, symbol, directBase, cancellationToken) ?? identifier;
        string baseName = directBase.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var reported = new HashSet<string>();
        for (INamedTypeSymbol? ancestor = directBase; ancestor is not null && ancestor.SpecialType != SpecialType.System_Object; ancestor = ancestor.BaseType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string which = SymbolEqualityComparer.Default.Equals(ancestor, directBase) ? "it" : "its base '" + ancestor.Name + "'";
            if (ancestor.GetAttributes().Any(IsNetworkAttribute)
                || ancestor.Interfaces.Any(i => i.OriginalDefinition.ToDisplayString() == "DnnGen.INetwork<T>"))
            {
                yield return Report(
                    DiagnosticDescriptors.BaseClassCollision,
                    location,
                    symbol.Name,
                    baseName,
                    which + " is itself a network, and every member DnnGen generates in '" + symbol.Name + "' would hide one of its own; derive from another class, or give '" + symbol.Name + "' a field that holds the other network");
                yield break;
            }

            foreach (ISymbol member in ancestor.GetMembers())
            {
                if (!member.IsImplicitlyDeclared
                    && generated.Contains(member.Name)
                    && member.DeclaredAccessibility != Accessibility.Private
                    && context.SemanticModel.Compilation.IsSymbolAccessibleWithin(member, symbol)
                    && reported.Add(member.Name))
                {
                    yield return Report(
                        DiagnosticDescriptors.BaseClassCollision,
                        location,
                        symbol.Name,
                        baseName,
                        which + " declares '" + member.Name + "', which DnnGen generates in every network and would hide; rename it there, make it private, or derive from another class");
                }
            }
        }
    }

    /// <summary>The base class as written in one of the class's base lists; null when it cannot be found.</summary>
    internal static LocationInfo? BaseTypeLocation(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, INamedTypeSymbol baseType, CancellationToken cancellationToken)
    {
        if (context.TargetNode is TypeDeclarationSyntax { BaseList: { } ownList })
        {
            foreach (BaseTypeSyntax type in ownList.Types)
            {
                if (SymbolEqualityComparer.Default.Equals(context.SemanticModel.GetTypeInfo(type.Type, cancellationToken).Type, baseType))
                {
                    return LocationInfo.From(type.GetLocation());
                }
            }
        }

        // Another part of the class names the base; its syntax tree has another semantic model, so match by name.
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList: { } list })
            {
                BaseTypeSyntax? match = list.Types.FirstOrDefault(t => RightmostName(t.Type) == baseType.Name);
                if (match is not null)
                {
                    return LocationInfo.From(match.GetLocation());
                }
            }
        }

        return null;
    }

    /// <summary>
    /// True for the class the compiler declares around top-level statements (Program): one of its declarations is a
    /// compilation unit, or it holds the synthesized entry point &lt;Main&gt;$.
    /// </summary>
    private static bool IsTopLevelStatementsClass(INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is CompilationUnitSyntax)
            {
                return true;
            }
        }

        return !symbol.GetMembers("<Main>$").IsEmpty;
    }

    /// <summary>The type's declarations in source, every part of it.</summary>
    private static List<TypeDeclarationSyntax> Parts(INamedTypeSymbol type, CancellationToken cancellationToken)
        => type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax(cancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();

    /// <summary>
    /// DNNG0005 for a class whose parts declare different kinds of type (CS0261): at every part that is not a class when
    /// some part is, else at the annotated part. Nothing can be generated for such a type.
    /// </summary>
    private static DiagnosticInfo[] MixedPartKinds(INamedTypeSymbol symbol, TypeDeclarationSyntax annotated, string className, string attribute, CancellationToken cancellationToken)
    {
        // The compiler makes a symbol of each kind (a class Net and a struct Net, CS0261), so the parts of other kinds
        // are the declarations of the container's other types of the same name and arity.
        ImmutableArray<INamedTypeSymbol> namesakes = symbol.ContainingType?.GetTypeMembers(symbol.Name, symbol.Arity)
            ?? symbol.ContainingNamespace.GetTypeMembers(symbol.Name, symbol.Arity);
        List<TypeDeclarationSyntax> parts = namesakes.IsDefaultOrEmpty
            ? Parts(symbol, cancellationToken)
            : namesakes.SelectMany(type => Parts(type, cancellationToken)).Distinct().ToList();
        if (parts.Select(KindOf).Distinct().Count() < 2)
        {
            return System.Array.Empty<DiagnosticInfo>();
        }

        bool anyClass = parts.Any(part => KindOf(part) == "a class");
        return parts
            .Where(part => anyClass ? KindOf(part) != "a class" : part == annotated)
            .Select(part => Report(
                DiagnosticDescriptors.UnsupportedTarget,
                LocationInfo.From(part.Identifier.GetLocation()),
                className,
                "declared " + KindOf(part) + " here but " + (anyClass ? "a class" : KindOf(parts.First(other => KindOf(other) != KindOf(part)))) + " in another part (CS0261)",
                attribute))
            .ToArray();
    }

    private static string KindOf(TypeDeclarationSyntax part) => part switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "a record struct",
        RecordDeclarationSyntax => "a record",
        StructDeclarationSyntax => "a struct",
        InterfaceDeclarationSyntax => "an interface",
        _ => "a class",
    };

    /// <summary>
    /// DNNG0017: an interface in the class's base lists that is, or extends, DnnGen.INetwork&lt;T&gt; of the element type
    /// the network does not have. The generated part implements only its own.
    /// </summary>
    private static IEnumerable<DiagnosticInfo> FindOtherPrecisionInterfaces(
        GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, Precision precision, LocationInfo? identifier, CancellationToken cancellationToken)
    {
        SpecialType own = precision == Precision.Single ? SpecialType.System_Single : SpecialType.System_Double;
        string ownName = precision == Precision.Single ? "float" : "double";
        string otherName = precision == Precision.Single ? "double" : "float";
        foreach (INamedTypeSymbol declared in symbol.Interfaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            INamedTypeSymbol? network = IsNetworkInterface(declared)
                ? declared
                : declared.AllInterfaces.FirstOrDefault(IsNetworkInterface);
            if (network is null || network.TypeArguments.Length != 1 || network.TypeArguments[0].SpecialType == own
                || network.TypeArguments[0].SpecialType is not (SpecialType.System_Single or SpecialType.System_Double))
            {
                continue;
            }

            string interfaceName = "INetwork<" + otherName + ">";
            string how = ReferenceEquals(network, declared) ? interfaceName : interfaceName + " through '" + declared.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'";
            string remove = ReferenceEquals(network, declared) ? interfaceName : "'" + declared.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'";
            string option = precision == Precision.Single ? "Precision = Precision.Double" : "Precision = Precision.Single";
            yield return Report(
                DiagnosticDescriptors.OtherPrecisionInterface,
                BaseTypeLocation(context, symbol, declared, cancellationToken) ?? identifier,
                symbol.Name,
                how,
                ownName,
                remove,
                "set " + option,
                "Network",
                "INetwork");
        }
    }

    internal static bool IsNetworkInterface(INamedTypeSymbol type) => type.OriginalDefinition.ToDisplayString() == "DnnGen.INetwork<T>";

    private static string RightmostName(TypeSyntax type) => type switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => string.Empty,
    };
}
