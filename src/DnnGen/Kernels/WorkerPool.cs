using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace DnnGen.Kernels;

/// <summary>
/// The threads that share the big kernels' work with the calling thread: <c>ProcessorCount - 1</c> background
/// workers that spin briefly between jobs (see <see cref="SpinTime"/>), so that handing half of a few microseconds of
/// work to another core costs well under a microsecond instead of the several that waking a thread-pool thread costs,
/// and nothing is allocated.
/// </summary>
/// <remarks>
/// <para>
/// A job is <c>pieces</c> independent pieces of work. The calling thread publishes it, runs piece 0, then claims and
/// runs further pieces alongside any worker that is awake; a piece goes to whoever claims it first, so a sleeping or
/// descheduled worker never delays the job by more than the piece it is running. The caller returns once every piece is done.
/// Which thread runs a piece must not change its result; the kernels guarantee that by computing each output element
/// with the same code whatever the piece boundaries' owner.
/// </para>
/// <para>
/// One job runs at a time. A caller that finds the pool busy (another thread's job, or a kernel called from inside a
/// piece) runs all of its pieces itself, which is what the cores' being busy calls for anyway.
/// </para>
/// <para>
/// After a job, a worker spins a while waiting for the next one (a training iteration calls the parallel kernels
/// every few hundred microseconds, and back-to-back predictions far more often), then blocks until a job arrives.
/// How long is <see cref="SpinTime"/> (<see cref="Dense.WorkerSpinTime"/>) at most, and, under
/// <see cref="AdaptiveSpin"/>, what <see cref="WorkerSpinPolicy"/> decides from the worker's last waits: jobs that
/// come rarely relative to the window find the worker asleep instead of costing a spinning core.
/// </para>
/// </remarks>
internal static unsafe class WorkerPool
{
    /// <summary>The default of <see cref="SpinTime"/>: longer than a training iteration's gaps between parallel kernels.</summary>
    public static readonly TimeSpan DefaultSpinTime = TimeSpan.FromMicroseconds(200);

    /// <summary>The longest <see cref="SpinTime"/>: spinning longer than this is a core lost, not a hand-over saved.</summary>
    public static readonly TimeSpan MaxSpinTime = TimeSpan.FromSeconds(1);

    // The spin window in Stopwatch ticks, and whether the adaptive policy shortens it; read by each worker as it runs
    // out of pieces.
    private static long s_spinTicks = ToStopwatchTicks(DefaultSpinTime);
    private static TimeSpan s_spinTime = DefaultSpinTime;
    private static volatile bool s_adaptiveSpin = true;

    // Spin phases the workers have begun (a worker that blocks at once begins none): what the tests observe.
    private static long s_spinPhases;

    // The current job's claim word: generation (bits 32..63), piece count (16..31), next unclaimed piece (0..15).
    // One atomic value, so that a worker's claim is valid for exactly the job it read, never a later one.
    private static long s_claims;

    // When each of the last jobs was posted, by generation modulo the ring's size: a worker that slept through a job (its
    // caller ran every piece) learns from here when that job came, which is the wait its spin should have covered.
    private const int PostedRing = 16;
    private static readonly long[] s_postedAt = new long[PostedRing];
    private static int s_pending;
    private static delegate*<void*, int, void> s_body;
    private static void* s_state;
    private static ExceptionDispatchInfo? s_failure;

    private static int s_busy;
    private static int s_sleepers;
    private static readonly object s_gate = new();
    private static int s_started;

    /// <summary>The longest an idle worker spins for the next job before it blocks (0: it blocks at once); checked by <see cref="Dense.WorkerSpinTime"/>.</summary>
    public static TimeSpan SpinTime
    {
        get => s_spinTime;
        set
        {
            Debug.Assert(value >= TimeSpan.Zero && value <= MaxSpinTime, "Dense.WorkerSpinTime checks the range.");
            s_spinTime = value;
            Volatile.Write(ref s_spinTicks, ToStopwatchTicks(value));
        }
    }

    /// <summary>Whether workers spin only as long as their recent waits call for (<see cref="WorkerSpinPolicy"/>), or always the whole <see cref="SpinTime"/>.</summary>
    public static bool AdaptiveSpin
    {
        get => s_adaptiveSpin;
        set => s_adaptiveSpin = value;
    }

    /// <summary>How many spin phases the workers have begun since the process started.</summary>
    public static long SpinPhases => Interlocked.Read(ref s_spinPhases);

    /// <summary>The most pieces one job may have (the claim word's 16 bits).</summary>
    public const int MaxPieces = ushort.MaxValue;

    /// <summary>
    /// Runs <c>body(state, piece)</c> for every piece in <c>0 .. pieces - 1</c>, on the calling thread and the
    /// workers at once, and returns when all are done. <paramref name="state"/> must stay valid (pinned or on the
    /// caller's stack) until then. An exception thrown by a piece is rethrown here once every piece has finished.
    /// </summary>
    public static void Run(delegate*<void*, int, void> body, void* state, int pieces)
    {
        Debug.Assert(pieces is > 0 and <= MaxPieces, "A job has 1 to MaxPieces pieces.");
        if (pieces == 1 || Environment.ProcessorCount == 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            RunInline(body, state, pieces);
            return;
        }

        try
        {
            StartWorkers();
            s_body = body;
            s_state = state;
            s_failure = null;
            Volatile.Write(ref s_pending, pieces);

            // Publish with a full fence, then read the sleepers: a worker going to sleep increments s_sleepers and
            // then re-reads the claims, so at least one of the two sides sees the other's write (no lost wake-up).
            // Piece 0 is the caller's and is never offered: the same thread then runs the same piece job after job, and
            // keeps that piece's share of the operands (half of W1, for one prediction of the cat network) in its own
            // core's cache instead of trading halves with a worker that claimed first.
            long generation = (Volatile.Read(ref s_claims) >> 32) + 1;
            s_postedAt[generation % PostedRing] = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref s_claims, (generation << 32) | ((long)pieces << 16) | 1);
            if (Volatile.Read(ref s_sleepers) != 0)
            {
                lock (s_gate)
                {
                    Monitor.PulseAll(s_gate);
                }
            }

            RunPiece(0);
            RunPieces();

            SpinWait spinner = default;
            while (Volatile.Read(ref s_pending) != 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            s_failure?.Throw();
        }
        finally
        {
            s_body = null;
            s_state = null;
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Runs every piece on the calling thread, with the pool's contract: a failing piece does not stop the others, and
    /// the first failure is rethrown once all have run.
    /// </summary>
    private static void RunInline(delegate*<void*, int, void> body, void* state, int pieces)
    {
        ExceptionDispatchInfo? failure = null;
        for (int piece = 0; piece < pieces; piece++)
        {
            // Every piece runs; only the first failure is kept.
            ExceptionDispatchInfo? pieceFailure = Invoke(body, state, piece);
            failure ??= pieceFailure;
        }

        failure?.Throw();
    }

    /// <summary>Runs one piece; returns what it threw, captured for rethrowing, or null.</summary>
    private static ExceptionDispatchInfo? Invoke(delegate*<void*, int, void> body, void* state, int piece)
    {
        try
        {
            body(state, piece);
            return null;
        }
        catch (Exception exception)
        {
            return ExceptionDispatchInfo.Capture(exception);
        }
    }

    /// <summary>Claims and runs pieces of the current job until none is left unclaimed.</summary>
    private static void RunPieces()
    {
        while (true)
        {
            long claims = Volatile.Read(ref s_claims);
            int next = NextPiece(claims);
            if (next >= PieceCount(claims))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref s_claims, claims + 1, claims) != claims)
            {
                continue;
            }

            // The claim holds the job open (s_pending cannot reach 0 without this piece), so the fields RunPiece reads
            // are the claimed job's.
            RunPiece(next);
        }
    }

    /// <summary>Runs one piece of the current job, keeping the first failure for the caller, and counts it done.</summary>
    private static void RunPiece(int piece)
    {
        ExceptionDispatchInfo? failure = Invoke(s_body, s_state, piece);
        if (failure is not null)
        {
            Interlocked.CompareExchange(ref s_failure, failure, null);
        }

        Interlocked.Decrement(ref s_pending);
    }

    private static bool HasUnclaimedPiece()
    {
        long claims = Volatile.Read(ref s_claims);
        return NextPiece(claims) < PieceCount(claims);
    }

    private static int NextPiece(long claims) => (int)(claims & 0xFFFF);

    private static int PieceCount(long claims) => (int)((claims >> 16) & 0xFFFF);

    private static void StartWorkers()
    {
        if (Volatile.Read(ref s_started) != 0 || Interlocked.Exchange(ref s_started, 1) != 0)
        {
            return;
        }

        for (int i = 1; i < Environment.ProcessorCount; i++)
        {
            new Thread(Work) { IsBackground = true, Name = "DnnGen kernel worker " + i }.Start();
        }
    }

    /// <summary>
    /// A worker: run pieces while there are any, spin a while for the next job (as long as the setting and the
    /// policy say), then sleep until one comes; remember how long that wait was, for the next decision.
    /// </summary>
    private static void Work()
    {
        // The worker's own history (no state shared with the callers or the other workers, nothing allocated).
        Span<long> waits = stackalloc long[WorkerSpinPolicy.History];
        waits.Fill(WorkerSpinPolicy.Unknown);
        int oldest = 0;
        while (true)
        {
            RunPieces();

            long idleSince = Stopwatch.GetTimestamp();
            long idleGeneration = Volatile.Read(ref s_claims) >> 32;
            long window = Volatile.Read(ref s_spinTicks);
            long spin = s_adaptiveSpin ? WorkerSpinPolicy.SpinTicks(waits, window) : window;
            if (spin <= 0 || !SpinForJob(idleSince + spin))
            {
                Sleep();
            }

            WorkerSpinPolicy.Record(waits, ref oldest, WaitFor(idleSince, idleGeneration));
        }
    }

    /// <summary>
    /// The wait a spin would have had to cover: from going idle to the posting of the first job since, read from the
    /// ring (or, when the ring no longer holds it, to when the worker found a job). Measuring to when a sleeping worker
    /// found its job would add the wake-up's latency, and the jobs it slept through while their callers ran every piece
    /// themselves: its waits would look long, keep it asleep, and cost every job a wake-up.
    /// </summary>
    private static long WaitFor(long idleSince, long idleGeneration)
    {
        long found = Stopwatch.GetTimestamp() - idleSince;
        long jobsSince = (Volatile.Read(ref s_claims) >> 32) - idleGeneration;
        if (jobsSince < 1 || jobsSince > PostedRing / 2)
        {
            return found;
        }

        long first = Volatile.Read(ref s_postedAt[(idleGeneration + 1) % PostedRing]) - idleSince;
        return Math.Clamp(first, 0, found);
    }

    /// <summary>Spins until a job has an unclaimed piece (true) or the clock passes <paramref name="spinUntil"/> (false).</summary>
    private static bool SpinForJob(long spinUntil)
    {
        Interlocked.Increment(ref s_spinPhases);
        while (!HasUnclaimedPiece())
        {
            if (Stopwatch.GetTimestamp() > spinUntil)
            {
                return false;
            }

            Thread.SpinWait(8);
        }

        return true;
    }

    private static long ToStopwatchTicks(TimeSpan time) => time.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;

    private static void Sleep()
    {
        lock (s_gate)
        {
            Interlocked.Increment(ref s_sleepers);
            try
            {
                while (!HasUnclaimedPiece())
                {
                    Monitor.Wait(s_gate);
                }
            }
            finally
            {
                Interlocked.Decrement(ref s_sleepers);
            }
        }
    }
}
