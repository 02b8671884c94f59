using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using DnnGen.Persistence;

using DnnGen.Tests.Shared;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// SaveNpz's destination: a long file name, a symbolic link, a FIFO, a device and a private file are each handled as
/// a file system's user expects: the target of a link replaced, a non-file refused, the permissions kept.
/// </summary>
public sealed class NpzSaveDestinationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dnngen-save-" + Guid.NewGuid().ToString("N"));

    public NpzSaveDestinationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SmallNetwork Network()
    {
        var network = new SmallNetwork();
        network.InitializeParameters(seed: 5);
        return network;
    }

    private static void AssertHolds(string path, SmallNetwork expected)
    {
        var loaded = new SmallNetwork();
        loaded.LoadNpz(path);
        Assert.Equal(expected.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    private static void RequireUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file kinds and modes do not exist on Windows.");
        }
    }

    [Fact]
    public void A_file_name_of_255_bytes_is_saved_with_a_short_temporary_name()
    {
        string path = Path.Combine(_folder, new string('w', 251) + ".npz");
        var network = Network();

        network.SaveNpz(path);

        AssertHolds(path, network);
        Assert.Equal([path], Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void A_symbolic_link_is_followed_and_its_target_replaced()
    {
        string targets = Directory.CreateDirectory(Path.Combine(_folder, "targets")).FullName;
        string target = Path.Combine(targets, "real.npz");
        File.WriteAllText(target, "an older file");
        string link = Path.Combine(_folder, "link.npz");
        File.CreateSymbolicLink(link, target);
        var network = Network();

        network.SaveNpz(link);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        AssertHolds(target, network);
        Assert.Equal([target], Directory.GetFileSystemEntries(targets));
        Assert.Equal([link, targets], Directory.GetFileSystemEntries(_folder).Order());
    }

    [Fact]
    public void A_dangling_symbolic_link_gets_its_target_created()
    {
        string target = Path.Combine(_folder, "new.npz");
        string link = Path.Combine(_folder, "link.npz");
        File.CreateSymbolicLink(link, target);
        var network = Network();

        network.SaveNpz(link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        AssertHolds(target, network);
    }

    [Fact]
    public void A_FIFO_is_refused_and_left_a_FIFO()
    {
        RequireUnix();
        string fifo = Path.Combine(_folder, "pipe.npz");
        MakeFifo(fifo);
        Assert.Equal("a FIFO (named pipe)", UnixFileKind.DescribeIfNotRegular(fifo));

        var error = Assert.Throws<IOException>(() => Network().SaveNpz(fifo));

        Assert.Equal($"Cannot save parameters to '{fifo}': it is a FIFO (named pipe), not a regular file.", error.Message);
        Assert.Equal("a FIFO (named pipe)", UnixFileKind.DescribeIfNotRegular(fifo));
        Assert.Equal([fifo], Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void A_device_is_refused_and_left_alone()
    {
        RequireUnix();

        // Checked first, so that a failing check can never let the save replace /dev/null.
        Assert.Equal("a character device", UnixFileKind.DescribeIfNotRegular("/dev/null"));

        var error = Assert.Throws<IOException>(() => Network().SaveNpz("/dev/null"));

        Assert.Equal("Cannot save parameters to '/dev/null': it is a character device, not a regular file.", error.Message);
        Assert.Equal("a character device", UnixFileKind.DescribeIfNotRegular("/dev/null"));
    }

    [Fact]
    public void A_link_to_a_device_names_both()
    {
        RequireUnix();
        Assert.Equal("a character device", UnixFileKind.DescribeIfNotRegular("/dev/null"));
        string link = Path.Combine(_folder, "null.npz");
        File.CreateSymbolicLink(link, "/dev/null");

        var error = Assert.Throws<IOException>(() => Network().SaveNpz(link));

        Assert.Equal($"Cannot save parameters to '{link}' (a link to '/dev/null'): it is a character device, not a regular file.", error.Message);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_replaced_file_keeps_its_permissions(UnixFileMode mode)
    {
        RequireUnix();
        string path = Path.Combine(_folder, "private.npz");
        File.WriteAllText(path, "an older file");
        File.SetUnixFileMode(path, mode);
        var network = Network();

        network.SaveNpz(path);

        Assert.Equal(mode, File.GetUnixFileMode(path));
        AssertHolds(path, network);
    }

    [Fact]
    public void A_regular_file_is_recognised_as_one()
    {
        RequireUnix();
        string path = Path.Combine(_folder, "plain.npz");
        File.WriteAllText(path, "x");

        Assert.Null(UnixFileKind.DescribeIfNotRegular(path));
        Assert.Equal(0x8000, UnixFileKind.Mode(path)!.Value & 0xF000);
        Assert.Equal("a folder", UnixFileKind.DescribeIfNotRegular(_folder));
    }

    private static void MakeFifo(string path)
    {
        string? failure;
        try
        {
            using Process process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            failure = process.ExitCode == 0 ? null : $"mkfifo failed: {error}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            failure = $"mkfifo is not available ({e.Message})";
        }

        if (failure is null)
        {
            return;
        }

        Prerequisite.Missing(failure + "; the FIFO test needs it.", failure);
    }
}
