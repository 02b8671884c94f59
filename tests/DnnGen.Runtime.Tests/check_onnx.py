"""Checks the ONNX models OnnxExportTests exported, with the onnx package (Debian's python3-onnx).

For each file given: onnx.checker.check_model(path, full_check=True), which also runs shape inference in strict mode;
protobuf must re-serialise the loaded model to exactly the file's bytes (every field known, in field-number order);
and shape inference must give the output the shape (batch, n[L]). Prints one line per file for the test to compare:

    name|ir_version|domain:version,...|op types|input name:dims|output name:dims|inferred output dims

and exits non-zero, naming the file, at the first one that fails.
"""

import os
import sys

import onnx


def dims(value):
    return ",".join(d.dim_param if d.HasField("dim_param") else str(d.dim_value) for d in value.type.tensor_type.shape.dim)


def main(paths):
    for path in paths:
        name = os.path.basename(path)
        onnx.checker.check_model(path, full_check=True)
        model = onnx.load(path)
        with open(path, "rb") as file:
            data = file.read()
        if model.SerializeToString() != data:
            sys.exit(f"{name}: protobuf re-serialises the model to other bytes")
        # The output's shape as inference derives it from the input's and the initializers', not as declared.
        undeclared = onnx.ModelProto()
        undeclared.CopyFrom(model)
        undeclared.graph.output[0].type.tensor_type.ClearField("shape")
        inferred = onnx.shape_inference.infer_shapes(undeclared, check_type=True, strict_mode=True)
        inferred_dims = dims(inferred.graph.output[0])
        output = model.graph.output[0]
        opsets = ",".join(f"{o.domain}:{o.version}" for o in model.opset_import)
        ops = " ".join(node.op_type for node in model.graph.node)
        graph_input = model.graph.input[0]
        print("|".join([name, str(model.ir_version), opsets, ops,
                        f"{graph_input.name}:{dims(graph_input)}", f"{output.name}:{dims(output)}", inferred_dims]))


if __name__ == "__main__":
    main(sys.argv[1:])
