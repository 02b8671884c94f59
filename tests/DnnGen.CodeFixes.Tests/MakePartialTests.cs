using System.Threading.Tasks;

namespace DnnGen.CodeFixes.Tests;

/// <summary>DNNG0001 and DNNG0006: the fix adds <c>partial</c> where C# wants it.</summary>
public class MakePartialTests
{
    private static readonly MakePartialCodeFixProvider Provider = new();

    [Fact]
    public Task DNNG0001_public_class() => FixAssert.FixesAsync(Provider, "DNNG0001", "Make 'Net' partial",
        """
        using DnnGen;

        [Network(2, 4, 1)]
        public class Net;
        """,
        """
        using DnnGen;

        [Network(2, 4, 1)]
        public partial class Net;
        """);

    [Fact]
    public Task DNNG0001_partial_goes_after_every_other_modifier() => FixAssert.FixesAsync(Provider, "DNNG0001", "Make 'Net' partial",
        """
        namespace App
        {
            [DnnGen.Network(2, 1)]
            internal sealed class Net
            {
            }
        }
        """,
        """
        namespace App
        {
            [DnnGen.Network(2, 1)]
            internal sealed partial class Net
            {
            }
        }
        """);

    [Fact]
    public Task DNNG0001_class_without_modifiers_keeps_its_indentation_and_comment() => FixAssert.FixesAsync(Provider, "DNNG0001", "Make 'Net' partial",
        """
        namespace App
        {
            [DnnGen.Network(2, 1)]
            // The planar network.
            class Net { }
        }
        """,
        """
        namespace App
        {
            [DnnGen.Network(2, 1)]
            // The planar network.
            partial class Net { }
        }
        """);

    [Fact]
    public Task DNNG0006_enclosing_static_class() => FixAssert.FixesAsync(Provider, "DNNG0006", "Make 'Models' partial",
        """
        using DnnGen;

        public static class Models
        {
            [Network(2, 1)]
            public partial class Net;
        }
        """,
        """
        using DnnGen;

        public static partial class Models
        {
            [Network(2, 1)]
            public partial class Net;
        }
        """);

    [Fact]
    public Task DNNG0006_enclosing_struct() => FixAssert.FixesAsync(Provider, "DNNG0006", "Make 'Holder' partial",
        """
        using DnnGen;

        public readonly struct Holder
        {
            [Network(2, 1)]
            public partial class Net;
        }
        """,
        """
        using DnnGen;

        public readonly partial struct Holder
        {
            [Network(2, 1)]
            public partial class Net;
        }
        """);

    [Fact]
    public Task DNNG0006_enclosing_type_in_another_file() => FixAssert.FixesAsync(Provider, "DNNG0006", "Make 'Outer' partial",
        [
            """
            public class Outer
            {
            }
            """,
            """
            using DnnGen;

            public partial class Outer
            {
                [Network(2, 1)]
                public partial class Net;
            }
            """,
        ],
        [
            """
            public partial class Outer
            {
            }
            """,
            """
            using DnnGen;

            public partial class Outer
            {
                [Network(2, 1)]
                public partial class Net;
            }
            """,
        ]);

    [Fact]
    public Task Fix_all_makes_two_network_classes_partial() => FixAssert.FixesAllAsync(Provider, "DNNG0001", 2,
        """
        using DnnGen;

        [Network(2, 1)]
        public class Small;

        [Network(3, 2, 1)]
        public sealed class Deeper;
        """,
        """
        using DnnGen;

        [Network(2, 1)]
        public partial class Small;

        [Network(3, 2, 1)]
        public sealed partial class Deeper;
        """);

    [Fact]
    public Task Fix_all_makes_every_enclosing_type_partial() => FixAssert.FixesAllAsync(Provider, "DNNG0006", 2,
        """
        using DnnGen;

        public class Outer
        {
            internal static class Middle
            {
                [Network(2, 1)]
                public partial class Net;
            }
        }
        """,
        """
        using DnnGen;

        public partial class Outer
        {
            internal static partial class Middle
            {
                [Network(2, 1)]
                public partial class Net;
            }
        }
        """);

    [Fact]
    public Task Fix_all_adds_partial_once_to_a_type_that_encloses_two_networks() => FixAssert.FixesAllAsync(Provider, "DNNG0006", 2,
        """
        using DnnGen;

        public class Models
        {
            [Network(2, 1)]
            public partial class A;

            [Network(3, 1)]
            public partial class B;
        }
        """,
        """
        using DnnGen;

        public partial class Models
        {
            [Network(2, 1)]
            public partial class A;

            [Network(3, 1)]
            public partial class B;
        }
        """);
}
