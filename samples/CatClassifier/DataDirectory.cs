using System.IO;
using System.Linq;

namespace CatClassifier;

/// <summary>Where the course's .h5 files are looked for: --data, else $DNNGEN_DATA, else ../shared/data.</summary>
public static class DataDirectory
{
    /// <summary>The environment variable that names the data folder when --data is not given.</summary>
    public const string EnvironmentVariable = "DNNGEN_DATA";

    /// <summary>The folder used when neither --data nor $DNNGEN_DATA is given, relative to the current folder.</summary>
    public static readonly string Fallback = Path.Combine("..", "shared", "data");

    /// <summary>
    /// The data folder, as a full path relative to the console's current folder: <paramref name="argument"/> when
    /// --data is given, else $DNNGEN_DATA when it is set (and not empty), else ../shared/data. A folder that was named,
    /// by --data or by $DNNGEN_DATA, is never silently replaced by another: when it lacks the training file the error
    /// names it and where it came from.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The chosen folder does not hold the training file.</exception>
    public static string Resolve(string? argument, CatConsole console)
    {
        if (!string.IsNullOrWhiteSpace(argument))
        {
            return Require(console.FullPath(argument));
        }

        string? fromEnvironment = console.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            string folder = console.FullPath(fromEnvironment);
            if (Find([folder]) is { } found)
            {
                return found;
            }

            string problem = Directory.Exists(folder) ? $"does not hold {CatDataset.TrainFileName}" : "does not exist";
            throw new DirectoryNotFoundException(
                $"{EnvironmentVariable} names the folder '{folder}', which {problem}. Set {EnvironmentVariable} to the folder holding " +
                $"{CatDataset.TrainFileName} and {CatDataset.TestFileName}, unset it to use {Fallback}, or pass --data DIR.");
        }

        return Require(console.FullPath(Fallback));
    }

    private static string Require(string folder) =>
        Find([folder]) ?? throw new DirectoryNotFoundException(
            $"Cat dataset not found (looked for {CatDataset.TrainFileName} in: {folder}). " +
            $"Pass --data DIR or set {EnvironmentVariable} to the folder holding the course's .h5 files.");

    /// <summary>The first candidate that holds the training file, or null.</summary>
    public static string? Find(string[] candidates)
        => candidates.FirstOrDefault(directory => File.Exists(Path.Combine(directory, CatDataset.TrainFileName)));
}
