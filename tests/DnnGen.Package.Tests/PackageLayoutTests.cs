using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>What `dotnet pack` put in DnnGen.VERSION.nupkg and its .snupkg.</summary>
public sealed partial class PackageLayoutTests(PackageFixture package)
{
    private const string Library = "lib/net8.0/DnnGen.dll";
    private const string Generator = "analyzers/dotnet/cs/DnnGen.Generator.dll";
    private const string Diagnostics = "docs/diagnostics.md";
    private const string PackageReadme = "src/DnnGen/PACKAGE.md";
    private const string CodeFixes = "analyzers/dotnet/cs/DnnGen.CodeFixes.dll";

    // The build logic that writes each listed .npz and .onnx as text for the generator (Weights = "cat.npz"): imported
    // into the project that references the package, and into the projects that reference that one.
    private const string BuildLogic = "build/DnnGen.targets";
    private const string TransitiveBuildLogic = "buildTransitive/DnnGen.targets";

    [Fact]
    public void The_package_holds_the_library_the_generator_its_code_fixes_its_build_logic_its_readme_the_diagnostics_and_the_license()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);

        string[] files = PackageFiles(zip);

        Assert.Equal(["DnnGen.nuspec", "LICENSE", "README.md", CodeFixes, Generator, BuildLogic, TransitiveBuildLogic, Diagnostics, Library, "lib/net8.0/DnnGen.xml"], files);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, PackageReadme)), ReadText(zip, "README.md"));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, Diagnostics)), ReadText(zip, Diagnostics));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "LICENSE")), ReadText(zip, "LICENSE"));
        string targets = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "DnnGen", "build", "DnnGen.targets"));
        Assert.Equal(targets, ReadText(zip, BuildLogic));
        Assert.Equal(targets, ReadText(zip, TransitiveBuildLogic));
    }

    /// <summary>
    /// A package page shows the readme away from the repository, where a relative link leads nowhere; and the
    /// repository's set-up steps are no use to a user of the package.
    /// </summary>
    [Fact]
    public void The_package_readme_is_its_own_with_no_relative_links_and_names_the_diagnostics_it_ships()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        string readme = ReadText(zip, "README.md");

        Assert.NotEqual(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")), readme);
        string[] relative = Links(readme).Where(target => !AbsoluteLink().IsMatch(target)).ToArray();
        Assert.True(relative.Length == 0, $"{PackageReadme} links to {string.Join(", ", relative)}, which a package page cannot reach.");
        Assert.DoesNotContain("## Set-up", readme);
        Assert.DoesNotContain("dotnet test", readme);
        Assert.Contains($"`{Diagnostics}` inside this package", readme);
        Assert.Contains("DnnGen is not on nuget.org yet", readme);
    }

    [Fact]
    public void The_nuspec_names_the_license_readme_and_its_one_dependency_and_no_address_that_does_not_exist()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        XElement metadata = XDocument.Parse(ReadText(zip, "DnnGen.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

        Assert.Equal("DnnGen", Element("id").Value);
        Assert.Equal(package.Version, Element("version").Value);
        Assert.EndsWith("-" + package.VersionSuffix, package.Version);
        Assert.Equal("expression", Element("license").Attribute("type")?.Value);
        Assert.Equal("MIT", Element("license").Value);
        Assert.Equal("README.md", Element("readme").Value);
        // DnnGen has no public address yet: a project or repository URL would lead nowhere.
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName == "projectUrl");
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName == "repository" && e.Attribute("url") is not null);
        Assert.False(string.IsNullOrWhiteSpace(Element("description").Value));

        // The generated code needs the runtime library, System.Numerics.Tensors and the base library: nothing else.
        XElement group = Element("dependencies").Elements().Single();
        Assert.Equal("net8.0", group.Attribute("targetFramework")?.Value);
        Assert.Equal(["System.Numerics.Tensors"], group.Elements().Select(d => d.Attribute("id")?.Value));
    }

    [Fact]
    public void The_symbols_package_holds_the_library_pdb()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.SymbolPackagePath);

        Assert.Equal(["DnnGen.nuspec", "lib/net8.0/DnnGen.pdb"], PackageFiles(zip));
    }

    [Fact]
    public void The_library_is_trimmable_and_references_only_the_base_library_and_tensors()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        using var pe = new PEReader(ReadBytes(zip, Library));
        MetadataReader reader = pe.GetMetadataReader();

        // IsTrimmable (which IsAotCompatible implies) stamps the assembly so that the trimmer and ILC analyse it.
        Assert.Contains(("IsTrimmable", "True"), AssemblyMetadata(reader));
        string frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        foreach (string name in References(reader).Select(reference => reference.Name))
        {
            Assert.True(
                name == "System.Numerics.Tensors" || File.Exists(Path.Combine(frameworkDirectory, name + ".dll")),
                $"{Library} references {name}, which is neither in the base library nor System.Numerics.Tensors.");
        }
    }

    [Fact]
    public void The_generator_needs_only_netstandard_and_Roslyn_4_14()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        using var pe = new PEReader(ReadBytes(zip, Generator));

        // A compiler loads the generator beside its own Roslyn, System.Collections.Immutable and System.Memory:
        // anything else would not be found. Roslyn 4.14 is what makes the README's minimum SDK 9.0.300.
        Assert.Equal(
            [("Microsoft.CodeAnalysis", "4.14.0.0"), ("Microsoft.CodeAnalysis.CSharp", "4.14.0.0"), ("netstandard", "2.0.0.0"), ("System.Collections.Immutable", "9.0.0.0"), ("System.Memory", "4.0.1.2")],
            References(pe.GetMetadataReader()).Select(r => (r.Name, r.Version.ToString())).Order());
    }

    [Fact]
    public void The_code_fixes_need_only_netstandard_Roslyn_4_14_and_its_workspaces()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.PackagePath);
        using var pe = new PEReader(ReadBytes(zip, CodeFixes));

        // An IDE loads the code fixes into its own Roslyn host, which has the Workspaces layer and MEF
        // (System.Composition) beside the compiler's assemblies; a compiler never loads them, as they hold no analyzer
        // or generator. Roslyn 4.14, as the generator, so that an IDE that runs the generator can run its fixes.
        Assert.Equal(
            [
                ("Microsoft.CodeAnalysis", "4.14.0.0"), ("Microsoft.CodeAnalysis.CSharp", "4.14.0.0"), ("Microsoft.CodeAnalysis.Workspaces", "4.14.0.0"),
                ("netstandard", "2.0.0.0"), ("System.Collections.Immutable", "9.0.0.0"), ("System.Composition.AttributedModel", "9.0.0.0"),
            ],
            References(pe.GetMetadataReader()).Select(r => (r.Name, r.Version.ToString())).Order());
    }

    /// <summary>
    /// The targets of the Markdown links and images in <paramref name="markdown"/>: inline <c>[text](target)</c>,
    /// reference definitions <c>[label]: target</c>, and HTML <c>href</c> and <c>src</c> attributes.
    /// </summary>
    private static IEnumerable<string> Links(string markdown) =>
        LinkTarget().Matches(markdown).Select(match => match.Groups["target"].Value);

    [GeneratedRegex(@"\]\(\s*<?(?<target>[^)\s>]*)|^\s*\[[^\]]+\]:\s*<?(?<target>\S+?)>?\s*$|\b(?:href|src)\s*=\s*[""']?(?<target>[^""'\s>]*)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"\A(?:https|http|mailto):", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteLink();

    /// <summary>The package's own files, without the parts the packaging format adds.</summary>
    private static string[] PackageFiles(ZipArchive zip) =>
        zip.Entries.Select(entry => entry.FullName)
            .Where(name => !name.StartsWith("_rels/", StringComparison.Ordinal) && !name.StartsWith("package/", StringComparison.Ordinal) && name != "[Content_Types].xml")
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string ReadText(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(Open(zip, name));
        return reader.ReadToEnd();
    }

    private static MemoryStream ReadBytes(ZipArchive zip, string name)
    {
        var copy = new MemoryStream();
        using (Stream entry = Open(zip, name))
        {
            entry.CopyTo(copy);
        }

        copy.Position = 0;
        return copy;
    }

    private static Stream Open(ZipArchive zip, string name) =>
        (zip.GetEntry(name) ?? throw new InvalidOperationException($"The package has no {name}.")).Open();

    private static IEnumerable<(string Name, Version Version)> References(MetadataReader reader) =>
        reader.AssemblyReferences
            .Select(handle => reader.GetAssemblyReference(handle))
            .Select(reference => (reader.GetString(reference.Name), reference.Version));

    /// <summary>The key and value of each [assembly: AssemblyMetadata(key, value)].</summary>
    private static IEnumerable<(string?, string?)> AssemblyMetadata(MetadataReader reader)
    {
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var type = (TypeReferenceHandle)reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (reader.GetString(reader.GetTypeReference(type).Name) != "AssemblyMetadataAttribute")
            {
                continue;
            }

            // The blob is the prolog 0x0001, then the constructor's two strings.
            BlobReader blob = reader.GetBlobReader(attribute.Value);
            blob.ReadUInt16();
            yield return (blob.ReadSerializedString(), blob.ReadSerializedString());
        }
    }
}
