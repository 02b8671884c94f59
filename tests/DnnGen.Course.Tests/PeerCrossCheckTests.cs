using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;

namespace DnnGen.Course.Tests;

// One network per case of Reference/cases.json, declared with exactly the attribute the case gives (a test checks the
// declaration against the file, character for character).

/// <summary>Peer case planar_tanh.</summary>
[Network(2, 4, 1, HiddenActivation = Activation.Tanh)]
public partial class PeerPlanarTanh;

/// <summary>Peer case digits_softmax.</summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax)]
public partial class PeerDigitsSoftmax;

/// <summary>Peer case diabetes_linear.</summary>
[Network(10, 16, 1, OutputActivation = Activation.Linear)]
public partial class PeerDiabetesLinear;

/// <summary>Peer case mixed.</summary>
[Network(6, 5, 4, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Sigmoid })]
public partial class PeerMixed;

/// <summary>Peer case deep_mixed_linear.</summary>
[Network(5, 7, 6, 4, 2, Activations = new[] { Activation.Sigmoid, Activation.LeakyRelu, Activation.Tanh, Activation.Linear }, LeakyReluSlope = 0.2)]
public partial class PeerDeepMixedLinear;

/// <summary>Peer case softmax_wide.</summary>
[Network(3, 5, 4, HiddenActivation = Activation.Tanh, OutputActivation = Activation.Softmax)]
public partial class PeerSoftmaxWide;

/// <summary>Peer case sigmoid_squared_error.</summary>
[Network(4, 3, 2, Loss = Loss.SquaredError)]
public partial class PeerSigmoidSquaredError;

/// <summary>
/// Each case PyTorch and a hand-written NumPy backpropagation agree on (Reference/README.md): the generated network,
/// given the case's W and b, must reproduce A_L, the cost and every dW and db within 1e-10 relative to the array's
/// largest magnitude.
/// </summary>
public class PeerCrossCheckTests
{
    private const double Tolerance = 1e-10;

    /// <summary>The network of each case, by the case's name.</summary>
    private static readonly Dictionary<string, Type> s_networks = new()
    {
        ["planar_tanh"] = typeof(PeerPlanarTanh),
        ["digits_softmax"] = typeof(PeerDigitsSoftmax),
        ["diabetes_linear"] = typeof(PeerDiabetesLinear),
        ["mixed"] = typeof(PeerMixed),
        ["deep_mixed_linear"] = typeof(PeerDeepMixedLinear),
        ["softmax_wide"] = typeof(PeerSoftmaxWide),
        ["sigmoid_squared_error"] = typeof(PeerSigmoidSquaredError),
    };

    private static string ReferenceFolder => Path.Combine(AppContext.BaseDirectory, "Reference");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string name in s_networks.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Every_case_in_cases_json_has_its_network_and_every_network_its_case()
    {
        string[] inFile = ReadCases().Select(c => c.GetProperty("name").GetString()!).ToArray();

        Assert.Equal(inFile.Length, inFile.Distinct().Count());
        Assert.Equal(inFile.Order(StringComparer.Ordinal), s_networks.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_network_is_declared_as_the_case_says(string name)
    {
        JsonElement entry = Case(name);
        Type type = s_networks[name];

        Assert.Equal(entry.GetProperty("attribute").GetString(), AttributeSource(type));
        var network = (INetwork<double>)Activator.CreateInstance(type)!;
        Assert.Equal(entry.GetProperty("layer_sizes").EnumerateArray().Select(e => e.GetInt32()), network.LayerSizes.ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_cost_and_gradients_match_the_peers(string name)
    {
        JsonElement entry = Case(name);
        var network = (INetwork<double>)Activator.CreateInstance(s_networks[name])!;
        IReadOnlyDictionary<string, NumPyArray> file = NumPyFile.ReadNpz(Path.Combine(ReferenceFolder, entry.GetProperty("file").GetString()!));
        int m = entry.GetProperty("m").GetInt32();
        ReadOnlySpan<int> n = network.LayerSizes;
        int layers = n.Length - 1;

        // The parameters in the network's layout, W1, b1, W2, b2, ..., each in the course's shape.
        var parameters = new List<double>();
        for (int l = 1; l <= layers; l++)
        {
            parameters.AddRange(Array(file, $"W{l}", n[l], n[l - 1]));
            parameters.AddRange(Array(file, $"b{l}", n[l], 1));
        }

        Assert.Equal(network.Parameters.Length, parameters.Count);
        parameters.ToArray().CopyTo(network.Parameters);
        double[] x = Array(file, "X", m, n[0]);
        double[] y = Array(file, "Y", m, n[layers]);

        double[] al = network.Forward(x).ToArray();
        double cost = network.ComputeCost(y);
        network.Backward(x, y);

        var differences = new List<string>();
        double worst = 0;
        void Compare(string array, ReadOnlySpan<double> actual, double[] expected)
        {
            double difference = MaxNormRelativeDifference(actual, expected);
            differences.Add($"{array} {difference:E2}");
            worst = Math.Max(worst, difference);
            Assert.True(difference <= Tolerance, $"{name}: {array} differs by {difference:E3} relative (max-norm), more than {Tolerance:E0}");
        }

        double expectedCost = Array(file, "cost", 1)[0];
        Assert.Equal(entry.GetProperty("cost").GetDouble(), expectedCost);
        Compare("A_L", al, Array(file, "A_L", m, n[layers]));
        Compare("cost", [cost], [expectedCost]);
        int offset = 0;
        for (int l = 1; l <= layers; l++)
        {
            int weights = n[l] * n[l - 1];
            Compare($"dW{l}", network.Gradients.Slice(offset, weights), Array(file, $"dW{l}", n[l], n[l - 1]));
            Compare($"db{l}", network.Gradients.Slice(offset + weights, n[l]), Array(file, $"db{l}", n[l], 1));
            offset += weights + n[l];
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: worst {worst:E2}; {string.Join(", ", differences)}");
    }

    /// <summary>max |actual - expected| / max |expected|: the README's max-norm relative difference.</summary>
    private static double MaxNormRelativeDifference(ReadOnlySpan<double> actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"value {i} is {actual[i]}");
            difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        Assert.True(scale > 0, "the reference array is not all zeros");
        return difference / scale;
    }

    /// <summary>The named float64 array of the case's file, checked to have the given shape.</summary>
    private static double[] Array(IReadOnlyDictionary<string, NumPyArray> file, string name, params int[] shape)
    {
        Assert.True(file.TryGetValue(name, out NumPyArray? array), $"the file has no array '{name}'");
        Assert.Equal(NumPyElementType.Float64, array.ElementType);
        Assert.Equal(shape, array.Shape);
        return array.ToDoubleArray();
    }

    private static JsonElement[] ReadCases()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceFolder, "cases.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static JsonElement Case(string name) => ReadCases().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>The [Network(...)] attribute of <paramref name="type"/> as C# source writes it, from its metadata.</summary>
    private static string AttributeSource(Type type)
    {
        CustomAttributeData attribute = type.GetCustomAttributesData().Single(a => a.AttributeType == typeof(NetworkAttribute));
        var parts = new List<string>();
        foreach (CustomAttributeTypedArgument argument in attribute.ConstructorArguments)
        {
            parts.AddRange(((IEnumerable<CustomAttributeTypedArgument>)argument.Value!).Select(Source));
        }

        foreach (CustomAttributeNamedArgument argument in attribute.NamedArguments)
        {
            parts.Add($"{argument.MemberName} = {Source(argument.TypedValue)}");
        }

        return $"[Network({string.Join(", ", parts)})]";
    }

    private static string Source(CustomAttributeTypedArgument argument)
    {
        if (argument.Value is IEnumerable<CustomAttributeTypedArgument> elements)
        {
            return $"new[] {{ {string.Join(", ", elements.Select(Source))} }}";
        }

        if (argument.ArgumentType.IsEnum)
        {
            return $"{argument.ArgumentType.Name}.{Enum.GetName(argument.ArgumentType, argument.Value!)}";
        }

        return Convert.ToString(argument.Value, CultureInfo.InvariantCulture)!;
    }
}
