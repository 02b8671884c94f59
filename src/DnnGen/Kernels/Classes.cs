using System;
using System.ComponentModel;
using System.Numerics;

namespace DnnGen.Kernels;

/// <summary>
/// A softmax classifier's two label forms, one-hot rows and class indices, turned into each other, and the arg-max of
/// its outputs: what the generated PredictClasses, Accuracy and class-index overloads are made of.
/// </summary>
// Hidden from IntelliSense: only generated code calls it (users call the network's PredictClasses and Accuracy).
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Classes
{
    /// <summary>
    /// <c>classes[i] = argmax_j outputs[i, j]</c> for each of the m examples of an example-major (m, n) span: the index
    /// of the largest of its n values, the first of equal ones (as NumPy's <c>argmax</c>).
    /// </summary>
    /// <param name="outputs">The outputs, (m, n) example-major; m is <c>classes.Length</c>.</param>
    /// <param name="classes">Receives each example's class.</param>
    /// <param name="n">The number of classes.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a value is NaN (so no class is the largest).</exception>
    public static void ArgMax<T>(ReadOnlySpan<T> outputs, Span<int> classes, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.AtLeast(n, 1, nameof(n));
        Guard.Length<T>(outputs, (long)classes.Length * n, nameof(outputs), "n values for each example of classes");
        for (int i = 0; i < classes.Length; i++)
        {
            ReadOnlySpan<T> row = outputs.Slice(i * n, n);
            int best = 0;
            for (int j = 0; j < n; j++)
            {
                if (T.IsNaN(row[j]))
                {
                    throw new ArgumentException($"Expected numbers, but example {i} holds NaN at value {j}, so it has no largest output.", nameof(outputs));
                }

                if (row[j] > row[best])
                {
                    best = j;
                }
            }

            classes[i] = best;
        }
    }

    /// <summary>
    /// The one-hot rows of <paramref name="classes"/>: row i of <paramref name="labels"/> (n values) is 1 at
    /// <c>classes[i]</c> and 0 elsewhere.
    /// </summary>
    /// <param name="classes">Class indices in 0 .. n - 1, one per example.</param>
    /// <param name="labels">Receives the one-hot labels, (m, n) example-major.</param>
    /// <param name="n">The number of classes.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or an index is out of range.</exception>
    public static void ToOneHot<T>(ReadOnlySpan<int> classes, Span<T> labels, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ClassIndices(classes, n, nameof(classes));
        Guard.Length<T>(labels, (long)classes.Length * n, nameof(labels), "n values for each example of classes");
        labels.Clear();
        for (int i = 0; i < classes.Length; i++)
        {
            labels[(i * n) + classes[i]] = T.One;
        }
    }

    /// <summary>The class of each one-hot row of <paramref name="labels"/>: the index of its 1.</summary>
    /// <param name="labels">One-hot labels, (m, n) example-major; m is <c>classes.Length</c>.</param>
    /// <param name="classes">Receives each example's class.</param>
    /// <param name="n">The number of classes.</param>
    /// <param name="argumentName">The name the error messages give <paramref name="labels"/>.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a row is not one-hot (the message names the example).</exception>
    public static void FromOneHot<T>(ReadOnlySpan<T> labels, Span<int> classes, int n, string argumentName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.AtLeast(n, 1, nameof(n));
        Guard.Length<T>(labels, (long)classes.Length * n, argumentName, "n values for each example of classes");
        for (int i = 0; i < classes.Length; i++)
        {
            classes[i] = Guard.OneHotClass(labels.Slice(i * n, n), i, argumentName);
        }
    }

    /// <summary>The fraction of <paramref name="predicted"/> equal to <paramref name="classes"/>, index by index.</summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0.</exception>
    public static double Agreement(ReadOnlySpan<int> predicted, ReadOnlySpan<int> classes)
    {
        Guard.AtLeast(classes.Length, 1, "classes.Length");
        Guard.Length<int>(predicted, classes.Length, nameof(predicted), "one class for each of classes");
        int correct = 0;
        for (int i = 0; i < classes.Length; i++)
        {
            correct += predicted[i] == classes[i] ? 1 : 0;
        }

        return (double)correct / classes.Length;
    }
}
