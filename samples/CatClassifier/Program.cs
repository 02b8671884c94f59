using System.Runtime.InteropServices;
using System.Threading;
using CatClassifier;

// The course's "Deep Neural Network - Application" as a program: train the 4-layer (L = 4) network [12288, 20, 7, 5, 1]
// on the cat dataset with seed 1, W[l] = randn / sqrt(n[l-1]), learning rate 0.0075 and 2500 full-batch iterations,
// print what the notebook prints, draw cost.png and mislabeled.png; or classify one's own pictures with `predict`.
// Run with --help for the options. The work is in CatProgram.Run, which the tests call in-process.

using var cancellation = new CancellationTokenSource();

// The first Ctrl+C (or SIGTERM) asks training to stop after the current iteration, so --save can still write the
// weights; a second Ctrl+C ends the process at once.
System.Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return CatProgram.Run(args, CatConsole.FromProcess(), cancellation.Token);
