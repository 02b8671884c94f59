using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>The runtime library's public methods reject bad arguments, naming the argument, the expected and the actual.</summary>
public class ArgumentCheckTests
{
    [Fact]
    public void Cost_kernels_reject_labels_that_are_not_0_or_1()
    {
        double[] al = [0.2, 0.7, 0.9];
        double[] y = [0, 2, 1];

        foreach (Action call in new Action[]
        {
            () => Cost.CrossEntropy<double>(al, y, 3),
            () => Cost.CrossEntropyFromLogits<double>(al, y, 3),
            () => Cost.CrossEntropyGradient<double>(al, y, new double[3]),
            () => Cost.SigmoidCrossEntropyDelta<double>(al, y, new double[3]),
        })
        {
            var error = Assert.Throws<ArgumentException>(call);
            Assert.Equal("y", error.ParamName);
            Assert.Contains("Expected labels 0 or 1, but y[1] is 2", error.Message);
        }
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void The_literal_cost_rejects_probabilities_outside_0_to_1(double probability)
    {
        var error = Assert.Throws<ArgumentException>(() => Cost.CrossEntropy<double>([0.5, probability], [1, 0], 2));

        Assert.Equal("al", error.ParamName);
        Assert.Contains("Expected probabilities from 0 to 1, but al[1] is ", error.Message);
    }

    [Fact]
    public void The_cost_rejects_an_example_count_that_does_not_divide_the_outputs()
    {
        var error = Assert.Throws<ArgumentException>(() => Cost.CrossEntropyFromLogits<double>([0.1, 0.2, 0.3], [1, 0, 1], 2));

        Assert.Equal("zl", error.ParamName);
        Assert.Contains("Expected a positive multiple of m = 2 elements", error.Message);
        Assert.Contains("holds 3", error.Message);
    }

    [Fact]
    public void Dense_shapes_too_large_for_int_are_an_argument_error_not_an_overflow()
    {
        var error = Assert.Throws<ArgumentException>(() => Dense.Forward<double>(new double[100_000], [], new double[100_000], new double[100_000], 100_000, 100_000));

        Assert.Equal("w", error.ParamName);
        Assert.Contains("Expected 10000000000 elements", error.Message);
    }

    [Fact]
    public void Weights_are_filled_only_with_a_known_initialisation_and_whole_rows()
    {
        var random = new NumPyRandom(1);

        var initialization = Assert.Throws<ArgumentOutOfRangeException>(() => ParameterInitializer.FillWeights(random, Span<double>.Empty, 3, (Initialization)9));
        var rows = Assert.Throws<ArgumentException>(() => ParameterInitializer.FillWeights(random, new double[7], 3, Initialization.ScaledNormal));

        Assert.Equal("initialization", initialization.ParamName);
        Assert.Equal((Initialization)9, initialization.ActualValue);
        Assert.Equal("weights", rows.ParamName);
        Assert.Contains("Expected a multiple of fanIn = 3 weights", rows.Message);
        Assert.Contains("holds 7", rows.Message);
    }

    [Fact]
    public void A_float_learning_rate_must_stay_finite_and_positive_in_float()
    {
        Assert.Equal(0.5f, Guard.LearningRate<float>(0.5, "learningRate"));
        Assert.Equal(1e300, Guard.LearningRate<double>(1e300, "learningRate"));

        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.LearningRate<float>(1e300, "learningRate"));
        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.LearningRate<float>(1e-50, "learningRate"));

        Assert.Equal(1e300, tooLarge.ActualValue);
        Assert.Equal(1e-50, tooSmall.ActualValue);
        Assert.Contains("Single holds as a finite number greater than zero (from 1E-45 to 3.4028235E+38)", tooLarge.Message);
    }

    [Fact]
    public void Finite_names_the_first_bad_value_its_example_and_position()
    {
        var values = new double[12];
        values[7] = double.NegativeInfinity;
        values[9] = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => Guard.Finite<double>(values, 4, "x", offset: 40));

        Assert.Equal("x", error.ParamName);
        Assert.Contains("Expected finite values, but x[47] (example 11, value 3) is -Infinity.", error.Message);
    }

    [Fact]
    public void Finite_inputs_are_read_in_full_only_when_the_derived_values_are_not_finite()
    {
        double[] x = [1, 2, double.NaN, 4];

        // A finite derived span vouches for x (the generated code passes Z1, which x's NaN would have made NaN)...
        Guard.FiniteInputs<double>(x, 2, [0.5], "x");

        // ...a non-finite one sends the check to x itself, which then names the culprit...
        var error = Assert.Throws<ArgumentException>(() => Guard.FiniteInputs<double>(x, 2, [double.NaN], "x"));
        Assert.Contains("x[2] (example 1, value 0) is NaN", error.Message);

        // ...and when x is finite, the fault is not x's (the parameters are; the cost reports it).
        Guard.FiniteInputs<double>([1, 2, 3, 4], 2, [double.NaN], "x");
    }

    [Fact]
    public void Divergence_messages_name_the_iteration_the_restored_parameters_and_the_learning_rate()
    {
        Assert.Equal(
            "Iteration 7: the cost is NaN, so training diverged. The parameters are restored to those of iteration 6, whose cost was 0.25. Try a smaller learning rate than 2.5.",
            Divergence.CostNotFinite(7, double.NaN, 0.25, 2.5).Message);
        Assert.Equal(
            "The cost is Infinity, so training diverged. The parameters are unchanged: they are the ones that produced this cost. Try a smaller learning rate than 2.5.",
            Divergence.CostNotFinite(-1, double.PositiveInfinity, double.NaN, 2.5).Message);
        Assert.Equal(
            "Iteration 3: the update made a parameter NaN or infinite, so training diverged. The parameters are restored to those of iteration 3, whose cost was 0.5. Try a smaller learning rate than 1E+300.",
            Divergence.UpdateNotFinite(3, 0.5, 1e300).Message);
    }

    [Fact]
    public void Guards_reject_a_row_length_below_one_instead_of_dividing_by_zero()
    {
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.ExampleCount<double>(new double[4], 0, "x"));
        var finite = Assert.Throws<ArgumentOutOfRangeException>(() => Guard.Finite<double>([double.NaN], 0, "x"));

        Assert.Equal("rowLength", count.ParamName);
        Assert.Equal("rowLength", finite.ParamName);
    }
}
