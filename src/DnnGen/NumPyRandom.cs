using System;
using System.Globalization;

namespace DnnGen;

/// <summary>
/// NumPy's legacy <c>numpy.random.RandomState</c>: the MT19937 Mersenne Twister with NumPy's seeding, its
/// 53-bit doubles, its polar Box-Muller normals and its Fisher-Yates permutations. <c>new NumPyRandom(1).NextGaussian()</c> returns the same
/// 1.6243453636632417 as <c>np.random.seed(1); np.random.randn()</c>, so networks initialised from it start
/// from the course's exact weights.
/// </summary>
/// <remarks>An instance is a single stream and is not thread-safe.</remarks>
public sealed class NumPyRandom
{
    private const int StateLength = 624;
    private const int ShiftLength = 397;
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _state = new uint[StateLength];
    private int _position;
    private bool _hasCachedGaussian;
    private double _cachedGaussian;

    /// <summary>Creates a generator seeded as <c>np.random.seed(seed)</c>.</summary>
    public NumPyRandom(uint seed) => Seed(seed);

    /// <summary>Re-seeds as <c>np.random.seed(seed)</c> (the reference <c>init_genrand</c>) and forgets any cached normal.</summary>
    public void Seed(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < StateLength; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked(1812433253u * (previous ^ (previous >> 30)) + (uint)i);
        }

        _position = StateLength;
        _hasCachedGaussian = false;
        _cachedGaussian = 0;
    }

    /// <summary>The next raw 32-bit output of MT19937 (<c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (_position >= StateLength)
        {
            Twist();
        }

        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A double in [0, 1) with 53 random bits, as <c>np.random.rand()</c> / <c>np.random.random_sample()</c>
    /// (legacy <c>random_standard_uniform</c>): <c>((a &gt;&gt; 5) * 67108864 + (b &gt;&gt; 6)) / 2^53</c> from two
    /// 32-bit outputs a, b drawn in that order.
    /// </summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A standard normal value, as <c>np.random.randn()</c> (legacy polar method, one value cached).</summary>
    public double NextGaussian()
    {
        if (_hasCachedGaussian)
        {
            _hasCachedGaussian = false;
            return _cachedGaussian;
        }

        double x1, x2, r2;
        do
        {
            x1 = 2.0 * NextDouble() - 1.0;
            x2 = 2.0 * NextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        }
        while (r2 >= 1.0 || r2 == 0.0);

        double factor = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _cachedGaussian = factor * x1;
        _hasCachedGaussian = true;
        return factor * x2;
    }

    /// <summary>Fills <paramref name="destination"/> in order with standard normals: <c>np.random.randn(rows, cols)</c> for a row-major destination.</summary>
    public void FillStandardNormal(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextGaussian();
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> in order with <see cref="NextDouble"/> values: <c>np.random.rand(rows, cols)</c>
    /// for a row-major (rows, cols) destination, as the course draws its dropout masks
    /// (<c>D = np.random.rand(n, m) &lt; keep_prob</c>). Draws nothing for an empty span and leaves a cached normal
    /// cached, as NumPy does.
    /// </summary>
    /// <param name="destination">The values, row-major; its length is rows * cols.</param>
    public void Rand(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextDouble();
        }
    }

    /// <summary>
    /// A new array holding a random permutation of 0 .. <paramref name="n"/> - 1, as <c>np.random.permutation(n)</c>
    /// (legacy <c>RandomState.permutation</c>: <c>arange(n)</c> then <see cref="Shuffle"/>). The course's
    /// <c>random_mini_batches</c> orders its examples by it.
    /// </summary>
    /// <param name="n">The number of indices, at least 0; 0 gives an empty array and 1 gives [0], neither drawing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public int[] Permutation(int n)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(n),
                n,
                string.Create(CultureInfo.InvariantCulture, $"Expected a permutation length of at least 0 (np.random.permutation(n) needs n >= 0), but n is {n}."));
        }

        var permutation = new int[n];
        Permutation(permutation);
        return permutation;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with a random permutation of 0 .. length - 1 without allocating: the same
    /// values and the same draws as <c>np.random.permutation(destination.Length)</c>.
    /// </summary>
    /// <param name="destination">Receives the permutation; its previous contents are ignored.</param>
    public void Permutation(Span<int> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = i;
        }

        Shuffle(destination);
    }

    /// <summary>
    /// Shuffles <paramref name="values"/> in place, as <c>np.random.shuffle(x)</c> shuffles a one-dimensional array
    /// (legacy <c>RandomState.shuffle</c>): Fisher-Yates from the end, for i = n - 1 down to 1 swapping element i with
    /// element j = <c>random_interval(i)</c>, a uniform integer in [0, i] drawn by masked rejection. Spans of length
    /// 0 and 1 draw nothing. A null array converts to an empty span, which is left as it is.
    /// </summary>
    /// <param name="values">The values to shuffle.</param>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)NextInterval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>
    /// NumPy's legacy <c>random_interval(max)</c>: a uniform integer in [0, <paramref name="max"/>], drawing 32-bit
    /// outputs masked to the smallest all-ones mask that covers max until one is at most max. (NumPy switches to 64-bit
    /// draws above 0xffffffff, which a span's int indices never reach.)
    /// </summary>
    private uint NextInterval(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;

        uint value;
        do
        {
            value = NextUInt32() & mask;
        }
        while (value > max);

        return value;
    }

    private void Twist()
    {
        for (int i = 0; i < StateLength; i++)
        {
            uint y = (_state[i] & UpperMask) | (_state[(i + 1) % StateLength] & LowerMask);
            uint next = _state[(i + ShiftLength) % StateLength] ^ (y >> 1);
            _state[i] = (y & 1) != 0 ? next ^ MatrixA : next;
        }

        _position = 0;
    }
}
