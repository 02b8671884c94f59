using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// The pipeline's caching: edits that do not touch a network leave its model and output cached, and the model holds
/// only values, never compiler objects that would keep compilations alive and defeat caching.
/// </summary>
public class IncrementalityTests
{
    private const string Network = """
        using DnnGen;
        namespace Demo;
        [Network(12288, 20, 7, 5, 1)]
        public partial class Cat;
        """;

    [Fact]
    public void Adding_an_unrelated_class_leaves_everything_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Network);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int Value; }", GeneratorHarness.ParseOptions, path: "Other.cs"));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        // The transform reads the semantic model, so a new compilation runs it again; it must produce an equal model
        // (Unchanged), which stops the change there: the emitted output is Cached, not regenerated.
        ParseReasons(result).ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached || reason == IncrementalStepRunReason.Unchanged);
        OutputReasons(result).ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void A_comment_in_the_network_file_reparses_to_an_equal_model_and_keeps_the_output_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Network);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree original = first.SyntaxTrees.Single();
        SyntaxTree commented = original.WithChangedText(original.GetText().WithChanges(
            new Microsoft.CodeAnalysis.Text.TextChange(new Microsoft.CodeAnalysis.Text.TextSpan(original.Length, 0), "\n// a comment at the end\n")));
        GeneratorRunResult result = driver.RunGenerators(first.ReplaceSyntaxTree(original, commented)).GetRunResult().Results.Single();

        ParseReasons(result).ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached || reason == IncrementalStepRunReason.Unchanged);
        OutputReasons(result).ShouldAllBe(reason => reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Changing_the_sizes_regenerates()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Network);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree original = first.SyntaxTrees.Single();
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Network.Replace("20, 7", "21, 7"), GeneratorHarness.ParseOptions, path: original.FilePath);
        GeneratorRunResult result = driver.RunGenerators(first.ReplaceSyntaxTree(original, edited)).GetRunResult().Results.Single();

        ParseReasons(result).ShouldContain(IncrementalStepRunReason.Modified);
        OutputReasons(result).ShouldContain(IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void The_model_holds_no_symbols_syntax_locations_or_compilations()
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Network, """
            using DnnGen;
            [Network(3, 0, 1)]
            public partial class Broken;
            """));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        var models = result.TrackedSteps[NetworkGenerator.TrackingNames.Parse]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Value)
            .ToList();
        models.Count.ShouldBe(2);
        foreach (object model in models)
        {
            AssertHoldsOnlyValues(model, new HashSet<object>(ReferenceEqualityComparer.Instance), model.GetType().Name);
        }
    }

    private static IEnumerable<IncrementalStepRunReason> ParseReasons(GeneratorRunResult result)
        => result.TrackedSteps[NetworkGenerator.TrackingNames.Parse].SelectMany(step => step.Outputs).Select(output => output.Reason);

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorRunResult result)
        => result.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(step => step.Outputs).Select(output => output.Reason);

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree)];

    private static void AssertHoldsOnlyValues(object? value, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Forbidden.ShouldNotContain(forbidden => forbidden.IsAssignableFrom(type), $"{path} is a {type.Name}");
        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (object? item in sequence)
            {
                AssertHoldsOnlyValues(item, visited, $"{path}[{index++}]");
            }
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsOnlyValues(field.GetValue(value), visited, $"{path}.{field.Name}");
        }
    }
}
