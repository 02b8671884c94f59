namespace DnnGen.Course.Tests;

// One network per shape the course's step-by-step test cases use. Each case's matrices are the parameters and
// caches of some layer of one of these networks.

/// <summary>initialize_parameters(3, 2, 1): the two-layer model's initialisation.</summary>
[Network(3, 2, 1, Initialization = Initialization.ScaledNormal)]
public partial class TwoLayer321;

/// <summary>initialize_parameters_deep([5, 4, 3]).</summary>
[Network(5, 4, 3, Initialization = Initialization.ScaledNormal)]
public partial class Deep543;

/// <summary>A single LINEAR -> SIGMOID layer, 3 -> 1: linear_forward and the sigmoid linear_activation_forward.</summary>
[Network(3, 1)]
public partial class Sigmoid31;

/// <summary>Layer 1 is LINEAR -> RELU, 3 -> 1: the relu linear_activation_forward.</summary>
[Network(3, 1, 1)]
public partial class Relu311;

/// <summary>L_model_forward's two-hidden-layer model, 5 -> 4 -> 3 -> 1.</summary>
[Network(5, 4, 3, 1)]
public partial class Forward5431;

/// <summary>Layer 2 is LINEAR -> SIGMOID, 3 -> 1 with a dA1 to compute: linear_backward and the sigmoid linear_activation_backward.</summary>
[Network(3, 3, 1)]
public partial class Backward331;

/// <summary>Layer 2 is LINEAR -> RELU, 3 -> 1: the relu linear_activation_backward.</summary>
[Network(3, 3, 1, 1)]
public partial class Backward3311;

/// <summary>L_model_backward's and update_parameters' model: 4 -> 3 (relu) -> 1 (sigmoid).</summary>
[Network(4, 3, 1)]
public partial class Model431;
