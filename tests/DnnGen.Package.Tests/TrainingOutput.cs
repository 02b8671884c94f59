using System.Globalization;
using System.Text.RegularExpressions;

namespace DnnGen.Package.Tests;

/// <summary>Reads the costs an app prints as "PREFIX after iteration N: COST", one line each.</summary>
internal static class TrainingOutput
{
    /// <summary>
    /// The costs printed under <paramref name="prefix"/>, in order. Fails unless there are at least two, at rising
    /// iterations, and each is lower than the one before: gradient descent on these small problems only goes down.
    /// </summary>
    public static IReadOnlyList<double> DecreasingCosts(string output, string prefix = "Cost")
    {
        var pattern = new Regex($@"^{Regex.Escape(prefix)} after iteration (?<iteration>\d+): (?<cost>\S+)$", RegexOptions.Multiline);
        var records = pattern.Matches(output)
            .Select(match => (
                Iteration: int.Parse(match.Groups["iteration"].Value, CultureInfo.InvariantCulture),
                // The README's app formats with the current culture, which may write a decimal comma.
                Cost: double.Parse(match.Groups["cost"].Value.Replace(',', '.'), CultureInfo.InvariantCulture)))
            .ToList();

        Assert.True(records.Count >= 2, $"Expected at least two lines '{prefix} after iteration N: COST' in:\n{output}");
        for (int i = 1; i < records.Count; i++)
        {
            Assert.True(
                records[i].Iteration > records[i - 1].Iteration && records[i].Cost < records[i - 1].Cost,
                $"'{prefix}' did not decrease from iteration {records[i - 1].Iteration} ({records[i - 1].Cost}) to {records[i].Iteration} ({records[i].Cost}):\n{output}");
        }

        return records.Select(record => record.Cost).ToList();
    }
}
