using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;

namespace CatClassifier;

/// <summary>
/// The <c>dotnet run</c> process that started this one, when it did. For about a second after it starts the app,
/// <c>dotnet run</c> keeps recompiling its own hot methods (tiered compilation's background tier-1 JIT) on another core:
/// watched through /proc on a 2-vCPU Zen 3, it used 0.5-0.6 s of CPU after the app had started, and stopped using any
/// with <c>DOTNET_TieredCompilation=0</c> in its environment. Training uses both cores, so a timed run that overlapped
/// that compilation printed 0.21-0.25 ms per iteration where the others printed 0.13-0.16 (3 of 10 runs).
/// </summary>
/// <remarks>
/// Linux only (it reads /proc); elsewhere, and when the parent is anything but <c>dotnet run</c> (a shell, a test host),
/// <see cref="WaitUntilIdle"/> returns at once.
/// </remarks>
public static class DotnetRunParent
{
    // The parent counts as idle when its CPU time (in clock ticks of 10 ms) has not moved over two polls.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Waits until the <c>dotnet run</c> that started this process has used no CPU for two polls (50 ms), for at most
    /// <paramref name="limit"/>; returns how long it waited (zero when the parent is not <c>dotnet run</c>).
    /// </summary>
    public static TimeSpan WaitUntilIdle(TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || ParentId() is not int parent || !IsDotnetRun(parent))
        {
            return TimeSpan.Zero;
        }

        long started = Stopwatch.GetTimestamp();
        long? last = CpuTicks(parent);
        int quiet = 0;
        while (last is not null && quiet < 2 && Stopwatch.GetElapsedTime(started) < limit)
        {
            cancellationToken.WaitHandle.WaitOne(Poll);
            cancellationToken.ThrowIfCancellationRequested();
            long? now = CpuTicks(parent);
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>This process's parent, from /proc/self/stat (field 4), or null where it cannot be read.</summary>
    private static int? ParentId() =>
        ReadStat("self") is { } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : null;

    /// <summary>
    /// Whether a command line (its words, as /proc/PID/cmdline separates them with NULs) is <c>dotnet run</c>: the
    /// dotnet host, by any path, then <c>run</c>. <c>dotnet test</c>, <c>dotnet exec</c> and a shell are not.
    /// </summary>
    public static bool IsDotnetRun(IReadOnlyList<string> words) =>
        words.Count > 1 && Path.GetFileName(words[0]) == "dotnet" && words[1] == "run";

    /// <summary>Whether process <paramref name="id"/> is <c>dotnet run</c>.</summary>
    private static bool IsDotnetRun(int id)
    {
        try
        {
            return IsDotnetRun(File.ReadAllText($"/proc/{id}/cmdline").Split('\0'));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Process <paramref name="id"/>'s user and system CPU time in clock ticks (fields 14 and 15 of its stat), or null once it is gone.</summary>
    private static long? CpuTicks(int id) =>
        ReadStat(id.ToString(CultureInfo.InvariantCulture)) is { } fields
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out long user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out long system)
            ? user + system
            : null;

    /// <summary>
    /// The fields of a /proc/PID/stat line after the command name, which is in parentheses and may hold spaces and
    /// parentheses of its own: [0] is field 3 (the state), [1] field 4 (the parent), [11] and [12] fields 14 and 15 (the
    /// CPU times). Null for a line too short to hold them.
    /// </summary>
    public static string[]? StatFields(string stat)
    {
        int end = stat.LastIndexOf(')');
        string[] fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return end > 0 && fields.Length > 12 ? fields : null;
    }

    /// <summary>The fields of /proc/<paramref name="process"/>/stat (see <see cref="StatFields"/>), or null where it cannot be read.</summary>
    private static string[]? ReadStat(string process)
    {
        try
        {
            return StatFields(File.ReadAllText($"/proc/{process}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
