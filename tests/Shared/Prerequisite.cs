using System;
using Xunit;

namespace DnnGen.Tests.Shared;

/// <summary>
/// What a test does when something it needs is not on this machine (a data file, clang, mkfifo, the SDK's compiler):
/// on a developer's machine it is skipped with a message that says what is missing and how to get it; under CI=true,
/// where .ci/run installs everything, it fails instead, so that nothing is silently left untested.
/// </summary>
internal static class Prerequisite
{
    /// <summary>True under CI=true, where every prerequisite must be present.</summary>
    public static bool RequiredByCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test with <paramref name="message"/>, or fails it under CI=true with <paramref name="ciMessage"/> (default: the same).</summary>
    public static void Missing(string message, string? ciMessage = null)
    {
        if (RequiredByCi)
        {
            Assert.Fail(ciMessage ?? message);
        }

        Assert.Skip(message);
    }
}
