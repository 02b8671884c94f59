using System.IO;
using DnnGen.Tests.Shared;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// DnnGen's own ONNX export imported back: a leaky relu network made by [Network], its parameters set from a fixed
/// seed, saved with SaveOnnx, and compiled with [NetworkFromOnnx] predicts what the original predicts, bit for bit. In
/// float64 SaveOnnx writes each leaky relu as Mul by a double slope and Max (ONNX Runtime runs LeakyRelu in float32
/// only), in float32 as a LeakyRelu node. The exports are kept as test data (OnnxModels/dnngen_leaky_*.onnx), and the
/// test checks they are still what SaveOnnx writes: DNNGEN_WRITE_ONNX_MODELS=1 writes them anew after a change to the export.
/// </summary>
public class OnnxRoundTripTests
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Generator.Tests", "OnnxModels");

    [Theory]
    [InlineData("Double", "dnngen_leaky_f64", "Max")]
    [InlineData("Single", "dnngen_leaky_f32", "LeakyRelu")]
    public void A_DnnGen_leaky_relu_network_exported_to_ONNX_and_imported_predicts_the_same_bits(string precision, string model, string leakyOp)
    {
        // 0.1 has no float32 form: the float64 export must carry the double slope itself, not the LeakyRelu's float alpha.
        string source = $$"""
            using DnnGen;

            namespace Demo;

            [Network(4, 6, 5, 3, Activations = new[] { Activation.LeakyRelu, Activation.LeakyRelu, Activation.Linear },
                LeakyReluSlope = 0.1, Loss = Loss.SquaredError, Precision = Precision.{{precision}})]
            public partial class Original;
            """;
        (GeneratorRunResult generated, Compilation compiled) = GeneratorHarness.Run(source);
        generated.Diagnostics.ShouldBeEmpty();
        object original = OnnxImportTests.Instantiate(compiled, "Demo.Original");
        double[] x = Normal(seed: 7, 64 * 4, scale: 2);

        byte[] exported = precision == "Double" ? Export((INetwork<double>)original) : Export((INetwork<float>)original);
        string path = Path.Combine(Folder, model + ".onnx");
        if (Environment.GetEnvironmentVariable("DNNGEN_WRITE_ONNX_MODELS") == "1")
        {
            File.WriteAllBytes(path, exported);
        }

        byte[] stored = File.ReadAllBytes(path);
        stored.ShouldBe(exported, $"{model}.onnx is not what SaveOnnx writes now; run this test with DNNGEN_WRITE_ONNX_MODELS=1 to write it anew");

        string importer = """
            using DnnGen;

            namespace Demo;

            [NetworkFromOnnx("dnngen_leaky.onnx")]
            public partial class Imported;
            """;
        (GeneratorRunResult result, Compilation output) = ModelFileHarness.Run(importer, new ModelFileHarness.Listed("dnngen_leaky.onnx", stored));
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
        object imported = OnnxImportTests.Instantiate(output, "Demo.Imported");

        if (precision == "Double")
        {
            Compare((INetwork<double>)original, (IPredictor<double>)imported, x, leakyOp);
        }
        else
        {
            Compare((INetwork<float>)original, (IPredictor<float>)imported, x.Select(v => (float)v).ToArray(), leakyOp);
        }
    }

    private static void Compare<T>(INetwork<T> original, IPredictor<T> imported, T[] x, string leakyOp)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        imported.LayerSizes.ToArray().ShouldBe([4, 6, 5, 3]);
        imported.Activations.ToArray().ShouldBe([global::DnnGen.Activation.LeakyRelu, global::DnnGen.Activation.LeakyRelu, global::DnnGen.Activation.Linear]);
        imported.Loss.ShouldBe(global::DnnGen.Loss.SquaredError);
        imported.LeakyReluSlope.ShouldBe(0.1, $"the slope, read from the {leakyOp} nodes");
        imported.Parameters.ToArray().ShouldBe(original.Parameters.ToArray());

        var expected = new T[x.Length / 4 * 3];
        var actual = new T[expected.Length];
        original.Predict(x, expected);
        imported.Predict(x, actual);

        // Bit for bit, negative zeros and all; and the inputs reach both signs of z, so the slope is used.
        actual.Select(Bits).ShouldBe(expected.Select(Bits));
        expected.Any(v => v < T.Zero).ShouldBeTrue();
        TestContext.Current.SendDiagnosticMessage($"{typeof(T).Name}: {expected.Length} outputs equal bit for bit");
    }

    private static string Bits<T>(T value)
        where T : unmanaged
        => value is double d ? BitConverter.DoubleToInt64Bits(d).ToString("X16") : BitConverter.SingleToInt32Bits((float)(object)value).ToString("X8");

    private static byte[] Export<T>(INetwork<T> network)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // Weights and biases from a fixed seed (the initializer would leave the biases 0), half of each sign.
        double[] values = Normal(seed: 13, network.Parameters.Length, scale: 0.8);
        for (int i = 0; i < values.Length; i++)
        {
            network.Parameters[i] = T.CreateChecked(values[i]);
        }

        using var stream = new MemoryStream();
        network.SaveOnnx(stream);
        return stream.ToArray();
    }

    private static double[] Normal(uint seed, int count, double scale)
    {
        var values = new double[count];
        new NumPyRandom(seed).FillStandardNormal(values);
        return values.Select(v => v * scale).ToArray();
    }
}
