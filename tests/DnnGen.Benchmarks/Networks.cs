using DnnGen;

namespace DnnGen.Benchmarks;

/// <summary>The course's cat network in float64, as the notebook trains it.</summary>
[Network(12288, 20, 7, 5, 1)]
public partial class CatDouble;

/// <summary>The same network in float32.</summary>
[Network(12288, 20, 7, 5, 1, Precision = Precision.Single)]
public partial class CatSingle;

/// <summary>The week-3 planar network: all straight-line code.</summary>
[Network(2, 4, 1)]
public partial class Planar;

/// <summary>The course's week-3 network: a tanh hidden layer, all straight-line code.</summary>
[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal)]
public partial class PlanarTanh;

/// <summary>The digits classifier of samples/Digits: ten softmax classes behind a kernel layer.</summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He)]
public partial class DigitsSoftmax;

/// <summary>The diabetes regression of samples/Digits: a linear output with squared error.</summary>
[Network(10, 16, 1, OutputActivation = Activation.Linear)]
public partial class DiabetesLinear;

/// <summary>The Optimization notebook's moons model with mini-batch gradient descent.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He)]
public partial class MoonsGradientDescent;

/// <summary>The moons model with momentum.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.Momentum)]
public partial class MoonsMomentum;

/// <summary>The moons model with Adam.</summary>
[Network(2, 5, 2, 1, Initialization = Initialization.He, Optimizer = Optimizer.Adam)]
public partial class MoonsAdam;

/// <summary>The digits classifier trained with Adam on mini-batches.</summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He, Optimizer = Optimizer.Adam)]
public partial class DigitsAdam;

/// <summary>
/// A wider network than the course's, with MNIST's shape: 784 inputs, two hidden layers of 256 ReLU units and ten
/// softmax classes, trained with Adam on mini-batches of 128 (WideBenchmarks).
/// </summary>
[Network(784, 256, 256, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He, Optimizer = Optimizer.Adam)]
public partial class WideAdam;

/// <summary>The wide network in float32.</summary>
[Network(784, 256, 256, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He, Optimizer = Optimizer.Adam, Precision = Precision.Single)]
public partial class WideAdamSingle;
