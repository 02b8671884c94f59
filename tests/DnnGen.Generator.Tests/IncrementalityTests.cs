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

    private const string OtherNetwork = """
        using DnnGen;
        namespace Demo;
        [Network(2, 4, 1)]
        public partial class Planar;
        """;

    private static readonly IncrementalStepRunReason Cached = IncrementalStepRunReason.Cached;
    private static readonly IncrementalStepRunReason Unchanged = IncrementalStepRunReason.Unchanged;
    private static readonly IncrementalStepRunReason Modified = IncrementalStepRunReason.Modified;

    // Per-edit expectations in the style of ComputeSharp's tests: for each network, the reason of its parse step (the
    // transform re-runs on every new compilation, and Unchanged means it produced an equal model, which stops the
    // change there) and of its source output (Cached: not regenerated at all).

    [Fact]
    public void Adding_a_comment_keeps_the_output_cached()
    {
        var reasons = RunEdit(tree => tree.Contains("class Cat"), source => source + "\n// a comment at the end\n");

        reasons["Cat"].ShouldBe((Unchanged, Cached));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Changing_an_attribute_argument_regenerates_that_class_only()
    {
        var reasons = RunEdit(tree => tree.Contains("class Cat"), source => source.Replace("20, 7", "21, 7"));

        reasons["Cat"].ShouldBe((Modified, Modified));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Editing_another_class_s_network_keeps_this_one_cached()
    {
        var reasons = RunEdit(tree => tree.Contains("class Planar"), source => source.Replace("Network(2, 4, 1)", "Network(2, 4, 1, Precision = Precision.Single)"));

        reasons["Planar"].ShouldBe((Modified, Modified));
        reasons["Cat"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Changing_one_layer_s_activation_regenerates_that_network_only()
    {
        var reasons = RunEdit(tree => tree.Contains("class Planar"), source => source.Replace("Network(2, 4, 1)", "Network(2, 4, 1, HiddenActivation = Activation.Tanh)"));

        reasons["Planar"].ShouldBe((Modified, Modified));
        reasons["Cat"].ShouldBe((Unchanged, Cached));
    }

    [Theory]
    [InlineData("Network(12288, 20, 7, 5, 1, Activations = new[] { Activation.Relu, Activation.Relu, Activation.Relu, Activation.Sigmoid })")]
    [InlineData("Network(12288, 20, 7, 5, 1, HiddenActivation = Activation.Relu, OutputActivation = Activation.Sigmoid, Loss = Loss.BinaryCrossEntropy)")]
    [InlineData("Network(12288, 20, 7, 5, 1, LeakyReluSlope = 0.2)")]
    public void Spelling_out_the_defaults_leaves_the_model_equal_and_the_output_cached(string attribute)
    {
        // The same network written another way: the parse step runs again, but its model is equal, so nothing is emitted.
        // (The slope is unused: no layer is leaky, so it changes nothing either.)
        var reasons = RunEdit(tree => tree.Contains("class Cat"), source => source.Replace("Network(12288, 20, 7, 5, 1)", attribute));

        reasons["Cat"].ShouldBe((Unchanged, Cached));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Changing_one_activation_in_a_per_layer_list_regenerates_that_network_only()
    {
        var reasons = RunEdit(
            tree => tree.Contains("class Cat"),
            source => source.Replace("Network(12288, 20, 7, 5, 1)", "Network(12288, 20, 7, 5, 1, Activations = new[] { Activation.Relu, Activation.Tanh, Activation.Relu, Activation.Sigmoid })"));

        reasons["Cat"].ShouldBe((Modified, Modified));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Breaking_another_network_keeps_this_one_cached()
    {
        var reasons = RunEdit(tree => tree.Contains("class Planar"), source => source.Replace("2, 4, 1", "2, 0, 1"));

        reasons["failed DNNG0003"].ShouldBe((Modified, Modified));
        reasons["Cat"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Editing_a_member_of_the_network_class_keeps_its_output_cached()
    {
        var reasons = RunEdit(tree => tree.Contains("class Cat"), source => source.Replace("public partial class Cat;", "public partial class Cat { public int Epochs => 3; }"));

        reasons["Cat"].ShouldBe((Unchanged, Cached));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_everything_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Network, OtherNetwork);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int Value; }", GeneratorHarness.ParseOptions, path: "Other.cs"));
        var reasons = ReasonsByClass(driver.RunGenerators(second).GetRunResult().Results.Single());

        reasons["Cat"].ShouldBe((Unchanged, Cached));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
    }

    [Fact]
    public void The_case_collision_check_is_cached_until_a_colliding_name_appears()
    {
        GeneratorRunResult edited = RunEditResult(tree => tree.Contains("class Cat"), source => source.Replace("20, 7", "21, 7"));
        CaseCollisionReasons(edited).ShouldBe([Cached]);

        GeneratorRunResult renamed = RunEditResult(tree => tree.Contains("class Planar"), source => source.Replace("class Planar", "class CAT"));
        CaseCollisionReasons(renamed).ShouldBe([Modified]);
        renamed.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ShouldBe(["Demo.CAT.803e0b4c.g.cs", "Demo.Cat.9fee8bcc.g.cs"]);
    }

    private static Dictionary<string, (IncrementalStepRunReason Parse, IncrementalStepRunReason Output)> RunEdit(Func<string, bool> which, Func<string, string> edit)
        => ReasonsByClass(RunEditResult(which, edit));

    /// <summary>Generates for Cat and Planar (one file each), applies <paramref name="edit"/> to one file, and generates again.</summary>
    private static GeneratorRunResult RunEditResult(Func<string, bool> which, Func<string, string> edit)
    {
        CSharpCompilation first = GeneratorHarness.Compile(Network, OtherNetwork);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree original = first.SyntaxTrees.Single(tree => which(tree.ToString()));
        SyntaxTree edited = CSharpSyntaxTree.ParseText(edit(original.ToString()), GeneratorHarness.ParseOptions, path: original.FilePath);
        return driver.RunGenerators(first.ReplaceSyntaxTree(original, edited)).GetRunResult().Results.Single();
    }

    /// <summary>For each network class, the reason of its parse step and of its source output step.</summary>
    private static Dictionary<string, (IncrementalStepRunReason Parse, IncrementalStepRunReason Output)> ReasonsByClass(GeneratorRunResult result)
    {
        var parse = result.TrackedSteps[NetworkGenerator.TrackingNames.Parse]
            .SelectMany(step => step.Outputs)
            .ToDictionary(output => ClassOf((ParseResult)output.Value), output => output.Reason);
        var emitted = result.TrackedOutputSteps.SelectMany(pair => pair.Value)
            .ToDictionary(
                step => ClassOf((((ParseResult, EquatableArray<string>))step.Inputs[0].Source.Outputs[step.Inputs[0].OutputIndex].Value).Item1),
                step => step.Outputs.Single().Reason);
        return parse.Keys.ToDictionary(name => name, name => (parse[name], emitted[name]));
    }

    /// <summary>The class a result is for; a network that failed to parse is named by its diagnostics' ids.</summary>
    private static string ClassOf(ParseResult result)
        => result.Model?.ClassName ?? "failed " + string.Join(",", result.Diagnostics.Select(d => d.Id));

    private static IEnumerable<IncrementalStepRunReason> CaseCollisionReasons(GeneratorRunResult result)
        => result.TrackedSteps[NetworkGenerator.TrackingNames.CaseCollisions].SelectMany(step => step.Outputs).Select(output => output.Reason);

    // ---- Baked weights: the file is an input too ----

    private const string BakedNetworks = """
        using DnnGen;
        namespace Demo;
        [Network(2, 3, 1, Weights = "a.npz")] public partial class BakedA;
        [Network(3, 4, 2, Weights = "models/b.npz")] public partial class BakedB;
        [Network(2, 4, 1)] public partial class Planar;
        """;

    [Fact]
    public void Changing_a_weights_file_regenerates_the_network_that_bakes_it_only()
    {
        var reasons = RunFileEdit(files => [files[0] with { Bytes = NpzWriter.Archive(NpzWriter.Parameters([2, 3, 1], (l, i, b) => NpzWriter.Weight(l, i, b) / 2)) }, files[1]], out GeneratorRunResult result);

        reasons["BakedA"].Output.ShouldBe(Modified);
        reasons["BakedB"].Output.ShouldBe(Cached);
        reasons["Planar"].Output.ShouldBe(Cached);

        // Only the changed file is decoded and parsed again.
        NpzStepReasons(result).ShouldBe([("a.npz", Modified), ("models/b.npz", Cached)], ignoreOrder: true);
        result.GeneratedSources.Single(s => s.HintName == "Demo.BakedA.g.cs").SourceText.ToString()
            .ShouldContain((NpzWriter.Weight(1, 0, false) / 2).ToString("G17", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Changing_a_weight_from_0_to_minus_0_regenerates_its_network()
    {
        // 0.0 == -0.0, but they are different weights: the models compare doubles by their bits.
        byte[] Zeros(double zero) => NpzWriter.Archive(NpzWriter.Parameters([2, 3, 1], (l, i, b) => l == 1 && i == 0 && !b ? zero : NpzWriter.Weight(l, i, b)));
        CSharpCompilation compilation = GeneratorHarness.Compile(BakedNetworks);
        ModelFileHarness.Listed[] files = [new("a.npz", Zeros(0.0)), new("models/b.npz", NpzWriter.Network([3, 4, 2]))];
        GeneratorDriver driver = ModelFileHarness.CreateDriver(files, out IReadOnlyList<AdditionalText> texts).RunGenerators(compilation);
        AdditionalText negative = ModelFileHarness.Encode(files[0] with { Bytes = Zeros(-0.0) }).Text;
        GeneratorRunResult result = driver.ReplaceAdditionalText(texts[0], negative).RunGenerators(compilation).GetRunResult().Results.Single();

        ReasonsByClass(result)["BakedA"].Output.ShouldBe(Modified);
        result.GeneratedSources.Single(s => s.HintName == "Demo.BakedA.g.cs").SourceText.ToString().ShouldContain("double w1_0_0 = -0.0,");
    }

    [Fact]
    public void Writing_a_weights_file_again_with_the_same_bytes_leaves_everything_cached()
    {
        var reasons = RunFileEdit(files => [files[0] with { Bytes = (byte[])files[0].Bytes!.Clone() }, files[1]], out GeneratorRunResult result);

        reasons["BakedA"].Output.ShouldBe(Cached);
        reasons["BakedB"].Output.ShouldBe(Cached);
        reasons["Planar"].Output.ShouldBe(Cached);
    }

    [Fact]
    public void An_unrelated_edit_leaves_the_baked_networks_and_their_files_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(BakedNetworks);
        GeneratorDriver driver = ModelFileHarness.CreateDriver(BakedFiles()).RunGenerators(first);

        CSharpCompilation second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int Value; }", GeneratorHarness.ParseOptions, path: "Other.cs"));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();
        var reasons = ReasonsByClass(result);

        reasons["BakedA"].ShouldBe((Unchanged, Cached));
        reasons["BakedB"].ShouldBe((Unchanged, Cached));
        reasons["Planar"].ShouldBe((Unchanged, Cached));
        NpzStepReasons(result).ShouldAllBe(step => step.Reason == Cached);
    }

    [Fact]
    public void Editing_the_attribute_of_a_baked_network_regenerates_it_from_the_same_parsed_file()
    {
        GeneratorRunResult result = RunBakedEdit(source => source.Replace("Weights = \"a.npz\")]", "Weights = \"a.npz\", HiddenActivation = Activation.Tanh)]"));
        var reasons = ReasonsByClass(result);

        reasons["BakedA"].ShouldBe((Modified, Modified));

        // BakedB's attribute moved (its parse keeps the location for the file's diagnostics), but its output is cached.
        reasons["BakedB"].Output.ShouldBe(Cached);
        NpzStepReasons(result).ShouldAllBe(step => step.Reason == Cached);
    }

    [Fact]
    public void Moving_a_baked_network_down_a_line_keeps_its_output_cached()
    {
        // The attribute's location (kept for the file's diagnostics) changes, but the bake drops it from what is emitted.
        var reasons = ReasonsByClass(RunBakedEdit(source => source.Replace("namespace Demo;", "namespace Demo;\n")));

        reasons["BakedA"].Output.ShouldBe(Cached);
        reasons["BakedB"].Output.ShouldBe(Cached);
    }

    private static ModelFileHarness.Listed[] BakedFiles() =>
        [new("a.npz", NpzWriter.Network([2, 3, 1])), new("models/b.npz", NpzWriter.Network([3, 4, 2]))];

    /// <summary>Generates for BakedNetworks with BakedFiles, then again with the files <paramref name="edit"/> makes of them.</summary>
    private static Dictionary<string, (IncrementalStepRunReason Parse, IncrementalStepRunReason Output)> RunFileEdit(
        Func<ModelFileHarness.Listed[], ModelFileHarness.Listed[]> edit, out GeneratorRunResult result)
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(BakedNetworks);
        ModelFileHarness.Listed[] files = BakedFiles();
        GeneratorDriver driver = ModelFileHarness.CreateDriver(files, out IReadOnlyList<AdditionalText> texts).RunGenerators(compilation);
        ModelFileHarness.Listed[] edited = edit(files);
        for (int i = 0; i < files.Length; i++)
        {
            driver = driver.ReplaceAdditionalText(texts[i], ModelFileHarness.Encode(edited[i]).Text);
        }

        result = driver.RunGenerators(compilation).GetRunResult().Results.Single();
        return ReasonsByClass(result);
    }

    /// <summary>Generates for BakedNetworks with BakedFiles, then again with the source edited.</summary>
    private static GeneratorRunResult RunBakedEdit(Func<string, string> edit)
    {
        CSharpCompilation first = GeneratorHarness.Compile(BakedNetworks);
        GeneratorDriver driver = ModelFileHarness.CreateDriver(BakedFiles()).RunGenerators(first);
        SyntaxTree original = first.SyntaxTrees.Single();
        SyntaxTree edited = CSharpSyntaxTree.ParseText(edit(original.ToString()), GeneratorHarness.ParseOptions, path: original.FilePath);
        GeneratorRunResult result = driver.RunGenerators(first.ReplaceSyntaxTree(original, edited)).GetRunResult().Results.Single();
        result.Diagnostics.ShouldBeEmpty();
        return result;
    }

    /// <summary>Each .npz file's parse step: the file, and whether it was parsed again.</summary>
    private static IEnumerable<(string File, IncrementalStepRunReason Reason)> NpzStepReasons(GeneratorRunResult result)
        => result.TrackedSteps[NetworkGenerator.TrackingNames.Npz]
            .SelectMany(step => step.Outputs)
            .Select(output => (((NpzFile)output.Value).File.Source, output.Reason));

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

    [Fact]
    public void The_baked_pipeline_holds_no_symbols_syntax_locations_or_compilations()
    {
        GeneratorDriver driver = ModelFileHarness.CreateDriver(BakedFiles()).RunGenerators(GeneratorHarness.Compile(BakedNetworks));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        foreach (string step in new[] { NetworkGenerator.TrackingNames.ModelFiles, NetworkGenerator.TrackingNames.Npz, NetworkGenerator.TrackingNames.Weights, NetworkGenerator.TrackingNames.Bake })
        {
            var values = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(output => output.Value).ToList();
            values.ShouldNotBeEmpty(step);
            foreach (object value in values)
            {
                AssertHoldsOnlyValues(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step + ": " + value.GetType().Name);
            }
        }
    }

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
