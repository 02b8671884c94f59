using Microsoft.CodeAnalysis;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The complete generated source of representative networks, compared with the reviewed snapshots in Snapshots/
/// (named like Verify's *.verified.cs). On a difference the actual output is written beside the snapshot as
/// *.received.cs: read the diff, and if the change is intended, replace the snapshot with it.
/// </summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("CatNetwork", "CatNetwork", "[Network(12288, 20, 7, 5, 1)]")]
    [InlineData("TwoLayerCat", "TwoLayerCat", "[Network(12288, 7, 1, Initialization = Initialization.ScaledNormal)]")]
    [InlineData("Planar", "Planar", "[Network(2, 4, 1)]")]
    [InlineData("SingleDeep", "SingleDeep", "[Network(5, 4, 3, 1, Precision = Precision.Single)]")]
    // The five networks of issue 11: the course's week-3 and week-2 models, a softmax classifier, a regression, and one
    // activation per layer with three independent sigmoid outputs.
    [InlineData("Week3Planar", "Planar", "[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal)]")]
    [InlineData("LogisticRegression", "LogisticRegression", "[Network(12288, 1, Initialization = Initialization.Zeros)]")]
    [InlineData("Digits", "Digits", "[Network(64, 32, 10, OutputActivation = Activation.Softmax)]")]
    [InlineData("Diabetes", "Diabetes", "[Network(10, 16, 1, OutputActivation = Activation.Linear)]")]
    [InlineData("Mixed", "Mixed", "[Network(6, 5, 4, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Sigmoid })]")]
    [InlineData("MoonsAdam", "MoonsAdam", "[Network(2, 5, 2, 1, Optimizer = Optimizer.Adam, Initialization = Initialization.He)]")]
    [InlineData("MoonsMomentum", "MoonsMomentum", "[Network(2, 5, 2, 1, Optimizer = Optimizer.Momentum, Initialization = Initialization.He)]")]
    // Momentum on enough inputs for training in the span of the data: Train(x, y, options) moves W1 and v_dW1 there.
    [InlineData("WideMomentum", "WideMomentum", "[Network(1024, 16, 1, Optimizer = Optimizer.Momentum)]")]
    public void Generated_source_matches_the_snapshot(string snapshot, string name, string attribute)
    {
        string source = $$"""
            using DnnGen;

            namespace Demo;

            {{attribute}}
            public partial class {{name}};
            """;

        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        GeneratedSourceResult generated = result.GeneratedSources.ShouldHaveSingleItem();
        generated.HintName.ShouldBe($"Demo.{name}.g.cs");
        generated.SourceText.ToString().ShouldMatchApproved(options => options
            .SubFolder("Snapshots")
            .WithDiscriminator(snapshot)
            .WithFileExtension("cs")
            .NoDiff()
            .WithFilenameGenerator((test, discriminator, kind, extension) =>
                $"{test.DeclaringTypeName}{discriminator}.{(kind == "approved" ? "verified" : kind)}.{extension}"));
    }

    /// <summary>
    /// Networks with baked weights (Weights = "x.npz", the weights NpzWriter.Weight draws): a fused one with its weights
    /// as literals, and a float one that goes layer by layer, a kernel layer then straight-line layers with literals.
    /// </summary>
    [Theory]
    [InlineData("BakedPlanar", "[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Weights = \"planar.npz\")]", new[] { 2, 4, 1 })]
    [InlineData("BakedLayeredSingle", "[Network(10, 8, 3, 1, Precision = Precision.Single, Weights = \"models/layered.npz\")]", new[] { 10, 8, 3, 1 })]
    public void Baked_source_matches_the_snapshot(string name, string attribute, int[] sizes)
    {
        string source = $$"""
            using DnnGen;

            namespace Demo;

            {{attribute}}
            public partial class {{name}};
            """;
        string file = attribute.Split('"')[1];

        (GeneratorRunResult result, Compilation output) = ModelFileHarness.Run(source, new ModelFileHarness.Listed(file, NpzWriter.Network(sizes)));

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        GeneratedSourceResult generated = result.GeneratedSources.ShouldHaveSingleItem();
        generated.HintName.ShouldBe($"Demo.{name}.g.cs");
        generated.SourceText.ToString().ShouldMatchApproved(options => options
            .SubFolder("Snapshots")
            .WithDiscriminator(name)
            .WithFileExtension("cs")
            .NoDiff()
            .WithFilenameGenerator((test, discriminator, kind, extension) =>
                $"SnapshotTests{discriminator}.{(kind == "approved" ? "verified" : kind)}.{extension}"));
    }

    [Theory]
    [InlineData("[DnnGen.Network(12288, 20, 7, 5, 1)]")]
    [InlineData("[DnnGen.Network(64, 32, 10, OutputActivation = DnnGen.Activation.Softmax)]")]
    [InlineData("[DnnGen.Network(4, 5, 3, OutputActivation = DnnGen.Activation.Softmax)]")]
    [InlineData("[DnnGen.Network(10, 16, 1, OutputActivation = DnnGen.Activation.Linear)]")]
    [InlineData("[DnnGen.Network(6, 5, 4, 3, Activations = new[] { DnnGen.Activation.LeakyRelu, DnnGen.Activation.Tanh, DnnGen.Activation.Sigmoid })]")]
    public void Every_public_generated_member_is_documented(string attribute)
    {
        // With documentation diagnostics on, as in a project that sets GenerateDocumentationFile, an undocumented
        // public member would raise CS1591 in the user's build.
        var parseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var input = GeneratorHarness.Compile().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            $$"""
            /// <summary>A user's network.</summary>
            {{attribute}}
            public partial class Documented;
            """,
            parseOptions));
        GeneratorHarness.CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);

        output.SyntaxTrees.Count().ShouldBe(2);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }
}
