using System.Collections.Generic;
using System.Threading.Tasks;
using System.Diagnostics;
using System.IO;
using Shouldly;

using DnnGen.Tests.Shared;

namespace DnnGen.Generator.Tests;

/// <summary>
/// Declarations that crashed the compiler of the installed .NET SDK, run through that compiler (csc) with the generator
/// as an analyzer, as a build runs it. The in-process Roslyn the other tests use (4.14) survives the same code, so only
/// the SDK's compiler shows the crash.
/// </summary>
public class SdkCompilerTests
{
    [Fact]
    public void The_top_level_statements_Program_with_Network_does_not_crash_the_SDK_compiler()
    {
        string csc = FindCscOrSkip();
        DirectoryInfo directory = Directory.CreateTempSubdirectory("dnngen-csc-");
        try
        {
            string source = Path.Combine(directory.FullName, "Program.cs");
            File.WriteAllText(source, """
                using DnnGen;
                System.Console.WriteLine(Program.InputSize);

                [Network(4, 1)]
                public partial class Program;
                """);

            var arguments = new List<string>
            {
                csc, "-nologo", "-noconfig", "-target:exe", "-nullable:enable", "-langversion:latest",
                "-out:" + Path.Combine(directory.FullName, "Program.dll"),
                "-analyzer:" + typeof(NetworkGenerator).Assembly.Location,
                "-reference:" + typeof(global::DnnGen.NetworkAttribute).Assembly.Location,
            };
            // The reference pack, as a build passes it: with the runtime's implementation assemblies instead, the crash
            // does not show.
            arguments.Add("-reference:" + typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location);
            arguments.AddRange(Directory.GetFiles(FindReferencePackOrSkip(), "*.dll").Select(path => "-reference:" + path));
            arguments.Add(source);

            (int exitCode, string output) = Run(DotnetHost(), arguments);

            output.ShouldNotContain("InvalidCastException");
            output.ShouldNotContain("Process terminated");
            output.ShouldContain("error DNNG0016: 'Program' is the class that the top-level statements declare");
            exitCode.ShouldBe(1, output); // the DNNG0016 error fails the compilation; a crash would exit otherwise
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>The dotnet host that runs this test: the runtime's directory is shared/Microsoft.NETCore.App/version under it.</summary>
    private static string DotnetHost()
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }

    /// <summary>packs/Microsoft.NETCore.App.Ref/{version}/ref/net{major}.{minor} for the running runtime, or the newest there is.</summary>
    private static string FindReferencePackOrSkip()
    {
        string packs = Path.Combine(Path.GetDirectoryName(DotnetHost())!, "packs", "Microsoft.NETCore.App.Ref");
        string tfm = "net" + Environment.Version.Major + "." + Environment.Version.Minor;
        string? pack = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(version => Path.Combine(version, "ref", tfm))
                .Where(Directory.Exists)
                .OrderBy(path => path.Contains(Environment.Version.ToString(), StringComparison.Ordinal) ? 1 : 0)
                .LastOrDefault()
            : null;
        return pack ?? SkipOrFail("No reference pack " + packs + "/*/ref/" + tfm + "; this test compiles against it, as a build does.");
    }

    private static string SkipOrFail(string message)
    {
        Prerequisite.Missing(message);
        return string.Empty;
    }

    /// <summary>The newest SDK's csc.dll beside the running dotnet host; skips (fails under CI=true) when there is none.</summary>
    private static string FindCscOrSkip()
    {
        string sdks = Path.Combine(Path.GetDirectoryName(DotnetHost())!, "sdk");
        string? csc = Directory.Exists(sdks)
            ? Directory.GetDirectories(sdks)
                .Select(sdk => Path.Combine(sdk, "Roslyn", "bincore", "csc.dll"))
                .Where(File.Exists)
                .OrderBy(path => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path)))), out Version? v) ? v : new Version())
                .LastOrDefault()
            : null;
        if (csc is not null && File.Exists(DotnetHost()))
        {
            return csc;
        }

        return SkipOrFail("No .NET SDK compiler (sdk/*/Roslyn/bincore/csc.dll) beside the dotnet host in " + Path.GetDirectoryName(DotnetHost()) + "; this test runs the SDK's own compiler.");
    }
}
