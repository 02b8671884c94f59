using System.Threading.Tasks;

namespace DnnGen.CodeFixes.Tests;

/// <summary>DNNG0011: a size or option read from a static readonly field whose value is a constant; the fix makes the field const.</summary>
public class MakeFieldConstTests
{
    private static readonly MakeFieldConstCodeFixProvider Provider = new();

    [Fact]
    public Task A_size_from_a_static_readonly_field_of_another_class() => FixAssert.FixesAsync(Provider, "DNNG0011", "Make 'Hidden' a const",
        """
        using DnnGen;

        public static class Sizes
        {
            public static readonly int Hidden = 20;
        }

        [Network(4, Sizes.Hidden, 1)]
        public partial class Net;
        """,
        """
        using DnnGen;

        public static class Sizes
        {
            public const int Hidden = 20;
        }

        [Network(4, Sizes.Hidden, 1)]
        public partial class Net;
        """);

    [Fact]
    public Task A_field_of_the_network_class_with_its_modifiers_in_another_order() => FixAssert.FixesAsync(Provider, "DNNG0011", "Make 'Features' a const",
        """
        using DnnGen;

        [Network(Features, 1)]
        public partial class Net
        {
            // The planar data's two coordinates.
            readonly static internal int Features = 2;
        }
        """,
        """
        using DnnGen;

        [Network(Features, 1)]
        public partial class Net
        {
            // The planar data's two coordinates.
            internal const int Features = 2;
        }
        """);

    [Fact]
    public Task A_field_in_another_file_read_in_an_expression() => FixAssert.FixesAsync(Provider, "DNNG0011", "Make 'Width' a const",
        [
            """
            using DnnGen;

            [Network(new[] { 64 * 64 * 3, Sizes.Width * 2, 1 })]
            public partial class Net;
            """,
            """
            internal static class Sizes
            {
                internal static readonly int Width = 10;
            }
            """,
        ],
        [
            """
            using DnnGen;

            [Network(new[] { 64 * 64 * 3, Sizes.Width * 2, 1 })]
            public partial class Net;
            """,
            """
            internal static class Sizes
            {
                internal const int Width = 10;
            }
            """,
        ]);

    [Fact]
    public Task An_option_from_a_static_readonly_field() => FixAssert.FixesAsync(Provider, "DNNG0011", "Make 'Chosen' a const",
        """
        using DnnGen;

        [Network(4, 1, Precision = Settings.Chosen)]
        public partial class Net;

        internal static class Settings
        {
            private static readonly int Unrelated = 3;
            public static readonly Precision Chosen = Precision.Single;

            public static int Read() => Unrelated;
        }
        """,
        """
        using DnnGen;

        [Network(4, 1, Precision = Settings.Chosen)]
        public partial class Net;

        internal static class Settings
        {
            private static readonly int Unrelated = 3;
            public const Precision Chosen = Precision.Single;

            public static int Read() => Unrelated;
        }
        """);

    [Fact]
    public Task Fix_all_makes_every_field_the_sizes_read_const_and_a_field_read_twice_once() => FixAssert.FixesAllAsync(Provider, "DNNG0011", 3,
        """
        using DnnGen;

        public static class Sizes
        {
            public static readonly int Input = 12288;
            public static readonly int Hidden = 7;
        }

        [Network(Sizes.Input, Sizes.Hidden, Sizes.Hidden, 1)]
        public partial class Net;
        """,
        """
        using DnnGen;

        public static class Sizes
        {
            public const int Input = 12288;
            public const int Hidden = 7;
        }

        [Network(Sizes.Input, Sizes.Hidden, Sizes.Hidden, 1)]
        public partial class Net;
        """);

    [Theory]
    [InlineData("public static readonly int Hidden = int.Parse(\"20\");", "its initializer is a method call")]
    [InlineData("public static readonly int Hidden = Other; public static readonly int Other = 20;", "its initializer reads another static readonly field")]
    [InlineData("public static readonly int Hidden;", "it has no initializer")]
    [InlineData("public static readonly int Hidden = 20, Other = System.Environment.ProcessorCount;", "its declaration's other variable is not constant")]
    [InlineData("public static readonly int Hidden = 20; static Sizes() { Hidden = 30; }", "the static constructor assigns it")]
    [InlineData("public static int Hidden => 20;", "it is a property")]
    [InlineData("public static int Hidden = 20;", "it is not readonly")]
    public Task No_fix_when_the_field_cannot_become_a_const(string member, string why)
    {
        Assert.NotEmpty(why);
        return FixAssert.OffersNoFixAsync(Provider, "DNNG0011", $$"""
            using DnnGen;

            public static class Sizes
            {
                {{member}}
            }

            [Network(4, Sizes.Hidden, 1)]
            public partial class Net;
            """);
    }

    [Fact]
    public Task No_fix_when_the_argument_also_reads_something_else_that_is_not_constant() => FixAssert.OffersNoFixAsync(Provider, "DNNG0011", """
        using DnnGen;

        public static class Sizes
        {
            public static readonly int Hidden = 20;
        }

        [Network(4, Sizes.Hidden + System.Environment.ProcessorCount, 1)]
        public partial class Net;
        """);

    [Fact]
    public Task No_fix_for_an_array_of_sizes_in_a_field() => FixAssert.OffersNoFixAsync(Provider, "DNNG0011", """
        using DnnGen;

        public static class Sizes
        {
            public static readonly int[] All = { 4, 3, 1 };
        }

        [Network(Sizes.All)]
        public partial class Net;
        """);
}
