using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using DnnGen.Persistence;

namespace DnnGen.Runtime.Tests;

/// <summary>SmallNetwork's sizes with momentum: v_dW1 (4, 5), v_db1 (4, 1), v_dW2 (3, 4), v_db2 (3, 1).</summary>
[Network(5, 4, 3, Optimizer = Optimizer.Momentum)]
public partial class MomentumNetwork;

/// <summary>SmallNetwork's sizes with Adam: v_* and s_* as momentum's v_*.</summary>
[Network(5, 4, 3, Optimizer = Optimizer.Adam)]
public partial class AdamNetwork;

/// <summary>The same in float32.</summary>
[Network(5, 4, 3, Optimizer = Optimizer.Adam, Precision = Precision.Single)]
public partial class AdamSingleNetwork;

/// <summary>
/// Checkpoints: SaveNpz with includeTrainingState and LoadNpz of the optimizer's v and s (v_dW1, s_dW1, ...), t and
/// epoch. Round trips bit for bit, files NumPy wrote (NpzFiles/make_npz_files.py), the all-or-nothing rule, every
/// malformed state rejected with the network unchanged, refused saves, and training resumed exactly.
/// </summary>
public class NpzTrainingStateTests
{
    private static readonly string[] Parameters = ["W1", "b1", "W2", "b2"];
    private static readonly string[] Velocities = ["v_dW1", "v_db1", "v_dW2", "v_db2"];
    private static readonly string[] Squares = ["s_dW1", "s_db1", "s_dW2", "s_db2"];

    private static string TestFile(string name) => NpzTests.TestFile(name);

    public static TheoryData<Optimizer> Optimizers() => [Optimizer.GradientDescent, Optimizer.Momentum, Optimizer.Adam];

    private static INetwork<double> New(Optimizer optimizer) => optimizer switch
    {
        Optimizer.GradientDescent => new SmallNetwork(),
        Optimizer.Momentum => new MomentumNetwork(),
        _ => new AdamNetwork(),
    };

    /// <summary>
    /// A network whose parameters and state are all distinctive: parameters of seed 7; v drawn from seed 8 with a
    /// negative zero, the smallest subnormal and values that print alike but differ in the last bit; s = |randn| with a
    /// zero; t beyond int's range and an epoch count of its own.
    /// </summary>
    private static INetwork<double> Distinctive(Optimizer optimizer)
    {
        INetwork<double> network = New(optimizer);
        network.InitializeParameters(new NumPyRandom(7), Initialization.He);
        var random = new NumPyRandom(8);
        random.FillStandardNormal(network.Velocity);
        random.FillStandardNormal(network.SquaredGradientAverage);
        foreach (ref double value in network.SquaredGradientAverage)
        {
            value = Math.Abs(value);
        }

        if (network.Velocity.Length > 0)
        {
            network.Velocity[0] = -0.0;
            network.Velocity[1] = double.Epsilon;
            network.Velocity[2] = 0.1;
            network.Velocity[3] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(0.1) + 1);
        }

        if (network.SquaredGradientAverage.Length > 0)
        {
            network.SquaredGradientAverage[5] = 0;
        }

        network.UpdateCount = (1L << 40) + 3;
        network.CompletedEpochs = 123_457;
        return network;
    }

    private static long[] Bits(ReadOnlySpan<double> values) => values.ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void AssertSameState(INetwork<double> expected, INetwork<double> actual)
    {
        Assert.Equal(Bits(expected.Parameters), Bits(actual.Parameters));
        Assert.Equal(Bits(expected.Velocity), Bits(actual.Velocity));
        Assert.Equal(Bits(expected.SquaredGradientAverage), Bits(actual.SquaredGradientAverage));
        Assert.Equal(expected.UpdateCount, actual.UpdateCount);
        Assert.Equal(expected.CompletedEpochs, actual.CompletedEpochs);
    }

    /// <summary>A network's whole state as bits, back to back: parameters, v, s, t, epoch; to compare states.</summary>
    private static long[] Snapshot(INetwork<double> network)
        => [.. Bits(network.Parameters), .. Bits(network.Velocity), .. Bits(network.SquaredGradientAverage), network.UpdateCount, network.CompletedEpochs];

    private static byte[] Checkpoint(INetwork<double> network)
    {
        var saved = new MemoryStream();
        network.SaveNpz(saved, includeTrainingState: true);
        return saved.ToArray();
    }

    private static string[] EntryNames(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        return zip.Entries.Select(entry => entry.FullName).ToArray();
    }

    // ---- Round trips ----

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_checkpoint_round_trips_parameters_v_s_t_and_epoch_bit_for_bit(Optimizer optimizer)
    {
        INetwork<double> network = Distinctive(optimizer);
        INetwork<double> loaded = New(optimizer);

        loaded.LoadNpz(new MemoryStream(Checkpoint(network)));

        AssertSameState(network, loaded);
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_checkpoint_holds_the_parameters_then_the_optimizers_v_and_s_then_t_and_epoch(Optimizer optimizer)
    {
        string[] expected = optimizer switch
        {
            Optimizer.GradientDescent => [.. Parameters, "t", "epoch"],
            Optimizer.Momentum => [.. Parameters, .. Velocities, "t", "epoch"],
            _ => [.. Parameters, .. Velocities, .. Squares, "t", "epoch"],
        };

        Assert.Equal(expected.Select(name => name + ".npy"), EntryNames(Checkpoint(Distinctive(optimizer))));
    }

    [Fact]
    public void Without_the_training_state_only_the_parameters_are_saved_as_before()
    {
        INetwork<double> network = Distinctive(Optimizer.Adam);
        var old = new MemoryStream();
        var without = new MemoryStream();

        network.SaveNpz(old);
        network.SaveNpz(without, includeTrainingState: false);

        Assert.Equal(Parameters.Select(name => name + ".npy"), EntryNames(old.ToArray()));
        Assert.Equal(old.ToArray(), without.ToArray());
    }

    [Fact]
    public void A_checkpoint_saved_to_a_path_replaces_the_file_and_loads_back()
    {
        using var folder = new NpzTests.TemporaryFolder();
        string path = Path.Combine(folder.Path, "adam.npz");
        File.WriteAllText(path, "an older file");
        INetwork<double> network = Distinctive(Optimizer.Adam);
        INetwork<double> loaded = New(Optimizer.Adam);

        network.SaveNpz(path, includeTrainingState: true);
        loaded.LoadNpz(path);

        AssertSameState(network, loaded);
        Assert.Equal(["adam.npz"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_float_networks_checkpoint_is_float64_and_round_trips_exactly()
    {
        var network = new AdamSingleNetwork();
        network.InitializeParameters(seed: 7);
        var random = new NumPyRandom(8);
        var values = new double[network.Velocity.Length];
        random.FillStandardNormal(values);
        for (int i = 0; i < values.Length; i++)
        {
            network.Velocity[i] = (float)values[i];
            network.SquaredGradientAverage[i] = (float)(values[i] * values[i]);
        }

        network.UpdateCount = 77;
        network.CompletedEpochs = 7;
        var saved = new MemoryStream();

        network.SaveNpz(saved, includeTrainingState: true);
        var loaded = new AdamSingleNetwork();
        loaded.LoadNpz(new MemoryStream(saved.ToArray()));

        Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(network.Velocity.ToArray(), loaded.Velocity.ToArray());
        Assert.Equal(network.SquaredGradientAverage.ToArray(), loaded.SquaredGradientAverage.ToArray());
        Assert.Equal((77L, 7), (loaded.UpdateCount, loaded.CompletedEpochs));
        Assert.Equal("'<f8'", Descr(saved.ToArray(), "s_dW1"));
    }

    [Fact]
    public void A_file_of_parameters_only_resets_the_training_state()
    {
        INetwork<double> network = Distinctive(Optimizer.Adam);

        network.LoadNpz(TestFile("course.npz"));

        Assert.Equal(NpzTests.CourseParameters(), network.Parameters.ToArray());
        Assert.All(network.Velocity.ToArray(), value => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(value)));
        Assert.All(network.SquaredGradientAverage.ToArray(), value => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(value)));
        Assert.Equal((0L, 0), (network.UpdateCount, network.CompletedEpochs));
    }

    // ---- Files NumPy wrote ----

    /// <summary>The values of the checkpoint_*.npz files: the course parameters, then v and s from NumPyRandom(4).</summary>
    private static INetwork<double> NumPysCheckpoint(Optimizer optimizer, long t, int epoch)
    {
        INetwork<double> network = New(optimizer);
        NpzTests.CourseParameters().CopyTo(network.Parameters);
        var random = new NumPyRandom(4);
        var v = new double[network.Parameters.Length];
        var s = new double[network.Parameters.Length];
        random.FillStandardNormal(v);
        random.FillStandardNormal(s);
        v.AsSpan(0, network.Velocity.Length).CopyTo(network.Velocity);
        s.Select(Math.Abs).Take(network.SquaredGradientAverage.Length).ToArray().CopyTo(network.SquaredGradientAverage);
        network.UpdateCount = t;
        network.CompletedEpochs = epoch;
        return network;
    }

    public static TheoryData<string, Optimizer, long, int> NumPyCheckpoints() => new()
    {
        { "checkpoint_gd.npz", Optimizer.GradientDescent, 1000, 1000 },
        { "checkpoint_momentum.npz", Optimizer.Momentum, 20000, 2000 },
        { "checkpoint_adam.npz", Optimizer.Adam, 25000, 2000 },
    };

    [Theory]
    [MemberData(nameof(NumPyCheckpoints))]
    public void A_checkpoint_NumPy_wrote_with_the_courses_names_loads_exactly(string file, Optimizer optimizer, long t, int epoch)
    {
        INetwork<double> loaded = New(optimizer);

        loaded.LoadNpz(TestFile(file));

        AssertSameState(NumPysCheckpoint(optimizer, t, epoch), loaded);
    }

    [Theory]
    [MemberData(nameof(NumPyCheckpoints))]
    public void A_saved_checkpoint_is_entry_for_entry_byte_for_byte_what_np_savez_writes(string file, Optimizer optimizer, long t, int epoch)
    {
        // np.savez(..., t=np.int64(25000)) and np.savez(..., t=20000) both write a 0-d '<i8' with a 128-byte preamble.
        byte[] ours = Checkpoint(NumPysCheckpoint(optimizer, t, epoch));

        using var mine = new ZipArchive(new MemoryStream(ours), ZipArchiveMode.Read);
        using ZipArchive numpys = ZipFile.OpenRead(TestFile(file));
        Assert.Equal(numpys.Entries.Select(entry => entry.FullName), mine.Entries.Select(entry => entry.FullName));
        foreach (ZipArchiveEntry entry in numpys.Entries)
        {
            ZipArchiveEntry saved = mine.GetEntry(entry.FullName)!;
            Assert.Equal(Contents(entry), Contents(saved));
            Assert.Equal(entry.Crc32, saved.Crc32);
        }

        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", Header(Contents(mine.GetEntry("t.npy")!)).TrimEnd());
    }

    [Fact]
    public void The_courses_float_t_of_shape_1_and_a_float_epoch_load()
    {
        // np.savez(..., t=np.array([25000.0]), epoch=2000.0): Adam's t as the course's notebooks keep it.
        INetwork<double> loaded = New(Optimizer.Adam);

        loaded.LoadNpz(TestFile("checkpoint_adam_float_t.npz"));

        AssertSameState(NumPysCheckpoint(Optimizer.Adam, 25000, 2000), loaded);
    }

    // ---- All or nothing ----

    /// <summary>Files with some training state but not this optimizer's set, and the words the error must contain.</summary>
    public static TheoryData<string, Optimizer, string[]> MismatchedFiles() => new()
    {
        // An Adam file into a momentum network: s_* are extra.
        { "checkpoint_adam.npz", Optimizer.Momentum, ["with Optimizer = Momentum", "unexpected 's_dW1', 's_db1', 's_dW2', 's_db2';", "expected exactly W1, b1, W2, b2, v_dW1, v_db1, v_dW2, v_db2, t, epoch"] },
        // A momentum file into an Adam network: s_* are missing.
        { "checkpoint_momentum.npz", Optimizer.Adam, ["with Optimizer = Adam", "missing 's_dW1' (expected shape (4, 5)), 's_db1' (expected shape (4, 1))", "s_db2, t, epoch"] },
        // A momentum file into a gradient-descent network, which keeps no v.
        { "checkpoint_momentum.npz", Optimizer.GradientDescent, ["with Optimizer = GradientDescent", "unexpected 'v_dW1', 'v_db1', 'v_dW2', 'v_db2';", "expected exactly W1, b1, W2, b2, t, epoch", "or the parameters alone, W1, b1, W2, b2"] },
        // A gradient-descent checkpoint (t and epoch) into a momentum network: v_* are missing.
        { "checkpoint_gd.npz", Optimizer.Momentum, ["missing 'v_dW1' (expected shape (4, 5)), 'v_db1' (expected shape (4, 1)), 'v_dW2'"] },
    };

    [Theory]
    [MemberData(nameof(MismatchedFiles))]
    public void A_file_with_another_optimizers_state_is_rejected_and_changes_nothing(string file, Optimizer optimizer, string[] words)
    {
        INetwork<double> network = Distinctive(optimizer);
        var before = Snapshot(network);

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(TestFile(file)));

        Assert.Contains(file, error.Message);
        Assert.Contains("does not hold a checkpoint of a network [5, 4, 3]", error.Message);
        foreach (string word in words)
        {
            Assert.Contains(word, error.Message);
        }

        Assert.Equal(before, Snapshot(network));
    }

    /// <summary>
    /// A momentum checkpoint with one array replaced (a null array: removed; a name not in the file: added), and the
    /// words the error must contain.
    /// </summary>
    public static TheoryData<string, Optimizer, string, byte[]?, string[]> MalformedStates() => new()
    {
        { "missing v_dW2", Optimizer.Momentum, "v_dW2", null, ["missing 'v_dW2' (expected shape (3, 4))", "with Optimizer = Momentum"] },
        { "missing t", Optimizer.Momentum, "t", null, ["missing 't' (expected a whole number, shape ())"] },
        { "missing epoch", Optimizer.GradientDescent, "epoch", null, ["missing 'epoch' (expected a whole number, shape ())", "expected exactly W1, b1, W2, b2, t, epoch"] },
        { "extra s_dW1", Optimizer.Momentum, "s_dW1", Float64([4, 5], new double[20]), ["unexpected 's_dW1'", "expected exactly W1, b1, W2, b2, v_dW1, v_db1, v_dW2, v_db2, t, epoch"] },
        { "extra v_dW3", Optimizer.Momentum, "v_dW3", Float64([1, 3], new double[3]), ["unexpected 'v_dW3'"] },
        { "v_dW1 transposed", Optimizer.Momentum, "v_dW1", Float64([5, 4], new double[20]), ["array 'v_dW1' (momentum's velocity v of layer 1's weights (5 -> 4)) has shape (5, 4), expected (4, 5)."] },
        { "v_db2 too short", Optimizer.Adam, "v_db2", Float64([2, 1], new double[2]), ["array 'v_db2' (Adam's first moment v of layer 2's biases) has shape (2, 1), expected (3, 1) or (3,)."] },
        { "s_dW2 of int64", Optimizer.Adam, "s_dW2", Npy("<i8", [3, 4], new byte[96]), ["array 's_dW2' (Adam's second moment s of layer 2's weights (4 -> 3))", "dtype '<i8', expected float64"] },
        { "NaN in v_db2", Optimizer.Momentum, "v_db2", Float64([3, 1], [0.5, double.NaN, 0.5]), ["array 'v_db2'", "holds NaN at [1, 0]; the training state must be finite."] },
        { "infinity in s_dW1", Optimizer.Adam, "s_dW1", Float64([4, 5], [.. new double[7], double.PositiveInfinity, .. new double[12]]), ["array 's_dW1'", "holds Infinity at [1, 2]", "must be finite"] },
        { "negative s_db1", Optimizer.Adam, "s_db1", Float64([4, 1], [1, 2, -0.25, 3]), ["array 's_db1'", "holds -0.25 at [2, 0]; Adam's second moments are averages of squares, never negative."] },
        { "t negative", Optimizer.Momentum, "t", Int64(-1), ["array 't' (the count of updates, Adam's t (UpdateCount)) is -1, expected a whole number from 0 to 9223372036854775807."] },
        { "t 2.5", Optimizer.Adam, "t", Npy("<f8", [], BitConverter.GetBytes(2.5)), ["array 't'", "is 2.5, expected a whole number from 0 to 9223372036854775807."] },
        { "t NaN", Optimizer.Adam, "t", Npy("<f8", [1], BitConverter.GetBytes(double.NaN)), ["array 't'", "is NaN, expected a whole number"] },
        { "t 2^63 as a float", Optimizer.Adam, "t", Npy("<f8", [], BitConverter.GetBytes(9223372036854775808.0)), ["array 't'", "is 9.223372036854776E+18, expected a whole number"] },
        { "t beyond long", Optimizer.Adam, "t", Npy("<u8", [], BitConverter.GetBytes(ulong.MaxValue)), ["array 't'", "is 18446744073709551615, expected a whole number from 0 to 9223372036854775807."] },
        { "t of two values", Optimizer.Adam, "t", Npy("<i8", [2], new byte[16]), ["array 't'", "has shape (2,), expected () or (1,)."] },
        { "t a bool", Optimizer.Adam, "t", Npy("|b1", [], [1]), ["array 't'", "has dtype '|b1', expected an integer (int64, '<i8', as np.savez writes a Python int) or a float holding a whole number."] },
        { "t complex", Optimizer.Adam, "t", Npy("<c16", [], new byte[16]), ["array 't'", "has dtype '<c16', expected an integer"] },
        { "t truncated", Optimizer.Adam, "t", Npy("<i8", [], new byte[4]), ["array 't'", "is truncated"] },
        { "t with more data", Optimizer.Adam, "t", Npy("<i8", [], new byte[16]), ["array 't'", "more data than its shape"] },
        { "epoch beyond int", Optimizer.Momentum, "epoch", Int64(1L << 31), ["array 'epoch' (the count of completed epochs (CompletedEpochs)) is 2147483648, expected a whole number from 0 to 2147483647."] },
        { "epoch negative int8", Optimizer.GradientDescent, "epoch", Npy("|i1", [], [0xFF]), ["array 'epoch'", "is -1, expected a whole number from 0 to 2147483647."] },
        { "epoch 1.5 as float32", Optimizer.GradientDescent, "epoch", Npy("<f4", [], BitConverter.GetBytes(1.5f)), ["array 'epoch'", "is 1.5, expected a whole number"] },
    };

    [Theory]
    [MemberData(nameof(MalformedStates))]
    public void A_malformed_training_state_is_rejected_with_a_message_naming_it_and_changes_nothing(string change, Optimizer optimizer, string name, byte[]? npy, string[] words)
    {
        byte[] archive = Replace(Checkpoint(Distinctive(optimizer)), name, npy);
        INetwork<double> network = New(optimizer);
        network.InitializeParameters(new NumPyRandom(99), Initialization.He);
        network.UpdateCount = 5;
        network.CompletedEpochs = 1;
        var before = Snapshot(network);

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(archive)));

        Assert.StartsWith("The .npz data", error.Message);
        foreach (string word in words)
        {
            Assert.True(error.Message.Contains(word, StringComparison.Ordinal), $"{change}: the message\n{error.Message}\ndoes not contain\n{word}");
        }

        Assert.Equal(before, Snapshot(network));
    }

    /// <summary>What NumPy may write for t and epoch besides int64 scalars, all accepted.</summary>
    public static TheoryData<string, byte[], long> AcceptedCounters() => new()
    {
        { "int32", Npy("<i4", [], BitConverter.GetBytes(40_000)), 40_000 },
        { "uint8", Npy("|u1", [], [200]), 200 },
        { "big-endian int64 (1,)", Npy(">i8", [1], BigEndian(1L << 40)), 1L << 40 },
        { "uint64 at long's largest", Npy("<u8", [], BitConverter.GetBytes((ulong)long.MaxValue)), long.MaxValue },
        { "float64 (1,)", Npy("<f8", [1], BitConverter.GetBytes(25000.0)), 25000 },
        { "float32", Npy("<f4", [], BitConverter.GetBytes(1024f)), 1024 },
        { "float64 of 2^53", Npy("<f8", [], BitConverter.GetBytes(9007199254740992.0)), 1L << 53 },
        { "negative zero", Npy("<f8", [], BitConverter.GetBytes(-0.0)), 0 },
    };

    [Theory]
    [MemberData(nameof(AcceptedCounters))]
    public void T_loads_from_any_integer_dtype_or_a_whole_float_of_shape_0_or_1(string kind, byte[] npy, long expected)
    {
        var network = new AdamNetwork();

        network.LoadNpz(new MemoryStream(Replace(Checkpoint(Distinctive(Optimizer.Adam)), "t", npy)));

        Assert.True(expected == network.UpdateCount, $"{kind}: t loaded as {network.UpdateCount}, not {expected}");
        Assert.Equal(123_457, network.CompletedEpochs);
    }

    [Fact]
    public void Epoch_loads_up_to_ints_largest_and_v_biases_load_from_vectors()
    {
        INetwork<double> saved = Distinctive(Optimizer.Momentum);
        byte[] archive = Replace(Checkpoint(saved), "epoch", Int64(int.MaxValue));
        archive = Replace(archive, "v_db1", Float64([4], saved.Velocity.Slice(20, 4).ToArray()));
        var network = new MomentumNetwork();

        network.LoadNpz(new MemoryStream(archive));

        Assert.Equal(int.MaxValue, network.CompletedEpochs);
        Assert.Equal(Bits(saved.Velocity), Bits(network.Velocity));
    }

    [Fact]
    public void A_damaged_checkpoint_fails_its_checksum_in_the_state_and_changes_nothing()
    {
        byte[] bytes = File.ReadAllBytes(TestFile("checkpoint_adam.npz"));
        // The last stored byte of t's data: the local header of epoch.npy follows it, 30 bytes plus the name's 9.
        int epochHeader = IndexOf(bytes, "epoch.npy"u8) - 30;
        bytes[epochHeader - 1] ^= 0x01;
        INetwork<double> network = Distinctive(Optimizer.Adam);
        var before = Snapshot(network);

        var error = Assert.Throws<InvalidDataException>(() => network.LoadNpz(new MemoryStream(bytes)));

        Assert.Contains("array 't'", error.Message);
        Assert.Contains("checksum", error.Message);
        Assert.Equal(before, Snapshot(network));
    }

    [Theory]
    [InlineData("checkpoint_adam.npz", 11)]
    [InlineData("checkpoint_adam_float_t.npz", 12)]
    public void Mutated_checkpoints_are_rejected_cleanly_or_load_the_original_state(string file, int seed)
    {
        byte[] original = File.ReadAllBytes(TestFile(file));
        var expected = Snapshot(NumPysCheckpoint(Optimizer.Adam, 25000, 2000));
        var random = new Random(seed);
        INetwork<double> network = Distinctive(Optimizer.Adam);
        var before = Snapshot(network);
        int rejected = 0;

        for (int trial = 0; trial < 1500; trial++)
        {
            byte[] mutated = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            }

            if (random.Next(4) == 0)
            {
                mutated = mutated[..random.Next(mutated.Length)];
            }

            try
            {
                // A load that succeeds hit only bytes the format ignores: any renamed, resized or altered array is refused.
                network.LoadNpz(new MemoryStream(mutated));
                Assert.True(expected.SequenceEqual(Snapshot(network)), $"Trial {trial} loaded other values.");
                network = Distinctive(Optimizer.Adam);
            }
            catch (InvalidDataException)
            {
                rejected++;
                Assert.True(before.SequenceEqual(Snapshot(network)), $"Trial {trial} changed the network before rejecting.");
            }
            catch (Exception e)
            {
                Assert.Fail($"Trial {trial} threw {e.GetType().Name}, not InvalidDataException: {e}");
            }
        }

        Assert.True(rejected > 1200, $"Only {rejected} of 1500 mutations were rejected.");
    }

    // ---- Refused saves ----

    [Fact]
    public void A_save_of_a_non_finite_state_is_refused_and_leaves_the_old_file()
    {
        using var folder = new NpzTests.TemporaryFolder();
        string path = Path.Combine(folder.Path, "momentum.npz");
        INetwork<double> network = Distinctive(Optimizer.Momentum);
        network.SaveNpz(path, includeTrainingState: true);
        byte[] before = File.ReadAllBytes(path);
        network.Velocity[25] = double.PositiveInfinity; // v_dW2[0, 1]

        var error = Assert.Throws<ArgumentException>(() => network.SaveNpz(path, includeTrainingState: true));

        Assert.Equal("network", error.ParamName);
        Assert.Contains("Training state v_dW2[0, 1] is Infinity; a training state that is not finite is not saved.", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));

        // The parameters alone are still fine to save: the bad v is not part of them.
        network.SaveNpz(path);
        Assert.Equal(Parameters.Select(name => name + ".npy"), EntryNames(File.ReadAllBytes(path)));
    }

    [Fact]
    public void A_save_of_a_negative_second_moment_is_refused()
    {
        INetwork<double> network = Distinctive(Optimizer.Adam);
        network.SquaredGradientAverage[38] = -1e-300; // s_db2[2, 0]
        var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => network.SaveNpz(stream, includeTrainingState: true));

        Assert.Contains("Training state s_db2[2, 0] is -1E-300; Adam's second moments are averages of squares", error.Message);
        Assert.Equal(0, stream.Length);
    }

    [Theory]
    [InlineData(-1L, 0, "The network's UpdateCount (t) is -1")]
    [InlineData(0L, -3, "The network's CompletedEpochs (epoch) is -3")]
    public void A_save_of_a_negative_count_is_refused(long updates, int epochs, string words)
    {
        var network = new HandWrittenNetwork([5, 4, 3], Optimizer.Adam) { UpdateCount = updates, CompletedEpochs = epochs };
        var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => network.SaveNpz(stream, includeTrainingState: true));

        Assert.Contains(words, error.Message);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void A_network_whose_buffers_do_not_fit_its_optimizer_is_refused_by_save_and_load()
    {
        var noVelocity = new HandWrittenNetwork([5, 4, 3], Optimizer.Momentum, velocityLength: 0);
        var strayMoments = new HandWrittenNetwork([5, 4, 3], Optimizer.Momentum, squaresLength: 39);
        var unknown = new HandWrittenNetwork([5, 4, 3], (Optimizer)7);

        var save = Assert.Throws<ArgumentException>(() => noVelocity.SaveNpz(new MemoryStream(), includeTrainingState: true));
        var load = Assert.Throws<ArgumentException>(() => strayMoments.LoadNpz(TestFile("checkpoint_momentum.npz")));
        var other = Assert.Throws<ArgumentException>(() => unknown.SaveNpz(new MemoryStream(), includeTrainingState: true));

        Assert.Contains("The network's LayerSizes and Optimizer (Momentum) call for 39 values in Velocity, but it holds 0.", save.Message);
        Assert.Contains("call for 0 values in SquaredGradientAverage, but it holds 39.", load.Message);
        Assert.Contains("The network's Optimizer is 7", other.Message);
        noVelocity.SaveNpz(new MemoryStream()); // without the state, the buffers do not matter
    }

    // ---- Resuming ----

    public static TheoryData<Optimizer, int> Resumptions() => new()
    {
        { Optimizer.GradientDescent, 0 },
        { Optimizer.Momentum, 4 },
        { Optimizer.Adam, 4 },
        { Optimizer.Adam, 0 },
    };

    /// <summary>
    /// Issue 12's promise, in small: train 20 epochs, save a checkpoint, load it into a new network, train 30 more, and
    /// get the bits of 50 epochs in one run (with mini-batches, decay and dropout, whose shuffles, masks and rates are
    /// numbered by the epoch), the state included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Resumptions))]
    public void Training_resumed_from_a_checkpoint_gives_the_bits_of_training_straight_through(Optimizer optimizer, int miniBatchSize)
    {
        var data = new NumPyRandom(21);
        var x = new double[10 * 5];
        data.FillStandardNormal(x);
        double[] y = Enumerable.Range(0, 10 * 3).Select(i => (double)((i * 7 % 5) > 1 ? 1 : 0)).ToArray();
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 50, MiniBatchSize = miniBatchSize, ShuffleSeed = 10, DecayRate = 0.3, KeepProbability = 0.8, RecordEvery = 1 };

        INetwork<double> straight = New(optimizer);
        straight.InitializeParameters(new NumPyRandom(3), Initialization.He);
        IReadOnlyList<TrainingRecord> all = straight.Train(x, y, options, cancellationToken: TestContext.Current.CancellationToken);

        INetwork<double> first = New(optimizer);
        first.InitializeParameters(new NumPyRandom(3), Initialization.He);
        IReadOnlyList<TrainingRecord> before = first.Train(x, y, options with { Epochs = 20 }, cancellationToken: TestContext.Current.CancellationToken);
        byte[] checkpoint = Checkpoint(first);
        INetwork<double> resumed = New(optimizer);
        resumed.LoadNpz(new MemoryStream(checkpoint));
        IReadOnlyList<TrainingRecord> after = resumed.Train(x, y, options with { Epochs = 30 }, cancellationToken: TestContext.Current.CancellationToken);

        AssertSameState(straight, resumed);
        Assert.Equal(50, resumed.CompletedEpochs);
        Assert.Equal(all.Select(record => (record.Iteration, BitConverter.DoubleToInt64Bits(record.Cost))), before.Concat(after).Select(record => (record.Iteration, BitConverter.DoubleToInt64Bits(record.Cost))));
    }

    [Fact]
    public void Resuming_from_the_parameters_alone_is_not_the_same_as_from_the_checkpoint()
    {
        // The control for the test above: without v, s, t and epoch, Adam's next updates differ.
        var data = new NumPyRandom(21);
        var x = new double[10 * 5];
        data.FillStandardNormal(x);
        double[] y = Enumerable.Range(0, 10 * 3).Select(i => (double)(i % 2)).ToArray();
        var options = new TrainingOptions { LearningRate = 0.01, Epochs = 5, MiniBatchSize = 4 };
        var first = new AdamNetwork();
        first.InitializeParameters(seed: 3);
        first.Train(x, y, options, cancellationToken: TestContext.Current.CancellationToken);
        var parameters = new MemoryStream();
        first.SaveNpz(parameters);
        byte[] checkpoint = Checkpoint(first);

        var fromParameters = new AdamNetwork();
        fromParameters.LoadNpz(new MemoryStream(parameters.ToArray()));
        var fromCheckpoint = new AdamNetwork();
        fromCheckpoint.LoadNpz(new MemoryStream(checkpoint));
        fromParameters.Train(x, y, options, cancellationToken: TestContext.Current.CancellationToken);
        fromCheckpoint.Train(x, y, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((5L * 3, 5), (fromParameters.UpdateCount, fromParameters.CompletedEpochs));
        Assert.Equal((10L * 3, 10), (fromCheckpoint.UpdateCount, fromCheckpoint.CompletedEpochs));
        Assert.NotEqual(Bits(fromParameters.Parameters), Bits(fromCheckpoint.Parameters));
    }

    // ---- Archives ----

    /// <summary>The archive with the entry <paramref name="name"/> replaced by <paramref name="npy"/> (null: removed; absent: appended).</summary>
    private static byte[] Replace(byte[] archive, string name, byte[]? npy)
    {
        using var input = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            bool replaced = false;
            foreach (ZipArchiveEntry entry in input.Entries)
            {
                bool match = entry.FullName == name + ".npy";
                replaced |= match;
                byte[]? contents = match ? npy : Contents(entry);
                if (contents is not null)
                {
                    Add(zip, entry.FullName, contents);
                }
            }

            if (!replaced && npy is not null)
            {
                Add(zip, name + ".npy", npy);
            }
        }

        return output.ToArray();

        static void Add(ZipArchive zip, string entryName, byte[] contents)
        {
            using Stream stream = zip.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
            stream.Write(contents);
        }
    }

    /// <summary>A .npy array of <paramref name="descr"/> and <paramref name="shape"/> with NumPy's header, then <paramref name="data"/>.</summary>
    private static byte[] Npy(string descr, long[] shape, byte[] data) => [.. NpyHeader.Preamble(descr, shape), .. data];

    private static byte[] Float64(long[] shape, double[] values) => Npy("<f8", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    private static byte[] Int64(long value) => Npy("<i8", [], BitConverter.GetBytes(value));

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Contents(ZipArchiveEntry entry) => NpzTests.Contents(entry);

    /// <summary>The header dictionary of a version 1.0 .npy array.</summary>
    private static string Header(byte[] npy) => System.Text.Encoding.Latin1.GetString(npy, 10, BitConverter.ToUInt16(npy, 8));

    private static string Descr(byte[] archive, string name)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        string header = Header(Contents(zip.GetEntry(name + ".npy")!));
        int start = header.IndexOf("'descr': ", StringComparison.Ordinal) + 9;
        return header[start..header.IndexOf(',', start)];
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> value) => bytes.AsSpan().IndexOf(value);
}
