using System;
using System.IO;
using Spectre.Console;

namespace CatClassifier;

/// <summary>
/// Everything the program takes from its process: where it writes, whether a person is watching, the environment and
/// the current folder. Tests run the program in-process with their own writers and environment.
/// </summary>
public sealed class CatConsole
{
    /// <summary>Where results go (standard output).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Where problems go (standard error).</summary>
    public required TextWriter Error { get; init; }

    /// <summary>
    /// The terminal, when standard output is one: training then shows a live progress bar. Null when output is
    /// redirected, so logs and scripts get plain lines only.
    /// </summary>
    public IAnsiConsole? Terminal { get; init; }

    /// <summary>Reads an environment variable (for $DNNGEN_DATA).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The folder relative paths are resolved against.</summary>
    public string CurrentDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The process's console: a terminal gets the progress bar, redirected output gets plain lines.</summary>
    public static CatConsole FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Terminal = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive ? AnsiConsole.Console : null,
    };

    /// <summary>A path from the command line as a full path, relative to <see cref="CurrentDirectory"/>.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
