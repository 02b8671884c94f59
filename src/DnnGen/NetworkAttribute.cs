using System;

namespace DnnGen;

/// <summary>
/// Asks the DnnGen source generator to turn a <c>partial class</c> into a complete, fixed-size deep network:
/// [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID with binary cross-entropy cost, backpropagation and
/// gradient descent, as in the course "Neural Networks and Deep Learning", week 4.
/// </summary>
/// <example>
/// <code>
/// [Network(12288, 20, 7, 5, 1)]          // n[0] = inputs, ..., n[L] = outputs
/// public partial class CatClassifier;
/// </code>
/// </example>
/// <remarks>
/// The attribute is accepted on structs and interfaces only so that the generator can answer with a DnnGen
/// diagnostic that says what to change; a network is always a partial class.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network with the given layer sizes n[0] (inputs), n[1], ..., n[L] (outputs).</summary>
    /// <param name="layerSizes">At least two positive sizes: the input size followed by the size of every layer.</param>
    public NetworkAttribute(params int[] layerSizes) => LayerSizes = layerSizes;

    /// <summary>The layer sizes n[0], ..., n[L] as written in the attribute.</summary>
    public int[] LayerSizes { get; }

    /// <summary>The element type of parameters, activations and gradients. Default: <see cref="Precision.Double"/>, as the course.</summary>
    public Precision Precision { get; set; } = Precision.Double;

    /// <summary>
    /// The initialisation <c>InitializeParameters(seed)</c> uses when none is passed.
    /// Default: <see cref="Initialization.NormalOverSqrtFanIn"/>, the course's application notebook.
    /// </summary>
    public Initialization Initialization { get; set; } = Initialization.NormalOverSqrtFanIn;

    /// <summary>
    /// The activation of every hidden layer 1 .. L-1. Default: <see cref="Activation.Relu"/>, as the course. Not with
    /// <see cref="Activations"/> (DNNG0019); never <see cref="Activation.Softmax"/> (DNNG0021).
    /// </summary>
    public Activation HiddenActivation { get; set; } = Activation.Relu;

    /// <summary>
    /// The activation of the output layer L. Default: <see cref="Activation.Sigmoid"/>, as the course. Not with
    /// <see cref="Activations"/> (DNNG0019); <see cref="Activation.Softmax"/> needs at least 2 outputs (DNNG0022).
    /// </summary>
    public Activation OutputActivation { get; set; } = Activation.Sigmoid;

    /// <summary>
    /// Every layer's activation at once, layer 1 first: exactly L entries (DNNG0020), instead of
    /// <see cref="HiddenActivation"/> and <see cref="OutputActivation"/> (DNNG0019). Default: none given.
    /// </summary>
    public Activation[]? Activations { get; set; }

    /// <summary>
    /// The slope of <see cref="Activation.LeakyRelu"/> for negative inputs, as PyTorch's <c>negative_slope</c>: finite and
    /// greater than 0 (DNNG0024). Default: 0.01.
    /// </summary>
    public double LeakyReluSlope { get; set; } = 0.01;

    /// <summary>
    /// The cost the network minimises. Default: the output's own, for which dZ[L] = A[L] - Y: <see cref="Loss.BinaryCrossEntropy"/>
    /// for a sigmoid output, <see cref="Loss.CategoricalCrossEntropy"/> for softmax, <see cref="Loss.SquaredError"/> for
    /// every other. A loss that does not fit the output is DNNG0023.
    /// </summary>
    public Loss Loss { get; set; } = Loss.BinaryCrossEntropy;

    /// <summary>
    /// How <c>Train(x, y, TrainingOptions)</c> updates the parameters from each mini-batch's gradients. Default:
    /// <see cref="Optimizer.GradientDescent"/>, which keeps no state. What an optimizer keeps is fixed here, at compile
    /// time: momentum gets a velocity buffer v beside the parameters, Adam v and s, each a twin of Parameters.
    /// </summary>
    public Optimizer Optimizer { get; set; } = Optimizer.GradientDescent;

    /// <summary>
    /// Bakes trained weights into the class: the path of a NumPy <c>.npz</c> file (what <c>SaveNpz</c> or
    /// <c>np.savez(path, **parameters)</c> writes), as the project lists it in <c>&lt;AdditionalFiles Include="cat.npz" /&gt;</c>,
    /// relative to the project. The class is then inference only: its weights are compile-time data of the assembly
    /// (<c>W1</c>, <c>b1</c>, ... as read-only spans), it has <c>Predict</c> and the members of its kind
    /// (<c>PredictLabels</c> or <c>PredictClasses</c>, <c>Accuracy</c>) and no training members, it implements
    /// <see cref="IPredictor{T}"/>, and it reads no file at run time. The file must hold exactly <c>W1, b1, ..., WL, bL</c>
    /// (a checkpoint's training state is ignored) with the course's shapes, biases (n[l], 1) or (n[l],), float64 or
    /// float32 and finite (DNNG0025 to DNNG0030). Default: none, a trainable network.
    /// </summary>
    public string? Weights { get; set; }
}

/// <summary>The floating-point type a generated network computes in.</summary>
public enum Precision
{
    /// <summary>64-bit <see cref="double"/>: the course's float64, number for number.</summary>
    Double = 0,

    /// <summary>32-bit <see cref="float"/>: half the memory and about twice the speed; results differ from the course in the 7th digit.</summary>
    Single = 1,
}

/// <summary>How <c>InitializeParameters</c> draws the weights, from one stream in layer order W1, W2, ... Biases always start at zero.</summary>
public enum Initialization
{
    /// <summary><c>W[l] = randn(n[l], n[l-1]) * 0.01</c>: the step-by-step notebook's <c>initialize_parameters_deep</c>.</summary>
    ScaledNormal = 0,

    /// <summary><c>W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1])</c>: the application notebook's initialisation, which keeps deep ReLU stacks trainable.</summary>
    NormalOverSqrtFanIn = 1,

    /// <summary>
    /// <c>W[l] = 0</c>: every weight zero and nothing drawn, as the course's week-2 logistic regression and course 2's
    /// zeros demonstration, which shows that a deep network started this way never breaks its symmetry.
    /// </summary>
    Zeros = 2,

    /// <summary><c>W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1])</c>: He initialisation, course 2's Initialization notebook, for ReLU layers.</summary>
    He = 3,
}

/// <summary>
/// A layer's activation g, applied element by element to Z[l] = W[l] A[l-1] + b[l] (softmax: to each example's values
/// together), with its backward step dZ[l] = dA[l] * g'(Z[l]).
/// </summary>
public enum Activation
{
    /// <summary><c>relu(z) = max(0, z)</c>; backward: dZ = dA where Z &gt; 0, else 0. The course's hidden layers.</summary>
    Relu = 0,

    /// <summary>
    /// <c>leaky_relu(z) = z</c> for z &gt; 0, else <c>slope * z</c>, with the attribute's <c>LeakyReluSlope</c> (PyTorch's
    /// <c>negative_slope</c>, default 0.01); backward: dZ = dA where Z &gt; 0, else slope * dA.
    /// </summary>
    LeakyRelu = 1,

    /// <summary><c>tanh(z)</c>, in (-1, 1); backward: dZ = dA * (1 - A^2). The course's week-3 hidden layer.</summary>
    Tanh = 2,

    /// <summary>
    /// <c>sigmoid(z) = 1 / (1 + e^-z)</c>, in (0, 1); backward: dZ = dA * A * (1 - A). As the output, each unit is the
    /// probability of its own class, with binary cross-entropy.
    /// </summary>
    Sigmoid = 3,

    /// <summary><c>linear(z) = z</c>, the identity; backward: dZ = dA. As the output, a regression with squared error.</summary>
    Linear = 4,

    /// <summary>
    /// <c>softmax(z)_j = e^(z_j) / sum_k e^(z_k)</c> over each example's n[L] values, which sum to 1: the output of a
    /// classifier of n[L] &gt;= 2 exclusive classes, with categorical cross-entropy. Only the output layer may use it.
    /// </summary>
    Softmax = 5,
}

/// <summary>The cost J a network minimises, averaged over the m examples.</summary>
public enum Loss
{
    /// <summary>
    /// <c>J = -(1/m) sum (Y log A + (1 - Y) log(1 - A))</c> summed over the outputs, computed from Z[L]; labels 0 or 1.
    /// The course's cost, for a <see cref="Activation.Sigmoid"/> output, where dZ[L] = A[L] - Y.
    /// </summary>
    BinaryCrossEntropy = 0,

    /// <summary>
    /// <c>J = -(1/m) sum Y log A</c> over examples and classes, computed from the logits Z[L] with log-sum-exp; one-hot
    /// labels or class indices. For a <see cref="Activation.Softmax"/> output, where dZ[L] = A[L] - Y.
    /// </summary>
    CategoricalCrossEntropy = 1,

    /// <summary>
    /// <c>J = (1/(2m)) sum (A - Y)^2</c> over examples and outputs; any finite targets. For a regression with a
    /// <see cref="Activation.Linear"/> output, where dZ[L] = A[L] - Y.
    /// </summary>
    SquaredError = 2,
}

/// <summary>
/// The update rule of <c>Train(x, y, TrainingOptions)</c>, as course 2's Optimization notebook writes it, for every W[l]
/// and b[l] with the mini-batch's gradient dW[l] (db[l] alike) and learning rate alpha.
/// </summary>
public enum Optimizer
{
    /// <summary><c>W = W - alpha dW</c>: (mini-batch) gradient descent; no state.</summary>
    GradientDescent = 0,

    /// <summary>
    /// <c>v = beta v + (1 - beta) dW; W = W - alpha v</c>: gradient descent with momentum (TrainingOptions.Beta, 0.9);
    /// the velocity v starts at zero.
    /// </summary>
    Momentum = 1,

    /// <summary>
    /// Adam: with t the number of updates so far, counted from 1, <c>v = beta1 v + (1 - beta1) dW</c>,
    /// <c>s = beta2 s + (1 - beta2) dW^2</c>, <c>v^ = v / (1 - beta1^t)</c>, <c>s^ = s / (1 - beta2^t)</c>,
    /// <c>W = W - alpha v^ / (sqrt(s^) + epsilon)</c> (TrainingOptions.Beta1 0.9, Beta2 0.999, Epsilon 1e-8).
    /// </summary>
    Adam = 2,
}
