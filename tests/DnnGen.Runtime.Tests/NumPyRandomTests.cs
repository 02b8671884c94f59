using System;
using System.Linq;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// NumPyRandom against values printed by NumPy's legacy RandomState (numpy 1.24, Debian's python3-numpy):
/// np.random.seed(s) followed by randn, random_sample or randint(0, 2**32, dtype=np.uint32); the rand, permutation
/// and shuffle values are printed by make_numpy_random_values.py beside this file.
/// </summary>
public class NumPyRandomTests
{
    [Fact]
    public void Raw_outputs_match_randint_over_the_full_uint32_range()
    {
        var random = new NumPyRandom(5);

        Assert.Equal(953453411u, random.NextUInt32());
        Assert.Equal(236996814u, random.NextUInt32());
        Assert.Equal(3739766767u, random.NextUInt32());
    }

    [Fact]
    public void Doubles_match_random_sample()
    {
        var random = new NumPyRandom(1);

        Assert.Equal(0.417022004702574, random.NextDouble());
        Assert.Equal(0.7203244934421581, random.NextDouble());
    }

    [Fact]
    public void Normals_match_randn_at_the_largest_seed()
    {
        var random = new NumPyRandom(uint.MaxValue);

        Assert.Equal(0.6484086742306527, random.NextGaussian());
        Assert.Equal(0.6693235306338161, random.NextGaussian());
    }

    [Fact]
    public void A_long_stream_matches_randn_across_several_state_regenerations()
    {
        var random = new NumPyRandom(0);
        var values = new double[1000];

        random.FillStandardNormal(values);

        Assert.Equal(-0.35811407547985674, values[999]);
        Assert.Equal(-45.25670749019538, values.Sum(), 1e-9);
    }

    [Fact]
    public void Seeding_again_restarts_the_stream_and_forgets_the_cached_normal()
    {
        var random = new NumPyRandom(1);
        double first = random.NextGaussian(); // leaves the pair's second value cached

        random.Seed(1);

        Assert.Equal(first, random.NextGaussian());
        Assert.Equal(-0.6117564136500754, random.NextGaussian());
    }

    [Fact]
    public void Seeding_again_after_any_use_gives_a_fresh_generators_stream()
    {
        // Train(x, y, options) keeps its generators from call to call and re-seeds them: that must be a new generator.
        var reused = new NumPyRandom(7);
        reused.Permutation(1500); // past two regenerations of the state, mid-way through the third
        reused.NextGaussian();    // and a normal cached
        reused.Seed(12);
        var fresh = new NumPyRandom(12);

        Assert.Equal(fresh.NextGaussian(), reused.NextGaussian());
        Assert.Equal(fresh.NextGaussian(), reused.NextGaussian());
        Assert.Equal(fresh.Permutation(1000), reused.Permutation(1000));
        for (int i = 0; i < 1400; i++)
        {
            Assert.Equal(fresh.NextUInt32(), reused.NextUInt32());
        }
    }

    [Fact]
    public void Rand_fills_a_row_major_matrix_as_rand_rows_cols_and_continues_the_stream()
    {
        // np.random.seed(1); D1 = np.random.rand(3, 4); D2 = np.random.rand(2, 4): the dropout masks' draw order.
        var random = new NumPyRandom(1);
        var d1 = new double[3 * 4];
        var d2 = new double[2 * 4];

        random.Rand(d1);
        random.Rand(d2);

        Assert.Equal(
            [
                0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977,
                0.14675589081711304, 0.0923385947687978, 0.1862602113776709, 0.34556072704304774,
                0.39676747423066994, 0.538816734003357, 0.4191945144032948, 0.6852195003967595,
            ],
            d1);
        Assert.Equal(
            [
                0.20445224973151743, 0.8781174363909454, 0.027387593197926163, 0.6704675101784022,
                0.41730480236712697, 0.5586898284457517, 0.14038693859523377, 0.1981014890848788,
            ],
            d2);
    }

    [Fact]
    public void Rand_between_normals_leaves_the_cached_normal_in_place()
    {
        // np.random.seed(2); randn(); rand(); randn(): the second randn is the first pair's cached value.
        var random = new NumPyRandom(2);
        var uniform = new double[1];

        double first = random.NextGaussian();
        random.Rand(uniform);
        double second = random.NextGaussian();

        Assert.Equal(-0.4167578474054706, first);
        Assert.Equal(0.5496624778787091, uniform[0]);
        Assert.Equal(-0.056266827226329474, second);
    }

    [Fact]
    public void Permutation_matches_the_courses_sanity_values_for_148_examples()
    {
        int[] permutation = new NumPyRandom(0).Permutation(148);

        Assert.Equal([24, 7, 37, 114, 27, 26, 43, 54, 132, 71], permutation[..10]);
        Assert.Equal([88, 70, 87, 36, 21, 9, 103, 67, 117, 47], permutation[^10..]);
        Assert.Equal(811297L, WeightedSum(permutation));
        Assert.Equal(Enumerable.Range(0, 148), permutation.Order());
    }

    [Fact]
    public void Permutation_matches_the_courses_sanity_values_for_7_examples()
    {
        Assert.Equal([6, 2, 1, 3, 0, 5, 4], new NumPyRandom(0).Permutation(7));
    }

    [Theory]
    [InlineData(1u, new[] { 0, 1 }, 0.9971848109388686)]
    [InlineData(3u, new[] { 5, 4, 1, 2, 9, 6, 7, 0, 3, 8 }, 0.20724287813818676)]
    [InlineData(42u, new[] { 1, 4, 2, 0, 3 }, 0.7796910002727693)]
    [InlineData(4294967295u, new[] { 5, 1, 8, 7, 0, 6, 4, 2, 3 }, 0.2835616616122866)]
    public void Permutation_matches_numpy_and_leaves_the_stream_where_numpy_does(uint seed, int[] expected, double nextRand)
    {
        // np.random.seed(seed); np.random.permutation(n); np.random.rand()
        var random = new NumPyRandom(seed);

        int[] permutation = random.Permutation(expected.Length);

        Assert.Equal(expected, permutation);
        Assert.Equal(nextRand, random.NextDouble());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Permutations_of_zero_and_one_element_draw_nothing(int n)
    {
        // np.random.seed(0); np.random.permutation(n); np.random.rand() gives seed 0's first rand.
        var random = new NumPyRandom(0);

        int[] permutation = random.Permutation(n);

        Assert.Equal(Enumerable.Range(0, n), permutation);
        Assert.Equal(0.5488135039273248, random.NextDouble());
    }

    [Fact]
    public void The_optimization_notebooks_first_epoch_permutation_matches_numpy()
    {
        // Epoch 0 shuffles the moons' 300 examples with seed 11; the stream continues with rand() after it.
        var random = new NumPyRandom(11);

        int[] permutation = random.Permutation(300);

        Assert.Equal([174, 113, 86, 239, 12, 252, 261, 39, 200, 61], permutation[..10]);
        Assert.Equal([176, 92, 109, 280, 71, 161, 269, 91, 80, 191], permutation[^10..]);
        Assert.Equal(6779869L, WeightedSum(permutation));
        Assert.Equal(0.25272821562615655, random.NextDouble());
    }

    [Fact]
    public void A_long_permutation_matches_numpy_across_several_state_regenerations()
    {
        var random = new NumPyRandom(7);

        int[] permutation = random.Permutation(5000);

        Assert.Equal([3406, 757, 3624, 4544, 3235], permutation[..5]);
        Assert.Equal([4307, 2550, 537, 1220, 4271], permutation[^5..]);
        Assert.Equal(31161627936L, WeightedSum(permutation));
        Assert.Equal(0.2530693227889753, random.NextDouble());
    }

    [Fact]
    public void The_span_permutation_ignores_the_destinations_contents_and_matches_the_array_one()
    {
        var destination = new int[] { -1, 99, 7, 7, 7, 7, 7, 7, 7, 7 };

        new NumPyRandom(3).Permutation(destination);

        Assert.Equal(new NumPyRandom(3).Permutation(10), destination);
    }

    [Fact]
    public void Shuffle_moves_values_as_numpy_shuffle_does()
    {
        // np.random.seed(5); a = np.array([10, 20, 30, 40, 50, 60]); np.random.shuffle(a)
        int[] values = [10, 20, 30, 40, 50, 60];

        new NumPyRandom(5).Shuffle(values);

        Assert.Equal([60, 30, 50, 20, 10, 40], values);
    }

    [Fact]
    public void Shuffle_of_an_empty_span_draws_nothing()
    {
        var random = new NumPyRandom(0);

        random.Shuffle(Span<int>.Empty);

        Assert.Equal(0.5488135039273248, random.NextDouble());
    }

    [Fact]
    public void A_negative_permutation_length_is_rejected_naming_the_argument_and_value()
    {
        var random = new NumPyRandom(0);

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => random.Permutation(-3));

        Assert.Equal("n", exception.ParamName);
        Assert.Equal(-3, exception.ActualValue);
        Assert.Contains("at least 0", exception.Message, StringComparison.Ordinal);
        Assert.Contains("n is -3", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0.5488135039273248, random.NextDouble()); // nothing drawn
    }

    private static long WeightedSum(int[] permutation)
    {
        long sum = 0;
        for (int i = 0; i < permutation.Length; i++)
        {
            sum += (long)i * permutation[i];
        }

        return sum;
    }
}
