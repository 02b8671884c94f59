using System;
using System.IO;

namespace DnnGen.Persistence;

/// <summary>
/// Writes a file atomically, as every save of DnnGen does (<see cref="Npz"/>, <see cref="Onnx"/>): into a temporary
/// file in the destination's folder, flushed to disk, then renamed over the destination, so that the destination
/// holds either the old file or the complete new one, never a partial write, and a failed write leaves no temporary
/// file behind. The temporary file's name is short whatever the destination's; a symbolic link is followed (its
/// target is replaced, in the target's folder); a destination that is not a regular file (a folder, a FIFO, a device,
/// a socket) is refused; a replaced file keeps its Unix permissions.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>, atomically. Messages read "Cannot save
    /// <paramref name="what"/> to 'path': ...".
    /// </summary>
    /// <param name="path">The destination, not null or empty (the caller checks it, naming its own argument).</param>
    /// <param name="what">What is saved, for messages: "parameters", "the ONNX model".</param>
    /// <param name="temporaryPrefix">The temporary file's name begins with it: ".npz-", ".onnx-".</param>
    /// <param name="write">Writes the whole file to the stream it is given; an exception leaves the destination as it was.</param>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// <paramref name="path"/> is a folder, a FIFO, a device or a socket, not a regular file; or the file could not be
    /// written.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file may not be written.</exception>
    public static void Write(string path, string what, string temporaryPrefix, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string destination = FollowLinks(fullPath);
        string named = destination == fullPath ? $"'{fullPath}'" : $"'{fullPath}' (a link to '{destination}')";
        if (Directory.Exists(destination))
        {
            throw new IOException($"Cannot save {what} to {named}: it is a folder.");
        }

        string folder = Path.GetDirectoryName(destination) ?? Directory.GetCurrentDirectory();
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Cannot save {what} to {named}: the folder '{folder}' does not exist.");
        }

        // Renaming over a FIFO, a device or a socket would replace it with a regular file: refuse instead.
        UnixFileMode? mode = null;
        if (File.Exists(destination) && !OperatingSystem.IsWindows())
        {
            string? kind = UnixFileKind.DescribeIfNotRegular(destination);
            if (kind is not null)
            {
                throw new IOException($"Cannot save {what} to {named}: it is {kind}, not a regular file.");
            }

            mode = File.GetUnixFileMode(destination);
        }

        // A short name of its own, whatever the destination's: a 255-byte file name still leaves room for it.
        string temporary = Path.Combine(folder, $"{temporaryPrefix}{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is not null && !OperatingSystem.IsWindows())
            {
                // Readable by the owner only until it has the destination's mode, so a 0600 file's contents never
                // sit in a more readable file.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            if (mode is { } kept && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, kept);
            }

            File.Move(temporary, destination, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The file a path names once every symbolic link is followed: the path itself when it is not a link.</summary>
    private static string FollowLinks(string fullPath)
    {
        if (new FileInfo(fullPath).LinkTarget is null)
        {
            return fullPath;
        }

        FileSystemInfo? target = File.ResolveLinkTarget(fullPath, returnFinalTarget: true);
        return target is null ? fullPath : Path.GetFullPath(target.FullName);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
