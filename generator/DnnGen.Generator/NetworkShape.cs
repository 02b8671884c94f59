using System;
using System.Collections.Generic;

namespace DnnGen.Generator;

/// <summary>
/// Everything derived from the layer sizes that both the parser and the emitter need: parameter offsets,
/// workspace blocks, which layers are unrolled, and the names of the generated members.
/// </summary>
internal sealed class NetworkShape
{
    /// <summary>
    /// A layer whose weight matrix has at most this many entries is emitted as straight-line arithmetic (weights in
    /// locals, one expression per unit); wider layers call the vectorised kernels in DnnGen.Kernels.Dense.
    /// </summary>
    public const int StraightLineMaxWeights = 64;

    /// <summary>
    /// DnnGen.Kernels.Dense.ParallelWorkThreshold: the multiply-adds from which the kernels use several cores, quoted
    /// in the generated comments (a test keeps the two equal; the generator cannot reference the runtime library).
    /// </summary>
    public const long ParallelWorkThreshold = 1L << 16;

    /// <summary>The fewest examples for which layer <paramref name="layer"/>'s kernels share their work with other cores.</summary>
    public long ParallelFromExamples(int layer)
    {
        long weights = (long)Sizes[layer] * Sizes[layer - 1];
        return Math.Max(1, (ParallelWorkThreshold + weights - 1) / weights);
    }

    /// <summary>Array.MaxLength: the most elements a .NET array can hold.</summary>
    public const long MaxArrayLength = 0x7FFFFFC7;

    /// <summary>
    /// DnnGen.AlignedBuffer&lt;T&gt;.Alignment: the byte boundary the parameter and gradient buffers start on. To find it,
    /// a buffer allocates Alignment / sizeof(T) elements more than it holds (a test keeps the two equal).
    /// </summary>
    public const int AlignedBufferAlignment = 64;

    /// <summary>
    /// The most parameters a network of <paramref name="precision"/> can have: the length of the largest
    /// DnnGen.AlignedBuffer&lt;T&gt;, Array.MaxLength less the padding, 8 doubles (2,147,483,583) or 16 floats
    /// (2,147,483,575). The buffer's constructor refuses one element more, so DNNG0004 reports exactly what would throw.
    /// </summary>
    public static long MaxParameterCount(Precision precision)
        => MaxArrayLength - AlignedBufferAlignment / (precision == Precision.Single ? 4 : 8);

    /// <summary>
    /// The most locals the fused Predict may hold: weights, biases, the example's inputs, and each unit's z and a (every
    /// other method's locals are bounded by <see cref="StraightLineMaxWeights"/>). C# allows 65,534 locals in a method
    /// (CS0204), but the fusion is only worth it while its values can live in registers: the JIT tracks at most 1,024
    /// locals of a method for register allocation (its JitMaxLocalsToTrack), and keeps the rest on the stack. A deeper
    /// all-straight-line network gets the layer-by-layer Predict, which calls each layer's LinearForward in turn.
    /// </summary>
    public const int FusedPredictMaxLocals = 1024;

    public NetworkShape(EquatableArray<int> sizes)
    {
        Sizes = sizes;
        LayerCount = sizes.Count - 1;
        long total = 0;
        for (int l = 1; l <= LayerCount && total <= MaxArrayLength; l++)
        {
            total += (long)sizes[l] * sizes[l - 1] + sizes[l];
        }

        ParameterCount = total;
    }

    public EquatableArray<int> Sizes { get; }

    /// <summary>L: the layers with parameters (the sizes less the input).</summary>
    public int LayerCount { get; }

    /// <summary>Sum of n[l] * (n[l-1] + 1); past <see cref="MaxArrayLength"/> it stops counting.</summary>
    public long ParameterCount { get; }

    public int InputSize => Sizes[0];

    public int OutputSize => Sizes[LayerCount];

    public int WeightCount(int layer) => Sizes[layer] * Sizes[layer - 1];

    public bool IsStraightLine(int layer) => (long)Sizes[layer] * Sizes[layer - 1] <= StraightLineMaxWeights;

    /// <summary>
    /// Whether Train(x, y, iterations, learningRate) can train layer 1 in the span of the data (DnnGen.Kernels.DataSpan): in
    /// double, where layer 1 uses the kernels on at least <see cref="DataSpanMinimumInputs"/> inputs. Not in float: G's
    /// 12288-term sums and the cancellation in C . G lose too much in 24 bits (the cat application's costs drifted 17% from
    /// the direct float path's over 2500 iterations).
    /// </summary>
    public bool TrainsInSpan(Precision precision)
        => precision == Precision.Double && !IsStraightLine(1) && Sizes[0] >= DataSpanMinimumInputs;

    /// <summary>Below this many inputs layer 1 is cheap beside the rest of an iteration, and the span could pay only for a handful of examples.</summary>
    public const int DataSpanMinimumInputs = 512;

    /// <summary>Every layer is straight-line code, so Predict can take each example through the whole network in locals.</summary>
    public bool IsAllStraightLine
    {
        get
        {
            for (int l = 1; l <= LayerCount; l++)
            {
                if (!IsStraightLine(l))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// The locals a fused Predict declares: the weights and biases of every layer, the n[0] inputs, z for every unit,
    /// a for every hidden unit, and six more (m, w, b, i, example, output).
    /// </summary>
    public long FusedPredictLocals
    {
        get
        {
            long locals = 6 + (long)Sizes[0];
            for (int l = 1; l <= LayerCount; l++)
            {
                locals += (long)Sizes[l] * Sizes[l - 1] + Sizes[l] + Sizes[l] + (IsOutput(l) ? 0 : Sizes[l]);
            }

            return locals;
        }
    }

    /// <summary>
    /// Predict is one fused loop when every layer is straight-line code and its locals stay within
    /// <see cref="FusedPredictMaxLocals"/>; otherwise it goes layer by layer over buffers.
    /// </summary>
    public bool IsFusedPredict => IsAllStraightLine && FusedPredictLocals <= FusedPredictMaxLocals;

    public bool IsOutput(int layer) => layer == LayerCount;

    /// <summary>Start of W[l] in the parameter (and gradient) buffer: W1, b1, W2, b2, ... back to back.</summary>
    public int WeightOffset(int layer)
    {
        int offset = 0;
        for (int l = 1; l < layer; l++)
        {
            offset += WeightCount(l) + Sizes[l];
        }

        return offset;
    }

    public int BiasOffset(int layer) => WeightOffset(layer) + WeightCount(layer);

    /// <summary>The widest hidden layer, which sizes the buffers Predict uses; 0 when there is none.</summary>
    public int WidestHiddenLayer
    {
        get
        {
            int widest = 0;
            for (int l = 1; l < LayerCount; l++)
            {
                widest = System.Math.Max(widest, Sizes[l]);
            }

            return widest;
        }
    }

    /// <summary>
    /// The training workspace holds, per example, blocks Z[l], A[l], dZ[l] for every layer and dA[l] for the hidden
    /// ones (dA[L] is never formed: Backward starts from dZ[L] = A[L] - Y). Returns each block's column start.
    /// </summary>
    public IReadOnlyList<WorkspaceBlock> WorkspaceBlocks
    {
        get
        {
            var blocks = new List<WorkspaceBlock>();
            int start = 0;
            for (int l = 1; l <= LayerCount; l++)
            {
                foreach (string kind in IsOutput(l) ? new[] { "z", "a", "dZ" } : new[] { "z", "a", "dZ", "dA" })
                {
                    blocks.Add(new WorkspaceBlock(kind + l.ToString(System.Globalization.CultureInfo.InvariantCulture), l, start));
                    start += Sizes[l];
                }
            }

            return blocks;
        }
    }

    /// <summary>Values the workspace holds per example: the sum of the block widths.</summary>
    public long WorkspaceWidth
    {
        get
        {
            long width = 0;
            for (int l = 1; l <= LayerCount; l++)
            {
                width += (long)Sizes[l] * (IsOutput(l) ? 3 : 4);
            }

            return width;
        }
    }

    /// <summary>
    /// Every member name the generated part of a baked network (Weights) with labels of form <paramref name="labels"/>
    /// declares: the inference members only.
    /// </summary>
    public IEnumerable<string> BakedMemberNames(LabelForm labels)
    {
        foreach (string name in new[]
        {
            "InputSize", "OutputSize", "LayerCount", "LayerSizes", "s_layerSizes", "Activations", "s_activations", "Loss", "LeakyReluSlope", "ParameterCount", "Parameters",
            "ParameterData", "Predict",
        })
        {
            yield return name;
        }

        for (int l = 1; l <= LayerCount; l++)
        {
            string n = l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return "W" + n;
            yield return "b" + n;
            yield return "Layer" + n + "Size";
            yield return "Layer" + n + "LinearForward";
            yield return "Layer" + n + "Forward";
            yield return "Layer" + n + "BakedLinearForward";
        }

        string[] kind = labels switch
        {
            LabelForm.Binary => new[] { "PredictLabels", "Accuracy" },
            LabelForm.OneHot => new[] { "PredictClasses", "PredictClass", "Accuracy" },
            _ => Array.Empty<string>(),
        };
        foreach (string name in kind)
        {
            yield return name;
        }

        if (IsFusedPredict)
        {
            yield return "ReportNotFiniteExample";
        }
    }

    /// <summary>
    /// Every member name the generated part of a network with labels of form <paramref name="labels"/> declares; a user
    /// member with one of these names is DNNG0007.
    /// </summary>
    public IEnumerable<string> GeneratedMemberNames(LabelForm labels, Optimizer optimizer = Optimizer.GradientDescent, Precision precision = Precision.Double)
    {
        if (TrainsInSpan(precision))
        {
            foreach (string name in new[] { "_dataSpan", "TrainLoop", "UpdateInSpan", "RestoreAfterWeights1", "_rollbackInSpan" })
            {
                yield return name;
            }

            if (optimizer != Optimizer.Adam)
            {
                // Train(x, y, options) in the span of the data.
                yield return "TrainEpochs";
                yield return "ApplyOptimizerInSpan";
            }
        }

        foreach (string name in new[]
        {
            "InputSize", "OutputSize", "LayerCount", "LayerSizes", "s_layerSizes", "Activations", "s_activations", "Loss", "LeakyReluSlope", "ParameterCount", "Parameters", "Gradients",
            "InitializeParameters", "Forward", "ComputeCost", "Backward", "UpdateParameters", "TrainStep", "Train",
            "Predict",
            "_parameters", "_gradients", "_snapshot", "_workspace", "_workspaceCapacity", "_batchSize", "PrepareWorkspace", "RequireForward",
            "WorkspaceBlock", "BackwardCore", "TrainIteration",
            "CreateParameters", "DrawParameters", "_gradientsInvalid", "_rollbackRate", "_rollbackCost", "RollBack",
        })
        {
            yield return name;
        }

        for (int l = 1; l <= LayerCount; l++)
        {
            string n = l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (string prefix in new[] { "W", "b", "dW", "db", "Z", "A" })
            {
                yield return prefix + n;
            }

            yield return "Layer" + n + "Size";
            yield return "Layer" + n + "LinearForward";
            yield return "Layer" + n + "Forward";
            yield return "Layer" + n + "LinearBackward";
            yield return "Layer" + n + "Backward";
        }

        foreach (WorkspaceBlock block in WorkspaceBlocks)
        {
            yield return block.Name;
        }

        foreach (string name in NetworkEmitter.TrainingMemberNames(LayerCount, optimizer))
        {
            yield return name;
        }

        // The members of the network's kind (NetworkEmitter.EmitKindMembers).
        string[] kind = labels switch
        {
            LabelForm.Binary => new[] { "PredictLabels", "Accuracy" },
            LabelForm.OneHot => new[] { "PredictClasses", "PredictClass", "Accuracy", "OneHot", "_oneHot" },
            _ => Array.Empty<string>(),
        };
        foreach (string name in kind)
        {
            yield return name;
        }

        if (IsFusedPredict)
        {
            // The fused Predict's slow path (NetworkEmitter.EmitReportNotFiniteExample).
            yield return "ReportNotFiniteExample";
        }
    }
}

/// <summary>One per-example block of the training workspace, such as z2 (Z[2]) starting at column 20.</summary>
internal readonly struct WorkspaceBlock
{
    public WorkspaceBlock(string name, int layer, int start)
    {
        Name = name;
        Layer = layer;
        Start = start;
    }

    public string Name { get; }

    public int Layer { get; }

    public int Start { get; }
}
