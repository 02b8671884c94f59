using System;
using System.ComponentModel;
using System.Globalization;

namespace DnnGen.Kernels;

/// <summary>
/// The course's mini-batches (the Optimization notebook's random_mini_batches) and learning-rate decay
/// (schedule_lr_decay): each epoch shuffles the examples with <c>np.random.seed(seed)</c> and
/// <c>np.random.permutation(m)</c>; batch k holds shuffled examples <c>k * size</c> to <c>(k + 1) * size - 1</c>, the
/// last one the remaining <c>m mod size</c> when size does not divide m.
/// </summary>
/// <remarks>
/// Examples are example-major rows (the course's columns), so a mini-batch is gathered by copying whole rows. Nothing
/// here allocates: the permutation, the generator and the batch buffers are the caller's.
/// </remarks>
// Hidden from IntelliSense: only generated code calls it (users set TrainingOptions.MiniBatchSize and ShuffleSeed).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MiniBatches
{
    /// <summary>
    /// <c>np.random.seed(seed); permutation = np.random.permutation(m)</c> with m = <c>permutation.Length</c>: re-seeds
    /// <paramref name="random"/> and fills <paramref name="permutation"/> with NumPy's legacy Fisher-Yates
    /// permutation of 0 .. m - 1, without allocating.
    /// </summary>
    /// <param name="random">The generator to re-seed and draw from (one per network, reused every epoch).</param>
    /// <param name="seed">The epoch's seed: the course's loop uses <c>seed + 1</c> before each epoch, from 10.</param>
    /// <param name="permutation">Receives the permutation; its previous content is ignored.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Shuffle(NumPyRandom random, uint seed, Span<int> permutation)
    {
        ArgumentNullException.ThrowIfNull(random);
        random.Seed(seed);
        random.Permutation(permutation);
    }

    /// <summary>
    /// Copies example rows: row k of <paramref name="destination"/> is row <c>rows[k]</c> of <paramref name="source"/>,
    /// the course's <c>X[:, permutation[start:end]]</c> in example-major layout.
    /// </summary>
    /// <param name="source">The examples, (m, rowLength) example-major.</param>
    /// <param name="rowLength">The values per example, at least 1.</param>
    /// <param name="rows">The indices of the examples to copy, each in [0, m).</param>
    /// <param name="destination">Receives the rows, (rows.Length, rowLength); must not overlap <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">A length does not match, or an index is out of range; the exception names the argument (and the index).</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Gather<T>(ReadOnlySpan<T> source, int rowLength, ReadOnlySpan<int> rows, Span<T> destination)
    {
        int m = Guard.ExampleCount(source, rowLength, nameof(source));
        Guard.Length<T>(destination, (long)rows.Length * rowLength, nameof(destination), "rows.Length * rowLength");
        for (int k = 0; k < rows.Length; k++)
        {
            int row = rows[k];
            if ((uint)row >= (uint)m)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(rows),
                    row,
                    string.Create(CultureInfo.InvariantCulture, $"Expected example indices from 0 to {m - 1} (source holds {m} examples), but rows[{k}] is {row}."));
            }

            source.Slice(row * rowLength, rowLength).CopyTo(destination.Slice(k * rowLength, rowLength));
        }
    }

    /// <summary>
    /// The number of mini-batches of <paramref name="m"/> examples: <c>ceil(m / batchSize)</c>, the course's
    /// <c>floor(m / size)</c> complete batches and one more when <c>m mod size</c> is not 0. A batch size of 0, or one
    /// of at least m, gives one batch of all m examples (full-batch training).
    /// </summary>
    /// <param name="m">The number of examples, at least 1.</param>
    /// <param name="batchSize">The mini-batch size, at least 0 (0: full batch).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static int BatchCount(int m, int batchSize)
    {
        int size = Size(m, batchSize);
        return m / size + (m % size == 0 ? 0 : 1);
    }

    /// <summary>
    /// The first shuffled example of mini-batch <paramref name="batch"/>: <c>batch * size</c> (0 for a full batch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; <paramref name="batch"/> must be below <see cref="BatchCount"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static int BatchStart(int m, int batchSize, int batch)
    {
        int size = Size(m, batchSize);
        Batch(m, size, batch);
        return batch * size;
    }

    /// <summary>
    /// The number of examples in mini-batch <paramref name="batch"/>: the batch size, except for the last batch when
    /// the size does not divide m, which holds <c>m mod size</c> (all m for a full batch).
    /// </summary>
    /// <param name="m">The number of examples, at least 1.</param>
    /// <param name="batchSize">The mini-batch size, at least 0 (0: full batch).</param>
    /// <param name="batch">The batch, from 0 to <see cref="BatchCount"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static int BatchSize(int m, int batchSize, int batch)
    {
        int size = Size(m, batchSize);
        Batch(m, size, batch);
        return batch < m / size ? size : m % size;
    }

    /// <summary>
    /// The course's schedule_lr_decay: <c>lr0 / (1 + decayRate * floor(epoch / interval))</c>; with
    /// <paramref name="interval"/> 1, its update_lr, <c>lr0 / (1 + decayRate * epoch)</c>.
    /// </summary>
    /// <param name="lr0">The initial learning rate, finite and greater than zero.</param>
    /// <param name="decayRate">The decay rate, finite and at least 0 (0: no decay).</param>
    /// <param name="epoch">The epoch number, at least 0. The course sets the rate after epoch e, so epoch e + 1 runs at the rate of e.</param>
    /// <param name="interval">The epochs per step of the decay (the course's time_interval), at least 1.</param>
    /// <remarks>
    /// <c>floor(epoch / interval)</c> is the integer quotient (which equals Python's <c>np.floor(epoch / interval)</c>
    /// for every int: the quotient of two ints below 2^31 never rounds up to the next integer); then, in double,
    /// <c>q = decayRate * quotient</c>, <c>d = 1 + q</c> and <c>lr0 / d</c>, the course's operations in its order.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; the exception names it.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static double LearningRateDecay(double lr0, double decayRate, int epoch, int interval)
    {
        Guard.PositiveFinite(lr0, nameof(lr0));
        if (!(decayRate >= 0) || double.IsInfinity(decayRate))
        {
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "Expected a finite decay rate of at least 0.");
        }

        Guard.AtLeast(epoch, 0, nameof(epoch));
        Guard.AtLeast(interval, 1, nameof(interval));
        return lr0 / (1 + decayRate * (epoch / interval));
    }

    private static int Size(int m, int batchSize)
    {
        Guard.AtLeast(m, 1, nameof(m));
        Guard.AtLeast(batchSize, 0, nameof(batchSize));
        return batchSize == 0 || batchSize > m ? m : batchSize;
    }

    private static void Batch(int m, int size, int batch)
    {
        int count = m / size + (m % size == 0 ? 0 : 1);
        if ((uint)batch >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batch),
                batch,
                string.Create(CultureInfo.InvariantCulture, $"Expected a mini-batch from 0 to {count - 1} ({m} examples in batches of {size}), but batch is {batch}."));
        }
    }
}
