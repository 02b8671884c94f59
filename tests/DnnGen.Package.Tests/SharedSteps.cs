using System.Collections.Concurrent;

namespace DnnGen.Package.Tests;

/// <summary>
/// Steps that several tests of one class need, run once by the first test that asks for them and awaited by the
/// others: a NativeAOT test publishes the app that its JIT test built, rather than making and building another. A
/// step that fails fails every test that needs it, with the same message. The output of a step's commands is in the
/// output of the test that ran it.
/// </summary>
public sealed class SharedSteps
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _steps = new(StringComparer.Ordinal);

    /// <summary>The result of the step named <paramref name="name"/>, running <paramref name="step"/> if no test has yet.</summary>
    public async Task<T> Once<T>(string name, Func<Task<T>> step)
        where T : class
    {
        Lazy<Task<object>> once = _steps.GetOrAdd(name, _ => new Lazy<Task<object>>(async () => await step()));
        return (T)await once.Value;
    }
}
