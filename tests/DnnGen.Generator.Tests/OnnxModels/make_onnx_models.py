"""Writes the ONNX models the ONNX import tests read, with PyTorch's own exporter, and PyTorch's outputs for them.

Run from this folder with Debian's PyTorch, ONNX and NumPy (apt-get install python3-torch python3-onnx python3-numpy):
    /usr/bin/python3 make_onnx_models.py
The tests never run Python: they read the committed output. Debian's PyTorch is 1.13, whose torch.onnx.export writes
IR version 7 and opset 14 by default; one model is exported at opset 11 to cover the older Softmax.

Three networks, each in float64 and float32, each in two forms:
  sigmoid  Flatten, Linear(6, 5), ReLU, Linear(5, 1), Sigmoid     input (N, 2, 3), flattened to 6 features
  softmax  Linear(5, 8), Tanh, Linear(8, 3), Softmax(dim=-1)
  linear   Linear(3, 7), LeakyReLU(0.2), Linear(7, 4), LeakyReLU(0.2), Linear(4, 2)   (regression)
  *_gemm_*    an nn.Sequential of nn.Linear: torch exports each Linear as Gemm (transB = 1), weight (n[l], n[l-1])
  *_matmul_*  a module computing torch.flatten(x, 1) @ W.T + b: torch exports a Flatten (even of a 2-D input), folds
              W.T into one initializer (n[l-1], n[l]) and writes MatMul then Add; an Identity node (which torch itself
              elides) is put after the first activation.
Every tensor torch writes keeps its values in raw_data; two variants move them to double_data and float_data.
Variants of these, edited with the onnx package after export, for forms PyTorch does not write but others do:
  softmax_gemm_transb0_f64  each Gemm's weight stored transposed, (n[l-1], n[l]), with transB = 0; values in double_data
  linear_constants_f32      the weights and biases as Constant nodes instead of initializers; values in float_data
  softmax_opset11_f32       the Gemm softmax network exported at opset 11 (Softmax's axis then defaults to 1)
Models the import must refuse, each with the diagnostic it deserves:
  unsupported_elu           Linear(4, 3), ELU, Linear(3, 1), Sigmoid: an Elu node
  softmax_dim0              Linear(4, 3), Softmax(dim=0): a Softmax over the batch axis
  residual_add              Linear(4, 4), ReLU, then + x: an Add of two computed values, not a chain of dense layers
  sigmoid_float16           the float32 sigmoid Gemm model with its input, weights and output as float16
  shapes_mismatch           the float64 softmax Gemm model with its second weight cut to (3, 7): the shapes do not chain

Keras-style models, hand-built with onnx.helper in the form tf2onnx gives a Keras Sequential of Dense layers (TensorFlow
is not installable here, so these are NOT exported by Keras or tf2onnx: they copy its form), evaluated with NumPy:
  each Dense is MatMul by a (n[l-1], n[l]) kernel, then Add of a 1-D bias (n[l],), then the activation; the batch
  dimension is symbolic, "unk__6" as tf2onnx names it or "N"; Flatten is a Reshape by a constant INT64 shape
  keras_sigmoid_f32   input (unk__6, 2, 3), Reshape to [-1, 6], Dense(5, relu), Dense(1, sigmoid)
  keras_softmax_f64   input (N, 5), Reshape to [-1, 5] (Flatten of a 2-D input, nothing), Dense(8, tanh), Dense(3, softmax)
  keras_linear_f64    input (unk__6, 3), Reshape to [0, -1], Dense(7, LeakyReLU(0.3)), Dense(2), shape in int64_data
  keras_reshape_rows  refused: a Reshape to [-1, 3] of an (N, 6) input, which makes two rows of each example
For these, y is NumPy's forward pass in the model's element type.

For every model M that imports, M.npz holds
  x         the stored inputs, example-major (16 examples by n[0] features, the Flatten already applied)
  y         PyTorch's (or, for keras_*, NumPy's) outputs for them (16 by n[L]), in the model's element type
  W1, b1, ... the parameters in DnnGen's layout: W[l] (n[l], n[l-1]) and b[l] (n[l], 1), the state_dict's values
The script checks every model with onnx.checker and prints the op types it holds.
"""
import copy

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

torch.manual_seed(13)

NETWORKS = {
    "sigmoid": ([6, 5, 1], ["relu", "sigmoid"]),
    "softmax": ([5, 8, 3], ["tanh", "softmax"]),
    "linear": ([3, 7, 4, 2], ["leaky", "leaky", "linear"]),
}

MODULES = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "softmax": lambda: nn.Softmax(dim=-1),
    "leaky": lambda: nn.LeakyReLU(0.2),
}

FUNCTIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": lambda z: torch.softmax(z, dim=-1),
    "leaky": lambda z: torch.nn.functional.leaky_relu(z, 0.2),
    "linear": lambda z: z,
}


class MatMulAdd(nn.Module):
    """The dense layers written out as x @ W.T + b, as Keras-style exports (MatMul + Add) have them."""

    def __init__(self, linears, activations):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(linear.weight.detach().clone()) for linear in linears])
        self.biases = nn.ParameterList([nn.Parameter(linear.bias.detach().clone()) for linear in linears])
        self.activations = activations

    def forward(self, x):
        x = torch.flatten(x, 1)
        for weight, bias, activation in zip(self.weights, self.biases, self.activations):
            x = FUNCTIONS[activation](x @ weight.T + bias)
        return x


def sequential(name, linears, activations):
    layers = [nn.Flatten()] if name == "sigmoid" else []
    for linear, activation in zip(linears, activations):
        layers.append(linear)
        if activation != "linear":
            layers.append(MODULES[activation]())
    return nn.Sequential(*layers)


def input_shape(name, sizes):
    return (16, 2, 3) if name == "sigmoid" else (16, sizes[0])


def export(model, x, path, opset=None):
    options = {} if opset is None else {"opset_version": opset}
    torch.onnx.export(model, x, path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, **options)
    return onnx.load(path)


def save(path, model):
    onnx.checker.check_model(model)
    onnx.save(model, path)
    print(f"{path:34} opset {model.opset_import[0].version:2}  {[node.op_type for node in model.graph.node]}")


def save_outputs(stem, x, y, linears, dtype):
    arrays = {"x": x.reshape(x.shape[0], -1).numpy(), "y": y.numpy()}
    for l, linear in enumerate(linears, start=1):
        arrays[f"W{l}"] = linear.weight.detach().to(dtype).numpy()
        arrays[f"b{l}"] = linear.bias.detach().to(dtype).numpy().reshape(-1, 1)
    np.savez(stem + ".npz", **arrays)


def insert_identity(model, after):
    """Puts an Identity node after the first node of type `after`, as tf2onnx and others write them."""
    graph = model.graph
    index = next(i for i, node in enumerate(graph.node) if node.op_type == after)
    produced = graph.node[index].output[0]
    renamed = produced + "_before_identity"
    graph.node[index].output[0] = renamed
    graph.node.insert(index + 1, helper.make_node("Identity", [renamed], [produced], name="/Identity"))
    return model


def typed_data(tensor):
    """Moves a tensor's values from raw_data to double_data or float_data, the other encoding ONNX allows."""
    values = numpy_helper.to_array(tensor)
    tensor.ClearField("raw_data")
    (tensor.double_data if values.dtype == np.float64 else tensor.float_data).extend(values.ravel().tolist())
    return tensor


def transpose_gemm_weights(model):
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    for node in graph.node:
        if node.op_type == "Gemm":
            weight = initializers[node.input[1]]
            weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight).T.copy(), weight.name))
            for attribute in node.attribute:
                if attribute.name == "transB":
                    attribute.i = 0
    for tensor in graph.initializer:
        typed_data(tensor)
    return model


def initializers_to_constants(model):
    graph = model.graph
    constants = [helper.make_node("Constant", [], [tensor.name], name="/Constant_" + tensor.name.replace(".", "_"), value=typed_data(tensor))
                 for tensor in graph.initializer]
    del graph.initializer[:]
    nodes = constants + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def to_float16(model):
    graph = model.graph
    for tensor in graph.initializer:
        tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16), tensor.name))
    for value in list(graph.input) + list(graph.output):
        value.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    return model


for name, (sizes, activations) in NETWORKS.items():
    linears64 = [nn.Linear(sizes[l - 1], sizes[l]).double() for l in range(1, len(sizes))]
    x64 = torch.randn(*input_shape(name, sizes), dtype=torch.float64) * 2
    for dtype, suffix in [(torch.float64, "f64"), (torch.float32, "f32")]:
        linears = [copy.deepcopy(linear).to(dtype) for linear in linears64]
        x = x64.to(dtype)
        for form in ["gemm", "matmul"]:
            module = sequential(name, linears, activations) if form == "gemm" else MatMulAdd(linears, activations)
            module.eval()
            stem = f"{name}_{form}_{suffix}"
            with torch.no_grad():
                y = module(x)
            model = export(module, x, stem + ".onnx")
            if form == "matmul":
                first = {"relu": "Relu", "tanh": "Tanh", "leaky": "LeakyRelu"}[activations[0]]
                model = insert_identity(model, first)
            save(stem + ".onnx", model)
            save_outputs(stem, x, y, linears, dtype)

            if (name, form, suffix) == ("softmax", "gemm", "f64"):
                variant = "softmax_gemm_transb0_f64"
                save(variant + ".onnx", transpose_gemm_weights(onnx.load(stem + ".onnx")))
                save_outputs(variant, x, y, linears, dtype)
                mismatched = onnx.load(stem + ".onnx")
                weight = next(t for t in mismatched.graph.initializer if t.name == mismatched.graph.node[2].input[1])
                weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight)[:, :7].copy(), weight.name))
                onnx.save(mismatched, "shapes_mismatch.onnx")  # the checker does not look at shapes; nor is it run here
                print(f"{'shapes_mismatch.onnx':34} {[node.op_type for node in mismatched.graph.node]}")
            if (name, form, suffix) == ("softmax", "gemm", "f32"):
                variant = "softmax_opset11_f32"
                save(variant + ".onnx", export(module, x, variant + ".onnx", opset=11))
                save_outputs(variant, x, y, linears, dtype)
            if (name, form, suffix) == ("linear", "matmul", "f32"):
                variant = "linear_constants_f32"
                save(variant + ".onnx", initializers_to_constants(onnx.load(stem + ".onnx")))
                save_outputs(variant, x, y, linears, dtype)
            if (name, form, suffix) == ("sigmoid", "gemm", "f32"):
                save("sigmoid_float16.onnx", to_float16(onnx.load(stem + ".onnx")))

refused = {
    "unsupported_elu": nn.Sequential(nn.Linear(4, 3), nn.ELU(), nn.Linear(3, 1), nn.Sigmoid()),
    "softmax_dim0": nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=0)),
}


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        return torch.relu(self.linear(x)) + x


refused["residual_add"] = Residual()
for stem, module in refused.items():
    save(stem + ".onnx", export(module.double().eval(), torch.randn(16, 4, dtype=torch.float64), stem + ".onnx"))


# ---- Keras-style graphs, hand-built in tf2onnx's form (not exported by Keras: TensorFlow is not installable here) ----

rng = np.random.default_rng(13)
NUMPY = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
    "leaky": lambda z: np.where(z > 0, z, z.dtype.type(0.3) * z),
    "linear": lambda z: z,
}
KERAS_OPS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax", "leaky": "LeakyRelu"}


def keras_model(stem, input_dims, reshape, sizes, activations, dtype, int64_data=False, save_npz=True):
    elem = onnx.TensorProto.DOUBLE if dtype == np.float64 else onnx.TensorProto.FLOAT
    nodes, initializers = [], []
    shape = np.array(reshape, dtype=np.int64)
    shape_tensor = (helper.make_tensor("const_fold_opt__16", onnx.TensorProto.INT64, [2], shape.tolist()) if int64_data
                    else numpy_helper.from_array(shape, "const_fold_opt__16"))
    initializers.append(shape_tensor)
    nodes.append(helper.make_node("Reshape", ["dense_input", "const_fold_opt__16"], ["sequential/flatten/Reshape:0"], name="sequential/flatten/Reshape"))
    current = "sequential/flatten/Reshape:0"
    kernels, biases = [], []
    for l in range(1, len(sizes)):
        layer = "dense" if l == 1 else f"dense_{l - 1}"
        kernel = (rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])).astype(dtype)
        bias = (rng.standard_normal(sizes[l]) * 0.5).astype(dtype)
        kernels.append(kernel)
        biases.append(bias)
        initializers += [numpy_helper.from_array(kernel, f"sequential/{layer}/MatMul/ReadVariableOp:0"),
                         numpy_helper.from_array(bias, f"sequential/{layer}/BiasAdd/ReadVariableOp:0")]
        nodes.append(helper.make_node("MatMul", [current, f"sequential/{layer}/MatMul/ReadVariableOp:0"], [f"sequential/{layer}/MatMul:0"], name=f"sequential/{layer}/MatMul"))
        nodes.append(helper.make_node("Add", [f"sequential/{layer}/MatMul:0", f"sequential/{layer}/BiasAdd/ReadVariableOp:0"], [f"sequential/{layer}/BiasAdd:0"], name=f"sequential/{layer}/BiasAdd"))
        current = f"sequential/{layer}/BiasAdd:0"
        activation = activations[l - 1]
        last = l == len(sizes) - 1
        if activation != "linear" or last:
            out = layer if last else f"sequential/{layer}/{KERAS_OPS.get(activation, 'Identity')}:0"
            op = KERAS_OPS.get(activation, "Identity")
            attributes = {"alpha": 0.3} if activation == "leaky" else {}
            nodes.append(helper.make_node(op, [current], [out], name=f"sequential/{layer}/{op}", **attributes))
            current = out
    graph = helper.make_graph(nodes, "sequential", [helper.make_tensor_value_info("dense_input", elem, input_dims)],
                              [helper.make_tensor_value_info(current, elem, [input_dims[0], sizes[-1]])], initializers)
    model = helper.make_model(graph, producer_name="tf2onnx (form copied by make_onnx_models.py)", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    save(stem + ".onnx", model)
    if not save_npz:
        return
    x = (rng.standard_normal((16, sizes[0])) * 2).astype(dtype)
    a = x
    for kernel, bias, activation in zip(kernels, biases, activations):
        a = NUMPY[activation](a @ kernel + bias).astype(dtype)
    arrays = {"x": x, "y": a}
    for l, (kernel, bias) in enumerate(zip(kernels, biases), start=1):
        arrays[f"W{l}"] = kernel.T.copy()
        arrays[f"b{l}"] = bias.reshape(-1, 1)
    np.savez(stem + ".npz", **arrays)


keras_model("keras_sigmoid_f32", ["unk__6", 2, 3], [-1, 6], [6, 5, 1], ["relu", "sigmoid"], np.float32)
keras_model("keras_softmax_f64", ["N", 5], [-1, 5], [5, 8, 3], ["tanh", "softmax"], np.float64)
keras_model("keras_linear_f64", ["unk__6", 3], [0, -1], [3, 7, 2], ["leaky", "linear"], np.float64, int64_data=True)
keras_model("keras_reshape_rows", ["N", 6], [-1, 3], [3, 2], ["sigmoid"], np.float64, save_npz=False)
