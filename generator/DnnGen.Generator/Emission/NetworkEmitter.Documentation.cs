using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator;

// The text of the generated code: the class summary and the equations quoted above each step.
internal sealed partial class NetworkEmitter
{
    // ---- equations, in the course's shapes, used in comments above each step ----

    private string LinearForwardEquation(int l)
        => $"Z{l} ({N(l)}, m) = W{l} ({N(l)}, {N(l - 1)}) . {Input(l)} ({N(l - 1)}, m) + b{l} ({N(l)}, 1)";

    private string ActivationEquation(int l) => $"A{l} ({N(l)}, m) = {Fill(Act(l).ForwardFormula, l)}";

    private string WeightGradientEquation(int l)
        => $"dW{l} ({N(l)}, {N(l - 1)}) = (1/m) dZ{l} ({N(l)}, m) . {Input(l)}^T (m, {N(l - 1)});  db{l} ({N(l)}, 1) = (1/m) sum over m of dZ{l}";

    private string InputGradientEquation(int l)
        => $"dA{l - 1} ({N(l - 1)}, m) = W{l}^T ({N(l - 1)}, {N(l)}) . dZ{l} ({N(l)}, m)";

    private string ActivationBackwardEquation(int l) => $"dZ{l} ({N(l)}, m) = {Fill(Act(l).BackwardFormula, l)}";

    /// <summary>
    /// The layers in the course's notation, such as <c>[LINEAR -&gt; RELU] x 3 -&gt; LINEAR -&gt; SIGMOID</c>: the hidden
    /// layers bracketed when they share one activation, else each layer in turn; a one-layer network is named.
    /// </summary>
    private string Stack()
    {
        string output = Step(L).Replace("->", "-&gt;");
        if (L == 1)
        {
            string? named = OutputActivation.Kind == LossInfo.NaturalOutput ? LossInfo.OneLayerName : null;
            return named is null ? output : $"{output} ({named})";
        }

        if (HiddenLayersShareActivation && L > 2)
        {
            return $"[{Step(1).Replace("->", "-&gt;")}] x {L - 1} -&gt; {output}";
        }

        var steps = new List<string>();
        for (int l = 1; l <= L; l++)
        {
            steps.Add(Step(l).Replace("->", "-&gt;"));
        }

        return string.Join(" -&gt; ", steps);
    }

    /// <summary>
    /// The attribute as one would write it for this network: the sizes, then only the options that differ from their
    /// defaults (a per-layer Activations list only when the hidden layers differ), such as
    /// <c>Network(2, 4, 1, HiddenActivation = Activation.Tanh)</c>.
    /// </summary>
    private string AttributeText
    {
        get
        {
            if (_model.FromOnnx)
            {
                return "NetworkFromOnnx(" + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(_model.Weights ?? string.Empty, quote: true) + ")";
            }

            var parts = new List<string>();
            foreach (int size in _model.LayerSizes)
            {
                parts.Add(I(size));
            }

            if (!HiddenLayersShareActivation)
            {
                var all = new List<string>();
                for (int l = 1; l <= L; l++)
                {
                    all.Add(Act(l).SourceName);
                }

                parts.Add("Activations = new[] { " + string.Join(", ", all) + " }");
            }
            else
            {
                if (L > 1 && Act(1).Kind != Activation.Relu)
                {
                    parts.Add("HiddenActivation = " + Act(1).SourceName);
                }

                if (OutputActivation.Kind != Activation.Sigmoid)
                {
                    parts.Add("OutputActivation = " + OutputActivation.SourceName);
                }
            }

            if (LossInfo.Kind != OutputActivation.DefaultLoss)
            {
                parts.Add("Loss = " + LossInfo.SourceName);
            }

            // The parser keeps a slope only where a layer uses it, so any other slope is one the attribute gave.
            if (_model.LeakyReluSlope != NetworkModel.DefaultLeakyReluSlope)
            {
                parts.Add("LeakyReluSlope = " + _model.LeakyReluSlope.ToString("R", CultureInfo.InvariantCulture));
            }

            if (_model.DefaultInitialization != Initialization.NormalOverSqrtFanIn)
            {
                parts.Add("Initialization = Initialization." + _model.DefaultInitialization);
            }

            if (_model.Precision != Precision.Double)
            {
                parts.Add("Precision = Precision." + _model.Precision);
            }

            if (_model.Optimizer != Optimizer.GradientDescent)
            {
                parts.Add("Optimizer = Optimizer." + _model.Optimizer);
            }

            if (_model.Weights is not null)
            {
                parts.Add("Weights = " + Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(_model.Weights, quote: true));
            }

            return "Network(" + string.Join(", ", parts) + ")";
        }
    }

    /// <summary>True when every hidden layer has layer 1's activation (so too when there are none or one).</summary>
    private bool HiddenLayersShareActivation
    {
        get
        {
            for (int l = 2; l < L; l++)
            {
                if (Act(l).Kind != Act(1).Kind)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>True when some layer's activation takes the attribute's LeakyReluSlope.</summary>
    private bool UsesLeakyRelu => Activations.AnyTakesSlope(_model.Layers.Select(layer => layer.Activation));

    private string KernelReason(int l) => _shape.IsStraightLine(l)
        ? $"straight-line code ({_shape.WeightCount(l)} weights, at most {NetworkShape.StraightLineMaxWeights}, held in locals)"
        : _model.IsBaked
            ? $"DnnGen.Kernels.Dense ({_shape.WeightCount(l)} weights: too many to unroll, so register-blocked vector kernels over the baked data; Z{l} {ParallelFrom(l)})"
            : $"DnnGen.Kernels.Dense ({_shape.WeightCount(l)} weights: too many to unroll, so register-blocked vector kernels; {ParallelKernels(l)} {ParallelFrom(l)})";

    // The products the kernels share with the workers: the forward, the weight gradient and, past layer 1, dA[l-1].
    private static string ParallelKernels(int l) => l == 1 ? "Z1 and dW1" : $"Z{l}, dW{l} and dA{l - 1}";

    private string ParallelFrom(int l)
    {
        long examples = _shape.ParallelFromExamples(l);
        return examples == 1
            ? "on all cores even for one example"
            : $"on all cores from {examples.ToString(CultureInfo.InvariantCulture)} examples on";
    }

    private void EmitClassSummary()
    {
        _w.Line("/// <summary>");
        _w.Line($"/// A fully unrolled network of L = {L} layers generated by DnnGen from <c>[{AttributeText}]</c>:");
        _w.Line($"/// {Stack()}, {LossInfo.Name} cost, {OptimizerName}, in <see cref=\"{_t}\"/>.");
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
        string classes = LossInfo.Labels == LabelForm.OneHot ? ", or as class indices, one int per example" : string.Empty;
        string cost = $"/// <para>The cost: {LossInfo.Equation}, the {LossInfo.Name}; y holds {LossInfo.LabelText}, OutputSize per example{classes}.";
        if (UsesLeakyRelu)
        {
            _w.Line(cost);
            _w.Line($"/// leaky_relu(z) is z for z &gt; 0, else {_model.LeakyReluSlope.ToString("R", CultureInfo.InvariantCulture)} z (the attribute's LeakyReluSlope).</para>");
        }
        else
        {
            _w.Line(cost + "</para>");
        }

        _w.Line($"/// <para>{Thousands(_shape.ParameterCount)} parameters ({Thousands(_shape.ParameterCount * ElementBytes)} bytes) and as many gradients, each in one contiguous buffer.");
        _w.Line("/// Training is single-owner: one thread at a time may call Forward, Backward, UpdateParameters, TrainStep or Train.");
        string readers = LossInfo.Labels switch
        {
            LabelForm.Binary => "Predict, PredictLabels and Accuracy only read",
            LabelForm.OneHot => "Predict, PredictClasses, PredictClass and Accuracy only read",
            _ => "Predict only reads",
        };
        _w.Line($"/// {readers} the parameters and may run on many threads at once.</para>");
        _w.Line("/// <para>A new network starts initialised: its parameters are those <c>InitializeParameters(seed: 1)</c> draws with the attribute's");
        _w.Line($"/// <see cref=\"{Dnn}.Initialization.{_model.DefaultInitialization}\"/>, the course's seed, in every constructor (the buffer's field initialiser draws them).");
        _w.Line("/// Call InitializeParameters or LoadNpz to start from other parameters.</para>");
        _w.Line("/// </remarks>");
    }
}
