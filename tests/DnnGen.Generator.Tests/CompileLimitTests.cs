using System.Collections.Generic;
using System.IO;
using System.Text;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The limits of the platform that a declaration can reach: the locals of one method (CS0204), the length of a file
/// name on disk, and the largest buffer the runtime allocates. Each is met by working code or by a DNNG diagnostic.
/// </summary>
public class CompileLimitTests
{
    // ---- locals of the fused Predict ----

    [Fact]
    public void A_deep_straight_line_network_whose_fused_Predict_would_exceed_the_locals_of_a_method_compiles()
    {
        // Layers alternate 1 -> 64 and 64 -> 1, all of them straight-line code (64 weights): one fused loop through them
        // would hold more than the 65,534 locals C# allows in a method (CS0204).
        var sizes = new List<int> { 1 };
        while (new NetworkShape(new EquatableArray<int>([.. sizes])).FusedPredictLocals <= 65_534)
        {
            sizes.Add(64);
            sizes.Add(1);
        }

        var shape = new NetworkShape(new EquatableArray<int>([.. sizes]));
        shape.IsAllStraightLine.ShouldBeTrue();
        shape.IsFusedPredict.ShouldBeFalse();

        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            [Network({{string.Join(", ", sizes)}})]
            public partial class Deep;
            """);

        result.Diagnostics.ShouldBeEmpty();
        string predict = PredictOf(result.GeneratedSources.ShouldHaveSingleItem().SourceText.ToString());
        predict.ShouldNotContain("// Fused: ");
        predict.ShouldContain($"// Not fused, although every layer is straight-line code: one loop through all the layers would hold {shape.FusedPredictLocals:N0} locals,");
        predict.ShouldContain("Layer1LinearForward(a0, W1, b1, a1);");
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();

        // CS0204 (too many locals) is found only when the method bodies are emitted.
        using var assembly = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(assembly);
        emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
        emitted.Success.ShouldBeTrue();
    }

    [Theory]
    [InlineData(36, true)] // 1,014 locals
    [InlineData(37, false)] // 1,042 locals
    public void Predict_is_fused_up_to_the_documented_number_of_locals(int hiddenLayers, bool fused)
    {
        int[] sizes = [2, .. Enumerable.Repeat(4, hiddenLayers), 1];
        var shape = new NetworkShape(new EquatableArray<int>(sizes));
        (shape.FusedPredictLocals <= NetworkShape.FusedPredictMaxLocals).ShouldBe(fused);

        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            [Network({{string.Join(", ", sizes)}})]
            public partial class Net;
            """);

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        SyntaxTree tree = result.GeneratedSources.ShouldHaveSingleItem().SyntaxTree;
        PredictOf(tree.ToString()).Contains("// Fused: ", StringComparison.Ordinal).ShouldBe(fused);
        if (fused)
        {
            // The count the decision uses is the number of locals the fused Predict declares.
            MethodDeclarationSyntax predict = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .Single(m => m.Identifier.ValueText == "Predict" && m.ParameterList.Parameters.Count == 2);
            predict.Body!.DescendantNodes().OfType<VariableDeclaratorSyntax>().Count().ShouldBe((int)shape.FusedPredictLocals);
        }
    }

    [Fact]
    public void The_straight_line_layer_methods_have_bounded_locals_whatever_the_depth()
    {
        // Layer{l}LinearForward and Layer{l}LinearBackward hold one layer's weights (at most 64), its biases, and as many
        // gradient sums: the widest layers of 64 units in and out are the worst case, far below 65,534 whatever the depth.
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(64, 1, 64, 1)]
            public partial class Net;
            """);

        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        int most = result.GeneratedSources.Single().SyntaxTree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.Identifier.ValueText.StartsWith("Layer", StringComparison.Ordinal))
            .Max(m => m.DescendantNodes().OfType<VariableDeclaratorSyntax>().Count());
        most.ShouldBeLessThanOrEqualTo(4 * NetworkShape.StraightLineMaxWeights + 8);
    }

    /// <summary>Predict, from the end of the member before it (so with any comment above its documentation) to PredictLabels.</summary>
    private static string PredictOf(string source)
    {
        int start = source.IndexOf("public void Predict(", StringComparison.Ordinal);
        int end = source.IndexOf("public void PredictLabels(", start, StringComparison.Ordinal);
        int previous = source.LastIndexOf("}\n", start, StringComparison.Ordinal);
        return source[previous..end];
    }

    // ---- hint names, which become file names on disk ----

    [Fact]
    public void A_500_character_class_name_gets_a_hint_name_the_file_system_accepts()
    {
        string name = "N" + new string('x', 498) + "1";
        string other = "N" + new string('x', 498) + "2";
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            namespace Long.Names;
            [Network(2, 1)] public partial class {{name}};
            [Network(3, 1)] public partial class {{other}};
            """);

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        string[] hints = result.GeneratedSources.Select(s => s.HintName).ToArray();
        hints.Length.ShouldBe(2);
        hints.Distinct(StringComparer.OrdinalIgnoreCase).Count().ShouldBe(2, "names that differ only past the cut must still differ");
        foreach (string hint in hints)
        {
            Encoding.UTF8.GetByteCount(hint).ShouldBeLessThanOrEqualTo(NetworkModel.MaxHintNameBytes);
            hint.ShouldStartWith("Long.Names.Nxxx");
            hint.ShouldMatch(@"^Long\.Names\.Nx+\.[0-9a-f]{16}\.g\.cs$");
        }

        AssertWritable(result);
    }

    [Fact]
    public void A_deep_namespace_and_nesting_with_non_ascii_names_stay_within_the_byte_limit()
    {
        string segment = "Éléments" + new string('é', 40);
        string ns = string.Join(".", Enumerable.Range(0, 6).Select(i => segment + i));
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            namespace {{ns}}
            {
                public partial class {{segment}}Outer
                {
                    public partial class {{segment}}Inner
                    {
                        [Network(2, 1)] public partial class Réseau{{new string('é', 100)}};
                    }
                }
            }
            """);

        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        string hint = result.GeneratedSources.ShouldHaveSingleItem().HintName;
        Encoding.UTF8.GetByteCount(hint).ShouldBeLessThanOrEqualTo(NetworkModel.MaxHintNameBytes);
        hint.ShouldStartWith(segment + "0.");
        AssertWritable(result);
    }

    [Theory]
    [InlineData("Demo.Net", "Demo.Net.g.cs")]
    [InlineData("A.B.Outer.Inner.CatNetwork", "A.B.Outer.Inner.CatNetwork.g.cs")]
    public void Short_hint_names_are_unchanged(string fullName, string hint)
        => NetworkModel.Bounded(fullName, ".g.cs").ShouldBe(hint);

    [Fact]
    public void The_cut_is_at_the_limit_exactly_and_never_splits_a_character()
    {
        string fits = new('a', NetworkModel.MaxHintNameBytes - ".g.cs".Length);
        NetworkModel.Bounded(fits, ".g.cs").ShouldBe(fits + ".g.cs");

        string longer = fits + "a";
        string cut = NetworkModel.Bounded(longer, ".g.cs");
        Encoding.UTF8.GetByteCount(cut).ShouldBe(NetworkModel.MaxHintNameBytes);
        cut.ShouldNotBe(NetworkModel.Bounded(fits + "b", ".g.cs"));
        NetworkModel.Bounded(longer, ".g.cs").ShouldBe(cut, "the hash is stable");

        string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 100));
        string emojiCut = NetworkModel.Bounded(emoji, ".g.cs");
        Encoding.UTF8.GetByteCount(emojiCut).ShouldBeLessThanOrEqualTo(NetworkModel.MaxHintNameBytes);
        emojiCut.Split('.')[0].Length.ShouldBe(2 * emojiCut.Split('.')[0].Count(char.IsHighSurrogate));
    }

    /// <summary>Writes each generated file under its hint name, as EmitCompilerGeneratedFiles does: the file system must accept it.</summary>
    private static void AssertWritable(GeneratorRunResult result)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("dnngen-hints-");
        try
        {
            foreach (GeneratedSourceResult generated in result.GeneratedSources)
            {
                string path = Path.Combine(directory.FullName, generated.HintName);
                Should.NotThrow(() => File.WriteAllText(path, generated.SourceText.ToString()), generated.HintName);
                File.Exists(path).ShouldBeTrue();
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // ---- the largest network: the aligned buffer's limit ----

    [Fact]
    public void The_generator_mirrors_the_runtime_s_buffer_alignment()
        => NetworkShape.AlignedBufferAlignment.ShouldBe(global::DnnGen.AlignedBuffer<double>.Alignment);

    [Fact]
    public void The_parameter_limit_is_the_largest_buffer_the_runtime_allocates()
    {
        // One element more than the limit is refused by AlignedBuffer's constructor before it allocates anything, with
        // the limit in its message; the limit itself would take 16 GiB (8 in float) to demonstrate.
        long doubles = NetworkShape.MaxParameterCount(Precision.Double);
        long floats = NetworkShape.MaxParameterCount(Precision.Single);
        doubles.ShouldBe(2_147_483_583);
        floats.ShouldBe(2_147_483_575);

        Should.Throw<ArgumentOutOfRangeException>(() => new global::DnnGen.AlignedBuffer<double>(checked((int)(doubles + 1))))
            .Message.ShouldContain($"Expected at most {doubles} elements");
        Should.Throw<ArgumentOutOfRangeException>(() => new global::DnnGen.AlignedBuffer<float>(checked((int)(floats + 1))))
            .Message.ShouldContain($"Expected at most {floats} elements");
    }

    [Theory]
    [InlineData("2147483582, 1", true)] // 2,147,483,583 parameters: the most a buffer of double holds
    [InlineData("2147483583, 1", false)]
    [InlineData("2147483574, 1, Precision = Precision.Single", true)] // 2,147,483,575: the most in float
    [InlineData("2147483575, 1, Precision = Precision.Single", false)]
    [InlineData("2147483590, 1", false)] // Array.MaxLength parameters: DNNG0013 only, before; every new threw
    public void DNNG0004_is_reported_exactly_above_the_runtime_s_limit(string arguments, bool generated)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            [Network({{arguments}})]
            public partial class Huge;
            """);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        if (generated)
        {
            diagnostic.Id.ShouldBe("DNNG0013");
            result.GeneratedSources.ShouldHaveSingleItem();
            GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        }
        else
        {
            diagnostic.Id.ShouldBe("DNNG0004");
            diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
            result.GeneratedSources.ShouldBeEmpty();
        }
    }
}
