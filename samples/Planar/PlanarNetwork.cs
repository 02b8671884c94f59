using DnnGen;

namespace Planar;

/// <summary>
/// Two inputs (the point's coordinates), two hidden ReLU layers of 8 units, one sigmoid output. Every layer has at most
/// 64 weights, so the generator writes all of it as straight-line arithmetic: no loops, no kernels, every weight a
/// local. Read it in obj/generated/DnnGen.Generator/DnnGen.Generator.NetworkGenerator/Planar.PlanarNetwork.g.cs.
/// </summary>
[Network(2, 8, 8, 1)]
public partial class PlanarNetwork;
