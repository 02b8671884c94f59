using System.IO;
using CatClassifier;

namespace DnnGen.Samples.Tests;

/// <summary>
/// Where --save and --output write: checked before anything slow (the runs below name a data folder that does not
/// exist, so an error about the destination proves it came before the data were read, let alone trained on), with
/// messages that name the option and the path, and never a temporary file.
/// </summary>
public class CatDestinationTests
{
    [Fact]
    public void Output_naming_a_file_says_output_must_be_a_folder()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.txt"), "");

        RunResult result = Cat.Run(folder.Path, ["--output", "notes.txt", "--data", "absent"]);

        result.AssertRejected($"--output must be a folder, but '{folder.File("notes.txt")}' is a file.");
    }

    [Fact]
    public void Output_under_a_file_names_the_file()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.txt"), "");

        RunResult result = Cat.Run(folder.Path, ["--output", "notes.txt/pictures", "--data", "absent"]);

        result.AssertRejected($"--output cannot be the folder '{folder.File("notes.txt/pictures")}': '{folder.File("notes.txt")}' is a file, not a folder.");
    }

    [Fact]
    public void Output_in_a_folder_that_cannot_be_written_fails_before_training()
    {
        using var unwritable = new UnwritableFolder();
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--output", unwritable.Path, "--data", "absent"]);

        result.AssertRejected($"--output cannot write to the folder '{unwritable.Path}' (permission denied).");
    }

    [Fact]
    public void Save_into_a_folder_that_cannot_be_written_fails_before_training_and_names_no_temporary_file()
    {
        using var unwritable = new UnwritableFolder();
        using var folder = new TemporaryFolder();
        string destination = unwritable.File("weights.npz");

        RunResult result = Cat.Run(folder.Path, ["--save", destination, "--data", "absent"]);

        result.AssertRejected($"--save cannot write '{destination}': the folder '{unwritable.Path}' cannot be written (permission denied).");
        Assert.DoesNotContain(".tmp", result.Error);
    }

    [Fact]
    public void Save_into_a_missing_folder_says_so_and_creates_nothing()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--save", "runs/weights.npz", "--data", "absent"]);

        result.AssertRejected($"--save cannot write '{folder.File("runs/weights.npz")}': the folder '{folder.File("runs")}' does not exist; create it first.");
        Assert.False(Directory.Exists(folder.File("runs")));
    }

    [Fact]
    public void Save_naming_a_folder_says_it_must_name_a_file()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("weights"));

        RunResult result = Cat.Run(folder.Path, ["--save", "weights", "--data", "absent"]);

        result.AssertRejected($"--save must name a file, but '{folder.File("weights")}' is a folder.");
    }

    [Fact]
    public void Save_under_a_file_names_the_file()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.txt"), "");

        RunResult result = Cat.Run(folder.Path, ["--save", "notes.txt/weights.npz", "--data", "absent"]);

        result.AssertRejected($"--save cannot write '{folder.File("notes.txt/weights.npz")}': '{folder.File("notes.txt")}' is a file, not a folder.");
    }

    [Fact]
    public void The_check_leaves_nothing_behind_in_a_writable_folder()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("runs"));
        Directory.CreateDirectory(folder.File("pictures"));

        RunResult result = Cat.Run(folder.Path, ["--save", "runs/weights.npz", "--output", "pictures", "--data", "absent"]);

        // Past the checks, the missing data is what stops the run; the folders are as they were.
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("Cat dataset not found", result.Error);
        Assert.Empty(Directory.GetFileSystemEntries(folder.File("runs")));
        Assert.Empty(Directory.GetFileSystemEntries(folder.File("pictures")));
    }

    /// <summary>
    /// Should saving still fail after the check passed (a full disk, a folder whose permissions changed meanwhile), the
    /// error names --save and the destination, not the temporary file the library writes first. This calls the
    /// program's save step directly on an unwritable folder, since the run itself refuses one before training: it
    /// covers the message, not the race.
    /// </summary>
    [Fact]
    public void A_save_that_fails_after_the_check_names_save_and_the_destination_not_a_temporary_file()
    {
        using var unwritable = new UnwritableFolder();
        string destination = unwritable.File("weights.npz");
        var network = new DeepCatNetwork();
        network.InitializeParameters(seed: 1);

        var error = Assert.Throws<IOException>(() => CatApp.SaveWeights(network, destination));

        Assert.Equal($"--save could not write '{destination}': permission denied.", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }
}
