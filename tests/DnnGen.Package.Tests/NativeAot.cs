using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>
/// What publishing with PublishAot needs besides the ILCompiler packages NuGet restores: on Linux, ILCompiler links the
/// executable with clang, against zlib. A machine without them (a fresh one) skips the NativeAOT tests with a message
/// that says what to install; under CI=true, where .ci/run installs both, they run and fail without them.
/// </summary>
internal static class NativeAot
{
    public const string Install = "apt-get install clang zlib1g-dev";

    private static readonly string[] IncludeFolders = ["/usr/include", "/usr/local/include"];

    /// <summary>Where a Linux linker finds libraries by default, the multiarch folders (x86_64-linux-gnu, ...) included.</summary>
    private static IEnumerable<string> LibraryFolders()
    {
        foreach (string folder in new[] { "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib" }.Where(Directory.Exists))
        {
            yield return folder;
            foreach (string multiarch in Directory.EnumerateDirectories(folder, "*-linux-gnu*"))
            {
                yield return multiarch;
            }
        }
    }

    /// <summary>Skips the test (or fails it under CI=true) unless this machine can link a NativeAOT executable.</summary>
    public static void RequireToolchain()
    {
        string? missing = MissingToolchain();
        if (missing is null)
        {
            return;
        }

        string message = $"NativeAOT on Linux links with clang and zlib, and {missing}: {Install} (.ci/run does), then run this test again.";
        Prerequisite.Missing(message, message + " Under CI=true the NativeAOT tests run and fail without it.");
    }

    /// <summary>What this machine lacks for a NativeAOT link, in words; null when nothing is missing.</summary>
    private static string? MissingToolchain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var missing = new List<string>();
        bool clang = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, "clang")));
        if (!clang)
        {
            missing.Add("clang is not on PATH");
        }

        if (!IncludeFolders.Any(folder => File.Exists(Path.Combine(folder, "zlib.h"))))
        {
            missing.Add($"zlib.h is not in {string.Join(" or ", IncludeFolders)}");
        }

        if (!LibraryFolders().Any(folder => File.Exists(Path.Combine(folder, "libz.so")) || File.Exists(Path.Combine(folder, "libz.a"))))
        {
            missing.Add("the linker finds no libz.so or libz.a");
        }

        return missing.Count == 0 ? null : string.Join(", ", missing);
    }
}
