using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>Each DnnGen diagnostic: its id, severity and exact location, and that nothing is generated alongside it.</summary>
public class DiagnosticTests
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

        diagnostic.GetMessage().ShouldContain("10,000,200,001 parameters");
    }

    [Theory]
    [InlineData("public partial struct [|Net|] { }")]
    [InlineData("public partial record [|Net|];")]
    [InlineData("public partial record struct [|Net|];")]
    [InlineData("public partial interface [|Net|] { }")]
    [InlineData("public static partial class [|Net|] { }")]
    [InlineData("public abstract partial class [|Net|] { }")]
    [InlineData("public partial class [|Net|]<T> { }")]
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
        diagnostic.Location.GetLineSpan().Path.ShouldBe("File0.cs");
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void Every_descriptor_has_an_id_title_message_and_description_and_is_listed_for_release()
    {
        string shipped = System.IO.File.ReadAllText(System.IO.Path.Combine(global::DnnGen.Tests.Shared.RepositoryPaths.Root, "generator", "DnnGen.Generator", "AnalyzerReleases.Shipped.md"));
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(global::DnnGen.Tests.Shared.RepositoryPaths.Root, "README.md"));
        DiagnosticDescriptors.All.Select(d => d.Id).ShouldBeUnique();
        foreach (DiagnosticDescriptor descriptor in DiagnosticDescriptors.All)
        {
            descriptor.Id.ShouldMatch("^DNNG[0-9]{4}$");
            descriptor.Title.ToString().ShouldNotBeNullOrWhiteSpace();
            descriptor.MessageFormat.ToString().ShouldNotBeNullOrWhiteSpace();
            descriptor.Description.ToString().ShouldNotBeNullOrWhiteSpace();
            shipped.ShouldContain($"{descriptor.Id} | DnnGen | {descriptor.DefaultSeverity} | {descriptor.Title}");
            readme.ShouldContain(descriptor.Id);
        }
    }

    /// <summary>Runs the generator on the markup and asserts exactly one diagnostic, of the id, at the marked span.</summary>
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
