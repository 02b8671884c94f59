using Microsoft.CodeAnalysis;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Each layer's banner comment says which kernel the layer uses and, for DnnGen.Kernels.Dense, from how many examples
/// it runs on all cores. That count comes from the runtime's threshold, which the generator cannot reference.
/// </summary>
public class KernelCommentTests
{
    [Fact]
    public void The_generator_quotes_the_runtime_threshold_for_sharing_work_between_cores()
        => NetworkShape.ParallelWorkThreshold.ShouldBe(DnnGen.Kernels.Dense.ParallelWorkThreshold);

    [Theory]
    [InlineData(1, "12288 -> 20; DnnGen.Kernels.Dense (245760 weights: too many to unroll, so register-blocked vector kernels; Z1 and dW1 on all cores even for one example)")]
    [InlineData(2, "20 -> 7; DnnGen.Kernels.Dense (140 weights: too many to unroll, so register-blocked vector kernels; Z2, dW2 and dA1 on all cores from 469 examples on)")]
    [InlineData(3, "7 -> 5; straight-line code (35 weights, at most 64, held in locals)")]
    public void A_layer_banner_names_its_kernel_and_when_it_uses_every_core(int layer, string banner)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("""
            using DnnGen;

            [Network(12288, 20, 7, 5, 1)]
            public partial class Cat;
            """);

        string source = result.GeneratedSources.ShouldHaveSingleItem().SourceText.ToString();
        source.ShouldContain($"// ---- Layer {layer}: ");
        source.ShouldContain(banner);
    }
}
