using System;
using System.Collections.Generic;
using System.IO;

namespace DnnGen;

/// <summary>
/// Reads data saved by NumPy: a <c>.npy</c> file (<c>np.save</c>) holds one array, a <c>.npz</c> archive
/// (<c>np.savez</c>, <c>np.savez_compressed</c>) several, each by name.
/// </summary>
/// <example>
/// <code>
/// IReadOnlyDictionary&lt;string, NumPyArray&gt; digits = NumPyFile.ReadNpz("digits.npz");
/// double[] x = digits["images"].ToDoubleArray();   // (1797, 64): 1797 examples of 64 pixels, example-major
/// int[] classes = digits["target"].ToInt32Array(); // (1797,)
/// </code>
/// </example>
/// <remarks>
/// <para>
/// Accepted: .npy format 1.0, 2.0 and 3.0; stored or deflated archive entries; C or Fortran order (values are always
/// returned in C order); the dtypes float64, float32, int8 to int64, uint8 to uint64 and bool, in either byte order;
/// any shape, a scalar () included. Rejected, with an <see cref="InvalidDataException"/> whose message names the file,
/// the array and what was expected and found: another dtype (float16, complex, strings, objects, structured arrays),
/// an entry that is not a .npy array, an array named twice, and any damage (not a ZIP file, a truncated header or data,
/// data longer than the shape says, a checksum that does not match). These are the parameter loader's checks
/// (<see cref="Npz.LoadNpz{T}(INetwork{T}, string)"/>), from the same code.
/// </para>
/// <para>
/// The whole file is read into memory first, so a failing disk shows as an <see cref="IOException"/> and damage as an
/// <see cref="InvalidDataException"/>. Values are not checked for finiteness: data may hold NaN, which the networks
/// refuse when they are given it.
/// </para>
/// </remarks>
public static class NumPyFile
{
    /// <summary>Reads every array of the .npz archive at <paramref name="path"/>, by name (the entry's name without <c>.npy</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or is a folder.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid archive of supported arrays; the message says why.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static IReadOnlyDictionary<string, NumPyArray> ReadNpz(string path)
    {
        string fullPath = CheckPath(path);
        return Npz.ReadDataArchive(File.ReadAllBytes(fullPath), $"'{fullPath}'");
    }

    /// <summary>Reads every array of the .npz archive read from <paramref name="source"/> (to its end; it is left open).</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not readable.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data are not a valid archive of supported arrays.</exception>
    /// <exception cref="IOException">Reading <paramref name="source"/> failed.</exception>
    public static IReadOnlyDictionary<string, NumPyArray> ReadNpz(Stream source)
        => Npz.ReadDataArchive(ReadAll(source), "The .npz data");

    /// <summary>Reads the one array of the .npy file at <paramref name="path"/>; its name is the file's name without extension.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist, or is a folder.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npy array of a supported dtype; the message says why.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static NumPyArray ReadNpy(string path)
    {
        string fullPath = CheckPath(path);
        return Npz.ReadDataFile(File.ReadAllBytes(fullPath), Path.GetFileNameWithoutExtension(fullPath), $"'{fullPath}'");
    }

    /// <summary>Reads one .npy array from <paramref name="source"/> (to its end; it is left open); its name is <c>"array"</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not readable.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data are not a valid .npy array of a supported dtype.</exception>
    /// <exception cref="IOException">Reading <paramref name="source"/> failed.</exception>
    public static NumPyArray ReadNpy(Stream source)
        => Npz.ReadDataFile(ReadAll(source), "array", "The .npy data");

    private static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new FileNotFoundException($"Cannot read NumPy data from '{fullPath}': it is a folder, not a file.", fullPath);
        }

        return fullPath;
    }

    private static byte[] ReadAll(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(source));
        }

        using var memory = new MemoryStream();
        source.CopyTo(memory);
        return memory.ToArray();
    }
}
