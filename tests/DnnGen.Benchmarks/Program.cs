using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/DnnGen.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(DnnGen.Benchmarks.Data).Assembly).Run(args);
