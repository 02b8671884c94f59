using System;
using System.IO;
using System.Linq;

namespace CatClassifier;

/// <summary>Where the course's .h5 files are looked for: --data, then $DNNGEN_DATA, then ../shared/data.</summary>
public static class DataDirectory
{
    /// <summary>The environment variable that names the data folder when --data is not given.</summary>
    public const string EnvironmentVariable = "DNNGEN_DATA";

    /// <summary>The folders to try, in order, as full paths.</summary>
    public static string[] Candidates(string? argument)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return new[] { argument, fromEnvironment, Path.Combine("..", "shared", "data") }
            .Where(path => !string.IsNullOrWhiteSpace(path))
            .Select(path => Path.GetFullPath(path!))
            .ToArray();
    }

    /// <summary>The first candidate that holds the training file, or null.</summary>
    public static string? Find(string[] candidates)
        => candidates.FirstOrDefault(directory => File.Exists(Path.Combine(directory, CatDataset.TrainFileName)));
}
