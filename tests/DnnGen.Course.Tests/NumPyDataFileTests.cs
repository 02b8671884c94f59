using System.Collections.Generic;
using System.Linq;

namespace DnnGen.Course.Tests;

/// <summary>
/// The real data sets the samples read, through <see cref="NumPyFile"/>: ../shared/data/digits.npz (scikit-learn's
/// load_digits) and diabetes.npz (load_diabetes, unscaled), with their shapes, types and known facts.
/// </summary>
public class NumPyDataFileTests
{
    [Fact]
    public void Digits_are_1797_images_of_64_pixels_from_0_to_16_with_classes_0_to_9()
    {
        IReadOnlyDictionary<string, NumPyArray> digits = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("digits.npz"));

        NumPyArray images = digits["images"];
        NumPyArray target = digits["target"];
        Assert.Equal([1797, 64], images.Shape);
        Assert.Equal([1797], target.Shape);
        Assert.Equal(NumPyElementType.Int64, target.ElementType);

        double[] pixels = images.ToDoubleArray();
        Assert.All(pixels, value => Assert.True(value is >= 0 and <= 16 && double.IsInteger(value), $"pixel {value}"));
        int[] classes = target.ToInt32Array();
        Assert.Equal(Enumerable.Range(0, 10), classes.Distinct().Order());
        // load_digits' first image is a 0: its top row is 0 0 5 13 9 1 0 0.
        Assert.Equal(0, classes[0]);
        Assert.Equal([0.0, 0, 5, 13, 9, 1, 0, 0], pixels[..8]);
        Assert.Equal(images.ToSingleArray().Select(value => (double)value), pixels);
        Assert.Equal(pixels.Select(value => (int)value), images.ToInt32Array());
    }

    [Fact]
    public void Diabetes_is_442_patients_of_10_unscaled_features_and_a_target()
    {
        IReadOnlyDictionary<string, NumPyArray> diabetes = NumPyFile.ReadNpz(global::DnnGen.Tests.Shared.Course2Data.FindOrSkip("diabetes.npz"));

        NumPyArray data = diabetes["data"];
        NumPyArray target = diabetes["target"];
        Assert.Equal([442, 10], data.Shape);
        Assert.Equal([442], target.Shape);

        double[] features = data.ToDoubleArray();
        double[] progression = target.ToDoubleArray();
        // The first patient of load_diabetes(scaled=False): age 59, sex 2, BMI 32.1; disease progression 151.
        Assert.Equal([59.0, 2, 32.1], features[..3]);
        Assert.Equal(151.0, progression[0]);
        Assert.All(progression, value => Assert.InRange(value, 25.0, 346.0));
    }
}
