using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DnnGen.Generator.Onnx;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.Generator;

/// <summary>
/// The [Network] source generator: ForAttributeWithMetadataName finds annotated types, <see cref="NetworkParser"/>
/// reduces each to an equatable <see cref="ParseResult"/>, and <see cref="NetworkEmitter"/> writes the network.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <summary>Names of the pipeline stages, for tests that check what was cached.</summary>
    public static class TrackingNames
    {
        /// <summary>The parsed model and diagnostics of each [Network] declaration.</summary>
        public const string Parse = "DnnGen.Parse";

        /// <summary>The hint names that two networks share but for case, which must be told apart.</summary>
        public const string CaseCollisions = "DnnGen.CaseCollisions";

        /// <summary>[Network] in an attribute list whose target (method:, field:, ...) makes the compiler ignore it.</summary>
        public const string IgnoredTargets = "DnnGen.IgnoredTargets";

        /// <summary>Each listed model file (.npz, .onnx) as the build logic encoded it, decoded to its bytes.</summary>
        public const string ModelFiles = "DnnGen.ModelFiles";

        /// <summary>Each listed .npz file, parsed into its arrays.</summary>
        public const string Npz = "DnnGen.Npz";

        /// <summary>Each network paired with the .npz file its Weights names (nothing for a network without Weights).</summary>
        public const string Weights = "DnnGen.Weights";

        /// <summary>Each network with its weights baked in, or the file's diagnostics.</summary>
        public const string Bake = "DnnGen.Bake";

        /// <summary>The parse of each [NetworkFromOnnx] declaration, before its model is read.</summary>
        public const string OnnxParse = "DnnGen.OnnxParse";

        /// <summary>Each listed .onnx file, read into a network or the reader's errors.</summary>
        public const string Onnx = "DnnGen.Onnx";

        /// <summary>Each [NetworkFromOnnx] declaration paired with the .onnx file it names.</summary>
        public const string OnnxMatch = "DnnGen.OnnxMatch";

        /// <summary>Each imported network, baked, or its diagnostics.</summary>
        public const string OnnxImport = "DnnGen.OnnxImport";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> networks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.AttributeMetadataName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => SafeParse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        // Hint names are compared ignoring case, so Demo.Net and Demo.NET would collide and the compiler would report
        // the generator as crashed (CS8785). Only the set of all names shows a collision; it changes only when a
        // colliding name appears or goes, so combining it with each network leaves the other outputs cached.
        // [NetworkFromOnnx("mlp.onnx")]: parsed as [Network] is, but its sizes come from the model, so the checks that
        // need them wait for the import, which pairs each declaration with the .onnx it names as the bake does.
        IncrementalValuesProvider<OnnxDeclaration> onnxDeclarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                OnnxNetworks.AttributeMetadataName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (context, cancellationToken) => SafeParseOnnx(context, cancellationToken))
            .WithTrackingName(TrackingNames.OnnxParse);

        IncrementalValueProvider<EquatableArray<string>> caseCollisions = networks
            .Select(static (result, _) => result.Model?.HintName ?? string.Empty)
            .Collect()
            .Combine(onnxDeclarations.Select(static (declaration, _) => declaration.Template?.HintName ?? string.Empty).Collect())
            .Select(static (names, _) => FindCaseCollisions(names.Left.Concat(names.Right)))
            .WithTrackingName(TrackingNames.CaseCollisions);

        // Weights = "cat.npz": the build logic lists each .npz as text (ModelFiles); each is parsed once, whatever the
        // networks, and each network takes the one it names. Pairing a network with its file (Weights) re-runs when any
        // file changes, but yields an equal pair unless its own file or itself changed, so the bake after it (and the
        // output) re-run only then. A network without Weights passes through both unchanged.
        IncrementalValuesProvider<ModelFile> modelFiles = ModelFiles.Create(context).WithTrackingName(TrackingNames.ModelFiles);
        IncrementalValueProvider<ImmutableArray<NpzFile>> npzFiles = modelFiles
            .Where(static file => file.Extension == ".npz")
            .Select(static (file, cancellationToken) => NpzReader.Parse(file, cancellationToken))
            .WithTrackingName(TrackingNames.Npz)
            .Collect();
        IncrementalValuesProvider<ParseResult> baked = networks
            .Combine(npzFiles)
            .Select(static (pair, _) => BakedWeights.Match(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Weights)
            .Select(static (input, _) => SafeBake(input))
            .WithTrackingName(TrackingNames.Bake);

        context.RegisterSourceOutput(baked.Combine(caseCollisions), static (output, pair) => Emit(output, pair.Left, pair.Right));

        IncrementalValueProvider<ImmutableArray<OnnxFile>> onnxFiles = modelFiles
            .Where(static file => file.Extension == ".onnx")
            .Select(static (file, cancellationToken) => OnnxNetworks.Read(file, cancellationToken))
            .WithTrackingName(TrackingNames.Onnx)
            .Collect();
        IncrementalValuesProvider<ParseResult> imported = onnxDeclarations
            .Combine(onnxFiles)
            .Select(static (pair, _) => OnnxNetworks.Match(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.OnnxMatch)
            .Select(static (input, _) => SafeImport(input))
            .WithTrackingName(TrackingNames.OnnxImport);

        context.RegisterSourceOutput(imported.Combine(caseCollisions), static (output, pair) => Emit(output, pair.Left, pair.Right));

        // [method: Network] on a class: the compiler drops the attribute with only a warning (CS0657), so the symbol has
        // no [Network] and ForAttributeWithMetadataName never sees it. Attribute lists with an explicit target on a type
        // declaration are rare, so the syntax predicate is cheap; the transform binds each attribute to tell [Network]
        // (however it is spelled or aliased) from others, and yields only values, so unrelated edits stay cached.
        IncrementalValuesProvider<DiagnosticInfo> ignoredTargets = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is AttributeListSyntax { Target: { } target, Parent: TypeDeclarationSyntax } && target.Identifier.ValueText != "type",
                transform: static (context, cancellationToken) => IgnoredTarget(context, cancellationToken))
            .Where(static diagnostic => diagnostic is not null)
            .Select(static (diagnostic, _) => diagnostic!)
            .WithTrackingName(TrackingNames.IgnoredTargets);

        context.RegisterSourceOutput(ignoredTargets, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }

    /// <summary>DNNG0018 when the attribute list holds [Network] or [NetworkFromOnnx]; null otherwise.</summary>
    private static DiagnosticInfo? IgnoredTarget(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var list = (AttributeListSyntax)context.Node;
        var declaration = (TypeDeclarationSyntax)list.Parent!;
        foreach (AttributeSyntax attribute in list.Attributes)
        {
            SymbolInfo info = context.SemanticModel.GetSymbolInfo(attribute, cancellationToken);
            ISymbol? constructor = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
            string? name = constructor?.ContainingType?.ToDisplayString();
            if (name != NetworkParser.AttributeMetadataName && name != OnnxNetworks.AttributeMetadataName)
            {
                continue;
            }

            string target = list.Target!.Identifier.ValueText;
            string kind = declaration is ClassDeclarationSyntax ? "a class" : "a type declaration";
            string why = target == "method" && declaration.ParameterList is not null
                ? "which puts it on the primary constructor, where it is not valid (CS0592)"
                : "which " + kind + " does not have, so the compiler ignores the attribute (CS0657)";
            return NetworkParser.Report(
                DiagnosticDescriptors.IgnoredAttributeTarget,
                LocationInfo.From(list.Target.GetLocation()),
                declaration.Identifier.ValueText,
                target,
                why,
                name == NetworkParser.AttributeMetadataName ? "Network" : "NetworkFromOnnx");
        }

        return null;
    }

    /// <summary>Every hint name that another differs from only in case, in ordinal order.</summary>
    internal static EquatableArray<string> FindCaseCollisions(IEnumerable<string> hintNames)
        => new(hintNames
            .Where(name => name.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .GroupBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .SelectMany(group => group)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToArray());

    private static ParseResult SafeParse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return NetworkParser.Parse(context, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[]
            {
                InternalError(declaration.Identifier.ValueText, LocationInfo.From(declaration.Identifier.GetLocation()), exception),
            }));
        }
    }

    /// <summary>The bake, with an unexpected failure reported as DNNG0009 at the attribute.</summary>
    private static ParseResult SafeBake(WeightsInput input)
    {
        try
        {
            return BakedWeights.Bake(input);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            string className = input.Network.Model?.ClassName ?? string.Empty;
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { InternalError(className, input.Network.WeightsLocation, exception) }));
        }
    }

    private static OnnxDeclaration SafeParseOnnx(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return OnnxNetworks.Parse(context, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            LocationInfo? identifier = LocationInfo.From(declaration.Identifier.GetLocation());
            return new OnnxDeclaration(null, string.Empty, identifier, identifier, null, new EquatableArray<DiagnosticInfo>(new[]
            {
                InternalError(declaration.Identifier.ValueText, identifier, exception),
            }));
        }
    }

    /// <summary>The import, with an unexpected failure reported as DNNG0009 at the attribute.</summary>
    private static ParseResult SafeImport(OnnxImportInput input)
    {
        try
        {
            return OnnxNetworks.Import(input);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            string className = input.Declaration.Template?.ClassName ?? string.Empty;
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { InternalError(className, input.Declaration.AttributeLocation, exception) }));
        }
    }

    private static void Emit(SourceProductionContext output, ParseResult result, EquatableArray<string> caseCollisions)
    {
        GeneratedNetwork generated = Generate(result);
        foreach (Diagnostic diagnostic in generated.Diagnostics)
        {
            output.ReportDiagnostic(diagnostic);
        }

        if (generated.Source is null || result.Model is null)
        {
            return;
        }

        string hintName = caseCollisions.AsSpan().IndexOf(generated.HintName) >= 0 ? result.Model.DisambiguatedHintName : generated.HintName;
        output.AddSource(hintName, SourceText.From(generated.Source, System.Text.Encoding.UTF8));
    }

    /// <summary>The parse diagnostics and, for a valid model, its source; an emitter failure becomes DNNG0009.</summary>
    internal static GeneratedNetwork Generate(ParseResult result)
    {
        var diagnostics = result.Diagnostics.Select(d => d.ToDiagnostic()).ToList();
        if (result.Model is null)
        {
            return new GeneratedNetwork(string.Empty, null, diagnostics);
        }

        try
        {
            return new GeneratedNetwork(result.Model.HintName, NetworkEmitter.Emit(result.Model), diagnostics);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            diagnostics.Add(InternalError(result.Model.ClassName, null, exception).ToDiagnostic());
            return new GeneratedNetwork(result.Model.HintName, null, diagnostics);
        }
    }

    private static DiagnosticInfo InternalError(string className, LocationInfo? location, Exception exception)
        => new(
            DiagnosticDescriptors.InternalError.Id,
            location,
            new EquatableArray<string>(new[] { className, exception.GetType().Name + ": " + exception.Message }));
}

/// <summary>What the generator adds to a compilation for one [Network] declaration.</summary>
internal sealed record GeneratedNetwork(string HintName, string? Source, IReadOnlyList<Diagnostic> Diagnostics);
