using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// A generated network's <c>Train(x, y, TrainingOptions)</c>, resolved for one call: the options checked (also in the
/// network's element type), the mini-batch plan for m examples, and the per-epoch learning rate and seeds, for epochs
/// numbered on from the network's CompletedEpochs.
/// </summary>
// Hidden from IntelliSense: only generated code calls it (users pass TrainingOptions).
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TrainingSettings<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TrainingOptions _options;

    private TrainingSettings(TrainingOptions options, int m, int firstEpoch)
    {
        _options = options;
        FirstEpoch = firstEpoch;
        Shuffles = options.MiniBatchSize != 0;
        BatchCount = MiniBatches.BatchCount(m, options.MiniBatchSize);
        BatchSize = MiniBatches.BatchSize(m, options.MiniBatchSize, 0);
        Beta = T.CreateTruncating(options.Beta);
        Beta1 = T.CreateTruncating(options.Beta1);
        Beta2 = T.CreateTruncating(options.Beta2);
        Epsilon = T.CreateTruncating(options.Epsilon);
        KeepProbability = T.CreateTruncating(options.KeepProbability);
    }

    /// <summary>The epochs to run.</summary>
    public int Epochs => _options.Epochs;

    /// <summary>The first epoch's number: the network's CompletedEpochs when Train started.</summary>
    public int FirstEpoch { get; }

    /// <summary>Whether epochs shuffle the examples into mini-batches (MiniBatchSize is not 0).</summary>
    public bool Shuffles { get; }

    /// <summary>The option MiniBatchSize (0: full batch).</summary>
    public int MiniBatchSize => _options.MiniBatchSize;

    /// <summary>Mini-batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>The largest mini-batch's size: the first's.</summary>
    public int BatchSize { get; }

    /// <summary>Momentum's beta in T.</summary>
    public T Beta { get; }

    /// <summary>Adam's beta1 in T.</summary>
    public T Beta1 { get; }

    /// <summary>Adam's beta2 in T.</summary>
    public T Beta2 { get; }

    /// <summary>Adam's epsilon in T.</summary>
    public T Epsilon { get; }

    /// <summary>The course's lambd, in double (lambd / m is formed in double, then rounded to T, as the course's NumPy does in float64).</summary>
    public double L2 => _options.L2;

    /// <summary>keep_prob in T.</summary>
    public T KeepProbability { get; }

    /// <summary>Whether the forward passes drop units (KeepProbability below 1 and a hidden layer to drop them from).</summary>
    public bool Dropout => _options.KeepProbability < 1;

    /// <summary>Whether every forward pass re-seeds the masks with DropoutSeed (the notebook's repeated masks).</summary>
    public bool RepeatDropoutMasks => _options.RepeatDropoutMasks;

    /// <summary>The option DropoutSeed, as a NumPy seed.</summary>
    public uint DropoutSeed => (uint)_options.DropoutSeed;

    /// <summary>The option RecordEvery.</summary>
    public int RecordEvery => _options.RecordEvery;

    /// <summary>
    /// Checks <paramref name="options"/> for a Train over <paramref name="m"/> examples whose first epoch is
    /// <paramref name="firstEpoch"/>, naming the option at fault: its own ranges; the learning rate (decayed to the last
    /// epoch's), epsilon, the betas and the keep probability as <typeparamref name="T"/> holds them, so that no kernel
    /// rejects one in the middle of training; and epoch numbers and seeds that stay in range to the last epoch.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; its ParamName is <c>options.Name</c>.</exception>
    public static TrainingSettings<T> Create(TrainingOptions options, int m, int firstEpoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Guard.LearningRate<T>(options.LearningRate, "options.LearningRate");
        Guard.LearningRate<T>(options.Epsilon, "options.Epsilon");
        // The optimizer and dropout kernels check their arguments in T; a value valid in double that T rounds out of range
        // (0.99999999 to 1f, 1e-50 to 0f) would otherwise throw from a kernel in the middle of training, naming its parameter.
        BelowOne(options.Beta, nameof(options.Beta));
        BelowOne(options.Beta1, nameof(options.Beta1));
        BelowOne(options.Beta2, nameof(options.Beta2));
        if (options.KeepProbability < 1 && !(T.CreateTruncating(options.KeepProbability) > T.Zero))
        {
            throw new ArgumentOutOfRangeException(
                "options.KeepProbability",
                options.KeepProbability,
                Invariant($"Expected a keep probability that {typeof(T).Name} holds as a number greater than 0, but KeepProbability is {options.KeepProbability:R}, which {typeof(T).Name} rounds to 0."));
        }

        Guard.AtLeast(m, 1, nameof(m));
        long last = (long)firstEpoch + options.Epochs - 1;
        if (last + 1 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                "options.Epochs",
                options.Epochs,
                Invariant($"The network has completed {firstEpoch} epochs, and {options.Epochs} more would number epochs beyond {int.MaxValue}. Set CompletedEpochs lower, or run fewer epochs."));
        }

        // No seed can overflow: the last epoch is below int.MaxValue, and ShuffleSeed and DropoutSeed are non-negative ints,
        // so ShuffleSeed + 1 + epoch and DropoutSeed + epoch stay below 2^32 - 1, NumPy's largest seed.

        var settings = new TrainingSettings<T>(options, m, firstEpoch);

        // The rate only falls from epoch to epoch: if the last epoch's is still greater than zero in T, every epoch's is.
        if (options.DecayRate > 0 && !(settings.RateAt((int)last) > T.Zero))
        {
            throw new ArgumentOutOfRangeException(
                "options.DecayRate",
                options.DecayRate,
                Invariant($"With LearningRate {options.LearningRate:R} and DecayRate {options.DecayRate:R}, epoch {last} would run at a learning rate of {options.LearningRateAt((int)last):R}, which is 0 in {typeof(T).Name}. Set a smaller DecayRate, a larger DecayInterval or fewer epochs."));
        }

        return settings;
    }

    private static void BelowOne(double beta, string name)
    {
        if (!(T.CreateTruncating(beta) < T.One))
        {
            throw new ArgumentOutOfRangeException(
                "options." + name,
                beta,
                Invariant($"Expected a value that {typeof(T).Name} holds as a number below 1, but {name} is {beta:R}, which {typeof(T).Name} rounds to 1."));
        }
    }

    /// <summary>The learning rate of epoch <paramref name="epoch"/> in T (see <see cref="TrainingOptions.LearningRateAt"/>).</summary>
    public T RateAt(int epoch) => T.CreateTruncating(_options.RateOf(epoch));

    /// <summary>The seed epoch <paramref name="epoch"/> shuffles with: ShuffleSeed + 1 + epoch.</summary>
    public uint ShuffleSeedOf(int epoch) => (uint)(_options.ShuffleSeed + 1L + epoch);

    /// <summary>The seed epoch <paramref name="epoch"/> draws its dropout masks from: DropoutSeed + epoch.</summary>
    public uint DropoutSeedOf(int epoch) => (uint)(_options.DropoutSeed + (long)epoch);

    /// <summary>Whether the history keeps epoch <paramref name="epoch"/>: every RecordEvery-th and the last of this call.</summary>
    public bool Records(int epoch) => epoch % _options.RecordEvery == 0 || epoch == FirstEpoch + _options.Epochs - 1;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
