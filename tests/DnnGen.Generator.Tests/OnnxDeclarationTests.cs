using System.Collections.Generic;
using System.IO;
using System.Threading;
using DnnGen.Tests.Shared;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// [NetworkFromOnnx] declarations the generator must refuse, as it refuses them for [Network] and naming the attribute
/// that is there (DNNG0001, DNNG0017, DNNG0018); and the generator never throws on a damaged model: random mutations
/// and truncations of valid .onnx files give DNNG0032, DNNG0033 or DNNG0034, or a class that compiles, never DNNG0009.
/// </summary>
public class OnnxDeclarationTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Generator.Tests", "OnnxModels");

    private static byte[] Model(string name) => File.ReadAllBytes(Path.Combine(Folder, name + ".onnx"));

    private static (Diagnostic Diagnostic, string Source) Single(string id, string markup, string model = "sigmoid_gemm_f64")
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse(markup);
        (GeneratorRunResult result, _) = ModelFileHarness.Run(source, new ModelFileHarness.Listed("mlp.onnx", Model(model)));
        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe(id);
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.SourceSpan.ShouldBe(span);
        result.GeneratedSources.ShouldBeEmpty();
        return (diagnostic, source);
    }

    [Fact]
    public void DNNG0001_a_class_that_is_not_partial()
    {
        (Diagnostic diagnostic, _) = Single("DNNG0001", """
            using DnnGen;
            [NetworkFromOnnx("mlp.onnx")]
            public class [|Imported|];
            """);

        diagnostic.GetMessage().ShouldBe("'Imported' has [NetworkFromOnnx], but this declaration of it is not partial; declare it 'partial class Imported' so DnnGen can add the network's members");
    }

    [Fact]
    public void DNNG0016_the_top_level_statements_class_names_the_import_attribute()
    {
        (string source, Microsoft.CodeAnalysis.Text.TextSpan span) = Markup.Parse("""
            using DnnGen;
            System.Console.WriteLine("hello");

            [NetworkFromOnnx("mlp.onnx")]
            public partial class [|Program|];
            """);
        CSharpCompilation input = GeneratorHarness.Compile(source).WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = ModelFileHarness.CreateDriver([new ModelFileHarness.Listed("mlp.onnx", Model("sigmoid_gemm_f64"))])
            .RunGeneratorsAndUpdateCompilation(input, out _, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0016");
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldBe(
            "'Program' is the class that the top-level statements declare, which cannot take a generated part; declare the network " +
            "in a class of its own, such as '[NetworkFromOnnx(\"model.onnx\")] public partial class Net;', and create it with new Net() in the top-level statements");
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("sigmoid_gemm_f64", "[|IPredictor<float>|]", "'Imported' implements IPredictor<float>, but [NetworkFromOnnx(\"mlp.onnx\")] makes it a network of double, which implements IPredictor<double>; remove IPredictor<float> from its base list, or import a model of float32 (FLOAT) tensors")]
    [InlineData("softmax_gemm_f32", "[|INetwork<double>|]", "'Imported' implements INetwork<double>, but [NetworkFromOnnx(\"mlp.onnx\")] makes it a network of float, which implements IPredictor<float>; remove INetwork<double> from its base list, or import a model of float64 (DOUBLE) tensors")]
    [InlineData("softmax_gemm_f32", "System.IDisposable, [|IDoublePredictor|]", "'Imported' implements IPredictor<double> through 'IDoublePredictor', but [NetworkFromOnnx(\"mlp.onnx\")] makes it a network of float")]
    public void DNNG0017_an_interface_of_the_other_element_type_than_the_model(string model, string baseList, string message)
    {
        (Diagnostic diagnostic, _) = Single("DNNG0017", $$"""
            using DnnGen;
            public interface IDoublePredictor : IPredictor<double> { }
            [NetworkFromOnnx("mlp.onnx")]
            public partial class Imported : {{baseList}}
            {
                public void Dispose() { }
            }
            """, model);

        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Fact]
    public void The_predictor_interface_of_the_models_element_type_compiles()
    {
        (GeneratorRunResult result, Compilation output) = ModelFileHarness.Run("""
            using DnnGen;
            [NetworkFromOnnx("mlp.onnx")]
            public partial class Imported : IPredictor<float>;
            """, new ModelFileHarness.Listed("mlp.onnx", Model("softmax_gemm_f32")));

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.ShouldHaveSingleItem();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[[|method:|] NetworkFromOnnx(\"mlp.onnx\")]", "method")]
    [InlineData("[[|field:|] DnnGen.NetworkFromOnnxAttribute(\"mlp.onnx\")]", "field")]
    public void DNNG0018_an_attribute_target_that_a_class_does_not_take(string attribute, string target)
    {
        (Diagnostic diagnostic, _) = Single("DNNG0018", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Imported;
            """);

        diagnostic.GetMessage().ShouldBe(
            $"[NetworkFromOnnx] on 'Imported' has the target '{target}:', which a class does not have, so the compiler ignores the attribute " +
            $"(CS0657), and no network is generated; remove '{target}:', or write 'type:'");
    }

    [Fact]
    public void Mutated_and_truncated_models_never_crash_the_generator()
    {
        string[] models = ["sigmoid_gemm_f64", "softmax_matmul_f32", "linear_constants_f32", "dnngen_leaky_f64", "keras_sigmoid_f32"];
        byte[][] originals = models.Select(Model).ToArray();
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("DNNGEN_FSCHECK_SEED"), out ulong chosen) ? chosen : 20251202;
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(400)
            .WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15), Microsoft.FSharp.Core.FSharpOption<int>.None))
            .WithParallelRunConfig(new ParallelRunConfig(Environment.ProcessorCount));
        const string Source = """
            using DnnGen;

            namespace Demo;

            [NetworkFromOnnx("mlp.onnx")]
            public partial class Imported;
            """;
        int compiled = 0, refused = 0;
        var ids = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();

        Gen<OnnxModelReaderTests.Mutation> mutation =
            from kind in Gen.Choose(0, 4)
            from position in Gen.Choose(0, int.MaxValue)
            from value in Gen.Frequency((3, Gen.Choose(0, 255)), (1, Gen.Elements(0x00, 0x01, 0x7F, 0x80, 0xFF)))
            from length in Gen.Choose(1, 12)
            select new OnnxModelReaderTests.Mutation(kind, position, (byte)value, length);
        Gen<(int Model, OnnxModelReaderTests.Mutation[] Mutations)> cases =
            from model in Gen.Choose(0, originals.Length - 1)
            from count in Gen.Frequency((4, Gen.Constant(1)), (2, Gen.Choose(2, 4)))
            from mutations in Gen.ArrayOf(mutation, count)
            select (model, mutations);

        Check.One(config, Prop.ForAll(Arb.From(cases), ((int Model, OnnxModelReaderTests.Mutation[] Mutations) c) =>
        {
            byte[] bytes = c.Mutations.Aggregate(originals[c.Model], (b, m) => m.Apply(b));
            (GeneratorRunResult result, Compilation output) = ModelFileHarness.Run(Source, new ModelFileHarness.Listed("mlp.onnx", bytes));

            result.Exception.ShouldBeNull();
            if (result.GeneratedSources.Length == 1)
            {
                result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
                GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
                Interlocked.Increment(ref compiled);
            }
            else
            {
                result.GeneratedSources.ShouldBeEmpty();
                result.Diagnostics.ShouldNotBeEmpty();
                Diagnostic diagnostic = result.Diagnostics[0];
                result.Diagnostics.Select(d => d.Id).ShouldAllBe(id => id == "DNNG0032" || id == "DNNG0033" || id == "DNNG0034", string.Join("\n", result.Diagnostics));
                ids.AddOrUpdate(diagnostic.Id, 1, (_, n) => n + 1);
                Interlocked.Increment(ref refused);
            }
        }));

        TestContext.Current.SendDiagnosticMessage($"mutated models: {compiled} compiled, {refused} refused ({string.Join(", ", ids.OrderBy(p => p.Key).Select(p => p.Key + " " + p.Value))})");
        compiled.ShouldBeGreaterThan(0, "some mutations (of a weight's bits, of a name) leave a model that still imports");
        refused.ShouldBeGreaterThan(200);
    }
}
