using DnnGen;

namespace CatClassifier;

/// <summary>The course's 5-layer model: 64x64 RGB images (12288 values) -> 20 -> 7 -> 5 -> 1.</summary>
[Network(12288, 20, 7, 5, 1)]
public partial class DeepCatNetwork;
