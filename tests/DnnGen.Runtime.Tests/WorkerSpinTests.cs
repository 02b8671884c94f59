using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// How long the idle workers spin: the rule that decides it from a worker's last waits (a pure function, tested on
/// sequences of waits, without clocks), and the <see cref="Dense.WorkerSpinTime"/> and
/// <see cref="Dense.AdaptiveWorkerSpin"/> settings that steer it.
/// </summary>
public class WorkerSpinPolicyTests
{
    // A 200-tick window stands for the default 200 us: the rule only compares and scales ticks.
    private const long Window = 200;

    [Fact]
    public void A_new_worker_spins_the_whole_window()
    {
        Assert.Equal(Window, WorkerSpinPolicy.SpinTicks(Waits(), Window));
    }

    [Fact]
    public void A_window_of_zero_never_spins_whatever_the_waits()
    {
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(), 0));
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(0, 0, 0, 0, 0, 0, 0, 0), 0));
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(1, 1, 1, 1, 1, 1, 1, 1), 0));
    }

    [Fact]
    public void Back_to_back_jobs_spin_twice_the_longest_wait_plus_an_eighth_of_the_window()
    {
        // Training: every job comes within a few ticks of the last one.
        Assert.Equal((2 * 7) + (Window / 8), WorkerSpinPolicy.SpinTicks(Waits(1, 3, 7, 2, 1, 1, 4, 2), Window));
    }

    [Fact]
    public void The_spin_never_exceeds_the_window()
    {
        Assert.Equal(Window, WorkerSpinPolicy.SpinTicks(Waits(150, 150, 150, 150, 150, 150, 150, Window), Window));
    }

    [Fact]
    public void Jobs_that_come_later_than_the_window_stop_the_spinning()
    {
        // Predicting once a millisecond with a 200 us window: spinning would never catch a job.
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000), Window));
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(Window + 1, Window + 1, Window + 1, Window + 1, Window + 1, Window + 1, Window + 1, Window + 1), Window));
    }

    [Fact]
    public void Half_of_the_waits_within_the_window_keep_a_spin_as_long_as_they_call_for_and_fewer_stop_it()
    {
        // Two back-to-back predictions every millisecond: half the waits are 5 ticks, so the worker spins 2 x 5 + 25
        // ticks, which catches the second prediction and wastes 35 ticks, not 200, before the pause.
        Assert.Equal((2 * 5) + (Window / 8), WorkerSpinPolicy.SpinTicks(Waits(5, 1000, 5, 1000, 5, 1000, 5, 1000), Window));
        Assert.Equal(0, WorkerSpinPolicy.SpinTicks(Waits(5, 1000, 5, 1000, 5, 1000, 1000, 1000), Window));
    }

    [Fact]
    public void A_worker_adapts_to_a_change_of_pace_within_half_its_history()
    {
        long[] waits = Waits();
        int oldest = 0;

        // A fresh worker, then one prediction a millisecond: it keeps spinning for three misses, then stops.
        var decisions = new long[12];
        for (int job = 0; job < decisions.Length; job++)
        {
            decisions[job] = WorkerSpinPolicy.SpinTicks(waits, Window);
            WorkerSpinPolicy.Record(waits, ref oldest, 1000);
        }

        Assert.Equal([Window, Window, Window, Window, Window, 0, 0, 0, 0, 0, 0, 0], decisions);

        // Then training starts: once half of the history is back-to-back jobs, it spins again.
        for (int job = 0; job < decisions.Length; job++)
        {
            decisions[job] = WorkerSpinPolicy.SpinTicks(waits, Window);
            WorkerSpinPolicy.Record(waits, ref oldest, 10);
        }

        const long Training = (2 * 10) + (Window / 8);
        Assert.Equal([0, 0, 0, 0, Training, Training, Training, Training, Training, Training, Training, Training], decisions);
    }

    [Fact]
    public void Record_replaces_the_oldest_wait_and_wraps_around()
    {
        long[] waits = Waits();
        int oldest = 0;
        for (long wait = 1; wait <= WorkerSpinPolicy.History + 2; wait++)
        {
            WorkerSpinPolicy.Record(waits, ref oldest, wait);
        }

        Assert.Equal([9, 10, 3, 4, 5, 6, 7, 8], waits);
        Assert.Equal(2, oldest);
    }

    /// <summary>A worker's history: the given waits, the rest not measured yet.</summary>
    private static long[] Waits(params long[] measured)
    {
        var waits = new long[WorkerSpinPolicy.History];
        Array.Fill(waits, WorkerSpinPolicy.Unknown);
        measured.CopyTo(waits, 0);
        return waits;
    }
}

/// <summary>Tests that change the workers' spin settings or count their spinning: they run alone.</summary>
[CollectionDefinition(nameof(WorkerSettingsCollection), DisableParallelization = true)]
public sealed class WorkerSettingsCollection;

/// <summary>The spin settings: their range, and what the workers do under them.</summary>
[Collection(nameof(WorkerSettingsCollection))]
public unsafe class WorkerSpinSettingTests
{
    [Fact]
    public void The_spin_time_defaults_to_200_microseconds_and_adapts()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(200), Dense.WorkerSpinTime);
        Assert.True(Dense.AdaptiveWorkerSpin);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(TimeSpan.TicksPerSecond + 1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void A_spin_time_outside_zero_to_one_second_is_rejected_and_the_setting_kept(long ticks)
    {
        TimeSpan saved = Dense.WorkerSpinTime;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.WorkerSpinTime = TimeSpan.FromTicks(ticks));

        Assert.Equal("value", error.ParamName);
        Assert.Equal(TimeSpan.FromTicks(ticks), error.ActualValue);
        Assert.Contains("Expected a time from 00:00:00 (never spin) to 00:00:01.", error.Message, StringComparison.Ordinal);
        Assert.Equal(saved, Dense.WorkerSpinTime);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(TimeSpan.TicksPerSecond)]
    public void A_spin_time_from_zero_to_one_second_is_kept(long ticks)
    {
        TimeSpan saved = Dense.WorkerSpinTime;
        try
        {
            Dense.WorkerSpinTime = TimeSpan.FromTicks(ticks);
            Assert.Equal(TimeSpan.FromTicks(ticks), Dense.WorkerSpinTime);
        }
        finally
        {
            Dense.WorkerSpinTime = saved;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_a_spin_time_of_zero_the_workers_never_spin(bool adaptive)
    {
        SkipOnOneCore();
        WithSettings(TimeSpan.Zero, adaptive, () =>
        {
            // The first job makes every worker leave whatever wait it was in under the old setting.
            RunJobOnEveryWorker();
            long before = WorkerPool.SpinPhases;

            // Each job needs every worker, so each worker has decided after the job before: none may spin.
            for (int job = 0; job < 20; job++)
            {
                RunJobOnEveryWorker();
            }

            Assert.Equal(before, WorkerPool.SpinPhases);
        });
    }

    [Fact]
    public void With_a_fixed_spin_every_worker_spins_after_every_job()
    {
        // The counterpart of the test above: the count it watches does move when workers spin.
        SkipOnOneCore();
        WithSettings(TimeSpan.FromMicroseconds(200), adaptive: false, () =>
        {
            RunJobOnEveryWorker();
            long before = WorkerPool.SpinPhases;
            const int Jobs = 20;
            for (int job = 0; job < Jobs; job++)
            {
                RunJobOnEveryWorker();
            }

            // Each worker decides after every job, but its decision after the first job may have been counted before
            // `before` was read, and its decision after the last may still be coming: so this waits (a while) for that
            // last one rather than race it. A worker that did not spin after every job never reaches the count.
            long expected = Jobs * (long)(Environment.ProcessorCount - 1);
            SpinWait.SpinUntil(() => WorkerPool.SpinPhases - before >= expected, TimeSpan.FromSeconds(5));
            Assert.True(
                WorkerPool.SpinPhases - before >= expected,
                $"{WorkerPool.SpinPhases - before} spin phases after {Jobs} jobs on {Environment.ProcessorCount - 1} workers.");
        });
    }

    [Fact]
    public void Every_piece_runs_once_under_every_setting()
    {
        var runs = new int[64];
        foreach ((TimeSpan spin, bool adaptive) in new[] { (TimeSpan.Zero, true), (TimeSpan.Zero, false), (TimeSpan.FromMicroseconds(1), true), (TimeSpan.FromMicroseconds(200), false) })
        {
            WithSettings(spin, adaptive, () =>
            {
                for (int job = 0; job < 50; job++)
                {
                    Array.Clear(runs);
                    fixed (int* counts = runs)
                    {
                        WorkerPool.Run(&CountPiece, counts, runs.Length);
                    }

                    Assert.All(runs, count => Assert.Equal(1, count));
                }
            });
        }
    }

    private static void SkipOnOneCore()
    {
        if (Environment.ProcessorCount == 1)
        {
            Assert.Skip("One processor: the pool starts no worker, so there is nothing to spin.");
        }
    }

    private static void WithSettings(TimeSpan spin, bool adaptive, Action test)
    {
        TimeSpan savedSpin = Dense.WorkerSpinTime;
        bool savedAdaptive = Dense.AdaptiveWorkerSpin;
        try
        {
            Dense.WorkerSpinTime = spin;
            Dense.AdaptiveWorkerSpin = adaptive;
            test();
        }
        finally
        {
            Dense.WorkerSpinTime = savedSpin;
            Dense.AdaptiveWorkerSpin = savedAdaptive;
        }
    }

    /// <summary>
    /// Runs a job of one piece per thread whose pieces wait for one another, so that the caller and every worker
    /// each run one piece: when it returns, every worker has finished waiting for it.
    /// </summary>
    private static void RunJobOnEveryWorker()
    {
        int[] started = GC.AllocateArray<int>(1, pinned: true);
        WorkerPool.Run(&WaitForAllPieces, Unsafe.AsPointer(ref started[0]), Environment.ProcessorCount);
    }

    private static void WaitForAllPieces(void* state, int piece)
    {
        int* started = (int*)state;
        Interlocked.Increment(ref *started);
        long deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (Volatile.Read(ref *started) < Environment.ProcessorCount)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Piece {piece}: only {Volatile.Read(ref *started)} of {Environment.ProcessorCount} pieces started in 10 s.");
            }

            Thread.Yield();
        }
    }

    private static void CountPiece(void* state, int piece) => Interlocked.Increment(ref ((int*)state)[piece]);
}
