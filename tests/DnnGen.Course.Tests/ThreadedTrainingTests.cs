using System.Collections.Generic;
using DnnGen.Kernels;

namespace DnnGen.Course.Tests;

/// <summary>Wide enough that Dense shares layer 1's products with the worker threads (about a million multiply-adds for 32 examples).</summary>
[Network(2048, 16, 1)]
public partial class ThreadedNetwork;

/// <summary>
/// Tests that measure the whole process (allocations on every thread) or change <see cref="Dense.MaxDegreeOfParallelism"/>:
/// they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(nameof(WholeProcessCollection), DisableParallelization = true)]
public sealed class WholeProcessCollection;

/// <summary>Training on several threads: no allocation on any of them, and the same numbers as on one.</summary>
[Collection(nameof(WholeProcessCollection))]
public class ThreadedTrainingTests
{
    private const int Examples = 32;

    [Fact]
    public void A_threaded_training_iteration_allocates_nothing_on_any_thread()
    {
        (float[] x, float[] y) = Data();
        var network = new ThreadedNetwork();
        network.InitializeParameters(seed: 3);
        var single = new ThreadedNetworkSingle();
        single.InitializeParameters(seed: 3);
        (double[] xDouble, double[] yDouble) = (Array.ConvertAll(x, v => (double)v), Array.ConvertAll(y, v => (double)v));

        // The first steps size the workspaces and start the worker threads.
        network.TrainStep(xDouble, yDouble, 0.01);
        single.TrainStep(x, y, 0.01);
        // The count covers every thread in the process, the test runner's too, so a window may catch the runner
        // reporting another test (a fresh-clone CI run once saw three such windows in a row). An allocation in the training
        // would show in every window; one clean window of 20 iterations each, out of up to ten, is the proof.
        var allocated = new List<long>();
        for (int window = 0; window < 10 && (allocated.Count == 0 || allocated[^1] != 0); window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++)
            {
                network.TrainStep(xDouble, yDouble, 0.01);
                single.TrainStep(x, y, 0.01);
            }

            allocated.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.True(allocated[^1] == 0, $"bytes allocated in each window of 20 iterations: {string.Join(", ", allocated)}");
    }

    [Fact]
    public void Training_gives_the_same_bits_on_one_thread_and_on_all()
    {
        (float[] x, float[] y) = Data();
        int saved = Dense.MaxDegreeOfParallelism;
        try
        {
            Dense.MaxDegreeOfParallelism = 1;
            (IReadOnlyList<TrainingRecord> oneThreadCosts, float[] oneThreadParameters) = Train(x, y);
            Dense.MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount);
            (IReadOnlyList<TrainingRecord> costs, float[] parameters) = Train(x, y);

            Assert.Equal(oneThreadCosts, costs);
            Assert.Equal(oneThreadParameters, parameters);
        }
        finally
        {
            Dense.MaxDegreeOfParallelism = saved;
        }
    }

    private static (IReadOnlyList<TrainingRecord> Costs, float[] Parameters) Train(float[] x, float[] y)
    {
        var network = new ThreadedNetworkSingle();
        network.InitializeParameters(seed: 3);
        var costs = network.Train(x, y, 201, 0.05, cancellationToken: TestContext.Current.CancellationToken);
        return (costs, network.Parameters.ToArray());
    }

    private static (float[] X, float[] Y) Data()
    {
        var random = new NumPyRandom(12);
        var x = new double[Examples * ThreadedNetwork.InputSize];
        random.FillStandardNormal(x);
        var y = new float[Examples];
        for (int i = 0; i < Examples; i++)
        {
            y[i] = x[i * ThreadedNetwork.InputSize] > 0 ? 1 : 0;
        }

        return (Array.ConvertAll(x, v => (float)v), y);
    }
}

/// <summary>The same network in float32, whose kernels run 16 lanes to a vector instead of 8.</summary>
[Network(2048, 16, 1, Precision = Precision.Single)]
public partial class ThreadedNetworkSingle;
