using System.Collections.Generic;
using System.IO;
using CatClassifier;
using DnnGen.Tests.Shared;

namespace DnnGen.Samples.Tests;

/// <summary>The course's cat dataset as the program reads it, where it looks for it, and what it says when it cannot.</summary>
public class CatDataTests
{
    [Fact]
    public void Loads_the_course_data_with_its_shapes_labels_and_classes()
    {
        CatDataset data = CatDataset.Load(CourseData.FindOrSkip());

        Assert.Equal(209, data.Train.Count);
        Assert.Equal(50, data.Test.Count);
        Assert.Equal(209 * 12288, data.Train.Pixels.Length);
        Assert.Equal(50 * 12288, data.Test.Pixels.Length);
        Assert.Equal(72, data.Train.Labels.ToArray().Sum());
        Assert.Equal(33, data.Test.Labels.ToArray().Sum());
        Assert.Equal(["non-cat", "cat"], data.Classes);
    }

    [Fact]
    public void Images_are_flattened_in_C_order_and_divided_by_255_as_the_course_does()
    {
        CatDataset data = CatDataset.Load(CourseData.FindOrSkip());

        Assert.Equal([17, 31, 56, 22, 33], data.Train.Pixels[..5].ToArray());
        Assert.Equal([158, 104, 83, 161, 106], data.Test.Pixels[..5].ToArray());
        double[] scaled = data.Train.ScaledPixels<double>();
        Assert.Equal([0.06666666666666667, 0.12156862745098039, 0.2196078431372549, 0.08627450980392157, 0.12941176470588237], scaled[..5]);
        // Image 1 starts right after image 0's 12288 values.
        Assert.Equal(data.Train.Pixels.Span[12288] / 255.0, scaled[12288]);
        Assert.Equal(scaled.Select(value => (float)value), data.Train.ScaledPixels<float>());
    }

    [Fact]
    public void The_data_folder_is_data_else_DNNGEN_DATA_else_shared_data_beside_the_current_folder()
    {
        using var folder = new TemporaryFolder();
        string given = folder.File("given");
        string fromEnvironment = folder.File("environment");
        string current = folder.File("repository");
        string shared = folder.File(Path.Combine("shared", "data"));
        foreach (string data in new[] { given, fromEnvironment, current, shared })
        {
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, CatDataset.TrainFileName), "");
        }

        Assert.Equal(given, DataDirectory.Resolve("../given", At(current, fromEnvironment)));
        Assert.Equal(fromEnvironment, DataDirectory.Resolve(null, At(current, fromEnvironment)));
        Assert.Equal(fromEnvironment, DataDirectory.Resolve(null, At(current, "../environment")));
        Assert.Equal(shared, DataDirectory.Resolve(null, At(current, null)));
        // Set but empty is unset, as shells treat DNNGEN_DATA= .
        Assert.Equal(shared, DataDirectory.Resolve(null, At(current, "")));
    }

    private static CatConsole At(string current, string? environment) => new()
    {
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        GetEnvironmentVariable = name => name == DataDirectory.EnvironmentVariable ? environment : null,
        CurrentDirectory = current,
    };

    [Fact]
    public void DNNGEN_DATA_naming_a_missing_folder_is_an_error_not_a_fallback_to_shared_data()
    {
        // ../shared/data holds a (broken) training file, so a silent fallback would read it and say so instead.
        using var folder = new TemporaryFolder();
        string current = folder.File("repository");
        Directory.CreateDirectory(current);
        Directory.CreateDirectory(folder.File(Path.Combine("shared", "data")));
        File.WriteAllText(folder.File(Path.Combine("shared", "data", CatDataset.TrainFileName)), "not HDF5");

        RunResult result = Cat.Run(current, [], new Dictionary<string, string> { ["DNNGEN_DATA"] = "../typo" });

        result.AssertRejected(
            $"DNNGEN_DATA names the folder '{folder.File("typo")}', which does not exist. Set DNNGEN_DATA to the folder " +
            "holding train_catvnoncat.h5 and test_catvnoncat.h5, unset it to use ../shared/data, or pass --data DIR.");
    }

    [Fact]
    public void DNNGEN_DATA_naming_a_folder_without_the_dataset_says_which_file_is_missing()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.File("empty"));

        RunResult result = Cat.Run(folder.Path, [], new Dictionary<string, string> { ["DNNGEN_DATA"] = folder.File("empty") });

        result.AssertRejected(
            $"DNNGEN_DATA names the folder '{folder.File("empty")}', which does not hold train_catvnoncat.h5. Set DNNGEN_DATA " +
            "to the folder holding train_catvnoncat.h5 and test_catvnoncat.h5, unset it to use ../shared/data, or pass --data DIR.");
    }

    [Fact]
    public void Data_overrides_DNNGEN_DATA_and_its_own_error_names_only_data()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--data", "absent"], new Dictionary<string, string> { ["DNNGEN_DATA"] = "/nowhere" });

        result.AssertRejected(
            $"Cat dataset not found (looked for train_catvnoncat.h5 in: {folder.File("absent")}). Pass --data DIR or set DNNGEN_DATA to the folder holding the course's .h5 files.");
    }

    [Fact]
    public void A_missing_data_folder_is_one_line_naming_the_paths_tried_and_the_fix_with_exit_code_2()
    {
        using var folder = new TemporaryFolder();

        RunResult result = Cat.Run(folder.Path, ["--data", "absent"]);

        result.AssertRejected(
            $"Cat dataset not found (looked for train_catvnoncat.h5 in: {folder.File("absent")}). Pass --data DIR or set DNNGEN_DATA to the folder holding the course's .h5 files.");
    }

    [Fact]
    public void Without_data_or_DNNGEN_DATA_it_looks_in_shared_data_beside_the_current_folder()
    {
        using var folder = new TemporaryFolder();
        string current = folder.File("repository");
        Directory.CreateDirectory(current);

        RunResult result = Cat.Run(current, []);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"in: {folder.File(Path.Combine("shared", "data"))})", result.Error);
    }

    [Fact]
    public void A_corrupt_h5_file_is_a_clear_message_with_exit_code_2()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File(CatDataset.TrainFileName), "this is not HDF5");
        File.WriteAllText(folder.File(CatDataset.TestFileName), "nor is this");

        RunResult result = Cat.Run(folder.Path, ["--data", folder.Path]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(folder.File(CatDataset.TrainFileName), result.Error);
        Assert.Contains("is not a valid cat dataset file", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void A_missing_test_file_names_it()
    {
        string data = CourseData.FindOrSkip();
        using var folder = new TemporaryFolder();
        File.CreateSymbolicLink(folder.File(CatDataset.TrainFileName), Path.Combine(data, CatDataset.TrainFileName));

        RunResult result = Cat.Run(folder.Path, ["--data", folder.Path]);

        result.AssertRejected($"Cat dataset file not found: '{folder.File(CatDataset.TestFileName)}'.");
    }
}
