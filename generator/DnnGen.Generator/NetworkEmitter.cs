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
internal sealed class NetworkEmitter
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

    private string Activation(int layer) => _shape.IsOutput(layer) ? "sigmoid" : "relu";

    private string ActivationKernel(int layer) => _shape.IsOutput(layer) ? "Sigmoid" : "Relu";

    /// <summary>The course's name for layer <paramref name="layer"/>'s input: X for the first layer, else A[l-1].</summary>
    private static string Input(int layer) => layer == 1 ? "X" : "A" + I(layer - 1);

    private string Step(int layer) => "LINEAR -> " + Activation(layer).ToUpperInvariant();

    /// <summary>The check of y against the m examples of x: OutputSize labels each, every one 0 or 1.</summary>
    private string LabelsGuard => $"{Dnn}.Guard.Labels<{_t}>(y, (long)m * OutputSize, \"y\", \"OutputSize labels for each of the m examples in x\");";

    // ---- equations, in the course's shapes, used in comments above each step ----

    private string LinearForwardEquation(int l)
        => $"Z{l} ({N(l)}, m) = W{l} ({N(l)}, {N(l - 1)}) . {Input(l)} ({N(l - 1)}, m) + b{l} ({N(l)}, 1)";

    private string ActivationEquation(int l) => $"A{l} ({N(l)}, m) = {Activation(l)}(Z{l})";

    private string WeightGradientEquation(int l)
        => $"dW{l} ({N(l)}, {N(l - 1)}) = (1/m) dZ{l} ({N(l)}, m) . {Input(l)}^T (m, {N(l - 1)});  db{l} ({N(l)}, 1) = (1/m) sum over m of dZ{l}";

    private string InputGradientEquation(int l)
        => $"dA{l - 1} ({N(l - 1)}, m) = W{l}^T ({N(l - 1)}, {N(l)}) . dZ{l} ({N(l)}, m)";

    private string ActivationBackwardEquation(int l) => _shape.IsOutput(l)
        ? $"dZ{l} ({N(l)}, m) = dA{l} * s * (1 - s) with s = sigmoid(Z{l})"
        : $"dZ{l} ({N(l)}, m) = dA{l} * relu'(Z{l}), i.e. dA{l} where Z{l} > 0, else 0";

    private string KernelReason(int l) => _shape.IsStraightLine(l)
        ? $"straight-line code ({_shape.WeightCount(l)} weights, at most {NetworkShape.StraightLineMaxWeights}, held in locals)"
        : $"DnnGen.Kernels.Dense ({_shape.WeightCount(l)} weights: too many to unroll, so register-blocked vector kernels; Z{l} and dW{l} {ParallelFrom(l)})";

    private string ParallelFrom(int l)
    {
        long examples = _shape.ParallelFromExamples(l);
        return examples == 1
            ? "on all cores even for one example"
            : $"on all cores from {examples.ToString(CultureInfo.InvariantCulture)} examples on";
    }

    private string EmitFile()
    {
        _w.Line("// <auto-generated/>");
        _w.Line($"// Generated by DnnGen from [Network({string.Join(", ", _model.LayerSizes)})]. Change the attribute, not this file.");
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

        EmitClassSummary();
        _w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"DnnGen.Generator\", \"" + typeof(NetworkEmitter).Assembly.GetName().Version!.ToString(3) + "\")]");
        _w.Open($"partial class {_model.ClassName} : {Dnn}.INetwork<{_t}>");
        EmitSizes();
        EmitStorage();
        EmitInitialization();
        EmitForward();
        EmitCost();
        EmitBackward();
        EmitUpdate();
        EmitTraining();
        EmitPrediction();
        for (int l = 1; l <= L; l++)
        {
            EmitLayer(l);
        }

        EmitWorkspace();
        _w.Close();

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

    private void EmitClassSummary()
    {
        string sizes = string.Join(", ", _model.LayerSizes);
        _w.Line("/// <summary>");
        _w.Line($"/// A fully unrolled network of L = {L} layers generated by DnnGen from <c>[Network({sizes})]</c>:");
        string stack = L == 1 ? "LINEAR -&gt; SIGMOID (logistic regression)" : $"[LINEAR -&gt; RELU] x {L - 1} -&gt; LINEAR -&gt; SIGMOID";
        _w.Line($"/// {stack}, binary cross-entropy cost, gradient descent, in <see cref=\"{_t}\"/>.");
        _w.Line("/// </summary>");
        _w.Line("/// <remarks>");
        _w.Line("/// <para>");
        _w.Line("/// Shapes follow the course: W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1), row-major; activations Z[l] and A[l]");
        _w.Line("/// are (n[l], m) for m examples. In memory, inputs and activations are example-major, (m, n[l]): example i of");
        _w.Line($"/// x is x[i * {N(0)} .. (i + 1) * {N(0)}), the course's X transposed, as images and CSV rows arrive.");
        _w.Line("/// </para>");
        _w.Line("/// <list type=\"table\">");
        _w.Line("/// <listheader><term>layer</term><description>step, shapes, parameters, code</description></listheader>");
        for (int l = 1; l <= L; l++)
        {
            string step = Step(l).Replace("->", "-&gt;");
            string code = _shape.IsStraightLine(l) ? "straight-line code" : "vector kernels";
            _w.Line($"/// <item><term>{l}</term><description>{step}, {N(l - 1)} -&gt; {N(l)}: W{l} ({N(l)}, {N(l - 1)}), b{l} ({N(l)}, 1); {Thousands((long)N(l) * N(l - 1) + N(l))} parameters; {code}.</description></item>");
        }

        _w.Line("/// </list>");
        _w.Line($"/// <para>{Thousands(_shape.ParameterCount)} parameters ({Thousands(_shape.ParameterCount * ElementBytes)} bytes) and as many gradients, each in one contiguous buffer.");
        _w.Line("/// Training is single-owner: one thread at a time may call Forward, Backward, UpdateParameters, TrainStep or Train.");
        _w.Line("/// Predict, PredictLabels and Accuracy only read the parameters and may run on many threads at once.</para>");
        _w.Line("/// <para>A new network starts initialised: its parameters are those <c>InitializeParameters(seed: 1)</c> draws with the attribute's");
        _w.Line($"/// <see cref=\"{Dnn}.Initialization.{_model.DefaultInitialization}\"/>, the course's seed, in every constructor (the buffer's field initialiser draws them).");
        _w.Line("/// Call InitializeParameters or LoadNpz to start from other parameters.</para>");
        _w.Line("/// </remarks>");
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
        _w.Line("/// <summary>n[0], n[1], ..., n[L], as given to [Network].</summary>");
        _w.Line("public global::System.ReadOnlySpan<int> LayerSizes => s_layerSizes;");
        _w.Line();
        _w.Line($"private static readonly int[] s_layerSizes = {{ {string.Join(", ", _model.LayerSizes)} }};");
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
        _w.Line();
        _w.Line("/// <summary>All parameters, W1, b1, W2, b2, ... in order: the layout of <see cref=\"Gradients\"/> too.</summary>");
        _w.Line($"public {_span} Parameters => _parameters.Span;");
        _w.Line();
        _w.Line("/// <summary>All gradients dW1, db1, dW2, db2, ... of the last Backward, in the layout of <see cref=\"Parameters\"/>.</summary>");
        _w.Line($"public {_span} Gradients => _gradients.Span;");
        for (int l = 1; l <= L; l++)
        {
            int weights = _shape.WeightOffset(l);
            int bias = _shape.BiasOffset(l);
            _w.Line();
            _w.Line($"/// <summary>W{l} ({N(l)}, {N(l - 1)}): layer {l}'s weights, row-major; W{l}[j, k] is at j * {N(l - 1)} + k.</summary>");
            _w.Line($"public {_span} W{l} => _parameters.Slice({weights}, {_shape.WeightCount(l)});");
            _w.Line();
            _w.Line($"/// <summary>b{l} ({N(l)}, 1): layer {l}'s biases.</summary>");
            _w.Line($"public {_span} b{l} => _parameters.Slice({bias}, {N(l)});");
            _w.Line();
            _w.Line($"/// <summary>dW{l} ({N(l)}, {N(l - 1)}): the cost's gradient with respect to W{l}, from the last Backward.</summary>");
            _w.Line($"public {_span} dW{l} => _gradients.Slice({weights}, {_shape.WeightCount(l)});");
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
            string what = _shape.IsOutput(l) ? "the output AL, the probability of class 1" : "the activations";
            _w.Line($"/// <summary>The cache A{l} of the last Forward, {what}: (m, {N(l)}) example-major.</summary>");
            _w.Line($"public {_readOnlySpan} A{l} => a{l};");
            _w.Line();
        }
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
        _w.Line("DrawParameters(_parameters.Span, random, initialization);");
        _w.Close();
        _w.Line();
        _w.Line("// The parameters of a new network: InitializeParameters(seed: 1) with the attribute's initialisation.");
        _w.Open($"private static {Dnn}.AlignedBuffer<{_t}> CreateParameters()");
        _w.Line($"{Dnn}.AlignedBuffer<{_t}> parameters = new {Dnn}.AlignedBuffer<{_t}>(ParameterCount);");
        _w.Line($"DrawParameters(parameters.Span, new {Dnn}.NumPyRandom(1u), {defaultInitialization});");
        _w.Line("return parameters;");
        _w.Close();
        _w.Line();
        _w.Line("// Every W[l] drawn in layer order into its place in the parameters' layout, every b[l] zero.");
        _w.Open($"private static void DrawParameters({_span} parameters, {Dnn}.NumPyRandom random, {Dnn}.Initialization initialization)");
        for (int l = 1; l <= L; l++)
        {
            _w.Line($"// W{l} = randn({N(l)}, {N(l - 1)}) scaled; b{l} = zeros({N(l)}, 1)");
            _w.Line($"{Dnn}.ParameterInitializer.FillWeights(random, parameters.Slice({_shape.WeightOffset(l)}, {_shape.WeightCount(l)}), {N(l - 1)}, initialization);");
            _w.Line($"parameters.Slice({_shape.BiasOffset(l)}, {N(l)}).Clear();");
        }

        _w.Close();
        _w.Line();
    }

    private void EmitForward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Forward propagation over m examples (the course's L_model_forward): keeps every Z[l] and A[l] for Backward and");
        _w.Line("/// returns AL (m, OutputSize), the probability of class 1 for each example.");
        _w.Line("/// </summary>");
        _w.Line($"/// <param name=\"x\">m examples, example-major: x[i * {N(0)} .. (i + 1) * {N(0)}) is example i. Finite values only.</param>");
        _w.Line($"/// <exception cref=\"{Dnn}.LayerOverflowException\">A layer's pre-activation overflowed although x and the parameters are finite.</exception>");
        _w.Open($"public {_readOnlySpan} Forward({_readOnlySpan} x)");
        _w.Line("// A Forward that throws leaves no caches, neither its own half-computed ones nor an earlier Forward's: ComputeCost");
        _w.Line("// and Backward then ask for a Forward first.");
        _w.Line("_batchSize = 0;");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line("PrepareWorkspace(m);");
        _w.Open("try");
        for (int l = 1; l <= L; l++)
        {
            if (l > 1)
            {
                _w.Line();
            }

            _w.Line($"// Layer {l}, {Step(l)}: {LinearForwardEquation(l)}");
            _w.Line($"//   {ActivationEquation(l)}");
            string input = l == 1 ? "x" : "a" + I(l - 1);
            _w.Line($"Layer{l}Forward({input}, W{l}, b{l}, z{l}, a{l});");
            if (l == 1)
            {
                _w.Line("// A NaN or infinity in x makes its example's row of Z1 non-finite, so checking Z1 checks x at a fraction of the");
                _w.Line("// cost; a Z that is not finite from finite values is an overflow, reported as such, whatever the layer.");
            }

            _w.Line($"{Dnn}.Guard.PreActivations<{_t}>(z{l}, {l}, {input}, W{l}, b{l}, \"x\");");
        }

        _w.Close();
        _w.Open("catch");
        _w.Line("_batchSize = 0;");
        _w.Line("throw;");
        _w.Close();
        _w.Line();
        _w.Line($"return a{L};");
        _w.Close();
        _w.Line();
    }

    private void EmitCost()
    {
        _w.Line("/// <summary>");
        _w.Line("/// The cost J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL)) of the last Forward, computed from Z[L] as");
        _w.Line("/// softplus(Z) - Y Z so that it stays finite when AL rounds to 0 or 1.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"y\">The m labels (0 or 1) of the examples of the last Forward, OutputSize per example.</param>");
        _w.Open($"public double ComputeCost({_readOnlySpan} y)");
        _w.Line("int m = RequireForward();");
        _w.Line($"{Dnn}.Guard.Labels<{_t}>(y, (long)m * OutputSize, \"y\", \"the labels of the last Forward's m examples\");");
        _w.Line($"return {Dnn}.Kernels.Cost.CrossEntropyFromLogits<{_t}>(z{L}, y, m);");
        _w.Close();
        _w.Line();
        _w.Line("/// <summary>The course's compute_cost, literally: J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL)).</summary>");
        _w.Line("/// <param name=\"al\">Probabilities AL, (m, OutputSize).</param>");
        _w.Line("/// <param name=\"y\">Labels (0 or 1), the same shape as <paramref name=\"al\"/>.</param>");
        _w.Open($"public static double ComputeCost({_readOnlySpan} al, {_readOnlySpan} y)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(al, OutputSize, \"al\");");
        _w.Line($"return {Dnn}.Kernels.Cost.CrossEntropy<{_t}>(al, y, m);");
        _w.Close();
        _w.Line();
    }

    private void EmitBackward()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Backward propagation (the course's L_model_backward) from the caches of the last Forward: fills every dW[l] and");
        _w.Line("/// db[l]. dA0 is never computed: the course discards it.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">The same examples that were passed to the last Forward (layer 1's weight gradient needs them).</param>");
        _w.Line("/// <param name=\"y\">Their labels, OutputSize per example.</param>");
        _w.Open($"public void Backward({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line("int m = RequireForward();");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(x, (long)m * InputSize, \"x\", \"the last Forward's m examples\");");
        _w.Line($"{Dnn}.Guard.Labels<{_t}>(y, (long)m * OutputSize, \"y\", \"the labels of the last Forward's m examples\");");
        _w.Line("// Until this call has finished, the gradients are half written: UpdateParameters refuses them if it throws.");
        _w.Line("_gradientsInvalid = true;");
        _w.Line("BackwardCore(x, y);");
        _w.Line();
        _w.Line($"// x should be the last Forward's inputs, already checked; if it is not, a NaN or infinity in it shows in dW1.");
        _w.Line($"{Dnn}.Guard.FiniteInputs<{_t}>(x, InputSize, dW1, \"x\");");
        _w.Line("_gradientsInvalid = false;");
        _w.Close();
        _w.Line();
        _w.Line("// Set while a Backward is under way and left set when it throws, so that its gradients are never applied.");
        _w.Line("private bool _gradientsInvalid;");
        _w.Line();
        _w.Line("// Backward without the argument checks, for TrainIteration, whose arguments Forward and TrainStep checked.");
        _w.Open($"private void BackwardCore({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line($"// Output layer: dZ{L} ({N(L)}, m) = A{L} - Y. This is dA{L} = -(Y / A{L} - (1 - Y) / (1 - A{L})) followed by the");
        _w.Line($"// sigmoid backward dA{L} * A{L} * (1 - A{L}), simplified: equal in exact arithmetic, and free of the divisions");
        _w.Line($"// that overflow when A{L} saturates. Layer{L}Backward applies the course's two literal steps instead.");
        _w.Line($"{Dnn}.Kernels.Cost.SigmoidCrossEntropyDelta<{_t}>(a{L}, y, dZ{L});");
        for (int l = L; l >= 1; l--)
        {
            _w.Line();
            if (l == L)
            {
                _w.Line($"// Layer {l}: {WeightGradientEquation(l)}");
                if (l > 1)
                {
                    _w.Line($"//   {InputGradientEquation(l)}");
                    _w.Line($"Layer{l}LinearBackward(dZ{l}, a{l - 1}, W{l}, dW{l}, db{l}, dA{l - 1});");
                }
                else
                {
                    _w.Line($"Layer{l}LinearBackward(dZ{l}, x, dW{l}, db{l});");
                }

                continue;
            }

            _w.Line($"// Layer {l}: {ActivationBackwardEquation(l)}");
            _w.Line($"//   {WeightGradientEquation(l)}");
            if (l > 1)
            {
                _w.Line($"//   {InputGradientEquation(l)}");
                _w.Line($"Layer{l}Backward(dA{l}, z{l}, a{l - 1}, W{l}, dZ{l}, dW{l}, db{l}, dA{l - 1});");
            }
            else
            {
                _w.Line($"Layer{l}Backward(dA{l}, z{l}, x, dZ{l}, dW{l}, db{l});");
            }
        }

        _w.Close();
        _w.Line();
    }

    private void EmitUpdate()
    {
        _w.Line("/// <summary>One gradient-descent step (the course's update_parameters): W[l] -= learningRate * dW[l], b[l] -= learningRate * db[l].</summary>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <remarks>Applies the gradients as they are, like the course's function; TrainStep and Train check the result for NaN.</remarks>");
        _w.Line("/// <exception cref=\"global::System.InvalidOperationException\">The last Backward threw, so its gradients are not used.</exception>");
        _w.Open("public void UpdateParameters(double learningRate)");
        _w.Line($"{_t} rate = {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Open("if (_gradientsInvalid)");
        _w.Line("throw new global::System.InvalidOperationException(\"The gradients are not usable: the last Backward threw before it finished. Call Backward(x, y) with the last Forward's examples first.\");");
        _w.Close();
        for (int l = 1; l <= L; l++)
        {
            _w.Line();
            _w.Line($"// W{l} ({N(l)}, {N(l - 1)}) -= rate * dW{l};  b{l} ({N(l)}, 1) -= rate * db{l}");
            _w.Line($"{Dnn}.Kernels.Dense.GradientDescent<{_t}>(W{l}, dW{l}, rate);");
            _w.Line($"{Dnn}.Kernels.Dense.GradientDescent<{_t}>(b{l}, db{l}, rate);");
        }

        _w.Close();
        _w.Line();
    }

    private void EmitTraining()
    {
        _w.Line("/// <summary>One full-batch training iteration: Forward, cost, Backward, UpdateParameters.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"y\">Their labels (0 or 1), OutputSize per example.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <returns>The cost of the forward pass, before the update.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">");
        _w.Line("/// Training diverged: the cost is not finite, a layer's pre-activation overflowed after earlier steps, or the update");
        _w.Line("/// made a parameter NaN or infinite. The parameters are then the last ones whose cost was finite: those before the");
        _w.Line("/// previous TrainStep's update when they are still exactly what it made of them, else those before this call");
        _w.Line($"/// (see <see cref=\"{Dnn}.Divergence\"/>).");
        _w.Line("/// </exception>");
        _w.Line($"/// <exception cref=\"{Dnn}.LayerOverflowException\">A layer's pre-activation overflowed on these parameters, with nothing to roll back to: the inputs are too large.</exception>");
        _w.Open($"public double TrainStep({_readOnlySpan} x, {_readOnlySpan} y, double learningRate)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line(LabelsGuard);
        _w.Line($"{Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line("return TrainIteration(x, y, learningRate, -1);");
        _w.Close();
        _w.Line();
        _w.Line("/// <summary>");
        _w.Line("/// Full-batch gradient descent for <paramref name=\"iterations\"/> iterations (the course's L_layer_model), recording");
        _w.Line("/// the cost every 100 iterations and at the last one.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major, finite.</param>");
        _w.Line("/// <param name=\"y\">Their labels (0 or 1), OutputSize per example.</param>");
        _w.Line("/// <param name=\"iterations\">How many iterations to run, at least 1.</param>");
        _w.Line("/// <param name=\"learningRate\">The step size alpha, finite and greater than zero.</param>");
        _w.Line("/// <param name=\"progress\">Told every iteration's cost, on the training thread, for progress display. A lambda works too, through");
        _w.Line($"/// <see cref=\"{Dnn}.NetworkTrainingExtensions\"/>.</param>");
        _w.Line("/// <param name=\"cancellationToken\">Checked before every iteration; on cancellation the parameters are those after the last completed iteration.</param>");
        _w.Line("/// <returns>The costs at iterations 0, 100, 200, ... and at the last iteration.</returns>");
        _w.Line("/// <exception cref=\"global::System.ArithmeticException\">");
        _w.Line("/// Training diverged. The message names the iteration and suggests a smaller learning rate; the parameters are those");
        _w.Line($"/// of the last iteration whose cost was finite, which the message names too (see <see cref=\"{Dnn}.Divergence\"/>).");
        _w.Line("/// </exception>");
        _w.Line("/// <exception cref=\"global::System.OperationCanceledException\"><paramref name=\"cancellationToken\"/> was cancelled.</exception>");
        _w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Dnn}.TrainingRecord> Train(");
        _w.Line($"    {_readOnlySpan} x,");
        _w.Line($"    {_readOnlySpan} y,");
        _w.Line("    int iterations,");
        _w.Line("    double learningRate,");
        _w.Line($"    global::System.IProgress<{Dnn}.TrainingRecord>? progress = null,");
        _w.Line("    global::System.Threading.CancellationToken cancellationToken = default)");
        _w.Line("{");
        _w.Line($"    {Dnn}.Guard.AtLeast(iterations, 1, \"iterations\");");
        _w.Line($"    {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line($"    int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line("    " + LabelsGuard);
        _w.Line();
        _w.Line("    // One record per 100 iterations, room for the first 102,300 made up front: the list grows if there are more.");
        _w.Line($"    global::System.Collections.Generic.List<{Dnn}.TrainingRecord> history = new global::System.Collections.Generic.List<{Dnn}.TrainingRecord>(global::System.Math.Min(iterations / 100 + 2, 1024));");
        _w.Line("    for (int iteration = 0; iteration < iterations; iteration++)");
        _w.Line("    {");
        _w.Line("        cancellationToken.ThrowIfCancellationRequested();");
        _w.Line("        double cost = TrainIteration(x, y, learningRate, iteration);");
        _w.Line($"        {Dnn}.TrainingRecord record = new {Dnn}.TrainingRecord(iteration, cost);");
        _w.Line("        if (iteration % 100 == 0 || iteration == iterations - 1)");
        _w.Line("        {");
        _w.Line("            history.Add(record);");
        _w.Line("        }");
        _w.Line();
        _w.Line("        progress?.Report(record);");
        _w.Line("    }");
        _w.Line();
        _w.Line("    return history;");
        _w.Line("}");
        _w.Line();
        _w.Line("// The parameters before the last update: an update that makes a parameter NaN or infinite is undone from here, and");
        _w.Line("// the last parameters whose cost was finite are restored from here when a later cost is not. Allocated by the first step.");
        _w.Line($"private {_t}[]? _snapshot;");
        _w.Line();
        _w.Line("// The learning rate and the cost of the last successful update, from the snapshot; zero when there is none to undo.");
        _w.Line($"private {_t} _rollbackRate;");
        _w.Line("private double _rollbackCost;");
        _w.Line();
        _w.Line("// One iteration of TrainStep (iteration -1) or Train, on checked arguments.");
        _w.Open($"private double TrainIteration({_readOnlySpan} x, {_readOnlySpan} y, double learningRate, int iteration)");
        _w.Line("double cost;");
        _w.Line("try");
        _w.Line("{");
        _w.Line("    Forward(x);");
        _w.Line("    cost = ComputeCost(y);");
        _w.Line("}");
        _w.Line($"catch ({Dnn}.LayerOverflowException overflow) when (iteration != 0)");
        _w.Line("{");
        _w.Line("    // After updates whose costs were finite, an overflow means the parameters grew too large: training diverged.");
        _w.Line("    // With nothing to roll back to, these are the parameters the caller gave, and the overflow is reported as it is.");
        _w.Line("    double restoredCost = _rollbackCost;");
        _w.Line("    if (!RollBack())");
        _w.Line("    {");
        _w.Line("        throw;");
        _w.Line("    }");
        _w.Line();
        _w.Line($"    throw {Dnn}.Divergence.ForwardOverflow(iteration, overflow, true, restoredCost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line("if (!double.IsFinite(cost))");
        _w.Line("{");
        _w.Line("    // Caught before Backward and the update. The snapshot holds the parameters before the last update, whose cost was");
        _w.Line("    // finite: those are the ones to keep (not beyond the start of a Train, iteration 0).");
        _w.Line("    double restoredCost = _rollbackCost;");
        _w.Line("    bool restored = iteration != 0 && RollBack();");
        _w.Line($"    throw {Dnn}.Divergence.CostNotFinite(iteration, cost, restored, restoredCost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line("BackwardCore(x, y);");
        _w.Line("_gradientsInvalid = false;");
        _w.Line($"_snapshot ??= new {_t}[ParameterCount];");
        _w.Line("_parameters.Span.CopyTo(_snapshot);");
        _w.Line($"_rollbackRate = {Literal("0.0")};");
        _w.Line("UpdateParameters(learningRate);");
        _w.Line($"if (!{Dnn}.Divergence.AllFinite<{_t}>(_parameters.Span))");
        _w.Line("{");
        _w.Line($"    new {_readOnlySpan}(_snapshot).CopyTo(_parameters.Span);");
        _w.Line($"    throw {Dnn}.Divergence.UpdateNotFinite(iteration, cost, learningRate);");
        _w.Line("}");
        _w.Line();
        _w.Line($"_rollbackRate = {Dnn}.Guard.LearningRate<{_t}>(learningRate, \"learningRate\");");
        _w.Line("_rollbackCost = cost;");
        _w.Line("return cost;");
        _w.Close();
        _w.Line();
        _w.Line("// Restores the snapshot if the parameters are still exactly what the last update made of it (a call of");
        _w.Line("// InitializeParameters, LoadNpz or a write into Parameters since then is never undone); once only.");
        _w.Open("private bool RollBack()");
        _w.Line($"{_t} rate = _rollbackRate;");
        _w.Line($"_rollbackRate = {Literal("0.0")};");
        _w.Line($"return _snapshot is not null && {Dnn}.Divergence.TryRestoreBeforeUpdate<{_t}>(_parameters.Span, _snapshot, _gradients.Span, rate);");
        _w.Close();
        _w.Line();
    }

    private void EmitPrediction()
    {
        if (_shape.IsFusedPredict)
        {
            EmitFusedPredict();
            EmitReportNotFiniteExample();
        }
        else
        {
            if (_shape.IsAllStraightLine)
            {
                _w.Line($"// Not fused, although every layer is straight-line code: one loop through all the layers would hold {Thousands(_shape.FusedPredictLocals)} locals,");
                _w.Line($"// more than the {Thousands(NetworkShape.FusedPredictMaxLocals)} the JIT can keep track of (and C# allows 65,534 in a method), so Predict goes layer by layer.");
            }

            EmitLayeredPredict();
        }

        EmitSinglePredict();
        EmitLabelsAndAccuracy();
    }

    /// <summary>
    /// The fused Predict's check of example i, once all its Z are computed: a NaN or an infinity in any of them makes
    /// their sum NaN or infinite, so one test per example covers every unit of every layer.
    /// </summary>
    private void EmitFusedFiniteCheck()
    {
        var units = new List<string>();
        for (int l = 1; l <= L; l++)
        {
            for (int j = 0; j < N(l); j++)
            {
                units.Add($"z{l}_{j}");
            }
        }

        _w.Line("// Every Z of example i is finite if their sum is (a NaN or an infinity in any makes it NaN or infinite): one test");
        _w.Line("// per example. ReportNotFiniteExample then names the cause as Forward does (NaN or infinity in x, a parameter, a layer");
        _w.Line("// that overflowed), or returns when only the sum itself overflowed.");
        _w.Open($"if (!{_t}.IsFinite({string.Join(" + ", units)}))");
        _w.Line("ReportNotFiniteExample(x, i);");
        _w.Close();
        _w.Line();
    }

    /// <summary>The fused Predict's slow path: example i again, layer by layer, each Z checked as Forward checks it.</summary>
    private void EmitReportNotFiniteExample()
    {
        _w.Line("// The fused Predict's slow path, taken only when some Z of example i is not finite: the example again, layer by");
        _w.Line("// layer over arrays of its own, each Z checked as Forward checks it, so that the exception names the cause.");
        _w.Open($"private void ReportNotFiniteExample({_readOnlySpan} x, int i)");
        _w.Line("// NaN or infinity anywhere in x first, as Forward reports it before it looks at the parameters.");
        _w.Line($"{Dnn}.Guard.Finite<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{_readOnlySpan} input = x.Slice(i * InputSize, InputSize);");
        for (int l = 1; l <= L; l++)
        {
            _w.Line($"{_t}[] layer{l} = new {_t}[{N(l)}];");
            _w.Line($"Layer{l}LinearForward(input, W{l}, b{l}, layer{l});");
            _w.Line($"{Dnn}.Guard.PreActivations<{_t}>(layer{l}, {l}, input, W{l}, b{l}, \"x\", i);");
            if (!_shape.IsOutput(l))
            {
                _w.Line($"{Dnn}.Kernels.Activations.{ActivationKernel(l)}<{_t}>(layer{l}, layer{l});");
                _w.Line($"input = layer{l};");
            }
        }

        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// Predict for one example: the batch Predict of that example alone, so the same bits, returning the probability
    /// itself when there is one output (no allocation) and a new array of OutputSize values otherwise.
    /// </summary>
    private void EmitSinglePredict()
    {
        bool one = N(L) == 1;
        _w.Line("/// <summary>");
        _w.Line(one
            ? "/// The probability of class 1 for one example: the batch Predict of that example alone, bit for bit, with no array to"
            : "/// The OutputSize probabilities for one example, in a new array: the batch Predict of that example alone, bit for bit,");
        _w.Line(one
            ? "/// make and nothing allocated."
            : "/// with no array to make.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">One example: exactly InputSize values, finite.</param>");
        _w.Line(one ? "/// <returns>AL for the example, the probability of class 1.</returns>" : "/// <returns>AL for the example, (OutputSize, 1).</returns>");
        _w.Open($"public {_t}{(one ? "" : "[]")} Predict({_readOnlySpan} x)");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(x, InputSize, \"x\", \"one example: InputSize values\");");
        if (one)
        {
            _w.Line($"{_span} probability = stackalloc {_t}[1];");
            _w.Line("Predict(x, probability);");
            _w.Line("return probability[0];");
        }
        else
        {
            _w.Line($"{_t}[] probabilities = new {_t}[OutputSize];");
            _w.Line("Predict(x, probabilities);");
            _w.Line("return probabilities;");
        }

        _w.Close();
        _w.Line();
    }

    /// <summary>Predict's two argument checks, the same whichever way it computes.</summary>
    private void EmitPredictGuards()
    {
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(probabilities, (long)m * OutputSize, \"probabilities\", \"OutputSize values for each of the m examples in x\");");
    }

    /// <summary>
    /// Predict when every layer is straight-line code and the locals stay within NetworkShape.FusedPredictMaxLocals: one
    /// loop over the examples that takes each through all the layers in locals. Each unit is the expression Layer{l}LinearForward writes, in the same order, and the
    /// activations are the scalar forms of the span ones Forward calls, so the result is Forward's A[L] bit for bit.
    /// </summary>
    private void EmitFusedPredict()
    {
        _w.Line("/// <summary>");
        _w.Line("/// Computes AL, the probability of class 1, for m examples without touching the training caches: every layer is");
        _w.Line("/// straight-line code, so each example goes through the whole network in locals, with no buffers. It only reads the");
        _w.Line("/// parameters, so many threads may predict with one network at once.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"probabilities\">Receives AL, (m, OutputSize).</param>");
        _w.Open($"public void Predict({_readOnlySpan} x, {_span} probabilities)");
        EmitPredictGuards();
        _w.Line();
        _w.Line($"// Fused: every layer has at most {I(NetworkShape.StraightLineMaxWeights)} weights, so one loop takes each example through all the layers,");
        _w.Line("// its values in locals that the JIT keeps in registers: no buffers, and no calls or checks per layer. Each unit is");
        _w.Line("// the expression its layer's Layer{l}LinearForward computes, in the same order, and relu and sigmoid are the scalar");
        _w.Line("// forms of the span activations Forward calls, so the probabilities equal Forward's AL bit for bit.");
        _w.Line($"{_readOnlySpan} w, b;");
        for (int l = 1; l <= L; l++)
        {
            int nIn = N(l - 1);
            _w.Line();
            _w.Line($"// Layer {l}'s parameters, read once: w{l}_j_k is W{l}[j, k] of W{l} ({N(l)}, {nIn}), and b{l}_j is b{l}[j].");
            _w.Line($"w = W{l};");
            _w.Line($"b = b{l};");
            EmitWeightLocals(l, $"w{l}_");
            _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, N(l)).Select(j => $"b{l}_{j} = b[{j}]"))};");
        }

        _w.Line();
        _w.Open("for (int i = 0; i < m; i++)");
        _w.Line($"// x ({N(0)}, 1): example i.");
        _w.Line($"{_readOnlySpan} example = x.Slice(i * InputSize, InputSize);");
        _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, N(0)).Select(k => $"x{k} = example[{k}]"))};");
        for (int l = 1; l <= L; l++)
        {
            int nIn = N(l - 1);
            string input = l == 1 ? "x" : $"a{l - 1}_";
            _w.Line();
            _w.Line($"// Layer {l}, {Step(l)}: Z{l} ({N(l)}, 1) = W{l} ({N(l)}, {nIn}) . {(l == 1 ? "x" : "A" + I(l - 1))} ({nIn}, 1) + b{l} ({N(l)}, 1)");
            for (int j = 0; j < N(l); j++)
            {
                _w.Line($"{_t} z{l}_{j} = {UnitPreActivation($"w{l}_{j}_", nIn, k => $"{input}{k}", $"b{l}_{j}")};");
            }

            if (_shape.IsOutput(l))
            {
                EmitFusedFiniteCheck();
                _w.Line($"//   A{l} ({N(l)}, 1) = sigmoid(Z{l}): the probabilities of example i");
                _w.Line($"{_span} output = probabilities.Slice(i * OutputSize, OutputSize);");
                for (int j = 0; j < N(l); j++)
                {
                    _w.Line($"output[{j}] = {Dnn}.Kernels.Activations.Sigmoid<{_t}>(z{l}_{j});");
                }
            }
            else
            {
                _w.Line($"//   A{l} ({N(l)}, 1) = relu(Z{l})");
                for (int j = 0; j < N(l); j++)
                {
                    _w.Line($"{_t} a{l}_{j} = {Dnn}.Kernels.Activations.Relu<{_t}>(z{l}_{j});");
                }
            }
        }

        _w.Close();
        _w.Close();
        _w.Line();
    }

    /// <summary>Predict when some layer is too wide to unroll: each layer's step in turn over buffers, a chunk of examples at a time.</summary>
    private void EmitLayeredPredict()
    {
        int widest = _shape.WidestHiddenLayer;
        int chunk = widest == 0 ? PredictMaxChunk : Math.Max(1, Math.Min(PredictMaxChunk, (1 << 16) / widest));
        long bufferLength = 2L * chunk * widest;

        _w.Line("/// <summary>");
        _w.Line("/// Computes AL, the probability of class 1, for m examples without touching the training caches: it works through");
        _w.Line($"/// the examples {chunk} at a time with buffers of its own, so many threads may predict with one network at once.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"probabilities\">Receives AL, (m, OutputSize).</param>");
        _w.Open($"public void Predict({_readOnlySpan} x, {_span} probabilities)");
        EmitPredictGuards();
        bool rented = widest > 0 && bufferLength * ElementBytes > PredictStackLimitBytes;
        if (widest > 0)
        {
            // Sized for this call's batch: one example takes 2 x n values, not the whole chunk's, so the small
            // networks' single-example latency is not spent clearing a buffer.
            _w.Line("// Hidden activations alternate between two halves of one buffer; Z and A share memory, as only A is kept.");
            _w.Line($"// Each half holds the widest hidden layer ({widest} values) for up to {chunk} examples, fewer when m is smaller.");
            _w.Line($"int half = global::System.Math.Min(m, {chunk}) * {widest};");
            _w.Line(rented
                ? $"{_t}[] rented = global::System.Buffers.ArrayPool<{_t}>.Shared.Rent(2 * half);"
                : $"{_span} buffer = stackalloc {_t}[2 * half];");
        }

        if (rented)
        {
            _w.Open("try");
            _w.Line($"{_span} buffer = rented;");
        }

        _w.Open($"for (int start = 0; start < m; start += {chunk})");
        _w.Line($"int count = global::System.Math.Min({chunk}, m - start);");
        _w.Line($"{_readOnlySpan} a0 = x.Slice(start * InputSize, count * InputSize);");
        for (int l = 1; l <= L; l++)
        {
            string destination = _shape.IsOutput(l)
                ? "probabilities.Slice(start * OutputSize, count * OutputSize)"
                : $"buffer.Slice({(l % 2 == 1 ? "0" : "half")}, count * {N(l)})";
            _w.Line($"{_span} a{l} = {destination};");
            // Each Z is checked, as Forward checks it, before the activation, which could hide a NaN or an overflow,
            // overwrites it in place: Layer{l}Forward's two steps, written apart.
            _w.Line($"Layer{l}LinearForward(a{l - 1}, W{l}, b{l}, a{l});");
            _w.Line($"{Dnn}.Guard.PreActivations<{_t}>(a{l}, {l}, a{l - 1}, W{l}, b{l}, \"x\", start);");
            _w.Line($"{Dnn}.Kernels.Activations.{ActivationKernel(l)}<{_t}>(a{l}, a{l});");
        }

        _w.Close();
        if (rented)
        {
            _w.Close();
            _w.Open("finally");
            _w.Line($"global::System.Buffers.ArrayPool<{_t}>.Shared.Return(rented);");
            _w.Close();
        }

        _w.Close();
        _w.Line();
    }

    private void EmitLabelsAndAccuracy()
    {
        _w.Line("/// <summary>The course's predict: label 1 where the probability exceeds 0.5, else 0.</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"labels\">Receives 0 or 1, (m, OutputSize).</param>");
        _w.Open($"public void PredictLabels({_readOnlySpan} x, {_span} labels)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(labels, (long)m * OutputSize, \"labels\", \"OutputSize labels for each of the m examples in x\");");
        _w.Line("Predict(x, labels);");
        _w.Open("for (int i = 0; i < labels.Length; i++)");
        _w.Line($"labels[i] = labels[i] > {Literal("0.5")} ? {Literal("1.0")} : {Literal("0.0")};");
        _w.Close();
        _w.Close();
        _w.Line();

        _w.Line("/// <summary>The fraction of labels PredictLabels gets right, as the course prints \"Accuracy\".</summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line("/// <param name=\"y\">Their true labels (0 or 1), OutputSize per example.</param>");
        _w.Open($"public double Accuracy({_readOnlySpan} x, {_readOnlySpan} y)");
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line(LabelsGuard);
        _w.Line($"{_t}[] predictions = global::System.Buffers.ArrayPool<{_t}>.Shared.Rent(y.Length);");
        _w.Line("try");
        _w.Line("{");
        _w.Line($"    {_span} labels = new {_span}(predictions, 0, y.Length);");
        _w.Line("    PredictLabels(x, labels);");
        _w.Line("    int correct = 0;");
        _w.Line("    for (int i = 0; i < labels.Length; i++)");
        _w.Line("    {");
        _w.Line("        correct += labels[i] == y[i] ? 1 : 0;");
        _w.Line("    }");
        _w.Line();
        _w.Line("    return (double)correct / labels.Length;");
        _w.Line("}");
        _w.Line("finally");
        _w.Line("{");
        _w.Line($"    global::System.Buffers.ArrayPool<{_t}>.Shared.Return(predictions);");
        _w.Line("}");
        _w.Close();
        _w.Line();
    }

    private void EmitLayer(int l)
    {
        string ro = _readOnlySpan;
        _w.Line($"// ---- Layer {l}: {Step(l)}, {N(l - 1)} -> {N(l)}; {KernelReason(l)} ----");
        _w.Line();

        // Linear forward.
        _w.Line($"/// <summary>Layer {l}'s linear step (the course's linear_forward): Z{l} = W{l} . {Input(l)} + b{l}.</summary>");
        _w.Line($"/// <param name=\"aPrev\">{Input(l)}, (m, {N(l - 1)}) example-major.</param>");
        _w.Line($"/// <param name=\"w\">W{l}, ({N(l)}, {N(l - 1)}).</param>");
        _w.Line($"/// <param name=\"b\">b{l}, ({N(l)}, 1).</param>");
        _w.Line($"/// <param name=\"z\">Receives Z{l}, (m, {N(l)}).</param>");
        _w.Open($"public static void Layer{l}LinearForward({ro} aPrev, {ro} w, {ro} b, {_span} z)");
        _w.Line($"// {LinearForwardEquation(l)}");
        if (_shape.IsStraightLine(l))
        {
            EmitStraightLineLinearForward(l);
        }
        else
        {
            _w.Line($"{Dnn}.Kernels.Dense.Forward<{_t}>(aPrev, w, b, z, {N(l - 1)}, {N(l)});");
        }

        _w.Close();
        _w.Line();

        // Forward with activation.
        _w.Line($"/// <summary>Layer {l}'s forward step (the course's linear_activation_forward with \"{Activation(l)}\").</summary>");
        _w.Line($"/// <param name=\"aPrev\">{Input(l)}, (m, {N(l - 1)}) example-major.</param>");
        _w.Line($"/// <param name=\"w\">W{l}, ({N(l)}, {N(l - 1)}).</param>");
        _w.Line($"/// <param name=\"b\">b{l}, ({N(l)}, 1).</param>");
        _w.Line($"/// <param name=\"z\">Receives Z{l}, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"a\">Receives A{l}, (m, {N(l)}); may be <paramref name=\"z\"/> itself when Z{l} need not be kept.</param>");
        _w.Open($"public static void Layer{l}Forward({ro} aPrev, {ro} w, {ro} b, {_span} z, {_span} a)");
        _w.Line($"Layer{l}LinearForward(aPrev, w, b, z);");
        _w.Line($"// {ActivationEquation(l)}");
        _w.Line($"{Dnn}.Kernels.Activations.{ActivationKernel(l)}<{_t}>(z, a);");
        _w.Close();
        _w.Line();

        // Linear backward.
        bool hasInputGradient = l > 1;
        _w.Line($"/// <summary>Layer {l}'s linear backward step (the course's linear_backward){(hasInputGradient ? "" : "; dA0 is not computed, the course discards it")}.</summary>");
        _w.Line($"/// <param name=\"dZ\">dZ{l}, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"aPrev\">{Input(l)} of the forward pass, (m, {N(l - 1)}).</param>");
        if (hasInputGradient)
        {
            _w.Line($"/// <param name=\"w\">W{l}, ({N(l)}, {N(l - 1)}).</param>");
        }

        _w.Line($"/// <param name=\"dW\">Receives dW{l}, ({N(l)}, {N(l - 1)}).</param>");
        _w.Line($"/// <param name=\"db\">Receives db{l}, ({N(l)}, 1).</param>");
        if (hasInputGradient)
        {
            _w.Line($"/// <param name=\"dAPrev\">Receives dA{l - 1}, (m, {N(l - 1)}).</param>");
            _w.Open($"public static void Layer{l}LinearBackward({ro} dZ, {ro} aPrev, {ro} w, {_span} dW, {_span} db, {_span} dAPrev)");
        }
        else
        {
            _w.Open($"public static void Layer{l}LinearBackward({ro} dZ, {ro} aPrev, {_span} dW, {_span} db)");
        }

        _w.Line($"// {WeightGradientEquation(l)}");
        if (hasInputGradient)
        {
            _w.Line($"// {InputGradientEquation(l)}");
        }

        if (_shape.IsStraightLine(l))
        {
            EmitStraightLineLinearBackward(l, hasInputGradient);
        }
        else
        {
            _w.Line($"{Dnn}.Kernels.Dense.WeightGradients<{_t}>(dZ, aPrev, dW, db, {N(l - 1)}, {N(l)});");
            if (hasInputGradient)
            {
                _w.Line($"{Dnn}.Kernels.Dense.InputGradient<{_t}>(dZ, w, dAPrev, {N(l - 1)}, {N(l)});");
            }
        }

        _w.Close();
        _w.Line();

        // Backward with activation.
        _w.Line($"/// <summary>Layer {l}'s backward step (the course's linear_activation_backward with \"{Activation(l)}\").</summary>");
        _w.Line($"/// <param name=\"dA\">dA{l}, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"z\">Z{l} of the forward pass, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"aPrev\">{Input(l)} of the forward pass, (m, {N(l - 1)}).</param>");
        if (hasInputGradient)
        {
            _w.Line($"/// <param name=\"w\">W{l}, ({N(l)}, {N(l - 1)}).</param>");
        }

        _w.Line($"/// <param name=\"dZ\">Receives dZ{l}, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"dW\">Receives dW{l}, ({N(l)}, {N(l - 1)}).</param>");
        _w.Line($"/// <param name=\"db\">Receives db{l}, ({N(l)}, 1).</param>");
        if (hasInputGradient)
        {
            _w.Line($"/// <param name=\"dAPrev\">Receives dA{l - 1}, (m, {N(l - 1)}).</param>");
            _w.Open($"public static void Layer{l}Backward({ro} dA, {ro} z, {ro} aPrev, {ro} w, {_span} dZ, {_span} dW, {_span} db, {_span} dAPrev)");
        }
        else
        {
            _w.Open($"public static void Layer{l}Backward({ro} dA, {ro} z, {ro} aPrev, {_span} dZ, {_span} dW, {_span} db)");
        }

        _w.Line($"// {ActivationBackwardEquation(l)}");
        _w.Line($"{Dnn}.Kernels.Activations.{ActivationKernel(l)}Backward<{_t}>(dA, z, dZ);");
        _w.Line(hasInputGradient
            ? $"Layer{l}LinearBackward(dZ, aPrev, w, dW, db, dAPrev);"
            : $"Layer{l}LinearBackward(dZ, aPrev, dW, db);");
        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// The argument checks of a straight-line step: m from aPrev, W's length when the step reads it, then each span's
    /// length, which is <c>Length</c> values in all or, for a per-example span, <c>Length</c> values per example.
    /// </summary>
    private void EmitShapeChecks(int l, bool weights, params (string Name, int Length, bool PerExample)[] spans)
    {
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(aPrev, {N(l - 1)}, \"aPrev\");");
        if (weights)
        {
            _w.Line($"{Dnn}.Guard.Length<{_t}>(w, {_shape.WeightCount(l)}, \"w\", \"W{l} ({N(l)}, {N(l - 1)})\");");
        }

        foreach ((string name, int length, bool perExample) in spans)
        {
            string expected = !perExample ? I(length) : length == 1 ? "m" : "(long)m * " + I(length);
            _w.Line($"{Dnn}.Guard.Length<{_t}>({name}, {expected}, \"{name}\", \"{DescribeShape(name, l)}\");");
        }
    }

    private string DescribeShape(string argument, int l) => argument switch
    {
        "b" => $"b{l} ({N(l)}, 1)",
        "db" => $"db{l} ({N(l)}, 1)",
        "dW" => $"dW{l} ({N(l)}, {N(l - 1)})",
        "dAPrev" => $"dA{l - 1} (m, {N(l - 1)}) for the m examples of aPrev",
        "z" => $"Z{l} (m, {N(l)}) for the m examples of aPrev",
        _ => $"{argument}{l} (m, {N(l)}) for the m examples of aPrev",
    };

    private void EmitStraightLineLinearForward(int l)
    {
        int nIn = N(l - 1);
        int nOut = N(l);
        EmitShapeChecks(l, weights: true, ("b", nOut, false), ("z", nOut, true));
        _w.Line();
        _w.Line($"// Straight-line code: W{l} and b{l} are read once into locals; each example then costs {_shape.WeightCount(l)} multiply-adds.");
        EmitWeightLocals(l, "w");
        _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nOut).Select(j => $"bias{j} = b[{j}]"))};");
        _w.Open("for (int i = 0; i < m; i++)");
        _w.Line($"{_readOnlySpan} input = aPrev.Slice(i * {nIn}, {nIn});");
        _w.Line($"{_span} output = z.Slice(i * {nOut}, {nOut});");
        for (int j = 0; j < nOut; j++)
        {
            _w.Line($"output[{j}] = {UnitPreActivation($"w{j}_", nIn, k => $"input[{k}]", $"bias{j}")};");
        }

        _w.Close();
    }

    private void EmitStraightLineLinearBackward(int l, bool hasInputGradient)
    {
        int nIn = N(l - 1);
        int nOut = N(l);
        var checks = new List<(string, int, bool)> { ("dZ", nOut, true), ("dW", _shape.WeightCount(l), false), ("db", nOut, false) };
        if (hasInputGradient)
        {
            checks.Add(("dAPrev", nIn, true));
        }

        EmitShapeChecks(l, weights: hasInputGradient, checks.ToArray());
        _w.Line();
        _w.Line($"// Straight-line code: the sums of dW{l} and db{l} accumulate in locals over the examples, then are scaled by 1/m.");
        if (hasInputGradient)
        {
            EmitWeightLocals(l, "w");
        }

        string zero = Literal("0.0");
        for (int j = 0; j < nOut; j++)
        {
            _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nIn).Select(k => $"dw{j}_{k} = {zero}"))};");
        }

        _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nOut).Select(j => $"dbSum{j} = {zero}"))};");
        _w.Open("for (int i = 0; i < m; i++)");
        _w.Line($"{_readOnlySpan} input = aPrev.Slice(i * {nIn}, {nIn});");
        _w.Line($"{_readOnlySpan} delta = dZ.Slice(i * {nOut}, {nOut});");
        _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nOut).Select(j => $"d{j} = delta[{j}]"))};");
        for (int j = 0; j < nOut; j++)
        {
            _w.Line(string.Join(" ", Enumerable.Range(0, nIn).Select(k => $"dw{j}_{k} += d{j} * input[{k}];")));
        }

        _w.Line(string.Join(" ", Enumerable.Range(0, nOut).Select(j => $"dbSum{j} += d{j};")));
        if (hasInputGradient)
        {
            _w.Line($"{_span} inputGradient = dAPrev.Slice(i * {nIn}, {nIn});");
            for (int k = 0; k < nIn; k++)
            {
                string sum = string.Join(" + ", Enumerable.Range(0, nOut).Select(j => $"w{j}_{k} * d{j}"));
                _w.Line($"inputGradient[{k}] = {sum};");
            }
        }

        _w.Close();
        _w.Line();
        _w.Line($"{_t} inverseM = {Literal("1.0")} / m;");
        for (int j = 0; j < nOut; j++)
        {
            _w.Line(string.Join(" ", Enumerable.Range(0, nIn).Select(k => $"dW[{j * nIn + k}] = inverseM * dw{j}_{k};")));
        }

        _w.Line(string.Join(" ", Enumerable.Range(0, nOut).Select(j => $"db[{j}] = inverseM * dbSum{j};")));
    }

    /// <summary>
    /// One line per unit j: <c>double {prefix}j_0 = w[..], {prefix}j_1 = w[..], ...;</c>, the row W[j, :] read from the
    /// span <c>w</c> into locals.
    /// </summary>
    private void EmitWeightLocals(int l, string prefix)
    {
        int nIn = N(l - 1);
        for (int j = 0; j < N(l); j++)
        {
            _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nIn).Select(k => $"{prefix}{j}_{k} = w[{j * nIn + k}]"))};");
        }
    }

    /// <summary>
    /// One unit's pre-activation, <c>w_0 * in_0 + w_1 * in_1 + ... + bias</c>, added left to right: the single order
    /// shared by a straight-line layer's LinearForward and the fused Predict, which must agree bit for bit.
    /// </summary>
    private static string UnitPreActivation(string weightPrefix, int nIn, Func<int, string> input, string bias)
        => string.Join(" + ", Enumerable.Range(0, nIn).Select(k => $"{weightPrefix}{k} * {input(k)}")) + " + " + bias;

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
