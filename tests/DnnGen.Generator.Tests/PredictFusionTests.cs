using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Predict is one fused loop over the examples exactly when every layer is straight-line code (at most 64 weights);
/// a network with any wider layer keeps the layer-by-layer Predict over buffers. Either way the output compiles with no
/// warning under C# 9, the oldest version the generated code supports, with documentation diagnostics on.
/// </summary>
public class PredictFusionTests
{
    [Theory]
    [InlineData("2, 4, 1", true)]
    [InlineData("2, 4, 1, Precision = Precision.Single", true)]
    [InlineData("8, 8, 1", true)] // layer 1 has exactly 64 weights
    [InlineData("1, 64, 1", true)]
    [InlineData("3, 5, 2", true)]
    [InlineData("3, 2", true)] // one layer: logistic regression with two outputs
    [InlineData("5, 4, 3, 1, Precision = Precision.Single", true)]
    [InlineData("13, 5, 1", false)] // 65 weights in layer 1
    [InlineData("2, 4, 17", false)] // 68 weights in the output layer
    [InlineData("2, 8, 9, 1", false)] // 72 in the hidden layer 2 only
    [InlineData("12288, 20, 7, 5, 1", false)]
    public void Predict_is_fused_exactly_when_every_layer_is_straight_line(string arguments, bool fused)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp9, DocumentationMode.Diagnose);
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(parseOptions, $$"""
            using DnnGen;

            namespace Demo
            {
                /// <summary>A user's network.</summary>
                [Network({{arguments}})]
                public partial class Net { }
            }
            """);

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        string source = result.GeneratedSources.ShouldHaveSingleItem().SourceText.ToString();
        int start = source.IndexOf("public void Predict(", StringComparison.Ordinal);
        // The batch Predict ends where the fused Predict's slow path or the one-example Predict begins.
        int end = new[] { "// The fused Predict's slow path", "/// <summary>" }
            .Select(marker => source.IndexOf(marker, start, StringComparison.Ordinal))
            .Where(index => index > 0)
            .Min();
        string predict = source[start..end];

        if (fused)
        {
            predict.ShouldContain("// Fused: ");
            predict.ShouldContain("for (int i = 0; i < m; i++)");
            foreach (string layered in new[] { "stackalloc", "ArrayPool", "LinearForward(", "Layer1Forward(", "Layer2Forward(", "FiniteInputs", "Activations.Relu<float>(a", "Activations.Relu<double>(a" })
            {
                predict.ShouldNotContain(layered);
            }
        }
        else
        {
            predict.ShouldNotContain("// Fused: ");
            predict.ShouldContain("Layer1LinearForward(a0, W1, b1, a1);");
            predict.ShouldContain("global::DnnGen.Guard.PreActivations<");
        }

        // The argument checks are the same either way.
        predict.ShouldContain("int m = global::DnnGen.Guard.ExampleCount<");
        predict.ShouldContain("(probabilities, (long)m * OutputSize, \"probabilities\", \"OutputSize values for each of the m examples in x\");");
    }
}
