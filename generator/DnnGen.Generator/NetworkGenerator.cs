using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
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

        context.RegisterSourceOutput(networks, static (output, result) => Emit(output, result));
    }

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

    private static void Emit(SourceProductionContext output, ParseResult result)
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

        SourceText text = SourceText.From(generated.Source, System.Text.Encoding.UTF8);
        try
        {
            output.AddSource(generated.HintName, text);
        }
        catch (ArgumentException)
        {
            // The hint name is taken: hint names compare ignoring case, and another network's full name differs from
            // this one's only in case. Each output step sees one network, so the clash can only be resolved here.
            try
            {
                output.AddSource(result.Model.DisambiguatedHintName, text);
            }
            catch (ArgumentException exception)
            {
                output.ReportDiagnostic(InternalError(result.Model.ClassName, null, exception).ToDiagnostic());
            }
        }
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
