using System;
using System.IO;
using CatClassifier;
using Xunit;

namespace DnnGen.Tests.Shared;

/// <summary>Finds the course's cat dataset for tests that need the real files.</summary>
internal static class CourseData
{
    /// <summary>
    /// The data folder: $DNNGEN_DATA, else ../shared/data beside the repository. Absent, the test is skipped with a
    /// message on a developer's machine, and fails under CI=true, where the data must be present.
    /// </summary>
    public static string FindOrSkip()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable);
        string repository = RepositoryPaths.Root;
        string[] candidates = fromEnvironment is null
            ? [Path.Combine(repository, "..", "shared", "data")]
            : [fromEnvironment, Path.Combine(repository, "..", "shared", "data")];
        string? found = DataDirectory.Find(Array.ConvertAll(candidates, Path.GetFullPath));
        if (found is not null)
        {
            return found;
        }

        string message = $"The course's cat dataset is not in {string.Join(" or ", candidates)}; set {DataDirectory.EnvironmentVariable} to its folder.";
        Prerequisite.Missing(message);
        return string.Empty;
    }
}
