using System.ComponentModel;

namespace DnnGen.Kernels;

/// <summary>
/// The activation functions and their backward steps, element by element over example-major spans, and one value at a
/// time. Each activation lives in its own file under <c>Kernels/Activations</c>, with its scalar form, its span forward
/// and its span backward side by side.
/// </summary>
/// <remarks>
/// <para>
/// Forward and Backward call the span forms; a network whose layers are all straight-line code calls the scalar forms
/// from its fused Predict. The rule that makes the two agree exactly: <b>each span form gives, element by element, the
/// bits of its scalar form</b>. A span form is vectorised only where the vector operations are the scalar ones
/// lane by lane (comparisons, selections, IEEE 754 maximum, one multiplication or subtraction each, never a fused
/// multiply-add); anything with <c>exp</c> or <c>tanh</c> runs the scalar form element by element, because a vectorised
/// exp may differ from <c>T.Exp</c> in the last bit. Softmax is not element-wise; its span form fixes an evaluation
/// order (see <see cref="Softmax{T}"/>) that a fused Predict must write out the same way.
/// </para>
/// <para>
/// Backward forms take what the course's <c>*_backward</c> functions take: Z for relu, leaky relu and sigmoid, A for
/// tanh and softmax (whose derivatives are cheapest in terms of A), nothing for linear.
/// </para>
/// </remarks>
// Hidden from IntelliSense: only generated code calls it (users call the network's Forward and Predict).
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Activations
{
}
