using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace DnnGen.Generator;

// Each layer's static steps: linear forward and backward, with and without the activation, straight-line or kernel.
internal sealed partial class NetworkEmitter
{
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
        _w.Line($"/// <summary>Layer {l}'s forward step (the course's linear_activation_forward with \"{ActivationName(l)}\").</summary>");
        _w.Line($"/// <param name=\"aPrev\">{Input(l)}, (m, {N(l - 1)}) example-major.</param>");
        _w.Line($"/// <param name=\"w\">W{l}, ({N(l)}, {N(l - 1)}).</param>");
        _w.Line($"/// <param name=\"b\">b{l}, ({N(l)}, 1).</param>");
        _w.Line($"/// <param name=\"z\">Receives Z{l}, (m, {N(l)}).</param>");
        _w.Line($"/// <param name=\"a\">Receives A{l}, (m, {N(l)}); may be <paramref name=\"z\"/> itself when Z{l} need not be kept.</param>");
        _w.Open($"public static void Layer{l}Forward({ro} aPrev, {ro} w, {ro} b, {_span} z, {_span} a)");
        _w.Line($"Layer{l}LinearForward(aPrev, w, b, z);");
        _w.Line($"// {ActivationEquation(l)}");
        _w.Line(ActivationCall(l, "z", "a"));
        _w.Close();
        _w.Line();

        if (_model.IsBaked)
        {
            // Inference only: no backward steps; a straight-line layer also gets its step with the baked weights as literals.
            if (_shape.IsStraightLine(l) && !_shape.IsFusedPredict)
            {
                EmitBakedStraightLineLinearForward(l);
            }

            return;
        }

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
        _w.Line($"/// <summary>Layer {l}'s backward step (the course's linear_activation_backward with \"{ActivationName(l)}\").</summary>");
        _w.Line($"/// <param name=\"dA\">dA{l}, (m, {N(l)}).</param>");
        (string cacheName, string cacheParameter) = BackwardCache(l);
        if (cacheName.Length > 0)
        {
            _w.Line($"/// <param name=\"{cacheName}\">{cacheName.ToUpperInvariant()}{l} of the forward pass, (m, {N(l)}).</param>");
        }

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
            _w.Open($"public static void Layer{l}Backward({ro} dA, {cacheParameter}{ro} aPrev, {ro} w, {_span} dZ, {_span} dW, {_span} db, {_span} dAPrev)");
        }
        else
        {
            _w.Open($"public static void Layer{l}Backward({ro} dA, {cacheParameter}{ro} aPrev, {_span} dZ, {_span} dW, {_span} db)");
        }

        _w.Line($"// {ActivationBackwardEquation(l)}");
        _w.Line(ActivationBackwardCall(l, "dA", "z", "a", "dZ"));
        _w.Line(hasInputGradient
            ? $"Layer{l}LinearBackward(dZ, aPrev, w, dW, db, dAPrev);"
            : $"Layer{l}LinearBackward(dZ, aPrev, dW, db);");
        _w.Close();
        _w.Line();
    }

    /// <summary>
    /// The forward cache layer <paramref name="layer"/>'s backward step reads besides dA, as its activation's kernel
    /// needs it: z (Z[l]), a (A[l]) or nothing; with its parameter declaration, such as <c>ReadOnlySpan&lt;double&gt; z, </c>.
    /// </summary>
    private (string Name, string Parameter) BackwardCache(int layer)
    {
        string name = Act(layer).BackwardInput switch
        {
            BackwardInput.PreActivation => "z",
            BackwardInput.Output => "a",
            _ => string.Empty,
        };
        return (name, name.Length == 0 ? string.Empty : $"{_readOnlySpan} {name}, ");
    }

    /// <summary>The workspace block of layer <paramref name="layer"/>'s backward cache, with a comma: <c>z2, </c>, <c>a2, </c> or nothing.</summary>
    private string BackwardCacheArgument(int layer)
    {
        string name = BackwardCache(layer).Name;
        return name.Length == 0 ? string.Empty : name + I(layer) + ", ";
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

    /// <summary>
    /// A baked network's straight-line layer l for the layer-by-layer Predict: Layer{l}LinearForward with W{l} and b{l}
    /// as literals, the same expression per unit in the same order, so the same bits.
    /// </summary>
    private void EmitBakedStraightLineLinearForward(int l)
    {
        int nIn = N(l - 1);
        int nOut = N(l);
        _w.Line($"// Layer{l}LinearForward with the baked W{l} and b{l} as literals, for Predict: the same sums in the same order.");
        _w.Open($"private static void Layer{l}BakedLinearForward({_readOnlySpan} aPrev, {_span} z)");
        _w.Line($"int m = aPrev.Length / {nIn};");
        int offset = _shape.WeightOffset(l);
        for (int j = 0; j < nOut; j++)
        {
            _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nIn).Select(k => $"w{j}_{k} = {BakedLiteral(offset + j * nIn + k)}"))};");
        }

        int biasOffset = _shape.BiasOffset(l);
        _w.Line($"{_t} {string.Join(", ", Enumerable.Range(0, nOut).Select(j => $"bias{j} = {BakedLiteral(biasOffset + j)}"))};");
        _w.Open("for (int i = 0; i < m; i++)");
        _w.Line($"{_readOnlySpan} input = aPrev.Slice(i * {nIn}, {nIn});");
        _w.Line($"{_span} output = z.Slice(i * {nOut}, {nOut});");
        for (int j = 0; j < nOut; j++)
        {
            _w.Line($"output[{j}] = {UnitPreActivation($"w{j}_", nIn, k => $"input[{k}]", $"bias{j}")};");
        }

        _w.Close();
        _w.Close();
        _w.Line();
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
}
