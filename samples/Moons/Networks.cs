using DnnGen;

namespace Moons;

// The Optimization notebook's model, [LINEAR -> RELU] x 2 -> LINEAR -> SIGMOID with layers (2, 5, 2, 1) and He
// initialisation (np.random.seed(3); W[l] = randn(n[l], n[l-1]) * sqrt(2 / n[l-1])), once per optimizer: the optimizer
// is fixed at compile time, because it decides what state the generated class keeps beside its 33 parameters (none,
// the velocity v, or Adam's v and s). Read the generated code in obj/generated/DnnGen.Generator/DnnGen.Generator.NetworkGenerator/.

/// <summary>The model with mini-batch gradient descent: W = W - alpha dW.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.GradientDescent)]
public partial class GradientDescentModel;

/// <summary>The model with momentum: v = beta v + (1 - beta) dW; W = W - alpha v.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.Momentum)]
public partial class MomentumModel;

/// <summary>The model with Adam: bias-corrected first and second moments, epsilon outside the square root.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.Adam)]
public partial class AdamModel;
