using System.Linq;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// NumPyRandom against values printed by NumPy's legacy RandomState (numpy 1.24, Debian's python3-numpy):
/// np.random.seed(s) followed by randn, random_sample or randint(0, 2**32, dtype=np.uint32).
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
}
