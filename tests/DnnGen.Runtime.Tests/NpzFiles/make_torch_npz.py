"""Writes the PyTorch files the persistence tests load, with PyTorch itself.

Run from this folder with Debian's PyTorch and NumPy (apt-get install python3-torch python3-numpy):
    /usr/bin/python3 make_torch_npz.py
The tests never run Python: they read the committed output.

A PyTorch nn.Sequential of Linear layers with ReLU between them and a Sigmoid at the end is a DnnGen network:
[Network(6, 5, 3, 1)] here. Linear(n[l-1], n[l]).weight is (n[l], n[l-1]), the course's W[l], and .bias is (n[l],),
the course's b[l] (n[l], 1) stored as a vector, which LoadNpz accepts. The state_dict keys '0.weight', '0.bias',
'2.weight', ... (numbered by position in the Sequential, activations included) become W1, b1, W2, ... in order.

torch_6_5_3_1.npz     the parameters, exactly as the state_dict holds them (biases 1-D), named W1, b1, W2, b2, W3, b3
torch_6_5_3_1_io.npz  x (8, 6): eight examples, example-major as DnnGen reads them; probabilities (8, 1): torch's output
"""
import numpy as np
import torch

torch.manual_seed(4)
torch.set_default_dtype(torch.float64)

model = torch.nn.Sequential(
    torch.nn.Linear(6, 5), torch.nn.ReLU(),
    torch.nn.Linear(5, 3), torch.nn.ReLU(),
    torch.nn.Linear(3, 1), torch.nn.Sigmoid(),
)

# The state_dict, renamed: the k-th Linear layer's weight is W{k}, its bias b{k}.
parameters = {}
linear = 0
for name, tensor in model.state_dict().items():
    position, kind = name.split(".")
    if kind == "weight":
        linear += 1
        parameters[f"W{linear}"] = tensor.numpy()
    else:
        parameters[f"b{linear}"] = tensor.numpy()

assert [(key, value.shape) for key, value in parameters.items()] == [
    ("W1", (5, 6)), ("b1", (5,)), ("W2", (3, 5)), ("b2", (3,)), ("W3", (1, 3)), ("b3", (1,))]
np.savez("torch_6_5_3_1.npz", **parameters)

x = torch.randn(8, 6) * 2
with torch.no_grad():
    probabilities = model(x)
np.savez("torch_6_5_3_1_io.npz", x=x.numpy(), probabilities=probabilities.numpy())
print(probabilities.numpy().ravel())
