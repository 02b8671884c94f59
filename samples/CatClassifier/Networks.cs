using System;
using System.Numerics;
using DnnGen;

namespace CatClassifier;

/// <summary>The course's 5-layer model: 64x64 RGB images (12288 values) -> 20 -> 7 -> 5 -> 1.</summary>
[Network(12288, 20, 7, 5, 1)]
public partial class DeepCatNetwork;

/// <summary>The 5-layer model in float32 (<c>--precision single</c>).</summary>
[Network(12288, 20, 7, 5, 1, Precision = Precision.Single)]
public partial class DeepCatNetworkSingle;

/// <summary>The course's two-layer model: 12288 -> 7 -> 1, initialised with randn * 0.01.</summary>
[Network(12288, 7, 1, Initialization = Initialization.ScaledNormal)]
public partial class TwoLayerCatNetwork;

/// <summary>The two-layer model in float32.</summary>
[Network(12288, 7, 1, Initialization = Initialization.ScaledNormal, Precision = Precision.Single)]
public partial class TwoLayerCatNetworkSingle;

/// <summary>Which of the course's two models to train (<c>--model</c>).</summary>
public enum CatModel
{
    /// <summary>The application notebook's L_layer_model, [12288, 20, 7, 5, 1], W = randn / sqrt(n[l-1]).</summary>
    Deep,

    /// <summary>The application notebook's two_layer_model, [12288, 7, 1], W = randn * 0.01.</summary>
    TwoLayer,
}

/// <summary>The generated network for a model and precision, and what the course says about each model.</summary>
public static class CatModels
{
    /// <summary>A new, uninitialised network of <paramref name="model"/> computing in <typeparamref name="T"/>.</summary>
    public static IBinaryClassifier<T> Create<T>(CatModel model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        object network = (model, typeof(T) == typeof(float)) switch
        {
            (CatModel.Deep, false) => new DeepCatNetwork(),
            (CatModel.Deep, true) => new DeepCatNetworkSingle(),
            (CatModel.TwoLayer, false) => new TwoLayerCatNetwork(),
            (CatModel.TwoLayer, true) => new TwoLayerCatNetworkSingle(),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Expected Deep or TwoLayer."),
        };
        return (IBinaryClassifier<T>)network;
    }

    /// <summary>How the course initialises the model after <c>np.random.seed</c>.</summary>
    public static Initialization InitializationOf(CatModel model) =>
        model == CatModel.Deep ? Initialization.NormalOverSqrtFanIn : Initialization.ScaledNormal;

    /// <summary>The model's name in the course's sentence: "your L-layer model predicts ...".</summary>
    public static string SentenceName(CatModel model) => model == CatModel.Deep ? "L-layer" : "2-layer";

    /// <summary>The name on the command line.</summary>
    public static string OptionName(CatModel model) => model == CatModel.Deep ? "deep" : "two-layer";
}
