using System;
using DnnGen.Kernels;

namespace DnnGen.Runtime.Tests;

/// <summary>
/// The rule that chooses training in the span of the data, and the trainer's kernel and argument checks. The end-to-end
/// comparison with the direct path is in DnnGen.Course.Tests (DataSpanTrainingTests), which has generated networks, and,
/// for Train(x, y, TrainingOptions), in <see cref="DataSpanOptionsTests"/>. One test changes <see cref="DataSpan.Mode"/>, so
/// they run alone.
/// </summary>
[Collection(nameof(DataSpanModeCollection))]
public class DataSpanTests
{
    [Theory]
    // The course's application: 7 iterations recover G (n[0] m^2) and the three explicit products (3 n[1] n[0] m); 6 do not.
    [InlineData(12288, 20, 209, 2500, true)]
    [InlineData(12288, 20, 209, 7, true)]
    [InlineData(12288, 20, 209, 6, false)]
    // m up to n[0] / 2, so that G takes at most half of X's memory.
    [InlineData(12288, 20, 6144, 100000, true)]
    [InlineData(12288, 20, 6145, 100000, false)]
    [InlineData(64, 32, 1500, 100000, false)]
    [InlineData(12288, 20, 0, 2500, false)]
    [InlineData(12288, 20, 209, 0, false)]
    public void The_automatic_rule_weighs_the_work_saved_against_the_work_spent(int nIn, int nOut, int m, long updates, bool pays)
        => Assert.Equal(pays, DataSpan.Pays(nIn, nOut, m, updates));

    [Fact]
    public void Never_and_Always_override_the_rule_but_not_its_limits()
    {
        DataSpanTraining saved = DataSpan.Mode;
        try
        {
            DataSpan.Mode = DataSpanTraining.Never;
            Assert.False(DataSpan.Pays(12288, 20, 209, 2500));
            DataSpan.Mode = DataSpanTraining.Always;
            Assert.True(DataSpan.Pays(12288, 20, 209, 1));
            Assert.True(DataSpan.Pays(10, 4, 400, 1));
            // G must fit in one array, its rows padded to whole vectors: 46,336 x 46,336 values do, 46,337 x 46,352 do not.
            Assert.True(DataSpan.Pays(100000, 4, 46336, 1));
            Assert.False(DataSpan.Pays(100000, 4, 46337, 1));
            Assert.False(DataSpan.Pays(12288, 20, 209, 0));
        }
        finally
        {
            DataSpan.Mode = saved;
        }
    }

    [Theory]
    [InlineData(37, 5, 3)]
    [InlineData(1030, 20, 9)]
    [InlineData(4099, 7, 33)]
    public void The_combination_kernel_sums_in_the_reference_order(int nIn, int nOut, int m)
    {
        var random = new NumPyRandom(5);
        var coefficients = new double[m * nOut];
        var x = new double[m * nIn];
        random.FillStandardNormal(coefficients);
        random.FillStandardNormal(x);
        var result = new double[nOut * nIn];
        Dense.Combination<double>(coefficients, x, result, nIn, nOut);

        for (int j = 0; j < nOut; j++)
        {
            for (int k = 0; k < nIn; k++)
            {
                double sum = 0;
                for (int i = 0; i < m; i++)
                {
                    sum += coefficients[(i * nOut) + j] * x[(i * nIn) + k];
                }

                Assert.Equal(sum, result[(j * nIn) + k]);
            }
        }
    }

    [Theory]
    // The course's shape (209 examples, 20 units), and edges: one example, units fewer than, not a multiple of, or one more
    // than the block of ten (AVX-512) or five (AVX2, SSE), rows of G that are one vector, a block of two vectors, or neither,
    // at every width the machine runs.
    [InlineData(209, 20)]
    [InlineData(40, 5)]
    [InlineData(40, 6)]
    [InlineData(24, 15)]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(16, 5)]
    [InlineData(33, 7)]
    [InlineData(64, 4)]
    [InlineData(100, 9)]
    [InlineData(50, 11)]
    [InlineData(209, 25)]
    public void The_Gram_product_kernel_matches_its_reference_bit_for_bit(int m, int nOut)
    {
        int stride = Dense.GramStride(m);
        Assert.Equal(0, stride % 16);
        Assert.InRange(stride - m, 0, 15);
        var random = new NumPyRandom(11);
        var c = new double[m * nOut];
        var gram = new double[m * stride];
        random.FillStandardNormal(c);
        for (int k = 0; k < m; k++)
        {
            // Only the first m columns hold values; the padding is zero, as the trainer keeps it.
            var values = new double[m];
            random.FillStandardNormal(values);
            values.CopyTo(gram, k * stride);
        }

        var kernel = new double[nOut * stride];
        var reference = new double[nOut * stride];
        kernel.AsSpan().Fill(double.NaN);
        Dense.GramProduct<double>(c, gram, kernel, m, stride, nOut);
        Dense.ReferenceGramProduct<double>(c, gram, reference, m, stride, nOut);
        Assert.Equal(reference, kernel);

        // And the products are the plain sums up to rounding (the reference is not its own oracle).
        for (int j = 0; j < nOut; j++)
        {
            for (int i = 0; i < m; i++)
            {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < m; k++)
                {
                    sum += c[(k * nOut) + j] * gram[(k * stride) + i];
                    magnitude += Math.Abs(c[(k * nOut) + j] * gram[(k * stride) + i]);
                }

                Assert.True(Math.Abs(sum - kernel[(j * stride) + i]) <= 1e-14 * (magnitude + 1), $"zt[{j}, {i}]: {kernel[(j * stride) + i]} against {sum}");
            }

            for (int i = m; i < stride; i++)
            {
                Assert.Equal(0.0, kernel[(j * stride) + i]);
            }
        }

        // float runs the same code at twice the lanes.
        var cSingle = Array.ConvertAll(c, v => (float)v);
        var gramSingle = Array.ConvertAll(gram, v => (float)v);
        var kernelSingle = new float[nOut * stride];
        var referenceSingle = new float[nOut * stride];
        Dense.GramProduct<float>(cSingle, gramSingle, kernelSingle, m, stride, nOut);
        Dense.ReferenceGramProduct<float>(cSingle, gramSingle, referenceSingle, m, stride, nOut);
        Assert.Equal(referenceSingle, kernelSingle);
    }

    [Fact]
    public void The_Gram_product_kernel_names_a_wrong_shape()
    {
        var c = new double[20 * 209];
        var gram = new double[209 * 224];
        var zt = new double[20 * 224];
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.GramProduct<double>(c, gram, zt, 209, 209, 20));
        Assert.Equal("stride", stride.ParamName);
        Assert.Contains("Expected 224", stride.Message);
        Assert.Equal("gram", Assert.ThrowsAny<ArgumentException>(() => Dense.GramProduct<double>(c, gram.AsSpan(1), zt, 209, 224, 20)).ParamName);
        Assert.Equal("zt", Assert.ThrowsAny<ArgumentException>(() => Dense.GramProduct<double>(c, gram, zt.AsSpan(1), 209, 224, 20)).ParamName);
        Assert.Equal("c", Assert.ThrowsAny<ArgumentException>(() => Dense.GramProduct<double>(c.AsSpan(1), gram, zt, 209, 224, 20)).ParamName);
    }

    [Fact]
    public void The_trainer_checks_its_layout_and_refuses_steps_outside_a_Train()
    {
        var parameters = new AlignedBuffer<double>(4 * 3 + 3);
        var gradients = new AlignedBuffer<double>(4 * 3 + 3);
        var tooShort = new AlignedBuffer<double>(5);
        Assert.Equal("weightsOffset", Assert.Throws<ArgumentOutOfRangeException>(() => new DataSpanTrainer<double>(parameters, gradients, 1, 4, 3)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => new DataSpanTrainer<double>(parameters, tooShort, 0, 4, 3)).ParamName);

        var trainer = new DataSpanTrainer<double>(parameters, gradients, 0, 4, 3);
        Assert.False(trainer.Active);
        var exception = Assert.Throws<InvalidOperationException>(() => trainer.Forward(new double[3], new double[3]));
        Assert.Contains("DataSpanTrainer.Train", exception.Message, StringComparison.Ordinal);

        // Outside a Train, reading the weights or gradients changes nothing.
        parameters.Span.Fill(0.5);
        trainer.SyncWeights();
        trainer.SyncGradients();
        Assert.All(parameters.Span.ToArray(), value => Assert.Equal(0.5, value));
    }

    [Fact]
    public void A_Train_computes_the_first_layer_from_the_Gram_matrix()
    {
        const int nIn = 6, nOut = 2, m = 3;
        var parameters = new AlignedBuffer<double>((nOut * nIn) + nOut);
        var gradients = new AlignedBuffer<double>((nOut * nIn) + nOut);
        var random = new NumPyRandom(8);
        var x = new double[m * nIn];
        random.FillStandardNormal(x);
        random.FillStandardNormal(parameters.Span);
        double[] b1 = parameters.Span.Slice(nOut * nIn).ToArray();
        double[] w1 = parameters.Span.Slice(0, nOut * nIn).ToArray();

        var trainer = new DataSpanTrainer<double>(parameters, gradients, 0, nIn, nOut);
        double[] dZ = [0.5, -1, 0.25, 2, -0.75, 1.5];
        double[] z = trainer.Train<int, double[]>(x, new double[m], 0, (_, examples, _) =>
        {
            var z1 = new double[m * nOut];
            trainer.Forward(b1, z1);
            var db1 = new double[nOut];
            trainer.Backward(dZ, db1);
            Assert.True(trainer.Update(0.1));
            trainer.Forward(b1, z1);
            return z1;
        });

        // The direct path's numbers: W1 -= 0.1 (1/m) dZ^T X, then Z1 = W1 . X + b1.
        for (int j = 0; j < nOut; j++)
        {
            for (int k = 0; k < nIn; k++)
            {
                double gradient = 0;
                for (int i = 0; i < m; i++)
                {
                    gradient += dZ[(i * nOut) + j] * x[(i * nIn) + k];
                }

                w1[(j * nIn) + k] -= 0.1 * (gradient / m);
            }
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < nOut; j++)
            {
                double expected = b1[j];
                for (int k = 0; k < nIn; k++)
                {
                    expected += w1[(j * nIn) + k] * x[(i * nIn) + k];
                }

                Assert.Equal(expected, z[(i * nOut) + j], 1e-12);
            }
        }

        // The Train made W1 explicit when it ended.
        Assert.False(trainer.Active);
        for (int k = 0; k < w1.Length; k++)
        {
            Assert.Equal(w1[k], parameters.Span[k], 1e-12);
        }
    }
}
