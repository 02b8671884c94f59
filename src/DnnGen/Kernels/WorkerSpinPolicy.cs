using System;

namespace DnnGen.Kernels;

/// <summary>
/// How long an idle worker of <see cref="WorkerPool"/> spins for the next job before it blocks, decided from how long
/// it waited for its last few jobs: a pure function, so that the rule is tested without clocks.
/// </summary>
/// <remarks>
/// <para>
/// Spinning pays only when the next job comes within the spin window (<see cref="Dense.WorkerSpinTime"/>): a job that
/// comes later finds the worker asleep anyway, and every microsecond spun before it is a core's time burnt for nothing.
/// A program that predicts once a millisecond with a 200 us window burns a fifth of a core that way.
/// </para>
/// <para>
/// So a worker remembers its last <see cref="History"/> waits (from running out of pieces to finding the next job).
/// A wait no longer than the window is a <em>hit</em>: spinning would have caught that job. The worker spins only if
/// at least half of the remembered waits are hits, and then for twice the longest hit plus an eighth of the window
/// (the headroom for a job that comes a little later than the last ones), never longer than the window. Back-to-back
/// jobs (training iterations, a loop of predictions) are all hits and keep today's hand-over; jobs that come rarely
/// relative to the window are all misses and the worker blocks at once; a mix of bursts and pauses spins only as long
/// as the bursts' gaps call for.
/// </para>
/// </remarks>
internal static class WorkerSpinPolicy
{
    /// <summary>How many of its last waits a worker remembers.</summary>
    public const int History = 8;

    /// <summary>
    /// A wait not yet measured (a worker's first jobs): counted as a hit as long as the window, so that a new worker
    /// spins the whole window, as a training run's first iterations need.
    /// </summary>
    public const long Unknown = -1;

    /// <summary>
    /// Remembers <paramref name="wait"/> in place of the oldest of <paramref name="waits"/>, whose index
    /// <paramref name="oldest"/> is, and moves <paramref name="oldest"/> on to the next.
    /// </summary>
    public static void Record(Span<long> waits, ref int oldest, long wait)
    {
        waits[oldest] = wait;
        oldest = (oldest + 1) % waits.Length;
    }

    /// <summary>
    /// The spin, in the same ticks as the arguments, for a worker whose last waits were <paramref name="waits"/>
    /// (<see cref="Unknown"/> for one not measured yet) with a spin window of <paramref name="windowTicks"/>.
    /// </summary>
    /// <returns>0 (block at once) when the window is 0 or fewer than half of the waits are hits; otherwise
    /// <c>min(window, 2 * longest hit + window / 8)</c>.</returns>
    public static long SpinTicks(ReadOnlySpan<long> waits, long windowTicks)
    {
        if (windowTicks <= 0 || waits.IsEmpty)
        {
            return 0;
        }

        int hits = 0;
        long longestHit = 0;
        foreach (long wait in waits)
        {
            long hit = wait == Unknown ? windowTicks : wait;
            if (hit >= 0 && hit <= windowTicks)
            {
                hits++;
                longestHit = Math.Max(longestHit, hit);
            }
        }

        if (2 * hits < waits.Length)
        {
            return 0;
        }

        // longestHit <= windowTicks, so neither product overflows for any window a TimeSpan setting can give.
        return Math.Min(windowTicks, (2 * longestHit) + Math.Max(1, windowTicks / 8));
    }
}
