using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
    [InlineData("sizes from constants and constant expressions", """
        using DnnGen;
        namespace Consts;
        public static class Sizes
        {
            public const int Pixels = 64 * 64 * 3;
            public const int Hidden = 20;
        }

        [Network(Sizes.Pixels, Sizes.Hidden / 2, 1, Precision = (Precision)1)]
        public partial class FromConstants;
        """)]
    [InlineData("sizes as arrays and a collection expression", """
        using DnnGen;
        [Network(new[] { 4, 3, 1 })] public partial class ImplicitArray;
        [Network(new int[] { 4, 3, 1 })] public partial class ExplicitArray;
        [Network([4, 3, 1])] public partial class Collection;
        [Network(layerSizes: new[] { 4, 1 }, Initialization = Initialization.ScaledNormal)] public partial class NamedSizes;
        """)]
    [InlineData("a base class whose members do not collide", """
        using DnnGen;
        public abstract class Model
        {
            private readonly int W1 = 1;
            public string Name { get; set; } = "";
            protected void Log(string message) { _ = message; _ = W1; }
        }

        [Network(3, 2, 1)]
        public sealed partial class Derived : Model;
        """)]
    [InlineData("nested in a ref struct, a readonly struct and a static class", """
        using DnnGen;
        public static partial class Holder
        {
            public ref partial struct RefOuter
            {
                [Network(2, 1)] public partial class InRef;
            }

            public readonly partial struct ReadOnlyOuter
            {
                [Network(2, 1)] public partial class InReadOnly;
            }
        }
        """)]
    [InlineData("classes that are internal, sealed, private or protected internal", """
        using DnnGen;
        internal partial class Shell
        {
            [Network(3, 1)] private sealed partial class Hidden;
            [Network(3, 1)] protected internal partial class Shared;
        }
        """)]
    [InlineData("a user method named nameof, which would capture the generated code's nameof(...)", """
        using DnnGen;
        [Network(2, 3, 1)]
        public partial class Net
        {
            private static string nameof(object value) => "mine";
            public string Mine() => nameof(this);
        }
        """)]
    [InlineData("a user type named var, which would capture the generated code's var declarations", """
        using DnnGen;
        namespace Shadowed
        {
        #pragma warning disable CS8981 // the user's own lowercase name
            internal sealed class var { }
        #pragma warning restore CS8981

            [Network(12288, 20, 7, 5, 1)] public partial class Cat;
            [Network(2, 4, 1)] public partial class Small;
        }
        """)]
    [InlineData("a lowercase class name, whose CS8981 the user suppresses in their own file", """
        #pragma warning disable CS8981
        using DnnGen;
        [Network(2, 3, 1)]
        public partial class net;
        """)]
    public void Generates_code_that_compiles_without_warnings(string shape, string source)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        result.Diagnostics.ShouldBeEmpty(shape);
        result.GeneratedSources.ShouldNotBeEmpty(shape);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty(shape);
    }

    [Fact]
    public void A_runtime_referenced_only_under_an_extern_alias_is_named_through_it()
    {
        // <PackageReference Include="DnnGen" Aliases="dnn" />: global::DnnGen does not resolve (CS0400), so the generated
        // file declares the alias and names the runtime through it.
        CSharpCompilation input = GeneratorHarness.CompileWithRuntimeAlias("dnn", """
            extern alias dnn;
            using dnn::DnnGen;
            namespace Aliased;
            [Network(12288, 20, 7, 5, 1)] public partial class Cat;
            [Network(2, 4, 1, Precision = Precision.Single)] public partial class Small;
            """);

        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(input);

        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.Length.ShouldBe(2);
        foreach (GeneratedSourceResult generated in result.GeneratedSources)
        {
            string code = generated.SourceText.ToString();
            code.ShouldContain("extern alias dnn;");
            code.ShouldContain("partial class ");
            code.ShouldNotContain("global::DnnGen");
        }

        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
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

    [Fact]
    public void Networks_whose_names_differ_only_in_case_get_distinct_files()
    {
        // Hint names compare ignoring case: without care, the second AddSource would crash the generator (CS8785).
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("""
            namespace Cased;
            [DnnGen.Network(3, 1)] public partial class Net;
            [DnnGen.Network(4, 1)] public partial class NET;
            [DnnGen.Network(5, 1)] public partial class Other;
            """);

        result.Exception.ShouldBeNull();
        result.Diagnostics.ShouldBeEmpty();
        result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ShouldBe(
            ["Cased.NET.5cee0656.g.cs", "Cased.Net.7c9e86d6.g.cs", "Cased.Other.g.cs"]);
        GeneratorHarness.CompilerProblems(output).ShouldBeEmpty();
    }

    /// <summary>
    /// The generated code needs C# 9 (NetworkEmitter.MinimumLanguageVersion): with every version from there up it
    /// compiles without a warning, and below it DNNG0015 stands in for it. A newer feature in the emitter fails here.
    /// </summary>
    [Fact]
    public void Generated_code_compiles_with_every_language_version_from_the_minimum()
    {
        const string Source = """
            namespace Versions
            {
                [DnnGen.Network(12288, 20, 7, 5, 1)]
                public partial class Cat { }

                [DnnGen.Network(2, 4, 1, Precision = DnnGen.Precision.Single)]
                public partial class Small { }
            }
            """;
        foreach (LanguageVersion version in new[]
        {
            LanguageVersion.CSharp7_3, LanguageVersion.CSharp8, LanguageVersion.CSharp9, LanguageVersion.CSharp10,
            LanguageVersion.CSharp11, LanguageVersion.CSharp12, LanguageVersion.CSharp13, LanguageVersion.Latest, LanguageVersion.Preview,
        })
        {
            var parseOptions = new CSharpParseOptions(version);
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(parseOptions, Source);
            if (parseOptions.LanguageVersion < NetworkEmitter.MinimumLanguageVersion)
            {
                result.Diagnostics.Select(d => d.Id).ShouldBe(["DNNG0015", "DNNG0015"], version.ToString());
                result.GeneratedSources.ShouldBeEmpty(version.ToString());
            }
            else
            {
                result.Diagnostics.ShouldBeEmpty(version.ToString());
                result.GeneratedSources.Length.ShouldBe(2, version.ToString());
                GeneratorHarness.CompilerProblems(output).ShouldBeEmpty(version.ToString());
            }
        }
    }

    /// <summary>
    /// DNNG0007 and DNNG0014 guard exactly the names the emitter declares: NetworkShape.GeneratedMemberNames must list
    /// every member of the generated class, private ones included, and nothing else.
    /// </summary>
    [Theory]
    [InlineData("[Network(12288, 20, 7, 5, 1)]", "Binary")]
    [InlineData("[Network(3, 1)]", "Binary")]
    [InlineData("[Network(5, 4, 3, 2, 1, Precision = Precision.Single)]", "Binary")]
    [InlineData("[Network(64, 32, 10, OutputActivation = Activation.Softmax)]", "OneHot")]
    [InlineData("[Network(4, 5, 3, OutputActivation = Activation.Softmax)]", "OneHot")]
    [InlineData("[Network(10, 16, 1, OutputActivation = Activation.Linear)]", "Finite")]
    [InlineData("[Network(2, 3, 2, OutputActivation = Activation.Tanh, Loss = Loss.SquaredError)]", "Finite")]
    [InlineData("[Network(2, 5, 2, 1, Optimizer = Optimizer.Momentum)]", "Binary")]
    [InlineData("[Network(4, 5, 3, OutputActivation = Activation.Softmax, Optimizer = Optimizer.Adam)]", "OneHot")]
    [InlineData("[Network(3, 1, Optimizer = Optimizer.Adam)]", "Binary")]
    public void The_collision_checks_know_every_generated_member(string attribute, string labels)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run($"using DnnGen;\n{attribute}\npublic partial class Net;\n");
        SyntaxTree generated = result.GeneratedSources.ShouldHaveSingleItem().SyntaxTree;

        var declared = generated.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single().Members
            .SelectMany(member => member switch
            {
                BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
                MethodDeclarationSyntax method => [method.Identifier.ValueText],
                PropertyDeclarationSyntax property => [property.Identifier.ValueText],
                _ => throw new InvalidOperationException("Unexpected member " + member.Kind()),
            })
            .ToHashSet();
        int[] sizes = attribute.Split("[Network(")[1].Split(')')[0].Split(", ").TakeWhile(s => !s.Contains('=')).Select(int.Parse).ToArray();

        Optimizer optimizer = attribute.Contains("Optimizer.Adam") ? Optimizer.Adam
            : attribute.Contains("Optimizer.Momentum") ? Optimizer.Momentum
            : Optimizer.GradientDescent;

        Precision precision = attribute.Contains("Precision.Single") ? Precision.Single : Precision.Double;
        declared.ShouldBe(new NetworkShape(new EquatableArray<int>(sizes)).GeneratedMemberNames(Enum.Parse<LabelForm>(labels), optimizer, precision).ToHashSet(), ignoreOrder: true);
    }

    /// <summary>
    /// docs/diagnostics.md's entry for DNNG0007 names every member a network can declare, so that a user who meets the
    /// error finds the name there: each of GeneratedMemberNames (for every kind of label, optimizer and precision) and
    /// BakedMemberNames, for a deep network and a small one, in backquotes, a layer's number written as {l} (W{l},
    /// dA{l}, a{l}Dropped) where the name is one per layer.
    /// </summary>
    [Fact]
    public void The_collision_entry_in_the_diagnostics_help_names_every_generated_member()
    {
        string help = System.IO.File.ReadAllText(System.IO.Path.Combine(global::DnnGen.Tests.Shared.RepositoryPaths.Root, "docs", "diagnostics.md")).Replace("\r\n", "\n");
        string entry = help.Split("\n## DNNG0007\n")[1].Split("\n## ")[0];
        var names = new System.Collections.Generic.SortedSet<string>(StringComparer.Ordinal);
        foreach (int[] sizes in new[] { new[] { 12288, 20, 7, 5, 1 }, new[] { 2, 4, 1 } })
        {
            var shape = new NetworkShape(new EquatableArray<int>(sizes));
            foreach (LabelForm labels in Enum.GetValues<LabelForm>())
            {
                names.UnionWith(shape.BakedMemberNames(labels));
                foreach (Optimizer optimizer in Enum.GetValues<Optimizer>())
                {
                    foreach (Precision precision in Enum.GetValues<Precision>())
                    {
                        names.UnionWith(shape.GeneratedMemberNames(labels, optimizer, precision));
                    }
                }
            }
        }

        names.Where(name => !entry.Contains($"`{name}`", StringComparison.Ordinal)
                && !entry.Contains($"`{System.Text.RegularExpressions.Regex.Replace(name, "[0-9]+", "{l}")}`", StringComparison.Ordinal))
            .ShouldBeEmpty();
    }
}
