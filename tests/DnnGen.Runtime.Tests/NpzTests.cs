using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace DnnGen.Runtime.Tests;

/// <summary>The course's initialize_parameters_deep([5, 4, 3]) network: W1 (4, 5), b1 (4, 1), W2 (3, 4), b2 (3, 1).</summary>
[Network(5, 4, 3)]
public partial class SmallNetwork;

/// <summary>The same network in float32.</summary>
[Network(5, 4, 3, Precision = Precision.Single)]
public partial class SmallSingleNetwork;

/// <summary>The PyTorch nn.Sequential of NpzFiles/make_torch_npz.py: Linear(6, 5), ReLU, Linear(5, 3), ReLU, Linear(3, 1), Sigmoid.</summary>
[Network(6, 5, 3, 1)]
public partial class TorchNetwork;

/// <summary>A network whose parameters are not those of the files: W1 (3, 5), b1 (3, 1).</summary>
[Network(5, 3)]
public partial class OtherNetwork;

/// <summary>
/// .npz persistence against files written by NumPy 1.24 (NpzFiles/make_npz_files.py): what it accepts, byte-for-byte
/// agreement with np.savez, atomic saves, and rejection of damaged or foreign files with the network left unchanged.
/// </summary>
public class NpzTests
{
    /// <summary>
    /// The values every file holds: np.random.seed(3); W1 = randn(4, 5) * 0.01; W2 = randn(3, 4) * 0.01;
    /// b1 = randn(4, 1); b2 = randn(3, 1), laid out as Parameters: W1, b1, W2, b2.
    /// </summary>
    internal static double[] CourseParameters()
    {
        var random = new NumPyRandom(3);
        double[] w1 = Draw(random, 20, 0.01);
        double[] w2 = Draw(random, 12, 0.01);
        double[] b1 = Draw(random, 4, 1);
        double[] b2 = Draw(random, 3, 1);
        return [.. w1, .. b1, .. w2, .. b2];
    }

    private static double[] Draw(NumPyRandom random, int count, double scale)
    {
        var values = new double[count];
        random.FillStandardNormal(values);
        return scale == 1 ? values : values.Select(value => value * scale).ToArray();
    }

    internal static string TestFile(string name) => Path.Combine(AppContext.BaseDirectory, "NpzFiles", name);

    private static SmallNetwork FreshNetwork()
    {
        var network = new SmallNetwork();
        network.InitializeParameters(seed: 99);
        return network;
    }

    [Fact]
    public void The_course_parameters_rebuilt_in_CSharp_match_the_first_values_NumPy_wrote()
    {
        // b1 as NumPy printed it: [-1.24412333 -0.62641691 -0.80376609 -2.41908317].
        double[] expected = CourseParameters();
        Assert.Equal(-1.24412333, expected[20], 1e-8);
        Assert.Equal(-2.41908317, expected[23], 1e-8);
        Assert.Equal(0.01788628, expected[0], 1e-8);
    }

    [Theory]
    [InlineData("course.npz")]
    [InlineData("course_compressed.npz")]
    [InlineData("course_big_endian.npz")]
    [InlineData("course_fortran_order.npz")]
    [InlineData("course_format_2_0.npz")]
    [InlineData("course_format_3_0.npz")]
    public void Loads_float64_parameters_that_NumPy_wrote_exactly(string file)
    {
        var network = FreshNetwork();

        network.LoadNpz(TestFile(file));

        Assert.Equal(CourseParameters(), network.Parameters.ToArray());
    }

    [Fact]
    public void A_float_network_loads_float64_files_rounded_to_float()
    {
        var network = new SmallSingleNetwork();

        network.LoadNpz(TestFile("course.npz"));

        Assert.Equal(CourseParameters().Select(value => (float)value).ToArray(), network.Parameters.ToArray());
    }

    [Fact]
    public void A_float32_file_loads_exactly_into_a_float_network_and_widens_exactly_into_a_double_network()
    {
        float[] expected = CourseParameters().Select(value => (float)value).ToArray();
        var single = new SmallSingleNetwork();
        var network = FreshNetwork();

        single.LoadNpz(TestFile("course_float32.npz"));
        network.LoadNpz(TestFile("course_float32.npz"));

        Assert.Equal(expected, single.Parameters.ToArray());
        Assert.Equal(expected.Select(value => (double)value).ToArray(), network.Parameters.ToArray());
    }

    [Fact]
    public void Saved_arrays_are_byte_for_byte_what_np_savez_writes()
    {
        var network = new SmallNetwork();
        CourseParameters().CopyTo(network.Parameters);
        var saved = new MemoryStream();

        network.SaveNpz(saved);

        using var ours = new ZipArchive(new MemoryStream(saved.ToArray()), ZipArchiveMode.Read);
        using var numpys = ZipFile.OpenRead(TestFile("course.npz"));
        Assert.Equal(numpys.Entries.Select(entry => entry.FullName), ours.Entries.Select(entry => entry.FullName));
        foreach (ZipArchiveEntry entry in numpys.Entries)
        {
            ZipArchiveEntry mine = ours.GetEntry(entry.FullName)!;
            Assert.Equal(Contents(entry), Contents(mine));
            Assert.Equal(entry.Crc32, mine.Crc32);
            Assert.Equal(entry.Length, mine.CompressedLength); // stored, as np.savez stores
        }
    }

    [Fact]
    public void A_float_network_saves_float64_and_round_trips_exactly()
    {
        var single = new SmallSingleNetwork();
        single.InitializeParameters(seed: 5);
        float[] expected = single.Parameters.ToArray();
        var saved = new MemoryStream();

        single.SaveNpz(saved);
        var loaded = new SmallSingleNetwork();
        loaded.LoadNpz(new MemoryStream(saved.ToArray()));
        var widened = FreshNetwork();
        widened.LoadNpz(new MemoryStream(saved.ToArray()));

        Assert.Equal(expected, loaded.Parameters.ToArray());
        Assert.Equal(expected.Select(value => (double)value).ToArray(), widened.Parameters.ToArray());
        using var archive = new ZipArchive(new MemoryStream(saved.ToArray()), ZipArchiveMode.Read);
        Assert.Contains("'descr': '<f8'", System.Text.Encoding.ASCII.GetString(Contents(archive.GetEntry("W1.npy")!)));
    }

    [Fact]
    public void Saving_the_same_parameters_twice_gives_the_same_bytes()
    {
        var network = FreshNetwork();
        var first = new MemoryStream();
        var second = new MemoryStream();

        network.SaveNpz(first);
        network.SaveNpz(second);

        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void Saving_to_a_path_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "weights.npz");
        File.WriteAllText(path, "an older file");
        var network = FreshNetwork();

        network.SaveNpz(path);

        Assert.Equal(["weights.npz"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        var loaded = new SmallNetwork();
        loaded.LoadNpz(path);
        Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    [Fact]
    public void A_failed_save_leaves_the_existing_file_as_it_was()
    {
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "weights.npz");
        var network = FreshNetwork();
        network.SaveNpz(path);
        byte[] before = File.ReadAllBytes(path);
        network.W2[5] = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => network.SaveNpz(path));

        Assert.Contains("W2[1, 1] is NaN", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Saving_into_a_missing_folder_names_the_folder_and_creates_nothing()
    {
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "absent", "weights.npz");

        var error = Assert.Throws<DirectoryNotFoundException>(() => FreshNetwork().SaveNpz(path));

        Assert.Contains(Path.Combine(folder.Path, "absent"), error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Loading_a_missing_file_is_a_FileNotFoundException_that_names_it()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "NpzFiles", "absent.npz");

        var error = Assert.Throws<FileNotFoundException>(() => FreshNetwork().LoadNpz(path));

        Assert.Contains("absent.npz", error.Message);
    }

    /// <summary>Files NumPy wrote that are not this network's parameters, and the words the error must contain.</summary>
    public static TheoryData<string, string[]> RejectedFiles() => new()
    {
        { "missing_b2.npz", ["missing 'b2' (expected shape (3, 1))", "[5, 4, 3]"] },
        { "extra_W3.npz", ["unexpected 'W3'", "expected exactly W1, b1, W2, b2"] },
        { "lowercase_w1.npz", ["missing 'W1' (expected shape (4, 5))", "unexpected 'w1'"] },
        { "transposed_W1.npz", ["array 'W1'", "has shape (5, 4), expected (4, 5)"] },
        { "int64_W2.npz", ["array 'W2'", "dtype '<i8'", "expected float64"] },
        { "float16_b1.npz", ["array 'b1'", "dtype '<f2'"] },
        { "complex_W1.npz", ["array 'W1'", "dtype '<c16'"] },
        { "object_b2.npz", ["array 'b2'", "dtype '|O'"] },
        { "nan_W2.npz", ["array 'W2'", "NaN at [1, 2]", "must be finite"] },
        { "plain_W1.npy", ["plain_W1.npy", "is not a valid .npz archive"] },
    };

    [Theory]
    [MemberData(nameof(RejectedFiles))]
    public void Rejects_files_that_are_not_this_networks_parameters_and_leaves_the_network_unchanged(string file, string[] words)
    {
        var network = FreshNetwork();
        double[] before = network.Parameters.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(TestFile(file)));

        foreach (string word in words)
        {
            Assert.Contains(word, error.Message);
        }

        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void Loads_biases_stored_as_vectors_as_NumPy_and_PyTorch_store_them()
    {
        // vector_b1.npz: b1 saved with shape (4,) instead of (4, 1).
        var network = FreshNetwork();

        network.LoadNpz(TestFile("vector_b1.npz"));

        Assert.Equal(CourseParameters(), network.Parameters.ToArray());
    }

    [Fact]
    public void A_bias_vector_of_the_wrong_length_and_a_weight_vector_are_rejected()
    {
        double[] p = CourseParameters();
        var wrongBias = Archive(("W1", [4, 5], p[..20]), ("b1", [3], p[20..23]), ("W2", [3, 4], p[24..36]), ("b2", [3, 1], p[36..]));
        var vectorWeights = Archive(("W1", [20], p[..20]), ("b1", [4], p[20..24]), ("W2", [3, 4], p[24..36]), ("b2", [3], p[36..]));
        var network = FreshNetwork();
        double[] before = network.Parameters.ToArray();

        var bias = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(wrongBias)));
        var weights = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(vectorWeights)));

        Assert.Contains("array 'b1' (layer 1's biases) has shape (3,), expected (4, 1) or (4,).", bias.Message);
        Assert.Contains("array 'W1' (layer 1's weights (5 -> 4)) has shape (20,), expected (4, 5).", weights.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void A_PyTorch_state_dict_saved_as_W1_b1_loads_and_predicts_what_PyTorch_computed()
    {
        // make_torch_npz.py: an nn.Sequential's state_dict, biases 1-D, renamed '0.weight' -> W1, '0.bias' -> b1, ...;
        // and eight inputs with torch's outputs for them, in float64.
        var network = new TorchNetwork();
        network.LoadNpz(TestFile("torch_6_5_3_1.npz"));
        Dictionary<string, (long[] Shape, double[] Values)> io = ReadArrays(TestFile("torch_6_5_3_1_io.npz"));
        (long[] xShape, double[] x) = io["x"];
        (long[] pShape, double[] expected) = io["probabilities"];
        Assert.Equal([8L, 6L], xShape);
        Assert.Equal([8L, 1L], pShape);

        var predicted = new double[8];
        network.Predict(x, predicted);

        for (int i = 0; i < 8; i++)
        {
            Assert.True(Math.Abs(predicted[i] - expected[i]) <= 1e-12, $"example {i}: DnnGen {predicted[i]:R}, PyTorch {expected[i]:R}");
        }

        Assert.True(expected.Distinct().Count() == 8, "the file's outputs should differ from example to example");
    }

    /// <summary>An .npz archive of float64 arrays, C order, written with the headers NumPy writes.</summary>
    private static byte[] Archive(params (string Name, long[] Shape, double[] Values)[] arrays)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, long[] shape, double[] values) in arrays)
            {
                using Stream entry = archive.CreateEntry(name + ".npy").Open();
                entry.Write(DnnGen.Persistence.NpyHeader.Float64Preamble(shape));
                foreach (double value in values)
                {
                    entry.Write(BitConverter.GetBytes(value));
                }
            }
        }

        return memory.ToArray();
    }

    /// <summary>Every array of a little-endian float64, C-order, version 1.0 .npz file, as np.savez writes them.</summary>
    private static Dictionary<string, (long[] Shape, double[] Values)> ReadArrays(string path)
    {
        var arrays = new Dictionary<string, (long[], double[])>();
        using ZipArchive archive = ZipFile.OpenRead(path);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            byte[] bytes = Contents(entry);
            Assert.Equal(1, bytes[6]);
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            string header = System.Text.Encoding.Latin1.GetString(bytes, 10, headerLength);
            Assert.Contains("'descr': '<f8'", header);
            Assert.Contains("'fortran_order': False", header);
            string shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
            long[] shape = shapeText[..shapeText.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
            int start = 10 + headerLength;
            var values = new double[(bytes.Length - start) / 8];
            Buffer.BlockCopy(bytes, start, values, 0, values.Length * 8);
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.Length);
            arrays[entry.FullName[..^4]] = (shape, values);
        }

        return arrays;
    }

    [Fact]
    public void Rejects_the_parameters_of_another_network()
    {
        var network = new OtherNetwork();
        network.InitializeParameters(seed: 1);
        double[] before = network.Parameters.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(TestFile("course.npz")));

        Assert.Contains("[5, 3]", error.Message);
        Assert.Contains("unexpected 'W2', 'b2'", error.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Fact]
    public void Values_beyond_float_range_load_into_a_double_network_but_not_into_a_float_network()
    {
        var single = new SmallSingleNetwork();
        float[] before = single.Parameters.ToArray();

        FreshNetwork().LoadNpz(TestFile("large_values.npz"));
        var error = Assert.Throws<InvalidDataException>(() => single.LoadNpz(TestFile("large_values.npz")));

        Assert.Contains("array 'W2'", error.Message);
        Assert.Contains("out of the range of this network's Single", error.Message);
        Assert.Equal(before, single.Parameters.ToArray());
    }

    [Fact]
    public void A_flipped_bit_in_stored_data_fails_the_checksum()
    {
        byte[] bytes = File.ReadAllBytes(TestFile("course.npz"));
        // The local header of W1.npy (30 bytes + 6 of name) and its 128-byte .npy preamble come first; byte 200 is data.
        bytes[200] ^= 0x10;
        var network = FreshNetwork();
        double[] before = network.Parameters.ToArray();

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(bytes)));

        Assert.Contains("array 'W1'", error.Message);
        Assert.Contains("checksum", error.Message);
        Assert.Equal(before, network.Parameters.ToArray());
    }

    [Theory]
    [InlineData("course.npz")]
    [InlineData("course_compressed.npz")]
    public void Every_truncation_is_rejected_and_leaves_the_network_unchanged(string file)
    {
        byte[] bytes = File.ReadAllBytes(TestFile(file));
        var network = FreshNetwork();
        double[] before = network.Parameters.ToArray();

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(bytes, 0, length)));
            Assert.Equal(before, network.Parameters.ToArray());
        }
    }

    [Fact]
    public void A_stream_far_larger_than_the_parameters_is_rejected_before_it_is_read()
    {
        var network = FreshNetwork();

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(new byte[3 << 20])));

        Assert.Contains("more than any archive of this network's parameters", error.Message);
    }

    /// <summary>
    /// Fuzzing: thousands of seeded mutations of valid archives (bit flips, truncations, insertions, deletions,
    /// overwritten fields, duplicated runs). Each must either be rejected with an <see cref="InvalidDataException"/> and
    /// the network unchanged, or, where the mutation hit bytes the format ignores, load exactly the original values.
    /// </summary>
    [Theory]
    [InlineData("course.npz", 1)]
    [InlineData("course_compressed.npz", 2)]
    [InlineData("course_format_3_0.npz", 3)]
    public void Mutated_archives_are_rejected_cleanly_or_load_the_original_values(string file, int seed)
    {
        byte[] original = File.ReadAllBytes(TestFile(file));
        double[] expected = CourseParameters();
        var random = new Random(seed);
        var network = FreshNetwork();
        double[] before = network.Parameters.ToArray();
        int rejected = 0;

        for (int trial = 0; trial < 4000; trial++)
        {
            (byte[] mutated, string mutation) = Mutate(original, random);
            try
            {
                network.LoadNpz(new MemoryStream(mutated));
                Assert.True(expected.AsSpan().SequenceEqual(network.Parameters), $"Trial {trial} ({mutation}) loaded other values.");
                before.CopyTo(network.Parameters);
            }
            catch (InvalidDataException)
            {
                rejected++;
                Assert.True(before.AsSpan().SequenceEqual(network.Parameters), $"Trial {trial} ({mutation}) changed the network before rejecting.");
            }
            catch (Exception e)
            {
                Assert.Fail($"Trial {trial} ({mutation}) threw {e.GetType().Name}, not InvalidDataException: {e}");
            }
        }

        Assert.True(rejected > 3000, $"Only {rejected} of 4000 mutations were rejected.");
    }

    private static (byte[] Bytes, string Mutation) Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int position = random.Next(original.Length);
        switch (random.Next(6))
        {
            case 0:
                int flips = random.Next(1, 4);
                for (int i = 0; i < flips; i++)
                {
                    int at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return (bytes.ToArray(), $"{flips} bit flips");
            case 1:
                return (original[..position], $"truncated to {position}");
            case 2:
                byte[] inserted = new byte[random.Next(1, 17)];
                random.NextBytes(inserted);
                bytes.InsertRange(position, inserted);
                return (bytes.ToArray(), $"{inserted.Length} bytes inserted at {position}");
            case 3:
                int removed = Math.Min(random.Next(1, 17), original.Length - position);
                bytes.RemoveRange(position, removed);
                return (bytes.ToArray(), $"{removed} bytes removed at {position}");
            case 4:
                // A length, offset or count field set to an extreme.
                int width = Math.Min(random.Next(1, 5), original.Length - position);
                byte fill = random.Next(2) == 0 ? (byte)0x00 : (byte)0xFF;
                for (int i = 0; i < width; i++)
                {
                    bytes[position + i] = fill;
                }

                return (bytes.ToArray(), $"{width} bytes at {position} set to {fill:x2}");
            default:
                int length = Math.Min(random.Next(1, 65), original.Length - position);
                bytes.InsertRange(random.Next(bytes.Count), original.AsSpan(position, length).ToArray());
                return (bytes.ToArray(), $"{length} bytes from {position} duplicated");
        }
    }

    internal static byte[] Contents(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    internal sealed class TemporaryFolder : IDisposable
    {
        public TemporaryFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dnngen-npz-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
