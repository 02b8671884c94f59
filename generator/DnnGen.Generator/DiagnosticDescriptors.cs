using System;
using Microsoft.CodeAnalysis;

namespace DnnGen.Generator;

/// <summary>
/// Every diagnostic DnnGen reports. Ids are stable: they are listed in the README, in docs and in
/// AnalyzerReleases.Shipped.md, and users suppress or look them up by id.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "DnnGen";

    public static readonly DiagnosticDescriptor ClassMustBePartial = new(
        id: "DNNG0001",
        title: "A network class must be partial",
        messageFormat: "'{0}' has [Network] but is not partial; declare it 'partial class {0}' so DnnGen can add the network's members",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen writes the network's parameters and methods into a second part of the class, which C# allows only for partial classes.");

    public static readonly DiagnosticDescriptor TooFewLayerSizes = new(
        id: "DNNG0002",
        title: "A network needs at least two layer sizes",
        messageFormat: "[Network] on '{0}' gives {1} layer size(s); give the input size followed by the size of every layer, for example [Network(12288, 20, 7, 5, 1)]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The sizes are n[0] (inputs), n[1], ..., n[L] (outputs): at least the input size and the output size.");

    public static readonly DiagnosticDescriptor LayerSizeMustBePositive = new(
        id: "DNNG0003",
        title: "Layer sizes must be positive",
        messageFormat: "Layer size n[{0}] is {1}; every layer size must be at least 1",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A layer of zero or a negative number of units has no meaning.");

    public static readonly DiagnosticDescriptor NetworkTooLarge = new(
        id: "DNNG0004",
        title: "The network has more parameters than an array can hold",
        messageFormat: "[Network] on '{0}' needs {1} parameters, more than the {2} a .NET array can hold; make the layers smaller",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Parameters and gradients each live in one contiguous array, whose length is limited to Array.MaxLength elements.");

    public static readonly DiagnosticDescriptor UnsupportedTarget = new(
        id: "DNNG0005",
        title: "[Network] is on a declaration that cannot hold a network",
        messageFormat: "'{0}' is {1}; [Network] needs a non-generic, non-static, non-abstract partial class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A generated network is a class you create with new: it owns large parameter buffers (so not a struct or record), it is instantiated (so not static or abstract), and its sizes are fixed (so not generic).");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = new(
        id: "DNNG0006",
        title: "A type enclosing a network must be partial",
        messageFormat: "'{0}' encloses the network '{1}' but is not partial; declare '{0}' partial too",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part of a nested network class is written inside parts of its enclosing types, which must therefore be partial.");

    public static readonly DiagnosticDescriptor MemberNameCollision = new(
        id: "DNNG0007",
        title: "A member would collide with a generated member",
        messageFormat: "'{0}' already declares '{1}', which DnnGen generates for the network; rename or remove it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen generates members with fixed names (Forward, W1, Layer1Forward, ...; see the README). A member of the same name in the class would make the generated code ambiguous.");

    public static readonly DiagnosticDescriptor InvalidOptionValue = new(
        id: "DNNG0008",
        title: "A [Network] option has a value outside its enum",
        messageFormat: "[Network] option {0} is {1}, which is not a value of {2}; use one of: {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Options are enums; a cast integer that names none of their members has no meaning.");

    public static readonly DiagnosticDescriptor InternalError = new(
        id: "DNNG0009",
        title: "DnnGen failed unexpectedly",
        messageFormat: "DnnGen could not generate '{0}': {1}; please report this with the declaration",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator met a case it does not handle. It reports this instead of crashing the compiler.");

    public static readonly DiagnosticDescriptor DuplicateAttribute = new(
        id: "DNNG0010",
        title: "[Network] appears more than once on a class",
        messageFormat: "'{0}' has [Network] on more than one of its declarations; keep exactly one",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A class is one network; its layer sizes are given once, on one of its partial declarations.");

    /// <summary>All descriptors, in id order.</summary>
    public static readonly DiagnosticDescriptor[] All =
    {
        ClassMustBePartial, TooFewLayerSizes, LayerSizeMustBePositive, NetworkTooLarge, UnsupportedTarget,
        ContainingTypeMustBePartial, MemberNameCollision, InvalidOptionValue, InternalError, DuplicateAttribute,
    };

    public static DiagnosticDescriptor ById(string id)
    {
        foreach (DiagnosticDescriptor descriptor in All)
        {
            if (descriptor.Id == id)
            {
                return descriptor;
            }
        }

        throw new ArgumentException("Unknown diagnostic id " + id, nameof(id));
    }
}
