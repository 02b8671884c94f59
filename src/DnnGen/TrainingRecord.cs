namespace DnnGen;

/// <summary>The cost of the network on the training set before the update of one gradient-descent iteration.</summary>
/// <param name="Iteration">The zero-based iteration, as the course prints it ("Cost after iteration 100").</param>
/// <param name="Cost">The binary cross-entropy cost J of that iteration's forward pass.</param>
public readonly record struct TrainingRecord(int Iteration, double Cost);
