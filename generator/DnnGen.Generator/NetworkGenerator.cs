using System;
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
        foreach (DiagnosticInfo diagnostic in result.Diagnostics)
        {
            output.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Model is null)
        {
            return;
        }

        string source;
        try
        {
            source = NetworkEmitter.Emit(result.Model);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            output.ReportDiagnostic(InternalError(result.Model.ClassName, null, exception).ToDiagnostic());
            return;
        }

        output.AddSource(result.Model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
    }

    private static DiagnosticInfo InternalError(string className, LocationInfo? location, Exception exception)
        => new(
            DiagnosticDescriptors.InternalError.Id,
            location,
            new EquatableArray<string>(new[] { className, exception.GetType().Name + ": " + exception.Message }));
}
