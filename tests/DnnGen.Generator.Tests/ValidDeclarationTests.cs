using Microsoft.CodeAnalysis;
using Shouldly;

namespace DnnGen.Generator.Tests;

/// <summary>Declaration shapes users write: each generates, and the result compiles with no warning at all.</summary>
public class ValidDeclarationTests
{
    [Theory]
    [InlineData("global namespace", """
        using DnnGen;
        [Network(2, 3, 1)]
        public partial class GlobalNet;
        """)]
    [InlineData("block namespace", """
        using DnnGen;
        namespace A.B
        {
            [Network(4, 1)]
            internal sealed partial class Net { }
        }
        """)]
    [InlineData("nested in partial class, struct and record", """
        using DnnGen;
        namespace Deep;
        public partial class Outer
        {
            public partial struct Middle
            {
                public partial record Inner
                {
                    [Network(3, 2, 1)]
                    private partial class Net;
                }
            }
        }
        """)]
    [InlineData("several networks in one file", """
        using DnnGen;
        namespace Many;
        [Network(2, 1)] public partial class First;
        [Network(3, 5, 2, Precision = Precision.Single)] public partial class Second;
        [Network(12288, 20, 7, 5, 1, Initialization = Initialization.ScaledNormal)] public partial class Third;
        """)]
    [InlineData("keyword-named class and user members that do not collide", """
        using DnnGen;
        namespace Users;
        [DnnGen.Network(2, 2, 1)]
        public partial class @event
        {
            public @event() { }
            public string Describe() => "mine";
        }
        """)]
    public void Generates_code_that_compiles_without_warnings(string shape, string source)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        result.Diagnostics.ShouldBeEmpty(shape);
        result.GeneratedSources.ShouldNotBeEmpty(shape);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty(shape);
    }

    [Fact]
    public void A_class_declared_across_several_files_gets_one_generated_file()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(
            """
            namespace Split;
            [DnnGen.Network(4, 3, 1)]
            public partial class Net;
            """,
            """
            namespace Split;
            public partial class Net
            {
                public int Epochs { get; set; }
            }
            """);

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.ShouldHaveSingleItem().HintName.ShouldBe("Split.Net.g.cs");
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }
}
