using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator;

// Predict (fused, or layer by layer), the one-example Predict, labels and accuracy.
internal sealed partial class NetworkEmitter
{
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
        EmitKindMembers();
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
                _w.Line(ActivationCall(l, $"layer{l}", $"layer{l}"));
                _w.Line($"input = layer{l};");
            }
        }

        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// Predict for one example: the batch Predict of that example alone, so the same bits, returning the output itself
    /// when there is one (no allocation) and a new array of OutputSize values otherwise.
    /// </summary>
    private void EmitSinglePredict()
    {
        bool one = N(L) == 1;
        string what = one ? LossInfo.OneOutput : $"the OutputSize {OutputActivation.OutputNoun}";
        _w.Line("/// <summary>");
        _w.Line(one
            ? $"/// {Capitalised(what)} for one example: the batch Predict of that example alone, bit for bit, with no array to"
            : $"/// {Capitalised(what)} for one example, in a new array: the batch Predict of that example alone, bit for bit,");
        _w.Line(one
            ? "/// make and nothing allocated."
            : "/// with no array to make.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">One example: exactly InputSize values, finite.</param>");
        _w.Line(one ? $"/// <returns>AL for the example, {what}.</returns>" : "/// <returns>AL for the example, (OutputSize, 1).</returns>");
        _w.Open($"public {_t}{(one ? "" : "[]")} Predict({_readOnlySpan} x)");
        _w.Line($"{Dnn}.Guard.Length<{_t}>(x, InputSize, \"x\", \"one example: InputSize values\");");
        if (one)
        {
            string single = LossInfo.OutputName;
            _w.Line($"{_span} {single} = stackalloc {_t}[1];");
            _w.Line($"Predict(x, {single});");
            _w.Line($"return {single}[0];");
        }
        else
        {
            _w.Line($"{_t}[] {Outputs} = new {_t}[OutputSize];");
            _w.Line($"Predict(x, {Outputs});");
            _w.Line($"return {Outputs};");
        }

        _w.Close();
        _w.Line();
    }

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

    /// <summary>Predict's two argument checks, the same whichever way it computes.</summary>
    private void EmitPredictGuards()
    {
        _w.Line($"int m = {Dnn}.Guard.ExampleCount<{_t}>(x, InputSize, \"x\");");
        _w.Line($"{Dnn}.Guard.Length<{_t}>({Outputs}, (long)m * OutputSize, \"{Outputs}\", \"OutputSize values for each of the m examples in x\");");
    }

    /// <summary>
    /// Predict when every layer is straight-line code and the locals stay within NetworkShape.FusedPredictMaxLocals: one
    /// loop over the examples that takes each through all the layers in locals. Each unit is the expression Layer{l}LinearForward writes, in the same order, and the
    /// activations are the scalar forms of the span ones Forward calls, so the result is Forward's A[L] bit for bit.
    /// </summary>
    private void EmitFusedPredict()
    {
        _w.Line("/// <summary>");
        if (_model.IsBaked)
        {
            _w.Line($"/// Computes AL, {OutputActivation.OutputMeaning}, for m examples: every layer is straight-line code with its baked");
            _w.Line("/// weights as literals, so each example goes through the whole network in locals, with no buffers. It reads nothing");
            _w.Line("/// but x, so many threads may predict at once.");
        }
        else
        {
            _w.Line($"/// Computes AL, {OutputActivation.OutputMeaning}, for m examples without touching the training caches: every layer is");
            _w.Line("/// straight-line code, so each example goes through the whole network in locals, with no buffers. It only reads the");
            _w.Line("/// parameters, so many threads may predict with one network at once.");
        }

        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line($"/// <param name=\"{Outputs}\">Receives AL, (m, OutputSize).</param>");
        _w.Open($"public void Predict({_readOnlySpan} x, {_span} {Outputs})");
        EmitPredictGuards();
        _w.Line();
        _w.Line($"// Fused: every layer has at most {I(NetworkShape.StraightLineMaxWeights)} weights, so one loop takes each example through all the layers,");
        _w.Line("// its values in locals that the JIT keeps in registers: no buffers, and no calls or checks per layer. Each unit is");
        EmitFusedActivationsNote();
        if (!_model.IsBaked)
        {
            _w.Line($"{_readOnlySpan} w, b;");
        }

        for (int l = 1; l <= L; l++)
        {
            int nIn = N(l - 1);
            _w.Line();
            if (_model.IsBaked)
            {
                // The baked weights as literals: the values W{l} and b{l} view, every bit of them, so the same arithmetic.
                _w.Line($"// Layer {l}'s parameters, baked in: w{l}_j_k is W{l}[j, k] of W{l} ({N(l)}, {nIn}), and b{l}_j is b{l}[j].");
                int offset = _shape.WeightOffset(l);
                for (int j = 0; j < N(l); j++)
                {
                    _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nIn).Select(k => $"w{l}_{j}_{k} = {BakedLiteral(offset + j * nIn + k)}"))};");
                }

                int bias = _shape.BiasOffset(l);
                _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, N(l)).Select(j => $"b{l}_{j} = {BakedLiteral(bias + j)}"))};");
                continue;
            }

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
                _w.Line($"//   A{l} ({N(l)}, 1) = {Fill(Act(l).ForwardFormula, l)}: the {Act(l).OutputNoun} of example i");
                _w.Line($"{_span} output = {Outputs}.Slice(i * OutputSize, OutputSize);");
                if (Act(l).ElementWise)
                {
                    for (int j = 0; j < N(l); j++)
                    {
                        _w.Line($"output[{j}] = {ScalarActivation(l, $"z{l}_{j}")};");
                    }
                }
                else
                {
                    // Not element-wise (softmax): the example's Z goes into its row of the output, and Forward's own span
                    // kernel turns the row into A in place, the same operations in the same order, so the same bits.
                    _w.Line($"// {ActivationName(l)} is not element-wise: Z{l} goes into the example's row, and the span kernel Forward calls");
                    _w.Line("// turns the row into A in place, the same operations in the same order as in Forward.");
                    for (int j = 0; j < N(l); j++)
                    {
                        _w.Line($"output[{j}] = z{l}_{j};");
                    }

                    _w.Line(ActivationCall(l, "output", "output"));
                }
            }
            else
            {
                _w.Line($"//   A{l} ({N(l)}, 1) = {Fill(Act(l).ForwardFormula, l)}");
                for (int j = 0; j < N(l); j++)
                {
                    _w.Line($"{_t} a{l}_{j} = {ScalarActivation(l, $"z{l}_{j}")};");
                }
            }
        }

        _w.Close();
        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// The fused Predict's note on its activations: the element-wise ones are the scalar forms of the span kernels
    /// Forward calls, and a softmax output runs Forward's own kernel on the example's row.
    /// </summary>
    private void EmitFusedActivationsNote()
    {
        var names = new List<string>();
        bool rowKernel = false;
        for (int l = 1; l <= L; l++)
        {
            if (!Act(l).ElementWise)
            {
                rowKernel = true;
            }
            else if (!names.Contains(Act(l).Name))
            {
                names.Add(Act(l).Name);
            }
        }

        string list = names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[names.Count - 1];
        string plural = names.Count == 1 ? string.Empty : "s";
        string softmax = rowKernel ? " (softmax runs Forward's own span kernel on the example's row)" : string.Empty;
        _w.Line($"// the expression its layer's Layer{{l}}LinearForward computes, in the same order, and {list} {(names.Count == 1 ? "is" : "are")} the scalar");
        _w.Line(_model.IsBaked
            ? $"// form{plural} of the span activation{plural} Forward calls{softmax}, so the {OutputActivation.OutputNoun} equal the AL of a trainable network with these weights, bit for bit."
            : $"// form{plural} of the span activation{plural} Forward calls{softmax}, so the {OutputActivation.OutputNoun} equal Forward's AL bit for bit.");
    }

    /// <summary>Predict when some layer is too wide to unroll: each layer's step in turn over buffers, a chunk of examples at a time.</summary>
    private void EmitLayeredPredict()
    {
        int widest = _shape.WidestHiddenLayer;
        int chunk = widest == 0 ? PredictMaxChunk : Math.Max(1, Math.Min(PredictMaxChunk, (1 << 16) / widest));
        long bufferLength = 2L * chunk * widest;

        _w.Line("/// <summary>");
        _w.Line(_model.IsBaked
            ? $"/// Computes AL, {OutputActivation.OutputMeaning}, for m examples from the baked weights: it works through"
            : $"/// Computes AL, {OutputActivation.OutputMeaning}, for m examples without touching the training caches: it works through");
        _w.Line($"/// the examples {chunk} at a time with buffers of its own, so many threads may predict with one network at once.");
        _w.Line("/// </summary>");
        _w.Line("/// <param name=\"x\">m examples, example-major.</param>");
        _w.Line($"/// <param name=\"{Outputs}\">Receives AL, (m, OutputSize).</param>");
        _w.Open($"public void Predict({_readOnlySpan} x, {_span} {Outputs})");
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
                ? $"{Outputs}.Slice(start * OutputSize, count * OutputSize)"
                : $"buffer.Slice({(l % 2 == 1 ? "0" : "half")}, count * {N(l)})";
            _w.Line($"{_span} a{l} = {destination};");
            // Each Z is checked, as Forward checks it, before the activation, which could hide a NaN or an overflow,
            // overwrites it in place: Layer{l}Forward's two steps, written apart.
            _w.Line(_model.IsBaked && _shape.IsStraightLine(l)
                ? $"Layer{l}BakedLinearForward(a{l - 1}, a{l});"
                : $"Layer{l}LinearForward(a{l - 1}, W{l}, b{l}, a{l});");
            _w.Line($"{Dnn}.Guard.PreActivations<{_t}>(a{l}, {l}, a{l - 1}, W{l}, b{l}, \"x\", start);");
            _w.Line(ActivationCall(l, $"a{l}", $"a{l}"));
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
}
