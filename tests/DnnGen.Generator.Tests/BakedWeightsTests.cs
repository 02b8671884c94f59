using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Shouldly;
using static DnnGen.Generator.Tests.ModelFileHarness;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Weights = "x.npz": every form of .npz the runtime's LoadNpz reads bakes in, every bit of every weight survives into
/// the compiled class (as literals in a small network, as a string of bits in a large one), and each problem with the
/// file is a DNNG error at the attribute.
/// </summary>
public class BakedWeightsTests
{
    private const string Attribute = "Network(2, 3, 1, Weights = \"net.npz\")";

    private static readonly int[] Small = [2, 3, 1];

    /// <summary>Values whose literals are hard to get right: signed zeros, the extremes, subnormals, 17-digit fractions.</summary>
    private static readonly double[] Awkward =
    [
        -0.0, 0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 0.1, 1.0 / 3, -2.0 / 3, 1e-300, 123456789012345680,
        5, -7, 2.2250738585072014E-308, 0.30000000000000004, 1e21,
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_bit_of_every_weight_survives_in_a_small_network(bool single)
        => AssertBakedExactly([2, 3, 1], single, (layer, index, isBias) => Awkward[(layer * 7 + index + (isBias ? 3 : 0)) % Awkward.Length]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_bit_of_every_weight_survives_in_a_large_network_baked_as_a_string(bool single)
    {
        // 5,101 parameters: more than NetworkEmitter.BakedArrayMaxValues, so the string form.
        int[] sizes = [100, 50, 1];
        (5101 > NetworkEmitter.BakedArrayMaxValues).ShouldBeTrue();
        string source = AssertBakedExactly(sizes, single, (layer, index, isBias) => index % 5 == 0 ? Awkward[(index / 5) % Awkward.Length] : NpzWriter.Weight(layer, index, isBias));
        source.ShouldContain("private static global::System.ReadOnlySpan<char> ParameterText =>");
        source.ShouldNotContain("ParameterData => new ");
    }

    [Fact]
    public void A_float_network_rounds_float64_weights_to_the_nearest_float()
    {
        // 0.1 and 1/3 are not floats: each rounds to the float nearest to it, as (float) does and LoadNpz does.
        double[] values = [0.1, 1.0 / 3, 16777217, 1.0000000596046448, -3.40282356779733E+38];
        // (The last rounds to float.MinValue: a hair further, -3.4028235677973366E+38, it would round to minus infinity, DNNG0029.)
        (float[] baked, _) = Bake<float>(Archive(Parameters(Small, (l, i, b) => values[(l + i) % values.Length])), "Precision = Precision.Single");
        float[] expected = Flatten(Small, (l, i, b) => values[(l + i) % values.Length]).Select(v => (float)v).ToArray();
        baked.Select(BitConverter.SingleToInt32Bits).ShouldBe(expected.Select(BitConverter.SingleToInt32Bits));
    }

    public static TheoryData<string, Func<int[], byte[]>> Forms() => new()
    {
        { "np.savez: stored, C order, (n, 1) biases", sizes => NpzWriter.Network(sizes) },
        { "np.savez_compressed: deflated", sizes => NpzWriter.Network(sizes, deflate: true) },
        { "float32", sizes => NpzWriter.Network(sizes, "<f4") },
        { "big-endian float64", sizes => NpzWriter.Network(sizes, ">f8") },
        { "big-endian float32", sizes => NpzWriter.Network(sizes, ">f4") },
        { "PyTorch's 1-D biases", sizes => Archive(Parameters(sizes).Select(a => a.Name[0] == 'b' ? (a.Name, Npy("<f8", [sizes[int.Parse(a.Name[1..])]], Values(a.Values))) : a.Npy)) },
        { "Fortran order", sizes => Archive(Parameters(sizes).Select(a => a.Name[0] == 'W' ? (a.Name, Fortran(a.Values, a.Rows, a.Columns)) : a.Npy)) },
        { ".npy format 2.0", sizes => Archive(Parameters(sizes).Select(a => (a.Name, Npy("<f8", [a.Rows, a.Columns], Values(a.Values), version: 2)))) },
        { ".npy format 3.0", sizes => Archive(Parameters(sizes).Select(a => (a.Name, Npy("<f8", [a.Rows, a.Columns], Values(a.Values), version: 3)))) },
        { "a checkpoint with Adam's state", sizes => Archive(Parameters(sizes).Select(a => a.Npy)
            .Concat(Parameters(sizes).SelectMany(a => new[] { ("v_d" + a.Name, a.Npy.Npy), ("s_d" + a.Name, a.Npy.Npy) }))
            .Append(("t", NpzWriter.Npy("<i8", [], BitConverter.GetBytes(25000L))))
            .Append(("epoch", NpzWriter.Npy("<i8", [], BitConverter.GetBytes(5000L))))) },
        { "arrays in another order", sizes => Archive(Parameters(sizes).Select(a => a.Npy).Reverse()) },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Every_form_of_npz_that_LoadNpz_reads_bakes_in_the_same_weights(string form, Func<int[], byte[]> write)
    {
        int[] sizes = [3, 4, 2];
        (double[] baked, _) = Bake<double>(write(sizes), "", sizes);
        double[] expected = Flatten(sizes, NpzWriter.Weight);
        if (form.Contains("float32", StringComparison.Ordinal))
        {
            expected = expected.Select(v => (double)(float)v).ToArray();
        }

        baked.Select(BitConverter.DoubleToInt64Bits).ShouldBe(expected.Select(BitConverter.DoubleToInt64Bits), form);
    }

    [Fact]
    public void The_literals_of_a_small_network_are_its_weights_and_the_data_is_a_constant_array()
    {
        (GeneratorRunResult result, Compilation output) = Run(Source(Attribute), new Listed("net.npz", NpzWriter.Network(Small)));
        result.Diagnostics.ShouldBeEmpty();
        string source = result.GeneratedSources.Single().SourceText.ToString();
        double w = NpzWriter.Weight(1, 0, false);
        source.ShouldContain($"double w1_0_0 = {w:G17},");
        source.ShouldContain("private static global::System.ReadOnlySpan<double> ParameterData => new double[]");

        // The constant array is data in the image that a span views: RuntimeHelpers.CreateSpan, no array per call.
        using var image = new MemoryStream();
        output.Emit(image).Success.ShouldBeTrue();
        using var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(image.ToArray()));
        System.Reflection.Metadata.MetadataReader metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        metadata.MemberReferences.Select(handle => metadata.GetString(metadata.GetMemberReference(handle).Name)).ShouldContain("CreateSpan");
    }

    [Fact]
    public void A_baked_network_is_inference_only()
    {
        (GeneratorRunResult result, Compilation output) = Run(Source("Network(4, 3, 2, OutputActivation = Activation.Softmax, Weights = \"net.npz\")"), new Listed("net.npz", NpzWriter.Network([4, 3, 2])));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        string source = result.GeneratedSources.Single().SourceText.ToString();
        source.ShouldContain("partial class Baked : global::DnnGen.IPredictor<double>");
        foreach (string training in new[] { " Train(", " TrainStep(", " Forward(", " Backward(", " InitializeParameters(", " UpdateParameters(", " Gradients", " GradientCheck(", "_workspace", "AlignedBuffer", " ComputeCost(", "OneHot(" })
        {
            source.Contains(training, StringComparison.Ordinal).ShouldBeFalse(training);
        }

        source.ShouldContain("public void PredictClasses(");
        source.ShouldContain("public int PredictClass(");
    }

    [Theory]
    [InlineData("Network(2, 3, 1, Weights = \"net.npz\")", "IBinaryClassifier")]
    [InlineData("Network(2, 3, 1, OutputActivation = Activation.Linear, Weights = \"net.npz\")", "regression")]
    [InlineData("Network(2, 3, 1, Precision = Precision.Single, Weights = \"net.npz\")", "float")]
    [InlineData("Network(2, 3, 1, Activations = new[] { Activation.LeakyRelu, Activation.Tanh }, LeakyReluSlope = 0.2, Weights = \"net.npz\")", "leaky")]
    [InlineData("Network(2, 40, 3, 1, Weights = \"net.npz\")", "layer by layer with a straight-line layer")]
    public void A_baked_network_of_every_kind_compiles_without_warnings(string attribute, string kind)
    {
        int[] sizes = attribute.Contains("40", StringComparison.Ordinal) ? [2, 40, 3, 1] : Small;
        (GeneratorRunResult result, Compilation output) = Run(Source(attribute), new Listed("net.npz", NpzWriter.Network(sizes)));
        result.Diagnostics.ShouldBeEmpty(kind);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty(kind);
    }

    [Fact]
    public void A_listed_path_with_backslashes_or_a_dot_segment_names_the_same_file()
    {
        byte[] npz = NpzWriter.Network(Small);
        foreach ((string listed, string named) in new[] { ("models/net.npz", "models\\\\net.npz"), ("models/net.npz", "./models/net.npz") })
        {
            (GeneratorRunResult result, _) = Run(Source($"Network(2, 3, 1, Weights = \"{named}\")"), new Listed(listed, npz));
            result.Diagnostics.ShouldBeEmpty(named);
            result.GeneratedSources.ShouldHaveSingleItem();
        }
    }

    [Fact]
    public void Two_networks_bake_two_files_and_a_trainable_network_beside_them_is_unchanged()
    {
        (GeneratorRunResult result, Compilation output) = Run(
            """
            using DnnGen;
            namespace Demo;
            [Network(2, 3, 1, Weights = "a.npz")] public partial class A;
            [Network(3, 4, 2, Weights = "models/b.npz")] public partial class B;
            [Network(2, 3, 1)] public partial class Trainable;
            """,
            new Listed("a.npz", NpzWriter.Network(Small)),
            new Listed("models/b.npz", NpzWriter.Network([3, 4, 2])));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ShouldBe(["Demo.A.g.cs", "Demo.B.g.cs", "Demo.Trainable.g.cs"]);
        string trainable = result.GeneratedSources.Single(s => s.HintName == "Demo.Trainable.g.cs").SourceText.ToString();
        (GeneratorRunResult alone, _) = GeneratorHarness.Run("""
            using DnnGen;
            namespace Demo;
            [Network(2, 3, 1)] public partial class Trainable;
            """);
        trainable.ShouldBe(alone.GeneratedSources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("Network(2, 3, 1, Weights = \"net.npz\")", new[] { 2, 3, 1 })]
    [InlineData("Network(10, 8, 3, OutputActivation = Activation.Softmax, Weights = \"net.npz\")", new[] { 10, 8, 3 })]
    [InlineData("Network(100, 50, 1, OutputActivation = Activation.Linear, Weights = \"net.npz\")", new[] { 100, 50, 1 })]
    public void Every_public_member_of_a_baked_network_is_documented(string attribute, int[] sizes)
    {
        // With documentation diagnostics on, as in a project that sets GenerateDocumentationFile (CS1591 otherwise).
        var parseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var input = GeneratorHarness.Compile().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            $$"""
            using DnnGen;
            /// <summary>A user's network.</summary>
            [{{attribute}}]
            public partial class Documented;
            """,
            parseOptions));
        CreateDriver([new Listed("net.npz", NpzWriter.Network(sizes))], parseOptions).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);

        output.SyntaxTrees.Count().ShouldBe(2);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    // ---- helpers ----

    private static string Source(string attribute) => $$"""
        using DnnGen;
        namespace Demo;
        [{{attribute}}]
        public partial class Baked;
        """;

    /// <summary>Bakes the weights <paramref name="value"/> gives and checks the class's Parameters hold them, bit for bit.</summary>
    private static string AssertBakedExactly(int[] sizes, bool single, Func<int, int, bool, double> value)
    {
        string options = single ? "Precision = Precision.Single" : "";
        double[] expected = Flatten(sizes, value);
        byte[] npz = Archive(Parameters(sizes, value));
        if (single)
        {
            // A float network takes finite floats: the doubles beyond float's range would be DNNG0029.
            expected = expected.Select(v => Math.Abs(v) > float.MaxValue ? Math.Sign(v) * 1e38 : v).ToArray();
            npz = Archive(Parameters(sizes, (l, i, b) => { double v = value(l, i, b); return Math.Abs(v) > float.MaxValue ? Math.Sign(v) * 1e38 : v; }));
            (float[] singles, string floatSource) = Bake<float>(npz, options, sizes);
            singles.Select(BitConverter.SingleToInt32Bits).ShouldBe(expected.Select(v => BitConverter.SingleToInt32Bits((float)v)));
            return floatSource;
        }

        (double[] baked, string source) = Bake<double>(npz, options, sizes);
        baked.Select(BitConverter.DoubleToInt64Bits).ShouldBe(expected.Select(BitConverter.DoubleToInt64Bits));
        return source;
    }

    /// <summary>
    /// Generates and compiles a network baked from <paramref name="npz"/>, loads the assembly, and returns its
    /// Parameters (through IPredictor) and the generated source.
    /// </summary>
    private static (T[] Parameters, string Source) Bake<T>(byte[] npz, string options, int[]? sizes = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        sizes ??= Small;
        string attribute = $"Network({string.Join(", ", sizes)}{(options.Length > 0 ? ", " + options : "")}, Weights = \"net.npz\")";
        (GeneratorRunResult result, Compilation output) = Run(Source(attribute), new Listed("net.npz", npz));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();

        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image);
        emitted.Success.ShouldBeTrue(string.Join("\n", emitted.Diagnostics));
        var context = new AssemblyLoadContext("baked", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(new MemoryStream(image.ToArray()));
            var predictor = (global::DnnGen.IPredictor<T>)Activator.CreateInstance(assembly.GetType("Demo.Baked")!)!;
            return (predictor.Parameters.ToArray(), result.GeneratedSources.Single().SourceText.ToString());
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>W1, b1, W2, b2, ... as Parameters lays them out.</summary>
    private static double[] Flatten(int[] sizes, Func<int, int, bool, double> value)
    {
        var values = new List<double>();
        for (int l = 1; l < sizes.Length; l++)
        {
            values.AddRange(Enumerable.Range(0, sizes[l] * sizes[l - 1]).Select(i => value(l, i, false)));
            values.AddRange(Enumerable.Range(0, sizes[l]).Select(i => value(l, i, true)));
        }

        return values.ToArray();
    }

    /// <summary>One array of a network's parameters, its values in C order.</summary>
    private sealed record ParameterArray(string Name, int Rows, int Columns, double[] Values)
    {
        public (string Name, byte[] Npy) Npy => (Name, NpzWriter.Array2D(Values, Rows, Columns));
    }

    private static List<ParameterArray> Parameters(int[] sizes, Func<int, int, bool, double>? value = null)
    {
        value ??= NpzWriter.Weight;
        var arrays = new List<ParameterArray>();
        for (int l = 1; l < sizes.Length; l++)
        {
            int layer = l;
            arrays.Add(new ParameterArray($"W{l}", sizes[l], sizes[l - 1], Enumerable.Range(0, sizes[l] * sizes[l - 1]).Select(i => value(layer, i, false)).ToArray()));
            arrays.Add(new ParameterArray($"b{l}", sizes[l], 1, Enumerable.Range(0, sizes[l]).Select(i => value(layer, i, true)).ToArray()));
        }

        return arrays;
    }

    private static byte[] Archive(IEnumerable<ParameterArray> arrays) => NpzWriter.Archive(arrays.Select(a => a.Npy));

    private static byte[] Archive(IEnumerable<(string Name, byte[] Npy)> entries) => NpzWriter.Archive(entries);

    private static byte[] Npy(string descr, long[] shape, byte[] data, int version = 1) => NpzWriter.Npy(descr, shape, data, version: version);

    private static byte[] Values(double[] values) => NpzWriter.Values("<f8", values);

    /// <summary>A (rows, columns) matrix stored column by column, with fortran_order True.</summary>
    private static byte[] Fortran(double[] values, int rows, int columns)
    {
        var columnMajor = new double[values.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                columnMajor[j * rows + i] = values[i * columns + j];
            }
        }

        return NpzWriter.Npy("<f8", [rows, columns], Values(columnMajor), fortran: true);
    }
}
