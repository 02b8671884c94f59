using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CatClassifier;

// The course's "Deep Neural Network - Application": the 4-layer (L = 4) network [12288, 20, 7, 5, 1] trained on the
// cat dataset with seed 1, W[l] = randn / sqrt(n[l-1]), learning rate 0.0075 and 2500 full-batch iterations.
// Usage: CatClassifier [--data DIR]   (else $DNNGEN_DATA, else ../shared/data)

const int Iterations = 2500;
const double LearningRate = 0.0075;

string? dataArgument = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--data" && i + 1 < args.Length)
    {
        dataArgument = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: CatClassifier [--data DIR]");
        return 2;
    }
}

string[] candidates = DataDirectory.Candidates(dataArgument);
string? directory = DataDirectory.Find(candidates);
if (directory is null)
{
    Console.Error.WriteLine(
        $"Cat dataset not found (looked for {CatDataset.TrainFileName} in: {string.Join(", ", candidates)}). " +
        "Pass --data DIR or set DNNGEN_DATA to the folder holding the course's .h5 files.");
    return 2;
}

CatDataset data;
try
{
    data = CatDataset.Load(directory);
}
catch (Exception exception) when (exception is IOException or InvalidDataException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

double[] trainX = data.Train.ScaledPixels();
double[] trainY = data.Train.LabelsAsDouble();
double[] testX = data.Test.ScaledPixels();
double[] testY = data.Test.LabelsAsDouble();

var network = new DeepCatNetwork();
network.InitializeParameters(seed: 1);

var clock = Stopwatch.StartNew();
network.Train(trainX, trainY, Iterations, LearningRate, progress: record =>
{
    if (record.Iteration % 100 == 0 || record.Iteration == Iterations - 1)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Cost after iteration {record.Iteration}: {record.Cost:R}"));
    }
});
clock.Stop();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Train accuracy: {network.Accuracy(trainX, trainY):0.#########}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {network.Accuracy(testX, testY):0.#########}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time per iteration: {clock.Elapsed.TotalMilliseconds / Iterations:F2} ms ({Iterations} iterations, m = {data.Train.Count})"));
return 0;
