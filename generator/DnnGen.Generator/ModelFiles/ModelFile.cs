using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.Generator;

/// <summary>Why a model file that a network names cannot be read; <see cref="None"/> when it can.</summary>
internal enum ModelFileProblem
{
    None = 0,

    /// <summary>The project lists it, but no file is at its path (the build logic wrote an encoded file saying so).</summary>
    Missing = 1,

    /// <summary>The project lists it, but it reached the compiler as it is: DnnGen.targets did not turn it into text.</summary>
    NotEncoded = 2,

    /// <summary>The text form is not what DnnGen.targets writes (edited, truncated, of another format version).</summary>
    Damaged = 3,

    /// <summary>No additional file has the path a network names (only <see cref="ModelFiles.Find"/> says this).</summary>
    NotListed = 4,
}

/// <summary>
/// One binary model file (.npz or .onnx) that the project lists in AdditionalFiles, as the generator receives it:
/// Roslyn hands generators additional files only as text, so the package's build logic (src/DnnGen/build/DnnGen.targets)
/// writes each listed .npz and .onnx as a text file (<see cref="EncodedFormat"/>) and lists that instead, with the
/// metadata DnnGenSource naming the original as the project lists it.
/// </summary>
/// <param name="Source">The path as the project lists it, relative to the project, with '/' separators (<see cref="ModelFiles.Normalize"/>).</param>
/// <param name="FullPath">The original file's full path, for messages.</param>
/// <param name="Problem">Why it cannot be read, or <see cref="ModelFileProblem.None"/>.</param>
/// <param name="Detail">What is wrong, for <see cref="ModelFileProblem.Damaged"/>; empty otherwise.</param>
/// <param name="Bytes">The file's bytes; empty unless <see cref="Problem"/> is None (and empty once a reader has parsed them).</param>
internal sealed record ModelFile(string Source, string FullPath, ModelFileProblem Problem, string Detail, EquatableArray<byte> Bytes)
{
    /// <summary>The extension, lower case, such as ".npz".</summary>
    public string Extension => Path.GetExtension(Source).ToLowerInvariant();

    /// <summary>The same file without its bytes: what a model keeps once a reader has parsed them.</summary>
    public ModelFile WithoutBytes() => this with { Bytes = default };
}

/// <summary>
/// The text form of a model file that DnnGen.targets writes and the generator reads, format 1: header lines
/// <c>key: value</c> after a first line <see cref="Magic"/>, an empty line, then the file's bytes in base64 (any line
/// length). The keys are <c>source</c> (the path as listed), <c>path</c> (its full path), and either <c>length</c> (the
/// number of bytes) or <c>missing: true</c> when no file is at the path (and no data follows).
/// </summary>
internal static class EncodedFormat
{
    /// <summary>The first line of every encoded model file.</summary>
    public const string Magic = "DnnGen encoded model file, format 1";

    /// <summary>
    /// The file's text form: what DnnGen.targets writes for <paramref name="bytes"/> (null: no file at the path). The
    /// tests use it to hand the generator what a build would.
    /// </summary>
    public static string Encode(string source, string fullPath, byte[]? bytes)
    {
        var text = new System.Text.StringBuilder();
        text.Append(Magic).Append('\n');
        text.Append("source: ").Append(source).Append('\n');
        text.Append("path: ").Append(fullPath).Append('\n');
        if (bytes is null)
        {
            text.Append("missing: true\n");
            return text.ToString();
        }

        text.Append("length: ").Append(bytes.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append('\n');
        string base64 = Convert.ToBase64String(bytes);
        for (int start = 0; start < base64.Length; start += 76)
        {
            text.Append(base64, start, Math.Min(76, base64.Length - start)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Reads an encoded file; the problem says what is wrong when it is not one DnnGen.targets wrote.</summary>
    public static ModelFile Decode(string source, SourceText text, CancellationToken cancellationToken)
    {
        string content = text.ToString();
        int position = 0;
        string? NextLine()
        {
            if (position >= content.Length)
            {
                return null;
            }

            int end = content.IndexOf('\n', position);
            string line = end < 0 ? content.Substring(position) : content.Substring(position, end - position);
            position = end < 0 ? content.Length : end + 1;
            return line.TrimEnd('\r');
        }

        string fullPath = source;
        ModelFile Damaged(string detail) => new(source, fullPath, ModelFileProblem.Damaged, detail, default);

        if (NextLine() != Magic)
        {
            return Damaged("its first line is not '" + Magic + "'");
        }

        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        for (string? line = NextLine(); !string.IsNullOrEmpty(line); line = NextLine())
        {
            int colon = line!.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Damaged("its header line '" + line + "' is not 'key: value'");
            }

            header[line.Substring(0, colon)] = line.Substring(colon + 2);
        }

        if (header.TryGetValue("path", out string? path))
        {
            fullPath = path;
        }

        if (header.TryGetValue("missing", out string? missing) && missing == "true")
        {
            return new ModelFile(source, fullPath, ModelFileProblem.Missing, string.Empty, default);
        }

        if (!header.TryGetValue("length", out string? lengthText)
            || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            return Damaged("its header gives no length");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var base64 = new System.Text.StringBuilder(content.Length - position);
        for (int i = position; i < content.Length; i++)
        {
            char c = content[i];
            if (c is not ('\n' or '\r' or ' ' or '\t'))
            {
                base64.Append(c);
            }
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.ToString());
        }
        catch (FormatException)
        {
            return Damaged("its data is not base64");
        }

        if (bytes.Length != length)
        {
            return Damaged(string.Format(CultureInfo.InvariantCulture, "its data are {0} bytes, but its header says {1}", bytes.Length, length));
        }

        return new ModelFile(source, fullPath, ModelFileProblem.None, string.Empty, new EquatableArray<byte>(bytes));
    }
}

/// <summary>
/// The model files of a compilation, and how a network finds the one it names. Shared by every attribute that reads a
/// model file: [Network(..., Weights = "x.npz")] and [NetworkFromOnnx("x.onnx")].
/// </summary>
internal static class ModelFiles
{
    /// <summary>The item metadata DnnGen.targets sets on each encoded file, as the generator's analyzer config shows it.</summary>
    public const string SourceMetadata = "build_metadata.AdditionalFiles.DnnGenSource";

    /// <summary>The extensions DnnGen.targets encodes.</summary>
    public static readonly string[] Extensions = { ".npz", ".onnx" };

    /// <summary>
    /// Every encoded model file of the compilation, decoded, and every listed .npz or .onnx that reached the compiler
    /// as it is (<see cref="ModelFileProblem.NotEncoded"/>, named by its full path, unread). Other additional files give
    /// nothing, and an unchanged file keeps its value, so the networks that read it stay cached.
    /// </summary>
    public static IncrementalValuesProvider<ModelFile> Create(IncrementalGeneratorInitializationContext context)
        => context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => Read(pair.Left, pair.Right.GetOptions(pair.Left), cancellationToken))
            .Where(static file => file is not null)
            .Select(static (file, _) => file!);

    private static ModelFile? Read(AdditionalText text, AnalyzerConfigOptions options, CancellationToken cancellationToken)
    {
        if (options.TryGetValue(SourceMetadata, out string? source) && !string.IsNullOrEmpty(source))
        {
            SourceText? content = text.GetText(cancellationToken);
            string normalized = Normalize(source);
            return content is null
                ? new ModelFile(normalized, text.Path, ModelFileProblem.Damaged, "the compiler could not read it", default)
                : EncodedFormat.Decode(normalized, content, cancellationToken);
        }

        // A binary file the build logic did not encode: only its name is looked at (reading it would be CS2015).
        string extension = Path.GetExtension(text.Path).ToLowerInvariant();
        return Array.IndexOf(Extensions, extension) >= 0
            ? new ModelFile(Normalize(text.Path), text.Path, ModelFileProblem.NotEncoded, string.Empty, default)
            : null;
    }

    /// <summary>A path as written in an attribute or listed in the project, with '/' separators and no "./" segments.</summary>
    public static string Normalize(string path)
    {
        string normalized = path.Trim().Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized.Substring(2);
        }

        return normalized.Replace("/./", "/");
    }

    /// <summary>
    /// The file a network names by <paramref name="named"/> among <paramref name="files"/>, each <typeparamref name="TFile"/>
    /// a parsed model file whose <see cref="ModelFile"/> <paramref name="header"/> gives; or, when there is none that
    /// can be read, null and why (the text after "names 'x'" in DNNG0025, or the damage for DNNG0026).
    /// </summary>
    public static TFile? Find<TFile>(ImmutableArray<TFile> files, Func<TFile, ModelFile> header, string named, out ModelFileProblem problem, out string why)
        where TFile : class
    {
        string wanted = Normalize(named);
        TFile? notEncoded = null;
        string? otherCase = null;
        foreach (TFile file in files)
        {
            ModelFile model = header(file);
            if (model.Problem == ModelFileProblem.NotEncoded)
            {
                // Named by its full path: it is the file when the path ends with the listed one.
                if (model.Source == wanted || model.Source.EndsWith("/" + wanted, StringComparison.Ordinal))
                {
                    notEncoded ??= file;
                }

                continue;
            }

            if (model.Source == wanted)
            {
                problem = model.Problem;
                why = model.Problem switch
                {
                    ModelFileProblem.Missing => "the project lists it, but there is no file at '" + model.FullPath + "'",
                    ModelFileProblem.Damaged => "the text form DnnGen's build logic made of it is damaged: " + model.Detail + "; rebuild, so that the build logic writes it again",
                    _ => string.Empty,
                };
                return model.Problem == ModelFileProblem.None ? file : null;
            }

            if (string.Equals(model.Source, wanted, StringComparison.OrdinalIgnoreCase))
            {
                otherCase ??= model.Source;
            }
        }

        problem = ModelFileProblem.NotListed;
        if (notEncoded is not null)
        {
            problem = ModelFileProblem.NotEncoded;
            why = "the project lists it, but it reached the compiler as it is, and a compiler hands generators only text: DnnGen's build logic (build/DnnGen.targets in the package), which writes each listed .npz and .onnx as text before compiling, did not run. Reference DnnGen as a PackageReference, or import DnnGen.targets in the project";
        }
        else if (otherCase is not null)
        {
            why = "it is not among the project's additional files, which list '" + otherCase + "', a path that differs in case: write the path as listed";
        }
        else
        {
            why = "it is not among the project's additional files; list it in the project file, <ItemGroup><AdditionalFiles Include=\"" + wanted + "\" /></ItemGroup>, with its path relative to the project (DnnGen reads only the files a project lists)";
        }

        return null;
    }
}
