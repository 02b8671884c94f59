using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The mini-batch kernels and the learning-rate decay against the sanity values of the course's Optimization notebook
/// (course2-reference.md): random_mini_batches' permutations and schedule_lr_decay's rates.
/// </summary>
public class MiniBatchTests
{
    [Fact]
    public void Shuffle_is_the_courses_seeded_permutation()
    {
        var random = new NumPyRandom(99);
        random.NextDouble(); // whatever state the generator is in, Shuffle re-seeds it
        var permutation = new int[148];

        MiniBatches.Shuffle(random, 0, permutation);

        Assert.Equal([24, 7, 37, 114, 27, 26, 43, 54, 132, 71], permutation[..10]);
        Array.Sort(permutation);
        Assert.Equal(Enumerable(148), permutation);

        var seven = new int[7];
        MiniBatches.Shuffle(random, 0, seven);
        Assert.Equal([6, 2, 1, 3, 0, 5, 4], seven);
    }

    [Fact]
    public void Gather_copies_the_listed_example_rows_in_order()
    {
        // 4 examples of 3 values: example i holds 10 i, 10 i + 1, 10 i + 2.
        double[] source = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32];
        var destination = new double[3 * 3];

        MiniBatches.Gather<double>(source, 3, [3, 0, 3], destination);

        Assert.Equal([30, 31, 32, 0, 1, 2, 30, 31, 32], destination);
    }

    [Fact]
    public void Shuffling_and_gathering_allocate_nothing()
    {
        var random = new NumPyRandom(1);
        var permutation = new int[300];
        var x = new double[300 * 2];
        var batch = new double[64 * 2];
        MiniBatches.Shuffle(random, 11, permutation);
        MiniBatches.Gather<double>(x, 2, permutation.AsSpan(0, 64), batch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            MiniBatches.Shuffle(random, (uint)(11 + epoch), permutation);
            for (int k = 0; k < MiniBatches.BatchCount(300, 64); k++)
            {
                int size = MiniBatches.BatchSize(300, 64, k);
                MiniBatches.Gather<double>(x, 2, permutation.AsSpan(MiniBatches.BatchStart(300, 64, k), size), batch.AsSpan(0, size * 2));
            }
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Gather_names_each_bad_argument()
    {
        var source = new double[12];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.Gather<double>(source, 3, [0, 4], new double[6]));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("from 0 to 3", e.Message);
        Assert.Contains("rows[1] is 4", e.Message);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.Gather<double>(source, 3, [-1], new double[3])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => MiniBatches.Gather<double>(source, 3, [0, 1], new double[5])).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => MiniBatches.Gather<double>(new double[11], 3, [0], new double[3])).ParamName);
        Assert.Equal("rowLength", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.Gather<double>(source, 0, [0], new double[0])).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => MiniBatches.Shuffle(null!, 0, new int[3])).ParamName);
    }

    [Theory]
    [InlineData(300, 64, new[] { 64, 64, 64, 64, 44 })] // the moons: the last batch is 300 mod 64
    [InlineData(128, 64, new[] { 64, 64 })]
    [InlineData(300, 0, new[] { 300 })] // 0: full batch
    [InlineData(300, 1000, new[] { 300 })]
    [InlineData(5, 1, new[] { 1, 1, 1, 1, 1 })]
    public void Batches_are_the_courses_complete_batches_and_the_remainder(int m, int size, int[] sizes)
    {
        Assert.Equal(sizes.Length, MiniBatches.BatchCount(m, size));
        int start = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            Assert.Equal(start, MiniBatches.BatchStart(m, size, k));
            Assert.Equal(sizes[k], MiniBatches.BatchSize(m, size, k));
            start += sizes[k];
        }

        Assert.Equal(m, start);
    }

    [Fact]
    public void Batch_helpers_name_each_bad_argument()
    {
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.BatchCount(0, 64)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.BatchCount(300, -1)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.BatchSize(300, 64, 5));
        Assert.Equal("batch", e.ParamName);
        Assert.Contains("from 0 to 4", e.Message);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.BatchStart(300, 64, -1)).ParamName);
    }

    [Fact]
    public void Learning_rate_decay_gives_the_courses_values()
    {
        Assert.Equal(0.16666666666666666, MiniBatches.LearningRateDecay(0.5, 1, 2, 1));
        Assert.Equal(0.3846153846153846, MiniBatches.LearningRateDecay(0.5, 0.3, 100, 100));
        Assert.Equal(0.5, MiniBatches.LearningRateDecay(0.5, 0.3, 10, 100));
        Assert.Equal(0.0007, MiniBatches.LearningRateDecay(0.0007, 1, 0, 1));
        Assert.Equal(0.0007, MiniBatches.LearningRateDecay(0.0007, 0, 4999, 1));
    }

    [Fact]
    public void Learning_rate_decay_names_each_bad_argument()
    {
        Assert.Equal("lr0", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(0, 1, 2, 1)).ParamName);
        Assert.Equal("lr0", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(double.PositiveInfinity, 1, 2, 1)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(0.5, -1, 2, 1)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(0.5, double.NaN, 2, 1)).ParamName);
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(0.5, 1, -1, 1)).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => MiniBatches.LearningRateDecay(0.5, 1, 2, 0)).ParamName);
    }

    private static int[] Enumerable(int n)
    {
        var values = new int[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = i;
        }

        return values;
    }
}
