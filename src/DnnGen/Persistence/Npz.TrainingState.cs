using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Numerics;
using DnnGen.Persistence;

namespace DnnGen;

// Checkpoints: which entries are training state, the counters t and epoch, and the staging of a whole checkpoint
// before any of it reaches the network.
public static partial class Npz
{
    /// <summary>
    /// Whether an entry is part of a training state (t, epoch, or a v_ or s_ array): a file with any such entry is
    /// read as a checkpoint, which must then hold all of the network's state and nothing else.
    /// </summary>
    private static bool IsTrainingState(ZipArchiveEntry entry)
    {
        string name = entry.FullName;
        return name is "t.npy" or "epoch.npy" ||
            (name.EndsWith(".npy", StringComparison.Ordinal) && (name.StartsWith("v_", StringComparison.Ordinal) || name.StartsWith("s_", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Reads the counter t or epoch: a scalar, shape () or (1,) (the course's notebooks keep t as a one-element float
    /// array), of any integer dtype or a float holding a whole number, from 0 to long's (t) or int's (epoch) largest.
    /// </summary>
    private static long ReadCounter(ZipArchiveEntry entry, ArraySpec array, string sourceName)
    {
        string what = array.Describe(sourceName);
        using Stream stream = Unzip(sourceName, entry.Open);
        NumPyArray counter = ReadDataArray(stream, entry.Length, entry.Crc32, array.Name, what, sourceName, header =>
        {
            // Before any data are read: a counter is one number, so a large shape is refused without reading it.
            if (DataType(header.Descr) is not { Type: not NumPyElementType.Bool })
            {
                throw new InvalidDataException(
                    $"{what} has dtype {Quote(header.Descr)}, expected an integer (int64, '<i8', as np.savez writes a Python int) or a float holding a whole number.");
            }

            if (header.Shape is not ([] or [1]))
            {
                throw new InvalidDataException($"{what} has shape {NpyHeader.FormatShape(header.Shape)}, expected () or (1,).");
            }
        });

        long maximum = array.Kind == ArrayKind.UpdateCount ? long.MaxValue : int.MaxValue;
        if (counter.WholeNumberAt(0) is not long count || count < 0 || count > maximum)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{what} is {counter.FormatValueAt(0)}, expected a whole number from 0 to {maximum}."));
        }

        return count;
    }

    /// <summary>A checkpoint as it is read: every buffer and counter, copied into the network only once all are valid.</summary>
    private sealed class Staging<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _parameters;
        private readonly T[] _velocity;
        private readonly T[] _squares;
        private long _updateCount;
        private int _completedEpochs;

        public Staging(INetwork<T> network)
        {
            _parameters = new T[network.Parameters.Length];
            _velocity = new T[network.Velocity.Length];
            _squares = new T[network.SquaredGradientAverage.Length];
        }

        public Span<T> Buffer(ArrayKind kind) => kind switch
        {
            ArrayKind.Parameter => _parameters,
            ArrayKind.Velocity => _velocity,
            _ => _squares,
        };

        public void SetCounter(ArrayKind kind, long value)
        {
            if (kind == ArrayKind.UpdateCount)
            {
                _updateCount = value;
            }
            else
            {
                _completedEpochs = checked((int)value);
            }
        }

        /// <summary>
        /// Sets the network's parameters, and either the whole staged training state or (for a file of parameters
        /// only) a fresh one: old moments belong to other parameters.
        /// </summary>
        public void CopyTo(INetwork<T> network, bool withState)
        {
            if (!withState)
            {
                _parameters.CopyTo(network.Parameters);
                network.ResetTrainingState();
                return;
            }

            // The counters first: their setters are the only calls here that check their values (in range, as read).
            network.UpdateCount = _updateCount;
            network.CompletedEpochs = _completedEpochs;
            _parameters.CopyTo(network.Parameters);
            _velocity.CopyTo(network.Velocity);
            _squares.CopyTo(network.SquaredGradientAverage);
        }
    }
}
