using System;
using Digits;

// A softmax classifier of scikit-learn's 8 x 8 handwritten digits (digits.npz), or, with `diabetes`, a regression
// with a linear output (diabetes.npz). Run with --help for the options. The work is in DigitsProgram.Run, which the
// tests call in-process.
return DigitsProgram.Run(args, SampleConsole.FromProcess());
