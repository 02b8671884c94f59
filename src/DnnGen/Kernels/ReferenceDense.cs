using System;
using System.ComponentModel;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// The dense-layer kernels written as plainly as possible: triple loops in the textbook order, no blocking, no
/// vectors. They define what <see cref="Dense"/> must compute and are what its tests compare against.
/// </summary>
/// <remarks>
/// Layout (example-major, the course's matrices transposed): <c>aPrev</c> is (m, nIn), <c>z</c>, <c>dZ</c> are
/// (m, nOut), <c>w</c>, <c>dW</c> are (nOut, nIn) row-major as the course's W[l], <c>b</c>, <c>db</c> have nOut values.
/// </remarks>
// Hidden from IntelliSense: the definition Dense is tested against, public for the test and benchmark projects;
// no user code and no generated code calls it.
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ReferenceDense
{
    /// <summary><c>Z = W . A_prev + b</c>: <c>z[i, j] = sum_k w[j, k] * aPrev[i, k] + b[j]</c>.</summary>
    public static void Forward<T>(ReadOnlySpan<T> aPrev, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> z, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(aPrev, w, z, nIn, nOut, nameof(aPrev), nameof(w), nameof(z));
        Guard.Length(b, nOut, nameof(b), "nOut");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < nOut; j++)
            {
                T sum = T.Zero;
                for (int k = 0; k < nIn; k++)
                {
                    sum += w[j * nIn + k] * aPrev[i * nIn + k];
                }

                z[i * nOut + j] = sum + b[j];
            }
        }
    }

    /// <summary><c>dW = (1/m) dZ . A_prev^T</c> and <c>db = (1/m) sum over examples of dZ</c>.</summary>
    public static void WeightGradients<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> aPrev, Span<T> dW, Span<T> db, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(aPrev, dW, dZ, nIn, nOut, nameof(aPrev), nameof(dW), nameof(dZ));
        Guard.Length<T>(db, nOut, nameof(db), "nOut");
        T inverseM = T.One / T.CreateChecked(m);
        for (int j = 0; j < nOut; j++)
        {
            T biasSum = T.Zero;
            for (int i = 0; i < m; i++)
            {
                biasSum += dZ[i * nOut + j];
            }

            db[j] = inverseM * biasSum;
            for (int k = 0; k < nIn; k++)
            {
                T sum = T.Zero;
                for (int i = 0; i < m; i++)
                {
                    sum += dZ[i * nOut + j] * aPrev[i * nIn + k];
                }

                dW[j * nIn + k] = inverseM * sum;
            }
        }
    }

    /// <summary><c>dA_prev = W^T . dZ</c>: <c>dAPrev[i, k] = sum_j w[j, k] * dZ[i, j]</c>.</summary>
    public static void InputGradient<T>(ReadOnlySpan<T> dZ, ReadOnlySpan<T> w, Span<T> dAPrev, int nIn, int nOut)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = DenseShapes.Check(dAPrev, w, dZ, nIn, nOut, nameof(dAPrev), nameof(w), nameof(dZ));
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < nIn; k++)
            {
                T sum = T.Zero;
                for (int j = 0; j < nOut; j++)
                {
                    sum += w[j * nIn + k] * dZ[i * nOut + j];
                }

                dAPrev[i * nIn + k] = sum;
            }
        }
    }

    /// <summary><c>parameters = parameters - learningRate * gradients</c>, as the course's update_parameters.</summary>
    public static void GradientDescent<T>(Span<T> parameters, ReadOnlySpan<T> gradients, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.Length(gradients, parameters.Length, nameof(gradients), "same as parameters");
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] -= learningRate * gradients[i];
        }
    }
}

/// <summary>Shape checks shared by <see cref="Dense"/> and <see cref="ReferenceDense"/>.</summary>
internal static class DenseShapes
{
    /// <summary>
    /// Checks that <paramref name="weights"/> is (nOut, nIn), that <paramref name="inputs"/> holds m rows of nIn and
    /// <paramref name="outputs"/> the same m rows of nOut; returns m.
    /// </summary>
    public static int Check<T>(ReadOnlySpan<T> inputs, ReadOnlySpan<T> weights, ReadOnlySpan<T> outputs, int nIn, int nOut, string inputsName, string weightsName, string outputsName)
    {
        Guard.AtLeast(nIn, 1, nameof(nIn));
        Guard.AtLeast(nOut, 1, nameof(nOut));
        Guard.Length(weights, (long)nOut * nIn, weightsName, "(nOut, nIn)");
        int m = Guard.ExampleCount(inputs, nIn, inputsName);
        Guard.Length(outputs, (long)m * nOut, outputsName, "(m, nOut)");
        return m;
    }
}
