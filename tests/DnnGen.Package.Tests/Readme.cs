using System.Text.RegularExpressions;
using DnnGen.Tests.Shared;

namespace DnnGen.Package.Tests;

/// <summary>
/// The repository's README, read the way its reader would: the tests take the code, the project properties and the
/// generated file's path from it, so that what it tells a new user is what they run.
/// </summary>
internal static partial class Readme
{
    public const string FirstNetworkHeading = "## Your first network in 60 seconds";
    public const string GeneratedCodeHeading = "### Reading the generated code";

    private static readonly Lazy<string> s_text = new(() => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")).ReplaceLineEndings("\n"));

    /// <summary>The text under <paramref name="heading"/>, up to the next heading of the same or a higher level.</summary>
    public static string Section(string heading)
    {
        string[] lines = s_text.Value.Split('\n');
        int start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"README.md has no heading '{heading}'.");
        int level = HeadingLevel(heading);
        bool inCode = false;
        int end = start + 1;
        for (; end < lines.Length; end++)
        {
            inCode ^= lines[end].StartsWith("```", StringComparison.Ordinal);
            int endLevel = HeadingLevel(lines[end]);
            if (!inCode && endLevel > 0 && endLevel <= level)
            {
                break;
            }
        }

        return string.Join("\n", lines[(start + 1)..end]) + "\n";
    }

    /// <summary>The C# files a section shows: each csharp code block whose first line is a comment naming its file.</summary>
    public static IReadOnlyDictionary<string, string> CSharpFiles(string section)
    {
        var files = new Dictionary<string, string>();
        foreach (Match block in CodeBlock().Matches(section))
        {
            Match name = FileNameComment().Match(block.Groups["body"].Value);
            if (block.Groups["language"].Value == "csharp" && name.Success)
            {
                files.Add(name.Groups["file"].Value, block.Groups["body"].Value);
            }
        }

        return files;
    }

    /// <summary>The only code block of <paramref name="language"/> in a section that contains <paramref name="text"/>.</summary>
    public static string CodeBlockContaining(string section, string language, string text)
    {
        string[] blocks = CodeBlock().Matches(section)
            .Where(block => block.Groups["language"].Value == language && block.Groups["body"].Value.Contains(text, StringComparison.Ordinal))
            .Select(block => block.Groups["body"].Value)
            .ToArray();
        Assert.True(blocks.Length == 1, $"Expected one {language} block containing '{text}' in the README section, found {blocks.Length}.");
        return blocks[0];
    }

    /// <summary>The bodies of the code blocks of <paramref name="language"/> in a Markdown text.</summary>
    public static IEnumerable<string> CodeBlocks(string markdown, string language) =>
        CodeBlock().Matches(markdown.ReplaceLineEndings("\n"))
            .Where(block => block.Groups["language"].Value == language)
            .Select(block => block.Groups["body"].Value);

    /// <summary>1 for "# ...", 2 for "## ...", and so on; 0 for a line that is not a heading.</summary>
    private static int HeadingLevel(string line)
    {
        int hashes = line.Length - line.TrimStart('#').Length;
        return hashes > 0 && line.Length > hashes && line[hashes] == ' ' ? hashes : 0;
    }

    [GeneratedRegex(@"^```(?<language>\w*)\n(?<body>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"\A// (?<file>[\w.]+\.cs)\n")]
    private static partial Regex FileNameComment();
}
