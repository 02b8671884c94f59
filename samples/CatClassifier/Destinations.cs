using System;
using System.IO;

namespace CatClassifier;

/// <summary>
/// Checks the places the program writes to (<c>--save</c>, <c>--output</c>) before anything slow, so a path that cannot
/// be written is reported at once instead of after training. The messages name the option and the path the person
/// gave, never a temporary file.
/// </summary>
public static class Destinations
{
    /// <summary>
    /// Checks that the weights can be saved to <paramref name="path"/> (a full path): it is not a folder, its folder
    /// exists, and a file can be created there (one is created and deleted). Nothing is made or left behind.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written; the message names <c>--save</c>, the path and why.</exception>
    public static void CheckSave(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"--save must name a file, but '{path}' is a folder.");
        }

        string folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            throw new IOException((File.Exists(folder) ? folder : FileAbove(folder)) is { } file
                ? $"--save cannot write '{path}': '{file}' is a file, not a folder."
                : $"--save cannot write '{path}': the folder '{folder}' does not exist; create it first.");
        }

        if (CannotCreateFileIn(folder) is { } reason)
        {
            throw new IOException($"--save cannot write '{path}': the folder '{folder}' cannot be written ({reason}).");
        }
    }

    /// <summary>
    /// Makes the pictures' folder <paramref name="folder"/> (a full path) when it is missing and checks that a file can
    /// be created in it.
    /// </summary>
    /// <exception cref="IOException">It is a file, lies under a file, or cannot be made or written; the message names <c>--output</c>.</exception>
    public static void PrepareOutput(string folder)
    {
        if (File.Exists(folder))
        {
            throw new IOException($"--output must be a folder, but '{folder}' is a file.");
        }

        if (FileAbove(folder) is { } file)
        {
            throw new IOException($"--output cannot be the folder '{folder}': '{file}' is a file, not a folder.");
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--output cannot make the folder '{folder}' ({Reason(e)}).", e);
        }

        if (CannotCreateFileIn(folder) is { } reason)
        {
            throw new IOException($"--output cannot write to the folder '{folder}' ({reason}).");
        }
    }

    /// <summary>
    /// Why an I/O operation failed, in a few words and without the path the exception names (which may be a temporary
    /// file's): "permission denied", or the system's own words, as "No space left on device".
    /// </summary>
    public static string Reason(Exception e)
    {
        switch (e)
        {
            case UnauthorizedAccessException:
                return "permission denied";
            case DirectoryNotFoundException:
                return "its folder does not exist";
            default:
                // .NET on Unix words an errno as "<strerror> : '<path>'".
                string message = e.Message;
                int path = message.LastIndexOf(" : '", StringComparison.Ordinal);
                return path > 0 && message.EndsWith('\'') ? message[..path] : message.TrimEnd('.');
        }
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/> when it is a file, not a folder; else null.</summary>
    private static string? FileAbove(string path)
    {
        for (string? above = Path.GetDirectoryName(path); above is not null; above = Path.GetDirectoryName(above))
        {
            if (Directory.Exists(above))
            {
                return null;
            }

            if (File.Exists(above))
            {
                return above;
            }
        }

        return null;
    }

    /// <summary>Creates and deletes a file in <paramref name="folder"/>; null when that worked, else why not.</summary>
    private static string? CannotCreateFileIn(string folder)
    {
        string probe = Path.Combine(folder, $".cat-classifier-write-check-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Reason(e);
        }
    }
}
