using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace DnnGen.Package.Tests;

/// <summary>What a finished command printed, stdout and stderr interleaved as they arrived.</summary>
internal sealed record CommandResult(string Command, string Directory, int ExitCode, string Output)
{
    public string Describe() => $"`{Command}` in {Directory} exited with {ExitCode}. Its output:\n{Output}";
}

/// <summary>
/// Runs the commands a user would type, each in its own process with its output captured, and fails the test with
/// that output when one goes wrong.
/// </summary>
internal static partial class Commands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> and fails the test unless it exits with 0.</summary>
    public static Task<CommandResult> DotNet(string directory, params string[] arguments) => Succeed("dotnet", directory, arguments);

    /// <summary>
    /// Runs a build, publish or pack and fails the test unless it succeeds without a single warning: its summary
    /// must say "0 Warning(s)" and no line may report one. The classic console logger is asked for explicitly so that
    /// the summary is there whatever the terminal.
    /// </summary>
    public static async Task<CommandResult> DotNetWithoutWarnings(string directory, params string[] arguments)
    {
        CommandResult result = await DotNet(directory, [.. arguments, "-tl:off", "-clp:Summary"]);
        string[] warnings = result.Output.Split('\n').Where(line => WarningLine().IsMatch(line)).ToArray();
        if (warnings.Length > 0)
        {
            Assert.Fail($"`{result.Command}` reported warnings:\n{string.Join("\n", warnings)}\n\n{result.Describe()}");
        }

        if (!Regex.IsMatch(result.Output, @"^\s*0 Warning\(s\)$", RegexOptions.Multiline))
        {
            Assert.Fail($"`{result.Command}` printed no '0 Warning(s)' summary.\n\n{result.Describe()}");
        }

        return result;
    }

    /// <summary>Runs a program and fails the test unless it exits with 0.</summary>
    public static async Task<CommandResult> Succeed(string fileName, string directory, params string[] arguments)
    {
        CommandResult result = await Run(fileName, directory, arguments);
        if (result.ExitCode != 0)
        {
            Assert.Fail(result.Describe());
        }

        return result;
    }

    /// <summary>Runs a program to its end, or kills it after ten minutes, and returns what it printed.</summary>
    private static async Task<CommandResult> Run(string fileName, string directory, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        PrepareEnvironment(start);
        string command = string.Join(" ", [fileName, .. arguments]);
        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Append(e.Data).Append('\n');
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        TestContext.Current.TestOutputHelper?.WriteLine($"$ {command}    (in {directory})");
        if (!process.Start())
        {
            Assert.Fail($"`{command}` could not be started in {directory}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{command}` in {directory} did not finish within {Timeout.TotalMinutes} minutes. Its output so far:\n{output}");
        }

        string text;
        lock (output)
        {
            text = output.ToString();
        }

        TestContext.Current.TestOutputHelper?.WriteLine(text);
        return new CommandResult(command, directory, process.ExitCode, text);
    }

    /// <summary>
    /// The environment of a user's shell, not of the test run: the variables `dotnet test` hands its test host to
    /// steer MSBuild are dropped, and the build leaves nothing running behind it (no reused MSBuild nodes, no
    /// compiler server), because a process that outlives a command would keep its output open.
    /// </summary>
    private static void PrepareEnvironment(ProcessStartInfo start)
    {
        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        // The README shows output in the invariant culture (a decimal point, "100 %"), which .NET takes from the C locale.
        start.Environment["LC_ALL"] = "C.UTF-8";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // MSBuild reads environment variables as properties: this one keeps Csc from starting the shared compiler server.
        start.Environment["UseSharedCompilation"] = "false";
    }

    /// <summary>A line that reports a warning; the summary's "N Warning(s)" is not one.</summary>
    [GeneratedRegex(@"\bwarning\b(?!\(s\))", RegexOptions.IgnoreCase)]
    private static partial Regex WarningLine();
}
