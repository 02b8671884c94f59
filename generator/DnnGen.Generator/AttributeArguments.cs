using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DnnGen.Generator;

/// <summary>
/// The syntax of [Network]'s arguments: where each layer size is written, and, when the compiler could not bind the
/// attribute, which argument is at fault and what it must be instead (DNNG0011 and DNNG0012).
/// </summary>
internal static class AttributeArguments
{
    private const string SizeAdvice = "write a number or a const int: a static readonly field, a property or a method call has no value until the program runs";

    /// <summary>The syntax of size <paramref name="index"/> of <paramref name="count"/>: a positional argument, or an element of an array argument.</summary>
    public static ExpressionSyntax? SizeSyntax(AttributeSyntax? attribute, int index, int count)
    {
        var positional = attribute?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList();
        if (positional is null)
        {
            return null;
        }

        if (positional.Count == count)
        {
            return positional[index].Expression;
        }

        IReadOnlyList<ExpressionSyntax>? elements = positional.Count == 1 ? ArrayElements(positional[0].Expression) : null;
        return elements is not null && elements.Count == count ? elements[index] : null;
    }

    /// <summary>
    /// DNNG0011 and DNNG0012 for every argument that is not a constant, or not of the type its parameter takes. The
    /// compiler reports these arguments too, but its AttributeData does not always mark them: a static readonly size
    /// arrives as a constant 0.
    /// </summary>
    public static List<DiagnosticInfo> Check(AttributeSyntax? attribute, SemanticModel model, CancellationToken cancellationToken)
    {
        var found = new List<DiagnosticInfo>();
        if (attribute?.ArgumentList is { } list)
        {
            // What the compiler rejects but still binds: an option before the sizes (CS1016) and an option given twice
            // (CS0643, where the last one would win). Nothing may be generated from such an attribute.
            CheckOrder(attribute, list, found);
            CheckDuplicateOptions(list, found);

            var checker = new Checker(model, found, cancellationToken);
            var positional = list.Arguments.Where(a => a.NameEquals is null).Select(a => a.Expression).ToList();
            if (positional.Count == 1)
            {
                checker.CheckSingleArgument(positional[0]);
            }
            else
            {
                for (int i = 0; i < positional.Count; i++)
                {
                    checker.CheckSize(positional[i], i);
                }
            }

            foreach (AttributeArgumentSyntax option in list.Arguments.Where(a => a.NameEquals is not null))
            {
                checker.CheckOption(option);
            }
        }

        return found;
    }

    /// <summary>DNNG0012 at each named option that comes before a positional argument, with the attribute in the right order.</summary>
    private static void CheckOrder(AttributeSyntax attribute, AttributeArgumentListSyntax list, List<DiagnosticInfo> found)
    {
        int lastPositional = -1;
        for (int i = 0; i < list.Arguments.Count; i++)
        {
            if (list.Arguments[i].NameEquals is null)
            {
                lastPositional = i;
            }
        }

        IEnumerable<AttributeArgumentSyntax> misplaced = list.Arguments.Take(lastPositional).Where(a => a.NameEquals is not null).ToList();
        if (!misplaced.Any())
        {
            return;
        }

        IEnumerable<AttributeArgumentSyntax> ordered = list.Arguments.Where(a => a.NameEquals is null).Concat(list.Arguments.Where(a => a.NameEquals is not null));
        string fixedAttribute = "[" + attribute.Name + "(" + string.Join(", ", ordered.Select(a => a.ToString())) + ")]";
        foreach (AttributeArgumentSyntax option in misplaced)
        {
            found.Add(NetworkParser.Report(
                DiagnosticDescriptors.InvalidArgument,
                LocationInfo.From(option.GetLocation()),
                option.ToString(),
                "it is written before the layer sizes, and C# takes an attribute's named options only after its positional arguments (CS1016); write " + fixedAttribute));
        }
    }

    /// <summary>DNNG0012 at every repetition of an option after its first.</summary>
    private static void CheckDuplicateOptions(AttributeArgumentListSyntax list, List<DiagnosticInfo> found)
    {
        var first = new Dictionary<string, AttributeArgumentSyntax>();
        foreach (AttributeArgumentSyntax option in list.Arguments.Where(a => a.NameEquals is not null))
        {
            string name = option.NameEquals!.Name.Identifier.ValueText;
            if (first.TryGetValue(name, out AttributeArgumentSyntax? earlier))
            {
                found.Add(NetworkParser.Report(
                    DiagnosticDescriptors.InvalidArgument,
                    LocationInfo.From(option.GetLocation()),
                    option.ToString(),
                    "option " + name + " is already given, as '" + earlier + "'; C# takes each named argument once (CS0643), so remove one of them"));
            }
            else
            {
                first.Add(name, option);
            }
        }
    }

    /// <summary>DNNG0012 for the whole attribute, when the compiler cannot bind it and no single argument is to blame.</summary>
    public static DiagnosticInfo Unbound(AttributeSyntax? attribute, LocationInfo? attributeLocation)
        => NetworkParser.Report(
            DiagnosticDescriptors.InvalidArgument,
            attributeLocation,
            attribute?.ToString() ?? "Network",
            "the compiler cannot match the arguments to NetworkAttribute; see the compiler's error on them");

    /// <summary>The elements of an array written in place: new[] { ... }, new int[] { ... } or [ ... ]; null for anything else.</summary>
    internal static IReadOnlyList<ExpressionSyntax>? ArrayElements(ExpressionSyntax expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
        ImplicitArrayCreationExpressionSyntax array => array.Initializer.Expressions,
        CollectionExpressionSyntax collection => collection.Elements
            .Select(e => e switch
            {
                ExpressionElementSyntax element => element.Expression,
                SpreadElementSyntax spread => spread.Expression,
                _ => null,
            })
            .OfType<ExpressionSyntax>()
            .ToList(),
        _ => null,
    };

    private sealed class Checker
    {
        private readonly SemanticModel _model;
        private readonly List<DiagnosticInfo> _found;
        private readonly CancellationToken _cancellationToken;
        private readonly ITypeSymbol _int;

        public Checker(SemanticModel model, List<DiagnosticInfo> found, CancellationToken cancellationToken)
        {
            _model = model;
            _found = found;
            _cancellationToken = cancellationToken;
            _int = model.Compilation.GetSpecialType(SpecialType.System_Int32);
        }

        /// <summary>One positional argument: the array of sizes (written in place or not), or a single size.</summary>
        public void CheckSingleArgument(ExpressionSyntax expression)
        {
            IReadOnlyList<ExpressionSyntax>? elements = ArrayElements(expression);
            if (elements is not null)
            {
                int before = _found.Count;
                for (int i = 0; i < elements.Count; i++)
                {
                    CheckSize(elements[i], i);
                }

                if (_found.Count == before && _model.GetTypeInfo(expression, _cancellationToken).Type is IArrayTypeSymbol { ElementType.SpecialType: not SpecialType.System_Int32 } array)
                {
                    Invalid(expression, "it has type '" + Display(array) + "', but the layer sizes are an int[]; write them as int, for example new[] { 12288, 20, 1 }");
                }

                return;
            }

            if (expression is ArrayCreationExpressionSyntax { Initializer: null })
            {
                NotConstant(expression, "The array of layer sizes", "it creates an array from its length, with no sizes in it: list the sizes as its elements, as in new[] { 4, 3, 1 }, or as arguments, as in [Network(4, 3, 1)]");
                return;
            }

            ITypeSymbol intArray = _model.Compilation.CreateArrayTypeSymbol(_int);
            if (_model.ClassifyConversion(expression, intArray).IsImplicit)
            {
                // An int[] (or null, which DNNG0002 reports): only an array written in place is a constant.
                if (!_model.GetConstantValue(expression, _cancellationToken).HasValue)
                {
                    NotConstant(expression, "The array of layer sizes", "write them in place, as in [Network(12288, 20, 1)]: an attribute cannot take an array from a field or a method");
                }

                return;
            }

            CheckSize(expression, 0);
        }

        public void CheckSize(ExpressionSyntax expression, int index)
        {
            Optional<object?> constant = _model.GetConstantValue(expression, _cancellationToken);
            ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellationToken).Type;
            if (!constant.HasValue)
            {
                if (Overflows(expression))
                {
                    Invalid(expression, "its value overflows an int at compile time (CS0220); a layer size is an int, at most 2,147,483,647, so give a smaller size");
                }
                else if (type is null || type.TypeKind == TypeKind.Error)
                {
                    Invalid(expression, Unresolved(expression));
                }
                else
                {
                    NotConstant(expression, "Layer size n[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", SizeAdvice);
                }
            }
            else if (!_model.ClassifyConversion(expression, _int).IsImplicit)
            {
                Invalid(expression, constant.Value is null
                    ? "null is not a layer size; give a number"
                    : "it has type '" + Display(type) + "', but layer sizes are int; write a whole number such as 12288");
            }
        }

        /// <summary>The options [Network] takes, in the order its documentation lists them.</summary>
        private const string OptionNames = "Precision, Initialization, HiddenActivation, OutputActivation, Activations, LeakyReluSlope, Loss, Optimizer and Weights";

        public void CheckOption(AttributeArgumentSyntax option)
        {
            string name = option.NameEquals!.Name.Identifier.ValueText;
            (string EnumName, string Example, string Members)? known = name switch
            {
                "Precision" => ("Precision", "Precision.Single", "Precision.Double or Precision.Single"),
                "Initialization" => ("Initialization", "Initialization.ScaledNormal", "Initialization.ScaledNormal, Initialization.NormalOverSqrtFanIn, Initialization.Zeros or Initialization.He"),
                "HiddenActivation" or "OutputActivation" or "Activations" => ("Activation", "Activation.Tanh", Activations.SourceNames),
                "Loss" => ("Loss", "Loss.SquaredError", "Loss.BinaryCrossEntropy, Loss.CategoricalCrossEntropy or Loss.SquaredError"),
                "Optimizer" => ("Optimizer", "Optimizer.Adam", "Optimizer.GradientDescent, Optimizer.Momentum or Optimizer.Adam"),
                "LeakyReluSlope" => (string.Empty, "0.01", "a double"),
                "Weights" => (string.Empty, "\"cat.npz\"", "a string"),
                _ => null,
            };
            if (known is null)
            {
                Invalid(option, "[Network] has no option '" + name + "'; its options are " + OptionNames);
                return;
            }

            ExpressionSyntax expression = option.Expression;
            if (name == "LeakyReluSlope")
            {
                CheckSlope(option, expression);
                return;
            }

            if (name == "Activations")
            {
                CheckActivations(option, expression);
                return;
            }

            if (name == "Weights")
            {
                CheckWeights(option, expression);
                return;
            }

            CheckEnumValue(option, expression, name, known.Value.EnumName, known.Value.Example, known.Value.Members);
        }

        /// <summary>LeakyReluSlope: a constant that converts to double.</summary>
        private void CheckSlope(AttributeArgumentSyntax option, ExpressionSyntax expression)
        {
            ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellationToken).Type;
            Optional<object?> constant = _model.GetConstantValue(expression, _cancellationToken);
            if (!constant.HasValue)
            {
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    Invalid(option, Unresolved(expression));
                }
                else
                {
                    NotConstant(expression, "Option LeakyReluSlope", "write a number or a const double, such as 0.01");
                }
            }
            else if (!_model.ClassifyConversion(expression, _model.Compilation.GetSpecialType(SpecialType.System_Double)).IsImplicit)
            {
                Invalid(option, "it has type '" + Display(type) + "', but LeakyReluSlope is a double; write a number such as 0.01");
            }
        }

        /// <summary>Weights: a constant string (its value, a .npz path, is checked by the parser).</summary>
        private void CheckWeights(AttributeArgumentSyntax option, ExpressionSyntax expression)
        {
            ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellationToken).Type;
            Optional<object?> constant = _model.GetConstantValue(expression, _cancellationToken);
            if (!constant.HasValue)
            {
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    Invalid(option, Unresolved(expression));
                }
                else
                {
                    NotConstant(expression, "Option Weights", "write the path of the .npz file as a string literal or a const string, such as \"cat.npz\"");
                }
            }
            else if (constant.Value is not null && constant.Value is not string)
            {
                Invalid(option, "it has type '" + Display(type) + "', but Weights is a string, the path of a .npz file as the project lists it, such as \"cat.npz\"");
            }
        }

        /// <summary>Activations: an array of DnnGen.Activation written in place, each element a constant member.</summary>
        private void CheckActivations(AttributeArgumentSyntax option, ExpressionSyntax expression)
        {
            const string Example = "new[] { Activation.Tanh, Activation.Sigmoid }";
            IReadOnlyList<ExpressionSyntax>? elements = ArrayElements(expression);
            if (elements is null)
            {
                ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellationToken).Type;
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    Invalid(option, Unresolved(expression));
                }
                else if (_model.GetConstantValue(expression, _cancellationToken) is { HasValue: true, Value: null })
                {
                    Invalid(option, "null gives no activations; give one per layer, as in " + Example + ", or leave Activations out");
                }
                else if (type is IArrayTypeSymbol { ElementType: { Name: "Activation" } })
                {
                    NotConstant(expression, "Option Activations", "write the array in place, as in " + Example + ": an attribute cannot take an array from a field or a method");
                }
                else
                {
                    Invalid(option, "it has type '" + Display(type) + "', but Activations takes a DnnGen.Activation[]; write one activation per layer, as in " + Example);
                }

                return;
            }

            foreach (ExpressionSyntax element in elements)
            {
                CheckEnumValue(option, element, "Activations", "Activation", "Activation.Tanh", Activations.SourceNames);
            }
        }

        /// <summary>An option (or an Activations element) that takes a member of DnnGen.{enumName}: a constant of that type.</summary>
        private void CheckEnumValue(AttributeArgumentSyntax option, ExpressionSyntax expression, string name, string enumName, string example, string members)
        {
            SyntaxNode reported = expression == option.Expression ? option : expression;
            ITypeSymbol? type = _model.GetTypeInfo(expression, _cancellationToken).Type;
            INamedTypeSymbol? enumType = _model.Compilation.GetTypeByMetadataName("DnnGen." + enumName);
            if (!_model.GetConstantValue(expression, _cancellationToken).HasValue)
            {
                if (type is null || type.TypeKind == TypeKind.Error)
                {
                    Invalid(reported, Unresolved(expression));
                }
                else
                {
                    NotConstant(expression, "Option " + name, "write a member of DnnGen." + enumName + ", such as " + example);
                }
            }
            else if (enumType is not null && !_model.ClassifyConversion(expression, enumType).IsImplicit)
            {
                if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } hiding && hiding.Name == enumName)
                {
                    // An enum of the user's named like DnnGen's hides it: 'Precision.Single' is what they wrote already.
                    string member = (_model.GetSymbolInfo(expression, _cancellationToken).Symbol as IFieldSymbol)?.Name ?? string.Empty;
                    string advice = enumType.GetMembers(member).OfType<IFieldSymbol>().Any(f => f.HasConstantValue)
                        ? "write DnnGen." + enumName + "." + member + " in full"
                        : "write DnnGen." + enumName + "'s members in full, such as DnnGen." + example;
                    Invalid(reported, "it has type '" + hiding.ToDisplayString() + "', an enum of your own that hides DnnGen." + enumName + " here; " + advice);
                }
                else
                {
                    Invalid(reported, "it has type '" + Display(type) + "', but " + name + " takes a DnnGen." + enumName + "; write " + members);
                }
            }
        }

        /// <summary>The compiler found the constant expression overflows (CS0220): it has no value, but it is no non-constant.</summary>
        private bool Overflows(ExpressionSyntax expression)
            => _model.GetDiagnostics(expression.Span, _cancellationToken).Any(d => d.Id == "CS0220");

        /// <summary>
        /// Why an argument that does not bind has no value. A member of another network that DnnGen generates, such as
        /// B.InputSize, exists in the final compilation (so the compiler reports nothing) but not in the one the generator
        /// reads; anything else is the compiler's error to explain.
        /// </summary>
        private string Unresolved(ExpressionSyntax expression)
        {
            if (expression is MemberAccessExpressionSyntax access
                && _model.GetSymbolInfo(access.Expression, _cancellationToken).Symbol is INamedTypeSymbol owner
                && IsGeneratedConstant(access.Name.Identifier.ValueText)
                && owner.GetMembers(access.Name.Identifier.ValueText).IsEmpty
                && owner.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == NetworkParser.AttributeMetadataName))
            {
                string member = access.Name.Identifier.ValueText;
                return "'" + member + "' is a constant DnnGen generates in '" + owner.Name + "', and generated code is not visible to DnnGen while it reads [Network]; use a const of your own in both attributes (const int Inputs = 4;) or a literal";
            }

            return "the compiler cannot evaluate it; see the compiler's error on it";
        }

        /// <summary>The int constants every network declares: InputSize, OutputSize, LayerCount, ParameterCount and Layer{l}Size.</summary>
        private static bool IsGeneratedConstant(string name)
            => name is "InputSize" or "OutputSize" or "LayerCount" or "ParameterCount"
                || (name.Length > "Layer".Length + "Size".Length
                    && name.StartsWith("Layer", System.StringComparison.Ordinal)
                    && name.EndsWith("Size", System.StringComparison.Ordinal)
                    && name.Substring(5, name.Length - 9).All(c => c is >= '0' and <= '9'));

        private static string Display(ITypeSymbol? type) => type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "null";

        private void NotConstant(ExpressionSyntax expression, string what, string advice)
            => _found.Add(NetworkParser.Report(DiagnosticDescriptors.ArgumentNotConstant, LocationInfo.From(expression.GetLocation()), what, expression.ToString(), advice));

        private void Invalid(SyntaxNode argument, string reason)
            => _found.Add(NetworkParser.Report(DiagnosticDescriptors.InvalidArgument, LocationInfo.From(argument.GetLocation()), argument.ToString(), reason));
    }
}
