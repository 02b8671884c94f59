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
