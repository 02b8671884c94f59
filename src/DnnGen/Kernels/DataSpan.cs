using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DnnGen.Kernels;

/// <summary>When full-batch gradient descent or momentum trains layer 1 in the span of the data (see <see cref="DataSpan"/>).</summary>
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
/// The generated <c>Train(x, y, TrainingOptions)</c> of such a network takes the path by the same rule, with one update
/// per epoch (<c>updates</c> = Epochs), for full batches (MiniBatchSize 0, or at least m: one batch of all m examples,
/// taken in their order, the same gradient) with gradient descent or momentum and no dropout, with or without L2 and
/// learning-rate decay. L2 scales the share of the base: <c>W1 = c W1(0) + C . X^T</c>, and
/// <c>dW1 = (lambd/m) c W1(0) + ((1/m) dZ1 + (lambd/m) C) . X^T</c>, so gradient descent gives
/// <c>c -= rate (lambd/m) c</c> and <c>C -= rate ((1/m) dZ1 + (lambd/m) C)</c>; momentum keeps v_dW1 in the span alike
/// (see <see cref="DataSpanTrainer{T}"/>), formed when training ends and whenever it is read. The L2 cost's sum(W1^2) is
/// <c>||c W1(0)||^2 + 2 &lt;c Z1(0), C&gt; + trace(C G C^T)</c>, from Z1(0) and C . G. Adam (its elementwise square root
/// leaves the span), mini-batches and dropout train directly.
/// </para>
/// <para>
/// float32 networks train directly: G sums 12288 products per entry, and Z1 = Z1(0) + C . G cancels large terms, which
/// 24 bits do not survive (the cat application's costs drifted 17% from the direct float32 path's over 2500
/// iterations). TrainStep trains directly too.
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
        if (nIn < 1 || nOut < 1 || m < 1 || updates < 1 || !Dense.GramFits(m))
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
/// copy kept for a rollback; under momentum, the velocity's coefficients too. Made by generated code, one per network,
/// and reused by each Train.
/// </summary>
/// <typeparam name="T">The network's element type.</typeparam>
/// <remarks>
/// <para>
/// While a Train runs, the W1 region of the parameters holds the base B the weights refer to (W1(0), or the weights last
/// made explicit), and the W1 region of the velocity, if any, the velocity's base Bv (v_dW1(0), or the velocity last
/// made explicit). In the course's shapes, with X (n[0], m):
/// <c>W1 = a B + b Bv + C . X^T</c> and <c>v_dW1 = e B + f Bv + V . X^T</c>, with scalars a, b, e, f (1, 0, 0, 1 at the
/// start: plain gradient descent moves only C) and coefficients C and V (n[1], m). L2 scales the bases' share by
/// <c>1 - rate lambd / m</c> every update; momentum mixes the two bases. <see cref="SyncWeights"/> makes both the current
/// ones, and they become the new bases.
/// </para>
/// <para>Single-owner, like the network.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class DataSpanTrainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedBuffer<T> _parameters;
    private readonly AlignedBuffer<T> _gradients;
    private readonly AlignedBuffer<T> _velocity;
    private readonly bool _hasVelocity;
    private readonly int _nIn;
    private readonly int _nOut;
    private readonly int _biasOffset;

    private AlignedBuffer<T> _gram;              // G (m, stride): G[i, k] = x_i . x_k, the rows padded with zeros, on a
                                                 // cache line, so that GramProduct's two-vector loads touch one line each
    private T[] _zt = Array.Empty<T>();          // C . G (nOut, stride)
    private T[] _z0 = Array.Empty<T>();          // Z1(0) (m, nOut): the base B times X, no bias
    private T[] _zv = Array.Empty<T>();          // Bv times X (m, nOut), under momentum when Bv is not zero
    private T[] _c = Array.Empty<T>();           // C, W1's coefficients, stored transposed, (m, nOut) as dZ1
    private T[] _v = Array.Empty<T>();           // V, v_dW1's coefficients, (m, nOut), under momentum
    private T[] _kept = Array.Empty<T>();        // C before the last update
    private T[] _keptV = Array.Empty<T>();       // V before the last update
    private T[] _dZ = Array.Empty<T>();          // the last Backward's dZ1 (m, nOut)
    private T[] _zeros = Array.Empty<T>();       // a zero bias for G and Z1(0)
    private T[]? _product;                       // C . X (nOut, nIn), made on the first sync
    private T[]? _velocityProduct;               // v_dW1 made explicit before it is stored, (nOut, nIn)
    private T[]? _keptWeights;                   // W1 before the last update, explicit, once a sync replaced the base
    private T[]? _keptVelocity;                  // v_dW1 before the last update, explicit, alike

    private Scalars _scalars = Scalars.Identity; // a, b, e, f
    private Scalars _keptScalars;                // ... before the last update
    private double _baseSquares;                 // ||B||^2, <B, Bv>, ||Bv||^2 for the L2 cost, computed when first asked
    private double _crossSquares;
    private double _velocitySquares;

    private T* _x;
    private int _m;
    private int _stride;           // the row length of G: m rounded up to whole vectors (Dense.GramStride)
    private T _gradientL2;         // lambd / m of the last update: dW1 then holds (lambd / m) W1 of the forward before it
    private bool _weightsStale;    // W1 in the parameters is the base, not a B + b Bv + C . X^T
    private bool _velocityStale;   // v_dW1 in the velocity is its base, not e B + f Bv + V . X^T
    private bool _gradientsStale;  // dW1 in the gradients is not the last Backward's
    private bool _gradientFromKept; // the last Backward's forward ran on the kept weights (an update followed it)
    private bool _rebase;          // the bases are new: Z1(0), Bv . X and their squares must be recomputed from them
    private bool _normsValid;      // _baseSquares and the rest are those of the bases
    private bool _velocityBaseZero; // Bv is zero: its terms are left out
    private bool _keptValid;       // a rollback of the last update is possible
    private bool _keptExplicit;    // ... from _keptWeights (and _keptVelocity) rather than _kept
    private bool _keptVelocityStale; // _velocityStale before the last update

    /// <summary>Layer 1 of a network: W1 at <paramref name="weightsOffset"/> of the parameters, b1 right after it.</summary>
    public DataSpanTrainer(AlignedBuffer<T> parameters, AlignedBuffer<T> gradients, int weightsOffset, int nIn, int nOut)
        : this(parameters, gradients, default, hasVelocity: false, weightsOffset, nIn, nOut)
    {
    }

    /// <summary>
    /// Layer 1 of a network: W1 at <paramref name="weightsOffset"/> of the parameters, b1 right after it, and, for
    /// momentum (<see cref="UpdateWithMomentum"/>), v_dW1 at the same offset of <paramref name="velocity"/>.
    /// </summary>
    public DataSpanTrainer(AlignedBuffer<T> parameters, AlignedBuffer<T> gradients, AlignedBuffer<T> velocity, int weightsOffset, int nIn, int nOut)
        : this(parameters, gradients, velocity, hasVelocity: true, weightsOffset, nIn, nOut)
    {
    }

    private DataSpanTrainer(AlignedBuffer<T> parameters, AlignedBuffer<T> gradients, AlignedBuffer<T> velocity, bool hasVelocity, int weightsOffset, int nIn, int nOut)
    {
        Guard.AtLeast(nIn, 1, nameof(nIn));
        Guard.AtLeast(nOut, 1, nameof(nOut));
        Guard.AtLeastZero(weightsOffset, nameof(weightsOffset));
        Guard.Length<T>(parameters.Span, gradients.Length, nameof(gradients), "as many values as the parameters");
        if (hasVelocity)
        {
            Guard.Length<T>(parameters.Span, velocity.Length, nameof(velocity), "as many values as the parameters");
        }

        if ((long)weightsOffset + ((long)nOut * nIn) + nOut > parameters.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(weightsOffset), weightsOffset, "Expected W1 and b1 inside the parameters.");
        }

        _parameters = parameters;
        _gradients = gradients;
        _velocity = velocity;
        _hasVelocity = hasVelocity;
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

    private Span<T> VelocityWeights => _velocity.Slice(WeightsOffset, WeightCount);

    private ReadOnlySpan<T> X => new(_x, _m * _nIn);

    /// <summary>
    /// Runs <paramref name="body"/> with layer 1 in the span of <paramref name="x"/>, pinned meanwhile so that W1 can be
    /// made explicit whenever it is read; computes G first, and leaves W1, dW1 and v_dW1 explicit however the body ends.
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
                    // dW1 first: with L2 it may need the weights before the last update. Those are then of no more use:
                    // only a step inside this Train rolls back.
                    SyncGradients();
                    _keptValid = false;
                    SyncWeights();
                }
                finally
                {
                    _x = null;
                    _gram = default;
                    _keptValid = false;
                    _weightsStale = false;
                    _velocityStale = false;
                    _gradientsStale = false;
                }
            }
        }
    }

    /// <summary>
    /// Z1 = a Z1(0) + b Bv . X + (C . G)^T + b1, (m, nOut): layer 1's linear step over the training examples (plain
    /// gradient descent: Z1(0) + (C . G)^T + b1).
    /// </summary>
    public void Forward(ReadOnlySpan<T> b1, Span<T> z1)
    {
        RequireActive();
        if (_rebase)
        {
            // The bases in the parameters (and the velocity) are explicit weights (made so for a reader, perhaps written
            // since): Z1(0) = B . X, and Bv . X, are recomputed from them; C and V are already zero.
            Dense.Forward<T>(X, Weights, _zeros.AsSpan(0, _nOut), _z0, _nIn, _nOut);
            _velocityBaseZero = !_hasVelocity || IsZero(VelocityWeights);
            if (!_velocityBaseZero)
            {
                Dense.Forward<T>(X, VelocityWeights, _zeros.AsSpan(0, _nOut), _zv, _nIn, _nOut);
            }

            _normsValid = false;
            _rebase = false;
        }

        // (C . G)^T, computed as C . G (G is symmetric) over G's padded rows, then transposed with the bias and Z1(0) added.
        Dense.GramProduct<T>(_c, _gram.Span, _zt, _m, _stride, _nOut);
        Guard.Length<T>(z1, (long)_m * _nOut, nameof(z1), "(m, n[1]) for the training examples");
        Guard.Length<T>(b1, _nOut, nameof(b1), "n[1]");
        T a = _scalars.WeightsOnBase;
        T b = _velocityBaseZero ? T.Zero : _scalars.WeightsOnVelocityBase;
        if (a == T.One && b == T.Zero)
        {
            // Plain gradient descent: unit by unit, so that C . G is read along its rows; the lengths are checked above,
            // so no bounds checks.
            ref T z = ref MemoryMarshal.GetReference(z1);
            ref T z0 = ref MemoryMarshal.GetArrayDataReference(_z0);
            for (int j = 0; j < _nOut; j++)
            {
                T bias = b1[j];
                ref T product = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_zt), j * _stride);
                nuint at = (nuint)j;
                for (int i = 0; i < _m; i++, at += (nuint)_nOut)
                {
                    Unsafe.Add(ref z, at) = (Unsafe.Add(ref product, i) + bias) + Unsafe.Add(ref z0, at);
                }
            }

            return;
        }

        for (int i = 0; i < _m; i++)
        {
            Span<T> row = z1.Slice(i * _nOut, _nOut);
            ReadOnlySpan<T> baseRow = _z0.AsSpan(i * _nOut, _nOut);
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = (_zt[(j * _stride) + i] + b1[j]) + (a * baseRow[j]);
            }

            if (b != T.Zero)
            {
                ReadOnlySpan<T> velocityRow = _zv.AsSpan(i * _nOut, _nOut);
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] += b * velocityRow[j];
                }
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
        _gradientFromKept = false;
        _gradientL2 = T.Zero;
    }

    /// <summary>
    /// W1 -= rate dW1 in the span: C -= rate (1/m) dZ1^T, each coefficient rounded as the direct update rounds its
    /// weight's <c>p - rate * ((sum) * (1/m))</c>. Keeps C for <see cref="RollBack"/>; false when a coefficient is not finite.
    /// </summary>
    public bool Update(T rate) => Update(rate, T.Zero);

    /// <summary>
    /// Gradient descent with L2 in the span, <c>W1 -= rate dW1</c> with <c>dW1 = (1/m) dZ1 . X^T + (lambd / m) W1</c>:
    /// as <c>W1 = a B + b Bv + C . X^T</c>, <c>dW1 = (lambd / m)(a B + b Bv) + ((1/m) dZ1 + (lambd / m) C) . X^T</c>, so
    /// <c>a -= rate (lambd / m) a</c> (b alike) and <c>C -= rate ((1/m) dZ1 + (lambd / m) C)</c>, each coefficient's
    /// gradient rounded as the direct path rounds a weight's, <c>(sum * (1/m)) + (lambd / m) w</c>. Without L2
    /// (<paramref name="lambdaOverM"/> 0), <see cref="Update(T)"/>. Keeps the state for <see cref="RollBack"/>; false
    /// when a coefficient or scalar is not finite.
    /// </summary>
    public bool Update(T rate, T lambdaOverM)
    {
        RequireActive();
        Keep();
        T inverseM = T.One / T.CreateChecked(_m);
        Span<T> c = _c;
        ReadOnlySpan<T> dZ = _dZ;
        bool l2 = lambdaOverM != T.Zero;
        int index = 0;
        if (Vector.IsHardwareAccelerated && c.Length >= Vector<T>.Count)
        {
            // The scalar loop's multiplications and additions lane by lane (no fused multiply-add): the same bits.
            var rates = new Vector<T>(rate);
            var inverses = new Vector<T>(inverseM);
            var lambdas = new Vector<T>(lambdaOverM);
            for (; index <= c.Length - Vector<T>.Count; index += Vector<T>.Count)
            {
                var ci = new Vector<T>(c[index..]);
                Vector<T> gradient = new Vector<T>(dZ[index..]) * inverses;
                if (l2)
                {
                    gradient += lambdas * ci;
                }

                (ci - (rates * gradient)).CopyTo(c[index..]);
            }
        }

        for (; index < c.Length; index++)
        {
            T gradient = dZ[index] * inverseM;
            if (l2)
            {
                gradient += lambdaOverM * c[index];
            }

            c[index] -= rate * gradient;
        }

        if (l2)
        {
            _scalars.WeightsOnBase -= rate * (lambdaOverM * _scalars.WeightsOnBase);
            _scalars.WeightsOnVelocityBase -= rate * (lambdaOverM * _scalars.WeightsOnVelocityBase);
        }

        _gradientL2 = lambdaOverM;
        _gradientFromKept = true;
        _weightsStale = true;
        return TensorPrimitives.IsFiniteAll<T>(_c) && T.IsFinite(_scalars.WeightsOnBase) && T.IsFinite(_scalars.WeightsOnVelocityBase);
    }

    /// <summary>
    /// Gradient descent with momentum in the span, as <see cref="Optimizers.Momentum{T}"/> on W1:
    /// <c>v_dW1 = beta v_dW1 + (1 - beta) dW1</c>, then <c>W1 -= rate v_dW1</c>. With dW1's share of the bases
    /// <c>(lambd / m)(a B + b Bv)</c> and coefficients <c>G_C = (1/m) dZ1 + (lambd / m) C</c>:
    /// <c>e = beta e + (1 - beta)(lambd / m) a</c>, <c>f = beta f + (1 - beta)(lambd / m) b</c>,
    /// <c>V = beta V + (1 - beta) G_C</c>; then <c>a -= rate e</c>, <c>b -= rate f</c>, <c>C -= rate V</c>, in the
    /// kernel's order of operations. Keeps the state for <see cref="RollBack"/>; false when a coefficient or scalar of W1
    /// is not finite (the direct path checks the parameters, not the velocity).
    /// </summary>
    /// <exception cref="InvalidOperationException">The trainer was made without a velocity.</exception>
    public bool UpdateWithMomentum(T rate, T beta, T lambdaOverM)
    {
        RequireActive();
        if (!_hasVelocity)
        {
            throw new InvalidOperationException("This trainer was made without a velocity: momentum needs the network's v_dW1.");
        }

        Keep();
        T inverseM = T.One / T.CreateChecked(_m);
        T oneMinusBeta = T.One - beta;
        Span<T> c = _c;
        Span<T> v = _v;
        ReadOnlySpan<T> dZ = _dZ;
        int index = 0;
        if (Vector.IsHardwareAccelerated && c.Length >= Vector<T>.Count)
        {
            var rates = new Vector<T>(rate);
            var betas = new Vector<T>(beta);
            var complements = new Vector<T>(oneMinusBeta);
            var inverses = new Vector<T>(inverseM);
            var lambdas = new Vector<T>(lambdaOverM);
            bool l2 = lambdaOverM != T.Zero;
            for (; index <= c.Length - Vector<T>.Count; index += Vector<T>.Count)
            {
                var ci = new Vector<T>(c[index..]);
                Vector<T> gradient = new Vector<T>(dZ[index..]) * inverses;
                if (l2)
                {
                    gradient += lambdas * ci;
                }

                Vector<T> vi = (betas * new Vector<T>(v[index..])) + (complements * gradient);
                vi.CopyTo(v[index..]);
                (ci - (rates * vi)).CopyTo(c[index..]);
            }
        }

        for (; index < c.Length; index++)
        {
            T gradient = dZ[index] * inverseM;
            if (lambdaOverM != T.Zero)
            {
                gradient += lambdaOverM * c[index];
            }

            v[index] = (beta * v[index]) + (oneMinusBeta * gradient);
            c[index] -= rate * v[index];
        }

        ref Scalars s = ref _scalars;
        s.VelocityOnBase = (beta * s.VelocityOnBase) + (oneMinusBeta * (lambdaOverM * s.WeightsOnBase));
        s.VelocityOnVelocityBase = (beta * s.VelocityOnVelocityBase) + (oneMinusBeta * (lambdaOverM * s.WeightsOnVelocityBase));
        s.WeightsOnBase -= rate * s.VelocityOnBase;
        s.WeightsOnVelocityBase -= rate * s.VelocityOnVelocityBase;

        _gradientL2 = lambdaOverM;
        _gradientFromKept = true;
        _weightsStale = true;
        _velocityStale = true;
        return TensorPrimitives.IsFiniteAll<T>(_c) && T.IsFinite(s.WeightsOnBase) && T.IsFinite(s.WeightsOnVelocityBase);
    }

    /// <summary>
    /// <c>sum(W1^2)</c> of the weights the last <see cref="Forward"/> ran on, in double, without forming W1: with
    /// <c>W1 = a B + b Bv + C . X^T</c>, <c>||W1||^2 = ||a B + b Bv||^2 + 2 &lt;a Z1(0) + b Bv . X, C&gt; + &lt;C, C . G&gt;</c>
    /// (<c>&lt;B, C . X^T&gt; = &lt;B . X, C&gt;</c>, and <c>||C . X^T||^2 = trace(C G C^T)</c>), from Z1(0) and the
    /// Forward's C . G. The L2 cost's term for layer 1; <c>||B||^2</c> is summed in NumPy's order
    /// (<see cref="Regularization.L2Penalty{T}"/>), so that the first update's sum is the direct path's bit for bit.
    /// </summary>
    public double SumOfSquaredWeights()
    {
        RequireActive();
        if (!_normsValid)
        {
            _baseSquares = Regularization.L2Penalty<T>(Weights);
            _crossSquares = _velocityBaseZero ? 0 : Dot(Weights, VelocityWeights);
            _velocitySquares = _velocityBaseZero ? 0 : Dot(VelocityWeights, VelocityWeights);
            _normsValid = true;
        }

        double a = double.CreateTruncating(_scalars.WeightsOnBase);
        double b = _velocityBaseZero ? 0 : double.CreateTruncating(_scalars.WeightsOnVelocityBase);
        double bases = (a * a * _baseSquares) + (2 * a * b * _crossSquares) + (b * b * _velocitySquares);
        double cross = a * Dot(_c, _z0);
        if (b != 0)
        {
            cross += b * Dot(_c, _zv);
        }

        // <C, C . G>: C stored transposed (m, nOut), C . G (nOut, stride).
        double quadratic = 0;
        for (int i = 0; i < _m; i++)
        {
            for (int j = 0; j < _nOut; j++)
            {
                quadratic += double.CreateTruncating(_c[(i * _nOut) + j]) * double.CreateTruncating(_zt[(j * _stride) + i]);
            }
        }

        // A sum of squares is finite or +infinity: when W1 is too large for double, the direct path's sum overflows to +infinity,
        // where the expansion's terms may overflow with opposite signs into NaN.
        double sum = bases + (2 * cross) + quadratic;
        return double.IsFinite(sum) ? sum : double.PositiveInfinity;
    }

    /// <summary>Undoes the last update of W1 (and v_dW1) (once); false when there is none to undo.</summary>
    public bool RollBack()
    {
        if (!_keptValid)
        {
            return false;
        }

        _keptValid = false;
        _gradientFromKept = false;
        if (_keptExplicit)
        {
            // A reader made W1 explicit after the update, and the bases then moved: the state before it was kept whole.
            _keptWeights.AsSpan(0, WeightCount).CopyTo(Weights);
            if (_hasVelocity)
            {
                _keptVelocity.AsSpan(0, WeightCount).CopyTo(VelocityWeights);
            }

            NewBases();
        }
        else
        {
            Array.Copy(_kept, _c, _c.Length);
            Array.Copy(_keptV, _v, _v.Length);
            _scalars = _keptScalars;
            _weightsStale = true;
            _velocityStale = _keptVelocityStale;
        }

        return true;
    }

    /// <summary>
    /// Makes W1 in the parameters the current weights, <c>a B + b Bv + C . X^T</c>, and under momentum v_dW1 in the
    /// velocity the current velocity (a no-op unless a Train in the span runs and has updated since): called by the
    /// generated W1, Parameters and Velocity before they hand out the values, and before anything writes them. The next
    /// iteration then takes them as its bases.
    /// </summary>
    public void SyncWeights()
    {
        if (!(_weightsStale || _velocityStale) || !Active)
        {
            return;
        }

        if (_gradientsStale && _gradientL2 != T.Zero)
        {
            // dW1's L2 term is (lambd / m) times weights expressed on the bases about to be replaced.
            SyncGradients();
        }

        if (_keptValid && !_keptExplicit)
        {
            // The bases are about to be replaced: keep the state before the last update whole, for a rollback.
            _keptWeights ??= new T[WeightCount];
            Materialise(_kept, _keptScalars.WeightsOnBase, _keptScalars.WeightsOnVelocityBase, _keptWeights);
            if (_hasVelocity)
            {
                _keptVelocity ??= new T[WeightCount];
                if (_keptVelocityStale)
                {
                    Materialise(_keptV, _keptScalars.VelocityOnBase, _keptScalars.VelocityOnVelocityBase, _keptVelocity);
                }
                else
                {
                    VelocityWeights.CopyTo(_keptVelocity);
                }
            }

            _keptExplicit = true;
        }

        // Both into scratch first, as each reads both bases, then over the bases.
        if (_velocityStale)
        {
            _velocityProduct ??= new T[WeightCount];
            Materialise(_v, _scalars.VelocityOnBase, _scalars.VelocityOnVelocityBase, _velocityProduct);
        }

        if (_weightsStale)
        {
            _product ??= new T[WeightCount];
            Materialise(_c, _scalars.WeightsOnBase, _scalars.WeightsOnVelocityBase, _product);
            _product.AsSpan(0, WeightCount).CopyTo(Weights);
        }

        if (_velocityStale)
        {
            _velocityProduct.AsSpan(0, WeightCount).CopyTo(VelocityWeights);
        }

        NewBases();
    }

    /// <summary>Makes v_dW1 in the velocity the current one: <see cref="SyncWeights"/>, which makes both explicit together.</summary>
    public void SyncVelocity() => SyncWeights();

    /// <summary>
    /// Makes dW1 in the gradients the last Backward's, (1/m) dZ1 . X^T as the direct path computes it, plus
    /// (lambd / m) W1 of its forward when the update after it had L2 (a no-op unless a Train in the span runs and has
    /// gone backward since): called by the generated dW1 and Gradients.
    /// </summary>
    public void SyncGradients()
    {
        if (!_gradientsStale || !Active)
        {
            return;
        }

        Span<T> dW = _gradients.Slice(WeightsOffset, WeightCount);
        Dense.WeightGradients<T>(_dZ, X, dW, _gradients.Slice(_biasOffset, _nOut), _nIn, _nOut);
        if (_gradientL2 != T.Zero)
        {
            // dW1 += (lambd / m) W1, as Regularization.AddL2Gradient adds it, with W1 the weights of the forward: those before
            // the last update, or the current ones when it was rolled back.
            ReadOnlySpan<T> forwardWeights;
            if (_gradientFromKept && _keptExplicit)
            {
                forwardWeights = _keptWeights.AsSpan(0, WeightCount);
            }
            else if (_gradientFromKept || _weightsStale)
            {
                _product ??= new T[WeightCount];
                if (_gradientFromKept)
                {
                    Materialise(_kept, _keptScalars.WeightsOnBase, _keptScalars.WeightsOnVelocityBase, _product);
                }
                else
                {
                    Materialise(_c, _scalars.WeightsOnBase, _scalars.WeightsOnVelocityBase, _product);
                }

                forwardWeights = _product;
            }
            else
            {
                forwardWeights = Weights;
            }

            Regularization.AddL2Gradient(dW, forwardWeights, _gradientL2);
        }

        _gradientsStale = false;
    }

    // result = onBase B + onVelocityBase Bv + coefficients . X^T (B, Bv the W1 regions of the parameters and the velocity).
    private void Materialise(T[] coefficients, T onBase, T onVelocityBase, T[] result)
    {
        Span<T> sum = result.AsSpan(0, WeightCount);
        Dense.Combination<T>(coefficients, X, sum, _nIn, _nOut);
        if (onBase == T.One)
        {
            TensorPrimitives.Add(sum, Weights, sum);
        }
        else if (onBase != T.Zero)
        {
            TensorPrimitives.MultiplyAdd(Weights, onBase, sum, sum);
        }

        if (_hasVelocity && onVelocityBase != T.Zero)
        {
            if (onVelocityBase == T.One)
            {
                TensorPrimitives.Add(sum, VelocityWeights, sum);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(VelocityWeights, onVelocityBase, sum, sum);
            }
        }
    }

    // The W1 (and v_dW1) regions hold the current values: they become the bases, C and V zero, the scalars those of
    // the identity; the next Forward recomputes what depends on the bases (they may still be written before it).
    private void NewBases()
    {
        Array.Clear(_c);
        Array.Clear(_v);
        _scalars = Scalars.Identity;
        _weightsStale = false;
        _velocityStale = false;
        _rebase = true;
    }

    private void Keep()
    {
        Array.Copy(_c, _kept, _c.Length);
        Array.Copy(_v, _keptV, _v.Length);
        _keptScalars = _scalars;
        _keptVelocityStale = _velocityStale;
        _keptValid = true;
        _keptExplicit = false;
    }

    private void Begin(ReadOnlySpan<T> x, int m)
    {
        if (!Dense.GramFits(m))
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
            if (_hasVelocity)
            {
                _zv = new T[m * _nOut];
                _v = new T[m * _nOut];
                _keptV = new T[m * _nOut];
            }
        }

        _m = m;
        _gram = new AlignedBuffer<T>(checked((int)Dense.GramLength(m)));
        Gram(x, m);
        _keptValid = false;
        _gradientsStale = false;
        _gradientFromKept = false;
        _gradientL2 = T.Zero;
        NewBases();
    }

    // G = X^T . X in the course's terms: with examples as rows, G[i, k] = x_i . x_k, the forward product of X with itself.
    // G is symmetric, so only the blocks of rows on and right of the diagonal are computed (58% of the work for m = 209),
    // each by Dense.Forward, and mirrored: every G[i, k] is the dot product the whole product would give, bit for bit.
    private void Gram(ReadOnlySpan<T> x, int m)
    {
        const int Rows = 32;
        var part = new T[Math.Min(Rows, m) * m];
        Span<T> gram = _gram.Span;
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
                    gram[((r0 + i) * _stride) + r0 + k] = value;
                    gram[((r0 + k) * _stride) + r0 + i] = value;
                }
            }
        }
    }

    private static bool IsZero(ReadOnlySpan<T> values)
    {
        foreach (T value in values)
        {
            if (value != T.Zero)
            {
                return false;
            }
        }

        return true;
    }

    // sum of left[k] * right[k] in double, in order.
    private static double Dot(ReadOnlySpan<T> left, ReadOnlySpan<T> right)
    {
        double sum = 0;
        for (int k = 0; k < left.Length; k++)
        {
            sum += double.CreateTruncating(left[k]) * double.CreateTruncating(right[k]);
        }

        return sum;
    }

    private void RequireActive()
    {
        if (!Active)
        {
            throw new InvalidOperationException("Layer 1 is not training in the span of the data: this is called only inside DataSpanTrainer.Train.");
        }
    }

    // W1 = WeightsOnBase B + WeightsOnVelocityBase Bv + C . X^T; v_dW1 = VelocityOnBase B + VelocityOnVelocityBase Bv + V . X^T.
    private struct Scalars
    {
        public T WeightsOnBase;
        public T WeightsOnVelocityBase;
        public T VelocityOnBase;
        public T VelocityOnVelocityBase;

        public static Scalars Identity => new() { WeightsOnBase = T.One, WeightsOnVelocityBase = T.Zero, VelocityOnBase = T.Zero, VelocityOnVelocityBase = T.One };
    }
}
