using System;
using System.Runtime.InteropServices;

namespace DnnGen.Persistence;

/// <summary>
/// What kind of file a path names on Linux and macOS, from <c>stat(2)</c>'s <c>st_mode</c>: .NET exposes a file's
/// permissions (<see cref="System.IO.File.GetUnixFileMode(string)"/>) but not whether it is a FIFO or a device.
/// </summary>
internal static class UnixFileKind
{
    // POSIX's file-type bits of st_mode: the same values on Linux and macOS.
    private const int TypeMask = 0xF000;
    private const int Fifo = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int Directory = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int Regular = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Socket = 0xC000;

    /// <summary>
    /// Null when <paramref name="path"/> (links followed) is a regular file, does not exist, or its kind cannot be read
    /// on this platform; otherwise its kind in words, such as "a FIFO (named pipe)".
    /// </summary>
    public static string? DescribeIfNotRegular(string path) => Mode(path) is not { } mode ? null : (mode & TypeMask) switch
    {
        Regular => null,
        Fifo => "a FIFO (named pipe)",
        CharacterDevice => "a character device",
        BlockDevice => "a block device",
        Directory => "a folder",
        Socket => "a socket",
        SymbolicLink => "a symbolic link",
        _ => "not a regular file",
    };

    /// <summary>st_mode of <paramref name="path"/>, links followed, or null if it cannot be read.</summary>
    internal static int? Mode(string path)
    {
        // struct stat's layout: st_mode is a 32-bit field after st_dev, st_ino and, on x86-64 only, st_nlink (all 64-bit)
        // on 64-bit Linux; a 16-bit field after the 32-bit st_dev on macOS.
        int offset;
        bool narrow = false;
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            offset = 24;
        }
        else if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.LoongArch64)
        {
            offset = 16;
        }
        else if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            offset = 4;
            narrow = true;
        }
        else
        {
            return null;
        }

        // Larger than struct stat on every platform above (144 bytes on x86-64 Linux).
        byte[] buffer = new byte[512];
        int result;
        try
        {
            result = Stat(path, buffer);
        }
        catch (EntryPointNotFoundException) when (OperatingSystem.IsLinux())
        {
            // glibc before 2.33 exports stat only as __xstat(version, path, buffer).
            try
            {
                result = XStat(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0, path, buffer);
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }
        catch (DllNotFoundException)
        {
            return null;
        }

        if (result != 0)
        {
            return null;
        }

        return narrow ? BitConverter.ToUInt16(buffer, offset) : BitConverter.ToInt32(buffer, offset);
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    [DllImport("libc", EntryPoint = "__xstat", SetLastError = true)]
    private static extern int XStat(int version, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
