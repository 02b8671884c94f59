using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace DnnGen.Generator;

/// <summary>
/// A network with Weights and the file it names, as the pipeline pairs them: the parsed .npz, or why there is none.
/// Equal when neither the network nor its file changed, so that the bake that follows stays cached whatever else changes.
/// </summary>
internal sealed record WeightsInput(ParseResult Network, NpzFile? File, ModelFileProblem Problem, string Why);

/// <summary>
/// Bakes a .npz file into a network (the attribute's Weights): the arrays the network needs, checked against its shapes
/// as the runtime's LoadNpz checks them, become <see cref="NetworkModel.BakedParameters"/>; each problem becomes a
/// DNNG0025 to DNNG0030 error at the attribute.
/// </summary>
internal static class BakedWeights
{
    /// <summary>The arrays of a SaveNpz checkpoint's training state, which a baked network has no use for and ignores.</summary>
    private static readonly Regex TrainingState = new("^(?:[vs]_d[Wb][0-9]+|t|epoch)$", RegexOptions.CultureInvariant);

    /// <summary>Pairs a parsed network with the .npz it names; a network without Weights (or that failed) with nothing.</summary>
    public static WeightsInput Match(ParseResult network, ImmutableArray<NpzFile> files)
    {
        if (network.Model?.Weights is not { } weights)
        {
            return new WeightsInput(network, null, ModelFileProblem.None, string.Empty);
        }

        NpzFile? file = ModelFiles.Find(files, f => f.File, weights, out ModelFileProblem problem, out string why);
        return new WeightsInput(network, file, problem, why);
    }

    /// <summary>The network with its parameters baked in, or its diagnostics.</summary>
    public static ParseResult Bake(WeightsInput input)
    {
        NetworkModel? model = input.Network.Model;
        if (model?.Weights is not { } weights)
        {
            return input.Network;
        }

        LocationInfo? location = input.Network.WeightsLocation;
        string className = model.ClassName.Replace("@", string.Empty);
        var diagnostics = new List<DiagnosticInfo>(input.Network.Diagnostics);
        if (input.File is null)
        {
            diagnostics.Add(input.Problem == ModelFileProblem.Damaged
                ? NetworkParser.Report(DiagnosticDescriptors.InvalidWeightsFile, location, weights, className, input.Why)
                : NetworkParser.Report(DiagnosticDescriptors.WeightsFileNotFound, location, className, weights, input.Why));
            return Failed(diagnostics);
        }

        NpzContents contents = input.File.Contents;
        if (contents.Error is not null)
        {
            diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.InvalidWeightsFile, location, weights, className, contents.Error + "; write it with SaveNpz or np.savez(path, **parameters)"));
            return Failed(diagnostics);
        }

        var shape = new NetworkShape(model.LayerSizes);
        var expected = new List<(string Name, int Rows, int Columns, bool IsBias)>();
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            string n = l.ToString(CultureInfo.InvariantCulture);
            expected.Add(("W" + n, shape.Sizes[l], shape.Sizes[l - 1], false));
            expected.Add(("b" + n, shape.Sizes[l], 1, true));
        }

        var byName = new Dictionary<string, NpzArray>(System.StringComparer.Ordinal);
        foreach (NpzArray array in contents.Arrays)
        {
            byName[array.Name] = array;
        }

        var missing = expected.Where(e => !byName.ContainsKey(e.Name)).ToList();
        var wanted = new HashSet<string>(expected.Select(e => e.Name), System.StringComparer.Ordinal);
        var unexpected = contents.Arrays.Where(a => !wanted.Contains(a.Name) && !TrainingState.IsMatch(a.Name)).Select(a => a.Name).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            var why = new List<string>();
            if (missing.Count > 0)
            {
                why.Add("missing " + string.Join(", ", missing.Select(e => "'" + e.Name + "' " + Expected(e.Rows, e.Columns, e.IsBias))));
            }

            if (unexpected.Count > 0)
            {
                why.Add("unexpected " + string.Join(", ", unexpected.Select(name => "'" + NpzReader.Quote(name) + "'")));
            }

            why.Add("expected exactly " + string.Join(", ", expected.Select(e => e.Name)) + " (a checkpoint's training state, v_*, s_*, t and epoch, may be there too and is ignored)");
            diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.WeightsArraysMismatch, location, weights, className, SizesText(model), string.Join("; ", why)));
            return Failed(diagnostics);
        }

        var parameters = new double[shape.ParameterCount];
        int offset = 0;
        foreach ((string name, int rows, int columns, bool isBias) in expected)
        {
            NpzArray array = byName[name];
            if (!array.IsFloat)
            {
                diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.WeightsNotFloat, location, name, weights, NpzReader.Quote(array.Descr), className));
                offset += rows * columns;
                continue;
            }

            long[] actual = array.Shape.AsSpan().ToArray();
            bool matrix = actual.Length == 2 && actual[0] == rows && actual[1] == columns;
            bool vector = isBias && actual.Length == 1 && actual[0] == rows;
            if (!matrix && !vector)
            {
                string hint = actual.Length == 2 && actual[0] == columns && actual[1] == rows && rows != columns
                    ? "; it is " + name + " transposed: save W[l] as (n[l], n[l-1]), the course's shape and PyTorch's Linear.weight (Keras's kernel is (n[l-1], n[l]): save kernel.T)"
                    : string.Empty;
                diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.WeightsWrongShape, location, name, weights, array.ShapeText, className, Expected(rows, columns, isBias) + hint));
                offset += rows * columns;
                continue;
            }

            System.ReadOnlySpan<double> values = array.Values.AsSpan();
            for (int k = 0; k < values.Length; k++)
            {
                double value = model.Precision == Precision.Single ? (float)values[k] : values[k];
                if (double.IsNaN(value) || double.IsInfinity(value))
                {
                    string at = isBias ? "[" + I(k) + "]" : "[" + I(k / columns) + ", " + I(k % columns) + "]";
                    string held = double.IsNaN(values[k]) || double.IsInfinity(values[k])
                        ? Text(values[k])
                        : values[k].ToString("G17", CultureInfo.InvariantCulture) + ", beyond the range of float, the network's type (Precision = Precision.Single)";
                    diagnostics.Add(NetworkParser.Report(DiagnosticDescriptors.WeightNotFinite, location, name, weights, held, at, className));
                    break;
                }

                parameters[offset + k] = value;
            }

            offset += rows * columns;
        }

        if (diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
        {
            return Failed(diagnostics);
        }

        return new ParseResult(model with { BakedParameters = new EquatableArray<double>(parameters) }, input.Network.Diagnostics);
    }

    private static ParseResult Failed(List<DiagnosticInfo> diagnostics) => new(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

    private static string Expected(int rows, int columns, bool isBias)
        => isBias ? "(" + I(rows) + ", 1) or (" + I(rows) + ",)" : "(" + I(rows) + ", " + I(columns) + ")";

    private static string SizesText(NetworkModel model) => "[" + string.Join(", ", model.LayerSizes.Select(I)) + "]";

    private static string Text(double value)
        => double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "infinity" : "minus infinity";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
