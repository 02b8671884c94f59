using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using CatClassifier;
using DnnGen.Tests.Shared;

namespace DnnGen.Course.Tests;

// Trained here by DnnGen (BakedFiles.Train), saved with SaveNpz into Baked/, and compiled back in with Weights: the
// project lists Baked/*.npz and Reference/cat.npz as AdditionalFiles and imports src/DnnGen/build/DnnGen.targets, as
// the package does for its users. Each baked class has a trainable twin of the same layers, which LoadNpz fills from
// the same file.

/// <summary>The week-3 planar network (tanh hidden layer): every layer straight-line, so a fused Predict with literals.</summary>
[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal)]
public partial class PlanarToBake;

[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Weights = "Baked/planar.npz")]
public partial class BakedPlanar;

[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal, Precision = Precision.Single)]
public partial class PlanarToBakeSingle;

[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Precision = Precision.Single, Weights = "Baked/planar_single.npz")]
public partial class BakedPlanarSingle;

/// <summary>A softmax classifier of 64 inputs: layer 1 (2048 weights) runs the vector kernels, so a layer-by-layer Predict.</summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax)]
public partial class DigitsToBake;

[Network(64, 32, 10, OutputActivation = Activation.Softmax, Weights = "Baked/digits.npz")]
public partial class BakedDigits;

[Network(64, 32, 10, OutputActivation = Activation.Softmax, Precision = Precision.Single)]
public partial class DigitsToBakeSingle;

[Network(64, 32, 10, OutputActivation = Activation.Softmax, Precision = Precision.Single, Weights = "Baked/digits_single.npz")]
public partial class BakedDigitsSingle;

/// <summary>
/// The course's cat network with the weights the course's own notebook trains (Reference/cat_weights.py, NumPy): layers 1
/// and 2 run the kernels, layers 3 and 4 straight-line code with their weights as literals.
/// </summary>
[Network(12288, 20, 7, 5, 1, Weights = "Reference/cat.npz")]
public partial class TrainedCat;

/// <summary>
/// Baked weights end to end: a network trained by DnnGen or NumPy, saved as .npz, compiled back into a class. Its
/// parameters are the file's, bit for bit, and its Predict is the trainable network's with the same parameters, bit
/// for bit, in double and in float, for a fused and for a layer-by-layer Predict.
/// </summary>
public class BakedWeightsTests
{
    [Fact]
    public void A_baked_planar_network_predicts_as_the_trained_one_bit_for_bit()
    {
        var trained = new PlanarToBake();
        trained.LoadNpz(BakedFiles.Path("planar.npz"));
        var baked = new BakedPlanar();
        (double[] x, double[] y) = Planar.FlowerDataset.Generate();

        AssertSameNetwork<double>(trained, baked, [.. x, .. Inputs<double>(2, 300, seed: 5)]);
        Assert.Equal(trained.Accuracy(x, y), baked.Accuracy(x, y));
        Assert.True(baked.Accuracy(x, y) > 0.85, $"the trained planar network is {baked.Accuracy(x, y)} accurate");
        Assert.Equal(BitConverter.DoubleToInt64Bits(trained.Predict(x.AsSpan(0, 2))), BitConverter.DoubleToInt64Bits(baked.Predict(x.AsSpan(0, 2))));
        var labels = new double[400];
        var trainedLabels = new double[400];
        baked.PredictLabels(x, labels);
        trained.PredictLabels(x, trainedLabels);
        Assert.Equal(trainedLabels, labels);
    }

    [Fact]
    public void A_baked_float_planar_network_predicts_as_the_trained_one_bit_for_bit()
    {
        var trained = new PlanarToBakeSingle();
        trained.LoadNpz(BakedFiles.Path("planar_single.npz"));
        var baked = new BakedPlanarSingle();
        float[] x = Planar.FlowerDataset.Generate().X.Select(v => (float)v).ToArray();

        AssertSameNetwork<float>(trained, baked, [.. x, .. Inputs<float>(2, 300, seed: 6)]);
        Assert.Equal(BitConverter.SingleToInt32Bits(trained.Predict(x.AsSpan(2, 2))), BitConverter.SingleToInt32Bits(baked.Predict(x.AsSpan(2, 2))));
    }

    [Fact]
    public void A_baked_softmax_network_with_kernel_layers_predicts_as_the_trained_one_bit_for_bit()
    {
        var trained = new DigitsToBake();
        trained.LoadNpz(BakedFiles.Path("digits.npz"));
        var baked = new BakedDigits();
        (double[] x, int[] classes) = BakedFiles.DigitsData();

        // 300 examples: more than one chunk of 64, and enough work for the kernels to use both cores.
        AssertSameNetwork<double>(trained, baked, [.. x, .. Inputs<double>(64, 300, seed: 7)]);
        Assert.Equal(trained.Accuracy(x, classes), baked.Accuracy(x, classes));
        Assert.True(baked.Accuracy(x, classes) > 0.9, $"the trained softmax network is {baked.Accuracy(x, classes)} accurate");
        var predicted = new int[classes.Length];
        var trainedPredicted = new int[classes.Length];
        baked.PredictClasses(x, predicted);
        trained.PredictClasses(x, trainedPredicted);
        Assert.Equal(trainedPredicted, predicted);
        Assert.Equal(trained.PredictClass(x.AsSpan(0, 64)), baked.PredictClass(x.AsSpan(0, 64)));
        Assert.Equal(trained.Predict(x.AsSpan(64, 64)), baked.Predict(x.AsSpan(64, 64)));
    }

    [Fact]
    public void A_baked_float_softmax_network_predicts_as_the_trained_one_bit_for_bit()
    {
        var trained = new DigitsToBakeSingle();
        trained.LoadNpz(BakedFiles.Path("digits_single.npz"));
        var baked = new BakedDigitsSingle();
        float[] x = BakedFiles.DigitsData().X.Select(v => (float)v).ToArray();

        AssertSameNetwork<float>(trained, baked, [.. x, .. Inputs<float>(64, 300, seed: 8)]);
    }

    /// <summary>
    /// The files in Baked/ are what BakedFiles.Train makes on this machine: the same recipe, within round-off (vector
    /// kernels of another width sum in another order, and the files were written on a machine with AVX-512). On a
    /// difference the test writes NAME.received.npz beside the file: if the change is intended, replace the file with it.
    /// </summary>
    [Fact]
    public void The_baked_files_are_what_DnnGen_training_makes()
    {
        var differences = new List<string>();
        foreach ((string file, INetworkFile network, double tolerance) in BakedFiles.Train(TestContext.Current.CancellationToken))
        {
            string path = BakedFiles.Path(file);
            double difference = network.RelativeDifferenceFrom(path);
            if (!(difference <= tolerance))
            {
                string received = Path.ChangeExtension(path, ".received.npz");
                network.Save(received);
                differences.Add($"{file}: the parameters trained now differ by {difference:G3} (max-norm, relative), more than {tolerance:G3}; they are in {received}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void The_course_s_cat_weights_from_NumPy_baked_in_reproduce_the_course_s_accuracies()
    {
        string directory = CourseData.FindOrSkip();
        CatDataset data = CatDataset.Load(directory);
        var cat = new TrainedCat();

        // expected-outputs.md: train accuracy 0.985645933014 (206 of 209), test accuracy 0.8 (40 of 50).
        Assert.Equal(206.0 / 209, cat.Accuracy(data.Train.ScaledPixels(), data.Train.LabelsAsDouble()));
        Assert.Equal(40.0 / 50, cat.Accuracy(data.Test.ScaledPixels(), data.Test.LabelsAsDouble()));

        // The same parameters in the trainable cat network give the same bits: Predict runs the same code over them.
        var trainable = new CourseCatNetwork();
        trainable.LoadNpz(Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Reference", "cat.npz"));
        AssertSameNetwork<double>(trainable, cat, data.Test.ScaledPixels());
    }

    [Fact]
    public void A_baked_network_has_the_inference_members_only_and_no_state()
    {
        Type baked = typeof(BakedDigits);
        Assert.Contains(typeof(IPredictor<double>), baked.GetInterfaces());
        Assert.DoesNotContain(baked.GetInterfaces(), type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(INetwork<>));
        string[] members = baked.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(member => member.Name).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                ".ctor", "Accuracy", "Activations", "InputSize", "Layer1Forward", "Layer1LinearForward", "Layer1Size", "Layer2Forward", "Layer2LinearForward", "Layer2Size",
                "LayerCount", "LayerSizes", "LeakyReluSlope", "Loss", "OutputSize", "ParameterCount", "Parameters", "Predict", "PredictClass", "PredictClasses",
                "W1", "W2", "b1", "b2", "get_Activations", "get_LayerSizes", "get_LeakyReluSlope", "get_Loss", "get_Parameters", "get_W1", "get_W2", "get_b1", "get_b2",
            ],
            members);
        Assert.Empty(baked.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic));

        IPredictor<double> predictor = new BakedDigits();
        Assert.Equal([64, 32, 10], predictor.LayerSizes.ToArray());
        Assert.Equal([Activation.Relu, Activation.Softmax], predictor.Activations.ToArray());
        Assert.Equal(Loss.CategoricalCrossEntropy, predictor.Loss);
        Assert.Equal(BakedDigits.ParameterCount, predictor.Parameters.Length);
        var digits = new BakedDigits();
        Assert.True(digits.W1.SequenceEqual(digits.Parameters.Slice(0, 64 * 32)));
        Assert.True(digits.b2.SequenceEqual(digits.Parameters.Slice(BakedDigits.ParameterCount - 10)));
    }

    [Fact]
    public void A_baked_network_checks_its_arguments_as_the_trainable_one_does()
    {
        var baked = new BakedPlanar();
        var error = Assert.Throws<ArgumentException>(() => baked.Predict(new double[3], new double[1]));
        Assert.Equal("x", error.ParamName);
        var trained = new PlanarToBake();
        Assert.Equal(Assert.Throws<ArgumentException>(() => trained.Predict(new double[3], new double[1])).Message, error.Message);

        // A NaN in x is reported as the trainable network reports it, with the example named.
        double[] x = [0.5, double.NaN];
        Assert.Equal(
            Assert.Throws<ArgumentException>(() => trained.Predict(x, new double[1])).Message,
            Assert.Throws<ArgumentException>(() => baked.Predict(x, new double[1])).Message);
    }

    /// <summary>The parameters are the same bits, and so are the outputs of Predict on <paramref name="x"/>.</summary>
    private static void AssertSameNetwork<T>(INetwork<T> trained, IPredictor<T> baked, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(trained.LayerSizes.ToArray(), baked.LayerSizes.ToArray());
        Assert.Equal(trained.Activations.ToArray(), baked.Activations.ToArray());
        Assert.Equal(trained.Loss, baked.Loss);
        Assert.True(
            MemoryMarshal.AsBytes<T>(trained.Parameters).SequenceEqual(MemoryMarshal.AsBytes(baked.Parameters)),
            "the baked parameters are not the file's, bit for bit");

        int outputs = trained.LayerSizes[^1];
        int m = x.Length / trained.LayerSizes[0];
        var expected = new T[m * outputs];
        var actual = new T[m * outputs];
        trained.Predict(x, expected);
        baked.Predict(x, actual);
        Assert.True(MemoryMarshal.AsBytes<T>(expected).SequenceEqual(MemoryMarshal.AsBytes<T>(actual)), "Predict differs from the trained network's");
    }

    /// <summary>m examples of n values in (-3, 3), from NumPy's generator.</summary>
    private static T[] Inputs<T>(int n, int m, uint seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new double[n * m];
        new NumPyRandom(seed).Rand(values);
        return values.Select(v => T.CreateChecked(6 * v - 3)).ToArray();
    }
}

/// <summary>A trained network, as the provenance test needs it.</summary>
internal interface INetworkFile
{
    /// <summary>max |p - q| / max |q| over the parameters p and the file's q.</summary>
    double RelativeDifferenceFrom(string path);

    void Save(string path);
}

/// <summary>How the files in Baked/ are made: each network's recipe, trained by DnnGen, saved with SaveNpz.</summary>
internal static class BakedFiles
{
    public static string Path(string file) => System.IO.Path.Combine(RepositoryPaths.Root, "tests", "DnnGen.Course.Tests", "Baked", file);

    /// <summary>
    /// 200 examples of 64 values in [0, 1) and their classes: the arg-max of a fixed random linear map of them, which a
    /// softmax network learns.
    /// </summary>
    public static (double[] X, int[] Classes) DigitsData()
    {
        const int m = 200;
        var random = new NumPyRandom(11);
        var x = new double[m * 64];
        random.Rand(x);
        var map = new double[10 * 64];
        random.FillStandardNormal(map);
        var classes = new int[m];
        for (int i = 0; i < m; i++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < 10; c++)
            {
                double score = 0;
                for (int k = 0; k < 64; k++)
                {
                    score += map[c * 64 + k] * (x[i * 64 + k] - 0.5);
                }

                if (score > best)
                {
                    best = score;
                    classes[i] = c;
                }
            }
        }

        return (x, classes);
    }

    /// <summary>
    /// The round-off allowed in a float32 file: 1e-3 at the width the files were written with (512-bit vectors). At
    /// another width the kernels sum in another order, and 300 full-batch steps of the digits network at rate 0.5 in
    /// float32 carry that round-off to a 9.7% (max-norm, relative) difference in its parameters on a Zen 3 with AVX2,
    /// where the float64 files agree within 1e-9. 0.15 still tells a changed recipe (another seed, rate or step count
    /// gives differences of order 1) from the width's round-off.
    /// </summary>
    private static double SingleTolerance => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 1e-3 : 0.15;

    /// <summary>The four networks trained by their recipes, with the file each is saved as and the round-off allowed.</summary>
    public static IEnumerable<(string File, INetworkFile Network, double Tolerance)> Train(CancellationToken cancellationToken)
    {
        (double[] flowerX, double[] flowerY) = Planar.FlowerDataset.Generate();
        var planar = new PlanarToBake();
        planar.InitializeParameters(seed: 2);
        planar.Train(flowerX, flowerY, iterations: 1000, learningRate: 1.2, cancellationToken: cancellationToken);
        yield return ("planar.npz", new File<double>(planar), 1e-9);

        var planarSingle = new PlanarToBakeSingle();
        planarSingle.InitializeParameters(seed: 2);
        planarSingle.Train(flowerX.Select(v => (float)v).ToArray(), flowerY.Select(v => (float)v).ToArray(), iterations: 1000, learningRate: 1.2, cancellationToken: cancellationToken);
        yield return ("planar_single.npz", new File<float>(planarSingle), SingleTolerance);

        (double[] digitsX, int[] classes) = DigitsData();
        var digits = new DigitsToBake();
        digits.InitializeParameters(seed: 3);
        digits.Train(digitsX, classes, iterations: 300, learningRate: 0.5, cancellationToken: cancellationToken);
        yield return ("digits.npz", new File<double>(digits), 1e-9);

        var digitsSingle = new DigitsToBakeSingle();
        digitsSingle.InitializeParameters(seed: 3);
        digitsSingle.Train(digitsX.Select(v => (float)v).ToArray(), classes, iterations: 300, learningRate: 0.5, cancellationToken: cancellationToken);
        yield return ("digits_single.npz", new File<float>(digitsSingle), SingleTolerance);
    }

    private sealed class File<T>(INetwork<T> network) : INetworkFile
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public double RelativeDifferenceFrom(string path)
        {
            // A twin of the same network, loaded from the file (every generated network of these sizes and options is one).
            var saved = (INetwork<T>)Activator.CreateInstance(network.GetType())!;
            saved.LoadNpz(path);
            double largest = 0;
            double difference = 0;
            for (int i = 0; i < network.Parameters.Length; i++)
            {
                largest = Math.Max(largest, Math.Abs(double.CreateChecked(saved.Parameters[i])));
                difference = Math.Max(difference, Math.Abs(double.CreateChecked(network.Parameters[i] - saved.Parameters[i])));
            }

            return difference / largest;
        }

        public void Save(string path) => network.SaveNpz(path);
    }
}
