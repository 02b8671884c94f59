using System;
using System.ComponentModel;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// The updates of <see cref="Optimizers"/> written as plainly as possible: one element at a time, the course's
/// formula in its order. They define what the vectorised kernels must compute, bit for bit, and are what their tests
/// compare against.
/// </summary>
// Hidden from IntelliSense, as ReferenceDense: the plain definitions the tests hold the fast kernels to.
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ReferenceOptimizers
{
    /// <summary>
    /// <c>snapshot[k] = W[k]</c>; <c>W[k] = W[k] - rate g[k]</c>; whether every new <c>W[k]</c> is finite.
    /// </summary>
    public static bool GradientDescentWithSnapshot<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T rate, Span<T> snapshot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        Guard.Length<T>(snapshot, parameters.Length, nameof(snapshot), "same as parameters");
        bool finite = true;
        for (int k = 0; k < parameters.Length; k++)
        {
            snapshot[k] = parameters[k];
            parameters[k] = parameters[k] - rate * gradients[k];
            finite = finite && T.IsFinite(parameters[k]);
        }

        return finite;
    }

    /// <summary><c>v[k] = beta v[k] + (1 - beta) g[k]</c>; <c>W[k] = W[k] - rate v[k]</c>.</summary>
    public static void Momentum<T>(Span<T> parameters, Span<T> velocity, ReadOnlySpan<T> gradients, T rate, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(velocity, parameters.Length, nameof(velocity), "same as parameters");
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        for (int k = 0; k < parameters.Length; k++)
        {
            velocity[k] = beta * velocity[k] + (T.One - beta) * gradients[k];
            parameters[k] = parameters[k] - rate * velocity[k];
        }
    }

    /// <summary>
    /// <c>v[k] = beta1 v[k] + (1 - beta1) g[k]</c>; <c>s[k] = beta2 s[k] + (1 - beta2) g[k]^2</c>;
    /// <c>W[k] = W[k] - rate (v[k] / (1 - beta1^t)) / (sqrt(s[k] / (1 - beta2^t)) + epsilon)</c>, the corrections
    /// <c>1 - beta^t</c> computed in double and rounded once to <typeparamref name="T"/>.
    /// </summary>
    public static void Adam<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, T rate, T beta1, T beta2, T epsilon, long t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(v, parameters.Length, nameof(v), "same as parameters");
        Guard.Length<T>(s, parameters.Length, nameof(s), "same as parameters");
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        T correction1 = Optimizers.BiasCorrection(beta1, t);
        T correction2 = Optimizers.BiasCorrection(beta2, t);
        for (int k = 0; k < parameters.Length; k++)
        {
            T g = gradients[k];
            v[k] = beta1 * v[k] + (T.One - beta1) * g;
            s[k] = beta2 * s[k] + (T.One - beta2) * (g * g);
            T vCorrected = v[k] / correction1;
            T sCorrected = s[k] / correction2;
            parameters[k] = parameters[k] - rate * vCorrected / (T.Sqrt(sCorrected) + epsilon);
        }
    }

    /// <summary>
    /// For n parameters: <c>snapshot[0, n) = W</c>, <c>snapshot[n, 2n) = v</c>, <c>snapshot[2n, 3n) = s</c>; then
    /// <see cref="Adam{T}"/>; whether every new <c>W[k]</c> and <c>s[k]</c> is finite.
    /// </summary>
    public static bool AdamWithSnapshot<T>(Span<T> parameters, Span<T> v, Span<T> s, ReadOnlySpan<T> gradients, T rate, T beta1, T beta2, T epsilon, long t, Span<T> snapshot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length<T>(snapshot, 3L * parameters.Length, nameof(snapshot), "three times the parameters'");
        int n = parameters.Length;
        for (int k = 0; k < n; k++)
        {
            snapshot[k] = parameters[k];
            snapshot[n + k] = v[k];
            snapshot[(2 * n) + k] = s[k];
        }

        Adam(parameters, v, s, gradients, rate, beta1, beta2, epsilon, t);
        bool finite = true;
        for (int k = 0; k < n; k++)
        {
            finite = finite && T.IsFinite(parameters[k]) && T.IsFinite(s[k]);
        }

        return finite;
    }
}
