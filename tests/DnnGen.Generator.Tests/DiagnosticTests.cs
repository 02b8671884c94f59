using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>Each DnnGen diagnostic: its id, severity and exact location, and that nothing is generated alongside it.</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void DNNG0001_class_not_partial() => AssertSingle("DNNG0001", """
        using DnnGen;
        [Network(2, 1)]
        public class [|Plain|] { }
        """);

    [Theory]
    [InlineData("[[|Network(5)|]]")]
    [InlineData("[[|Network|]]")]
    [InlineData("[[|Network(null)|]]")]
    public void DNNG0002_fewer_than_two_sizes(string attribute) => AssertSingle("DNNG0002", $$"""
        using DnnGen;
        {{attribute}}
        public partial class Net;
        """);

    [Theory]
    [InlineData("[Network(3, [|0|], 1)]")]
    [InlineData("[Network([|-3|], 2, 1)]")]
    [InlineData("[Network(new[] { 3, 2, [|int.MinValue|] })]")]
    public void DNNG0003_size_not_positive(string attribute) => AssertSingle("DNNG0003", $$"""
        using DnnGen;
        {{attribute}}
        public partial class Net;
        """);

    [Fact]
    public void DNNG0003_reports_every_bad_size()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(0, 4, -1)]
            public partial class Net;
            """);

        result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0003", "DNNG0003"]);
        result.Diagnostics.Select(d => d.GetMessage()).ShouldBe(
        [
            "Layer size n[0] is 0; every layer size must be at least 1",
            "Layer size n[2] is -1; every layer size must be at least 1",
        ]);
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void DNNG0004_more_parameters_than_an_array_holds()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0004", """
            using DnnGen;
            [[|Network(100000, 100000, 1)|]]
            public partial class Huge;
            """);

        diagnostic.GetMessage().ShouldBe("[Network] on 'Huge' needs 10,000,200,001 parameters, more than the 2,147,483,583 parameters one buffer of double holds (a .NET array's 2,147,483,591 elements less the 8 that align it to 64 bytes); make the layers smaller");
    }

    [Fact]
    public void DNNG0004_one_example_of_training_caches_larger_than_an_array_holds()
    {
        // 1,800,000,001 parameters fit, but Z1, A1, dZ1 and dA1 of one example are 2,400,000,000 values.
        Diagnostic diagnostic = AssertSingle("DNNG0004", """
            using DnnGen;
            [[|Network(1, 600000000, 1)|]]
            public partial class Wide;
            """);

        diagnostic.GetMessage().ShouldBe("[Network] on 'Wide' needs 2,400,000,003 training values for each example (Z, A, dZ and dA of every layer), more than the 2,147,483,591 elements a .NET array can hold; make the layers smaller");
    }

    [Theory]
    [InlineData("public partial struct [|Net|] { }")]
    [InlineData("public partial record [|Net|];")]
    [InlineData("public partial record struct [|Net|];")]
    [InlineData("public partial interface [|Net|] { }")]
    [InlineData("public static partial class [|Net|] { }")]
    [InlineData("public abstract partial class [|Net|] { }")]
    [InlineData("public partial class [|Net|]<T> { }")]
    [InlineData("file partial class [|Net|] { }")]
    public void DNNG0005_unsupported_target(string declaration) => AssertSingle("DNNG0005", $$"""
        using DnnGen;
        [Network(2, 1)]
        {{declaration}}
        """);

    [Fact]
    public void DNNG0005_nested_inside_a_generic_type() => AssertSingle("DNNG0005", """
        using DnnGen;
        public partial class Outer<T>
        {
            [Network(2, 1)]
            public partial class [|Net|];
        }
        """);

    [Fact]
    public void DNNG0005_nested_inside_a_file_local_type() => AssertSingle("DNNG0005", """
        using DnnGen;
        file partial class Outer
        {
            [Network(2, 1)]
            public partial class [|Net|];
        }
        """);

    [Fact]
    public void DNNG0006_enclosing_type_not_partial() => AssertSingle("DNNG0006", """
        using DnnGen;
        public class [|Outer|]
        {
            [Network(2, 1)]
            public partial class Net;
        }
        """);

    [Theory]
    [InlineData("public void [|Forward|]() { }")]
    [InlineData("private int [|W1|];")]
    [InlineData("public int [|Layer2Backward|] { get; set; }")]
    [InlineData("private double[] [|_parameters|] = new double[1];")]
    public void DNNG0007_member_collides_with_a_generated_member(string member) => AssertSingle("DNNG0007", $$"""
        using DnnGen;
        [Network(3, 2, 1)]
        public partial class Net
        {
            {{member}}
        }
        """);

    [Theory]
    [InlineData("[Network(2, 1, [|Precision = (Precision)7|])]")]
    [InlineData("[Network(2, 1, [|Initialization = (Initialization)(-1)|])]")]
    public void DNNG0008_option_outside_its_enum(string attribute) => AssertSingle("DNNG0008", $$"""
        using DnnGen;
        {{attribute}}
        public partial class Net;
        """);

    [Fact]
    public void DNNG0009_an_emitter_failure_becomes_a_diagnostic_not_a_crash()
    {
        // A model the parser never produces (no sizes at all) makes the emitter fail; Generate must turn that into DNNG0009.
        var broken = new NetworkModel(
            "Demo", "Broken", new EquatableArray<ContainingType>([]), new EquatableArray<int>([]), Precision.Double, Initialization.NormalOverSqrtFanIn);

        GeneratedNetwork generated = NetworkGenerator.Generate(new ParseResult(broken, default));

        generated.Source.ShouldBeNull();
        Diagnostic diagnostic = generated.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0009");
        diagnostic.GetMessage().ShouldStartWith("DnnGen could not generate 'Broken': ");
    }

    [Theory]
    [InlineData("[Network(2, 1), [|Network(3, 1)|]]")]
    [InlineData("[Network(2, 1)][[|Network(3, 1)|]]")]
    public void DNNG0010_attribute_twice_on_one_declaration(string attributes)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0010", $$"""
            using DnnGen;
            {{attributes}}
            public partial class Twice;
            """);

        diagnostic.GetMessage().ShouldBe("'Twice' already has [Network] at File0.cs(2,2); a class is one network, so remove this attribute");
    }

    [Fact]
    public void DNNG0010_attribute_on_two_declarations_of_one_class()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(
            """
            using DnnGen;
            [Network(2, 1)]
            public partial class Twice;
            """,
            """
            using DnnGen;
            [Network(3, 1)]
            public partial class Twice;
            """);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0010");
        diagnostic.Location.GetLineSpan().Path.ShouldBe("File1.cs");
        diagnostic.Location.GetLineSpan().StartLinePosition.ShouldBe(new Microsoft.CodeAnalysis.Text.LinePosition(1, 1));
        diagnostic.GetMessage().ShouldContain("already has [Network] at File0.cs(2,2)");
        result.GeneratedSources.ShouldBeEmpty();
    }

    private const string NotConstants = """
        using DnnGen;
        public static class Sizes
        {
            public static readonly int Input = 3;
            public static readonly int[] All = { 3, 1 };
            public static int Hidden() => 2;
            public static readonly Precision Precision = Precision.Single;
        }

        """;

    [Theory]
    [InlineData("[Network([|Sizes.Input|], 2, 1)]", "Layer size n[0] is 'Sizes.Input', which is not a compile-time constant; write a number or a const int")]
    [InlineData("[Network(3, [|Sizes.Hidden()|], 1)]", "Layer size n[1] is 'Sizes.Hidden()', which is not a compile-time constant")]
    [InlineData("[Network(new[] { 3, [|Sizes.Input|], 1 })]", "Layer size n[1] is 'Sizes.Input'")]
    [InlineData("[Network([|Sizes.All|])]", "The array of layer sizes is 'Sizes.All', which is not a compile-time constant; write them in place, as in [Network(12288, 20, 1)]")]
    [InlineData("[Network(3, 1, Precision = [|Sizes.Precision|])]", "Option Precision is 'Sizes.Precision', which is not a compile-time constant; write a member of DnnGen.Precision, such as Precision.Single")]
    public void DNNG0011_argument_not_a_compile_time_constant(string attribute, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0011", NotConstants + attribute + "\npublic partial class Net;\n");
        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Fact]
    public void DNNG0011_reports_every_non_constant_argument()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(NotConstants + "[Network(Sizes.Input, Sizes.Hidden(), 1)]\npublic partial class Net;\n");

        result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0011", "DNNG0011"]);
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[Network([|1.5|], 1)]", "[Network] argument '1.5' is not valid: it has type 'double', but layer sizes are int; write a whole number such as 12288")]
    [InlineData("[Network(3, [|\"1\"|])]", "it has type 'string', but layer sizes are int")]
    [InlineData("[Network(3, [|2L|])]", "it has type 'long', but layer sizes are int")]
    [InlineData("[Network(3, [|null|])]", "null is not a layer size")]
    [InlineData("[Network([|new long[] { 3, 1 }|])]", "it has type 'long[]', but the layer sizes are an int[]")]
    [InlineData("[Network(3, 1, [|Precision = 1|])]", "[Network] argument 'Precision = 1' is not valid: it has type 'int', but Precision takes a DnnGen.Precision; write Precision.Double or Precision.Single")]
    [InlineData("[Network(3, 1, [|Momentum = 1|])]", "[Network] has no option 'Momentum'; its options are Precision, Initialization, HiddenActivation, OutputActivation, Activations, LeakyReluSlope, Loss, Optimizer and Weights")]
    [InlineData("[Network(3, 1, [|Precision = Undefined|])]", "the compiler cannot evaluate it")]
    [InlineData("[[|Network(sizes: 3)|]]", "the compiler cannot match the arguments to NetworkAttribute")]
    public void DNNG0012_argument_not_valid(string attribute, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0012", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldContain(message);
    }

    [Theory]
    [InlineData("", "", 4, "2.00 GiB")]
    [InlineData(", Optimizer = Optimizer.Momentum", "momentum's velocity, ", 6, "3.00 GiB")]
    [InlineData(", Optimizer = Optimizer.Adam", "Adam's two moment estimates, ", 8, "4.00 GiB")]
    public void DNNG0013_a_network_above_a_gigabyte_is_generated_with_a_warning(string option, string state, int buffers, string memory)
    {
        (string source, TextSpan span) = Markup.Parse($$"""
            using DnnGen;
            [[|Network(12288, 4096, 4096, 1{{option}})|]]
            public partial class Big;
            """);
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0013");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Warning);
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldBe(
            $"'Big' has 67,121,153 parameters: with their gradients, {state}the snapshot that undoes a diverging step and the copy " +
            $"Train(x, y, options) keeps for its rollback, {buffers} buffers of that length take {memory}, above DnnGen's " +
            "warning threshold of 1 GiB, and training adds 256.02 KiB per example; check the sizes, consider Precision = Precision.Single, " +
            "or suppress DNNG0013 if this is intended");
        result.GeneratedSources.ShouldHaveSingleItem();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    [Fact]
    public void DNNG0013_is_not_reported_just_below_the_threshold()
    {
        // 58,728,449 parameters in float: 4 buffers of them take 0.88 GiB.
        (GeneratorRunResult result, _) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(12288, 4096, 2048, 1, Precision = Precision.Single)]
            public partial class Big;
            """);

        result.Diagnostics.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("public class Base { public void Forward() { } }", "'Net' cannot derive from 'Base': it declares 'Forward', which DnnGen generates in every network and would hide")]
    [InlineData("public class Base { protected double[] W1 = new double[1]; }", "it declares 'W1'")]
    [InlineData("public class Root { public int Train; } public class Base : Root { }", "its base 'Root' declares 'Train'")]
    [InlineData("[Network(2, 1)] public partial class Base;", "it is itself a network, and every member DnnGen generates in 'Net' would hide one of its own")]
    public void DNNG0014_base_class_collides_with_generated_members(string baseClass, string message)
    {
        (string source, TextSpan span) = Markup.Parse($$"""
            using DnnGen;
            {{baseClass}}
            [Network(3, 1)]
            public partial class Net : [|Base|];
            """);
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0014");
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldContain(message);
        result.GeneratedSources.Where(g => g.HintName == "Net.g.cs").ShouldBeEmpty();
    }

    [Fact]
    public void DNNG0014_is_reported_where_another_part_names_the_base()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(
            """
            public class Base { public int Accuracy; }
            [DnnGen.Network(3, 1)]
            public partial class Net;
            """,
            """
            public partial class Net : Base;
            """);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0014");
        diagnostic.Location.GetLineSpan().Path.ShouldBe("File1.cs");
        diagnostic.Location.SourceSpan.ShouldBe(new TextSpan(27, 4));
    }

    [Fact]
    public void DNNG0015_is_reported_beside_other_errors()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(new CSharpParseOptions(LanguageVersion.CSharp8), """
            [DnnGen.Network(3, 1)]
            public partial struct Net { }
            """);

        result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0015", "DNNG0005"]);
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp7_3, "7.3")]
    [InlineData(LanguageVersion.CSharp8, "8.0")]
    public void DNNG0015_language_version_too_old(LanguageVersion version, string shown)
    {
        (string source, TextSpan span) = Markup.Parse("""
            namespace Old
            {
                [[|DnnGen.Network(3, 1)|]]
                public partial class Net { }
            }
            """);
        (GeneratorRunResult result, _) = GeneratorHarness.Run(new CSharpParseOptions(version), source);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0015");
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldBe($"'Net' is compiled as C# {shown}, but the code DnnGen generates needs C# 9.0 or later; set <LangVersion> to 9.0 or later, or remove it to get the SDK's default");
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void Every_descriptor_has_an_id_title_message_and_description_and_is_listed_for_release()
    {
        string root = global::DnnGen.Tests.Shared.RepositoryPaths.Root;
        string shipped = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "generator", "DnnGen.Generator", "AnalyzerReleases.Shipped.md"));
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "README.md"));
        string help = System.IO.File.ReadAllText(System.IO.Path.Combine(root, "docs", "diagnostics.md")).Replace("\r\n", "\n");
        DiagnosticDescriptors.All.Select(d => d.Id).ShouldBeUnique();
        DiagnosticDescriptors.All.Select(d => d.Id).ShouldBe(DiagnosticDescriptors.All.Select(d => d.Id).Order());
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            descriptor.Id.ShouldMatch("^DNNG[0-9]{4}$");
            descriptor.Title.ToString().ShouldNotBeNullOrWhiteSpace();
            descriptor.MessageFormat.ToString().ShouldNotBeNullOrWhiteSpace();
            descriptor.Description.ToString().ShouldNotBeNullOrWhiteSpace();
            shipped.ShouldContain($"{descriptor.Id} | DnnGen | {descriptor.DefaultSeverity} | {descriptor.Title}");
            readme.ShouldContain($"| {descriptor.Id} | {descriptor.DefaultSeverity.ToString().ToLowerInvariant()} | {descriptor.Title} |");

            // Each id has a heading "## DNNG0001" in docs/diagnostics.md; the entry opens with the title and the severity.
            help.ShouldContain($"\n## {descriptor.Id}\n\n**{descriptor.Title}** ({descriptor.DefaultSeverity.ToString().ToLowerInvariant()})\n");
        }
    }

    /// <summary>
    /// No descriptor links to help: DnnGen has no public address that serves docs/diagnostics.md, and a link must lead to
    /// the text it promises. The explanation is in each description, which IDEs show, and in docs/diagnostics.md, which
    /// the README says where to find.
    /// </summary>
    [Fact]
    public void No_descriptor_carries_a_help_link()
    {
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            descriptor.HelpLinkUri.ShouldBeEmpty(descriptor.Id);
            descriptor.Description.ToString().Length.ShouldBeGreaterThan(80, descriptor.Id);
        }

        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(global::DnnGen.Tests.Shared.RepositoryPaths.Root, "README.md"));
        string section = readme.Split("\n## Diagnostics\n")[1].Split("\n## ")[0];
        section.ShouldNotContain("links, in the IDE");
        section.ShouldContain("docs/diagnostics.md");
        section.ShouldContain("in the package");
    }

    [Theory]
    [InlineData("[Network(2, 4, 1, Activations = new[] { Activation.Tanh, Activation.Sigmoid }, [|OutputActivation = Activation.Sigmoid|])]", "OutputActivation")]
    [InlineData("[Network(2, 4, 1, [|HiddenActivation = Activation.Tanh|], Activations = new[] { Activation.Tanh, Activation.Sigmoid })]", "HiddenActivation")]
    public void DNNG0019_activations_with_a_layer_option(string attribute, string option)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0019", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain("remove " + option);
        diagnostic.GetMessage().ShouldContain("Activations = new[] { Activation.");
    }

    [Theory]
    [InlineData("[Network(2, 4, 1, [|Activations = new[] { Activation.Tanh }|])]", "has 1 entry, but the network has L = 2 layers (sizes 2, 4, 1)")]
    [InlineData("[Network(2, 1, [|Activations = new[] { Activation.Relu, Activation.Tanh, Activation.Sigmoid }|])]", "has 3 entries, but the network has L = 1 layers")]
    public void DNNG0020_activations_count_is_not_L(string attribute, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0020", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain(message);
    }

    [Theory]
    [InlineData("[Network(6, 5, 4, 3, [|HiddenActivation = Activation.Softmax|])]", "Layer 1 ")]
    [InlineData("[Network(6, 5, 4, 3, Activations = new[] { Activation.Relu, [|Activation.Softmax|], Activation.Sigmoid })]", "Layer 2 ")]
    public void DNNG0021_softmax_on_a_hidden_layer(string attribute, string layer)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0021", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldStartWith(layer + "of 'Net' is a hidden layer");
    }

    [Theory]
    [InlineData("[Network(64, 32, 1, [|OutputActivation = Activation.Softmax|])]")]
    [InlineData("[Network(64, 1, Activations = new[] { [|Activation.Softmax|] })]")]
    public void DNNG0022_softmax_below_two_outputs(string attribute)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0022", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain("OutputActivation = Activation.Sigmoid");
    }

    [Theory]
    [InlineData("[Network(64, 10, OutputActivation = Activation.Softmax, [|Loss = Loss.BinaryCrossEntropy|])]", "Loss = Loss.CategoricalCrossEntropy")]
    [InlineData("[Network(64, 10, OutputActivation = Activation.Softmax, [|Loss = Loss.SquaredError|])]", "Loss = Loss.CategoricalCrossEntropy")]
    [InlineData("[Network(10, 16, 1, OutputActivation = Activation.Linear, [|Loss = Loss.BinaryCrossEntropy|])]", "Loss = Loss.SquaredError")]
    [InlineData("[Network(10, 16, 1, OutputActivation = Activation.Tanh, [|Loss = Loss.BinaryCrossEntropy|])]", "Loss = Loss.SquaredError")]
    [InlineData("[Network(10, 16, 3, [|Loss = Loss.CategoricalCrossEntropy|])]", "Loss = Loss.BinaryCrossEntropy")]
    [InlineData("[Network(10, 16, 1, OutputActivation = Activation.Linear, [|Loss = Loss.CategoricalCrossEntropy|])]", "Activation.Softmax for Loss.CategoricalCrossEntropy")]
    public void DNNG0023_loss_that_does_not_fit_the_output(string attribute, string fix)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0023", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain(fix);
    }

    [Theory]
    [InlineData("[|LeakyReluSlope = double.NaN|]", "is NaN")]
    [InlineData("[|LeakyReluSlope = double.PositiveInfinity|]", "is infinity")]
    [InlineData("[|LeakyReluSlope = -0.5|]", "is -0.5")]
    [InlineData("[|LeakyReluSlope = 0|]", "plain relu")]
    public void DNNG0024_leaky_relu_slope_that_is_no_slope(string option, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0024", $$"""
            using DnnGen;
            [Network(4, 3, 1, HiddenActivation = Activation.LeakyRelu, {{option}})]
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain(message);
    }

    [Theory]
    [InlineData("[|LeakyReluSlope = 1e40|]", "beyond the largest float")]
    [InlineData("[|LeakyReluSlope = 1e-50|]", "rounds to 0 in float")]
    public void DNNG0024_leaky_relu_slope_that_a_float_network_cannot_hold(string option, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0024", $$"""
            using DnnGen;
            [Network(4, 3, 1, HiddenActivation = Activation.LeakyRelu, Precision = Precision.Single, {{option}})]
            public partial class Net;
            """);
        diagnostic.GetMessage().ShouldContain(message);
    }

    [Fact]
    public void A_slope_a_double_network_holds_is_accepted_there()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(4, 3, 1, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 1e-50)]
            public partial class Net;
            """);
        result.Diagnostics.ShouldBeEmpty();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[Network(2, 1, [|OutputActivation = (Activation)6|])]")]
    [InlineData("[Network(2, 1, [|Loss = (Loss)3|])]")]
    [InlineData("[Network(2, 1, [|Optimizer = (Optimizer)3|])]")]
    [InlineData("[Network(2, 3, 1, [|Optimizer = (Optimizer)(-1)|])]")]
    [InlineData("[Network(2, 4, 1, Activations = new[] { Activation.Tanh, [|(Activation)(-1)|] })]")]
    public void DNNG0008_new_options_outside_their_enums(string attribute) => AssertSingle("DNNG0008", $$"""
        using DnnGen;
        {{attribute}}
        public partial class Net;
        """);

    [Theory]
    [InlineData("[Network(2, 4, 1, Activations = [|Layers.Both|])]")]
    [InlineData("[Network(2, 4, 1, LeakyReluSlope = [|Layers.Slope|])]")]
    public void DNNG0011_new_options_that_are_not_constants(string attribute) => AssertSingle("DNNG0011", $$"""
        using DnnGen;
        public static class Layers
        {
            public static readonly Activation[] Both = { Activation.Tanh, Activation.Sigmoid };
            public static readonly double Slope = 0.1;
        }
        {{attribute}}
        public partial class Net;
        """);

    [Theory]
    [InlineData("[Network(2, 4, 1, [|Loss = Activation.Tanh|])]")]
    [InlineData("[Network(2, 4, 1, [|LeakyReluSlope = \"0.1\"|])]")]
    [InlineData("[Network(2, 4, 1, [|Activations = null|])]")]
    [InlineData("[Network(2, 4, 1, HiddenActivation = Activation.Tanh, [|HiddenActivation = Activation.Relu|])]")]
    public void DNNG0012_new_options_of_the_wrong_type_or_given_twice(string attribute) => AssertSingle("DNNG0012", $$"""
        using DnnGen;
        {{attribute}}
        public partial class Net;
        """);

    [Theory]
    [InlineData("[Network(2, 4, 1, HiddenActivation = Activation.Tanh, Initialization = Initialization.ScaledNormal)]")]
    [InlineData("[Network(12288, 1, Initialization = Initialization.Zeros)]")]
    [InlineData("[Network(64, 32, 10, OutputActivation = Activation.Softmax, Initialization = Initialization.He)]")]
    [InlineData("[Network(10, 16, 1, OutputActivation = Activation.Linear)]")]
    [InlineData("[Network(6, 5, 4, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, Activation.Sigmoid }, LeakyReluSlope = 0.2)]")]
    [InlineData("[Network(3, 2, 2, OutputActivation = Activation.Sigmoid, Loss = Loss.SquaredError)]")]
    public void The_new_options_generate_a_network_that_compiles(string attribute)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run($$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.ShouldHaveSingleItem();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    /// <summary>Runs the generator on the markup and asserts exactly one error, of the id, at the marked span, and no output.</summary>
    private static Diagnostic AssertSingle(string id, string markup)
    {
        (string source, TextSpan span) = Markup.Parse(markup);
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe(id);
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.SourceSpan.ShouldBe(span, $"located at '{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}'");
        result.GeneratedSources.ShouldBeEmpty();
        return diagnostic;
    }
}
