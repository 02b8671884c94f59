using System.Linq;
using SkiaSharp;

namespace DnnGen.Samples;

/// <summary>
/// The sans-serif font the samples' pictures use. SkiaSharp's Linux build without fontconfig falls back to the first
/// family it finds (often a serif), so the common sans families are asked for by name, in order.
/// </summary>
internal static class Fonts
{
    private static readonly string[] s_preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    /// <summary>The first preferred family installed, else null (the system default is used).</summary>
    public static string? Family { get; } =
        s_preferred.FirstOrDefault(name => SKFontManager.Default.FontFamilies.Contains(name));

    /// <summary>The typeface for text drawn with SkiaSharp directly.</summary>
    public static SKTypeface Typeface { get; } =
        (Family is null ? null : SKTypeface.FromFamilyName(Family)) ?? SKTypeface.Default;

    /// <summary>Makes every text of <paramref name="plot"/> use <see cref="Family"/>.</summary>
    public static void Apply(ScottPlot.Plot plot)
    {
        if (Family is not null)
        {
            plot.Font.Set(Family);
        }
    }
}
