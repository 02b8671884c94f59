using System;
using System.Globalization;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// <see cref="TrainingOptions"/> on its own: the defaults issue 12 lists, one test per bad value of every property
/// (ParamName <c>options.Name</c>, the value in the message), the "not set" messages, the learning-rate schedule against
/// the course's schedule_lr_decay values (course2-reference.md, "Learning-rate decay") and <c>with</c> expressions.
/// </summary>
public class TrainingOptionsTests
{
    // The least a valid TrainingOptions needs: LearningRate and Epochs.
    private static readonly TrainingOptions s_valid = new() { LearningRate = 0.01, Epochs = 10 };

    [Fact]
    public void The_defaults_are_the_issues_list()
    {
        var options = new TrainingOptions();

        Assert.True(double.IsNaN(options.LearningRate)); // must be set
        Assert.Equal(0, options.Epochs); // must be set
        Assert.Equal(0, options.MiniBatchSize); // full batch
        Assert.Equal(0, options.ShuffleSeed);
        Assert.Equal(0.9, options.Beta);
        Assert.Equal(0.9, options.Beta1);
        Assert.Equal(0.999, options.Beta2);
        Assert.Equal(1e-8, options.Epsilon);
        Assert.Equal(0, options.L2);
        Assert.Equal(1, options.KeepProbability);
        Assert.Equal(1, options.DropoutSeed); // the Regularization notebook's np.random.seed(1)
        Assert.False(options.RepeatDropoutMasks);
        Assert.Equal(0, options.DecayRate);
        Assert.Equal(1, options.DecayInterval);
        Assert.Equal(100, options.RecordEvery);
    }

    [Fact]
    public void Options_with_only_the_learning_rate_and_the_epochs_set_are_valid()
    {
        s_valid.Validate();
        // The edges of every range are inside it.
        (s_valid with
        {
            LearningRate = double.Epsilon,
            Epochs = int.MaxValue,
            MiniBatchSize = int.MaxValue,
            ShuffleSeed = int.MaxValue,
            Beta = 0,
            Beta1 = 0,
            Beta2 = 0,
            Epsilon = double.MaxValue,
            L2 = 0,
            KeepProbability = double.Epsilon,
            DropoutSeed = 0,
            DecayRate = 0,
            DecayInterval = int.MaxValue,
            RecordEvery = int.MaxValue,
        }).Validate();
        (s_valid with { Beta = 0.9999999999999999, Beta1 = 0.9999999999999999, Beta2 = 0.9999999999999999, KeepProbability = 1, L2 = double.MaxValue, DecayRate = double.MaxValue }).Validate();
    }

    [Fact]
    public void An_unset_learning_rate_says_it_is_not_set()
    {
        var options = new TrainingOptions { Epochs = 10 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("options.LearningRate", exception.ParamName);
        Assert.Contains("LearningRate is NaN, which means it is not set", exception.Message, StringComparison.Ordinal);
        Assert.Contains("greater than zero", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_epochs_say_they_are_not_set()
    {
        var options = new TrainingOptions { LearningRate = 0.01 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("options.Epochs", exception.ParamName);
        Assert.Contains("Epochs is 0, which means it is not set", exception.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_options_object_names_the_learning_rate_first()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(new TrainingOptions().Validate);

        Assert.Equal("options.LearningRate", exception.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_bad_learning_rate_is_named(double value)
        => AssertRejected(s_valid with { LearningRate = value }, "LearningRate", value);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Bad_epochs_are_named(int value) => AssertRejected(s_valid with { Epochs = value }, "Epochs", value);

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_bad_mini_batch_size_is_named(int value) => AssertRejected(s_valid with { MiniBatchSize = value }, "MiniBatchSize", value);

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_bad_shuffle_seed_is_named(int value) => AssertRejected(s_valid with { ShuffleSeed = value }, "ShuffleSeed", value);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_momentum_beta_is_named(double value) => AssertRejected(s_valid with { Beta = value }, "Beta", value);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_beta1_is_named(double value) => AssertRejected(s_valid with { Beta1 = value }, "Beta1", value);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_beta2_is_named(double value) => AssertRejected(s_valid with { Beta2 = value }, "Beta2", value);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(-1e-8)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_epsilon_is_named(double value) => AssertRejected(s_valid with { Epsilon = value }, "Epsilon", value);

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-1e-300)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_l2_strength_is_named(double value) => AssertRejected(s_valid with { L2 = value }, "L2", value);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(1.0000000000000002)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_keep_probability_is_named(double value) => AssertRejected(s_valid with { KeepProbability = value }, "KeepProbability", value);

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_bad_dropout_seed_is_named(int value) => AssertRejected(s_valid with { DropoutSeed = value }, "DropoutSeed", value);

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_decay_rate_is_named(double value) => AssertRejected(s_valid with { DecayRate = value }, "DecayRate", value);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_bad_decay_interval_is_named(int value) => AssertRejected(s_valid with { DecayInterval = value }, "DecayInterval", value);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_bad_record_interval_is_named(int value) => AssertRejected(s_valid with { RecordEvery = value }, "RecordEvery", value);

    [Fact]
    public void The_first_bad_option_in_declaration_order_is_named()
    {
        var options = s_valid with { Beta2 = 2, MiniBatchSize = -3, RecordEvery = 0 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("options.MiniBatchSize", exception.ParamName);
    }

    [Fact]
    public void The_learning_rate_decays_as_the_courses_schedule_lr_decay()
    {
        // course2-reference.md: lr(e) = lr0 / (1 + decay_rate floor(e / time_interval)), set after epoch e, so epoch 0
        // runs at lr0 and epoch e + 1 at lr(e).
        var updateLr = new TrainingOptions { LearningRate = 0.5, Epochs = 10, DecayRate = 1 };
        Assert.Equal(0.5, updateLr.LearningRateAt(0));
        Assert.Equal(0.5, updateLr.LearningRateAt(1)); // lr(0)
        Assert.Equal(0.25, updateLr.LearningRateAt(2)); // lr(1)
        Assert.Equal(0.16666666666666666, updateLr.LearningRateAt(3)); // lr(2): the reference's "epoch 2" value

        var schedule = new TrainingOptions { LearningRate = 0.5, Epochs = 10, DecayRate = 0.3, DecayInterval = 100 };
        Assert.Equal(0.5, schedule.LearningRateAt(11)); // lr(10) with interval 100: the reference's 0.5
        Assert.Equal(0.5, schedule.LearningRateAt(100)); // lr(99)
        Assert.Equal(0.3846153846153846, schedule.LearningRateAt(101)); // lr(100): the reference's value
        Assert.Equal(0.3846153846153846, schedule.LearningRateAt(200)); // lr(199)
        Assert.Equal(0.5 / (1 + 0.3 * 2), schedule.LearningRateAt(201)); // lr(200)
    }

    [Fact]
    public void Without_decay_every_epoch_runs_at_the_learning_rate()
    {
        var options = new TrainingOptions { LearningRate = 0.0007, Epochs = 5000 };

        Assert.Equal(0.0007, options.LearningRateAt(0));
        Assert.Equal(0.0007, options.LearningRateAt(4999));
        Assert.Equal(0.0007, options.LearningRateAt(int.MaxValue));
    }

    [Fact]
    public void LearningRateAt_rejects_a_negative_epoch_and_invalid_options()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => s_valid.LearningRateAt(-1));
        Assert.Equal("epoch", negative.ParamName);

        var invalid = Assert.Throws<ArgumentOutOfRangeException>(() => (s_valid with { DecayRate = -1 }).LearningRateAt(3));
        Assert.Equal("options.DecayRate", invalid.ParamName);
    }

    [Fact]
    public void A_with_expression_copies_every_other_option_and_leaves_the_original_alone()
    {
        var original = new TrainingOptions
        {
            LearningRate = 0.0007,
            Epochs = 5000,
            MiniBatchSize = 64,
            ShuffleSeed = 10,
            Beta = 0.8,
            Beta1 = 0.85,
            Beta2 = 0.99,
            Epsilon = 1e-7,
            L2 = 0.7,
            KeepProbability = 0.86,
            DropoutSeed = 4,
            RepeatDropoutMasks = true,
            DecayRate = 0.3,
            DecayInterval = 1000,
            RecordEvery = 1,
        };

        TrainingOptions changed = original with { Epochs = 2000 };

        Assert.Equal(5000, original.Epochs);
        Assert.Equal(2000, changed.Epochs);
        Assert.NotEqual(original, changed);
        Assert.Equal(original, changed with { Epochs = 5000 }); // a record: equal options compare equal
        Assert.Equal(original.GetHashCode(), (changed with { Epochs = 5000 }).GetHashCode());
        Assert.Equal(
            (0.0007, 64, 10, 0.8, 0.85, 0.99, 1e-7, 0.7, 0.86, 4, true, 0.3, 1000, 1),
            (changed.LearningRate, changed.MiniBatchSize, changed.ShuffleSeed, changed.Beta, changed.Beta1, changed.Beta2, changed.Epsilon,
                changed.L2, changed.KeepProbability, changed.DropoutSeed, changed.RepeatDropoutMasks, changed.DecayRate, changed.DecayInterval,
                changed.RecordEvery));
    }

    [Fact]
    public void A_with_expression_can_make_valid_options_invalid_and_Validate_then_says_so()
    {
        TrainingOptions bad = s_valid with { KeepProbability = 0 };

        s_valid.Validate();
        var exception = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.Equal("options.KeepProbability", exception.ParamName);
    }

    private static void AssertRejected(TrainingOptions options, string name, object value)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("options." + name, exception.ParamName);
        Assert.Equal(value, exception.ActualValue);
        string text = value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture)!;
        Assert.Contains($"{name} is {text}", exception.Message, StringComparison.Ordinal);
    }
}
