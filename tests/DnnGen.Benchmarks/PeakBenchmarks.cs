using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// The machine's arithmetic floor, for the README's "percent of peak": a loop of fused multiply-adds on the widest
/// accelerated vectors, twelve independent chains (more than the FMA units' latency times their number on any current
/// x86 core), on one thread and on two. Every call does <see cref="FlopsPerThread"/> floating-point operations per
/// thread, so GFLOP/s = threads * FlopsPerThread / median.
/// </summary>
[MedianColumn]
public class PeakBenchmarks
{
    /// <summary>Loop trips per call and thread.</summary>
    public const int Trips = 1 << 18;

    /// <summary>Independent accumulators: twelve vectors.</summary>
    public const int Chains = 12;

    /// <summary>Floating-point operations per call and thread for <typeparamref name="T"/>: each FMA counts two per lane.</summary>
    public static long FlopsPerThread<T>()
        where T : unmanaged
        => 2L * Chains * Trips * Vector512<T>.Count;

    [Benchmark(Description = "peak FMA loop, float64, 1 thread (50.3 MFLOP)")]
    public double DoubleOneThread() => ChainDouble(1.0000001, 0.9999999);

    [Benchmark(Description = "peak FMA loop, float64, 2 threads (2 x 50.3 MFLOP)")]
    public double DoubleTwoThreads() => Twice(() => ChainDouble(1.0000001, 0.9999999));

    [Benchmark(Description = "peak FMA loop, float32, 1 thread (101 MFLOP)")]
    public float SingleOneThread() => ChainSingle(1.0000001f, 0.9999999f);

    [Benchmark(Description = "peak FMA loop, float32, 2 threads (2 x 101 MFLOP)")]
    public float SingleTwoThreads() => Twice(() => ChainSingle(1.0000001f, 0.9999999f));

    private static T Twice<T>(System.Func<T> work)
        where T : System.Numerics.INumber<T>
    {
        Task<T> other = Task.Factory.StartNew(work, TaskCreationOptions.LongRunning);
        T mine = work();
        return mine + other.Result;
    }

    // Vector512 runs as two 256-bit halves where the machine has no AVX-512, so the count of operations holds either way.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double ChainDouble(double scale, double offset)
    {
        Vector512<double> a = Vector512.Create(scale), b = Vector512.Create(offset);
        Vector512<double> s0 = Vector512.Create((double)1), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
        Vector512<double> s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < Trips; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, a, b);
            s1 = Vector512.FusedMultiplyAdd(s1, a, b);
            s2 = Vector512.FusedMultiplyAdd(s2, a, b);
            s3 = Vector512.FusedMultiplyAdd(s3, a, b);
            s4 = Vector512.FusedMultiplyAdd(s4, a, b);
            s5 = Vector512.FusedMultiplyAdd(s5, a, b);
            s6 = Vector512.FusedMultiplyAdd(s6, a, b);
            s7 = Vector512.FusedMultiplyAdd(s7, a, b);
            s8 = Vector512.FusedMultiplyAdd(s8, a, b);
            s9 = Vector512.FusedMultiplyAdd(s9, a, b);
            s10 = Vector512.FusedMultiplyAdd(s10, a, b);
            s11 = Vector512.FusedMultiplyAdd(s11, a, b);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float ChainSingle(float scale, float offset)
    {
        Vector512<float> a = Vector512.Create(scale), b = Vector512.Create(offset);
        Vector512<float> s0 = Vector512.Create((float)1), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
        Vector512<float> s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < Trips; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, a, b);
            s1 = Vector512.FusedMultiplyAdd(s1, a, b);
            s2 = Vector512.FusedMultiplyAdd(s2, a, b);
            s3 = Vector512.FusedMultiplyAdd(s3, a, b);
            s4 = Vector512.FusedMultiplyAdd(s4, a, b);
            s5 = Vector512.FusedMultiplyAdd(s5, a, b);
            s6 = Vector512.FusedMultiplyAdd(s6, a, b);
            s7 = Vector512.FusedMultiplyAdd(s7, a, b);
            s8 = Vector512.FusedMultiplyAdd(s8, a, b);
            s9 = Vector512.FusedMultiplyAdd(s9, a, b);
            s10 = Vector512.FusedMultiplyAdd(s10, a, b);
            s11 = Vector512.FusedMultiplyAdd(s11, a, b);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }
}
