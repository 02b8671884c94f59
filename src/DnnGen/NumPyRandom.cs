using System;

namespace DnnGen;

/// <summary>
/// NumPy's legacy <c>numpy.random.RandomState</c>: the MT19937 Mersenne Twister with NumPy's seeding, its
/// 53-bit doubles and its polar Box-Muller normals. <c>new NumPyRandom(1).NextGaussian()</c> returns the same
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

    /// <summary>A double in [0, 1) with 53 random bits, as <c>np.random.random_sample()</c>.</summary>
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
