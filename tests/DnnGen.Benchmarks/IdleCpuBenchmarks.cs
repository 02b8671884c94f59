using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using DnnGen.Kernels;

namespace DnnGen.Benchmarks;

/// <summary>How the worker threads wait between calls in <see cref="IdleCpuBenchmarks"/>.</summary>
public enum WorkerSpin
{
    /// <summary>Every worker spins the whole 200 us after every call (<c>Dense.AdaptiveWorkerSpin = false</c>): DnnGen's behaviour before the setting.</summary>
    Fixed200us,

    /// <summary>The default: a 200 us window, spun only as long as the workers' recent waits call for.</summary>
    Adaptive200us,
}

/// <summary>
/// The idle cost of the worker threads: a program that predicts one example with the cat network (float32, whose
/// first layer is shared with the workers) about once a millisecond. BenchmarkDotNet's Mean is the wall time per call
/// (the prediction and the 1 ms sleep after it); the "CPU/call" column is the process's CPU time per call, all
/// threads together (the caller's prediction, and whatever the workers spin or do to wake up), and "cores busy" that
/// CPU time over the wall time.
/// </summary>
/// <remarks>
/// The CPU time is <see cref="Environment.CpuUsage"/> before and after each invocation of <see cref="Calls"/> calls,
/// summed over every invocation of the process (pilot, warm-up and measured alike: they are the same steady loop),
/// and handed to the columns, which run in BenchmarkDotNet's host process, through a file in the temporary folder.
/// </remarks>
[Config(typeof(IdleCpuConfig))]
[MemoryDiagnoser]
public class IdleCpuBenchmarks
{
    /// <summary>Predictions per invocation: about 0.2 s of wall time each.</summary>
    public const int Calls = 200;

    private readonly CatSingle _cat = new();
    private readonly float[] _image = new float[CatSingle.InputSize];
    private readonly float[] _probability = new float[1];
    private TimeSpan _cpu;
    private long _wallTicks;
    private long _calls;
    private TimeSpan _savedSpinTime;
    private bool _savedAdaptive;

    [Params(WorkerSpin.Fixed200us, WorkerSpin.Adaptive200us)]
    public WorkerSpin Spin { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A failed run leaves no figure behind rather than the previous run's.
        string path = ResultPath(Spin);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        _savedSpinTime = Dense.WorkerSpinTime;
        _savedAdaptive = Dense.AdaptiveWorkerSpin;
        Dense.WorkerSpinTime = TimeSpan.FromMicroseconds(200);
        Dense.AdaptiveWorkerSpin = Spin == WorkerSpin.Adaptive200us;
        _cat.InitializeParameters(seed: 1);
        var random = new NumPyRandom(2);
        for (int i = 0; i < _image.Length; i++)
        {
            _image[i] = (float)random.NextDouble();
        }

        _cat.Predict(_image, _probability);
    }

    [Benchmark(OperationsPerInvoke = Calls, Description = "cat predict, 1 example, every 1 ms, float32")]
    public float PredictEveryMillisecond()
    {
        TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
        long wallBefore = Stopwatch.GetTimestamp();
        for (int call = 0; call < Calls; call++)
        {
            _cat.Predict(_image, _probability);
            Thread.Sleep(1);
        }

        _wallTicks += Stopwatch.GetTimestamp() - wallBefore;
        _cpu += Environment.CpuUsage.TotalTime - cpuBefore;
        _calls += Calls;
        return _probability[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Dense.WorkerSpinTime = _savedSpinTime;
        Dense.AdaptiveWorkerSpin = _savedAdaptive;
        if (_calls == 0)
        {
            return;
        }

        double cpuMicroseconds = _cpu.TotalMicroseconds / _calls;
        double coresBusy = _cpu.TotalSeconds / ((double)_wallTicks / Stopwatch.Frequency);
        string line = string.Create(CultureInfo.InvariantCulture, $"{cpuMicroseconds:R}\t{coresBusy:R}\t{_calls}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {Spin}: {cpuMicroseconds:F1} us of CPU per call, {coresBusy:P1} of a core, over {_calls} calls"));

        // Written beside and then moved over the result, so that a reader never sees half a file.
        string path = ResultPath(Spin);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, line);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Where the benchmark process leaves its figures for the columns.</summary>
    internal static string ResultPath(WorkerSpin spin)
        => Path.Combine(Path.GetTempPath(), "dnngen-benchmarks", "idle-cpu-" + spin + ".txt");

    /// <summary>The figures of one case, or null when its process left none.</summary>
    internal static (double CpuMicroseconds, double CoresBusy)? ReadResult(WorkerSpin spin)
    {
        string path = ResultPath(spin);
        if (!File.Exists(path))
        {
            return null;
        }

        string[] fields = File.ReadAllText(path).Split('\t');
        return (double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>Adds the CPU columns to <see cref="IdleCpuBenchmarks"/>.</summary>
public sealed class IdleCpuConfig : ManualConfig
{
    public IdleCpuConfig()
    {
        AddColumn(new IdleCpuColumn(cores: false), new IdleCpuColumn(cores: true));
    }
}

/// <summary>The process CPU time per call, or the share of a core it comes to, of an <see cref="IdleCpuBenchmarks"/> case.</summary>
internal sealed class IdleCpuColumn(bool cores) : IColumn
{
    public string Id => cores ? "IdleCpu.CoresBusy" : "IdleCpu.CpuPerCall";

    public string ColumnName => cores ? "cores busy" : "CPU/call";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => cores ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => cores
        ? "Process CPU time (all threads) over wall time, while predicting once a millisecond"
        : "Process CPU time (all threads) per prediction, the 1 ms sleep included";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Parameters["Spin"] is not WorkerSpin spin || IdleCpuBenchmarks.ReadResult(spin) is not { } result)
        {
            return "n/a";
        }

        return cores
            ? result.CoresBusy.ToString("P1", CultureInfo.InvariantCulture)
            : result.CpuMicroseconds.ToString("F1", CultureInfo.InvariantCulture) + " us";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
