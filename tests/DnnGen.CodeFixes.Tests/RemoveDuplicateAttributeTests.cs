using System.Threading.Tasks;

namespace DnnGen.CodeFixes.Tests;

/// <summary>DNNG0010: the fix removes a [Network] after the class's first, and the list it empties.</summary>
public class RemoveDuplicateAttributeTests
{
    private static readonly RemoveDuplicateNetworkAttributeCodeFixProvider Provider = new();

    [Fact]
    public Task A_duplicate_on_its_own_line_goes_with_its_line() => FixAssert.FixesAsync(Provider, "DNNG0010", "Remove the duplicate [Network(3, 1)]",
        """
        using DnnGen;

        namespace App
        {
            [Network(2, 4, 1)]
            [Network(3, 1)]
            public partial class Net;
        }
        """,
        """
        using DnnGen;

        namespace App
        {
            [Network(2, 4, 1)]
            public partial class Net;
        }
        """);

    [Fact]
    public Task A_duplicate_in_the_first_attributes_list_leaves_the_first() => FixAssert.FixesAsync(Provider, "DNNG0010", "Remove the duplicate [Network(3, 1)]",
        """
        using DnnGen;

        [Network(2, 4, 1), Network(3, 1)]
        public partial class Net;
        """,
        """
        using DnnGen;

        [Network(2, 4, 1)]
        public partial class Net;
        """);

    [Fact]
    public Task Other_attributes_of_the_list_and_a_comment_above_it_stay() => FixAssert.FixesAsync(Provider, "DNNG0010", "Remove the duplicate [Network(3, 1)]",
        """
        using System;
        using DnnGen;

        [Network(2, 4, 1)]
        // Serializable for the settings file.
        [Serializable, Network(3, 1)] [System.ComponentModel.Category("Models")]
        public partial class Net;
        """,
        """
        using System;
        using DnnGen;

        [Network(2, 4, 1)]
        // Serializable for the settings file.
        [Serializable] [System.ComponentModel.Category("Models")]
        public partial class Net;
        """);

    [Fact]
    public Task A_duplicate_on_a_second_partial_declaration_in_another_file() => FixAssert.FixesAsync(Provider, "DNNG0010", "Remove the duplicate [Network(3, 1)]",
        [
            """
            using DnnGen;

            [Network(2, 4, 1)]
            public partial class Net;
            """,
            """
            using DnnGen;

            [Network(3, 1)] public partial class Net
            {
            }
            """,
        ],
        [
            """
            using DnnGen;

            [Network(2, 4, 1)]
            public partial class Net;
            """,
            """
            using DnnGen;

            public partial class Net
            {
            }
            """,
        ]);

    [Fact]
    public Task Fix_all_removes_two_duplicates_of_one_list_and_the_list_they_empty() => FixAssert.FixesAllAsync(Provider, "DNNG0010", 4,
        """
        using DnnGen;

        [Network(2, 4, 1), Network(3, 1), Network(5, 1)]
        [Network(6, 1), Network(7, 1)]
        public partial class Net;
        """,
        """
        using DnnGen;

        [Network(2, 4, 1)]
        public partial class Net;
        """);

    [Fact]
    public Task Fix_all_removes_the_duplicates_of_two_classes() => FixAssert.FixesAllAsync(Provider, "DNNG0010", 2,
        """
        using DnnGen;

        [Network(2, 1)]
        [Network(3, 1)]
        public partial class A;

        [Network(4, 1)]
        [Network(5, 1)]
        public partial class B;
        """,
        """
        using DnnGen;

        [Network(2, 1)]
        public partial class A;

        [Network(4, 1)]
        public partial class B;
        """);
}
