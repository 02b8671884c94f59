using System.IO;
using CatClassifier;
using SkiaSharp;

namespace DnnGen.Samples.Tests;

/// <summary>One's own pictures: decoded, turned upright, reduced to RGB and resized to 64 x 64 as the course does.</summary>
public class PictureTests
{
    [Fact]
    public void A_64_by_64_png_loads_exactly_in_C_order()
    {
        using var folder = new TemporaryFolder();
        var rgb = new byte[CatImages.PixelsPerImage];
        new Random(7).NextBytes(rgb);
        Images.Write(folder.File("exact.png"), rgb, 64, 64);

        Assert.Equal(rgb, Picture.Load(folder.File("exact.png")));
    }

    [Fact]
    public void A_large_photo_of_one_colour_stays_that_colour()
    {
        using var folder = new TemporaryFolder();
        Images.Write(folder.File("photo.png"), Images.Uniform(640, 480, 200, 120, 40), 640, 480);

        Assert.Equal(Images.Uniform(64, 64, 200, 120, 40), Picture.Load(folder.File("photo.png")));
    }

    [Fact]
    public void Shrinking_averages_the_pixels_instead_of_sampling_them()
    {
        // A one-pixel checkerboard of black and white: sampling would give black or white, averaging gives grey.
        var rgb = new byte[256 * 256 * 3];
        for (int y = 0; y < 256; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                rgb.AsSpan(((y * 256) + x) * 3, 3).Fill((x + y) % 2 == 0 ? (byte)0 : (byte)255);
            }
        }

        byte[] small = Picture.Resize(rgb, 256, 256, 64, 64);

        Assert.All(small, value => Assert.InRange(value, 120, 135));
    }

    [Fact]
    public void Transparency_is_dropped_as_PILs_convert_RGB_does()
    {
        using var folder = new TemporaryFolder();
        Images.Write(folder.File("clear.png"), Images.Uniform(64, 64, 10, 20, 30), 64, 64, alpha: 128);

        Assert.Equal(Images.Uniform(64, 64, 10, 20, 30), Picture.Load(folder.File("clear.png")));
    }

    /// <summary>a b c / d e f, shown upright for each EXIF orientation.</summary>
    [Theory]
    [InlineData(SKEncodedOrigin.TopLeft, 3, "abcdef")]
    [InlineData(SKEncodedOrigin.TopRight, 3, "cbafed")]
    [InlineData(SKEncodedOrigin.BottomRight, 3, "fedcba")]
    [InlineData(SKEncodedOrigin.BottomLeft, 3, "defabc")]
    [InlineData(SKEncodedOrigin.LeftTop, 2, "adbecf")]
    [InlineData(SKEncodedOrigin.RightTop, 2, "daebfc")]
    [InlineData(SKEncodedOrigin.RightBottom, 2, "fcebda")]
    [InlineData(SKEncodedOrigin.LeftBottom, 2, "cfbead")]
    public void Each_EXIF_orientation_is_turned_upright(SKEncodedOrigin origin, int width, string expected)
    {
        byte[] rgb = "abcdef".SelectMany(letter => new[] { (byte)letter, (byte)letter, (byte)letter }).ToArray();

        (byte[] pixels, int outWidth, int outHeight) = Picture.Orient(rgb, 3, 2, origin);

        Assert.Equal((width, 6 / width), (outWidth, outHeight));
        Assert.Equal(expected, new string(pixels.Where((_, i) => i % 3 == 0).Select(value => (char)value).ToArray()));
    }

    [Fact]
    public void A_phone_photo_stored_sideways_is_read_upright()
    {
        // Stored 64 x 32, left half red and right half blue, with EXIF orientation 6 (turn 90 degrees clockwise to
        // show): upright it is 32 x 64 with red on top.
        var rgb = new byte[64 * 32 * 3];
        for (int i = 0; i < 64 * 32; i++)
        {
            bool left = i % 64 < 32;
            rgb[i * 3] = left ? (byte)255 : (byte)0;
            rgb[(i * 3) + 2] = left ? (byte)0 : (byte)255;
        }

        using var folder = new TemporaryFolder();
        string path = folder.File("sideways.jpg");
        Images.Write(path, rgb, 64, 32, SKEncodedImageFormat.Jpeg);
        byte[] jpeg = File.ReadAllBytes(path);
        File.WriteAllBytes(path, [.. jpeg[..2], .. ExifOrientation(6), .. jpeg[2..]]);

        byte[] upright = Picture.Load(path);

        Assert.True(upright[0] > 200 && upright[2] < 60, "The top left should be red.");
        Assert.True(upright[^3] < 60 && upright[^1] > 200, "The bottom right should be blue.");
    }

    /// <summary>A JPEG APP1 segment holding only an EXIF orientation tag (0x0112) with <paramref name="value"/>.</summary>
    private static byte[] ExifOrientation(byte value) =>
    [
        0xFF, 0xE1, 0x00, 0x22, // APP1, 34 bytes with the length itself
        (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0,
        (byte)'I', (byte)'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, // little-endian TIFF, first IFD at 8
        0x01, 0x00, // one entry
        0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, value, 0x00, 0x00, 0x00, // orientation, SHORT, 1 value
        0x00, 0x00, 0x00, 0x00, // no next IFD
    ];

    [Fact]
    public void A_file_that_is_not_an_image_is_an_InvalidDataException_naming_it()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.jpg"), "not a picture at all");

        var error = Assert.Throws<InvalidDataException>(() => Picture.Load(folder.File("notes.jpg")));

        Assert.Contains(folder.File("notes.jpg"), error.Message);
    }

    [Fact]
    public void A_truncated_image_is_an_InvalidDataException()
    {
        using var folder = new TemporaryFolder();
        var rgb = new byte[128 * 128 * 3];
        new Random(3).NextBytes(rgb);
        Images.Write(folder.File("cut.png"), rgb, 128, 128);
        byte[] png = File.ReadAllBytes(folder.File("cut.png"));
        File.WriteAllBytes(folder.File("cut.png"), png[..(png.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => Picture.Load(folder.File("cut.png")));

        Assert.Contains("truncated or corrupt", error.Message);
    }

    [Fact]
    public void A_missing_image_or_a_folder_is_a_FileNotFoundException()
    {
        using var folder = new TemporaryFolder();

        Assert.Throws<FileNotFoundException>(() => Picture.Load(folder.File("absent.jpg")));
        Assert.Throws<FileNotFoundException>(() => Picture.Load(folder.Path));
    }

    [Fact]
    public void Predict_reports_a_bad_image_before_reading_data_or_weights()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.png"), "not a picture");

        RunResult missing = Cat.Run(folder.Path, ["predict", "absent.jpg", "--load", "absent.npz"]);
        RunResult corrupt = Cat.Run(folder.Path, ["predict", "notes.png", "--load", "absent.npz"]);

        missing.AssertRejected($"Image not found: '{folder.File("absent.jpg")}'.");
        Assert.Equal(ExitCodes.BadInput, corrupt.ExitCode);
        Assert.StartsWith($"'{folder.File("notes.png")}' is not an image that can be read", corrupt.Error.Trim());
    }
}
