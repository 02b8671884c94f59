using DnnGen;

namespace Planar;

/// <summary>
/// The course's week-3 network ("Planar data classification with one hidden layer"): two inputs (the point's
/// coordinates), one hidden layer of 4 tanh units, one sigmoid output; W = randn * 0.01 (initialize_parameters), biases
/// zero. Every layer has at most 8 weights, so the generator writes all of it as straight-line arithmetic: no loops, no
/// kernels, every weight a local. Read it in
/// obj/generated/DnnGen.Generator/DnnGen.Generator.NetworkGenerator/Planar.PlanarNetwork.g.cs.
/// </summary>
[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal)]
public partial class PlanarNetwork;
