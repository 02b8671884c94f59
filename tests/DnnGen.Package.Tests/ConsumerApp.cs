using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace DnnGen.Package.Tests;

/// <summary>A console app outside the repository that installs DnnGen from the local feed, as the README says.</summary>
internal sealed partial class ConsumerApp
{
    private ConsumerApp(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    public string Directory { get; }

    public string ProjectFile => System.IO.Path.Combine(Directory, Name + ".csproj");

    /// <summary>
    /// The README's steps: <c>dotnet new console -o NAME</c>, then in its folder <c>dotnet new nugetconfig</c>,
    /// <c>dotnet nuget add source FEED</c> and <c>dotnet add package DnnGen</c>. A target framework other than the
    /// template's is set in the project file before the package is added, as a user of this SDK would for net8.0.
    /// </summary>
    public static async Task<ConsumerApp> Create(PackageFixture package, string name, string? targetFramework = null)
    {
        string parent = System.IO.Path.Combine(package.Root, "apps");
        System.IO.Directory.CreateDirectory(parent);
        await Commands.DotNet(parent, "new", "console", "-o", name);
        var app = new ConsumerApp(name, System.IO.Path.Combine(parent, name));
        if (targetFramework is not null)
        {
            app.EditProject(project => TargetFramework().Replace(project, $"<TargetFramework>{targetFramework}</TargetFramework>", 1));
        }

        await Commands.DotNet(app.Directory, "new", "nugetconfig");
        await Commands.DotNet(app.Directory, "nuget", "add", "source", package.Feed, "--name", "dnngen-local");
        await Commands.DotNet(app.Directory, "add", "package", "DnnGen", "--version", package.Version);
        return app;
    }

    /// <summary>A path inside the app's folder, written with forward slashes.</summary>
    public string Path(string relative) => System.IO.Path.Combine(Directory, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public void Write(string file, string text) => File.WriteAllText(Path(file), text);

    /// <summary>Adds property elements at the top of the project's first PropertyGroup.</summary>
    public void AddProperties(string properties) =>
        EditProject(project =>
        {
            int group = project.IndexOf("<PropertyGroup>", StringComparison.Ordinal);
            Assert.True(group >= 0, "The project file has no <PropertyGroup>:\n" + project);
            return project.Insert(group + "<PropertyGroup>".Length, "\n    " + properties.Trim().Replace("\n", "\n    "));
        });

    /// <summary>Adds an ItemGroup of the given items at the end of the project, as a user would write it.</summary>
    public void AddItems(string items) =>
        EditProject(project =>
        {
            int end = project.LastIndexOf("</Project>", StringComparison.Ordinal);
            Assert.True(end >= 0, "The project file has no </Project>:\n" + project);
            return project.Insert(end, "  <ItemGroup>\n    " + items.Trim().Replace("\n", "\n    ") + "\n  </ItemGroup>\n");
        });

    /// <summary>Publishes for this machine's runtime into <paramref name="output"/>, without a warning.</summary>
    public Task<CommandResult> Publish(string output, params string[] options) =>
        Commands.DotNetWithoutWarnings(Directory, ["publish", "-r", RuntimeInformation.RuntimeIdentifier, "-o", Path(output), .. options]);

    /// <summary>Runs the app's executable from a publish folder.</summary>
    public Task<CommandResult> RunPublished(string output) =>
        Commands.Succeed(Path($"{output}/{Name}{(OperatingSystem.IsWindows() ? ".exe" : "")}"), Directory);

    private void EditProject(Func<string, string> edit) => File.WriteAllText(ProjectFile, edit(File.ReadAllText(ProjectFile)));

    [GeneratedRegex("<TargetFramework>[^<]*</TargetFramework>")]
    private static partial Regex TargetFramework();
}
