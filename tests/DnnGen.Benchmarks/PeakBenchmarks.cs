using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace DnnGen.Benchmarks;

/// <summary>
/// The machine's arithmetic floor, for the README's "percent of peak": a loop of fused multiply-adds, twelve independent
/// chains (more than the FMA units' latency times their number on any current x86 core), on one thread and on two, on
/// 512-bit vectors and on 256-bit ones. Where the machine has no AVX-512, .NET runs a 512-bit vector as two 256-bit
/// halves, so twelve 512-bit chains need 24 registers of the 16 there are and spill: the 256-bit row (14 registers) is
/// that machine's floor. Every call does <see cref="FlopsPerThread"/> floating-point operations per thread at either
/// width (the 256-bit loop makes twice the trips), so GFLOP/s = threads * FlopsPerThread / median.
/// </summary>
[MedianColumn]
public class PeakBenchmarks
{
    /// <summary>Loop trips per call and thread on 512-bit vectors (twice as many on 256-bit ones).</summary>
    public const int Trips = 1 << 18;

    /// <summary>Independent accumulators: twelve vectors.</summary>
    public const int Chains = 12;

    /// <summary>The vectors' width in bits: 512 or 256.</summary>
    [Params(512, 256)]
    public int VectorBits { get; set; }

    /// <summary>Floating-point operations per call and thread for <typeparamref name="T"/>: each FMA counts two per lane.</summary>
    public static long FlopsPerThread<T>()
        where T : unmanaged
        => 2L * Chains * Trips * Vector512<T>.Count;

    [Benchmark(Description = "peak FMA loop, float64, 1 thread (50.3 MFLOP)")]
    public double DoubleOneThread() => Chain(1.0000001, 0.9999999);

    [Benchmark(Description = "peak FMA loop, float64, 2 threads (2 x 50.3 MFLOP)")]
    public double DoubleTwoThreads() => Twice(() => Chain(1.0000001, 0.9999999));

    [Benchmark(Description = "peak FMA loop, float32, 1 thread (101 MFLOP)")]
    public float SingleOneThread() => Chain(1.0000001f, 0.9999999f);

    [Benchmark(Description = "peak FMA loop, float32, 2 threads (2 x 101 MFLOP)")]
    public float SingleTwoThreads() => Twice(() => Chain(1.0000001f, 0.9999999f));

    private T Chain<T>(T scale, T offset)
        where T : unmanaged, IFloatingPointIeee754<T>
        => VectorBits == 256 ? Chain256(scale, offset) : Chain512(scale, offset);

    private static T Twice<T>(System.Func<T> work)
        where T : INumber<T>
    {
        Task<T> other = Task.Factory.StartNew(work, TaskCreationOptions.LongRunning);
        T mine = work();
        return mine + other.Result;
    }

    // Generic over the element type: the JIT compiles one body for each of double and float, where the FMA is one instruction.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Chain512<T>(T scale, T offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> a = Vector512.Create(scale), b = Vector512.Create(offset);
        Vector512<T> s0 = Vector512.Create(T.One), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
        Vector512<T> s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < Trips; i++)
        {
            s0 = Fma(s0, a, b);
            s1 = Fma(s1, a, b);
            s2 = Fma(s2, a, b);
            s3 = Fma(s3, a, b);
            s4 = Fma(s4, a, b);
            s5 = Fma(s5, a, b);
            s6 = Fma(s6, a, b);
            s7 = Fma(s7, a, b);
            s8 = Fma(s8, a, b);
            s9 = Fma(s9, a, b);
            s10 = Fma(s10, a, b);
            s11 = Fma(s11, a, b);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Chain256<T>(T scale, T offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector256<T> a = Vector256.Create(scale), b = Vector256.Create(offset);
        Vector256<T> s0 = Vector256.Create(T.One), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
        Vector256<T> s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < 2 * Trips; i++)
        {
            s0 = Fma(s0, a, b);
            s1 = Fma(s1, a, b);
            s2 = Fma(s2, a, b);
            s3 = Fma(s3, a, b);
            s4 = Fma(s4, a, b);
            s5 = Fma(s5, a, b);
            s6 = Fma(s6, a, b);
            s7 = Fma(s7, a, b);
            s8 = Fma(s8, a, b);
            s9 = Fma(s9, a, b);
            s10 = Fma(s10, a, b);
            s11 = Fma(s11, a, b);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
        where T : unmanaged
        => typeof(T) == typeof(double)
            ? Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>()
            : Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
        where T : unmanaged
        => typeof(T) == typeof(double)
            ? Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>()
            : Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
}
