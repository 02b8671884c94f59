using System;
using DnnGen;

namespace Digits;

/// <summary>
/// NumPy's legacy <c>np.random.permutation(n)</c> on DnnGen's <see cref="NumPyRandom"/>, so that a split made here is
/// the split NumPy makes: <c>np.random.seed(0); np.random.permutation(10)</c> is [2, 8, 4, 9, 1, 6, 7, 3, 0, 5].
/// </summary>
public static class NumPyPermutation
{
    /// <summary>
    /// <c>np.random.permutation(count)</c>: 0, 1, ..., count - 1 shuffled as RandomState.shuffle does (Fisher-Yates
    /// from the end; for i = count - 1 down to 1, swap i with j = random_interval(i), which draws 32-bit values masked
    /// to the smallest power of two above i and rejects those above i).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static int[] Create(NumPyRandom random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var values = new int[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i;
        }

        for (int i = count - 1; i >= 1; i--)
        {
            int j = (int)Interval(random, (uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }

        return values;
    }

    /// <summary>NumPy's random_interval(max) for max below 2^32: a uniform value in [0, max] by masked rejection.</summary>
    private static uint Interval(NumPyRandom random, uint max)
    {
        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        do
        {
            value = random.NextUInt32() & mask;
        }
        while (value > max);
        return value;
    }
}
