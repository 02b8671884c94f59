using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The public NumPy data reader against files written by NumPy 1.24 (DataFiles/make_data_files.py): every supported
/// dtype in both byte orders, C and Fortran order, every rank, the conversions and their range checks, and the
/// rejection of foreign and damaged files with messages that name the file, the array and the cause.
/// </summary>
public class NumPyFileTests
{
    private static string TestFile(string name) => Path.Combine(AppContext.BaseDirectory, "DataFiles", name);

    // The script's formulas of the C-order index k.
    private static double FloatValue(int k) => (k + 0.25) * (k % 2 == 0 ? 1 : -1);

    private static long SignedValue(int k) => k * (k % 2 == 0 ? 1L : -1L);

    public static TheoryData<string, NumPyElementType> Types() => new()
    {
        { "f8", NumPyElementType.Float64 }, { "f4", NumPyElementType.Float32 },
        { "i1", NumPyElementType.Int8 }, { "i2", NumPyElementType.Int16 }, { "i4", NumPyElementType.Int32 }, { "i8", NumPyElementType.Int64 },
        { "u1", NumPyElementType.UInt8 }, { "u2", NumPyElementType.UInt16 }, { "u4", NumPyElementType.UInt32 }, { "u8", NumPyElementType.UInt64 },
        { "b1", NumPyElementType.Bool },
        { "f8_big", NumPyElementType.Float64 }, { "f4_big", NumPyElementType.Float32 }, { "i8_big", NumPyElementType.Int64 },
        { "i4_big", NumPyElementType.Int32 }, { "u2_big", NumPyElementType.UInt16 },
    };

    private static double[] Expected(string name, int length) => Enumerable.Range(0, length).Select(k => name[0] switch
    {
        'f' => FloatValue(k),
        'i' when name.StartsWith("i1", StringComparison.Ordinal) => k - 3,
        'i' => SignedValue(k),
        'u' => k,
        _ => k % 3 == 0 ? 1.0 : 0.0,
    }).ToArray();

    [Theory]
    [MemberData(nameof(Types))]
    public void Reads_every_supported_dtype_with_its_shape_and_values(string name, NumPyElementType type)
    {
        foreach (string file in new[] { "types.npz", "types_compressed.npz" })
        {
            NumPyArray array = NumPyFile.ReadNpz(TestFile(file))[name];

            Assert.Equal(name, array.Name);
            Assert.Equal(type, array.ElementType);
            Assert.Equal([2, 3], array.Shape);
            Assert.Equal(2, array.Rank);
            Assert.Equal(6, array.Length);
            Assert.Equal(Expected(name, 6), array.ToDoubleArray());
        }
    }

    [Fact]
    public void An_archive_reads_whole_with_every_name_in_order()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("types.npz"));

        Assert.Equal(22, arrays.Count);
        Assert.Contains("scalar", arrays.Keys);
        Assert.Equal("'f8' Float64 (2, 3)", arrays["f8"].ToString());
    }

    [Fact]
    public void Fortran_order_arrays_come_back_in_C_order()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("types.npz"));

        NumPyArray floats = arrays["f8_fortran"];
        Assert.Equal([2, 3, 4], floats.Shape);
        Assert.Equal(Expected("f8", 24), floats.ToDoubleArray());
        Assert.Equal(Enumerable.Range(0, 24).Select(k => (double)SignedValue(k)), arrays["i8_fortran"].ToDoubleArray());
        Assert.Equal([3, 2], arrays["b1_fortran"].Shape);
        Assert.Equal(Expected("b1", 6), arrays["b1_fortran"].ToDoubleArray());

        NumPyArray matrix = NumPyFile.ReadNpy(TestFile("matrix_fortran.npy"));
        Assert.Equal("matrix_fortran", matrix.Name);
        Assert.Equal([3, 4], matrix.Shape);
        Assert.Equal(Expected("f8", 12), matrix.ToDoubleArray());
    }

    [Fact]
    public void Scalars_vectors_and_empty_arrays_keep_their_shapes()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("types.npz"));

        Assert.Empty(arrays["scalar"].Shape);
        Assert.Equal([0.25], arrays["scalar"].ToDoubleArray());
        Assert.Equal([5], arrays["vector"].Shape);
        Assert.Equal([0, -1, 2, -3, 4], arrays["vector"].ToInt32Array());
        Assert.Equal([0, 3], arrays["empty"].Shape);
        Assert.Empty(arrays["empty"].ToDoubleArray());
    }

    [Fact]
    public void Format_versions_1_2_and_3_read_alike()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("formats.npz"));

        foreach (string name in new[] { "v1", "v2", "v3" })
        {
            Assert.Equal(Expected("f8", 6), arrays[name].ToDoubleArray());
        }
    }

    [Fact]
    public void Streams_read_as_files_do()
    {
        using (FileStream archive = File.OpenRead(TestFile("types_compressed.npz")))
        {
            Assert.Equal(Expected("i8", 6), NumPyFile.ReadNpz(archive)["i8_big"].ToDoubleArray());
        }

        using FileStream single = File.OpenRead(TestFile("labels.npy"));
        NumPyArray labels = NumPyFile.ReadNpy(single);
        Assert.Equal("array", labels.Name);
        Assert.Equal([0, -1, 2, -3, 4, -5, 6], labels.ToInt32Array());
    }

    [Fact]
    public void Transpose_reverses_the_axes_as_NumPy_T()
    {
        NumPyArray matrix = NumPyFile.ReadNpz(TestFile("types.npz"))["f8"];

        NumPyArray transposed = matrix.Transpose();

        Assert.Equal([3, 2], transposed.Shape);
        // [[0.25, -1.25, 2.25], [-3.25, 4.25, -5.25]].T
        Assert.Equal([0.25, -3.25, -1.25, 4.25, 2.25, -5.25], transposed.ToDoubleArray());
        Assert.Equal(matrix.ToDoubleArray(), transposed.Transpose().ToDoubleArray());

        NumPyArray cube = NumPyFile.ReadNpz(TestFile("types.npz"))["f8_fortran"].Transpose();
        Assert.Equal([4, 3, 2], cube.Shape);
        double[] values = cube.ToDoubleArray();
        // cube[c, b, a] = original[a, b, c] = FloatValue(a * 12 + b * 4 + c).
        Assert.Equal(FloatValue((1 * 12) + (2 * 4) + 3), values[(3 * 6) + (2 * 2) + 1]);
    }

    [Fact]
    public void Single_precision_conversion_rounds_and_refuses_overflow()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("conversions.npz"));

        Assert.Equal([3f, -7f, 0f, 9f], arrays["whole"].ToSingleArray());
        Assert.Equal([float.PositiveInfinity, float.NegativeInfinity], arrays["infinite"].ToSingleArray());
        Assert.True(float.IsNaN(arrays["nan"].ToSingleArray()[0]));
        var error = Assert.Throws<OverflowException>(() => arrays["huge"].ToSingleArray());
        Assert.Equal("Array 'huge' holds 1E+300 at [1], which is beyond the range of float (about 3.4e38).", error.Message);
    }

    [Fact]
    public void Int32_conversion_takes_whole_numbers_in_range_only()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("conversions.npz"));

        Assert.Equal([3, -7, 0, 9], arrays["whole"].ToInt32Array());
        Assert.Equal(
            "Array 'big_i8' holds 1099511627776 at [1], which is not a whole number from -2147483648 to 2147483647.",
            Assert.Throws<OverflowException>(() => arrays["big_i8"].ToInt32Array()).Message);
        Assert.Contains("holds 2147483648 at [0]", Assert.Throws<OverflowException>(() => arrays["big_u4"].ToInt32Array()).Message, StringComparison.Ordinal);
        Assert.Contains("holds 2.5 at [1]", Assert.Throws<OverflowException>(() => arrays["half"].ToInt32Array()).Message, StringComparison.Ordinal);
        Assert.Contains("holds NaN at [0]", Assert.Throws<OverflowException>(() => arrays["nan"].ToInt32Array()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_conversion_of_a_large_int64_rounds_as_NumPy_astype()
        => Assert.Equal([9007199254740992.0], NumPyFile.ReadNpz(TestFile("conversions.npz"))["precise"].ToDoubleArray());

    [Fact]
    public void Unsigned_values_above_the_signed_range_stay_unsigned()
    {
        // uint64 2^63 + 2048 and uint32 2^31 (the runtime would let a ulong[] pass for a long[], which reads them negative).
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(TestFile("conversions.npz"));

        Assert.Equal([9223372036854777856.0], arrays["big_u8"].ToDoubleArray());
        Assert.Equal([2147483648.0], arrays["big_u4"].ToDoubleArray());
        Assert.Equal([2147483648f], arrays["big_u4"].Transpose().ToSingleArray());
    }

    [Fact]
    public void The_returned_arrays_are_copies()
    {
        NumPyArray array = NumPyFile.ReadNpz(TestFile("types.npz"))["f4"];

        array.ToSingleArray()[0] = 99;
        array.ToDoubleArray()[0] = 99;

        Assert.Equal(0.25, array.ToDoubleArray()[0]);
    }

    public static TheoryData<string, string> Rejected() => new()
    {
        { "float16.npz", "array 'x' has dtype '<f2'; expected float64 ('<f8'), float32 ('<f4'), a signed or unsigned integer" },
        { "complex.npz", "array 'x' has dtype '<c16'; expected float64" },
        { "strings.npz", "array 'x' has dtype '<U1'; expected float64" },
        { "not_npy_entry.npz", "holds the entry 'readme.txt', which is not a .npy array" },
        { "truncated_data.npz", "array 'x' is truncated: its shape (2, 3) calls for 6 values (48 bytes of data), but it holds 40 bytes of data." },
        { "extra_data.npz", "array 'x' has more data than its shape (2, 3) holds; the file is corrupt." },
        { "bad_magic.npz", "array 'x' is not a .npy array: it does not start with NumPy's magic string." },
        { "bool_byte_2.npz", "array 'x' holds the byte 2 at [1, 1]; a bool is 0 or 1." },
        { "bad_crc.npz", "array 'x' fails its checksum" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Foreign_and_damaged_archives_are_rejected_with_the_file_the_array_and_the_cause(string file, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => NumPyFile.ReadNpz(TestFile(file)));

        Assert.StartsWith($"'{TestFile(file)}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_npy_file_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => NumPyFile.ReadNpy(TestFile("truncated.npy")));

        Assert.Equal($"'{TestFile("truncated.npy")}' is truncated: its shape (3, 4) calls for 12 values (96 bytes of data), but it holds 95 bytes of data.", error.Message);
    }

    [Fact]
    public void A_parameter_archive_from_the_loader_tests_reads_as_data_too()
    {
        IReadOnlyDictionary<string, NumPyArray> arrays = NumPyFile.ReadNpz(Path.Combine(AppContext.BaseDirectory, "NpzFiles", "course.npz"));

        Assert.Equal(["W1", "W2", "b1", "b2"], arrays.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([4, 5], arrays["W1"].Shape);
    }

    [Fact]
    public void A_zip_that_is_not_an_archive_and_bad_arguments_are_refused()
    {
        var notZip = Assert.Throws<InvalidDataException>(() => NumPyFile.ReadNpz(new MemoryStream([1, 2, 3, 4])));
        Assert.StartsWith("The .npz data is not a valid .npz archive", notZip.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentNullException>(() => NumPyFile.ReadNpz((string)null!));
        Assert.Throws<ArgumentException>(() => NumPyFile.ReadNpy(string.Empty));
        Assert.Throws<FileNotFoundException>(() => NumPyFile.ReadNpz(AppContext.BaseDirectory));
        Assert.Throws<FileNotFoundException>(() => NumPyFile.ReadNpz(TestFile("absent.npz")));
        using var writeOnly = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.Write, FileShare.None, 4096, FileOptions.DeleteOnClose);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => NumPyFile.ReadNpy(writeOnly)).ParamName);
    }
}
