namespace DnnGen;

/// <summary>
/// One entry of a training history: the cost of one iteration of full-batch gradient descent, before its update, or of
/// one epoch of <c>Train(x, y, TrainingOptions)</c>, the mini-batches' summed losses (each before its update) over m.
/// </summary>
/// <param name="Iteration">
/// The zero-based iteration, as the course prints it ("Cost after iteration 100"), or the epoch ("Cost after epoch
/// 1000"), numbered on from the network's CompletedEpochs.
/// </param>
/// <param name="Cost">The cost J by the network's loss (with the L2 term when the options ask for it).</param>
public readonly record struct TrainingRecord(int Iteration, double Cost);
