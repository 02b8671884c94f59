using System.Collections.Generic;

namespace DnnGen.Generator;

/// <summary>What an activation's backward kernel reads besides dA: Z of the forward pass, A, or nothing.</summary>
internal enum BackwardInput
{
    /// <summary>Z[l], the pre-activation (relu, leaky relu, sigmoid).</summary>
    PreActivation,

    /// <summary>A[l], the activation's own output (tanh, softmax): cheaper than recomputing it from Z.</summary>
    Output,

    /// <summary>Nothing: the derivative is a constant (linear).</summary>
    None,
}

/// <summary>The argument an activation's kernels take after their spans or scalar.</summary>
internal enum KernelArgument
{
    None,

    /// <summary>The attribute's LeakyReluSlope, as a literal of the element type.</summary>
    Slope,

    /// <summary>The layer's width n[l]: the activation works on each example's n[l] values together (softmax).</summary>
    Units,
}

/// <summary>
/// One activation's facts, everything the emitter and the parser need: its course name, its kernels in
/// DnnGen.Kernels.Activations, what its backward step reads, and the equations the generated comments quote. Templates
/// use {Z}, {A}, {dA} and {slope}, replaced by the layer's names (Z1, A1, dA1) and the slope.
/// </summary>
internal sealed class ActivationEntry
{
    public ActivationEntry(
        Activation kind,
        string name,
        string kernel,
        BackwardInput backwardInput,
        KernelArgument argument,
        bool elementWise,
        string forwardFormula,
        string backwardFormula,
        string outputMeaning,
        Loss defaultLoss,
        bool hiddenAllowed = true,
        int minimumUnits = 1,
        bool outputInUnitInterval = false,
        string outputNoun = "outputs",
        bool outputIsDistribution = false)
    {
        OutputIsDistribution = outputIsDistribution;
        OutputNoun = outputNoun;
        Kind = kind;
        Name = name;
        Kernel = kernel;
        BackwardInput = backwardInput;
        Argument = argument;
        ElementWise = elementWise;
        ForwardFormula = forwardFormula;
        BackwardFormula = backwardFormula;
        OutputMeaning = outputMeaning;
        DefaultLoss = defaultLoss;
        HiddenAllowed = hiddenAllowed;
        MinimumUnits = minimumUnits;
        OutputInUnitInterval = outputInUnitInterval;
    }

    public Activation Kind { get; }

    /// <summary>The course's name, as in <c>linear_activation_forward(..., "relu")</c>; also the comments' g.</summary>
    public string Name { get; }

    /// <summary>DnnGen.Kernels.Activations.{Kernel} (scalar and span forms) and {Kernel}Backward.</summary>
    public string Kernel { get; }

    public BackwardInput BackwardInput { get; }

    public KernelArgument Argument { get; }

    /// <summary>False for softmax, whose every output depends on all of the example's Z: it has no scalar form.</summary>
    public bool ElementWise { get; }

    /// <summary>A[l] as a formula of Z[l], such as <c>relu({Z})</c>.</summary>
    public string ForwardFormula { get; }

    /// <summary>dZ[l] as a formula of dA[l] and the forward pass, such as <c>{dA} * (1 - {A}^2)</c>.</summary>
    public string BackwardFormula { get; }

    /// <summary>What the output A[L] means when this is the output layer's activation.</summary>
    public string OutputMeaning { get; }

    /// <summary>The outputs' name in the plural, for comments: "probabilities".</summary>
    public string OutputNoun { get; }

    /// <summary>The loss a network with this output gets when the attribute names none.</summary>
    public Loss DefaultLoss { get; }

    /// <summary>False for softmax, which only the output layer may use (DNNG0021).</summary>
    public bool HiddenAllowed { get; }

    /// <summary>The fewest units a layer with this activation may have (softmax: 2, DNNG0022).</summary>
    public int MinimumUnits { get; }

    /// <summary>True when every output lies in (0, 1), so that binary cross-entropy is defined on it (sigmoid).</summary>
    public bool OutputInUnitInterval { get; }

    /// <summary>True when each example's outputs are a probability distribution over classes, summing to 1 (softmax).</summary>
    public bool OutputIsDistribution { get; }

    /// <summary>The enum member's name as C# source writes it: <c>Activation.Tanh</c>.</summary>
    public string SourceName => "Activation." + Kind;
}

/// <summary>The catalog of activations: one entry per member of <see cref="Activation"/>, and nothing else to change for a new one.</summary>
internal static class Activations
{
    private static readonly Dictionary<Activation, ActivationEntry> s_entries = new()
    {
        [Activation.Relu] = new(
            Activation.Relu, "relu", "Relu", BackwardInput.PreActivation, KernelArgument.None, elementWise: true,
            forwardFormula: "relu({Z})",
            backwardFormula: "{dA} * relu'({Z}), i.e. {dA} where {Z} > 0, else 0",
            outputMeaning: "the outputs, max(0, Z) each",
            defaultLoss: Loss.SquaredError),
        [Activation.LeakyRelu] = new(
            Activation.LeakyRelu, "leaky_relu", "LeakyRelu", BackwardInput.PreActivation, KernelArgument.Slope, elementWise: true,
            forwardFormula: "leaky_relu({Z}), i.e. {Z} where {Z} > 0, else {slope} * {Z}",
            backwardFormula: "{dA} * leaky_relu'({Z}), i.e. {dA} where {Z} > 0, else {slope} * {dA}",
            outputMeaning: "the outputs, leaky_relu(Z) each",
            defaultLoss: Loss.SquaredError),
        [Activation.Tanh] = new(
            Activation.Tanh, "tanh", "Tanh", BackwardInput.Output, KernelArgument.None, elementWise: true,
            forwardFormula: "tanh({Z})",
            backwardFormula: "{dA} * (1 - {A}^2)",
            outputMeaning: "the outputs, in (-1, 1)",
            defaultLoss: Loss.SquaredError),
        [Activation.Sigmoid] = new(
            Activation.Sigmoid, "sigmoid", "Sigmoid", BackwardInput.PreActivation, KernelArgument.None, elementWise: true,
            forwardFormula: "sigmoid({Z})",
            backwardFormula: "{dA} * s * (1 - s) with s = sigmoid({Z})",
            outputMeaning: "the probability of class 1",
            defaultLoss: Loss.BinaryCrossEntropy,
            outputInUnitInterval: true,
            outputNoun: "probabilities"),
        [Activation.Linear] = new(
            Activation.Linear, "linear", "Linear", BackwardInput.None, KernelArgument.None, elementWise: true,
            forwardFormula: "{Z}, the identity",
            backwardFormula: "{dA}, the identity's derivative being 1",
            outputMeaning: "the predicted values",
            defaultLoss: Loss.SquaredError,
            outputNoun: "predictions"),
        [Activation.Softmax] = new(
            Activation.Softmax, "softmax", "Softmax", BackwardInput.Output, KernelArgument.Units, elementWise: false,
            forwardFormula: "softmax({Z}) over each example's column: exp({Z} - max) / sum exp({Z} - max)",
            backwardFormula: "{A} * ({dA} - sum over the column of {dA} * {A}), each example's Jacobian applied to {dA}",
            outputMeaning: "the probability of each class",
            defaultLoss: Loss.CategoricalCrossEntropy,
            hiddenAllowed: false,
            minimumUnits: 2,
            outputNoun: "class probabilities",
            outputIsDistribution: true),
    };

    public static ActivationEntry Of(Activation activation) => s_entries[activation];

    /// <summary>Every activation, in the enum's order.</summary>
    public static IEnumerable<ActivationEntry> All
    {
        get
        {
            for (int value = 0; s_entries.TryGetValue((Activation)value, out ActivationEntry? entry); value++)
            {
                yield return entry;
            }
        }
    }

    /// <summary>True when some of <paramref name="activations"/> takes the attribute's LeakyReluSlope.</summary>
    public static bool AnyTakesSlope(IEnumerable<Activation> activations)
    {
        foreach (Activation activation in activations)
        {
            if (Of(activation).Argument == KernelArgument.Slope)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="value"/> is a member of <see cref="Activation"/>.</summary>
    public static bool IsDefined(int value) => s_entries.ContainsKey((Activation)value);

    /// <summary>The members as source writes them, for DNNG0008's message: "Activation.Relu, ... or Activation.Softmax".</summary>
    public static string SourceNames
    {
        get
        {
            var names = new List<string>();
            foreach (ActivationEntry entry in All)
            {
                names.Add(entry.SourceName);
            }

            return string.Join(", ", names.GetRange(0, names.Count - 1)) + " or " + names[names.Count - 1];
        }
    }

    /// <summary>The members' names, for DNNG0008's list: "Relu, LeakyRelu, ...".</summary>
    public static string Names
    {
        get
        {
            var names = new List<string>();
            foreach (ActivationEntry entry in All)
            {
                names.Add(entry.Kind.ToString());
            }

            return string.Join(", ", names);
        }
    }
}
