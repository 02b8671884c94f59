using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DnnGen.Kernels;

/// <summary>When full-batch gradient descent trains layer 1 in the span of the data (see <see cref="DataSpan"/>).</summary>
public enum DataSpanTraining
{
    /// <summary>When it pays, by <see cref="DataSpan.Pays"/>'s rule (the default).</summary>
    Automatic,

    /// <summary>Never: layer 1 is always trained directly, W1 updated in every iteration.</summary>
    Never,

    /// <summary>Whenever the training allows it, however few the iterations; for tests and measurements.</summary>
    Always,
}

/// <summary>
/// Training layer 1 in the span of the data. With gradient descent every update of W1 adds a combination of the
/// training examples: <c>dW1 = (1/m) dZ1 . X^T</c>. So after any number of iterations
/// <c>W1(t) = W1(0) + C(t) . X^T</c>, with C of shape (n[1], m) in the course's notation, and
/// <c>Z1 = W1 . X + b1 = Z1(0) + C . G + b1</c> with the Gram matrix <c>G = X^T . X</c> (m, m), computed once.
/// An iteration then costs n[1] m^2 multiply-adds for layer 1 instead of 2 n[1] n[0] m (and updates C, not W1):
/// for the course's cat network (n[0] = 12288, n[1] = 20, m = 209) about 0.9 million instead of 103 million.
/// </summary>
/// <remarks>
/// <para>
/// The generated full-batch <c>Train(x, y, iterations, learningRate)</c> of a float64 network with at least 512 inputs
/// whose layer 1 uses the vector kernels chooses this path at run time when <see cref="Pays"/> says so: when m is at most half of n[0] and the
/// iterations save more than the one-time work costs (G, n[0] m^2; Z1(0) and the weights and gradients made explicit at
/// the end, 3 n[1] n[0] m). The cat network's 2500-iteration application qualifies from 7 iterations on.
/// </para>
/// <para>
/// The numbers are those of the direct path up to rounding (the products are summed in another order): over the
/// course's 2500 iterations costs, accuracies and parameters agree within 1e-9 relative in double, and the path is
/// as deterministic as the direct one. W1 and dW1 are made explicit when training ends or fails, and whenever they
/// are read while it runs (Parameters, W1, Gradients, dW1, and everything that reads them, such as Predict from a
/// progress callback); weights written from a callback are honoured, as Z1(0) is then recomputed from them.
/// </para>
/// <para>
/// float32 networks train directly: G sums 12288 products per entry, and Z1 = Z1(0) + C . G cancels large terms, which
/// 24 bits do not survive (the cat application's costs drifted 17% from the direct float32 path's over 2500
/// iterations). Train(x, y, TrainingOptions) trains directly too, as does TrainStep.
/// </para>
/// </remarks>
public static class DataSpan
{
    private static volatile DataSpanTraining s_mode = DataSpanTraining.Automatic;

    /// <summary>
    /// Whether training may use the span of the data: <see cref="DataSpanTraining.Automatic"/> (the default),
    /// <see cref="DataSpanTraining.Never"/> or <see cref="DataSpanTraining.Always"/>. Read when a Train starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the enum's members.</exception>
    public static DataSpanTraining Mode
    {
        get => s_mode;
        set
        {
            if (value is not (DataSpanTraining.Automatic or DataSpanTraining.Never or DataSpanTraining.Always))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Expected DataSpanTraining.Automatic, Never or Always.");
            }

            s_mode = value;
        }
    }

    /// <summary>
    /// Whether <paramref name="updates"/> full-batch updates of a layer 1 of <paramref name="nOut"/> units over
    /// <paramref name="nIn"/> inputs, on <paramref name="m"/> examples, go faster in the span of the data under
    /// <see cref="Mode"/>. The rule of <see cref="DataSpanTraining.Automatic"/>: <c>2 m &lt;= nIn</c> (so that G, m^2
    /// values, takes at most half the memory of X) and
    /// <c>updates (2 nOut nIn m - nOut m^2) &gt; nIn m^2 + 3 nOut nIn m</c>, the multiply-adds saved against those spent once.
    /// </summary>
    public static bool Pays(int nIn, int nOut, int m, long updates)
    {
        if (nIn < 1 || nOut < 1 || m < 1 || updates < 1 || Dense.GramLength(m) > Array.MaxLength)
        {
            return false;
        }

        switch (s_mode)
        {
            case DataSpanTraining.Never:
                return false;
            case DataSpanTraining.Always:
                return true;
            default:
                double n0 = nIn, n1 = nOut, examples = m;
                double saved = updates * ((2 * n1 * n0 * examples) - (n1 * examples * examples));
                double spent = (n0 * examples * examples) + (3 * n1 * n0 * examples);
                return 2L * m <= nIn && saved > spent;
        }
    }
}

/// <summary>
/// The state of one network's layer 1 while <see cref="DataSpan"/> trains it: G, Z1(0), the coefficients C and the
/// copy kept for a rollback. Made by generated code, one per network, and reused by each Train.
/// </summary>
/// <typeparam name="T">The network's element type.</typeparam>
/// <remarks>
/// While a Train runs, the W1 region of the parameters holds the weights C refers to (W1(0), or the weights last made
/// explicit): <see cref="SyncWeights"/> makes them the current ones. Single-owner, like the network.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class DataSpanTrainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedBuffer<T> _parameters;
    private readonly AlignedBuffer<T> _gradients;
    private readonly int _nIn;
    private readonly int _nOut;
    private readonly int _biasOffset;

    private T[] _gram = Array.Empty<T>();        // G (m, stride): G[i, k] = x_i . x_k, the rows padded with zeros
    private T[] _zt = Array.Empty<T>();          // C . G (nOut, stride)
    private T[] _z0 = Array.Empty<T>();          // Z1(0) (m, nOut): the base weights times X, no bias
    private T[] _c = Array.Empty<T>();           // C, W1 = base + C . X, stored transposed, (m, nOut) as dZ1
    private T[] _kept = Array.Empty<T>();        // C before the last update
    private T[] _dZ = Array.Empty<T>();          // the last Backward's dZ1 (m, nOut)
    private T[] _zeros = Array.Empty<T>();       // a zero bias for G and Z1(0)
    private T[]? _product;                       // C . X (nOut, nIn), made on the first sync
    private T[]? _keptWeights;                   // W1 before the last update, explicit, once a sync replaced the base

    private T* _x;
    private int _m;
    private int _stride;           // the row length of G: m rounded up to whole vectors (Dense.GramStride)
    private bool _weightsStale;    // W1 in the parameters is the base, not base + C . X
    private bool _gradientsStale;  // dW1 in the gradients is not the last Backward's
    private bool _rebase;          // W1 in the parameters is explicit: Z1(0) must be recomputed from it and C zeroed
    private bool _keptValid;       // a rollback of the last update is possible
    private bool _keptExplicit;    // ... from _keptWeights rather than _kept

    /// <summary>Layer 1 of a network: W1 at <paramref name="weightsOffset"/> of the parameters, b1 right after it.</summary>
    public DataSpanTrainer(AlignedBuffer<T> parameters, AlignedBuffer<T> gradients, int weightsOffset, int nIn, int nOut)
    {
        Guard.AtLeast(nIn, 1, nameof(nIn));
        Guard.AtLeast(nOut, 1, nameof(nOut));
        Guard.AtLeastZero(weightsOffset, nameof(weightsOffset));
        Guard.Length<T>(parameters.Span, gradients.Length, nameof(gradients), "as many values as the parameters");
        if ((long)weightsOffset + ((long)nOut * nIn) + nOut > parameters.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(weightsOffset), weightsOffset, "Expected W1 and b1 inside the parameters.");
        }

        _parameters = parameters;
        _gradients = gradients;
        WeightsOffset = weightsOffset;
        _biasOffset = weightsOffset + (nOut * nIn);
        _nIn = nIn;
        _nOut = nOut;
    }

    /// <summary>The body of a Train in the span of the data, given the pinned examples.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public delegate TResult Body<TState, TResult>(TState state, ReadOnlySpan<T> x, ReadOnlySpan<T> y);

    /// <summary>Whether a Train is running in the span of the data now.</summary>
    public bool Active => _x != null;

    private int WeightsOffset { get; }

    private int WeightCount => _nOut * _nIn;

    private Span<T> Weights => _parameters.Slice(WeightsOffset, WeightCount);

    private ReadOnlySpan<T> X => new(_x, _m * _nIn);

    /// <summary>
    /// Runs <paramref name="body"/> with layer 1 in the span of <paramref name="x"/>, pinned meanwhile so that W1 can be
    /// made explicit whenever it is read; computes G first, and leaves W1 and dW1 explicit however the body ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">A Train in the span of the data is already running on this network.</exception>
    public TResult Train<TState, TResult>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, TState state, Body<TState, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (Active)
        {
            throw new InvalidOperationException("This network is already training in the span of its data: Train is single-owner.");
        }

        int m = Guard.ExampleCount(x, _nIn, nameof(x));
        fixed (T* pinned = x)
        {
            Begin(x, m);
            _x = pinned;
            try
            {
                return body(state, x, y);
            }
            finally
            {
                try
                {
                    // The weights before the last update are of no more use: only a step inside this Train rolls back.
                    _keptValid = false;
                    SyncWeights();
                    SyncGradients();
                }
                finally
                {
                    _x = null;
                    _gram = Array.Empty<T>();
                    _keptValid = false;
                    _weightsStale = false;
                    _gradientsStale = false;
                }
            }
        }
    }

    /// <summary>Z1 = Z1(0) + (C . G)^T + b1, (m, nOut): layer 1's linear step over the training examples.</summary>
    public void Forward(ReadOnlySpan<T> b1, Span<T> z1)
    {
        RequireActive();
        if (_rebase)
        {
            // The weights in the parameters are explicit (made so for a reader, perhaps written since): they become the
            // base, Z1(0) = W1 . X is recomputed from them, and C starts again from zero.
            Dense.Forward<T>(X, Weights, _zeros.AsSpan(0, _nOut), _z0, _nIn, _nOut);
            Array.Clear(_c);
            _rebase = false;
        }

        // (C . G)^T, computed as C . G (G is symmetric) over G's padded rows, then transposed with the bias and Z1(0) added.
        Dense.GramProduct<T>(_c, _gram, _zt, _m, _stride, _nOut);
        Guard.Length<T>(z1, (long)_m * _nOut, nameof(z1), "(m, n[1]) for the training examples");
        Guard.Length<T>(b1, _nOut, nameof(b1), "n[1]");
        // Unit by unit, so that C . G is read along its rows; the lengths are checked above, so no bounds checks.
        ref T z = ref MemoryMarshal.GetReference(z1);
        ref T z0 = ref MemoryMarshal.GetArrayDataReference(_z0);
        for (int j = 0; j < _nOut; j++)
        {
            T bias = b1[j];
            ref T product = ref MemoryMarshal.GetArrayDataReference(_zt);
            product = ref Unsafe.Add(ref product, j * _stride);
            nuint at = (nuint)j;
            for (int i = 0; i < _m; i++, at += (nuint)_nOut)
            {
                Unsafe.Add(ref z, at) = (Unsafe.Add(ref product, i) + bias) + Unsafe.Add(ref z0, at);
            }
        }
    }

    /// <summary>db1 = (1/m) sum over examples of dZ1, as <see cref="Dense.WeightGradients{T}"/> sums it; keeps dZ1 for the update.</summary>
    public void Backward(ReadOnlySpan<T> dZ1, Span<T> db1)
    {
        RequireActive();
        Guard.Length(dZ1, (long)_m * _nOut, nameof(dZ1), "(m, n[1]) for the training examples");
        Guard.Length<T>(db1, _nOut, nameof(db1), "n[1]");
        Dense.BiasGradient(dZ1, db1, _m, _nOut, T.One / T.CreateChecked(_m));
        dZ1.CopyTo(_dZ);
        _gradientsStale = true;
    }

    /// <summary>
    /// W1 -= rate dW1 in the span: C -= rate (1/m) dZ1^T, each coefficient rounded as the direct update rounds its
    /// weight's <c>p - rate * ((sum) * (1/m))</c>. Keeps C for <see cref="RollBack"/>; false when a coefficient is not finite.
    /// </summary>
    public bool Update(T rate)
    {
        RequireActive();
        Array.Copy(_c, _kept, _c.Length);
        _keptValid = true;
        _keptExplicit = false;
        T inverseM = T.One / T.CreateChecked(_m);
        Span<T> c = _c;
        ReadOnlySpan<T> dZ = _dZ;
        int index = 0;
        if (Vector.IsHardwareAccelerated && c.Length >= Vector<T>.Count)
        {
            // The scalar loop's multiplications and subtraction lane by lane (no fused multiply-add): the same bits.
            var rates = new Vector<T>(rate);
            var inverses = new Vector<T>(inverseM);
            for (; index <= c.Length - Vector<T>.Count; index += Vector<T>.Count)
            {
                (new Vector<T>(c[index..]) - (rates * (new Vector<T>(dZ[index..]) * inverses))).CopyTo(c[index..]);
            }
        }

        for (; index < c.Length; index++)
        {
            c[index] -= rate * (dZ[index] * inverseM);
        }

        _weightsStale = true;
        return TensorPrimitives.IsFiniteAll<T>(_c);
    }

    /// <summary>Undoes the last <see cref="Update"/> of W1 (once); false when there is none to undo.</summary>
    public bool RollBack()
    {
        if (!_keptValid)
        {
            return false;
        }

        _keptValid = false;
        if (_keptExplicit)
        {
            // A reader made W1 explicit after the update, and the base then moved: the weights before it were kept whole.
            _keptWeights.AsSpan(0, WeightCount).CopyTo(Weights);
            Array.Clear(_c);
            _weightsStale = false;
            _rebase = true;
        }
        else
        {
            Array.Copy(_kept, _c, _c.Length);
            _weightsStale = true;
        }

        return true;
    }

    /// <summary>
    /// Makes W1 in the parameters the current weights, base + C . X (a no-op unless a Train in the span runs and has
    /// updated since): called by the generated W1 and Parameters before they hand out the weights, and before anything
    /// writes them. The next iteration then takes them as its base.
    /// </summary>
    public void SyncWeights()
    {
        if (!_weightsStale || !Active)
        {
            return;
        }

        if (_keptValid && !_keptExplicit)
        {
            // The base is about to be replaced: keep the weights before the last update whole, for a rollback.
            _keptWeights ??= new T[WeightCount];
            Combine(_kept, _keptWeights, addBase: true);
            _keptExplicit = true;
        }

        _product ??= new T[WeightCount];
        Combine(_c, _product, addBase: false);
        Span<T> weights = Weights;
        TensorPrimitives.Add(weights, _product, weights);
        _weightsStale = false;
        _rebase = true;
    }

    /// <summary>
    /// Makes dW1 in the gradients the last Backward's, (1/m) dZ1 . X^T as the direct path computes it (a no-op unless a
    /// Train in the span runs and has gone backward since): called by the generated dW1 and Gradients.
    /// </summary>
    public void SyncGradients()
    {
        if (!_gradientsStale || !Active)
        {
            return;
        }

        Dense.WeightGradients<T>(_dZ, X, _gradients.Slice(WeightsOffset, WeightCount), _gradients.Slice(_biasOffset, _nOut), _nIn, _nOut);
        _gradientsStale = false;
    }

    // result = coefficients . X, plus the base (the W1 region of the parameters) when addBase.
    private void Combine(T[] coefficients, T[] result, bool addBase)
    {
        Span<T> sum = result.AsSpan(0, WeightCount);
        Dense.Combination<T>(coefficients, X, sum, _nIn, _nOut);
        if (addBase)
        {
            TensorPrimitives.Add(sum, Weights, sum);
        }
    }

    private void Begin(ReadOnlySpan<T> x, int m)
    {
        if (Dense.GramLength(m) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(x), m, "Expected at most 46,336 examples for training in the span of the data.");
        }

        _stride = Dense.GramStride(m);
        if (_m != m || _c.Length == 0)
        {
            _z0 = new T[m * _nOut];
            _c = new T[m * _nOut];
            _kept = new T[m * _nOut];
            _dZ = new T[m * _nOut];
            _zeros = new T[Math.Max(m, _nOut)];
            _zt = new T[_nOut * _stride];
        }

        _m = m;
        _gram = new T[Dense.GramLength(m)];
        Gram(x, m);
        Array.Clear(_c);
        _keptValid = false;
        _weightsStale = false;
        _gradientsStale = false;
        _rebase = true;
    }

    // G = X^T . X in the course's terms: with examples as rows, G[i, k] = x_i . x_k, the forward product of X with itself.
    // G is symmetric, so only the blocks of rows on and right of the diagonal are computed (58% of the work for m = 209),
    // each by Dense.Forward, and mirrored: every G[i, k] is the dot product the whole product would give, bit for bit.
    private void Gram(ReadOnlySpan<T> x, int m)
    {
        const int Rows = 32;
        var part = new T[Math.Min(Rows, m) * m];
        for (int r0 = 0; r0 < m; r0 += Rows)
        {
            int rows = Math.Min(Rows, m - r0);
            int columns = m - r0;
            Span<T> block = part.AsSpan(0, rows * columns);
            Dense.Forward<T>(x.Slice(r0 * _nIn, rows * _nIn), x.Slice(r0 * _nIn, columns * _nIn), _zeros.AsSpan(0, columns), block, _nIn, columns);
            for (int i = 0; i < rows; i++)
            {
                for (int k = 0; k < columns; k++)
                {
                    T value = block[(i * columns) + k];
                    _gram[((r0 + i) * _stride) + r0 + k] = value;
                    _gram[((r0 + k) * _stride) + r0 + i] = value;
                }
            }
        }
    }

    private void RequireActive()
    {
        if (!Active)
        {
            throw new InvalidOperationException("Layer 1 is not training in the span of the data: this is called only inside DataSpanTrainer.Train.");
        }
    }
}
