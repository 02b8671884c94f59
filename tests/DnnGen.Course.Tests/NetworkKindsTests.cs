using System;
using System.Collections.Generic;
using System.Linq;

namespace DnnGen.Course.Tests;

/// <summary>Softmax over 3 classes, all straight-line (fused Predict).</summary>
[Network(4, 5, 3, OutputActivation = Activation.Softmax)]
public partial class KindsSoftmax;

/// <summary>Ten classes behind a kernel layer (layer-by-layer Predict).</summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He)]
public partial class KindsDigits;

/// <summary>A regression with two outputs.</summary>
[Network(3, 4, 2, OutputActivation = Activation.Linear)]
public partial class KindsRegression;

/// <summary>A sigmoid output trained on squared error: a regression of values in (0, 1).</summary>
[Network(3, 4, 1, Loss = Loss.SquaredError)]
public partial class KindsSigmoidRegression;

/// <summary>The course's kind: a binary classifier.</summary>
[Network(3, 4, 1)]
public partial class KindsBinary;

/// <summary>
/// What each kind of network offers beyond <see cref="INetwork{T}"/>: a softmax classifier's class indices (the same bits
/// as their one-hot rows), PredictClasses and its Accuracy; a binary classifier's labels; a regression nothing more.
/// </summary>
public class NetworkKindsTests
{
    private const int M = 23;

    [Fact]
    public void Each_kind_implements_the_interface_of_its_loss_and_only_its_members()
    {
        Assert.IsAssignableFrom<IMultiClassClassifier<double>>(new KindsSoftmax());
        Assert.False(new KindsSoftmax() is IBinaryClassifier<double>);
        Assert.IsAssignableFrom<IBinaryClassifier<double>>(new KindsBinary());
        Assert.False(new KindsBinary() is IMultiClassClassifier<double>);
        foreach (INetwork<double> regression in new INetwork<double>[] { new KindsRegression(), new KindsSigmoidRegression() })
        {
            Assert.False(regression is IBinaryClassifier<double>);
            Assert.False(regression is IMultiClassClassifier<double>);
            string[] methods = regression.GetType().GetMethods().Select(m => m.Name).ToArray();
            Assert.DoesNotContain("Accuracy", methods);
            Assert.DoesNotContain("PredictLabels", methods);
            Assert.DoesNotContain("PredictClasses", methods);
        }

        Assert.DoesNotContain("PredictClasses", typeof(KindsBinary).GetMethods().Select(m => m.Name));
        Assert.DoesNotContain("PredictLabels", typeof(KindsSoftmax).GetMethods().Select(m => m.Name));
    }

    [Fact]
    public void Class_indices_give_the_bits_of_their_one_hot_rows() => AssertClassIndicesMatchOneHot(new KindsSoftmax(), new KindsSoftmax());

    [Fact]
    public void Class_indices_give_the_bits_of_their_one_hot_rows_through_the_kernels() => AssertClassIndicesMatchOneHot(new KindsDigits(), new KindsDigits());

    private static void AssertClassIndicesMatchOneHot(IMultiClassClassifier<double> byClass, IMultiClassClassifier<double> byOneHot)
    {
        (double[] x, int[] classes, double[] oneHot) = Data(byClass, seed: 5);
        Data(byOneHot, seed: 5);
        Assert.Equal(byClass.Parameters.ToArray(), byOneHot.Parameters.ToArray());

        byClass.Forward(x);
        byOneHot.Forward(x);
        Assert.Equal(Bits(byOneHot.ComputeCost(oneHot)), Bits(byClass.ComputeCost(classes)));
        byClass.Backward(x, classes);
        byOneHot.Backward(x, oneHot);
        Assert.Equal(Bits(byOneHot.Gradients.ToArray()), Bits(byClass.Gradients.ToArray()));

        Assert.Equal(Bits(byOneHot.TrainStep(x, oneHot, 0.3)), Bits(byClass.TrainStep(x, classes, 0.3)));
        Assert.Equal(Bits(byOneHot.Parameters.ToArray()), Bits(byClass.Parameters.ToArray()));

        var reported = new List<TrainingRecord>();
        IReadOnlyList<TrainingRecord> history = byClass.Train(x, classes, 150, 0.3, record => reported.Add(record), TestContext.Current.CancellationToken);
        IReadOnlyList<TrainingRecord> expected = byOneHot.Train(x, oneHot, 150, 0.3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(expected.Select(r => (r.Iteration, Bits(r.Cost))), history.Select(r => (r.Iteration, Bits(r.Cost))));
        Assert.Equal(150, reported.Count);
        Assert.Equal(Bits(byOneHot.Parameters.ToArray()), Bits(byClass.Parameters.ToArray()));
        Assert.True(history[^1].Cost < history[0].Cost, $"cost {history[^1].Cost} after training, {history[0].Cost} before");
    }

    [Fact]
    public void PredictClasses_is_the_arg_max_of_Predict_and_Accuracy_counts_it()
    {
        foreach (IMultiClassClassifier<double> network in new IMultiClassClassifier<double>[] { new KindsSoftmax(), new KindsDigits() })
        {
            int n0 = network.LayerSizes[0];
            int classes = network.LayerSizes[^1];
            (double[] x, int[] truth, double[] oneHot) = Data(network, seed: 9);
            network.Train(x, truth, 40, 0.2, cancellationToken: TestContext.Current.CancellationToken);

            double[] probabilities = new double[M * classes];
            network.Predict(x, probabilities);
            int[] predicted = new int[M];
            network.PredictClasses(x, predicted);
            for (int i = 0; i < M; i++)
            {
                double[] row = probabilities.AsSpan(i * classes, classes).ToArray();
                Assert.Equal(Array.IndexOf(row, row.Max()), predicted[i]);
                Assert.Equal(1.0, row.Sum(), 1e-12);
            }

            int single = network switch
            {
                KindsSoftmax softmax => softmax.PredictClass(x.AsSpan(5 * n0, n0)),
                KindsDigits digits => digits.PredictClass(x.AsSpan(5 * n0, n0)),
                _ => throw new InvalidOperationException(),
            };
            Assert.Equal(predicted[5], single);

            double fraction = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)M;
            Assert.Equal(fraction, network.Accuracy(x, truth));
            Assert.Equal(fraction, network.Accuracy(x, oneHot));
            Assert.True(fraction > 0, "no example right");
        }
    }

    [Fact]
    public void Class_indices_out_of_range_or_of_the_wrong_count_are_refused_before_anything_changes()
    {
        var network = new KindsSoftmax();
        (double[] x, int[] classes, double[] oneHot) = Data(network, seed: 2);
        double[] before = network.Parameters.ToArray();

        int[] outOfRange = (int[])classes.Clone();
        outOfRange[4] = 3;
        var error = Assert.Throws<ArgumentException>(() => network.Train(x, outOfRange, 10, 0.1, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("classes", error.ParamName);
        Assert.Contains("classes[4] (example 4) is 3", error.Message);
        Assert.Contains("from 0 to 2", error.Message);
        Assert.Contains("is -1", Assert.Throws<ArgumentException>(() => network.TrainStep(x, new[] { 0, -1 }.Concat(classes.Skip(2)).ToArray(), 0.1)).Message);

        var wrongCount = Assert.Throws<ArgumentException>(() => network.TrainStep(x, classes.Take(M - 1).ToArray(), 0.1));
        Assert.Equal("classes", wrongCount.ParamName);
        Assert.Contains(M.ToString(System.Globalization.CultureInfo.InvariantCulture), wrongCount.Message);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => network.Accuracy(x, classes.Take(3).ToArray())).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => network.PredictClasses(x, new int[M + 1])).ParamName);

        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Contains("Forward(x) first", Assert.Throws<InvalidOperationException>(() => network.ComputeCost(classes)).Message);

        network.Forward(x);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => network.ComputeCost(outOfRange)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => network.Backward(x, outOfRange)).ParamName);
    }

    [Fact]
    public void One_hot_labels_that_are_not_one_hot_name_the_example()
    {
        var network = new KindsSoftmax();
        (double[] x, _, double[] oneHot) = Data(network, seed: 4);

        double[] two = (double[])oneHot.Clone();
        two[(6 * 3) + 0] = 1;
        two[(6 * 3) + 1] = 1;
        two[(6 * 3) + 2] = 0;
        var error = Assert.Throws<ArgumentException>(() => network.TrainStep(x, two, 0.1));
        Assert.Equal("y", error.ParamName);
        Assert.Contains("example 6 holds 2 ones", error.Message);

        double[] half = (double[])oneHot.Clone();
        half[3 * 3] = 0.5;
        Assert.Contains("example 3 holds 0.5", Assert.Throws<ArgumentException>(() => network.Accuracy(x, half)).Message);
    }

    [Fact]
    public void A_regression_takes_any_finite_target_and_refuses_NaN()
    {
        var network = new KindsRegression();
        var random = new NumPyRandom(8);
        double[] x = new double[M * 3];
        random.FillStandardNormal(x);
        double[] y = new double[M * 2];
        for (int i = 0; i < M; i++)
        {
            // Targets far outside (0, 1): a linear output has no range.
            y[2 * i] = 40 * x[3 * i] - 7;
            y[(2 * i) + 1] = -3 * x[(3 * i) + 1] * x[(3 * i) + 2];
        }

        IReadOnlyList<TrainingRecord> history = network.Train(x, y, 400, 0.01, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(history[^1].Cost < history[0].Cost / 2, $"cost {history[^1].Cost} after training, {history[0].Cost} before");

        // The cost is the squared error of what Predict predicts.
        double[] predicted = new double[M * 2];
        network.Predict(x, predicted);
        network.Forward(x);
        double expected = predicted.Zip(y).Sum(p => (p.First - p.Second) * (p.First - p.Second)) / (2.0 * M);
        Assert.Equal(expected, network.ComputeCost(y), 1e-12 * expected);

        y[7] = double.NaN;
        var error = Assert.Throws<ArgumentException>(() => network.TrainStep(x, y, 0.01));
        Assert.Equal("y", error.ParamName);
        Assert.Contains("NaN", error.Message);
    }

    /// <summary>M random examples for <paramref name="network"/>, their random classes, and the classes' one-hot rows.</summary>
    private static (double[] X, int[] Classes, double[] OneHot) Data(INetwork<double> network, uint seed)
    {
        int n0 = network.LayerSizes[0];
        int classes = network.LayerSizes[^1];
        var random = new NumPyRandom(seed);
        network.InitializeParameters(random, Initialization.He);
        double[] x = new double[M * n0];
        random.FillStandardNormal(x);
        int[] truth = new int[M];
        double[] oneHot = new double[M * classes];
        for (int i = 0; i < M; i++)
        {
            truth[i] = (int)(random.NextDouble() * classes);
            oneHot[(i * classes) + truth[i]] = 1;
        }

        return (x, truth, oneHot);
    }

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
