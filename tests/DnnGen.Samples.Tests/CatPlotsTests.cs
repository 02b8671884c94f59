using System.IO;
using CatClassifier;
using DnnGen;

namespace DnnGen.Samples.Tests;

/// <summary>The course's two pictures, drawn from small synthetic inputs.</summary>
public class CatPlotsTests
{
    [Fact]
    public void The_cost_plot_is_a_640_by_480_png()
    {
        using var folder = new TemporaryFolder();
        TrainingRecord[] history = [new(0, 0.7), new(100, 0.6), new(200, 0.5), new(249, 0.45)];

        CatPlots.WriteCostPlot(folder.File("cost.png"), history, 0.0075);

        Assert.Equal((640, 480), Images.SizeOf(folder.File("cost.png")));
    }

    [Fact]
    public void Only_mislabeled_images_are_drawn_in_a_grid_and_none_means_no_file()
    {
        using var folder = new TemporaryFolder();
        var pixels = new byte[3 * CatImages.PixelsPerImage];
        new Random(1).NextBytes(pixels);
        var images = new CatImages(pixels, [1, 0, 1]);
        string[] classes = ["non-cat", "cat"];

        int drawn = CatPlots.WriteMislabeledImages(folder.File("two.png"), images, [0, 1, 1], classes);
        int none = CatPlots.WriteMislabeledImages(folder.File("none.png"), images, [1, 0, 1], classes);

        Assert.Equal(2, drawn);
        Assert.Equal((16 + (2 * 208), 40 + 252), Images.SizeOf(folder.File("two.png")));
        Assert.Equal(0, none);
        Assert.False(File.Exists(folder.File("none.png")));
    }
}
