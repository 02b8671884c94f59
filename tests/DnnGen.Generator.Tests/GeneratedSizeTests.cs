using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The generated source grows with the number of layers, not with their width: a wide layer is one call to the
/// vector kernels whatever its size, and only layers of at most 64 weights are written out as arithmetic.
/// </summary>
public class GeneratedSizeTests
{
    /// <summary>
    /// The most source a 3-layer network may take, whatever its widths: 71,251 characters in fact for (12288, 4096, 4096, 1),
    /// with course 2's training loop and the span-of-the-data training of layer 1.
    /// </summary>
    private const int MaxThreeLayerSource = 80 * 1024;

    [Fact]
    public void A_network_of_67_million_parameters_emits_a_bounded_amount_of_code_and_compiles_quickly()
    {
        var clock = Stopwatch.StartNew();
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(12288, 4096, 4096, 1)]
            public partial class Wide;
            """);
        using var assembly = new System.IO.MemoryStream();
        var emitted = output.Emit(assembly, cancellationToken: TestContext.Current.CancellationToken);
        clock.Stop();

        result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0013"]); // the memory warning, nothing else
        emitted.Success.ShouldBeTrue(string.Join("\n", emitted.Diagnostics));
        int length = result.GeneratedSources.Single().SourceText.Length;
        TestContext.Current.SendDiagnosticMessage($"(12288, 4096, 4096, 1): {length} characters of source, generated and compiled to IL in {clock.ElapsedMilliseconds} ms");
        length.ShouldBeLessThan(MaxThreeLayerSource);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "generating and compiling a network must take seconds, not minutes");
    }

    /// <summary>The most UTF-8 the baked cat's generated file may take: README reports 6.1 MB; 8 MB leaves a margin.</summary>
    private const int MaxBakedCatBytes = 8 * 1000 * 1000;

    /// <summary>
    /// The baked cat network, [Network(12288, 20, 7, 5, 1, Weights = "cat.npz")], with a .npz of its 246,071 float64
    /// parameters (values made up: the size of the source depends on the shape, and little on the values): the
    /// generated file stays under 8 MB and the generator's own run under a generous 20 s (README's figures, measured
    /// in a build: 6.1 MB, and 0.8 s of the compile's 6.4 s).
    /// </summary>
    [Fact]
    public void The_baked_cat_network_generates_a_bounded_source_in_a_bounded_time()
    {
        int[] sizes = [12288, 20, 7, 5, 1];
        Microsoft.CodeAnalysis.CSharp.CSharpCompilation input = GeneratorHarness.Compile("""
            using DnnGen;
            [Network(12288, 20, 7, 5, 1, Weights = "cat.npz")]
            public partial class TrainedCat;
            """);
        GeneratorDriver driver = ModelFileHarness.CreateDriver([new ModelFileHarness.Listed("cat.npz", NpzWriter.Network(sizes))]).RunGenerators(input, TestContext.Current.CancellationToken);

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        result.Diagnostics.ShouldBeEmpty();
        string source = result.GeneratedSources.Single().SourceText.ToString();
        int bytes = System.Text.Encoding.UTF8.GetByteCount(source);
        TimeSpan elapsed = driver.GetTimingInfo().ElapsedTime;
        TestContext.Current.SendDiagnosticMessage($"baked cat: {bytes:N0} bytes of generated source ({source.Count(c => c == '\n'):N0} lines), generator {elapsed.TotalMilliseconds:N0} ms");
        bytes.ShouldBeLessThan(MaxBakedCatBytes);
        bytes.ShouldBeGreaterThan(246_071 * 8, "the weights' bits are in the source");
        elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "the generator's run for the baked cat must take about a second, not tens");
    }

    [Fact]
    public void Width_changes_only_the_digits_of_the_source()
    {
        // Every layer of both goes through the kernels (more than 64 weights), and both have the 512 inputs from which Train
        // can run in the span of the data, so the code is the same but for the sizes.
        int narrow = SourceLength("640, 100, 100, 1");
        int wide = SourceLength("12288, 4096, 4096, 1");

        wide.ShouldBeInRange(narrow, narrow * 105 / 100);
    }

    [Fact]
    public void Each_layer_adds_the_same_amount_of_source_whatever_its_width()
    {
        int[] narrow = [SourceLength("100, 100, 1"), SourceLength("100, 100, 100, 1"), SourceLength("100, 100, 100, 100, 1")];
        int[] wide = [SourceLength("4096, 4096, 1"), SourceLength("4096, 4096, 4096, 1"), SourceLength("4096, 4096, 4096, 4096, 1")];

        int perNarrowLayer = narrow[2] - narrow[1];
        int perWideLayer = wide[2] - wide[1];
        (narrow[1] - narrow[0]).ShouldBeInRange(perNarrowLayer * 95 / 100, perNarrowLayer * 105 / 100);
        perWideLayer.ShouldBeInRange(perNarrowLayer, perNarrowLayer * 110 / 100);
        perWideLayer.ShouldBeLessThan(16 * 1024);
    }

    private static int SourceLength(string sizes)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run($"using DnnGen;\n[Network({sizes})]\npublic partial class Net;\n");
        return result.GeneratedSources.Single().SourceText.Length;
    }
}
