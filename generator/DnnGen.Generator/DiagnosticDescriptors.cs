using System;
using Microsoft.CodeAnalysis;

namespace DnnGen.Generator;

/// <summary>
/// Every diagnostic DnnGen reports. Ids are stable: they are listed in the README, in docs/diagnostics.md and in
/// AnalyzerReleases.Shipped.md, and users suppress or look them up by id. Each message says what to change.
/// </summary>
/// <remarks>
/// No descriptor has a help link: DnnGen has no public web address that serves its documentation, and a link must lead
/// to the text it promises. The full explanation is each descriptor's description, which IDEs show beside the message;
/// docs/diagnostics.md, in the repository and in the package, has the cause, the fix and an example of each.
/// </remarks>
internal static class DiagnosticDescriptors
{
    private const string Category = "DnnGen";

    /// <summary>DNNG0013 warns when the buffers of the parameter count (parameters, gradients, optimizer state, snapshot and rollback) together exceed this many bytes: 1 GiB.</summary>
    public const long MemoryWarningBytes = 1L << 30;

    public static readonly DiagnosticDescriptor ClassMustBePartial = new(
        id: "DNNG0001",
        title: "A network class must be partial",
        messageFormat: "'{0}' has [{1}], but this declaration of it is not partial; declare it 'partial class {0}' so DnnGen can add the network's members",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen writes the network's parameters and methods into a second part of the class, which C# allows only when every declaration of the class is partial; each declaration that is not is reported.");

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
        description: "A layer of zero or a negative number of units has no meaning: every size, the input size n[0] included, must be at least 1.");

    public static readonly DiagnosticDescriptor NetworkTooLarge = new(
        id: "DNNG0004",
        title: "The network is too large for a .NET array",
        messageFormat: "[{3}] on '{0}' needs {1}, more than the {2}; make the layers smaller",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Parameters and gradients each live in one 64-byte-aligned buffer, an array of Array.MaxLength (2,147,483,591) elements at most less the padding that aligns it (8 doubles or 16 floats), and the training caches of each example in one array of at most Array.MaxLength elements.");

    public static readonly DiagnosticDescriptor UnsupportedTarget = new(
        id: "DNNG0005",
        title: "[Network] is on a declaration that cannot hold a network",
        messageFormat: "'{0}' is {1}; [{2}] needs a non-generic, non-static, non-abstract partial class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A generated network is a class you create with new: it owns large parameter buffers (so not a struct or record), it is instantiated (so not static or abstract), its sizes are fixed (so not generic), and its generated part is another file (so not file-local). Every part of the class must declare a class, not a struct, record or interface.");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = new(
        id: "DNNG0006",
        title: "A type enclosing a network must be partial",
        messageFormat: "'{0}' encloses the network '{1}' but is not partial; declare '{0}' partial too",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part of a nested network class is written inside parts of its enclosing types, so every declaration of every enclosing type must be partial; each one that is not is reported.");

    public static readonly DiagnosticDescriptor MemberNameCollision = new(
        id: "DNNG0007",
        title: "A member would collide with a generated member",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen generates members with fixed names (Forward, W1, Layer1Forward, dA1, ...; see docs/diagnostics.md). A member of the same name in the class would make the generated code ambiguous, and a class named like one cannot have it, since C# forbids a member named like its class.");

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
        messageFormat: "'{0}' already has [Network] at {1}; a class is one network, so remove this attribute",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A class is one network; its layer sizes are given once, on one of its partial declarations.");

    public static readonly DiagnosticDescriptor ArgumentNotConstant = new(
        id: "DNNG0011",
        title: "A [Network] argument is not a compile-time constant",
        messageFormat: "{0} is '{1}', which is not a compile-time constant; {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen reads the layer sizes and options while compiling. An attribute argument must be a constant: a literal, a const field or an expression of them; a static readonly field, a property or a method call has no value until the program runs.");

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        id: "DNNG0012",
        title: "A [Network] argument is not valid",
        messageFormat: "[Network] argument '{0}' is not valid: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Layer sizes are int constants and options are the enum members of DnnGen.Precision and DnnGen.Initialization, each option given once and after the sizes; anything else cannot describe a network. Nothing is generated from an attribute the compiler rejects.");

    public static readonly DiagnosticDescriptor LargeNetwork = new(
        id: "DNNG0013",
        title: "The network needs a lot of memory",
        messageFormat: "'{0}' has {1} parameters: with their gradients, {5}the snapshot that undoes a diverging step and the copy Train(x, y, options) keeps for its rollback, {4} buffers of that length take {2}, above DnnGen's warning threshold of 1 GiB, and training adds {3} per example; check the sizes, consider Precision = Precision.Single, or suppress DNNG0013 if this is intended",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A network holds its parameters, their gradients, its optimizer's state (momentum's velocity, Adam's two moment estimates) and, once it trains, a snapshot of the parameters and, for Train(x, y, options), a rollback copy of the parameters and the state: 4 buffers of the parameter count with gradient descent, 6 with momentum, 8 with Adam. Above 1 GiB in all, a typing mistake in the sizes is likely; the network is still generated.");

    public static readonly DiagnosticDescriptor BaseClassCollision = new(
        id: "DNNG0014",
        title: "A base class collides with the generated members",
        messageFormat: "'{0}' cannot derive from '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen generates members with fixed names (Forward, W1, Layer1Forward, ...). An accessible inherited member of the same name would be hidden, and a base class that is itself a network would have all of its members hidden.");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = new(
        id: "DNNG0015",
        title: "The C# language version is too old for the generated code",
        messageFormat: "'{0}' is compiled as C# {1}, but the code DnnGen generates needs C# {2} or later; set <LangVersion> to {2} or later, or remove it to get the SDK's default",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated code uses C# 9 features, such as 'is not (A or B)' patterns. A project that sets an older <LangVersion> cannot compile it.");

    public static readonly DiagnosticDescriptor TopLevelStatementsClass = new(
        id: "DNNG0016",
        title: "[Network] is on the class that top-level statements declare",
        messageFormat: "'{0}' is the class that the top-level statements declare, which cannot take a generated part; declare the network in a class of its own, such as '[{1}] public partial class Net;', and create it with new Net() in the top-level statements",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Top-level statements make the compiler declare a class, Program, around them. A part of that class that names a base type or interface, as the generated part does (INetwork<T>), crashes the C# compiler, so DnnGen generates nothing for it: a network needs a class of its own.");

    public static readonly DiagnosticDescriptor OtherPrecisionInterface = new(
        id: "DNNG0017",
        title: "The class implements INetwork<T> of the other element type",
        messageFormat: "'{0}' implements {1}, but [{5}] makes it a network of {2}, which implements {6}<{2}>; remove {3} from its base list, or {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part implements DnnGen.INetwork<double>, or INetwork<float> for Precision = Precision.Single. A class that also implements the other one would have to provide every member of that interface as well, which the generated part does not.");

    public static readonly DiagnosticDescriptor IgnoredAttributeTarget = new(
        id: "DNNG0018",
        title: "[Network] has an attribute target that ignores it",
        messageFormat: "[{3}] on '{0}' has the target '{1}:', {2}, and no network is generated; remove '{1}:', or write 'type:'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An attribute list with an explicit target such as 'method:' or 'field:' on a class does not apply to the class: the compiler only warns (CS0657) and drops the attribute, so no network would be generated without a word. [Network] needs no target, or 'type:'.");

    public static readonly DiagnosticDescriptor ActivationsWithLayerOptions = new(
        id: "DNNG0019",
        title: "Activations is given together with HiddenActivation or OutputActivation",
        messageFormat: "[Network] on '{0}' gives both Activations and {1}; Activations sets every layer's activation, so remove {1} and write its activation into Activations, as in {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Activations lists every layer's activation; HiddenActivation and OutputActivation set the same layers' activations another way. With both, one would silently override the other.");

    public static readonly DiagnosticDescriptor ActivationCountMismatch = new(
        id: "DNNG0020",
        title: "Activations does not have one entry per layer",
        messageFormat: "Activations of '{0}' has {1}, but the network has L = {2} layers (sizes {3}); give exactly one activation for each of the layers 1 to L, as in {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Activations gives the activation of layers 1 .. L in order, one entry per layer after the input; a list of another length leaves some layer without one or has one with no layer.");

    public static readonly DiagnosticDescriptor HiddenSoftmax = new(
        id: "DNNG0021",
        title: "Softmax on a hidden layer",
        messageFormat: "Layer {0} of '{1}' is a hidden layer, and softmax is only for the output layer, where it turns each example's scores into class probabilities; use Relu, LeakyRelu, Tanh, Sigmoid or Linear for layer {0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Softmax makes each example's values sum to 1, which a hidden layer has no use for; DnnGen allows it only on the output layer, with categorical cross-entropy.");

    public static readonly DiagnosticDescriptor SoftmaxTooFewOutputs = new(
        id: "DNNG0022",
        title: "Softmax output with fewer than 2 units",
        messageFormat: "The softmax output of '{0}' has 1 unit, whose probability is always 1; give n[L] = the number of classes, at least 2, or for a yes/no classifier keep 1 output with OutputActivation = Activation.Sigmoid",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Softmax divides each unit's exp(z) by the sum over the units; with one unit the result is 1 whatever the input, so nothing could be learnt.");

    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = new(
        id: "DNNG0023",
        title: "The loss does not fit the output activation",
        messageFormat: "Loss.{0} does not fit the {1} output of '{2}': {3}; write {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Binary cross-entropy needs outputs in (0, 1), which only sigmoid gives; categorical cross-entropy needs a softmax's class probabilities; squared error on a softmax fights the constraint that its outputs sum to 1. Without Loss, each output gets the loss that fits it.");

    public static readonly DiagnosticDescriptor InvalidLeakyReluSlope = new(
        id: "DNNG0024",
        title: "LeakyReluSlope is not a finite number greater than 0",
        messageFormat: "LeakyReluSlope of '{0}' is {1}; give a finite slope greater than 0, such as 0.01 (PyTorch's default){2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Leaky relu passes slope * z for negative z. A NaN or infinite slope makes every negative unit NaN or infinite; a slope of 0 is plain relu, and a negative one makes the activation non-monotonic, which DnnGen does not allow. A float network (Precision.Single) also needs a slope within float's range that does not round to 0.");

    public static readonly DiagnosticDescriptor WeightsFileNotFound = new(
        id: "DNNG0025",
        title: "The weights file is not listed or not found",
        messageFormat: "Weights of '{0}' names '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A generator reads no file from the disk: it sees only the project's additional files, which DnnGen's build logic (build/DnnGen.targets in the package) turns from binary .npz files into text before compiling. List the file as <AdditionalFiles Include=\"cat.npz\" />, with the path relative to the project, and write Weights as listed.");

    public static readonly DiagnosticDescriptor InvalidWeightsFile = new(
        id: "DNNG0026",
        title: "The weights file is not a valid .npz archive",
        messageFormat: "'{0}', the weights of '{1}', is not a valid .npz archive: {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A .npz file is a ZIP archive of .npy arrays, stored or deflated, as np.savez, np.savez_compressed and DnnGen's SaveNpz write it. A file that is not one, is truncated, fails a checksum or holds an array whose header or data length is wrong cannot be baked in.");

    public static readonly DiagnosticDescriptor WeightsArraysMismatch = new(
        id: "DNNG0027",
        title: "The weights file does not hold the network's arrays",
        messageFormat: "'{0}' does not hold the parameters of '{1}', a network {2}: {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A network of L layers bakes in exactly the arrays W1, b1, ..., WL, bL, named as the course's parameters dictionary names them (np.savez(path, **parameters)) and as SaveNpz writes them; a missing array, or one more, means the file is of another network. A checkpoint's training state (v_*, s_*, t, epoch) is ignored.");

    public static readonly DiagnosticDescriptor WeightsWrongShape = new(
        id: "DNNG0028",
        title: "A weights array has the wrong shape",
        messageFormat: "Array '{0}' in '{1}' has shape {2}, but '{3}' needs {4}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "W[l] must be (n[l], n[l-1]), the course's shape and PyTorch's Linear.weight, and b[l] (n[l], 1) or (n[l],), as the course and PyTorch store biases; the layer sizes of the attribute fix n[l].");

    public static readonly DiagnosticDescriptor WeightNotFinite = new(
        id: "DNNG0029",
        title: "A weight is not finite",
        messageFormat: "Array '{0}' in '{1}' holds {2} at {3}; the weights of '{4}' must be finite",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A NaN or infinite weight makes every prediction through it NaN or infinite, so it is refused at build time, as LoadNpz refuses it at run time; a float network (Precision.Single) also refuses a float64 value beyond float's range, which would round to infinity.");

    public static readonly DiagnosticDescriptor WeightsNotFloat = new(
        id: "DNNG0030",
        title: "A weights array is not of a float type",
        messageFormat: "Array '{0}' in '{1}' has dtype '{2}', but the weights of '{3}' must be float64 ('<f8') or float32 ('<f4'), in either byte order; save it with .astype(np.float64)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Weights are read as float64 or float32: float32 widens to double exactly, and float64 rounds to the nearest float in a float network. Integer, float16, complex, object and structured arrays are refused rather than converted silently.");

    public static readonly DiagnosticDescriptor OnnxModelNotFound = new(
        id: "DNNG0031",
        title: "The ONNX model is not listed or not found",
        messageFormat: "[NetworkFromOnnx] on '{0}' names '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A generator reads no file from the disk: it sees only the project's additional files, which DnnGen's build logic (build/DnnGen.targets in the package) turns from binary .onnx files into text before compiling. List the model as <AdditionalFiles Include=\"mlp.onnx\" />, with the path relative to the project, and give [NetworkFromOnnx] that path, a constant string ending in .onnx.");

    public static readonly DiagnosticDescriptor InvalidOnnxModel = new(
        id: "DNNG0032",
        title: "The ONNX model is not a valid ONNX file",
        messageFormat: "[NetworkFromOnnx] on '{0}' cannot read '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An ONNX model is a protobuf ModelProto with a graph, an IR version and an opset, as torch.onnx.export and tf2onnx write it. A file that is not one, is truncated or damaged, holds a tensor whose data do not match its shape, or keeps its weights in an external data file cannot be imported.");

    public static readonly DiagnosticDescriptor UnsupportedOnnxNode = new(
        id: "DNNG0033",
        title: "The ONNX model has a node DnnGen does not import",
        messageFormat: "[NetworkFromOnnx] on '{0}' cannot import '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "DnnGen imports the nodes PyTorch and Keras export for dense networks: Gemm (any transB; alpha = beta = 1, transA = 0), MatMul + Add, Relu, LeakyRelu (alpha > 0, one for the whole network), Tanh, Sigmoid, Softmax (last axis, output layer, at least 2 units), Identity and Flatten (axis 1), in the default ONNX domain. The message names the node, its op type and what is supported.");

    public static readonly DiagnosticDescriptor UnsupportedOnnxGraph = new(
        id: "DNNG0034",
        title: "The ONNX model is not a dense network DnnGen can compile",
        messageFormat: "[NetworkFromOnnx] on '{0}' cannot import '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The graph must be one input (N, n[0]), a chain of dense layers, each node taking the previous node's value and constant weights (initializers or Constant nodes), and one output; shapes must chain, every tensor must be float32 or float64 (one type for the whole model), and every weight finite. Branches, residual connections, computed weights and other element types are refused, naming the node or tensor.");

    /// <summary>All descriptors, in id order.</summary>
    public static readonly DiagnosticDescriptor[] All =
    {
        ClassMustBePartial, TooFewLayerSizes, LayerSizeMustBePositive, NetworkTooLarge, UnsupportedTarget,
        ContainingTypeMustBePartial, MemberNameCollision, InvalidOptionValue, InternalError, DuplicateAttribute,
        ArgumentNotConstant, InvalidArgument, LargeNetwork, BaseClassCollision, LanguageVersionTooLow,
        TopLevelStatementsClass, OtherPrecisionInterface, IgnoredAttributeTarget, ActivationsWithLayerOptions,
        ActivationCountMismatch, HiddenSoftmax, SoftmaxTooFewOutputs, LossDoesNotFitOutput, InvalidLeakyReluSlope,
        WeightsFileNotFound, InvalidWeightsFile, WeightsArraysMismatch, WeightsWrongShape, WeightNotFinite, WeightsNotFloat,
        OnnxModelNotFound, InvalidOnnxModel, UnsupportedOnnxNode, UnsupportedOnnxGraph,
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
