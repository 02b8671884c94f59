namespace DnnGen.CodeFixes;

/// <summary>
/// The ids of the generator's diagnostics that have a code fix (generator/DnnGen.Generator/DiagnosticDescriptors.cs).
/// This assembly cannot reference the generator's: the generator's descriptors are internal, and an IDE loads the two
/// assemblies independently. The tests check that each id here is the one the generator reports for its case.
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>A network class must be partial; reported on the class's identifier.</summary>
    public const string ClassMustBePartial = "DNNG0001";

    /// <summary>A type enclosing a network must be partial; reported on that type's identifier.</summary>
    public const string ContainingTypeMustBePartial = "DNNG0006";

    /// <summary>[Network] appears more than once on a class; reported on each attribute after the class's first.</summary>
    public const string DuplicateAttribute = "DNNG0010";

    /// <summary>A [Network] argument is not a compile-time constant; reported on the argument's expression.</summary>
    public const string ArgumentNotConstant = "DNNG0011";
}
