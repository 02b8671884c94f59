using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The pool that shares Dense's large products with other cores: every piece of a job runs exactly once, whoever
/// claims it, the caller returns only when all are done, and a failing piece reaches the caller.
/// </summary>
public unsafe class WorkerPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(WorkerPool.MaxPieces)]
    public void Every_piece_runs_exactly_once_and_is_finished_on_return(int pieces)
    {
        var runs = new int[pieces];
        for (int job = 0; job < 20; job++)
        {
            Array.Clear(runs);
            RunCountingJobAndAssertEachPieceRanOnce(runs);
        }
    }

    [Fact]
    public void Jobs_from_many_threads_at_once_each_run_completely()
    {
        // Only one job uses the workers at a time; the others run on their callers. Either way, nothing is lost.
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var runs = new int[37];
            for (int job = 0; job < 200; job++)
            {
                Array.Clear(runs);
                RunCountingJobAndAssertEachPieceRanOnce(runs);
            }
        });
    }

    [Fact]
    public void A_piece_that_throws_fails_the_call_after_the_other_pieces_finish_and_the_pool_stays_usable()
    {
        var runs = new int[16];
        var error = Assert.Throws<InvalidOperationException>(() => RunThrowingJob(runs));
        Assert.Equal("piece 5", error.Message);

        Assert.All(runs, count => Assert.Equal(1, count));

        Array.Clear(runs);
        RunCountingJobAndAssertEachPieceRanOnce(runs);
    }

    [Fact]
    public void A_job_that_finds_the_pool_busy_runs_on_its_caller_with_the_same_contract()
    {
        // flags[0] releases the blocking job's pieces; flags[1] counts the pieces that have started.
        int[] flags = GC.AllocateArray<int>(2, pinned: true);
        var blocking = new Thread(() => WorkerPool.Run(&WaitForRelease, Unsafe.AsPointer(ref flags[0]), 2));
        blocking.Start();
        try
        {
            SpinWait.SpinUntil(() => Volatile.Read(ref flags[1]) > 0);

            // The pool is busy with the blocking job, so this one runs inline: every piece still runs, and the failure
            // comes out after them.
            var runs = new int[16];
            var error = Assert.Throws<InvalidOperationException>(() => RunThrowingJob(runs));
            Assert.Equal("piece 5", error.Message);
            Assert.All(runs, count => Assert.Equal(1, count));
        }
        finally
        {
            Volatile.Write(ref flags[0], 1);
            blocking.Join();
        }
    }

    private static void WaitForRelease(void* state, int piece)
    {
        int* flags = (int*)state;
        Interlocked.Increment(ref flags[1]);
        while (Volatile.Read(ref flags[0]) == 0)
        {
            Thread.Yield();
        }
    }

    /// <summary>Runs a job of one piece per element of <paramref name="runs"/> (all zero) that counts its pieces.</summary>
    private static void RunCountingJobAndAssertEachPieceRanOnce(int[] runs)
    {
        fixed (int* counts = runs)
        {
            WorkerPool.Run(&CountPiece, counts, runs.Length);
        }

        Assert.All(runs, count => Assert.Equal(1, count));
    }

    private static void RunThrowingJob(int[] runs)
    {
        fixed (int* counts = runs)
        {
            WorkerPool.Run(&ThrowOnPieceFive, counts, runs.Length);
        }
    }

    private static void CountPiece(void* state, int piece) => Interlocked.Increment(ref ((int*)state)[piece]);

    private static void ThrowOnPieceFive(void* state, int piece)
    {
        Interlocked.Increment(ref ((int*)state)[piece]);
        if (piece == 5)
        {
            throw new InvalidOperationException("piece 5");
        }
    }
}
