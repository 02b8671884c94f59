using System;
using Moons;

// Course 2's Optimization notebook: the (2, 5, 2, 1) model on the moons with mini-batch gradient descent, momentum and
// Adam, or, with --decay, Adam with learning-rate decay. Run with --help for the options. The work is in
// MoonsProgram.Run, which the tests call in-process.
return MoonsProgram.Run(args, MoonsConsole.FromProcess());
