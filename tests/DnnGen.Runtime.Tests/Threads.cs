using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// Runs test code with <see cref="Dense.MaxDegreeOfParallelism"/> set, and puts the setting back however the code
/// ends, so that a failing assertion leaves the other tests their default.
/// </summary>
internal static class Threads
{
    /// <summary>Runs <paramref name="body"/> once for each thread count, with the setting at that count.</summary>
    public static void Each(int[] counts, Action<int> body)
    {
        int saved = Dense.MaxDegreeOfParallelism;
        try
        {
            foreach (int count in counts)
            {
                Dense.MaxDegreeOfParallelism = count;
                body(count);
            }
        }
        finally
        {
            Dense.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>Returns what <paramref name="body"/> returns with the setting at <paramref name="count"/>.</summary>
    public static T With<T>(int count, Func<T> body)
    {
        T result = default!;
        Each([count], _ => result = body());
        return result;
    }
}
