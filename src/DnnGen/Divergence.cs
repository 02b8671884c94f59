using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DnnGen;

/// <summary>
/// How generated networks detect and report a training run that diverged: a cost that is not finite, or an update
/// that makes a parameter NaN or infinite. Training never carries on silently with NaN.
/// </summary>
/// <remarks>
/// <para>
/// The generated <c>TrainStep</c> copies the parameters into a snapshot buffer and checks the updated ones in the
/// update's own pass (<see cref="Kernels.Optimizers.GradientDescentWithSnapshot{T}"/>: one walk over the parameters,
/// not three): an update that produced NaN or infinity is undone exactly, by copying the snapshot back.
/// A cost that is not finite is caught before Backward and the update, so the parameters are not touched.
/// </para>
/// <para>
/// <c>Train</c> goes one step further back: when the cost of iteration k is not finite, the parameters that produced
/// it are finite but useless, and the snapshot still holds those of iteration k - 1, whose cost was finite; Train
/// restores them. So when Train throws, the parameters are always those of the last iteration whose cost was finite,
/// and the message says which iteration that was and what its cost was.
/// </para>
/// <para>
/// <c>TrainStep</c> keeps the same promise across calls: when a step's cost is not finite, or a layer's pre-activation
/// overflows, it restores the parameters before the previous step's update, whose cost was finite, provided the
/// parameters are still exactly what that update made of them (<see cref="TryRestoreBeforeUpdate{T}"/> checks it, so
/// parameters set in between, by InitializeParameters, LoadNpz or a write into Parameters, are never replaced).
/// </para>
/// <para>
/// <c>Train(x, y, TrainingOptions)</c> keeps, before each mini-batch's update, a copy of the parameters, the optimizer's
/// state (v, s) and both counts (CompletedEpochs, UpdateCount). A mini-batch whose cost is not finite or whose forward
/// pass overflows restores that copy, the state before the last update whose cost was finite, and an update that makes
/// a parameter or Adam's s NaN or infinite is undone the same way; the message names the epoch and the mini-batch
/// (<see cref="MiniBatchDiverged"/>, <see cref="MiniBatchUpdateNotFinite"/>). Nothing is restored across calls: each
/// Train starts with no copy, so its first mini-batch's failure leaves everything as the call found it.
/// </para>
/// </remarks>
// Hidden from IntelliSense: only generated code calls it. The README points here for the rollback rules in the
// remarks above, which stay readable in the source and through Go To Definition; users catch the ArithmeticException.
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Divergence
{
    /// <summary>Whether every element of <paramref name="values"/> is finite: one vectorised pass.</summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
        => TensorPrimitives.IsFiniteAll(values);

    /// <summary>The exception for a cost that is not finite.</summary>
    /// <param name="iteration">Train's iteration, or -1 from TrainStep.</param>
    /// <param name="cost">The cost that is not finite.</param>
    /// <param name="previousCost">Iteration <paramref name="iteration"/> - 1's cost, whose parameters Train restored.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public static ArithmeticException CostNotFinite(int iteration, double cost, double previousCost, double learningRate)
        => CostNotFinite(iteration, cost, restored: iteration > 0, previousCost, learningRate);

    /// <summary>The exception for a cost that is not finite, saying whether the previous parameters were restored.</summary>
    /// <param name="iteration">Train's iteration, or -1 from TrainStep.</param>
    /// <param name="cost">The cost that is not finite.</param>
    /// <param name="restored">Whether the parameters before the last update were restored.</param>
    /// <param name="restoredCost">The cost of the restored parameters.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public static ArithmeticException CostNotFinite(int iteration, double cost, bool restored, double restoredCost, double learningRate)
    {
        string where = iteration < 0 ? "The cost" : Invariant($"Iteration {iteration}: the cost");
        return new ArithmeticException(Invariant($"{where} is {cost}, so training diverged. {Parameters(iteration, restored, restoredCost, "produced this cost")} {Advice(learningRate)}"));
    }

    /// <summary>
    /// The exception for a forward pass in which a layer's pre-activation overflowed during training, after earlier
    /// iterations or steps whose cost was finite: the parameters grew too large.
    /// </summary>
    /// <param name="iteration">Train's iteration, or -1 from TrainStep.</param>
    /// <param name="overflow">What overflowed, as Forward reported it; the inner exception.</param>
    /// <param name="restored">Whether the parameters before the last update were restored.</param>
    /// <param name="restoredCost">The cost of the restored parameters.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public static ArithmeticException ForwardOverflow(int iteration, LayerOverflowException overflow, bool restored, double restoredCost, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(overflow);
        string where = iteration < 0 ? "The forward pass" : Invariant($"Iteration {iteration}: the forward pass");
        string advice = iteration < 0
            ? Invariant($"{Advice(learningRate)} If this batch's inputs are much larger than the earlier batches', scale them.")
            : Advice(learningRate);
        return new ArithmeticException(
            Invariant($"{where} overflowed in layer {overflow.Layer} (example {overflow.Example}), so training diverged. {Parameters(iteration, restored, restoredCost, "overflowed")} {advice}"),
            overflow);
    }

    /// <summary>
    /// Restores <paramref name="snapshot"/>, the parameters before the last gradient-descent update, into
    /// <paramref name="parameters"/> if they are exactly what that update made of it: <c>snapshot - learningRate *
    /// gradients</c>, bit for bit, as <see cref="Kernels.Dense.GradientDescent{T}"/> computes it. Otherwise (the
    /// parameters or the gradients were changed since) it leaves them alone and returns false.
    /// </summary>
    /// <param name="parameters">The network's parameters.</param>
    /// <param name="snapshot">The parameters before the update.</param>
    /// <param name="gradients">The gradients the update applied.</param>
    /// <param name="learningRate">The learning rate the update used, greater than zero; zero means there is no update to undo.</param>
    /// <returns>Whether the parameters were restored.</returns>
    public static bool TryRestoreBeforeUpdate<T>(Span<T> parameters, ReadOnlySpan<T> snapshot, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(learningRate > T.Zero) || snapshot.Length != parameters.Length || gradients.Length != parameters.Length)
        {
            return false;
        }

        // Recomputed with the update's own operation, (g * -rate) + p in two roundings: only on a failure, so the
        // scratch array costs nothing while training goes well.
        var updated = new T[parameters.Length];
        TensorPrimitives.MultiplyAdd(gradients, -learningRate, snapshot, updated);
        if (!MemoryMarshal.AsBytes(updated.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes((ReadOnlySpan<T>)parameters)))
        {
            return false;
        }

        snapshot.CopyTo(parameters);
        return true;
    }

    private static string Parameters(int iteration, bool restored, double restoredCost, string verb) => (iteration, restored) switch
    {
        ( < 0, true) => Invariant($"The parameters are restored to those before the last TrainStep's update, whose cost was {restoredCost}."),
        (_, true) => Invariant($"The parameters are restored to those of iteration {iteration - 1}, whose cost was {restoredCost}."),
        (0, false) => "The parameters are unchanged: they are the ones Train started from.",
        _ => $"The parameters are unchanged: they are the ones that {verb}.",
    };

    /// <summary>The exception for an update that made a parameter NaN or infinite; the update has been undone.</summary>
    /// <param name="iteration">Train's iteration, or -1 from TrainStep.</param>
    /// <param name="cost">The (finite) cost of the parameters before the update, which are restored.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public static ArithmeticException UpdateNotFinite(int iteration, double cost, double learningRate)
    {
        string where = iteration < 0 ? "The update" : Invariant($"Iteration {iteration}: the update");
        string parameters = iteration < 0
            ? Invariant($"The parameters are restored to those before this step, whose cost was {cost}.")
            : Invariant($"The parameters are restored to those of iteration {iteration}, whose cost was {cost}.");
        return new ArithmeticException(Invariant($"{where} made a parameter NaN or infinite, so training diverged. {parameters} {Advice(learningRate)}"));
    }

    /// <summary>
    /// The exception for a mini-batch of <c>Train(x, y, TrainingOptions)</c> whose cost is not finite, or whose forward
    /// pass overflowed (<paramref name="overflow"/> not null), saying where and what the parameters are now.
    /// </summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="batch">The mini-batch within the epoch, from 0.</param>
    /// <param name="batches">The mini-batches per epoch (1: full batch, and the message names no mini-batch).</param>
    /// <param name="cost">The cost that is not finite (ignored with <paramref name="overflow"/>).</param>
    /// <param name="overflow">What overflowed, as Forward reported it, or null for a cost that is not finite.</param>
    /// <param name="restored">Whether the parameters and the optimizer's state were restored to those before the last update.</param>
    /// <param name="restoredEpoch">The epoch of the update that was undone.</param>
    /// <param name="restoredBatch">Its mini-batch.</param>
    /// <param name="restoredCost">The cost of the restored parameters on that mini-batch.</param>
    /// <param name="learningRate">The learning rate of the failing epoch.</param>
    public static ArithmeticException MiniBatchDiverged(
        int epoch, int batch, int batches, double cost, LayerOverflowException? overflow, bool restored, int restoredEpoch, int restoredBatch, double restoredCost, double learningRate)
    {
        string what = overflow is null
            ? Invariant($"the cost is {cost}")
            : Invariant($"the forward pass overflowed in layer {overflow.Layer} (example {overflow.Example} of the mini-batch)");
        string state = restored
            ? Invariant($"The parameters and the optimizer's state are restored to those before the update of {Where(restoredEpoch, restoredBatch, batches).ToLowerInvariant()}, whose cost was {restoredCost}, and CompletedEpochs is {restoredEpoch}.")
            : "The parameters and the optimizer's state are unchanged: they are the ones this Train started from.";
        return new ArithmeticException(Invariant($"{Where(epoch, batch, batches)}: {what}, so training diverged. {state} {Advice(learningRate)}"), overflow);
    }

    /// <summary>The exception for a mini-batch update of <c>Train(x, y, TrainingOptions)</c> that made a parameter or Adam's s NaN or infinite; the update has been undone.</summary>
    /// <param name="epoch">The epoch.</param>
    /// <param name="batch">The mini-batch within the epoch, from 0.</param>
    /// <param name="batches">The mini-batches per epoch.</param>
    /// <param name="cost">The (finite) cost of the parameters before the update, which are restored.</param>
    /// <param name="learningRate">The learning rate in use.</param>
    public static ArithmeticException MiniBatchUpdateNotFinite(int epoch, int batch, int batches, double cost, double learningRate)
        => new(Invariant($"{Where(epoch, batch, batches)}: the update made a parameter or the optimizer's state NaN or infinite, so training diverged. The parameters and the optimizer's state are restored to those before this update, whose cost was {cost}. {Advice(learningRate)}"));

    private static string Where(int epoch, int batch, int batches) => batches == 1
        ? Invariant($"Epoch {epoch}")
        : Invariant($"Epoch {epoch}, mini-batch {batch} of {batches} (from 0)");

    private static string Advice(double learningRate) => Invariant($"Try a smaller learning rate than {learningRate}.");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
