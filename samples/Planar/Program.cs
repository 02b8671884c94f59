using System;
using Planar;

// The course's week-3 notebook: the planar data ("flower"), generated in code with NumPy's generator, classified by
// the notebook's (2, 4, 1) tanh network, which the generator writes out as straight-line code.
// Usage: Planar [--output DIR]; prints the notebook's lines and writes planar.png.
return PlanarApp.Run(args, Console.Out, Console.Error);
