using System;
using System.Collections;
using System.Collections.Generic;

namespace DnnGen.Generator;

/// <summary>
/// An immutable array compared by its elements, so that pipeline models holding sequences stay equal across
/// compilations and the incremental generator can cache them (ImmutableArray compares by reference).
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? _items;

    public EquatableArray(T[] items) => _items = items;

    public int Count => _items?.Length ?? 0;

    public T this[int index] => _items![index];

    /// <summary>
    /// Element by element; doubles by their bits, so that baked weights 0.0 and -0.0 (which == calls equal) are told
    /// apart and a file that changes one of them into the other regenerates its network.
    /// </summary>
    public bool Equals(EquatableArray<T> other)
    {
        if (_items is double[] doubles && other._items is double[] others)
        {
            if (doubles.Length != others.Length)
            {
                return false;
            }

            for (int i = 0; i < doubles.Length; i++)
            {
                if (BitConverter.DoubleToInt64Bits(doubles[i]) != BitConverter.DoubleToInt64Bits(others[i]))
                {
                    return false;
                }
            }

            return true;
        }

        return AsSpan().SequenceEqual(other.AsSpan());
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in AsSpan())
        {
            hash = unchecked(hash * 31 + (item?.GetHashCode() ?? 0));
        }

        return hash;
    }

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan();

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
