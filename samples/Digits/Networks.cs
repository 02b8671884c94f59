using DnnGen;

namespace Digits;

/// <summary>
/// 64 pixels in, one hidden layer of 32 ReLU units, 10 softmax outputs (the probabilities of the digits 0 to 9),
/// trained with categorical cross-entropy, -(1/m) sum y log a. He initialisation, W = randn * sqrt(2 / n[l-1]), suits
/// the ReLU layer. Read the generated code in obj/generated/DnnGen.Generator/DnnGen.Generator.NetworkGenerator/.
/// </summary>
[Network(64, 32, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He)]
public partial class DigitsNetwork;

/// <summary>
/// Ten standardised measurements in, one hidden layer of 16 ReLU units, one linear output (the standardised disease
/// progression), trained with the squared error (1/(2m)) sum (a - y)^2.
/// </summary>
[Network(10, 16, 1, OutputActivation = Activation.Linear)]
public partial class DiabetesNetwork;
