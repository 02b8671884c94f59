using System;
using System.IO;

namespace Digits;

/// <summary>The pictures' folder, checked before training so that a folder that cannot be written fails at once.</summary>
public static class OutputFolder
{
    /// <summary>
    /// Makes <paramref name="folder"/> (a full path) when it is missing and checks that a file can be created in it
    /// (one is created and deleted).
    /// </summary>
    /// <exception cref="IOException">It is a file, or cannot be made or written; the message names --output and the folder.</exception>
    public static void Prepare(string folder)
    {
        if (File.Exists(folder))
        {
            throw new IOException($"--output must be a folder, but '{folder}' is a file.");
        }

        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".digits-write-check-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            throw new IOException($"--output cannot write to the folder '{folder}' ({reason}).", e);
        }
    }
}
