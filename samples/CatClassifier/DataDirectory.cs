using System.IO;
using System.Linq;

namespace CatClassifier;

/// <summary>Where the course's .h5 files are looked for: --data, then $DNNGEN_DATA, then ../shared/data.</summary>
public static class DataDirectory
{
    /// <summary>The environment variable that names the data folder when --data is not given.</summary>
    public const string EnvironmentVariable = "DNNGEN_DATA";

    /// <summary>
    /// The folders to try, in order, as full paths relative to the console's current folder: only
    /// <paramref name="argument"/> when --data is given (an explicit folder is never silently replaced by another), else
    /// $DNNGEN_DATA when it is set, then ../shared/data.
    /// </summary>
    public static string[] Candidates(string? argument, CatConsole console)
    {
        string? fromEnvironment = console.GetEnvironmentVariable(EnvironmentVariable);
        string?[] paths = string.IsNullOrWhiteSpace(argument)
            ? [fromEnvironment, Path.Combine("..", "shared", "data")]
            : [argument];
        return paths
            .Where(path => !string.IsNullOrWhiteSpace(path))
            .Select(path => console.FullPath(path!))
            .Distinct()
            .ToArray();
    }

    /// <summary>The first candidate that holds the training file, or null.</summary>
    public static string? Find(string[] candidates)
        => candidates.FirstOrDefault(directory => File.Exists(Path.Combine(directory, CatDataset.TrainFileName)));
}
