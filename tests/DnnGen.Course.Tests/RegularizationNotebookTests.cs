using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using static DnnGen.Course.Tests.NotebookReference;

namespace DnnGen.Course.Tests;

/// <summary>
/// The Regularization notebook's model (2, 20, 3, 1): relu, relu, sigmoid, W = randn / sqrt(n[l-1]) (the attribute's
/// default initialisation), full-batch gradient descent.
/// </summary>
[Network(2, 20, 3, 1)]
public partial class FootballNetwork;

/// <summary>
/// Course 2, week 1, the Regularization notebook through the generated API: <c>model(train_X, train_Y)</c> (learning
/// rate 0.3, 30000 iterations of full-batch gradient descent) without regularisation, with L2 (lambd 0.7) and with
/// inverted dropout (keep_prob 0.86, the notebook's masks re-drawn from seed 1 at every forward pass), each then
/// predicting on the training and the test set; against Reference/regularization_course2.npz, written by the NumPy
/// transcription Reference/regularization_course2.py, and the numbers of ../shared/course/course2-reference.md.
/// </summary>
/// <remarks>
/// The three 30000-iteration runs take a few seconds each: they are made once, by <see cref="Runs"/>, and shared by the
/// tests. Tolerances as Reference/README.md sets them: costs within 1e-9 relative, the final parameters of the L2 and
/// dropout models within 1e-9 and of the baseline (whose round-off grows after iteration 19000) within 1e-7, the
/// predictions and accuracies exactly.
/// </remarks>
public class RegularizationNotebookTests(RegularizationNotebookTests.Runs runs) : IClassFixture<RegularizationNotebookTests.Runs>
{
    private const uint Seed = 3;
    private const int Iterations = 30000;
    private const int RecordEvery = 1000;
    private const int TrainExamples = 211;
    private const int TestExamples = 200;
    private const double KeepProbability = 0.86;

    /// <summary>The notebook's three calls of <c>model</c>, by the reference's prefix.</summary>
    private static TrainingOptions OptionsOf(string model) => model switch
    {
        "baseline" => new TrainingOptions { LearningRate = 0.3, Epochs = Iterations, RecordEvery = RecordEvery },
        "l2" => new TrainingOptions { LearningRate = 0.3, Epochs = Iterations, RecordEvery = RecordEvery, L2 = 0.7 },
        "dropout" => new TrainingOptions
        {
            LearningRate = 0.3,
            Epochs = Iterations,
            RecordEvery = RecordEvery,
            KeepProbability = KeepProbability,
            DropoutSeed = 1,
            RepeatDropoutMasks = true,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "baseline, l2 or dropout"),
    };

    /// <summary>Every epoch's record, as Train reports it to its progress, synchronously.</summary>
    private sealed class Recorder : IProgress<TrainingRecord>
    {
        public List<TrainingRecord> Records { get; } = new(Iterations);

        public void Report(TrainingRecord value) => Records.Add(value);
    }

    /// <summary>One trained model: the network after 30000 iterations, Train's history and every iteration's cost.</summary>
    public sealed record Model(FootballNetwork Network, IReadOnlyList<TrainingRecord> History, IReadOnlyList<TrainingRecord> Every);

    private static IReadOnlyDictionary<string, NumPyArray> Reference { get; } = Read("regularization_course2.npz");

    /// <summary>
    /// The class fixture: the runs, made when a test first asks for them (in the test, so that a missing data file
    /// skips the tests that need it).
    /// </summary>
    public sealed class Runs
    {
        private readonly Lazy<Trained> _trained = new(() => new Trained());

        public Trained Value => _trained.Value;
    }

    /// <summary>The football data and the three models, trained once (in parallel) for all the tests.</summary>
    public sealed class Trained
    {
        public Trained()
        {
            IReadOnlyDictionary<string, NumPyArray> data = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("course2_football.npz"));
            Assert.Equal([2, TrainExamples], data["train_X"].Shape);
            Assert.Equal([1, TrainExamples], data["train_Y"].Shape);
            Assert.Equal([2, TestExamples], data["test_X"].Shape);
            Assert.Equal([1, TestExamples], data["test_Y"].Shape);
            TrainX = data["train_X"].Transpose().ToDoubleArray();
            TrainY = data["train_Y"].ToDoubleArray();
            TestX = data["test_X"].Transpose().ToDoubleArray();
            TestY = data["test_Y"].ToDoubleArray();

            string[] names = ["baseline", "l2", "dropout"];
            Task<Model>[] training = names.Select(name => Task.Run(() => Train(name))).ToArray();
            Task.WaitAll(training);
            Models = names.Zip(training, (name, task) => (name, task.Result)).ToDictionary(pair => pair.name, pair => pair.Result);
        }

        /// <summary>The football data, example-major: train X (211, 2), Y (211, 1); test X (200, 2), Y (200, 1).</summary>
        public double[] TrainX { get; }

        public double[] TrainY { get; }

        public double[] TestX { get; }

        public double[] TestY { get; }

        public IReadOnlyDictionary<string, Model> Models { get; }

        private Model Train(string name)
        {
            var network = new FootballNetwork();
            network.InitializeParameters(Seed);
            var recorder = new Recorder();
            IReadOnlyList<TrainingRecord> history = network.Train(TrainX, TrainY, OptionsOf(name), recorder);
            return new Model(network, history, recorder.Records);
        }
    }

    private Trained Run => runs.Value;

    /// <summary>W1, b1, ..., b3 of the reference under <paramref name="prefix"/> and <paramref name="suffix"/>, in the layout of Parameters.</summary>
    private static double[] ReferenceParameters(string prefix, string suffix = "") =>
    [
        .. Reference[prefix + "W1" + suffix].ToDoubleArray(), .. Reference[prefix + "b1" + suffix].ToDoubleArray(),
        .. Reference[prefix + "W2" + suffix].ToDoubleArray(), .. Reference[prefix + "b2" + suffix].ToDoubleArray(),
        .. Reference[prefix + "W3" + suffix].ToDoubleArray(), .. Reference[prefix + "b3" + suffix].ToDoubleArray(),
    ];

    [Fact]
    public void The_football_data_is_the_notebooks()
    {
        AssertRelative(Reference.Scalar("train_x_sum"), Run.TrainX.Sum(), 1e-12, "sum of train_X");
        AssertRelative(Reference.Scalar("test_x_sum"), Run.TestX.Sum(), 1e-12, "sum of test_X");
        Assert.Equal(Reference.Scalar("train_y_sum"), Run.TrainY.Sum());
        Assert.Equal(Reference.Scalar("test_y_sum"), Run.TestY.Sum());
    }

    [Fact]
    public void Seed_3_draws_the_notebooks_initial_parameters_bit_for_bit()
    {
        var network = new FootballNetwork();

        // No initialisation given: the attribute's default, NormalOverSqrtFanIn, reg_utils' randn / sqrt(n[l-1]).
        network.InitializeParameters(Seed);

        double[] drawn = network.Parameters.ToArray();
        foreach (string model in new[] { "baseline", "l2", "dropout" })
        {
            Assert.Equal(ReferenceParameters(model + "_", "_initial"), drawn);
        }
    }

    [Theory]
    [InlineData("baseline")]
    [InlineData("l2")]
    [InlineData("dropout")]
    public void The_costs_list_is_the_notebooks(string model)
    {
        IReadOnlyList<TrainingRecord> history = Run.Models[model].History;

        // RecordEvery = 1000: iterations 0, 1000, ..., 29000 (the notebook's costs list), then the last, 29999.
        Assert.Equal([.. Enumerable.Range(0, Iterations / RecordEvery).Select(i => i * RecordEvery), Iterations - 1], history.Select(record => record.Iteration));
        Assert.Equal(Reference["cost_iterations"].ToDoubleArray(), history.Take(30).Select(record => (double)record.Iteration));
        double[] expected = Reference[model + "_costs"].ToDoubleArray();
        for (int i = 0; i < expected.Length; i++)
        {
            AssertRelative(expected[i], history[i].Cost, 1e-9, FormattableString.Invariant($"{model}: the cost at iteration {history[i].Iteration}"));
        }

        // The last record is the progress' last: iteration 29999's cost, before its update.
        Assert.Equal(Run.Models[model].Every[^1], history[^1]);
    }

    [Theory]
    [InlineData("baseline", 0.6557412523481002, 0.16329987525724213, 0.13851642423245572)]
    [InlineData("l2", 0.6974484493131264, 0.26849188732822393, 0.2680916337127301)]
    [InlineData("dropout", 0.6543912405149825, 0.0610169865749056, 0.060582435798513114)]
    public void The_printed_costs_are_course2_references(string model, double at0, double at10000, double at20000)
    {
        IReadOnlyList<TrainingRecord> history = Run.Models[model].History;

        AssertRelative(at0, history[0].Cost, 1e-9, model + ": the cost at iteration 0");
        AssertRelative(at10000, history[10].Cost, 1e-9, model + ": the cost at iteration 10000");
        AssertRelative(at20000, history[20].Cost, 1e-9, model + ": the cost at iteration 20000");
    }

    [Theory]
    [InlineData("baseline")]
    [InlineData("l2")]
    [InlineData("dropout")]
    public void Every_one_of_the_first_100_costs_is_the_notebooks(string model)
    {
        IReadOnlyList<TrainingRecord> every = Run.Models[model].Every;

        Assert.Equal(Enumerable.Range(0, Iterations), every.Select(record => record.Iteration));
        double[] expected = Reference[model + "_costs_first100"].ToDoubleArray();
        for (int i = 0; i < expected.Length; i++)
        {
            AssertRelative(expected[i], every[i].Cost, 1e-9, FormattableString.Invariant($"{model}: the cost at iteration {i}"));
        }
    }

    [Theory]
    [InlineData("baseline", 1e-7)]
    [InlineData("l2", 1e-9)]
    [InlineData("dropout", 1e-9)]
    public void The_parameters_after_30000_iterations_and_their_cost_are_the_notebooks(string model, double tolerance)
    {
        FootballNetwork network = Run.Models[model].Network;

        AssertMaxNormRelative(ReferenceParameters(model + "_"), network.Parameters.ToArray(), tolerance, model + ": the parameters after 30000 iterations");
        Assert.Equal(Iterations, network.CompletedEpochs);
        Assert.Equal(Iterations, network.UpdateCount);

        // The model's own cost of those parameters, without dropout; with L2 the regularised one. The dropout model's
        // A3 is exactly 1 for 31 training examples (all labelled 1): the cost must take 0 log 0 as 0, as np.nansum does.
        network.Forward(Run.TrainX);
        double cost = network.ComputeCost(Run.TrainY);
        if (model == "l2")
        {
            double squares = network.W1.ToArray().Sum(w => w * w) + network.W2.ToArray().Sum(w => w * w) + network.W3.ToArray().Sum(w => w * w);
            cost += 0.7 / (2.0 * TrainExamples) * squares;
        }

        if (model == "dropout")
        {
            // The notebook's value is 2.3e-9 relative off: its -log(1 - A3) for the two training examples labelled 0
            // with z3 = 22.8 and 20.6 (1 - A3 about 1e-10) is the log of A3's rounding error, 1e-6 relative. The
            // network's cost, from Z3 (softplus(z) - y z), is within 1e-15 of 0.657863502921827936, the cost of the
            // notebook's final parameters computed from Z3 in long double by NumPy.
            AssertRelative(Reference.Scalar(model + "_final_cost"), cost, 1e-8, model + ": the cost of the final parameters");
            AssertRelative(0.657863502921827936, cost, 1e-12, model + ": the exact cost of the final parameters");
        }
        else
        {
            AssertRelative(Reference.Scalar(model + "_final_cost"), cost, 1e-9, model + ": the cost of the final parameters");
        }
    }

    [Theory]
    [InlineData("baseline", 0.9478672985781991, 0.915)]
    [InlineData("l2", 0.9383886255924171, 0.93)]
    [InlineData("dropout", 0.9289099526066351, 0.95)]
    public void The_predictions_and_accuracies_on_both_sets_are_the_notebooks(string model, double train, double test)
    {
        FootballNetwork network = Run.Models[model].Network;

        var trainLabels = new double[TrainExamples];
        var testLabels = new double[TestExamples];
        network.PredictLabels(Run.TrainX, trainLabels);
        network.PredictLabels(Run.TestX, testLabels);

        // Prediction never drops units: the dropout model predicts with all of them, as the notebook's predict does.
        Assert.Equal(Reference[model + "_train_predictions"].ToDoubleArray(), trainLabels);
        Assert.Equal(Reference[model + "_test_predictions"].ToDoubleArray(), testLabels);
        Assert.Equal(Reference.Scalar(model + "_train_accuracy"), network.Accuracy(Run.TrainX, Run.TrainY));
        Assert.Equal(Reference.Scalar(model + "_test_accuracy"), network.Accuracy(Run.TestX, Run.TestY));
        Assert.Equal(train, network.Accuracy(Run.TrainX, Run.TrainY));
        Assert.Equal(test, network.Accuracy(Run.TestX, Run.TestY));
    }

    [Fact]
    public void The_reference_masks_are_seed_1s_draws_D1_first_each_filling_the_courses_shape_row_major()
    {
        (double[] d1, double[] d2) = DrawnMasks(d1First: true, courseShape: true);

        Assert.Equal(Reference["dropout_D1"].ToDoubleArray(), d1);
        Assert.Equal(Reference["dropout_D2"].ToDoubleArray(), d2);
    }

    [Fact]
    public void The_first_dropout_iteration_uses_the_notebooks_masks_forward_and_backward()
    {
        var network = new FootballNetwork();
        network.InitializeParameters(Seed);
        double[] initial = network.Parameters.ToArray();
        double[] d1 = Reference["dropout_D1"].ToDoubleArray();
        double[] d2 = Reference["dropout_D2"].ToDoubleArray();

        IReadOnlyList<TrainingRecord> history = network.Train(Run.TrainX, Run.TrainY, OptionsOf("dropout") with { Epochs = 1 }, cancellationToken: TestContext.Current.CancellationToken);

        // forward_propagation_with_dropout and backward_propagation_with_dropout written out over the stored masks.
        (double cost, double[] updated) = NotebookDropoutIteration(initial, d1, d2);
        AssertRelative(cost, Assert.Single(history).Cost, 1e-12, "the first iteration's cost with the notebook's masks");
        AssertMaxNormRelative(updated, network.Parameters.ToArray(), 1e-12, "the parameters after the first update with the notebook's masks");

        // The comparison tells masks apart: D2 drawn before D1, or masks filling DnnGen's (m, n[l]) instead of the
        // course's (n[l], m), give another cost.
        foreach ((bool d1First, bool courseShape) in new[] { (false, true), (true, false) })
        {
            (double[] wrong1, double[] wrong2) = DrawnMasks(d1First, courseShape);
            (double wrongCost, _) = NotebookDropoutIteration(initial, wrong1, wrong2);
            Assert.True(Relative(wrongCost, cost) > 1e-4, FormattableString.Invariant($"masks drawn otherwise ({d1First}, {courseShape}) give the cost {wrongCost:R} too"));
        }
    }

    /// <summary>
    /// The masks from <c>np.random.seed(1)</c>, <c>rand &lt; keep_prob</c> as 0/1, example-major (m, n[l]): D1 then D2
    /// (or D2 first), each filling the course's (n[l], m) row-major (or the transposed shape).
    /// </summary>
    private static (double[] D1, double[] D2) DrawnMasks(bool d1First, bool courseShape)
    {
        var random = new NumPyRandom(1);
        var first = new double[(d1First ? 20 : 3) * TrainExamples];
        var second = new double[(d1First ? 3 : 20) * TrainExamples];
        random.Rand(first);
        random.Rand(second);
        double[] Mask(double[] uniform, int units)
        {
            double[] kept = uniform.Select(u => u < KeepProbability ? 1.0 : 0.0).ToArray();
            return courseShape ? CourseMatrices.Transpose(kept, units, TrainExamples) : kept;
        }

        return d1First ? (Mask(first, 20), Mask(second, 3)) : (Mask(second, 20), Mask(first, 3));
    }

    /// <summary>
    /// One iteration of the notebook's dropout model from <paramref name="parameters"/> with the masks D1 (m, 20) and
    /// D2 (m, 3): the cost of the forward pass with dropout and the parameters after the update at learning rate 0.3.
    /// </summary>
    private (double Cost, double[] Updated) NotebookDropoutIteration(double[] parameters, double[] d1, double[] d2)
    {
        int[] n = [2, 20, 3, 1];
        int m = TrainExamples;
        double[] x = Run.TrainX;
        double[] y = Run.TrainY;
        var offsets = new int[4];
        for (int l = 1; l < 4; l++)
        {
            offsets[l] = offsets[l - 1] + (l == 1 ? 0 : (n[l - 1] * n[l - 2]) + n[l - 1]);
        }

        double W(int l, int j, int k) => parameters[offsets[l] + (j * n[l - 1]) + k];
        double B(int l, int j) => parameters[offsets[l] + (n[l] * n[l - 1]) + j];
        double[][] masks = [[], d1, d2];

        // a[l] (m, n[l]) example-major, a[0] = x; hidden layers relu then A = A * D, A = A / keep_prob; the output sigmoid.
        var a = new double[4][];
        a[0] = x;
        for (int l = 1; l < 4; l++)
        {
            a[l] = new double[m * n[l]];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n[l]; j++)
                {
                    double z = B(l, j);
                    for (int k = 0; k < n[l - 1]; k++)
                    {
                        z += W(l, j, k) * a[l - 1][(i * n[l - 1]) + k];
                    }

                    a[l][(i * n[l]) + j] = l == 3 ? 1 / (1 + Math.Exp(-z)) : Math.Max(z, 0) * masks[l][(i * n[l]) + j] / KeepProbability;
                }
            }
        }

        double cost = 0;
        for (int i = 0; i < m; i++)
        {
            cost -= (y[i] * Math.Log(a[3][i])) + ((1 - y[i]) * Math.Log(1 - a[3][i]));
        }

        cost /= m;

        // dZ3 = A3 - Y; dW[l] = (1/m) dZ[l] A[l-1]^T, db[l] = (1/m) sum dZ[l]; dA[l-1] = W[l]^T dZ[l] * D[l-1] / keep_prob,
        // dZ[l-1] = dA[l-1] * (A[l-1] > 0).
        double[] updated = (double[])parameters.Clone();
        double[] dz = a[3].Zip(y, (output, label) => output - label).ToArray();
        for (int l = 3; l >= 1; l--)
        {
            for (int j = 0; j < n[l]; j++)
            {
                double db = 0;
                for (int i = 0; i < m; i++)
                {
                    db += dz[(i * n[l]) + j];
                }

                updated[offsets[l] + (n[l] * n[l - 1]) + j] -= 0.3 * db / m;
                for (int k = 0; k < n[l - 1]; k++)
                {
                    double dw = 0;
                    for (int i = 0; i < m; i++)
                    {
                        dw += dz[(i * n[l]) + j] * a[l - 1][(i * n[l - 1]) + k];
                    }

                    updated[offsets[l] + (j * n[l - 1]) + k] -= 0.3 * dw / m;
                }
            }

            if (l > 1)
            {
                var previous = new double[m * n[l - 1]];
                for (int i = 0; i < m; i++)
                {
                    for (int k = 0; k < n[l - 1]; k++)
                    {
                        double da = 0;
                        for (int j = 0; j < n[l]; j++)
                        {
                            da += W(l, j, k) * dz[(i * n[l]) + j];
                        }

                        int at = (i * n[l - 1]) + k;
                        previous[at] = a[l - 1][at] > 0 ? da * masks[l - 1][at] / KeepProbability : 0;
                    }
                }

                dz = previous;
            }
        }

        return (cost, updated);
    }
}
