using System;
using System.IO;
using Xunit;

namespace DnnGen.Tests.Shared;

/// <summary>
/// Finds the NumPy data files of course 2 and the real data sets (course2_circles.npz, digits.npz, ...) for tests
/// that need them, as <see cref="CourseData"/> finds the cat dataset.
/// </summary>
internal static class Course2Data
{
    /// <summary>
    /// The full path of <paramref name="fileName"/> in $DNNGEN_DATA, else in ../shared/data beside the repository.
    /// Absent, the test is skipped with a message on a developer's machine, and fails under CI=true, where the data
    /// must be present.
    /// </summary>
    public static string FindOrSkip(string fileName)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(CatClassifier.DataDirectory.EnvironmentVariable);
        string shared = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "data"));
        string[] folders = fromEnvironment is null ? [shared] : [Path.GetFullPath(fromEnvironment), shared];
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        string message = $"The data file {fileName} is not in {string.Join(" or ", folders)}; set {CatClassifier.DataDirectory.EnvironmentVariable} to the folder holding it.";
        Prerequisite.Missing(message);
        return string.Empty;
    }
}
