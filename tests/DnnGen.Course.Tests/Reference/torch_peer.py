"""Peer reference data for DnnGen's networks (issue 11): the cost, the forward output and every gradient of several
dense networks, computed by two independent peers from the same weights and data.

Peer 1 is PyTorch: the forward pass written with torch operations, the cost written explicitly, and the gradients by
autograd. Peer 2 is plain NumPy with hand-written backpropagation. The script refuses to write anything unless the two
agree to 1e-12 relative (max-norm per array), so every stored number is cross-checked.

Conventions (DnnGen's): layer sizes n[0] (inputs) .. n[L] (outputs); W[l] is (n[l], n[l-1]) row-major, b[l] is
(n[l], 1); data is example-major: X is (m, n[0]), Y is (m, n[L]) (the course's matrices transposed). Inside this
script the course's layout is used, A[l] of shape (n[l], m), and transposed only when stored.

Costs:
  binary cross-entropy    -(1/m) sum over examples and outputs of y log a + (1 - y) log(1 - a)
  categorical c.-e.       -(1/m) sum over examples and classes of y log softmax(z), from the logits (log_softmax)
  squared error           (1/(2m)) sum over examples and outputs of (a - y)^2

Every random number comes from NumPy's legacy RandomState (stable across NumPy versions), so rerunning the script
reproduces the committed files bit for bit on the same platform; torch is used only to compute.

Run with Debian's python3 (python3-numpy, python3-torch):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/torch_peer.py
It writes peer_<case>.npz and cases.json beside itself.
"""

import json
import os
import sys

sys.dont_write_bytecode = True

import numpy as np
import torch

from npz_io import write_npz_atomically, write_text_atomically

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 1e-12

# DnnGen's public names (issue 11): enum Activation and enum Loss.
ACTIVATION_NAMES = {
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "linear": "Linear",
    "softmax": "Softmax",
}
LOSS_NAMES = {
    "bce": "BinaryCrossEntropy",
    "cce": "CategoricalCrossEntropy",
    "se": "SquaredError",
}
# The loss DnnGen derives from the output activation when the attribute does not name one.
DEFAULT_LOSS = {"sigmoid": "bce", "softmax": "cce", "linear": "se"}
# Pairs whose dZ[L] is A[L] - Y (divided by m): DnnGen's fused output step.
NATURAL_PAIRS = {("sigmoid", "bce"), ("softmax", "cce"), ("linear", "se")}


# --------------------------------------------------------------------------------------------------------------------
# The cases.
# --------------------------------------------------------------------------------------------------------------------

def one_hot(classes, count):
    y = np.zeros((len(classes), count))
    y[np.arange(len(classes)), classes] = 1.0
    return y


def draw_parameters(rng, sizes, weight_scales=None):
    """W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1]) (times an optional per-layer factor), b[l] = 0.1 randn(n[l], 1);
    drawn W1, b1, W2, b2, ... from one stream."""
    parameters = {}
    for l in range(1, len(sizes)):
        scale = 1.0 if weight_scales is None else weight_scales[l - 1]
        parameters[f"W{l}"] = rng.randn(sizes[l], sizes[l - 1]) / np.sqrt(sizes[l - 1]) * scale
        parameters[f"b{l}"] = rng.randn(sizes[l], 1) * 0.1
    return parameters


def case_planar_tanh():
    rng = np.random.RandomState(11)
    sizes = [2, 4, 1]
    p = draw_parameters(rng, sizes)
    x = rng.randn(7, 2) * 2.0
    y = np.array([[0], [1], [1], [0], [1], [0], [0]], dtype=float)
    return dict(name="planar_tanh", sizes=sizes, activations=["tanh", "sigmoid"], loss="bce", parameters=p, X=x, Y=y,
                attribute="[Network(2, 4, 1, HiddenActivation = Activation.Tanh)]",
                note="The course's week-3 architecture with random weights and 7 random points.")


def case_digits_softmax():
    rng = np.random.RandomState(12)
    sizes = [64, 32, 10]
    p = draw_parameters(rng, sizes)
    # Digit-like inputs: integers 0..16 divided by 16, as the 8x8 digits scaled to [0, 1].
    x = rng.randint(0, 17, size=(9, 64)) / 16.0
    classes = np.array([3, 0, 7, 3, 9, 1, 5, 0, 8])
    y = one_hot(classes, 10)
    return dict(name="digits_softmax", sizes=sizes, activations=["relu", "softmax"], loss="cce", parameters=p, X=x,
                Y=y, attribute="[Network(64, 32, 10, OutputActivation = Activation.Softmax)]",
                note="Ten classes; one-hot labels over 7 distinct classes (3 and 0 twice).")


def case_diabetes_linear():
    rng = np.random.RandomState(13)
    sizes = [10, 16, 1]
    p = draw_parameters(rng, sizes)
    x = rng.randn(8, 10)
    y = rng.randn(8, 1) * 80.0 + 150.0
    return dict(name="diabetes_linear", sizes=sizes, activations=["relu", "linear"], loss="se", parameters=p, X=x, Y=y,
                attribute="[Network(10, 16, 1, OutputActivation = Activation.Linear)]",
                note="Regression; standardised inputs, targets ~ N(150, 80) like diabetes.npz's, so the cost is large.")


def case_mixed():
    rng = np.random.RandomState(14)
    sizes = [6, 5, 4, 3]
    p = draw_parameters(rng, sizes)
    x = rng.randn(5, 6)
    y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 0, 0]], dtype=float)
    return dict(name="mixed", sizes=sizes, activations=["leaky_relu", "tanh", "sigmoid"], loss="bce", parameters=p,
                X=x, Y=y, leaky_relu_slope=0.01,
                attribute="[Network(6, 5, 4, 3, Activations = new[] { Activation.LeakyRelu, Activation.Tanh, "
                          "Activation.Sigmoid })]",
                note="Issue 11's Mixed: three independent sigmoid outputs, binary cross-entropy summed over outputs.")


def case_deep_mixed_linear():
    rng = np.random.RandomState(15)
    sizes = [5, 7, 6, 4, 2]
    p = draw_parameters(rng, sizes)
    x = rng.randn(6, 5)
    y = rng.randn(6, 2)
    return dict(name="deep_mixed_linear", sizes=sizes, activations=["sigmoid", "leaky_relu", "tanh", "linear"],
                loss="se", parameters=p, X=x, Y=y, leaky_relu_slope=0.2,
                attribute="[Network(5, 7, 6, 4, 2, Activations = new[] { Activation.Sigmoid, Activation.LeakyRelu, "
                          "Activation.Tanh, Activation.Linear }, LeakyReluSlope = 0.2)]",
                note="Four layers, a sigmoid hidden layer, leaky ReLU with slope 0.2, two linear outputs.")


def case_softmax_wide():
    rng = np.random.RandomState(16)
    sizes = [3, 5, 4]
    p = draw_parameters(rng, sizes)
    x = rng.randn(6, 3) * 0.3
    # Example 5 saturates every tanh unit (A1 = +-1 to the last digit), and W2 is rescaled so that its logits reach
    # exactly +-30 at the extremes: softmax's spread is 60, the probability of its label (the least likely class) is
    # about e^-60, and its cost term is about 60.
    x[5] = np.array([-80.0, -90.0, 100.0])
    a1 = np.tanh(p["W1"] @ x[5][:, None] + p["b1"])
    assert np.all(np.abs(a1) > 1 - 1e-12), "example 5 must saturate every tanh unit"
    z = p["W2"] @ a1
    # Centre and scale the logits of example 5 to [-30, 30] through W2 and b2: W2' = s W2, b2' = c (a constant shift
    # keeps softmax unchanged for that example but not for the others).
    s = 60.0 / (z.max() - z.min())
    p["W2"] = p["W2"] * s
    p["b2"] = -(s * z.max() + s * z.min()) / 2.0 * np.ones((4, 1))
    classes = np.array([0, 1, 2, 3, 1, 0])
    logits5 = (p["W2"] @ a1 + p["b2"]).ravel()
    classes[5] = int(np.argmin(logits5))
    y = one_hot(classes, 4)
    return dict(name="softmax_wide", sizes=sizes, activations=["tanh", "softmax"], loss="cce", parameters=p, X=x, Y=y,
                attribute="[Network(3, 5, 4, HiddenActivation = Activation.Tanh, OutputActivation = "
                          "Activation.Softmax)]",
                note="Stability: example 5's logits span [-30, 30] and its label is the least likely class.")


def case_sigmoid_squared_error():
    rng = np.random.RandomState(17)
    sizes = [4, 3, 2]
    p = draw_parameters(rng, sizes)
    x = rng.randn(5, 4)
    y = rng.uniform(0.0, 1.0, size=(5, 2))
    return dict(name="sigmoid_squared_error", sizes=sizes, activations=["relu", "sigmoid"], loss="se", parameters=p,
                X=x, Y=y, attribute="[Network(4, 3, 2, Loss = Loss.SquaredError)]",
                note="Not a natural pair: an explicit Loss on a sigmoid output, so dZ[L] = (A - Y) * A * (1 - A) / m "
                     "(no fusion). Targets in [0, 1]. Extra to the six cases the brief asked for.")


CASES = [case_planar_tanh, case_digits_softmax, case_diabetes_linear, case_mixed, case_deep_mixed_linear,
         case_softmax_wide, case_sigmoid_squared_error]


# --------------------------------------------------------------------------------------------------------------------
# Peer 1: PyTorch with autograd.
# --------------------------------------------------------------------------------------------------------------------

def torch_activation(name, z, slope):
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return torch.nn.functional.leaky_relu(z, negative_slope=slope)
    if name == "tanh":
        return torch.tanh(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "linear":
        return z
    if name == "softmax":
        return torch.softmax(z, dim=0)  # over each example's outputs: a column in the course's layout
    raise ValueError(name)


def torch_peer(case):
    sizes, slope = case["sizes"], case.get("leaky_relu_slope", 0.01)
    L = len(sizes) - 1
    params = {k: torch.tensor(v, requires_grad=True) for k, v in case["parameters"].items()}
    a = torch.tensor(case["X"].T.copy())
    y = torch.tensor(case["Y"].T.copy())
    m = a.shape[1]
    z = None
    for l in range(1, L + 1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        a = torch_activation(case["activations"][l - 1], z, slope)
    loss = case["loss"]
    if loss == "bce":
        cost = -(1.0 / m) * torch.sum(y * torch.log(a) + (1 - y) * torch.log(1 - a))
        # Cross-check against torch's own, from the logits when the output is a sigmoid.
        if case["activations"][-1] == "sigmoid":
            other = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum") / m
            assert abs(other.item() - cost.item()) <= 1e-12 * abs(cost.item()), (case["name"], other, cost)
    elif loss == "cce":
        assert case["activations"][-1] == "softmax"
        cost = -(1.0 / m) * torch.sum(y * torch.log_softmax(z, dim=0))
        naive = -(1.0 / m) * torch.sum(y * torch.log(a))
        assert abs(naive.item() - cost.item()) <= 1e-10 * abs(cost.item()), (case["name"], naive, cost)
        other = torch.nn.functional.cross_entropy(z.T, y.argmax(dim=0), reduction="mean")
        assert abs(other.item() - cost.item()) <= 1e-12 * abs(cost.item()), (case["name"], other, cost)
    elif loss == "se":
        cost = (1.0 / (2 * m)) * torch.sum((a - y) ** 2)
    else:
        raise ValueError(loss)
    cost.backward()
    out = {"cost": cost.item(), "A_L": a.detach().numpy().T.copy()}
    for k, v in params.items():
        out["d" + k] = v.grad.numpy().copy()
    return out


# --------------------------------------------------------------------------------------------------------------------
# Peer 2: NumPy, backpropagation by hand.
# --------------------------------------------------------------------------------------------------------------------

def np_forward(name, z, slope):
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "linear":
        return z.copy()
    if name == "softmax":
        shifted = z - z.max(axis=0, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=0, keepdims=True)
    raise ValueError(name)


def np_derivative(name, z, a, slope):
    """g'(Z) for the element-wise activations, from Z or from A as the course writes them."""
    if name == "relu":
        return (z > 0).astype(float)          # the course's relu_backward: zero where Z <= 0
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if name == "tanh":
        return 1.0 - a ** 2                    # tanh' = 1 - A^2
    if name == "sigmoid":
        return a * (1.0 - a)                   # sigmoid' = A (1 - A)
    if name == "linear":
        return np.ones_like(z)
    raise ValueError(name + " has no element-wise derivative")


def numpy_peer(case):
    sizes, slope, acts, loss = case["sizes"], case.get("leaky_relu_slope", 0.01), case["activations"], case["loss"]
    L = len(sizes) - 1
    p = case["parameters"]
    x, y = case["X"].T, case["Y"].T
    m = x.shape[1]
    A, Z = [x], [None]
    for l in range(1, L + 1):
        z = p[f"W{l}"] @ A[l - 1] + p[f"b{l}"]
        Z.append(z)
        A.append(np_forward(acts[l - 1], z, slope))
    aL, zL = A[L], Z[L]
    if loss == "bce":
        cost = -np.sum(y * np.log(aL) + (1 - y) * np.log(1 - aL)) / m
    elif loss == "cce":
        shifted = zL - zL.max(axis=0, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
        cost = -np.sum(y * log_softmax) / m
    else:
        cost = np.sum((aL - y) ** 2) / (2 * m)

    grads = {}
    if (acts[-1], loss) in NATURAL_PAIRS:
        dZ = aL - y                                        # dZ[L] = A[L] - Y for the three natural pairs
    else:
        if loss == "bce":
            dA = -(y / aL - (1 - y) / (1 - aL))
        elif loss == "se":
            dA = aL - y
        else:
            raise ValueError("categorical cross-entropy needs a softmax output")
        dZ = dA * np_derivative(acts[-1], zL, aL, slope)
    for l in range(L, 0, -1):
        grads[f"dW{l}"] = dZ @ A[l - 1].T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA_prev = p[f"W{l}"].T @ dZ
            dZ = dA_prev * np_derivative(acts[l - 2], Z[l - 1], A[l - 1], slope)
    out = {"cost": float(cost), "A_L": aL.T.copy()}
    out.update(grads)
    return out


# --------------------------------------------------------------------------------------------------------------------
# Cross-check and write.
# --------------------------------------------------------------------------------------------------------------------

def relative_difference(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.max(np.abs(b)), np.finfo(float).tiny)
    return float(np.max(np.abs(a - b)) / scale)


def check_case(case):
    sizes, acts = case["sizes"], case["activations"]
    L = len(sizes) - 1
    assert len(acts) == L
    assert "softmax" not in acts[:-1] and (acts[-1] != "softmax" or sizes[-1] >= 2)
    assert case["X"].shape == (case["X"].shape[0], sizes[0]) and case["Y"].shape == (case["X"].shape[0], sizes[-1])
    for l in range(1, L + 1):
        assert case["parameters"][f"W{l}"].shape == (sizes[l], sizes[l - 1])
        assert case["parameters"][f"b{l}"].shape == (sizes[l], 1)
    y = case["Y"]
    if case["loss"] == "bce":
        assert np.all((y == 0) | (y == 1))
    if case["loss"] == "cce":
        assert np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)
    if "leaky_relu" not in acts:
        assert "leaky_relu_slope" not in case


def main():
    index = []
    for make in CASES:
        case = make()
        check_case(case)
        t, n = torch_peer(case), numpy_peer(case)
        worst = 0.0
        for key in t:
            d = relative_difference(t[key], n[key])
            assert d <= TOLERANCE, f"{case['name']}: {key} differs between torch and numpy by {d:.3e} relative"
            worst = max(worst, d)
        L = len(case["sizes"]) - 1
        arrays = {}
        for l in range(1, L + 1):
            arrays[f"W{l}"] = np.ascontiguousarray(case["parameters"][f"W{l}"], dtype=np.float64)
            arrays[f"b{l}"] = np.ascontiguousarray(case["parameters"][f"b{l}"], dtype=np.float64)
        arrays["X"] = np.ascontiguousarray(case["X"], dtype=np.float64)
        arrays["Y"] = np.ascontiguousarray(case["Y"], dtype=np.float64)
        arrays["cost"] = np.array([t["cost"]], dtype=np.float64)
        arrays["A_L"] = np.ascontiguousarray(t["A_L"], dtype=np.float64)
        for l in range(1, L + 1):
            arrays[f"dW{l}"] = np.ascontiguousarray(t[f"dW{l}"], dtype=np.float64)
            arrays[f"db{l}"] = np.ascontiguousarray(t[f"db{l}"], dtype=np.float64)
        file = f"peer_{case['name']}.npz"
        write_npz_atomically(os.path.join(HERE, file), arrays)
        output = case["activations"][-1]
        entry = {
            "name": case["name"],
            "file": file,
            "attribute": case["attribute"],
            "layer_sizes": case["sizes"],
            "activations": [ACTIVATION_NAMES[a] for a in case["activations"]],
            "loss": LOSS_NAMES[case["loss"]],
            "loss_is_default": DEFAULT_LOSS.get(output) == case["loss"],
            "natural_pair": (output, case["loss"]) in NATURAL_PAIRS,
            "leaky_relu_slope": case.get("leaky_relu_slope"),
            "m": int(case["X"].shape[0]),
            "cost": t["cost"],
            "torch_vs_numpy_max_relative_difference": worst,
            "note": case["note"],
        }
        index.append(entry)
        print(f"{case['name']:>22}: cost {t['cost']!r}, torch vs numpy {worst:.2e}")
    document = {
        "description": "Peer reference cases written by torch_peer.py; see README.md. Arrays are example-major "
                       "(X (m, n0), Y (m, nL), A_L (m, nL)); W, b and their gradients in the course's shapes.",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "tolerance": TOLERANCE,
        "cases": index,
    }
    write_text_atomically(os.path.join(HERE, "cases.json"), json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
