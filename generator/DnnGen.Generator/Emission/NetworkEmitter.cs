using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator;

/// <summary>
/// Writes the generated part of one network class. Every layer gets its own explicitly written steps with literal
/// sizes; loops remain only over units, examples or vector lanes. Shapes in comments are the course's: W[l] is
/// (n[l], n[l-1]) and activations are (n[l], m), although the buffers hold activations example-major.
/// </summary>
internal sealed partial class NetworkEmitter
{
    /// <summary>
    /// The oldest C# the emitted code compiles with: C# 9, for the 'is not (A or B)' patterns; it also needs C# 8's
    /// nullable annotations and '??='. GeneratorDiagnosticTests compile the output with every version from 7.3 up,
    /// so a newer feature in the emitter fails a test until this is raised.
    /// </summary>
    public const Microsoft.CodeAnalysis.CSharp.LanguageVersion MinimumLanguageVersion = Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp9;

    /// <summary>Predict's per-thread buffers go on the stack up to this many bytes, else they are rented.</summary>
    private const int PredictStackLimitBytes = 16 * 1024;

    /// <summary>Predict works through at most this many examples at a time.</summary>
    private const int PredictMaxChunk = 64;

    private readonly NetworkModel _model;
    private readonly NetworkShape _shape;
    private readonly CodeWriter _w = new();
    private readonly string _t;
    private readonly string _span;
    private readonly string _readOnlySpan;

    private NetworkEmitter(NetworkModel model)
    {
        _model = model;
        _shape = new NetworkShape(model.LayerSizes);
        _t = model.Precision == Precision.Single ? "float" : "double";
        _span = "global::System.Span<" + _t + ">";
        _readOnlySpan = "global::System.ReadOnlySpan<" + _t + ">";
    }

    public static string Emit(NetworkModel model) => new NetworkEmitter(model).EmitFile();

    private int L => _shape.LayerCount;

    private int N(int layer) => _shape.Sizes[layer];

    /// <summary>The runtime library's namespace as generated code names it: <c>global::DnnGen</c> unless it is aliased.</summary>
    private string Dnn => _model.RuntimeNamespace;

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Thousands(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A floating-point literal of the network's element type, such as <c>0.5</c> or <c>0.5f</c>.</summary>
    private string Literal(string value) => _model.Precision == Precision.Single ? value + "f" : value;

    private int ElementBytes => _model.Precision == Precision.Single ? 4 : 8;

    /// <summary>Layer <paramref name="layer"/>'s activation: its entry in the catalog, which every activation-specific text and call comes from.</summary>
    private ActivationEntry Act(int layer) => Activations.Of(_model.ActivationOf(layer));

    /// <summary>The network's loss, from the catalog.</summary>
    private LossEntry LossInfo => Losses.Of(_model.Loss);

    private ActivationEntry OutputActivation => Act(L);

    /// <summary>Predict's output parameter, as the loss names it: probabilities, or predictions for a regression.</summary>
    private string Outputs => LossInfo.OutputsName;

    /// <summary>The course's name of layer <paramref name="layer"/>'s activation, such as relu.</summary>
    private string ActivationName(int layer) => Act(layer).Name;

    /// <summary>The leaky relu slope as a literal of the element type, such as <c>0.01</c>.</summary>
    /// <summary>Where an imported network's leaky relu slope comes from, as its doc comments say it.</summary>
    private const string OnnxSlopeSource = "LeakyRelu's alpha, or the alpha of Max(z, Mul(z, alpha))";

    private string SlopeLiteral => Literal(_model.LeakyReluSlope.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The arguments an activation's kernels take after their spans: the slope, the width, or none.</summary>
    private string KernelArguments(int layer) => Act(layer).Argument switch
    {
        KernelArgument.Slope => ", " + SlopeLiteral,
        KernelArgument.Units => ", " + I(N(layer)),
        _ => string.Empty,
    };

    /// <summary>The span activation of layer <paramref name="layer"/>: <c>A = g(Z)</c> from <paramref name="z"/> into <paramref name="a"/>.</summary>
    private string ActivationCall(int layer, string z, string a)
        => $"{Dnn}.Kernels.Activations.{Act(layer).Kernel}<{_t}>({z}, {a}{KernelArguments(layer)});";

    /// <summary>The scalar activation of one unit of an element-wise layer, applied to the expression <paramref name="z"/>.</summary>
    private string ScalarActivation(int layer, string z)
        => $"{Dnn}.Kernels.Activations.{Act(layer).Kernel}<{_t}>({z}{KernelArguments(layer)})";

    /// <summary>The span backward of layer <paramref name="layer"/>'s activation, reading Z, A or neither as the catalog says.</summary>
    private string ActivationBackwardCall(int layer, string dA, string z, string a, string dZ)
    {
        string input = Act(layer).BackwardInput switch
        {
            BackwardInput.PreActivation => z + ", ",
            BackwardInput.Output => a + ", ",
            _ => string.Empty,
        };
        return $"{Dnn}.Kernels.Activations.{Act(layer).Kernel}Backward<{_t}>({dA}, {input}{dZ}{KernelArguments(layer)});";
    }

    /// <summary>A catalog template with layer <paramref name="layer"/>'s names: {Z}, {A}, {dA}, {slope} and {L}.</summary>
    private string Fill(string template, int layer)
        => template
            .Replace("{Z}", "Z" + I(layer))
            .Replace("{dA}", "dA" + I(layer))
            .Replace("{A}", "A" + I(layer))
            .Replace("{L}", I(L))
            .Replace("{slope}", _model.LeakyReluSlope.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The course's name for layer <paramref name="layer"/>'s input: X for the first layer, else A[l-1].</summary>
    private static string Input(int layer) => layer == 1 ? "X" : "A" + I(layer - 1);

    private string Step(int layer) => "LINEAR -> " + ActivationName(layer).ToUpperInvariant();

    /// <summary>
    /// The check of y against m examples, as the loss's labels must be: OutputSize labels each, every one 0 or 1, one-hot
    /// rows, or finite values.
    /// </summary>
    private void EmitLabelsGuard(string indent = "", string description = "OutputSize labels for each of the m examples in x")
    {
        string expected = "(long)m * OutputSize";
        switch (LossInfo.Labels)
        {
            case LabelForm.Binary:
                _w.Line($"{indent}{Dnn}.Guard.Labels<{_t}>(y, {expected}, \"y\", \"{description}\");");
                break;
            case LabelForm.OneHot:
                _w.Line($"{indent}{Dnn}.Guard.Length<{_t}>(y, {expected}, \"y\", \"{description}\");");
                _w.Line($"{indent}{Dnn}.Guard.OneHotLabels<{_t}>(y, OutputSize, \"y\");");
                break;
            default:
                _w.Line($"{indent}{Dnn}.Guard.Length<{_t}>(y, {expected}, \"y\", \"{description}\");");
                _w.Line($"{indent}{Dnn}.Guard.Finite<{_t}>(y, OutputSize, \"y\");");
                break;
        }
    }

    private string EmitFile()
    {
        _w.Line("// <auto-generated/>");
        _w.Line(_model.FromOnnx
            ? $"// Generated by DnnGen from [{AttributeText}]: the sizes, activations and weights of that ONNX model. Change the model, not this file."
            : _model.IsBaked
            ? $"// Generated by DnnGen from [{AttributeText}] and the arrays in {WeightsText}. Change the attribute or the file, not this file."
            : $"// Generated by DnnGen from [{AttributeText}]. Change the attribute, not this file.");
        _w.Line("#nullable enable");
        // The user's class name is repeated here: a lowercase name would raise CS8981 again in this file, where the user's
        // own #pragma cannot reach.
        _w.Line("#pragma warning disable CS8981");
        if (_model.NeedsExternAlias)
        {
            _w.Line($"extern alias {_model.RuntimeAlias};");
        }

        _w.Line();
        if (_model.Namespace is not null)
        {
            _w.Open("namespace " + _model.Namespace);
        }

        foreach (ContainingType outer in _model.ContainingTypes)
        {
            _w.Open($"{outer.Declaration} {outer.Name}");
        }

        if (_model.IsBaked)
        {
            EmitBakedClass();
        }
        else
        {
            EmitTrainableClass();
        }

        foreach (ContainingType _ in _model.ContainingTypes)
        {
            _w.Close();
        }

        if (_model.Namespace is not null)
        {
            _w.Close();
        }

        return _w.ToString();
    }

    /// <summary>The [GeneratedCode] attribute on the network class, with the generator's version.</summary>
    private void EmitGeneratedCodeAttribute()
        => _w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"DnnGen.Generator\", \"" + typeof(NetworkEmitter).Assembly.GetName().Version!.ToString(3) + "\")]");

    private void EmitTrainableClass()
    {
        EmitClassSummary();
        EmitGeneratedCodeAttribute();
        _w.Open($"partial class {_model.ClassName} : {Dnn}.{LossInfo.InterfaceName}<{_t}>");
        EmitSizes();
        EmitStorage();
        EmitInitialization();
        EmitForward();
        EmitCost();
        EmitBackward();
        EmitUpdate();
        EmitTraining();
        EmitTrainingState();
        EmitOptionsTraining();
        EmitPrediction();
        for (int l = 1; l <= L; l++)
        {
            EmitLayer(l);
        }

        EmitWorkspace();
        _w.Close();
    }

    private void EmitSizes()
    {
        _w.Line("/// <summary>n[0]: the values in one example.</summary>");
        _w.Line($"public const int InputSize = {N(0)};");
        _w.Line();
        _w.Line("/// <summary>n[L]: the outputs per example.</summary>");
        _w.Line($"public const int OutputSize = {N(L)};");
        _w.Line();
        _w.Line("/// <summary>L: the number of layers with parameters.</summary>");
        _w.Line($"public const int LayerCount = {L};");
        _w.Line();
        _w.Line(_model.FromOnnx
            ? "/// <summary>n[0], n[1], ..., n[L], as the ONNX model's weights give them.</summary>"
            : "/// <summary>n[0], n[1], ..., n[L], as given to [Network].</summary>");
        _w.Line("public global::System.ReadOnlySpan<int> LayerSizes => s_layerSizes;");
        _w.Line();
        _w.Line($"private static readonly int[] s_layerSizes = {{ {string.Join(", ", _model.LayerSizes)} }};");
        _w.Line();
        _w.Line(_model.FromOnnx
            ? "/// <summary>Each layer's activation g[l], layer 1 first: L entries, as the ONNX model's nodes give them (Linear for a layer with none).</summary>"
            : "/// <summary>Each layer's activation g[l], layer 1 first: L entries, as the attribute resolved them.</summary>");
        _w.Line($"public global::System.ReadOnlySpan<{Dnn}.Activation> Activations => s_activations;");
        _w.Line();
        _w.Line($"private static readonly {Dnn}.Activation[] s_activations = {{ {string.Join(", ", Enumerable.Range(1, L).Select(l => Dnn + ".Activation." + _model.ActivationOf(l)))} }};");
        _w.Line();
        string loss = Dnn.Replace("global::", string.Empty) + ".Loss." + _model.Loss;
        _w.Line(_model.FromOnnx
            ? $"/// <summary>The loss that goes with the ONNX model's output activation (a model names none), which makes the network's kind: {loss}.</summary>"
            : _model.IsBaked
            ? $"/// <summary>The loss the attribute names, which makes the network's kind: {loss}.</summary>"
            : $"/// <summary>The cost the network minimises: {loss}.</summary>");
        _w.Line($"public {Dnn}.Loss Loss => {Dnn}.Loss.{_model.Loss};");
        _w.Line();
        _w.Line((UsesLeakyRelu, _model.FromOnnx) switch
        {
            (true, true) => "/// <summary>The slope of the leaky relu layers for z &lt; 0, the ONNX model's (" + OnnxSlopeSource + ").</summary>",
            (true, false) => "/// <summary>The slope of the leaky relu layers for z &lt; 0 (the attribute's LeakyReluSlope).</summary>",
            (false, true) => "/// <summary>DnnGen's default leaky relu slope: no layer of the ONNX model is a leaky relu, so it is unused.</summary>",
            _ => "/// <summary>The attribute's LeakyReluSlope: no layer of this network is a leaky relu, so it is the default and unused.</summary>",
        });
        _w.Line($"public double LeakyReluSlope => {_model.LeakyReluSlope.ToString("R", CultureInfo.InvariantCulture)};");
        _w.Line();
        _w.Line("/// <summary>Weights and biases in all: the sum over layers of n[l] * (n[l-1] + 1).</summary>");
        _w.Line($"public const int ParameterCount = {_shape.ParameterCount};");
        for (int l = 1; l <= L; l++)
        {
            _w.Line();
            _w.Line($"/// <summary>n[{l}]: the units of layer {l} ({Step(l).Replace("->", "-&gt;")}).</summary>");
            _w.Line($"public const int Layer{l}Size = {N(l)};");
        }

        _w.Line();
    }

    private void EmitStorage()
    {
        _w.Line("// Parameters W1, b1, W2, b2, ... back to back in one buffer; the gradients dW1, db1, ... in a twin buffer with");
        _w.Line("// the same layout, so an update is a walk over two arrays. Both start on a 64-byte boundary, so that W1's and");
        _w.Line("// dW1's rows are read and written in whole cache lines by the kernels' vector loads.");
        _w.Line("// The parameters' initialiser draws them as InitializeParameters(seed: 1) does: field initialisers run in every");
        _w.Line("// constructor, the user's own included, so no network is ever used with all-zero weights.");
        _w.Line($"private readonly {Dnn}.AlignedBuffer<{_t}> _parameters = CreateParameters();");
        _w.Line($"private readonly {Dnn}.AlignedBuffer<{_t}> _gradients = new {Dnn}.AlignedBuffer<{_t}>(ParameterCount);");
        if (TrainsInSpan)
        {
            _w.Line();
            _w.Line("// Layer 1 trained in the span of the data (DnnGen.Kernels.DataSpan): made by the first Train that uses it, then reused.");
            _w.Line(OptionsTrainInSpan && HasVelocity
                ? "// While such a Train runs, W1, dW1 and v_dW1 in the buffers are formed only when read, through the views below."
                : "// While such a Train runs, W1 and dW1 in the buffers are formed only when read, through the views below.");
            _w.Line($"private {Dnn}.Kernels.DataSpanTrainer<{_t}>? _dataSpan;");
        }

        _w.Line();
        _w.Line("/// <summary>All parameters, W1, b1, W2, b2, ... in order: the layout of <see cref=\"Gradients\"/> too.</summary>");
        EmitSyncedView("Parameters", "_parameters.Span", gradients: false);
        _w.Line();
        _w.Line("/// <summary>All gradients dW1, db1, dW2, db2, ... of the last Backward, in the layout of <see cref=\"Parameters\"/>.</summary>");
        EmitSyncedView("Gradients", "_gradients.Span", gradients: true);
        for (int l = 1; l <= L; l++)
        {
            int weights = _shape.WeightOffset(l);
            int bias = _shape.BiasOffset(l);
            _w.Line();
            _w.Line($"/// <summary>W{l} ({N(l)}, {N(l - 1)}): layer {l}'s weights, row-major; W{l}[j, k] is at j * {N(l - 1)} + k.</summary>");
            EmitSyncedView($"W{l}", $"_parameters.Slice({weights}, {_shape.WeightCount(l)})", gradients: false, l == 1);
            _w.Line();
            _w.Line($"/// <summary>b{l} ({N(l)}, 1): layer {l}'s biases.</summary>");
            _w.Line($"public {_span} b{l} => _parameters.Slice({bias}, {N(l)});");
            _w.Line();
            _w.Line($"/// <summary>dW{l} ({N(l)}, {N(l - 1)}): the cost's gradient with respect to W{l}, from the last Backward.</summary>");
            EmitSyncedView($"dW{l}", $"_gradients.Slice({weights}, {_shape.WeightCount(l)})", gradients: true, l == 1);
            _w.Line();
            _w.Line($"/// <summary>db{l} ({N(l)}, 1): the cost's gradient with respect to b{l}, from the last Backward.</summary>");
            _w.Line($"public {_span} db{l} => _gradients.Slice({bias}, {N(l)});");
        }

        _w.Line();
        for (int l = 1; l <= L; l++)
        {
            _w.Line($"/// <summary>The cache Z{l} of the last Forward: (m, {N(l)}) example-major, the course's Z{l} ({N(l)}, m) transposed.</summary>");
            _w.Line($"public {_readOnlySpan} Z{l} => z{l};");
            _w.Line();
            string what = _shape.IsOutput(l) ? "the output AL, " + OutputActivation.OutputMeaning : "the activations";
            _w.Line($"/// <summary>The cache A{l} of the last Forward, {what}: (m, {N(l)}) example-major.</summary>");
            _w.Line($"public {_readOnlySpan} A{l} => a{l};");
            _w.Line();
        }
    }

    /// <summary>
    /// A public view of the parameters or gradients; where Train can run in the span of the data, one that holds W1 or
    /// dW1 first makes it explicit (a no-op unless such a Train is running: from its progress callback, say).
    /// </summary>
    private void EmitSyncedView(string name, string view, bool gradients, bool holdsLayer1 = true)
    {
        if (!TrainsInSpan || !holdsLayer1)
        {
            _w.Line($"public {_span} {name} => {view};");
            return;
        }

        _w.Open($"public {_span} {name}");
        _w.Open("get");
        _w.Line($"_dataSpan?.{(gradients ? "SyncGradients" : "SyncWeights")}();");
        _w.Line($"return {view};");
        _w.Close();
        _w.Close();
    }

    private void EmitInitialization()
    {
        string defaultInitialization = $"{Dnn}.Initialization." + _model.DefaultInitialization;
        _w.Line("/// <summary>");
        _w.Line("/// Initialises the parameters as the course does after <c>np.random.seed(seed)</c>: each W[l] drawn with");
        _w.Line("/// <c>np.random.randn(n[l], n[l-1])</c> in layer order and scaled as <paramref name=\"initialization\"/> says; biases zero.");
        _w.Line("/// </summary>");
        _w.Line("/// <remarks>A new network starts with the parameters of <c>InitializeParameters(seed: 1)</c>.</remarks>");
        _w.Line("/// <param name=\"seed\">The NumPy seed; seed 1 gives the course's weights.</param>");
        _w.Line("/// <param name=\"initialization\">How to scale the draws; the default is the one the [Network] attribute names.</param>");
        _w.Line($"public void InitializeParameters(uint seed, {Dnn}.Initialization initialization = {defaultInitialization})");
        _w.Line($"    => InitializeParameters(new {Dnn}.NumPyRandom(seed), initialization);");
        _w.Line();
        _w.Line("/// <summary>Initialises the parameters from an existing NumPy-compatible stream, W1 first; biases zero.</summary>");
        _w.Line("/// <param name=\"random\">The stream to draw from, left just after the last weight drawn.</param>");
        _w.Line("/// <param name=\"initialization\">How to scale the draws.</param>");
        _w.Open($"public void InitializeParameters({Dnn}.NumPyRandom random, {Dnn}.Initialization initialization = {defaultInitialization})");
        _w.Line("global::System.ArgumentNullException.ThrowIfNull(random);");
        _w.Line($"{Dnn}.ParameterInitializer.CheckInitialization(initialization, \"initialization\");");
        _w.Line();
        if (TrainsInSpan)
        {
            _w.Line("// From a Train's progress callback: the new weights replace the ones it trains, which it then takes up.");
            _w.Line("_dataSpan?.SyncWeights();");
        }

        _w.Line("DrawParameters(_parameters.Span, random, initialization);");
        _w.Line("ResetTrainingState();");
        _w.Close();
        _w.Line();
        _w.Line("// The parameters of a new network: InitializeParameters(seed: 1) with the attribute's initialisation.");
        _w.Open($"private static {Dnn}.AlignedBuffer<{_t}> CreateParameters()");
        _w.Line($"{Dnn}.AlignedBuffer<{_t}> parameters = new {Dnn}.AlignedBuffer<{_t}>(ParameterCount);");
        _w.Line($"DrawParameters(parameters.Span, new {Dnn}.NumPyRandom(1u), {defaultInitialization});");
        _w.Line("return parameters;");
        _w.Close();
        _w.Line();
        _w.Line("// Every W[l] drawn in layer order into its place in the parameters' layout, every b[l] zero. The scale is the");
        _w.Line("// initialisation's: 0.01 (ScaledNormal), 1 / sqrt(n[l-1]) (NormalOverSqrtFanIn) or sqrt(2 / n[l-1]) (He); Zeros draws");
        _w.Line("// nothing and leaves every W[l] zero.");
        _w.Open($"private static void DrawParameters({_span} parameters, {Dnn}.NumPyRandom random, {Dnn}.Initialization initialization)");
        for (int l = 1; l <= L; l++)
        {
            _w.Line($"// W{l} = randn({N(l)}, {N(l - 1)}) * scale, or zeros; b{l} = zeros({N(l)}, 1)");
            _w.Line($"{Dnn}.ParameterInitializer.FillWeights(random, parameters.Slice({_shape.WeightOffset(l)}, {_shape.WeightCount(l)}), {N(l - 1)}, initialization);");
            _w.Line($"parameters.Slice({_shape.BiasOffset(l)}, {N(l)}).Clear();");
        }

        _w.Close();
        _w.Line();
    }

    private void EmitWorkspace()
    {
        _w.Line("// ---- Training workspace ----");
        _w.Line("// One buffer holds, for each example, Z[l], A[l], dZ[l] of every layer and dA[l] of the hidden ones, block after");
        _w.Line("// block. It grows to the largest batch seen and is reused, so a training iteration allocates nothing.");
        _w.Line($"private {_t}[] _workspace = global::System.Array.Empty<{_t}>();");
        _w.Line("private int _workspaceCapacity;");
        _w.Line("private int _batchSize;");
        _w.Line();
        foreach (WorkspaceBlock block in _shape.WorkspaceBlocks)
        {
            string courseName = block.Name.Substring(0, 1).ToUpperInvariant() + block.Name.Substring(1);
            _w.Line($"private {_span} {block.Name} => WorkspaceBlock({I(block.Start)}, {N(block.Layer)}); // {courseName}, (m, {N(block.Layer)})");
        }

        _w.Line();
        _w.Open("private void PrepareWorkspace(int m)");
        _w.Open("if (m > _workspaceCapacity)");
        _w.Line($"_workspace = new {_t}[{Dnn}.Guard.WorkspaceLength(m, {I(_shape.WorkspaceWidth)}, \"x\")];");
        _w.Line("_workspaceCapacity = m;");
        _w.Close();
        _w.Line();
        _w.Line("_batchSize = m;");
        _w.Close();
        _w.Line();
        _w.Open("private int RequireForward()");
        _w.Open("if (_batchSize == 0)");
        _w.Line("throw new global::System.InvalidOperationException(\"There are no caches yet: call Forward(x) first.\");");
        _w.Close();
        _w.Line();
        _w.Line("return _batchSize;");
        _w.Close();
        _w.Line();
        _w.Line($"private {_span} WorkspaceBlock(long start, int width)");
        _w.Line($"    => new {_span}(_workspace, checked((int)(_workspaceCapacity * start)), _batchSize * width);");
    }
}
