using System;
using System.IO;
using SkiaSharp;

namespace CatClassifier;

/// <summary>
/// One's own picture as the network sees it: decoded (JPEG, PNG or anything else SkiaSharp reads), turned upright as
/// its EXIF orientation says, reduced to RGB and resized to 64 x 64, as the course's
/// <c>np.array(Image.open(fname).resize((64, 64)))</c> does.
/// </summary>
public static class Picture
{
    /// <summary>The side of the square images the networks take.</summary>
    public const int Size = CatImages.Width;

    /// <summary>
    /// Loads the image at <paramref name="path"/> as <see cref="CatImages.PixelsPerImage"/> bytes in C order (row,
    /// column, channel), the layout of the dataset's images.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode, or it is truncated.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static byte[] Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"Image '{path}' is a folder, not a file.", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image not found: '{path}'.", path);
        }

        byte[] bytes = File.ReadAllBytes(path);
        var stream = new SKMemoryStream(bytes);
        using SKCodec? codec = SKCodec.Create(stream, out SKCodecResult opened); // owns the stream from here on
        if (codec is null)
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' is not an image that can be read ({opened}); use a JPEG or PNG file.");
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
        {
            throw new InvalidDataException($"'{path}' could not be decoded ({decoded}): the image is truncated or corrupt.");
        }

        // RGBA -> RGB: the alpha channel is dropped, as PIL's convert("RGB") does.
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        var rgb = new byte[info.Width * info.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }

        (byte[] upright, int width, int height) = Orient(rgb, info.Width, info.Height, codec.EncodedOrigin);
        return Resize(upright, width, height, Size, Size);
    }

    /// <summary>
    /// Turns an RGB image upright as its EXIF orientation says (phone cameras store the sensor's rows and record how
    /// to turn them). Returns the new pixels and size.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height) Orient(byte[] rgb, int width, int height, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft)
        {
            return (rgb, width, height);
        }

        bool swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        (int outWidth, int outHeight) = swaps ? (height, width) : (width, height);
        var result = new byte[rgb.Length];
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                // The stored pixel that is shown at (x, y).
                (int sx, int sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, height - 1 - x),
                    SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),
                    SKEncodedOrigin.LeftBottom => (width - 1 - y, x),
                    _ => (x, y),
                };
                rgb.AsSpan(((sy * width) + sx) * 3, 3).CopyTo(result.AsSpan(((y * outWidth) + x) * 3, 3));
            }
        }

        return (result, outWidth, outHeight);
    }

    /// <summary>
    /// Resizes an RGB image with the bicubic filter (a = -0.5) widened by the reduction factor, as PIL's
    /// <c>Image.resize</c> does by default, so that a large photo is averaged rather than sampled. The two passes run in
    /// floating point and round once at the end.
    /// </summary>
    public static byte[] Resize(byte[] rgb, int width, int height, int outWidth, int outHeight)
    {
        if (width == outWidth && height == outHeight)
        {
            return (byte[])rgb.Clone();
        }

        // Horizontal pass: (height, width) -> (height, outWidth).
        (int[] xStart, float[][] xWeights) = Coefficients(width, outWidth);
        var horizontal = new float[height * outWidth * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                float[] weights = xWeights[x];
                for (int c = 0; c < 3; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * rgb[((y * width) + xStart[x] + k) * 3 + c];
                    }

                    horizontal[((y * outWidth) + x) * 3 + c] = sum;
                }
            }
        }

        // Vertical pass: (height, outWidth) -> (outHeight, outWidth).
        (int[] yStart, float[][] yWeights) = Coefficients(height, outHeight);
        var result = new byte[outHeight * outWidth * 3];
        for (int y = 0; y < outHeight; y++)
        {
            float[] weights = yWeights[y];
            for (int x = 0; x < outWidth; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * horizontal[(((yStart[y] + k) * outWidth) + x) * 3 + c];
                    }

                    result[((y * outWidth) + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(sum), 0, 255);
                }
            }
        }

        return result;
    }

    // PIL's precompute_coeffs: for each output position, the first input index and the normalised filter weights.
    private static (int[] Start, float[][] Weights) Coefficients(int inSize, int outSize)
    {
        const double Support = 2.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support * filterScale;
        var starts = new int[outSize];
        var weights = new float[outSize][];
        for (int i = 0; i < outSize; i++)
        {
            double center = (i + 0.5) * scale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize);
            var w = new double[max - min];
            double total = 0;
            for (int k = 0; k < w.Length; k++)
            {
                w[k] = Bicubic((k + min - center + 0.5) / filterScale);
                total += w[k];
            }

            starts[i] = min;
            weights[i] = Array.ConvertAll(w, value => (float)(total == 0 ? 0 : value / total));
        }

        return (starts, weights);
    }

    private static double Bicubic(double x)
    {
        const double A = -0.5;
        x = Math.Abs(x);
        return x < 1 ? (((A + 2) * x) - (A + 3)) * x * x + 1
            : x < 2 ? ((((x - 5) * x) + 8) * x - 4) * A
            : 0;
    }
}
