using System;

namespace DnnGen.Runtime.Tests;

/// <summary>The course-2 Initialization notebook's (2, 4, 1) network, for its He draws.</summary>
[Network(2, 4, 1)]
public partial class HeNetwork;

/// <summary>
/// He and Zeros initialisation: He's draws are the course's to the bit (<c>randn(n[l], n[l-1]) * np.sqrt(2 / n[l-1])</c>,
/// a multiplication by the float64 square root), Zeros draws nothing, and an unknown value is refused before anything
/// is drawn or written.
/// </summary>
public class InitializationTests
{
    // ../shared/course/course2-reference.md: np.random.seed(3), He initialisation of (2, 4, 1).
    private static readonly double[] CourseW1 =
    [
        1.7886284734303186, 0.43650985051198943,
        0.09649746807200862, -1.8634927033644908,
        -0.27738820251439905, -0.35475897926898675,
        -0.08274148148245977, -0.6270006768238473,
    ];

    // W2[0, 0] as NumPy 1.24 computes it here, -0.030984124422056857 (bits 0xBF9FBA4D645A0A16); the reference file
    // prints it with one digit fewer, -0.03098412442205686, the neighbouring double, one ulp away (see the test below).
    private static readonly double[] CourseW2 = [-0.030984124422056857, -0.33744410537169206, -0.9290426766647434, 0.6255224840406426];

    private static long[] Bits(ReadOnlySpan<double> values) => Array.ConvertAll(values.ToArray(), BitConverter.DoubleToInt64Bits);

    [Fact]
    public void He_draws_the_courses_weights_bit_for_bit()
    {
        var random = new NumPyRandom(3);
        var w1 = new double[8];
        var w2 = new double[4];

        ParameterInitializer.FillWeights(random, w1, 2, Initialization.He);
        ParameterInitializer.FillWeights(random, w2, 4, Initialization.He);

        Assert.Equal(Bits(CourseW1), Bits(w1));
        Assert.Equal(Bits(CourseW2), Bits(w2));
    }

    [Fact]
    public void The_reference_files_shorter_W2_value_is_the_neighbouring_double()
        => Assert.Equal(BitConverter.DoubleToInt64Bits(-0.03098412442205686) - 1, BitConverter.DoubleToInt64Bits(CourseW2[0]));

    [Fact]
    public void A_generated_network_initialises_with_He_as_the_course_W1_W2_from_one_stream_biases_zero()
    {
        var network = new HeNetwork();
        network.Parameters.Fill(5);

        network.InitializeParameters(seed: 3, Initialization.He);

        Assert.Equal(Bits(CourseW1), Bits(network.W1));
        Assert.Equal(Bits(CourseW2), Bits(network.W2));
        Assert.Equal(new double[4], network.b1.ToArray());
        Assert.Equal(new double[1], network.b2.ToArray());
    }

    [Fact]
    public void He_in_float_is_the_double_weight_rounded_once()
    {
        var w1 = new float[8];
        ParameterInitializer.FillWeights(new NumPyRandom(3), w1, 2, Initialization.He);

        Assert.Equal(Array.ConvertAll(CourseW1, value => (float)value), w1);
    }

    [Fact]
    public void Zeros_sets_every_parameter_to_zero_and_draws_nothing()
    {
        var network = new HeNetwork();
        network.Parameters.Fill(5);
        var random = new NumPyRandom(3);

        network.InitializeParameters(random, Initialization.Zeros);

        Assert.All(network.Parameters.ToArray(), value => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(value)));
        Assert.Equal(new NumPyRandom(3).NextGaussian(), random.NextGaussian());
        var floats = new float[6] { 1, 2, 3, 4, 5, 6 };
        ParameterInitializer.FillWeights(random, floats, 3, Initialization.Zeros);
        Assert.Equal(new float[6], floats);
    }

    [Fact]
    public void An_unknown_initialisation_is_refused_before_anything_is_drawn_or_written()
    {
        var network = new HeNetwork();
        network.InitializeParameters(seed: 1, Initialization.ScaledNormal);
        double[] before = network.Parameters.ToArray();
        var random = new NumPyRandom(3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => network.InitializeParameters(random, (Initialization)4));

        Assert.Equal("initialization", error.ParamName);
        Assert.StartsWith("Expected Initialization.ScaledNormal, NormalOverSqrtFanIn, Zeros or He.", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, network.Parameters.ToArray());
        Assert.Equal(new NumPyRandom(3).NextGaussian(), random.NextGaussian());
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillWeights(new NumPyRandom(1), new double[4], 2, (Initialization)(-1)));
    }

    [Fact]
    public void The_runtime_enum_keeps_its_numbers()
    {
        Assert.Equal(0, (int)Initialization.ScaledNormal);
        Assert.Equal(1, (int)Initialization.NormalOverSqrtFanIn);
        Assert.Equal(2, (int)Initialization.Zeros);
        Assert.Equal(3, (int)Initialization.He);
    }
}
