using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Hands the generator model files as a build with DnnGen.targets does: each listed .npz as an additional text file in
/// the encoded format, with the metadata DnnGenSource naming it as listed.
/// </summary>
internal static class ModelFileHarness
{
    /// <summary>The folder the test project notionally lives in.</summary>
    public const string ProjectFolder = "/project";

    /// <summary>
    /// One listed model file: its path as listed, and its bytes (null: listed, but no file at the path). With
    /// <paramref name="Encoded"/> false it reaches the compiler as it is, as without DnnGen.targets.
    /// </summary>
    /// <paramref name="Text"/>, when given, is the encoded file's text instead of what the build logic would write.
    public sealed record Listed(string Path, byte[]? Bytes, bool Encoded = true, string? Text = null);

    /// <summary>The additional text a build writes for <paramref name="file"/>, and the options it gets.</summary>
    public static (AdditionalText Text, AnalyzerConfigOptions Options) Encode(Listed file)
    {
        string fullPath = ProjectFolder + "/" + file.Path;
        if (!file.Encoded)
        {
            return (new InMemoryText(fullPath, Encoding.Latin1.GetString(file.Bytes ?? [])), Options.Empty);
        }

        string encodedPath = ProjectFolder + "/obj/dnngen/" + file.Path.Replace('/', '_') + ".txt";
        return (
            new InMemoryText(encodedPath, file.Text ?? EncodedFormat.Encode(file.Path, fullPath, file.Bytes)),
            new Options(new Dictionary<string, string> { [ModelFiles.SourceMetadata] = file.Path }));
    }

    public static GeneratorDriver CreateDriver(IEnumerable<Listed> files, CSharpParseOptions? parseOptions = null)
        => CreateDriver(files, out _, parseOptions);

    /// <summary>A driver with the files listed; <paramref name="texts"/> are the additional texts it was given, in order.</summary>
    public static GeneratorDriver CreateDriver(IEnumerable<Listed> files, out IReadOnlyList<AdditionalText> texts, CSharpParseOptions? parseOptions = null)
    {
        var encoded = files.Select(Encode).ToList();
        texts = encoded.Select(e => e.Text).ToList();
        return CreateDriver(encoded, parseOptions);
    }

    /// <summary>
    /// A driver given files already encoded, so that a test can replace one with <see cref="GeneratorDriver.ReplaceAdditionalText"/>
    /// (a file encoded anew for the same path gets the same options).
    /// </summary>
    public static GeneratorDriver CreateDriver(List<(AdditionalText Text, AnalyzerConfigOptions Options)> encoded, CSharpParseOptions? parseOptions = null)
    {
        return CSharpGeneratorDriver.Create(
            [new NetworkGenerator().AsSourceGenerator()],
            encoded.Select(e => e.Text),
            parseOptions ?? GeneratorHarness.ParseOptions,
            new OptionsProvider(encoded.ToDictionary(e => e.Text.Path, e => e.Options)),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator once on <paramref name="source"/> with the model files listed.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(string source, params Listed[] files)
    {
        CSharpCompilation input = GeneratorHarness.Compile(source);
        GeneratorDriver driver = CreateDriver(files).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new([]);

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            => values.TryGetValue(key, out value);
    }

    private sealed class OptionsProvider(Dictionary<string, AnalyzerConfigOptions> byPath) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => byPath.TryGetValue(textFile.Path, out AnalyzerConfigOptions? options) ? options : Options.Empty;
    }
}

/// <summary>Writes .npz archives and .npy arrays byte for byte as NumPy does, and damaged ones, for the tests.</summary>
internal static class NpzWriter
{
    /// <summary>A .npy array, format 1.0 (or <paramref name="version"/>), with NumPy's header for the dtype and shape.</summary>
    public static byte[] Npy(string descr, long[] shape, byte[] data, bool fortran = false, int version = 1)
    {
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        string dictionary = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        int prefix = version == 1 ? 10 : 12;
        int padding = 64 - ((prefix + dictionary.Length + 1) % 64);
        string header = dictionary + new string(' ', padding) + "\n";
        var bytes = new MemoryStream();
        bytes.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        if (version == 1)
        {
            bytes.Write(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            bytes.Write(BitConverter.GetBytes((uint)header.Length));
        }

        bytes.Write(Encoding.ASCII.GetBytes(header));
        bytes.Write(data);
        return bytes.ToArray();
    }

    /// <summary>Values as float64 ('&lt;f8'), float32 ('&lt;f4') or their big-endian twins, in the order given.</summary>
    public static byte[] Values(string descr, IEnumerable<double> values)
    {
        var bytes = new MemoryStream();
        foreach (double value in values)
        {
            byte[] item = descr[2] == '8' ? BitConverter.GetBytes(value) : BitConverter.GetBytes((float)value);
            if (descr[0] == '>')
            {
                Array.Reverse(item);
            }

            bytes.Write(item);
        }

        return bytes.ToArray();
    }

    public static byte[] Array2D(double[] values, long rows, long columns, string descr = "<f8")
        => Npy(descr, [rows, columns], Values(descr, values));

    /// <summary>A ZIP archive of the entries, each named NAME.npy, stored (np.savez) or deflated (np.savez_compressed).</summary>
    public static byte[] Archive(IEnumerable<(string Name, byte[] Npy)> entries, bool deflate = false)
    {
        var archive = new MemoryStream();
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] npy) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using Stream stream = entry.Open();
                stream.Write(npy);
            }
        }

        return archive.ToArray();
    }

    /// <summary>
    /// The arrays W1, b1, ..., WL, bL of a network of <paramref name="sizes"/>, C order, values from
    /// <paramref name="value"/>(layer, index within W or b, isBias).
    /// </summary>
    public static List<(string Name, byte[] Npy)> Parameters(int[] sizes, Func<int, int, bool, double> value, string descr = "<f8")
    {
        var arrays = new List<(string, byte[])>();
        for (int l = 1; l < sizes.Length; l++)
        {
            int layer = l;
            arrays.Add(($"W{l}", Npy(descr, [sizes[l], sizes[l - 1]], Values(descr, Enumerable.Range(0, sizes[l] * sizes[l - 1]).Select(i => value(layer, i, false))))));
            arrays.Add(($"b{l}", Npy(descr, [sizes[l], 1], Values(descr, Enumerable.Range(0, sizes[l]).Select(i => value(layer, i, true))))));
        }

        return arrays;
    }

    /// <summary>Pseudo-random weights in (-1, 1) and biases in (-0.1, 0.1), the same for the same arguments.</summary>
    public static double Weight(int layer, int index, bool isBias)
    {
        ulong x = (ulong)(layer * 1_000_003 + index * 7919 + (isBias ? 17 : 0)) * 0x9E3779B97F4A7C15UL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 32;
        double unit = (x >> 11) * (1.0 / (1UL << 53));
        return (2 * unit - 1) * (isBias ? 0.1 : 1);
    }

    public static byte[] Network(int[] sizes, string descr = "<f8", bool deflate = false)
        => Archive(Parameters(sizes, Weight, descr), deflate);
}
