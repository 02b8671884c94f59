using System.IO;
using System.Text;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Shouldly;
using static DnnGen.Generator.Tests.ModelFileHarness;

namespace DnnGen.Generator.Tests;

// DNNG0025 to DNNG0030, and DNNG0011 and DNNG0012 for the Weights option: what can be wrong with a baked network's file,
// each reported at the attribute, with nothing generated.
public partial class DiagnosticTests
{
    private const string BakedNetwork = """
        using DnnGen;
        [[|Network(2, 3, 1, Weights = "net.npz")|]]
        public partial class Net;
        """;

    private static readonly int[] BakedSizes = [2, 3, 1];

    [Fact]
    public void DNNG0025_weights_file_not_listed()
    {
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0025", BakedNetwork, new Listed("other.npz", NpzWriter.Network(BakedSizes)));
        diagnostic.GetMessage().ShouldBe("Weights of 'Net' names 'net.npz': it is not among the project's additional files; list it in the project file, <ItemGroup><AdditionalFiles Include=\"net.npz\" /></ItemGroup>, with its path relative to the project (DnnGen reads only the files a project lists)");
    }

    [Fact]
    public void DNNG0025_weights_file_listed_in_another_case()
    {
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0025", BakedNetwork, new Listed("Net.npz", NpzWriter.Network(BakedSizes)));
        diagnostic.GetMessage().ShouldContain("which list 'Net.npz', a path that differs in case");
    }

    [Fact]
    public void DNNG0025_weights_file_listed_but_not_on_the_disk()
    {
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0025", BakedNetwork, new Listed("net.npz", null));
        diagnostic.GetMessage().ShouldBe("Weights of 'Net' names 'net.npz': the project lists it, but there is no file at '/project/net.npz'");
    }

    [Fact]
    public void DNNG0025_weights_file_listed_without_the_build_logic()
    {
        // Without DnnGen.targets the .npz reaches the compiler as it is; the generator reads only its name.
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0025", BakedNetwork, new Listed("net.npz", NpzWriter.Network(BakedSizes), Encoded: false));
        diagnostic.GetMessage().ShouldContain("DnnGen's build logic (build/DnnGen.targets in the package)");
        diagnostic.GetMessage().ShouldContain("did not run");
    }

    public static TheoryData<string, byte[], string> InvalidArchives()
    {
        byte[] valid = NpzWriter.Network(BakedSizes);
        byte[] badCrc = (byte[])valid.Clone();
        // The last byte of W1's data (the first entry): its CRC no longer matches.
        int w1End = IndexOf(valid, Encoding.ASCII.GetBytes("b1.npy")) - 30 - 1;
        badCrc[w1End] ^= 0x55;
        byte[] w1 = NpzWriter.Array2D(new double[6], 3, 2);
        return new TheoryData<string, byte[], string>
        {
            { "not a ZIP file", Encoding.ASCII.GetBytes("W1,b1\n1,2\n"), "it is not a ZIP archive" },
            { "empty", [], "it is empty" },
            { "truncated", valid[..(valid.Length / 2)], "it is truncated or damaged: it has no ZIP end-of-central-directory record" },
            { "a checksum that fails", badCrc, "the entry 'W1.npy' fails its checksum" },
            { "an entry that is no .npy", NpzWriter.Archive([("W1", Encoding.ASCII.GetBytes("not numpy data"))]), "the array 'W1' is not a .npy array" },
            { "data shorter than the header says", NpzWriter.Archive([("W1", w1[..^8])]), "the array 'W1' has 40 bytes of data, but its header says 6 values of shape (3, 2) (48 bytes); it is truncated" },
            { "a header that is no dictionary", NpzWriter.Archive([("W1", [.. w1[..10], .. Encoding.ASCII.GetBytes("[1, 2]".PadRight(w1[8] - 1) + "\n")])]), "the array 'W1' has a header that cannot be read: it is not a Python dictionary" },
            { "an array twice", NpzWriter.Archive([("W1", w1), ("W1", w1)]), "it holds the array 'W1' twice" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidArchives))]
    public void DNNG0026_weights_file_not_a_valid_npz(string damage, byte[] file, string message)
    {
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0026", BakedNetwork, new Listed("net.npz", file));
        diagnostic.GetMessage().ShouldStartWith("'net.npz', the weights of 'Net', is not a valid .npz archive: ", customMessage: damage);
        diagnostic.GetMessage().ShouldContain(message, customMessage: damage);
    }

    [Fact]
    public void DNNG0026_text_form_damaged()
    {
        // The text the build logic wrote, with its last line cut: its length no longer matches.
        string text = EncodedFormat.Encode("net.npz", "/project/net.npz", NpzWriter.Network(BakedSizes));
        string cut = text[..text.TrimEnd('\n').LastIndexOf('\n')] + "\n";
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0026", BakedNetwork, new Listed("net.npz", null, Text: cut));
        diagnostic.GetMessage().ShouldContain("the text form DnnGen's build logic made of it is damaged: its data are");
        diagnostic.GetMessage().ShouldContain("rebuild");
    }

    [Theory]
    [InlineData("W2", null, "missing 'W2' (1, 3)")]
    [InlineData(null, "W3", "unexpected 'W3'")]
    [InlineData("b1", "bias1", "missing 'b1' (3, 1) or (3,); unexpected 'bias1'")]
    public void DNNG0027_weights_file_with_missing_or_extra_arrays(string? leftOut, string? added, string message)
    {
        var arrays = NpzWriter.Parameters(BakedSizes, NpzWriter.Weight).Where(a => a.Name != leftOut).ToList();
        if (added is not null)
        {
            arrays.Add((added, NpzWriter.Array2D([1, 2, 3], 3, 1)));
        }

        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0027", BakedNetwork, new Listed("net.npz", NpzWriter.Archive(arrays)));
        diagnostic.GetMessage().ShouldStartWith("'net.npz' does not hold the parameters of 'Net', a network [2, 3, 1]: " + message);
        diagnostic.GetMessage().ShouldContain("expected exactly W1, b1, W2, b2");
    }

    [Theory]
    [InlineData("W1", new long[] { 3, 3 }, "Array 'W1' in 'net.npz' has shape (3, 3), but 'Net' needs (3, 2)")]
    [InlineData("W1", new long[] { 2, 3 }, "Array 'W1' in 'net.npz' has shape (2, 3), but 'Net' needs (3, 2); it is W1 transposed")]
    [InlineData("W2", new long[] { 3 }, "Array 'W2' in 'net.npz' has shape (3,), but 'Net' needs (1, 3)")]
    [InlineData("b1", new long[] { 3, 2 }, "Array 'b1' in 'net.npz' has shape (3, 2), but 'Net' needs (3, 1) or (3,)")]
    [InlineData("b2", new long[] { 1, 1, 1 }, "Array 'b2' in 'net.npz' has shape (1, 1, 1), but 'Net' needs (1, 1) or (1,)")]
    public void DNNG0028_weights_array_of_the_wrong_shape(string name, long[] shape, string message)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var arrays = NpzWriter.Parameters(BakedSizes, NpzWriter.Weight)
            .Select(a => a.Name == name ? (a.Name, NpzWriter.Npy("<f8", shape, NpzWriter.Values("<f8", new double[count]))) : a)
            .ToList();

        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0028", BakedNetwork, new Listed("net.npz", NpzWriter.Archive(arrays)));
        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Theory]
    [InlineData("W1", 3, double.NaN, "", "Array 'W1' in 'net.npz' holds NaN at [1, 1]; the weights of 'Net' must be finite")]
    [InlineData("b2", 0, double.PositiveInfinity, "", "Array 'b2' in 'net.npz' holds infinity at [0]; the weights of 'Net' must be finite")]
    [InlineData("W2", 2, double.NegativeInfinity, "", "Array 'W2' in 'net.npz' holds minus infinity at [0, 2]")]
    [InlineData("W1", 0, 1e300, ", Precision = Precision.Single", "Array 'W1' in 'net.npz' holds 1.0000000000000001E+300, beyond the range of float, the network's type (Precision = Precision.Single) at [0, 0]")]
    public void DNNG0029_weight_not_finite(string name, int index, double value, string options, string message)
    {
        var arrays = NpzWriter.Parameters(BakedSizes, (l, i, b) => (b ? "b" : "W") + l == name && i == index ? value : NpzWriter.Weight(l, i, b));
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0029", $$"""
            using DnnGen;
            [[|Network(2, 3, 1{{options}}, Weights = "net.npz")|]]
            public partial class Net;
            """, new Listed("net.npz", NpzWriter.Archive(arrays)));
        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Theory]
    [InlineData("<i8", "'<i8'")]
    [InlineData("<f2", "'<f2'")]
    [InlineData("<c16", "'<c16'")]
    [InlineData("|O", "'|O'")]
    public void DNNG0030_weights_array_not_a_float(string descr, string shown)
    {
        var arrays = NpzWriter.Parameters(BakedSizes, NpzWriter.Weight)
            .Select(a => a.Name == "W2" ? (a.Name, NpzWriter.Npy(descr, [1, 3], new byte[3 * 8])) : a)
            .ToList();

        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0030", BakedNetwork, new Listed("net.npz", NpzWriter.Archive(arrays)));
        diagnostic.GetMessage().ShouldBe($"Array 'W2' in 'net.npz' has dtype {shown}, but the weights of 'Net' must be float64 ('<f8') or float32 ('<f4'), in either byte order; save it with .astype(np.float64)");
    }

    [Fact]
    public void Every_bad_array_of_a_file_is_reported()
    {
        var arrays = NpzWriter.Parameters(BakedSizes, (l, i, b) => l == 2 && !b ? double.NaN : NpzWriter.Weight(l, i, b))
            .Select(a => a.Name == "b1" ? (a.Name, NpzWriter.Npy("<i4", [3, 1], new byte[12])) : a)
            .ToList();
        (GeneratorRunResult result, _) = Run(Markup.Parse(BakedNetwork).Source, new Listed("net.npz", NpzWriter.Archive(arrays)));

        result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0030", "DNNG0029"]);
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[|Weights = \"\"|]", "it names no file")]
    [InlineData("[|Weights = null|]", "it names no file")]
    [InlineData("[|Weights = \"mlp.onnx\"|]", "'mlp.onnx' is not a .npz file; Weights takes the .npz archive that SaveNpz or np.savez(path, **parameters) writes (an ONNX model is imported with [NetworkFromOnnx(\"model.onnx\")])")]
    [InlineData("[|Weights = \"/home/me/cat.npz\"|]", "is an absolute path")]
    [InlineData("Weights = \"net.npz\", [|Initialization = Initialization.He|]", "it is never initialised, so Initialization has no effect; remove it")]
    [InlineData("[|Optimizer = Optimizer.Adam|], Weights = \"net.npz\"", "it is never trained, so Optimizer has no effect; remove it")]
    [InlineData("[|Weights = 3|]", "it has type 'int', but Weights is a string")]
    public void DNNG0012_weights_option_not_valid(string option, string message)
    {
        Diagnostic diagnostic = AssertSingleWithFiles("DNNG0012", $$"""
            using DnnGen;
            [Network(2, 3, 1, {{option}})]
            public partial class Net;
            """, new Listed("net.npz", NpzWriter.Network(BakedSizes)));
        diagnostic.GetMessage().ShouldContain(message);
    }

    [Fact]
    public void DNNG0011_weights_option_not_a_constant() => AssertSingleWithFiles("DNNG0011", """
        using DnnGen;
        public static class Files { public static readonly string Cat = "net.npz"; }
        [Network(2, 3, 1, Weights = [|Files.Cat|])]
        public partial class Net;
        """, new Listed("net.npz", NpzWriter.Network(BakedSizes)));

    [Fact]
    public void A_const_string_names_the_weights()
    {
        (GeneratorRunResult result, Compilation output) = Run("""
            using DnnGen;
            public static class Files { public const string Cat = "models/" + "net.npz"; }
            [Network(2, 3, 1, Weights = Files.Cat)]
            public partial class Net;
            """, new Listed("models/net.npz", NpzWriter.Network(BakedSizes)));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    [Fact]
    public void DNNG0007_a_member_named_like_a_baked_network_s_member()
    {
        AssertSingleWithFiles("DNNG0007", """
            using DnnGen;
            [Network(2, 3, 1, Weights = "net.npz")]
            public partial class Net
            {
                private static int [|ParameterData|] => 0;
            }
            """, new Listed("net.npz", NpzWriter.Network(BakedSizes)));
    }

    [Fact]
    public void A_baked_network_may_declare_members_that_only_a_trainable_network_generates()
    {
        // Train, Forward and the gradients are not generated for a baked network, so the class may have its own.
        (GeneratorRunResult result, Compilation output) = Run("""
            using DnnGen;
            [Network(2, 3, 1, Weights = "net.npz")]
            public partial class Net
            {
                public string Train() => "no";
                public int Gradients => 0;
            }
            """, new Listed("net.npz", NpzWriter.Network(BakedSizes)));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    /// <summary>As AssertSingle, with the model files listed as a build with DnnGen.targets lists them.</summary>
    private static Diagnostic AssertSingleWithFiles(string id, string markup, params Listed[] files)
    {
        (string source, TextSpan span) = Markup.Parse(markup);
        (GeneratorRunResult result, _) = Run(source, files);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe(id);
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.SourceSpan.ShouldBe(span, $"located at '{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}'");
        result.GeneratedSources.ShouldBeEmpty();
        return diagnostic;
    }

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        for (int i = 0; i + pattern.Length <= bytes.Length; i++)
        {
            if (bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern))
            {
                return i;
            }
        }

        throw new InvalidDataException("pattern not found");
    }
}
