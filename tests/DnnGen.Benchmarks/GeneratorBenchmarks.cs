using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DnnGen.Benchmarks;

/// <summary>The generator's own cost: a full run on a compilation declaring the cat network, as a cold build does it.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;

    [GlobalSetup]
    public void Setup()
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        MetadataReference[] references = trusted.Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
        SyntaxTree tree = CSharpSyntaxTree.ParseText("""
            using DnnGen;
            namespace Demo;
            [Network(12288, 20, 7, 5, 1)]
            public partial class Cat;
            """);
        _compilation = CSharpCompilation.Create("Bench", [tree], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    [Benchmark(Description = "generator run, cat network")]
    public int RunGenerator()
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new NetworkGenerator()).RunGenerators(_compilation);
        return driver.GetRunResult().GeneratedTrees.Length;
    }
}
