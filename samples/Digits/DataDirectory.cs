using System.IO;

namespace Digits;

/// <summary>Where digits.npz and diabetes.npz are looked for: --data, else $DNNGEN_DATA, else ../shared/data.</summary>
public static class DataDirectory
{
    /// <summary>The environment variable that names the data folder when --data is not given.</summary>
    public const string EnvironmentVariable = "DNNGEN_DATA";

    /// <summary>The folder used when neither --data nor $DNNGEN_DATA is given, relative to the current folder.</summary>
    public static readonly string Fallback = Path.Combine("..", "shared", "data");

    /// <summary>
    /// The full path of <paramref name="fileName"/>: in the folder <paramref name="argument"/> when --data is given,
    /// else in $DNNGEN_DATA when it is set (and not empty), else in ../shared/data, each relative to the console's
    /// current folder. A folder that was named is never silently replaced by another: when it lacks the file, the
    /// error names the folder, where it came from, and what to pass instead.
    /// </summary>
    /// <exception cref="FileNotFoundException">The chosen folder does not exist or does not hold the file.</exception>
    public static string Resolve(string? argument, string fileName, SampleConsole console)
    {
        if (!string.IsNullOrWhiteSpace(argument))
        {
            return Require(console.FullPath(argument), fileName, "--data names", $"Pass --data DIR with the folder that holds {fileName}.");
        }

        string? fromEnvironment = console.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Require(
                console.FullPath(fromEnvironment), fileName, $"{EnvironmentVariable} names",
                $"Set {EnvironmentVariable} to the folder that holds {fileName}, unset it to use {Fallback}, or pass --data DIR.");
        }

        return Require(
            console.FullPath(Fallback), fileName, $"Neither --data nor {EnvironmentVariable} is given, and the default",
            $"Pass --data DIR or set {EnvironmentVariable} to the folder that holds {fileName}.");
    }

    private static string Require(string folder, string fileName, string origin, string remedy)
    {
        string path = Path.Combine(folder, fileName);
        if (File.Exists(path))
        {
            return path;
        }

        string problem = Directory.Exists(folder) ? $"does not hold {fileName}" : "does not exist";
        throw new FileNotFoundException($"{origin} the folder '{folder}', which {problem}. {remedy}", path);
    }
}
