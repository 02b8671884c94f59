using System.Collections.Generic;

namespace DnnGen.Generator;

/// <summary>How a loss's labels are checked, and which forms the generated methods accept.</summary>
internal enum LabelForm
{
    /// <summary>0 or 1 for every output (DnnGen.Guard.Labels).</summary>
    Binary,

    /// <summary>One-hot rows, one 1 and zeros per example (DnnGen.Guard.OneHotLabels); also class indices.</summary>
    OneHot,

    /// <summary>Any finite value (DnnGen.Guard.Finite).</summary>
    Finite,
}

/// <summary>
/// One loss's facts: its cost and delta kernels in DnnGen.Kernels.Cost, its labels and its equations. The delta kernel
/// computes dZ[L] = A[L] - Y for the loss's natural output, where the loss's gradient and the activation's backward
/// collapse into one subtraction.
/// </summary>
internal sealed class LossEntry
{
    public LossEntry(
        Loss kind,
        string name,
        Activation naturalOutput,
        string costKernel,
        bool costFromLogits,
        string deltaKernel,
        bool deltaTakesUnits,
        LabelForm labels,
        string equation,
        string costRemark,
        string labelText,
        string? literalCostKernel,
        string outputGradient,
        string[] costSummary,
        string[] deltaExplanation,
        System.Func<ActivationEntry, bool> fits,
        string requirement,
        string interfaceName,
        string outputsName,
        string outputName,
        string oneOutput,
        string oneLayerName,
        bool deltaIsOutputGradient = false)
    {
        OneLayerName = oneLayerName;
        InterfaceName = interfaceName;
        OutputsName = outputsName;
        OutputName = outputName;
        OneOutput = oneOutput;
        Fits = fits;
        Requirement = requirement;
        CostSummary = costSummary;
        DeltaExplanation = deltaExplanation;
        DeltaIsOutputGradient = deltaIsOutputGradient;
        Kind = kind;
        Name = name;
        NaturalOutput = naturalOutput;
        CostKernel = costKernel;
        CostFromLogits = costFromLogits;
        DeltaKernel = deltaKernel;
        DeltaTakesUnits = deltaTakesUnits;
        Labels = labels;
        Equation = equation;
        CostRemark = costRemark;
        LabelText = labelText;
        LiteralCostKernel = literalCostKernel;
        OutputGradient = outputGradient;
    }

    public Loss Kind { get; }

    /// <summary>The name in prose: "binary cross-entropy".</summary>
    public string Name { get; }

    /// <summary>The output activation whose backward this loss's delta kernel folds in.</summary>
    public Activation NaturalOutput { get; }

    /// <summary>DnnGen.Kernels.Cost.{CostKernel}(zL or aL, y, m).</summary>
    public string CostKernel { get; }

    /// <summary>True when the cost kernel reads Z[L] (the logits, for a stable log), false when it reads A[L].</summary>
    public bool CostFromLogits { get; }

    /// <summary>DnnGen.Kernels.Cost.{DeltaKernel}(aL, y, dZL[, n]): dZ[L] = A[L] - Y for the natural output.</summary>
    public string DeltaKernel { get; }

    public bool DeltaTakesUnits { get; }

    public LabelForm Labels { get; }

    /// <summary>J as the comments write it.</summary>
    public string Equation { get; }

    /// <summary>How the cost kernel evaluates J, for ComputeCost's summary.</summary>
    public string CostRemark { get; }

    /// <summary>What y holds, for the documentation: "labels (0 or 1)".</summary>
    public string LabelText { get; }

    /// <summary>The kernel of the course's literal compute_cost(AL, Y), when the loss has one worth emitting.</summary>
    public string? LiteralCostKernel { get; }

    /// <summary>dA[L], the cost's gradient with respect to A[L] (before the 1/m), as the comments write it.</summary>
    public string OutputGradient { get; }

    /// <summary>ComputeCost's summary, line by line.</summary>
    public string[] CostSummary { get; }

    /// <summary>Why dZ[L] = A[L] - Y for the natural output, line by line for the comment above the delta kernel ({L}: L).</summary>
    public string[] DeltaExplanation { get; }

    /// <summary>
    /// True when the delta kernel's A[L] - Y is also the cost's gradient dA[L] (squared error): then any other output
    /// activation applies its own backward to it, the chain rule written out.
    /// </summary>
    public bool DeltaIsOutputGradient { get; }

    /// <summary>Whether the loss makes sense on an output of this activation (otherwise DNNG0023).</summary>
    public System.Func<ActivationEntry, bool> Fits { get; }

    /// <summary>Why it does not, for DNNG0023: what the loss needs of the output.</summary>
    public string Requirement { get; }

    /// <summary>
    /// The runtime interface a network with this loss implements (INetwork, IBinaryClassifier, IMultiClassClassifier):
    /// the members only some kinds of network have (labels, classes, accuracy) come with it.
    /// </summary>
    public string InterfaceName { get; }

    /// <summary>Predict's output parameter: "probabilities" for a classifier, "predictions" for a regression.</summary>
    public string OutputsName { get; }

    /// <summary>The same in the singular, the one-example Predict's local when there is one output: "probability".</summary>
    public string OutputName { get; }

    /// <summary>What the one-example Predict returns when there is one output: "the probability of class 1".</summary>
    public string OneOutput { get; }

    /// <summary>What a network of one layer with this loss on its natural output is called: "logistic regression".</summary>
    public string OneLayerName { get; }

    public string SourceName => "Loss." + Kind;
}

/// <summary>The catalog of losses: one entry per member of <see cref="Loss"/>.</summary>
internal static class Losses
{
    private static readonly Dictionary<Loss, LossEntry> s_entries = new()
    {
        [Loss.BinaryCrossEntropy] = new(
            Loss.BinaryCrossEntropy, "binary cross-entropy", Activation.Sigmoid,
            costKernel: "CrossEntropyFromLogits", costFromLogits: true,
            deltaKernel: "SigmoidCrossEntropyDelta", deltaTakesUnits: false,
            labels: LabelForm.Binary,
            equation: "J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL))",
            costRemark: "computed from Z[L] as softplus(Z) - Y Z so that it stays finite when AL rounds to 0 or 1",
            labelText: "labels (0 or 1)",
            literalCostKernel: "CrossEntropy",
            outputGradient: "-(Y / A{L} - (1 - Y) / (1 - A{L}))",
            costSummary: new[]
            {
                "The cost J = -(1/m) sum(Y log AL + (1 - Y) log(1 - AL)) of the last Forward, computed from Z[L] as",
                "softplus(Z) - Y Z so that it stays finite when AL rounds to 0 or 1.",
            },
            deltaExplanation: new[]
            {
                "This is dA{L} = -(Y / A{L} - (1 - Y) / (1 - A{L})) followed by the",
                "sigmoid backward dA{L} * A{L} * (1 - A{L}), simplified: equal in exact arithmetic, and free of the divisions",
                "that overflow when A{L} saturates. Layer{L}Backward applies the course's two literal steps instead.",
            },
            fits: output => output.OutputInUnitInterval,
            requirement: "binary cross-entropy takes log A and log(1 - A), defined only for outputs in (0, 1), which only a sigmoid output gives",
            interfaceName: "IBinaryClassifier",
            outputsName: "probabilities",
            outputName: "probability",
            oneOutput: "the probability of class 1",
            oneLayerName: "logistic regression"),
        [Loss.CategoricalCrossEntropy] = new(
            Loss.CategoricalCrossEntropy, "categorical cross-entropy", Activation.Softmax,
            costKernel: "CategoricalCrossEntropyFromLogits", costFromLogits: true,
            deltaKernel: "SoftmaxCrossEntropyDelta", deltaTakesUnits: true,
            labels: LabelForm.OneHot,
            equation: "J = -(1/m) sum over examples and classes of Y log AL",
            costRemark: "computed from the logits Z[L] with log-sum-exp, (max - Z[L]_c) + log sum exp(Z[L] - max) for each example's class c, so that it stays finite however large the logits",
            labelText: "one-hot labels (one 1 and zeros per example)",
            literalCostKernel: null,
            outputGradient: "-Y / A{L}",
            costSummary: new[]
            {
                "The cost J = -(1/m) sum over examples and classes of Y log AL of the last Forward, computed from the logits",
                "Z[L] with log-sum-exp: (max - Z[L]_c) + log(sum exp(Z[L] - max)) for each example of class c, finite however",
                "large the logits and never negative.",
            },
            deltaExplanation: new[]
            {
                "This is dA{L} = -Y / A{L} followed by the softmax",
                "backward A{L} * (dA{L} - sum over the column of dA{L} * A{L}), simplified: each column of Y sums to 1, so the two",
                "collapse exactly, with no division by a probability that rounds to 0.",
            },
            fits: output => output.OutputIsDistribution,
            requirement: "categorical cross-entropy compares each example's class probabilities with its class, and only a softmax output gives probabilities that sum to 1",
            interfaceName: "IMultiClassClassifier",
            outputsName: "probabilities",
            outputName: "probability",
            oneOutput: "the probability of class 1",
            oneLayerName: "softmax regression"),
        [Loss.SquaredError] = new(
            Loss.SquaredError, "squared error", Activation.Linear,
            costKernel: "SquaredError", costFromLogits: false,
            deltaKernel: "SquaredErrorDelta", deltaTakesUnits: false,
            labels: LabelForm.Finite,
            equation: "J = (1/(2m)) sum over examples and outputs of (AL - Y)^2",
            costRemark: "summed in double over every example and output",
            labelText: "targets (any finite values)",
            literalCostKernel: null,
            outputGradient: "A{L} - Y",
            costSummary: new[]
            {
                "The cost J = (1/(2m)) sum over examples and outputs of (AL - Y)^2 of the last Forward, summed in double;",
                "the 1/2 makes its gradient with respect to AL exactly (1/m)(AL - Y).",
            },
            deltaExplanation: new[]
            {
                "This is dA{L} = A{L} - Y, the squared error's gradient, followed",
                "by the linear backward dZ{L} = dA{L}: the identity's derivative is 1.",
            },
            fits: output => !output.OutputIsDistribution,
            requirement: "squared error pulls every class probability towards its target on its own, against the softmax's constraint that they sum to 1, and learns far slower than cross-entropy",
            interfaceName: "INetwork",
            outputsName: "predictions",
            outputName: "prediction",
            oneOutput: "the predicted value",
            oneLayerName: "linear regression",
            deltaIsOutputGradient: true),
    };

    public static LossEntry Of(Loss loss) => s_entries[loss];

    public static bool IsDefined(int value) => s_entries.ContainsKey((Loss)value);

    public static string Names => "BinaryCrossEntropy, CategoricalCrossEntropy, SquaredError";
}
