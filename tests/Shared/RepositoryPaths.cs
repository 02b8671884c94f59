using System;
using System.IO;

namespace DnnGen.Tests.Shared;

/// <summary>Finds the repository from a test's output folder, so tests can read files kept beside their sources.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder that holds DnnGen.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "DnnGen.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("DnnGen.sln was not found above " + AppContext.BaseDirectory);
    }
}
