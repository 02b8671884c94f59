using System;
using System.IO;

namespace Moons;

/// <summary>
/// Everything the program takes from its process: where it writes, the environment and the current folder. Tests run
/// the program in-process with their own writers and environment.
/// </summary>
public sealed class MoonsConsole
{
    /// <summary>Where results go (standard output).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Where problems go (standard error).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Reads an environment variable (for $DNNGEN_DATA).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The folder relative paths are resolved against.</summary>
    public string CurrentDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The process's console.</summary>
    public static MoonsConsole FromProcess() => new() { Out = Console.Out, Error = Console.Error };

    /// <summary>A path from the command line as a full path, relative to <see cref="CurrentDirectory"/>.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
