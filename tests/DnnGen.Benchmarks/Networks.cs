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
