using System;
using System.Threading;
using CatClassifier;

namespace DnnGen.Samples.Tests;

/// <summary>
/// The cat classifier's wait for the <c>dotnet run</c> that launched it: which command lines count as dotnet run, how a
/// /proc stat line is read, and that under a test host (whose parent is not dotnet run) it does not wait at all.
/// </summary>
public class DotnetRunParentTests
{
    [Theory]
    [InlineData(true, "dotnet", "run", "--project", "samples/CatClassifier")]
    [InlineData(true, "/usr/share/dotnet/dotnet", "run")]
    [InlineData(false, "dotnet", "test", "DnnGen.sln")]
    [InlineData(false, "dotnet", "exec", "testhost.dll")]
    [InlineData(false, "/bin/bash", "run")]
    [InlineData(false, "dotnet")]
    public void Only_the_dotnet_host_followed_by_run_is_dotnet_run(bool expected, params string[] words) =>
        Assert.Equal(expected, DotnetRunParent.IsDotnetRun(words));

    [Fact]
    public void A_stat_line_is_read_after_the_command_name_even_when_it_holds_spaces_and_parentheses()
    {
        string[]? fields = DotnetRunParent.StatFields("4242 (Cat (2) app) S 77 4242 4242 0 -1 4194304 900 0 0 0 150 18 0 0 20 0 9 0");

        Assert.NotNull(fields);
        Assert.Equal("S", fields[0]);
        Assert.Equal("77", fields[1]);
        Assert.Equal("150", fields[11]);
        Assert.Equal("18", fields[12]);
        Assert.Null(DotnetRunParent.StatFields("4242 (short) S 77 1 2"));
        Assert.Null(DotnetRunParent.StatFields("no parentheses at all 1 2 3 4 5 6 7 8 9 10 11 12 13"));
    }

    [Fact]
    public void Under_a_test_host_it_returns_at_once_without_waiting()
    {
        Assert.Equal(TimeSpan.Zero, DotnetRunParent.WaitUntilIdle(TimeSpan.FromSeconds(10), CancellationToken.None));
    }
}
