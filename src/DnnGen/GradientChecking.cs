using System;
using System.Numerics;
using DnnGen.Kernels;

namespace DnnGen;

/// <summary>
/// Course 2's gradient checking ("Gradient Checking" notebook) for any generated network: the gradients of its Backward
/// against centred differences of its cost, <c>gradapprox[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)</c>,
/// compared by <c>difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)</c> (2-norms over every parameter).
/// A correct backward gives about 1e-7 or less in double precision with eps = 1e-7; the course calls anything above
/// <see cref="Threshold"/> a mistake.
/// </summary>
/// <remarks>
/// <para>
/// Parameters are taken in the order of <c>Parameters</c> (W1 row-major, b1, W2, b2, ...), the course's
/// <c>dictionary_to_vector</c> order. The cost is the network's own (its ComputeCost) with, when <c>l2</c> is not 0,
/// the Regularization notebook's term <c>lambd / (2m) sum_l ||W[l]||^2</c>, and the gradients then gain
/// <c>(lambd / m) W[l]</c>. Dropout never takes part: the check is of the deterministic network.
/// </para>
/// <para>
/// It costs two forward passes per parameter: meant for small networks and a few examples, as the course uses it.
/// Each perturbed parameter is put back exactly (its original bits) before the next one is changed, and all of them on
/// any exception; the training caches (Z, A, the gradients) are those of the last pass when it returns.
/// </para>
/// <para>
/// In a float network, <c>theta + eps</c> rounds to float: use an epsilon near 1e-3 there, and expect differences
/// near 1e-3 even for a correct backward.
/// </para>
/// </remarks>
public static class GradientChecking
{
    /// <summary>The course's epsilon, 1e-7.</summary>
    public const double DefaultEpsilon = 1e-7;

    /// <summary>The course's threshold: a difference above 2e-7 means there is a mistake in the backward propagation.</summary>
    public const double Threshold = 2e-7;

    /// <summary>
    /// Runs the whole check on <paramref name="network"/>: its Backward's gradients, the centred differences, and their
    /// <see cref="Difference"/>.
    /// </summary>
    /// <param name="network">The network; its parameters are unchanged afterwards.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="y">Their labels, in the form the network's loss takes.</param>
    /// <param name="epsilon">The perturbation, finite and greater than zero.</param>
    /// <param name="l2">The course's lambd, finite and at least 0 (0: no L2 term).</param>
    /// <returns>The relative difference.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> or <paramref name="l2"/> is out of range.</exception>
    public static double Check<T>(INetwork<T> network, ReadOnlySpan<T> x, ReadOnlySpan<T> y, double epsilon = DefaultEpsilon, double l2 = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var gradients = new double[network.Parameters.Length];
        var approximation = new double[gradients.Length];
        Gradients(network, x, y, gradients, l2);
        Approximate(network, x, y, approximation, epsilon, l2);
        return Difference(gradients, approximation);
    }

    /// <summary>
    /// The gradients of the cost (with the L2 term when <paramref name="l2"/> is not 0) by the network's Forward and
    /// Backward, in the order of Parameters, widened to double.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="y">Their labels.</param>
    /// <param name="gradients">Receives one gradient per parameter: exactly Parameters.Length values.</param>
    /// <param name="l2">The course's lambd, finite and at least 0.</param>
    /// <exception cref="ArgumentException"><paramref name="gradients"/> has the wrong length.</exception>
    public static void Gradients<T>(INetwork<T> network, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<double> gradients, double l2 = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length<double>(gradients, network.Parameters.Length, nameof(gradients), "one per parameter");
        Regularization.Lambda(l2, nameof(l2));
        network.Forward(x);
        network.Backward(x, y);
        ReadOnlySpan<T> computed = network.Gradients;
        for (int i = 0; i < gradients.Length; i++)
        {
            gradients[i] = double.CreateTruncating(computed[i]);
        }

        if (l2 != 0)
        {
            // dW[l] += (lambd / m) W[l], as backward_propagation_with_regularization adds it (in T, as Train does).
            int m = x.Length / network.LayerSizes[0];
            T lambdaOverM = T.CreateTruncating(l2 / m);
            ReadOnlySpan<T> parameters = network.Parameters;
            foreach (LayerSlot slot in ParameterLayout.Of(network.LayerSizes))
            {
                for (int i = slot.WeightOffset; i < slot.BiasOffset; i++)
                {
                    gradients[i] = double.CreateTruncating(computed[i] + (lambdaOverM * parameters[i]));
                }
            }
        }
    }

    /// <summary>
    /// The course's gradapprox: for every parameter theta_i in turn, <c>(J(theta_i + eps) - J(theta_i - eps)) / (2 eps)</c>,
    /// J the network's cost (with the L2 term when <paramref name="l2"/> is not 0), the parameter restored after each.
    /// </summary>
    /// <param name="network">The network; its parameters are unchanged afterwards, also when this throws.</param>
    /// <param name="x">m examples, example-major, finite.</param>
    /// <param name="y">Their labels.</param>
    /// <param name="approximation">Receives one value per parameter: exactly Parameters.Length values.</param>
    /// <param name="epsilon">The perturbation, finite and greater than zero.</param>
    /// <param name="l2">The course's lambd, finite and at least 0.</param>
    /// <exception cref="ArgumentException"><paramref name="approximation"/> has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> or <paramref name="l2"/> is out of range.</exception>
    public static void Approximate<T>(INetwork<T> network, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<double> approximation, double epsilon = DefaultEpsilon, double l2 = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        Guard.Length<double>(approximation, network.Parameters.Length, nameof(approximation), "one per parameter");
        T step = Guard.LearningRate<T>(epsilon, nameof(epsilon));
        Regularization.Lambda(l2, nameof(l2));
        Span<T> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            T original = parameters[i];
            try
            {
                parameters[i] = original + step;
                double plus = Cost(network, x, y, l2);
                parameters[i] = original - step;
                double minus = Cost(network, x, y, l2);
                approximation[i] = (plus - minus) / (2 * epsilon);
            }
            finally
            {
                parameters[i] = original;
            }
        }
    }

    /// <summary>
    /// <c>||grad - gradapprox|| / (||grad|| + ||gradapprox||)</c>, the course's difference (0 when both are zero).
    /// </summary>
    /// <param name="gradients">The backward's gradients.</param>
    /// <param name="approximation">The centred differences, as many.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double Difference(ReadOnlySpan<double> gradients, ReadOnlySpan<double> approximation)
    {
        Guard.Length<double>(approximation, gradients.Length, nameof(approximation), "same as gradients");
        double numerator = 0;
        double gradientNorm = 0;
        double approximationNorm = 0;
        for (int i = 0; i < gradients.Length; i++)
        {
            double d = gradients[i] - approximation[i];
            numerator += d * d;
            gradientNorm += gradients[i] * gradients[i];
            approximationNorm += approximation[i] * approximation[i];
        }

        double denominator = Math.Sqrt(gradientNorm) + Math.Sqrt(approximationNorm);
        return denominator == 0 ? 0 : Math.Sqrt(numerator) / denominator;
    }

    /// <summary>The network's cost on x, y, plus lambd / (2m) sum ||W[l]||^2 when <paramref name="l2"/> is not 0.</summary>
    private static double Cost<T>(INetwork<T> network, ReadOnlySpan<T> x, ReadOnlySpan<T> y, double l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        network.Forward(x);
        double cost = network.ComputeCost(y);
        if (l2 == 0)
        {
            return cost;
        }

        double squares = 0;
        ReadOnlySpan<T> parameters = network.Parameters;
        foreach (LayerSlot slot in ParameterLayout.Of(network.LayerSizes))
        {
            squares += Regularization.L2Penalty(parameters.Slice(slot.WeightOffset, slot.WeightCount));
        }

        return cost + Regularization.L2Cost(squares, l2, x.Length / network.LayerSizes[0]);
    }
}
