using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// Which public types and members of the runtime library IntelliSense offers. What only generated code calls is
/// hidden with [EditorBrowsable(Never)], as System.Text.Json hides its generator's helpers; a new public type must be
/// added to one of the two lists below, so that none appears in a user's completion list unnoticed.
/// </summary>
public class EditorBrowsableTests
{
    /// <summary>What users write or call: the attribute and its options, the network interface and its extension methods, the random stream, the NumPy reader, the records, and the exceptions users catch.</summary>
    private static readonly string[] Visible =
    [
        "DnnGen.Activation",
        "DnnGen.GradientChecking",
        "DnnGen.IBinaryClassifier`1",
        "DnnGen.IMultiClassClassifier`1",
        "DnnGen.INetwork`1",
        "DnnGen.IPredictor`1",
        "DnnGen.Initialization",
        "DnnGen.Kernels.DataSpan",
        "DnnGen.Kernels.DataSpanTraining",
        "DnnGen.Kernels.Dense",
        "DnnGen.LayerOverflowException",
        "DnnGen.Loss",
        "DnnGen.NetworkAttribute",
        "DnnGen.NetworkFromOnnxAttribute",
        "DnnGen.NetworkTrainingExtensions",
        "DnnGen.Npz",
        "DnnGen.NumPyArray",
        "DnnGen.NumPyElementType",
        "DnnGen.NumPyFile",
        "DnnGen.NumPyRandom",
        "DnnGen.Onnx",
        "DnnGen.Optimizer",
        "DnnGen.Precision",
        "DnnGen.TrainingOptions",
        "DnnGen.TrainingRecord",
    ];

    /// <summary>What only generated code calls (ReferenceDense, ReferenceActivations and ReferenceOptimizers: only the tests and benchmarks).</summary>
    private static readonly string[] Hidden =
    [
        "DnnGen.AlignedBuffer`1",
        "DnnGen.Divergence",
        "DnnGen.Guard",
        "DnnGen.Kernels.Activations",
        "DnnGen.Kernels.Classes",
        "DnnGen.Kernels.Cost",
        "DnnGen.Kernels.DataSpanTrainer`1",
        "DnnGen.Kernels.DataSpanTrainer`1+Body`2",
        "DnnGen.Kernels.MiniBatches",
        "DnnGen.Kernels.Optimizers",
        "DnnGen.Kernels.ReferenceActivations",
        "DnnGen.Kernels.ReferenceDense",
        "DnnGen.Kernels.ReferenceOptimizers",
        "DnnGen.Kernels.Regularization",
        "DnnGen.Kernels.TrainingSettings`1",
        "DnnGen.ParameterInitializer",
    ];

    [Fact]
    public void Only_the_types_users_write_are_offered_by_IntelliSense()
    {
        Type[] exported = typeof(NetworkAttribute).Assembly.GetExportedTypes();

        Assert.Equal(Visible, exported.Where(t => !IsHidden(t)).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(Hidden, exported.Where(IsHidden).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Dense_offers_its_parallelism_setting_and_hides_its_kernels()
    {
        // Dense stays visible for MaxDegreeOfParallelism and the workers' spin settings, which the README documents as user settings.
        MemberInfo[] members = typeof(Dense).GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodInfo { IsSpecialName: true })
            .ToArray();

        Assert.Equal(
            ["AdaptiveWorkerSpin", "MaxDegreeOfParallelism", "ParallelWorkThreshold", "WorkerSpinTime"],
            members.Where(m => !IsHidden(m)).Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(
            ["Forward", "GradientDescent", "InputGradient", "WeightGradients"],
            members.Where(IsHidden).Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    private static bool IsHidden(MemberInfo member)
        => member.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };
}
