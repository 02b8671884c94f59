using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;
using Digits;

namespace DnnGen.Samples.Tests;

internal static class DigitsApp
{
    /// <summary>
    /// Runs the Digits program as `Digits args` would, with <paramref name="folder"/> as the current folder and only
    /// the environment variables given (none by default, so $DNNGEN_DATA of the machine does not leak in).
    /// </summary>
    public static RunResult Run(string folder, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new SampleConsole
        {
            Out = output,
            Error = error,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
            CurrentDirectory = folder,
        };
        int exitCode = DigitsProgram.Run(args, console);
        return new RunResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The number after <paramref name="prefix"/> on a printed line.</summary>
    public static double Number(string line, string prefix)
    {
        Assert.StartsWith(prefix, line);
        string rest = line[prefix.Length..];
        int end = rest.IndexOf(' ', StringComparison.Ordinal);
        return double.Parse(end < 0 ? rest : rest[..end], CultureInfo.InvariantCulture);
    }
}

/// <summary>Writes small .npz archives (.npy format 1.0, little-endian) for tests of malformed data.</summary>
internal static class NpzWriter
{
    public static void Write(string path, params (string Name, int[] Shape, double[] Values)[] arrays)
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach ((string name, int[] shape, double[] values) in arrays)
        {
            using Stream entry = zip.CreateEntry(name + ".npy").Open();
            string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
            string header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shapeText}, }}";
            // The magic (6), version (2) and length (2), then the header padded with spaces to a multiple of 64, ending in \n.
            int padded = (10 + header.Length + 1 + 63) / 64 * 64;
            header = header.PadRight(padded - 10 - 1) + "\n";
            entry.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
            entry.Write(Encoding.ASCII.GetBytes(header));
            foreach (double value in values)
            {
                entry.Write(BitConverter.GetBytes(value));
            }
        }
    }
}
