using System.Collections.Immutable;
using DnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Declarations the compiler rejects with an error of its own, or accepts with a warning, while DnnGen used to generate
/// from them anyway (or say nothing): each gets a DNNG diagnostic at the offending syntax, and nothing is generated.
/// </summary>
public partial class DiagnosticTests
{
    // ---- the class that top-level statements declare (a Roslyn crash when it gets a generated part) ----

    [Fact]
    public void DNNG0016_the_top_level_statements_class_gets_an_error_and_the_compiler_survives()
    {
        (string source, TextSpan span) = Markup.Parse("""
            using DnnGen;
            System.Console.WriteLine("hello");

            [Network(4, 1)]
            public partial class [|Program|];
            """);
        CSharpCompilation input = GeneratorHarness.Compile(source).WithOptions(ExecutableOptions);

        AssertTopLevelProgramRejected(input, "File0.cs", span);
    }

    [Fact]
    public void DNNG0016_is_reported_when_the_top_level_statements_are_in_another_file()
    {
        (string declaration, TextSpan span) = Markup.Parse("""
            namespace Ignored { }
            [DnnGen.Network(4, 1)]
            public partial class [|Program|] { }
            """);
        CSharpCompilation input = GeneratorHarness.Compile("System.Console.WriteLine(args.Length);\n", declaration).WithOptions(ExecutableOptions);

        AssertTopLevelProgramRejected(input, "File1.cs", span);
    }

    private static readonly CSharpCompilationOptions ExecutableOptions = new(
        OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999);

    private static void AssertTopLevelProgramRejected(CSharpCompilation input, string path, TextSpan span)
    {
        // The real driver, as a build runs it: the generator must not throw, and compiling the result must not crash.
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> driverDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        result.Exception.ShouldBeNull();
        driverDiagnostics.Select(d => d.Id).ShouldBe(["DNNG0016"], "the driver reports the generator's diagnostic and nothing else: no CS8785");
        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0016");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.GetLineSpan().Path.ShouldBe(path);
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldBe(
            "'Program' is the class that the top-level statements declare, which cannot take a generated part; declare the network " +
            "in a class of its own, such as '[Network(...)] public partial class Net;', and create it with new Net() in the top-level statements");
        result.GeneratedSources.ShouldBeEmpty();

        ImmutableArray<Diagnostic> compiled = Should.NotThrow(() => output.GetDiagnostics());
        compiled.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        using var stream = new System.IO.MemoryStream();
        Should.NotThrow(() => output.Emit(stream)).Success.ShouldBeTrue();
    }

    // ---- arguments the compiler rejects ----

    [Theory]
    [InlineData("[Network([|Precision = Precision.Single|], 2, 1)]", "[Network] argument 'Precision = Precision.Single' is not valid: it is written before the layer sizes, and C# takes an attribute's named options only after its positional arguments (CS1016); write [Network(2, 1, Precision = Precision.Single)]")]
    [InlineData("[Network(4, [|Initialization = Initialization.ScaledNormal|], 3, 1, Precision = Precision.Single)]", "write [Network(4, 3, 1, Initialization = Initialization.ScaledNormal, Precision = Precision.Single)]")]
    [InlineData("[Network([|Precision = Precision.Single|], layerSizes: new[] { 2, 1 })]", "write [Network(layerSizes: new[] { 2, 1 }, Precision = Precision.Single)]")]
    public void DNNG0012_an_option_written_before_the_sizes(string attribute, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0012", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldContain(message);
    }

    [Theory]
    [InlineData("[Network(2, 1, Precision = Precision.Single, [|Precision = Precision.Double|])]", "[Network] argument 'Precision = Precision.Double' is not valid: option Precision is already given, as 'Precision = Precision.Single'; C# takes each named argument once (CS0643), so remove one of them")]
    [InlineData("[Network(2, 1, Initialization = Initialization.ScaledNormal, Precision = Precision.Single, [|Initialization = Initialization.ScaledNormal|])]", "option Initialization is already given, as 'Initialization = Initialization.ScaledNormal'")]
    public void DNNG0012_an_option_given_twice(string attribute, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0012", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldContain(message);
    }

    // ---- the other parts of the class and of its enclosing types ----

    [Fact]
    public void DNNG0001_another_part_of_the_class_is_not_partial()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0001", """
            using DnnGen;
            [Network(2, 1)]
            public partial class Net;

            public class [|Net|] { public int Epochs; }
            """);

        diagnostic.GetMessage().ShouldBe("'Net' has [Network], but this declaration of it is not partial; declare it 'partial class Net' so DnnGen can add the network's members");
    }

    [Fact]
    public void DNNG0001_is_reported_in_the_file_of_the_part_that_is_not_partial()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(
            """
            [DnnGen.Network(2, 1)]
            public partial class Net;
            """,
            """
            public class Net { }
            """);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0001");
        diagnostic.Location.GetLineSpan().Path.ShouldBe("File1.cs");
        diagnostic.Location.SourceSpan.ShouldBe(new TextSpan(13, 3));
        result.GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void DNNG0006_another_part_of_an_enclosing_type_is_not_partial() => AssertSingle("DNNG0006", """
        using DnnGen;
        public partial class Outer
        {
            [Network(2, 1)]
            public partial class Net;
        }

        public class [|Outer|] { }
        """);

    [Theory]
    [InlineData("public partial struct [|Net|] { }", "'Net' is declared a struct here but a class in another part (CS0261)")]
    [InlineData("public partial record [|Net|];", "'Net' is declared a record here but a class in another part (CS0261)")]
    [InlineData("public partial interface [|Net|] { }", "'Net' is declared an interface here but a class in another part (CS0261)")]
    public void DNNG0005_parts_of_different_kinds(string otherPart, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0005", $$"""
            using DnnGen;
            [Network(2, 1)]
            public partial class Net;
            {{otherPart}}
            """);

        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Fact]
    public void DNNG0005_the_annotated_part_is_the_odd_one()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0005", """
            using DnnGen;
            public partial class Net;

            [Network(2, 1)]
            public partial struct [|Net|] { }
            """);

        diagnostic.GetMessage().ShouldStartWith("'Net' is declared a struct here but a class in another part (CS0261)");
    }

    // ---- INetwork<T> of the other element type ----

    [Theory]
    [InlineData("[Network(2, 1)]", "[|INetwork<float>|]", "'Net' implements INetwork<float>, but [Network] makes it a network of double, which implements INetwork<double>; remove INetwork<float> from its base list, or set Precision = Precision.Single")]
    [InlineData("[Network(2, 1, Precision = Precision.Single)]", "[|DnnGen.INetwork<double>|]", "'Net' implements INetwork<double>, but [Network] makes it a network of float, which implements INetwork<float>; remove INetwork<double> from its base list, or set Precision = Precision.Double")]
    [InlineData("[Network(2, 1)]", "System.IDisposable, [|IFloatNetwork|]", "'Net' implements INetwork<float> through 'IFloatNetwork', but [Network] makes it a network of double")]
    public void DNNG0017_the_class_implements_the_network_interface_of_the_other_precision(string attribute, string baseList, string message)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0017", $$"""
            using DnnGen;
            public interface IFloatNetwork : INetwork<float> { }
            {{attribute}}
            public partial class Net : {{baseList}}
            {
                public void Dispose() { }
            }
            """);

        diagnostic.GetMessage().ShouldStartWith(message);
    }

    [Fact]
    public void The_network_interface_of_the_same_precision_in_the_base_list_compiles()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using DnnGen;
            [Network(2, 3, 1, Precision = Precision.Single)]
            public partial class Net : INetwork<float>;
            """);

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.ShouldHaveSingleItem();
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    // ---- [method: Network]: the compiler ignores the attribute, with a warning only ----

    [Theory]
    [InlineData("[[|method:|] Network(2, 1)]", "method")]
    [InlineData("[[|field:|] DnnGen.Network(2, 1)]", "field")]
    [InlineData("[[|return:|] NetworkAttribute(2, 1)]", "return")]
    public void DNNG0018_an_attribute_target_that_a_class_does_not_take(string attribute, string target)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0018", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldBe(
            $"[Network] on 'Net' has the target '{target}:', which a class does not have, so the compiler ignores the attribute " +
            $"(CS0657), and no network is generated; remove '{target}:', or write 'type:'");
    }

    [Fact]
    public void DNNG0018_is_not_reported_for_the_type_target_or_for_other_attributes()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            using DnnGen;
            [type: Network(2, 1)]
            public partial class Net;

            [System.AttributeUsage(System.AttributeTargets.All)]
            public sealed class OtherAttribute : System.Attribute { }

            [method: Other]
            public class NotANetwork { }
            """);

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.ShouldHaveSingleItem();
        GeneratorHarness.CompilerProblems(output).Select(d => d.Id).ShouldBe(["CS0657"]);
    }

    // ---- messages that name the real cause ----

    [Fact]
    public void DNNG0011_an_array_created_by_its_length_is_told_to_list_its_elements()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0011", """
            using DnnGen;
            [Network([|new int[3]|])]
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldBe(
            "The array of layer sizes is 'new int[3]', which is not a compile-time constant; it creates an array from its length, " +
            "with no sizes in it: list the sizes as its elements, as in new[] { 4, 3, 1 }, or as arguments, as in [Network(4, 3, 1)]");
    }

    [Theory]
    [InlineData("[Network([|checked(int.MaxValue + 1)|], 1)]", "checked(int.MaxValue + 1)")]
    [InlineData("[Network(4, [|int.MaxValue * 2|], 1)]", "int.MaxValue * 2")]
    public void DNNG0012_an_overflowing_size_is_told_it_overflows(string attribute, string expression)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0012", $$"""
            using DnnGen;
            {{attribute}}
            public partial class Net;
            """);

        diagnostic.GetMessage().ShouldBe(
            $"[Network] argument '{expression}' is not valid: its value overflows an int at compile time (CS0220); a layer size is an int, at most 2,147,483,647, so give a smaller size");
    }

    [Fact]
    public void DNNG0007_a_class_named_like_a_generated_member_is_told_to_rename_the_class()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0007", """
            #pragma warning disable CS8981
            using DnnGen;
            [Network(3, 2, 1)]
            public partial class [|dA1|];
            """);

        diagnostic.GetMessage().ShouldBe("The class's own name 'dA1' is the name of a member DnnGen generates for the network, and C# forbids a member named like its class; rename the class");
    }

    [Fact]
    public void DNNG0007_a_member_keeps_its_message()
    {
        Diagnostic diagnostic = AssertSingle("DNNG0007", """
            using DnnGen;
            [Network(3, 2, 1)]
            public partial class Net { public void [|Forward|]() { } }
            """);

        diagnostic.GetMessage().ShouldBe("'Net' already declares 'Forward', which DnnGen generates for the network; rename or remove it");
    }

    [Theory]
    [InlineData("Precision = Precision.Single", "write DnnGen.Precision.Single in full")]
    [InlineData("Precision = Precision.Double", "write DnnGen.Precision.Double in full")]
    [InlineData("Initialization = Initialization.ScaledNormal", "write DnnGen.Initialization.ScaledNormal in full")]
    public void DNNG0012_a_user_enum_that_hides_an_option_s_enum_is_named(string option, string advice)
    {
        Diagnostic diagnostic = AssertSingle("DNNG0012", $$"""
            using DnnGen;
            namespace App
            {
                public enum Precision { Double, Single }
                public enum Initialization { ScaledNormal }

                [Network(2, 1, [|{{option}}|])]
                public partial class Net;
            }
            """);

        string name = option.Split(' ')[0];
        diagnostic.GetMessage().ShouldBe($"[Network] argument '{option}' is not valid: it has type 'App.{name}', an enum of your own that hides DnnGen.{name} here; {advice}");
    }

    [Theory]
    [InlineData("[|B.InputSize|], 1", "B.InputSize", "InputSize")]
    [InlineData("4, [|Demo.B.Layer1Size|], 1", "Demo.B.Layer1Size", "Layer1Size")]
    public void DNNG0012_a_size_from_another_network_s_generated_constant_says_generated_code_is_not_visible(string arguments, string expression, string member)
    {
        (string source, TextSpan span) = Markup.Parse($$"""
            using DnnGen;
            namespace Demo;
            [Network(4, 3, 1)] public partial class B;
            [Network({{arguments}})] public partial class A;
            """);
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("DNNG0012");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.SourceSpan.ShouldBe(span);
        diagnostic.GetMessage().ShouldBe(
            $"[Network] argument '{expression}' is not valid: '{member}' is a constant DnnGen generates in 'B', and generated code is not " +
            "visible to DnnGen while it reads [Network]; use a const of your own in both attributes (const int Inputs = 4;) or a literal");
        result.GeneratedSources.Select(g => g.HintName).ShouldBe(["Demo.B.g.cs"]);

        // The message must not send the user to a compiler error that is not there.
        output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
    }
}
