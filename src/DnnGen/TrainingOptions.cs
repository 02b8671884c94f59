using System;
using System.Globalization;

namespace DnnGen;

/// <summary>
/// How <c>Train(x, y, options)</c> trains a generated network: course 2's training loop ("Improving Deep Neural
/// Networks", weeks 1 and 2) with mini-batches, the attribute's <see cref="Optimizer"/>, learning-rate decay, L2
/// regularisation and inverted dropout. Only <see cref="LearningRate"/> and <see cref="Epochs"/> must be set; every
/// other property has the course's default. Train validates the options when it starts, before anything changes, and a
/// bad value's exception names the property (<c>options.LearningRate</c>), the expected range and the value.
/// </summary>
/// <example>
/// <code>
/// var history = net.Train(x, y, new TrainingOptions { LearningRate = 0.0007, Epochs = 5000, MiniBatchSize = 64, ShuffleSeed = 10 });
/// </code>
/// </example>
public sealed record TrainingOptions
{
    /// <summary>The learning rate alpha (of epoch 0, when it decays): finite and greater than zero. Must be set.</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <summary>How many epochs to run, at least 1: each epoch is one pass over the m examples. Must be set.</summary>
    /// <remarks>
    /// The epochs are numbered on from the network's <c>CompletedEpochs</c> (0 for a new or re-initialised network), so
    /// that a second Train, or one after <c>LoadNpz</c> of a checkpoint, continues the first's shuffles, dropout masks
    /// and learning-rate schedule.
    /// </remarks>
    public int Epochs { get; init; }

    /// <summary>
    /// The examples per mini-batch, at least 0. 0 (the default) is full-batch training: one update per epoch on all m
    /// examples in their order, nothing shuffled. Otherwise each epoch shuffles the examples and splits them into
    /// batches of this size, the last holding the m mod MiniBatchSize left over (a size of m or more: one shuffled
    /// batch).
    /// </summary>
    public int MiniBatchSize { get; init; }

    /// <summary>
    /// The shuffle's seed, at least 0: epoch e shuffles with <c>np.random.seed(ShuffleSeed + 1 + e)</c> and
    /// <c>np.random.permutation(m)</c>, as the course's loop does (it starts from seed = 10 and adds 1 before each epoch).
    /// </summary>
    public int ShuffleSeed { get; init; }

    /// <summary>Momentum's beta, in [0, 1): <c>v = beta v + (1 - beta) dW</c>. Default 0.9. Used by <see cref="Optimizer.Momentum"/> only.</summary>
    public double Beta { get; init; } = 0.9;

    /// <summary>Adam's beta1, in [0, 1): the decay of the first moment v. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's beta2, in [0, 1): the decay of the second moment s. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam's epsilon, finite and greater than zero, added outside the square root. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// The L2 regularisation strength, the course's lambd: finite and at least 0 (0, the default: none). Each mini-batch
    /// of m_b examples minimises <c>J = (1/m_b) sum L + (lambd / (2 m_b)) sum_l ||W[l]||^2</c>, so every dW[l] gains
    /// <c>(lambd / m_b) W[l]</c>; biases are not regularised. With full batches this is the Regularization notebook's
    /// <c>compute_cost_with_regularization</c> and <c>backward_propagation_with_regularization</c>.
    /// </summary>
    public double L2 { get; init; }

    /// <summary>
    /// Inverted dropout's keep_prob, in (0, 1]: each unit of every hidden layer is kept with this probability during
    /// training, <c>A[l] = A[l] * D[l] / keep_prob</c> (never the input or the output layer). 1 (the default): no dropout.
    /// Only Train drops units (Forward, Predict and the gradient check never do), and the cost it reports is that of its
    /// forward passes with dropout, as the course computes it.
    /// </summary>
    public double KeepProbability { get; init; } = 1;

    /// <summary>
    /// The dropout masks' seed, at least 0. Epoch e draws its masks from <c>np.random.seed(DropoutSeed + e)</c>,
    /// mini-batch after mini-batch, D[1] first, each filling the course's (n[l], m_b) shape row-major with
    /// <c>np.random.rand</c>; default 1, the notebook's seed. See <see cref="RepeatDropoutMasks"/>.
    /// </summary>
    public int DropoutSeed { get; init; } = 1;

    /// <summary>
    /// False (the default): fresh masks for every forward pass, as real dropout draws them. True: every forward pass
    /// re-seeds with <see cref="DropoutSeed"/>, so the masks are the same in every iteration, as the Regularization
    /// notebook's <c>np.random.seed(1)</c> at the top of <c>forward_propagation_with_dropout</c> makes them (needed to
    /// reproduce its numbers).
    /// </summary>
    public bool RepeatDropoutMasks { get; init; }

    /// <summary>
    /// The learning-rate decay, finite and at least 0 (0, the default: a constant rate). Epoch 0 runs at
    /// <see cref="LearningRate"/> and epoch e + 1 at <c>LearningRate / (1 + DecayRate * floor(e / DecayInterval))</c>, as
    /// the course's loop sets the rate after each epoch with schedule_lr_decay.
    /// </summary>
    public double DecayRate { get; init; }

    /// <summary>The epochs per step of the decay, at least 1: the course's time_interval (1, the default: update_lr).</summary>
    public int DecayInterval { get; init; } = 1;

    /// <summary>The history keeps every RecordEvery-th epoch's cost (epochs 0, RecordEvery, ...) and the last; at least 1. Default 100.</summary>
    public int RecordEvery { get; init; } = 100;

    /// <summary>The learning rate epoch <paramref name="epoch"/> runs at, as <see cref="DecayRate"/> describes.</summary>
    /// <param name="epoch">The epoch number, at least 0.</param>
    /// <returns><see cref="LearningRate"/> for epoch 0, else <c>LearningRate / (1 + DecayRate * floor((epoch - 1) / DecayInterval))</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The options are not valid, or <paramref name="epoch"/> is negative.</exception>
    public double LearningRateAt(int epoch)
    {
        Validate();
        Guard.AtLeast(epoch, 0, nameof(epoch));
        return RateOf(epoch);
    }

    /// <summary>
    /// The schedule itself, on options already validated and an epoch of at least 0: the course's loop sets the rate of
    /// epoch e + 1 after epoch e, so epoch 0 runs at LearningRate and epoch e at the decay of e - 1.
    /// </summary>
    internal double RateOf(int epoch)
        => epoch == 0 ? LearningRate : Kernels.MiniBatches.LearningRateDecay(LearningRate, DecayRate, epoch - 1, DecayInterval);

    /// <summary>Throws unless every option is in its range, naming the first that is not.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range or not set; its ParamName is <c>options.Name</c>.</exception>
    public void Validate()
    {
        if (double.IsNaN(LearningRate))
        {
            throw NotSet(nameof(LearningRate), LearningRate, "a finite learning rate greater than zero, such as LearningRate = 0.0007");
        }

        Positive(LearningRate, nameof(LearningRate));
        if (Epochs == 0)
        {
            throw NotSet(nameof(Epochs), Epochs, "the number of epochs to run, at least 1, such as Epochs = 5000");
        }

        AtLeast(Epochs, 1, nameof(Epochs));
        AtLeast(MiniBatchSize, 0, nameof(MiniBatchSize));
        AtLeast(ShuffleSeed, 0, nameof(ShuffleSeed));
        Fraction(Beta, nameof(Beta));
        Fraction(Beta1, nameof(Beta1));
        Fraction(Beta2, nameof(Beta2));
        Positive(Epsilon, nameof(Epsilon));
        NonNegative(L2, nameof(L2));
        if (!(KeepProbability > 0 && KeepProbability <= 1))
        {
            throw OutOfRange(nameof(KeepProbability), KeepProbability, "a keep probability greater than 0 and at most 1 (1: no dropout)");
        }

        AtLeast(DropoutSeed, 0, nameof(DropoutSeed));
        NonNegative(DecayRate, nameof(DecayRate));
        AtLeast(DecayInterval, 1, nameof(DecayInterval));
        AtLeast(RecordEvery, 1, nameof(RecordEvery));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw OutOfRange(name, value, "a finite value greater than 0");
        }
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw OutOfRange(name, value, "a finite value of at least 0");
        }
    }

    private static void Fraction(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw OutOfRange(name, value, "a value of at least 0 and less than 1");
        }
    }

    private static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"at least {minimum}"));
        }
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string expected)
        => new("options." + name, value, string.Create(CultureInfo.InvariantCulture, $"Expected {expected}, but {name} is {Format(value)}."));

    // The unset value (NaN, 0) may also have been set explicitly, say from a computation that went wrong: the message says
    // both, and the exception carries the value as the other options' do.
    private static ArgumentOutOfRangeException NotSet(string name, object value, string expected)
        => new("options." + name, value, string.Create(CultureInfo.InvariantCulture, $"{name} is {Format(value)}, which means it is not set: expected {expected}."));

    private static string Format(object value) => value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture)!;
}
