using System.Collections.Generic;
using System.IO;
using System.Threading;
using CatClassifier;
using SkiaSharp;

namespace DnnGen.Samples.Tests;

/// <summary>What one in-process run of the cat classifier printed.</summary>
internal sealed record RunResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Asserts a run refused its input: exit code 2, nothing on standard output, exactly these lines on standard error.</summary>
    public void AssertRejected(params string[] errorLines)
    {
        Assert.Equal(ExitCodes.BadInput, ExitCode);
        Assert.Equal("", Output);
        Assert.Equal(string.Concat(errorLines.Select(line => line + "\n")), Error.ReplaceLineEndings("\n"));
    }
}

internal static class Cat
{
    /// <summary>
    /// Runs the program as `CatClassifier args` would, with output redirected (plain lines), no $DNNGEN_DATA, and
    /// <paramref name="folder"/> as the current folder.
    /// </summary>
    public static RunResult Run(string folder, string[] args) => Run(folder, args, TestContext.Current.CancellationToken);

    /// <summary>As <see cref="Run(string, string[])"/>, with these environment variables (the only ones set).</summary>
    public static RunResult Run(string folder, string[] args, IReadOnlyDictionary<string, string> environment) =>
        Run(folder, args, TestContext.Current.CancellationToken, environment: environment);

    /// <summary>
    /// As <see cref="Run(string, string[])"/>, with a token that plays Ctrl+C and, optionally, a writer of one's own and
    /// environment variables.
    /// </summary>
    public static RunResult Run(
        string folder, string[] args, CancellationToken cancellationToken, TextWriter? output = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        output ??= new StringWriter();
        var error = new StringWriter();
        var console = new CatConsole
        {
            Out = output,
            Error = error,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
            CurrentDirectory = folder,
        };
        int exitCode = CatProgram.Run(args, console, cancellationToken);
        return new RunResult(exitCode, output.ToString()!, error.ToString());
    }
}

/// <summary>A new empty folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dnngen-samples-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>
/// A real folder in which this process cannot create files. A normal user gets a new temporary folder with mode 0555.
/// Root ignores permission bits, so as root (as in CI) it is /sys, where the kernel lets nobody create files; the
/// constructor checks that creating a file there really fails, so the test never passes against a writable folder.
/// </summary>
internal sealed class UnwritableFolder : IDisposable
{
    private readonly TemporaryFolder? _temporary;

    public UnwritableFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("An unwritable folder is made with Unix permission bits or /sys; Windows has neither.");
            throw new System.Diagnostics.UnreachableException();
        }

        if (Environment.IsPrivilegedProcess)
        {
            Path = "/sys";
        }
        else
        {
            _temporary = new TemporaryFolder();
            System.IO.File.SetUnixFileMode(_temporary.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            Path = _temporary.Path;
        }

        string probe = System.IO.Path.Combine(Path, "dnngen-probe-" + Guid.NewGuid().ToString("N"));
        Assert.ThrowsAny<Exception>(() => System.IO.File.Create(probe).Dispose());
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (_temporary is not null && !OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(_temporary.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            _temporary.Dispose();
        }
    }
}

internal static class Images
{
    /// <summary>Encodes RGB pixels (C order) as a PNG or JPEG file.</summary>
    public static void Write(string path, ReadOnlySpan<byte> rgb, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, byte alpha = 255)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Span<byte> rgba = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = alpha;
        }

        using SKData data = bitmap.Encode(format, 95);
        System.IO.File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>The size of a PNG file, read back with SkiaSharp.</summary>
    public static (int Width, int Height) SizeOf(string path)
    {
        using var codec = SKCodec.Create(path);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Png, codec.EncodedFormat);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>An image of one colour.</summary>
    public static byte[] Uniform(int width, int height, byte r, byte g, byte b)
    {
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = r;
            rgb[i + 1] = g;
            rgb[i + 2] = b;
        }

        return rgb;
    }
}
