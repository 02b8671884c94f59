using System;
using Planar;

// The course's week-3 planar data ("flower"), generated in code with NumPy's generator, classified by a small network
// that the generator writes out as straight-line code. Usage: Planar [--output DIR]; writes planar.png.
return PlanarApp.Run(args, Console.Out, Console.Error);
