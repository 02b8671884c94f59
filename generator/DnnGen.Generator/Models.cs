using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DnnGen.Generator;

// The pipeline's models are plain records of strings, numbers and EquatableArrays: nothing in them holds an
// ISymbol, SyntaxNode, Location or Compilation, so equal declarations give equal models and the generator's
// outputs stay cached across unrelated edits.

/// <summary>Mirror of DnnGen.Precision (the generator cannot reference the runtime library).</summary>
internal enum Precision
{
    Double = 0,
    Single = 1,
}

/// <summary>Mirror of DnnGen.Initialization (a test ties its names and values to the runtime's).</summary>
internal enum Initialization
{
    ScaledNormal = 0,
    NormalOverSqrtFanIn = 1,
    Zeros = 2,
    He = 3,
}

/// <summary>
/// A layer's activation. Today every network is relu hidden layers and a sigmoid output; the public DnnGen.Activation
/// and the [Network] options that choose it (issue 11) arrive together, with a test that ties this mirror to it.
/// </summary>
internal enum Activation
{
    Relu = 0,
    LeakyRelu = 1,
    Tanh = 2,
    Sigmoid = 3,
    Linear = 4,
    Softmax = 5,
}

/// <summary>The cost a network minimises; binary cross-entropy today. As Activation, its public twin comes with the options.</summary>
internal enum Loss
{
    BinaryCrossEntropy = 0,
    CategoricalCrossEntropy = 1,
    SquaredError = 2,
}

/// <summary>Mirror of DnnGen.Optimizer: the update rule of Train(x, y, TrainingOptions), and the state it keeps.</summary>
internal enum Optimizer
{
    GradientDescent = 0,
    Momentum = 1,
    Adam = 2,
}

/// <summary>One layer l of the network: n[l] units, n[l-1] inputs, and its activation.</summary>
internal sealed record LayerSpec(int Units, int FanIn, Activation Activation);

/// <summary>
/// A type that encloses the network class, written as <c>{Declaration} {Name}</c> around it, where Declaration is
/// such as <c>partial class</c> or <c>ref partial struct</c> (a ref struct's every part says ref, before partial).
/// </summary>
internal sealed record ContainingType(string Declaration, string Name);

/// <summary>Everything the emitter needs to write one network.</summary>
internal sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    EquatableArray<ContainingType> ContainingTypes,
    EquatableArray<int> LayerSizes,
    Precision Precision,
    Initialization DefaultInitialization,
    string RuntimeAlias = "global",
    EquatableArray<int> Activations = default,
    Loss Loss = Loss.BinaryCrossEntropy,
    double LeakyReluSlope = NetworkModel.DefaultLeakyReluSlope,
    Optimizer Optimizer = Optimizer.GradientDescent,
    string? Weights = null,
    EquatableArray<double> BakedParameters = default,
    bool FromOnnx = false)
{

    /// <summary>
    /// True for a network with baked weights (the attribute's Weights): inference only, its parameters
    /// <see cref="BakedParameters"/> compiled in. The parser sets <see cref="Weights"/>; the parameters come from the
    /// file, after it (<see cref="BakedWeights"/>).
    /// </summary>
    public bool IsBaked => Weights is not null;

    // FromOnnx: a network of [NetworkFromOnnx("x.onnx")], baked as one with Weights (Weights is then the .onnx path), its
    // sizes, activations, slope, element type and parameters all read from the model (Onnx/OnnxNetworks.cs).

    /// <summary>The attribute's default LeakyReluSlope, PyTorch's negative_slope; also the model's slope when no layer uses one.</summary>
    public const double DefaultLeakyReluSlope = 0.01;

    /// <summary>
    /// Layer l's activation, l = 1 .. L: the parser's resolution of the attribute (<see cref="Activations"/> holds one
    /// Activation per layer, as numbers: an enum is not IEquatable), or when empty relu for the hidden layers and sigmoid
    /// for the output, the course's network.
    /// </summary>
    public Activation ActivationOf(int layer)
        => Activations.Count == LayerSizes.Count - 1
            ? (Activation)Activations[layer - 1]
            : layer == LayerSizes.Count - 1 ? Activation.Sigmoid : Activation.Relu;

    /// <summary>The layers 1 .. L (index 0 is layer 1): units, fan-in and activation.</summary>
    public System.Collections.Generic.IReadOnlyList<LayerSpec> Layers
    {
        get
        {
            var layers = new System.Collections.Generic.List<LayerSpec>();
            for (int l = 1; l < LayerSizes.Count; l++)
            {
                layers.Add(new LayerSpec(LayerSizes[l], LayerSizes[l - 1], ActivationOf(l)));
            }

            return layers;
        }
    }

    /// <summary>
    /// How generated code names the runtime library's namespace: <c>global::DnnGen</c>, or <c>alias::DnnGen</c> when the
    /// project references the library only under extern aliases (<c>Aliases="alias"</c> on the reference), where
    /// <c>global::DnnGen</c> does not resolve.
    /// </summary>
    public string RuntimeNamespace => RuntimeAlias + "::DnnGen";

    /// <summary>True when the generated file must open with <c>extern alias</c> for <see cref="RuntimeAlias"/>.</summary>
    public bool NeedsExternAlias => RuntimeAlias != "global";

    /// <summary>
    /// Hint names become file names when generated files are written to disk (EmitCompilerGeneratedFiles), and file
    /// systems refuse a name of more than 255 bytes; DnnGen keeps its names to at most this many UTF-8 bytes.
    /// </summary>
    public const int MaxHintNameBytes = 200;

    /// <summary>
    /// The generated file's name: the type's full name, unique within a compilation, and ".g.cs". A name longer than
    /// <see cref="MaxHintNameBytes"/> is cut and followed by a hash of the whole name, which keeps it unique.
    /// </summary>
    public string HintName => Bounded(FullName, ".g.cs");

    /// <summary>
    /// The hint name used when <see cref="HintName"/> is taken: hint names are compared ignoring case, so networks
    /// Demo.Net and Demo.NET would collide. A hash of the exact, case-sensitive name tells them apart.
    /// </summary>
    public string DisambiguatedHintName
        => Bounded(FullName + "." + Fnv1a32(FullName).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), ".g.cs");

    /// <summary>
    /// <paramref name="stem"/> and <paramref name="suffix"/> when they fit in <see cref="MaxHintNameBytes"/> bytes;
    /// else the longest prefix of the stem that fits with "." and a 64-bit hash of the whole stem (16 hex digits) before
    /// the suffix. The cut never splits a character, and names that differ only past the cut get different hashes.
    /// </summary>
    internal static string Bounded(string stem, string suffix)
    {
        System.Text.Encoding utf8 = System.Text.Encoding.UTF8;
        if (utf8.GetByteCount(stem) + utf8.GetByteCount(suffix) <= MaxHintNameBytes)
        {
            return stem + suffix;
        }

        string hash = "." + Fnv1a64(stem).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        int budget = MaxHintNameBytes - hash.Length - utf8.GetByteCount(suffix);
        int length = 0;
        int bytes = 0;
        while (length < stem.Length)
        {
            int width = char.IsHighSurrogate(stem[length]) && length + 1 < stem.Length ? 2 : 1;
            int next = utf8.GetByteCount(stem.Substring(length, width));
            if (bytes + next > budget)
            {
                break;
            }

            bytes += next;
            length += width;
        }

        return stem.Substring(0, length).TrimEnd('.') + hash + suffix;
    }

    private static uint Fnv1a32(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return hash;
    }

    private static ulong Fnv1a64(string text)
    {
        ulong hash = 14695981039346656037;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211);
        }

        return hash;
    }

    private string FullName
    {
        get
        {
            var parts = new System.Collections.Generic.List<string>();
            if (Namespace is not null)
            {
                parts.Add(Namespace);
            }

            foreach (ContainingType type in ContainingTypes)
            {
                parts.Add(type.Name);
            }

            // Hint names allow no '@', which escapes keyword identifiers such as @event.
            parts.Add(ClassName);
            return string.Join(".", parts).Replace("@", string.Empty);
        }
    }
}

/// <summary>A location reduced to values, recreated as a <see cref="Location"/> only when reported.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location)
        => location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);
}

/// <summary>A diagnostic reduced to values: descriptor id, where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArguments)
{
    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(
            DiagnosticDescriptors.ById(Id),
            Location?.ToLocation(),
            MessageArguments.AsSpan().ToArray());
}

/// <summary>
/// What parsing one [Network] declaration produced: a model to emit, or the reasons there is none. A network with
/// Weights also keeps where its attribute is (<paramref name="WeightsLocation"/>), for the errors its file may raise;
/// the bake drops it, so that what the emitter receives holds no location and moving the class regenerates nothing.
/// </summary>
internal sealed record ParseResult(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? WeightsLocation = null);
