using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Numerics;
using System.Text;
using DnnGen.Persistence;

namespace DnnGen;

/// <summary>
/// Saves and loads the parameters of any generated network as a NumPy <c>.npz</c> archive: a ZIP file of <c>.npy</c>
/// arrays named <c>W1, b1, ..., WL, bL</c>, little-endian float64, with the course's shapes (n[l], n[l-1]) and (n[l], 1);
/// biases also load from vectors (n[l],), as PyTorch stores them. A checkpoint also holds the optimizer's training
/// state, so that training resumes exactly where it stopped (see the remarks).
/// <c>np.load</c> reads what <see cref="SaveNpz{T}(INetwork{T}, string)"/> writes, and
/// <c>np.savez(path, **parameters)</c> in the course's notebook writes what <see cref="LoadNpz{T}(INetwork{T}, string)"/>
/// reads.
/// </summary>
/// <remarks>
/// <para>
/// <b>Saving</b> writes uncompressed float64 entries (as <c>np.savez</c> does), whatever the network's precision: a
/// float network's parameters widen to float64 exactly. Every header is byte for byte the one NumPy writes, and the
/// entries carry a fixed timestamp, so the same parameters always give the same file. A save to a path goes to a
/// temporary file in the same folder first and is then renamed over the destination, so the destination holds either
/// the old file or the complete new one, never a partial write. The temporary file's name is short whatever the
/// destination's; a symbolic link is followed (its target is replaced, in the target's folder); a destination that is
/// not a regular file (a FIFO, a device, a socket) is refused; a replaced file keeps its Unix permissions.
/// </para>
/// <para>
/// <b>Loading</b> accepts stored or deflated entries (<c>np.savez</c> or <c>np.savez_compressed</c>), .npy format 1.0,
/// 2.0 and 3.0, C or Fortran order, and the dtypes float64 and float32 in either byte order. float32 values widen
/// exactly into a double network; float64 values round to the nearest float in a float network. Everything else is
/// rejected with an <see cref="InvalidDataException"/> whose message names the array and what was expected and found:
/// a missing or unexpected array, another shape, another dtype (integers, float16, complex, objects, structured
/// arrays), a value that is not finite (or does not fit in a float), and any damage to the archive (not a ZIP file,
/// truncated, a checksum that does not match, data shorter or longer than the header says). The whole file is checked
/// before the first parameter is written, so a rejected file leaves the network exactly as it was.
/// </para>
/// <para>
/// <b>Checkpoints.</b> <see cref="SaveNpz{T}(INetwork{T}, string, bool)"/> with <c>includeTrainingState: true</c> writes,
/// after <c>W1, b1, ..., WL, bL</c>, the state of the network's <see cref="INetwork{T}.Optimizer"/> under the names of
/// course 2's notebook (<c>v["dW1"]</c>, <c>s["dW1"]</c>, <c>t</c>):
/// <list type="bullet">
/// <item><c>v_dW1, v_db1, ..., v_dWL, v_dbL</c> for <see cref="Optimizer.Momentum"/> and <see cref="Optimizer.Adam"/>:
/// <see cref="INetwork{T}.Velocity"/>, each with the shape of its parameter, float64;</item>
/// <item><c>s_dW1, s_db1, ..., s_dWL, s_dbL</c> for <see cref="Optimizer.Adam"/>:
/// <see cref="INetwork{T}.SquaredGradientAverage"/>, alike;</item>
/// <item><c>t</c> (<see cref="INetwork{T}.UpdateCount"/>, Adam's t) and <c>epoch</c>
/// (<see cref="INetwork{T}.CompletedEpochs"/>) for every optimizer: int64 scalars, shape (), with the header
/// <c>np.savez(path, t=np.int64(25000))</c> writes.</item>
/// </list>
/// Loading such a file sets the parameters and all of that state, so that <c>Train(x, y, options)</c> goes on exactly
/// as if it had not stopped: 2000 epochs, a save, a load into a new network and 3000 more epochs give the bits of 5000
/// epochs in one run. A file with none of these arrays loads the parameters and calls
/// <see cref="INetwork{T}.ResetTrainingState"/> (moments of other parameters mean nothing for the new ones). A file with
/// any of them must hold exactly this optimizer's set, and is rejected otherwise (a missing <c>v_dW2</c>, an
/// <c>s_dW1</c> in a momentum network's file). v and s are read as parameters are (float64 or float32, a bias also as
/// (n[l],), finite), and s, an average of squares, must not be negative; <c>t</c> and <c>epoch</c> may have any integer
/// dtype or be a float holding a whole number, of shape () or (1,), at least 0, and <c>epoch</c> at most
/// <see cref="int.MaxValue"/>. A state that is not finite (or a negative s, t or epoch) is refused by the save as well,
/// so that every file DnnGen writes, it reads.
/// </para>
/// </remarks>
public static partial class Npz
{
    /// <summary>The file extension NumPy gives archives of arrays.</summary>
    public const string Extension = ".npz";

    private const int ChunkElements = 4096;

    // 1980-01-01, the earliest time a ZIP entry can carry: a constant stamp keeps saves reproducible.
    private static readonly DateTimeOffset s_entryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes the parameters of <paramref name="network"/> to <paramref name="path"/> as a NumPy .npz archive, atomically:
    /// through a temporary file in the same folder that is then renamed over <paramref name="path"/>. The same as
    /// <see cref="SaveNpz{T}(INetwork{T}, string, bool)"/> with <c>includeTrainingState: false</c>.
    /// </summary>
    /// <param name="network">The network whose parameters to save; it is not changed.</param>
    /// <param name="path">
    /// The file to write; an existing file is replaced, keeping its Unix permissions. A symbolic link is followed, and
    /// its target replaced. Its folder must exist.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or a parameter is not finite (the message names it).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder, a FIFO, a device or a socket, not a regular file; or the file could not be
    /// written. <paramref name="path"/> is left as it was.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    public static void SaveNpz<T>(this INetwork<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SaveNpz(network, path, includeTrainingState: false);

    /// <summary>
    /// Writes the parameters of <paramref name="network"/>, and with <paramref name="includeTrainingState"/> its
    /// optimizer's state, to <paramref name="path"/> as a NumPy .npz archive, atomically: through a temporary file in the
    /// same folder that is then renamed over <paramref name="path"/>.
    /// </summary>
    /// <param name="network">The network whose parameters (and state) to save; it is not changed.</param>
    /// <param name="path">
    /// The file to write; an existing file is replaced, keeping its Unix permissions. A symbolic link is followed, and
    /// its target replaced. Its folder must exist.
    /// </param>
    /// <param name="includeTrainingState">
    /// True: a checkpoint, which also holds <c>v_dW1, ..., v_dbL</c> (momentum and Adam), <c>s_dW1, ..., s_dbL</c> (Adam),
    /// <c>t</c> and <c>epoch</c>, from which <see cref="LoadNpz{T}(INetwork{T}, string)"/> resumes training exactly (see
    /// <see cref="Npz"/>'s remarks). False: the parameters only.
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, or a parameter or a value of the saved state is not finite, or s, t or epoch is
    /// negative (the message names it).
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder, a FIFO, a device or a socket, not a regular file; or the file could not be
    /// written. <paramref name="path"/> is left as it was.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    public static void SaveNpz<T>(this INetwork<T> network, string path, bool includeTrainingState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArraySpec[] arrays = Layout(network, includeTrainingState);
        RequireSavable(network, arrays);

        AtomicFile.Write(path, "parameters", ".npz-", file => Write(network, arrays, file));
    }

    /// <summary>
    /// Writes the parameters of <paramref name="network"/> to <paramref name="destination"/> as a NumPy .npz archive.
    /// The same as <see cref="SaveNpz{T}(INetwork{T}, Stream, bool)"/> with <c>includeTrainingState: false</c>.
    /// </summary>
    /// <param name="network">The network whose parameters to save; it is not changed.</param>
    /// <param name="destination">A writable stream; it is left open, positioned after the archive.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable, or a parameter is not finite.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    public static void SaveNpz<T>(this INetwork<T> network, Stream destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SaveNpz(network, destination, includeTrainingState: false);

    /// <summary>
    /// Writes the parameters of <paramref name="network"/>, and with <paramref name="includeTrainingState"/> its
    /// optimizer's state, to <paramref name="destination"/> as a NumPy .npz archive. Everything is checked before the
    /// first byte is written.
    /// </summary>
    /// <param name="network">The network whose parameters (and state) to save; it is not changed.</param>
    /// <param name="destination">A writable stream; it is left open, positioned after the archive.</param>
    /// <param name="includeTrainingState">
    /// True: a checkpoint, with <c>v_*</c>, <c>s_*</c>, <c>t</c> and <c>epoch</c> as the network's optimizer has them (see
    /// <see cref="Npz"/>'s remarks). False: the parameters only.
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is not writable, or a parameter or a value of the saved state is not finite, or s,
    /// t or epoch is negative.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="IOException">Writing to <paramref name="destination"/> failed.</exception>
    public static void SaveNpz<T>(this INetwork<T> network, Stream destination, bool includeTrainingState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(destination));
        }

        ArraySpec[] arrays = Layout(network, includeTrainingState);
        RequireSavable(network, arrays);
        Write(network, arrays, destination);
    }

    /// <summary>
    /// Replaces the parameters of <paramref name="network"/> with those in the NumPy .npz archive at
    /// <paramref name="path"/>, and its training state with the file's (a checkpoint) or a fresh one (a file of
    /// parameters only), after checking the whole file; on any error the network is left unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="path">
    /// An archive holding exactly the arrays W1, b1, ..., WL, bL with this network's shapes, alone or with all of this
    /// network's optimizer's state (<c>v_*</c>, <c>s_*</c>, <c>t</c>, <c>epoch</c>: see <see cref="Npz"/>'s remarks).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid archive of this network's parameters or checkpoint; the message names the file, the
    /// array, and what was expected and found.
    /// </exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static void LoadNpz<T>(this INetwork<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new FileNotFoundException($"Cannot load parameters from '{fullPath}': it is a folder, not a file.", fullPath);
        }

        using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        Load(network, file, $"'{fullPath}'");
    }

    /// <summary>
    /// Replaces the parameters of <paramref name="network"/> with those in the NumPy .npz archive read from
    /// <paramref name="source"/>, and its training state with the archive's or a fresh one, as
    /// <see cref="LoadNpz{T}(INetwork{T}, string)"/> does, after checking all of it; on any error the network is left
    /// unchanged.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="source">A readable stream holding the archive, read to its end; it is left open.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not readable.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data are not a valid archive of this network's parameters or checkpoint.</exception>
    /// <exception cref="IOException">Reading <paramref name="source"/> failed.</exception>
    public static void LoadNpz<T>(this INetwork<T> network, Stream source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(source));
        }

        Load(network, source, "The .npz data");
    }

    // ---- Layout ----

    /// <summary>Where an array's values live in the network: a buffer in the layout of Parameters, or a counter.</summary>
    private enum ArrayKind
    {
        Parameter,
        Velocity,
        SquaredGradientAverage,
        UpdateCount,
        CompletedEpochs,
    }

    /// <summary>
    /// One array of the archive: W[l] (n[l], n[l-1]) or b[l] (n[l], 1), or the optimizer's v or s of one of them, at
    /// <paramref name="Offset"/> in its buffer; or one of the counters t and epoch, a scalar ().
    /// </summary>
    private readonly record struct ArraySpec(string Name, ArrayKind Kind, bool IsBias, int Rows, int Columns, int Offset, string Description)
    {
        public int Count => Rows * Columns;

        public string EntryName => Name + ".npy";

        public bool IsCounter => Kind is ArrayKind.UpdateCount or ArrayKind.CompletedEpochs;

        public string Shape => IsCounter ? "()" : NpyHeader.FormatShape([Rows, Columns]);

        /// <summary>What a missing array should have been, for messages.</summary>
        public string Expected => IsCounter ? "expected a whole number, shape ()" : $"expected shape {Shape}";

        /// <summary>The array as messages name it: <c>'file.npz': array 'W1' (layer 1's weights (5 -> 4))</c>.</summary>
        public string Describe(string sourceName) => $"{sourceName}: array '{Name}' ({Description})";
    }

    /// <summary>
    /// The arrays of the network's archive, in the order they are written: W1, b1, ..., WL, bL, and with
    /// <paramref name="includeTrainingState"/> the optimizer's v_dW1 ... v_dbL, s_dW1 ... s_dbL as it has them, then t
    /// and epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The network's buffers do not fit its LayerSizes and Optimizer.</exception>
    private static ArraySpec[] Layout<T>(INetwork<T> network, bool includeTrainingState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<int> sizes = network.LayerSizes;
        var arrays = new List<ArraySpec>();
        long count = AddLayers(arrays, sizes, ArrayKind.Parameter, "", static parameter => parameter);
        RequireLength(network.Parameters.Length, count, "Parameters", "LayerSizes");
        if (!includeTrainingState)
        {
            return [.. arrays];
        }

        Optimizer optimizer = network.Optimizer;
        (bool velocity, bool squares, string first) = optimizer switch
        {
            Optimizer.GradientDescent => (false, false, ""),
            Optimizer.Momentum => (true, false, "momentum's velocity v"),
            Optimizer.Adam => (true, true, "Adam's first moment v"),
            _ => throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The network's Optimizer is {optimizer}, which is not one of GradientDescent, Momentum and Adam."),
                nameof(network)),
        };

        string reason = $"LayerSizes and Optimizer ({optimizer})";
        RequireLength(network.Velocity.Length, velocity ? count : 0, "Velocity", reason);
        RequireLength(network.SquaredGradientAverage.Length, squares ? count : 0, "SquaredGradientAverage", reason);
        if (velocity)
        {
            AddLayers(arrays, sizes, ArrayKind.Velocity, "v_d", parameter => $"{first} of {parameter}");
        }

        if (squares)
        {
            AddLayers(arrays, sizes, ArrayKind.SquaredGradientAverage, "s_d", static parameter => $"Adam's second moment s of {parameter}");
        }

        arrays.Add(new ArraySpec("t", ArrayKind.UpdateCount, IsBias: false, 1, 1, 0, "the count of updates, Adam's t (UpdateCount)"));
        arrays.Add(new ArraySpec("epoch", ArrayKind.CompletedEpochs, IsBias: false, 1, 1, 0, "the count of completed epochs (CompletedEpochs)"));
        return [.. arrays];

        void RequireLength(int length, long expected, string buffer, string reason)
        {
            if (length != expected)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The network's {reason} call for {expected} values in {buffer}, but it holds {length}."),
                    nameof(network));
            }
        }
    }

    /// <summary>Adds W1 (as <paramref name="prefix"/>W1), b1, ..., WL, bL of one buffer; returns the buffer's length.</summary>
    private static long AddLayers(List<ArraySpec> arrays, ReadOnlySpan<int> sizes, ArrayKind kind, string prefix, Func<string, string> describe)
    {
        long length = 0;
        foreach (LayerSlot slot in ParameterLayout.Of(sizes))
        {
            int l = slot.Layer;
            string weights = string.Create(CultureInfo.InvariantCulture, $"layer {l}'s weights ({slot.Columns} -> {slot.Rows})");
            string biases = string.Create(CultureInfo.InvariantCulture, $"layer {l}'s biases");
            arrays.Add(new ArraySpec(string.Create(CultureInfo.InvariantCulture, $"{prefix}W{l}"), kind, IsBias: false, slot.Rows, slot.Columns, slot.WeightOffset, describe(weights)));
            arrays.Add(new ArraySpec(string.Create(CultureInfo.InvariantCulture, $"{prefix}b{l}"), kind, IsBias: true, slot.Rows, 1, slot.BiasOffset, describe(biases)));
            length = slot.End;
        }

        return length;
    }

    /// <summary>The buffer of <paramref name="network"/> an array of kind <paramref name="kind"/> (not a counter) is part of.</summary>
    private static Span<T> Buffer<T>(INetwork<T> network, ArrayKind kind)
        where T : unmanaged, IFloatingPointIeee754<T> => kind switch
        {
            ArrayKind.Parameter => network.Parameters,
            ArrayKind.Velocity => network.Velocity,
            _ => network.SquaredGradientAverage,
        };

    private static long Counter<T>(INetwork<T> network, ArrayKind kind)
        where T : unmanaged, IFloatingPointIeee754<T>
        => kind == ArrayKind.UpdateCount ? network.UpdateCount : network.CompletedEpochs;

    /// <summary>
    /// What SaveNpz checks of the parameters before it writes, for the other formats a network is saved in
    /// (<see cref="Onnx"/>): Parameters holds what LayerSizes calls for, and every parameter is finite. The messages
    /// are SaveNpz's.
    /// </summary>
    /// <exception cref="ArgumentException">Parameters does not fit LayerSizes, or a parameter is not finite (the message names it).</exception>
    internal static void RequireSavableParameters<T>(INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
        => RequireSavable(network, Layout(network, includeTrainingState: false));

    /// <summary>
    /// Refuses to save what <see cref="Load"/> would refuse to read: a value that is not finite, a negative s, a
    /// negative counter.
    /// </summary>
    private static void RequireSavable<T>(INetwork<T> network, ArraySpec[] arrays)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (ArraySpec array in arrays)
        {
            if (array.IsCounter)
            {
                long count = Counter(network, array.Kind);
                if (count < 0)
                {
                    string property = array.Kind == ArrayKind.UpdateCount ? "UpdateCount" : "CompletedEpochs";
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"The network's {property} ({array.Name}) is {count}; a count of at least 0 is expected, and a negative one is not saved."),
                        nameof(network));
                }

                continue;
            }

            ReadOnlySpan<T> values = Buffer(network, array.Kind).Slice(array.Offset, array.Count);
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i]))
                {
                    throw new ArgumentException(
                        array.Kind == ArrayKind.Parameter
                            ? $"Parameter {At(array, i, values[i])}; a network with non-finite parameters is not saved."
                            : $"Training state {At(array, i, values[i])}; a training state that is not finite is not saved.",
                        nameof(network));
                }

                if (array.Kind == ArrayKind.SquaredGradientAverage && values[i] < T.Zero)
                {
                    throw new ArgumentException(
                        $"Training state {At(array, i, values[i])}; Adam's second moments are averages of squares, and a negative one is not saved.",
                        nameof(network));
                }
            }
        }

        static string At(ArraySpec array, int i, T value)
            => string.Create(CultureInfo.InvariantCulture, $"{array.Name}[{i / array.Columns}, {i % array.Columns}] is {value}");
    }

    // ---- Writing ----

    private static void Write<T>(INetwork<T> network, ArraySpec[] arrays, Stream destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffer = new byte[ChunkElements * sizeof(double)];
        using var archive = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (ArraySpec array in arrays)
        {
            ZipArchiveEntry entry = archive.CreateEntry(array.EntryName, CompressionLevel.NoCompression);
            entry.LastWriteTime = s_entryTimestamp;
            using Stream stream = entry.Open();
            if (array.IsCounter)
            {
                // As np.savez writes np.int64(25000): a 0-d int64.
                stream.Write(NpyHeader.Preamble("<i8", []));
                BinaryPrimitives.WriteInt64LittleEndian(buffer, Counter(network, array.Kind));
                stream.Write(buffer, 0, sizeof(long));
                continue;
            }

            stream.Write(NpyHeader.Float64Preamble([array.Rows, array.Columns]));
            for (int start = 0; start < array.Count; start += ChunkElements)
            {
                int count = Math.Min(ChunkElements, array.Count - start);
                ReadOnlySpan<T> values = Buffer(network, array.Kind).Slice(array.Offset + start, count);
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * sizeof(double)), double.CreateChecked(values[i]));
                }

                stream.Write(buffer, 0, count * sizeof(double));
            }
        }
    }

    // ---- Reading ----

    private static void Load<T>(INetwork<T> network, Stream source, string sourceName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArraySpec[] checkpoint = Layout(network, includeTrainingState: true);
        long limit = MaximumArchiveLength(checkpoint);
        byte[] bytes = ReadAll(source, limit, sourceName);

        // Everything is decoded into staging buffers first; the network is written only once all of it is valid.
        var staging = new Staging<T>(network);
        bool withState;
        using (ZipArchive archive = Unzip(sourceName, () => new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read)))
        {
            Dictionary<string, ZipArchiveEntry> entries = IndexEntries(archive, sourceName, out List<ZipArchiveEntry> ordered);
            withState = ordered.Any(IsTrainingState);
            ArraySpec[] arrays = withState ? checkpoint : checkpoint.Where(array => array.Kind == ArrayKind.Parameter).ToArray();
            RequireExactly(arrays, entries, ordered, withState, sourceName, network);
            foreach (ArraySpec array in arrays)
            {
                ZipArchiveEntry entry = entries[array.EntryName];
                if (array.IsCounter)
                {
                    staging.SetCounter(array.Kind, ReadCounter(entry, array, sourceName));
                }
                else
                {
                    ReadArray(entry, array, staging.Buffer(array.Kind).Slice(array.Offset, array.Count), sourceName);
                }
            }
        }

        staging.CopyTo(network, withState);
    }

    /// <summary>
    /// Runs a System.IO.Compression call on the in-memory archive and words its failures (a damaged central directory,
    /// bad deflate data, an unsupported compression method) as an <see cref="InvalidDataException"/> naming the source.
    /// The archive is in memory, so an <see cref="IOException"/> here is damage too, not a failing disk.
    /// </summary>
    private static TResult Unzip<TResult>(string sourceName, Func<TResult> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw Damaged(sourceName, e);
        }
    }

    private static bool IsDamage(Exception e) => e is InvalidDataException or IOException or NotSupportedException;

    private static InvalidDataException Damaged(string sourceName, Exception e) =>
        new($"{sourceName} is not a valid .npz archive: {e.Message}", e);

    /// <summary>
    /// The largest archive a valid file for these arrays can be: the float64 data once over, with room for deflate's
    /// worst case and generous room for headers. A larger file is rejected before it is read into memory.
    /// </summary>
    private static long MaximumArchiveLength(ArraySpec[] arrays)
    {
        long values = 0;
        foreach (ArraySpec array in arrays)
        {
            values += array.Count;
        }

        return (values * sizeof(double) * 2) + (arrays.Length * 16384L) + (1 << 20);
    }

    private static byte[] ReadAll(Stream source, long limit, string sourceName)
    {
        if (source.CanSeek && source.Length - source.Position > limit)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{sourceName} is {source.Length - source.Position} bytes, more than any archive of this network's parameters and training state ({limit} bytes at most)."));
        }

        using var memory = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            memory.Write(buffer, 0, read);
            if (memory.Length > limit)
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{sourceName} is more than {limit} bytes, more than any archive of this network's parameters and training state."));
            }
        }

        return memory.ToArray();
    }

    /// <summary>The archive's entries in its order; an entry named twice is damage.</summary>
    private static Dictionary<string, ZipArchiveEntry> IndexEntries(ZipArchive archive, string sourceName, out List<ZipArchiveEntry> ordered)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        ordered = [];
        foreach (ZipArchiveEntry entry in Unzip(sourceName, () => archive.Entries))
        {
            if (!entries.TryAdd(entry.FullName, entry))
            {
                throw new InvalidDataException($"{sourceName} holds the array {Quote(ArrayName(entry))} twice; the archive is corrupt.");
            }

            ordered.Add(entry);
        }

        return entries;
    }

    /// <summary>The name np.load gives an entry: its name without .npy.</summary>
    private static string ArrayName(ZipArchiveEntry entry)
        => entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;

    /// <summary>Requires the archive to hold exactly <paramref name="arrays"/>: nothing missing, nothing else.</summary>
    private static void RequireExactly<T>(ArraySpec[] arrays, Dictionary<string, ZipArchiveEntry> entries, List<ZipArchiveEntry> ordered, bool withState, string sourceName, INetwork<T> network)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = new HashSet<string>(arrays.Select(array => array.EntryName), StringComparer.Ordinal);
        var unexpected = ordered.Where(entry => !expected.Contains(entry.FullName)).Select(ArrayName).ToList();
        var missing = arrays.Where(array => !entries.ContainsKey(array.EntryName)).ToList();
        if (missing.Count == 0 && unexpected.Count == 0)
        {
            return;
        }

        string sizes = NetworkName(network.LayerSizes);
        var message = new StringBuilder(withState
            ? $"{sourceName} does not hold a checkpoint of a network {sizes} with Optimizer = {network.Optimizer}:"
            : $"{sourceName} does not hold the parameters of a network {sizes}:");
        if (missing.Count > 0)
        {
            message.Append(" missing ").Append(string.Join(", ", missing.Select(array => $"'{array.Name}' ({array.Expected})"))).Append(';');
        }

        if (unexpected.Count > 0)
        {
            message.Append(" unexpected ").Append(string.Join(", ", unexpected.Select(Quote))).Append(';');
        }

        message.Append(" expected exactly ").Append(string.Join(", ", arrays.Select(array => array.Name)));
        if (withState)
        {
            // The state is all or nothing: say what the other choice is.
            message.Append(" (the parameters and this optimizer's training state; or the parameters alone, ")
                .Append(string.Join(", ", arrays.Where(array => array.Kind == ArrayKind.Parameter).Select(array => array.Name)))
                .Append(')');
        }

        throw new InvalidDataException(message.Append('.').ToString());
    }

    private static string NetworkName(ReadOnlySpan<int> sizes) => "[" + string.Join(", ", sizes.ToArray()) + "]";

    private static void ReadArray<T>(ZipArchiveEntry entry, ArraySpec array, Span<T> destination, string sourceName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = array.Describe(sourceName);
        using Stream stream = Unzip(sourceName, entry.Open);
        var reader = new EntryReader(stream, sourceName);

        NpyHeader header = ReadNpyHeader(reader, what);

        (int itemSize, bool bigEndian) = header.Descr switch
        {
            "<f8" => (8, false),
            ">f8" => (8, true),
            "<f4" => (4, false),
            ">f4" => (4, true),
            _ => throw new InvalidDataException($"{what} has dtype {Quote(header.Descr)}, expected float64 ('<f8') or float32 ('<f4')."),
        };

        // A bias may also be a vector (n[l],): how PyTorch's state_dict and many NumPy users store it. A weight matrix
        // must be 2-D.
        bool matrix = header.Shape.Length == 2 && header.Shape[0] == array.Rows && header.Shape[1] == array.Columns;
        bool vector = array.IsBias && header.Shape.Length == 1 && header.Shape[0] == array.Rows;
        if (!matrix && !vector)
        {
            string expected = array.IsBias ? $"{array.Shape} or {NpyHeader.FormatShape([array.Rows])}" : array.Shape;
            throw new InvalidDataException($"{what} has shape {NpyHeader.FormatShape(header.Shape)}, expected {expected}.");
        }

        // Data: exactly rows * columns values, then nothing.
        byte[] chunk = new byte[ChunkElements * itemSize];
        for (int start = 0; start < array.Count; start += ChunkElements)
        {
            int count = Math.Min(ChunkElements, array.Count - start);
            if (!reader.TryReadExactly(chunk.AsSpan(0, count * itemSize)))
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{what} is truncated: its data end before the {array.Count} values of shape {array.Shape} ({(long)array.Count * itemSize} bytes)."));
            }

            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> bytes = chunk.AsSpan(i * itemSize, itemSize);
                double value = (itemSize, bigEndian) switch
                {
                    (8, false) => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                    (8, true) => BinaryPrimitives.ReadDoubleBigEndian(bytes),
                    (_, false) => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                    (_, true) => BinaryPrimitives.ReadSingleBigEndian(bytes),
                };

                // Element k of a Fortran-order (column-major) array is [k % rows, k / rows].
                int k = start + i;
                (int row, int column) = header.FortranOrder ? (k % array.Rows, k / array.Rows) : (k / array.Columns, k % array.Columns);
                T converted = T.CreateTruncating(value);
                if (!T.IsFinite(converted))
                {
                    throw new InvalidDataException(double.IsFinite(value)
                        ? string.Create(CultureInfo.InvariantCulture, $"{what} holds {value:R} at [{row}, {column}], which is out of the range of this network's {typeof(T).Name}.")
                        : string.Create(CultureInfo.InvariantCulture, $"{what} holds {value} at [{row}, {column}]; {(array.Kind == ArrayKind.Parameter ? "parameters" : "the training state")} must be finite."));
                }

                if (array.Kind == ArrayKind.SquaredGradientAverage && converted < T.Zero)
                {
                    throw new InvalidDataException(
                        string.Create(CultureInfo.InvariantCulture, $"{what} holds {value:R} at [{row}, {column}]; Adam's second moments are averages of squares, never negative."));
                }

                destination[(row * array.Columns) + column] = converted;
            }
        }

        if (reader.ReadsMore())
        {
            throw new InvalidDataException($"{what} has more data than its shape {array.Shape} holds; the archive is corrupt.");
        }

        if (reader.Crc != entry.Crc32)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{what} fails its checksum (CRC-32 {reader.Crc:x8}, the archive records {entry.Crc32:x8}); the file is corrupt."));
        }
    }

    private static InvalidDataException Truncated(string what, string part) => new($"{what} is truncated: it ends inside {part}.");

    private static string DecodeUtf8(byte[] bytes, string what)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"{what} has a header that is not valid UTF-8.");
        }
    }

    // Headers and dtypes come from the file, so they are shortened and stripped of control characters before they are
    // put into a message.
    private static string Quote(string text)
    {
        text = text.Trim();
        var builder = new StringBuilder("'");
        foreach (char c in text.Length > 120 ? text[..120] : text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.Append(text.Length > 120 ? "...'" : "'").ToString();
    }

    /// <summary>Reads an entry's stream to exact lengths while computing the CRC-32 of everything read.</summary>
    private sealed class EntryReader(Stream stream, string sourceName)
    {
        private Crc32 _crc = new();

        public uint Crc => _crc.Value;

        public bool TryReadExactly(Span<byte> destination)
        {
            int total = 0;
            while (total < destination.Length)
            {
                int read = Read(destination[total..]);
                if (read == 0)
                {
                    _crc.Append(destination[..total]);
                    return false;
                }

                total += read;
            }

            _crc.Append(destination);
            return true;
        }

        public bool ReadsMore()
        {
            Span<byte> probe = stackalloc byte[1];
            return Read(probe) > 0;
        }

        private int Read(Span<byte> destination)
        {
            try
            {
                return stream.Read(destination);
            }
            catch (Exception e) when (IsDamage(e))
            {
                throw Damaged(sourceName, e);
            }
        }
    }
}
