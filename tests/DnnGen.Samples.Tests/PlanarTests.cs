using System.IO;
using Planar;

namespace DnnGen.Samples.Tests;

/// <summary>The Planar sample: NumPy's flower rebuilt in code, and a run that classifies it and draws the boundary.</summary>
public class PlanarTests
{
    /// <summary>Points printed by planar_utils.load_planar_dataset() in NumPy 1.24 (X[:, i]).</summary>
    [Theory]
    [InlineData(0, 1.2044422922543192, 3.576114148128845, 0)]
    [InlineData(1, 0.15870990398255375, -1.4821709003683443, 0)]
    [InlineData(2, 0.09524719604502052, -1.2799553276531797, 0)]
    [InlineData(199, -0.5858464101358457, -3.091259938950624, 0)]
    [InlineData(200, -1.0704958072229525, 3.682524609580073, 1)]
    [InlineData(201, -0.002329059937024095, -0.24877516456411744, 1)]
    [InlineData(399, 0.7307808250007515, 3.0683292081876554, 1)]
    public void The_flower_is_NumPys_point_for_point(int index, double x1, double x2, int label)
    {
        (double[] x, double[] y) = FlowerDataset.Generate();

        Assert.Equal(x1, x[2 * index], 1e-12);
        Assert.Equal(x2, x[(2 * index) + 1], 1e-12);
        Assert.Equal(label, y[index]);
    }

    [Fact]
    public void The_flower_has_400_points_and_NumPys_sums()
    {
        (double[] x, double[] y) = FlowerDataset.Generate();

        Assert.Equal(800, x.Length);
        Assert.Equal(200, y.Sum());
        // X.sum() and abs(X).sum() in NumPy.
        Assert.Equal(10.087983277441637, x.Sum(), 1e-9);
        Assert.Equal(1289.404080403798, x.Sum(Math.Abs), 1e-9);
    }

    [Fact]
    public void Linspace_ends_exactly_at_stop_as_NumPys_does()
    {
        double[] values = FlowerDataset.Linspace(3.12, 6.24, 200);

        Assert.Equal(3.12, values[0]);
        Assert.Equal(3.12 + (3.12 / 199), values[1]);
        Assert.Equal(6.24, values[^1]);
    }

    [Fact]
    public void The_sample_classifies_the_flower_and_draws_its_decision_boundary()
    {
        using var folder = new TemporaryFolder();
        var output = new StringWriter();

        int exitCode = PlanarApp.Run(["--output", folder.Path], output, new StringWriter());

        Assert.Equal(0, exitCode);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(12, lines.Length);
        Assert.StartsWith("Cost after iteration 0: 0.68", lines[0]);
        Assert.StartsWith("Cost after iteration 9000: ", lines[9]);
        Assert.StartsWith("Accuracy: ", lines[10]);
        double accuracy = double.Parse(lines[10]["Accuracy: ".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 88, 100);
        Assert.Equal($"Decision boundary: {folder.File("planar.png")}", lines[11]);
        Assert.Equal((640, 560), Images.SizeOf(folder.File("planar.png")));
    }

    [Fact]
    public void An_unknown_argument_is_exit_code_2()
    {
        var error = new StringWriter();

        Assert.Equal(2, PlanarApp.Run(["--colour"], new StringWriter(), error));
        Assert.Contains("Unknown argument '--colour'", error.ToString());
    }
}
