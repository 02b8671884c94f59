using DnnGen.Package.Tests;
using DnnGen.Tests.Shared;

// One package for the whole run, and one test at a time: each test runs builds that want both cores.
[assembly: AssemblyFixture(typeof(PackageFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace DnnGen.Package.Tests;

/// <summary>
/// Packs src/DnnGen once per run, as a release would, into a local folder feed in a temporary folder outside the
/// repository. The version is a prerelease of its own (0.1.0-test.TIME.rRANDOM), so no DnnGen that an earlier run
/// left in the NuGet cache can stand in for it; at the end the feed, the apps and that version's copy in the NuGet
/// cache are deleted.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private const string ProjectFile = "src/DnnGen/DnnGen.csproj";
    private string? _cachedCopy;

    public PackageFixture()
    {
        VersionSuffix = $"test.{DateTime.UtcNow:yyyyMMddHHmmss}.r{Guid.NewGuid():N}"[..32];
        Root = Path.Combine(Path.GetTempPath(), "dnngen-package-tests-" + VersionSuffix);
        Feed = Path.Combine(Root, "feed");
    }

    /// <summary>The temporary folder that holds the feed and the apps.</summary>
    public string Root { get; }

    /// <summary>The local folder feed: the .nupkg and the .snupkg.</summary>
    public string Feed { get; }

    public string VersionSuffix { get; }

    /// <summary>The package's version, as read from the name of the file pack made.</summary>
    public string Version { get; private set; } = "";

    public string PackagePath { get; private set; } = "";

    public string SymbolPackagePath { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (Path.GetFullPath(Root).StartsWith(RepositoryPaths.Root, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The temporary folder {Root} is inside the repository {RepositoryPaths.Root}.");
        }

        // MSBuild and NuGet read these from every folder above a project: one left in /tmp would change the apps.
        string[] strays = Ancestors(Root)
            .SelectMany(folder => new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" }
                .Select(name => Path.Combine(folder, name)))
            .Where(File.Exists)
            .ToArray();
        if (strays.Length > 0)
        {
            throw new InvalidOperationException("Files above the temporary folder would change how the apps build: " + string.Join(", ", strays));
        }

        Directory.CreateDirectory(Feed);
        await Commands.DotNetWithoutWarnings(
            RepositoryPaths.Root,
            "pack", Path.Combine(RepositoryPaths.Root, ProjectFile), "-c", "Release",
            "--version-suffix", VersionSuffix,
            // Build outputs of their own, so that the repository's bin/ and obj/ stay as the solution's build left them.
            "--artifacts-path", Path.Combine(Root, "pack"),
            "-o", Feed);

        string[] packages = Directory.GetFiles(Feed, "DnnGen.*.nupkg");
        if (packages.Length != 1)
        {
            throw new InvalidOperationException($"Expected one DnnGen .nupkg in {Feed}, found: {string.Join(", ", packages)}");
        }

        PackagePath = packages[0];
        Version = Path.GetFileNameWithoutExtension(PackagePath)["DnnGen.".Length..];
        SymbolPackagePath = Path.ChangeExtension(PackagePath, ".snupkg");

        CommandResult locals = await Commands.DotNet(Root, "nuget", "locals", "global-packages", "--list");
        string globalPackages = locals.Output.Trim()["global-packages:".Length..].Trim();
        _cachedCopy = Path.Combine(globalPackages, "dnngen", Version.ToLowerInvariant());
    }

    public ValueTask DisposeAsync()
    {
        DeleteIfPresent(_cachedCopy);
        DeleteIfPresent(Root);
        return ValueTask.CompletedTask;
    }

    private static void DeleteIfPresent(string? folder)
    {
        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<string> Ancestors(string folder)
    {
        for (var directory = new DirectoryInfo(folder).Parent; directory is not null; directory = directory.Parent)
        {
            yield return directory.FullName;
        }
    }
}
