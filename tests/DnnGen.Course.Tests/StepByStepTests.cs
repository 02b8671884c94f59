using static DnnGen.Course.Tests.CourseMatrices;

namespace DnnGen.Course.Tests;

/// <summary>
/// Every row of the "Step by step" table of ../shared/course/expected-outputs.md, rebuilt with the same NumPy draws
/// and run through the generated API. The course prints 8 decimals; 1e-8 covers the rounding of the print.
/// </summary>
public class StepByStepTests
{
    private const double Tolerance = 1e-8;

    [Fact]
    public void NumPyRandom_matches_the_course_check_values()
    {
        var random = new NumPyRandom(1);
        Assert.Equal(1.6243453636632417, random.NextGaussian());
        Assert.Equal(-0.6117564136500754, random.NextGaussian());
        Assert.Equal(-0.5281717522634557, random.NextGaussian());
    }

    [Fact]
    public void Initialize_parameters_3_2_1()
    {
        var network = new TwoLayer321();
        network.InitializeParameters(seed: 1);

        AssertClose([0.01624345, -0.00611756, -0.00528172, -0.01072969, 0.00865408, -0.02301539], network.W1, Tolerance, "W1");
        AssertClose([0, 0], network.b1, 0, "b1");
        AssertClose([0.01744812, -0.00761207], network.W2, Tolerance, "W2");
        AssertClose([0], network.b2, 0, "b2");
    }

    [Fact]
    public void Initialize_parameters_deep_5_4_3()
    {
        var network = new Deep543();
        network.InitializeParameters(seed: 3);

        AssertClose(
            [
                0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388,
                -0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218,
                -0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034,
                -0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068,
            ],
            network.W1,
            Tolerance,
            "W1");
        AssertClose(
            [
                -0.01185047, -0.0020565, 0.01486148, 0.00236716,
                -0.01023785, -0.00712993, 0.00625245, -0.00160513,
                -0.00768836, -0.00230031, 0.00745056, 0.01976111,
            ],
            network.W2,
            Tolerance,
            "W2");
        AssertClose([0, 0, 0, 0], network.b1, 0, "b1");
        AssertClose([0, 0, 0], network.b2, 0, "b2");
    }

    [Fact]
    public void Linear_forward()
    {
        var random = new NumPyRandom(1);
        double[] aPrev = Randn(random, 3, 2);
        double[] w = Randn(random, 1, 3);
        double[] b = Randn(random, 1, 1);

        var z = new double[2];
        Sigmoid31.Layer1LinearForward(Transpose(aPrev, 3, 2), w, b, z);

        AssertClose([3.26295337, -1.23429987], z, Tolerance, "Z");
    }

    [Fact]
    public void Linear_activation_forward_sigmoid_and_relu()
    {
        var random = new NumPyRandom(2);
        double[] aPrev = Transpose(Randn(random, 3, 2), 3, 2);
        double[] w = Randn(random, 1, 3);
        double[] b = Randn(random, 1, 1);

        var z = new double[2];
        var a = new double[2];
        Sigmoid31.Layer1Forward(aPrev, w, b, z, a);
        AssertClose([0.96890023, 0.11013289], a, Tolerance, "sigmoid A");

        Relu311.Layer1Forward(aPrev, w, b, z, a);
        AssertClose([3.43896131, 0.0], a, Tolerance, "relu A");
    }

    [Fact]
    public void L_model_forward_with_two_hidden_layers()
    {
        var random = new NumPyRandom(6);
        double[] x = Randn(random, 5, 4);
        var network = new Forward5431();
        random.FillStandardNormal(network.W1);
        random.FillStandardNormal(network.b1);
        random.FillStandardNormal(network.W2);
        random.FillStandardNormal(network.b2);
        random.FillStandardNormal(network.W3);
        random.FillStandardNormal(network.b3);

        ReadOnlySpan<double> al = network.Forward(Transpose(x, 5, 4));

        AssertClose([0.03921668, 0.70498921, 0.19734387, 0.04728177], al, Tolerance, "AL");
        Assert.Equal(3, Forward5431.LayerCount);
        Assert.Equal(4 * 4, network.Z1.Length);
        Assert.Equal(4 * 4, network.A1.Length);
        Assert.Equal(4 * 3, network.A2.Length);
        Assert.True(al.SequenceEqual(network.A3), "Forward returns the cache A3");
    }

    [Fact]
    public void Compute_cost()
    {
        double cost = Model431.ComputeCost([0.8, 0.9, 0.4], [1, 1, 1]);

        Assert.Equal(0.41493159961539694, cost, 1e-15);
    }

    [Fact]
    public void Linear_backward()
    {
        var random = new NumPyRandom(1);
        double[] dZ = Randn(random, 1, 2);
        double[] aPrev = Randn(random, 3, 2);
        double[] w = Randn(random, 1, 3);
        _ = Randn(random, 1, 1); // b: drawn by the recipe, unused by the backward step

        var dW = new double[3];
        var db = new double[1];
        var dAPrev = new double[2 * 3];
        Backward331.Layer2LinearBackward(dZ, Transpose(aPrev, 3, 2), w, dW, db, dAPrev);

        AssertClose(Transpose([0.51822968, -0.19517421, -0.40506361, 0.15255393, 2.37496825, -0.89445391], 3, 2), dAPrev, Tolerance, "dA_prev");
        AssertClose([-0.10076895, 1.40685096, 1.64992505], dW, Tolerance, "dW");
        AssertClose([0.50629448], db, Tolerance, "db");
    }

    [Fact]
    public void Linear_activation_backward_sigmoid_and_relu()
    {
        var random = new NumPyRandom(2);
        double[] dA = Randn(random, 1, 2);
        double[] aPrev = Transpose(Randn(random, 3, 2), 3, 2);
        double[] w = Randn(random, 1, 3);
        _ = Randn(random, 1, 1); // b
        double[] z = Randn(random, 1, 2);

        var dZ = new double[2];
        var dW = new double[3];
        var db = new double[1];
        var dAPrev = new double[2 * 3];

        Backward331.Layer2Backward(dA, z, aPrev, w, dZ, dW, db, dAPrev);
        AssertClose(Transpose([0.11017994, 0.01105339, 0.09466817, 0.00949723, -0.05743092, -0.00576154], 3, 2), dAPrev, Tolerance, "sigmoid dA_prev");
        AssertClose([0.10266786, 0.09778551, -0.01968084], dW, Tolerance, "sigmoid dW");
        AssertClose([-0.05729622], db, Tolerance, "sigmoid db");

        Backward3311.Layer2Backward(dA, z, aPrev, w, dZ, dW, db, dAPrev);
        AssertClose(Transpose([0.44090989, 0.0, 0.37883606, 0.0, -0.2298228, 0.0], 3, 2), dAPrev, Tolerance, "relu dA_prev");
        AssertClose([0.44513824, 0.37371418, -0.10478989], dW, Tolerance, "relu dW");
        AssertClose([-0.20837892], db, Tolerance, "relu db");
    }

    [Fact]
    public void L_model_backward_with_the_literal_output_gradient()
    {
        var random = new NumPyRandom(3);
        double[] al = Randn(random, 1, 2);
        double[] y = [1, 0];
        double[] x = Transpose(Randn(random, 4, 2), 4, 2);
        double[] w1 = Randn(random, 3, 4);
        _ = Randn(random, 3, 1); // b1
        double[] z1 = Transpose(Randn(random, 3, 2), 3, 2);
        double[] a1 = Transpose(Randn(random, 3, 2), 3, 2);
        double[] w2 = Randn(random, 1, 3);
        _ = Randn(random, 1, 1); // b2
        double[] z2 = Randn(random, 1, 2);

        // AL and Z2 are independent draws here, so the output layer must take the course's literal path:
        // dAL from AL and Y, then the sigmoid backward of Z2.
        var dAL = new double[2];
        Kernels.Cost.CrossEntropyGradient<double>(al, y, dAL);
        var dZ2 = new double[2];
        var dW2 = new double[3];
        var db2 = new double[1];
        var dA1 = new double[2 * 3];
        Model431.Layer2Backward(dAL, z2, a1, w2, dZ2, dW2, db2, dA1);

        var dZ1 = new double[2 * 3];
        var dW1 = new double[3 * 4];
        var db1 = new double[3];
        Model431.Layer1Backward(dA1, z1, x, dZ1, dW1, db1);

        AssertClose(
            [0.41010002, 0.07807203, 0.13798444, 0.10502167, 0, 0, 0, 0, 0.05283652, 0.01005865, 0.01777766, 0.0135308],
            dW1,
            Tolerance,
            "dW1");
        AssertClose([-0.22007063, 0, -0.02835349], db1, Tolerance, "db1");
        AssertClose(Transpose([0.12913162, -0.44014127, -0.14175655, 0.48317296, 0.01663708, -0.05670698], 3, 2), dA1, Tolerance, "dA1");
    }

    [Fact]
    public void Update_parameters()
    {
        var network = new Model431();
        var random = new NumPyRandom(2);
        random.FillStandardNormal(network.W1);
        random.FillStandardNormal(network.b1);
        random.FillStandardNormal(network.W2);
        random.FillStandardNormal(network.b2);
        random.Seed(3);
        random.FillStandardNormal(network.dW1);
        random.FillStandardNormal(network.db1);
        random.FillStandardNormal(network.dW2);
        random.FillStandardNormal(network.db2);

        network.UpdateParameters(learningRate: 0.1);

        AssertClose(
            [
                -0.59562069, -0.09991781, -2.14584584, 1.82662008,
                -1.76569676, -0.80627147, 0.51115557, -1.18258802,
                -1.0535704, -0.86128581, 0.68284052, 2.20374577,
            ],
            network.W1,
            Tolerance,
            "W1");
        AssertClose([-0.04659241, -1.28888275, 0.53405496], network.b1, Tolerance, "b1");
        AssertClose([-0.55569196, 0.0354055, 1.32964895], network.W2, Tolerance, "W2");
        AssertClose([-0.84610769], network.b2, Tolerance, "b2");
    }
}
