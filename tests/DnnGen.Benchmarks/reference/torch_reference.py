#!/usr/bin/env python3
"""PyTorch (CPU) side of the comparison: the same network written with torch tensors and autograd, timed on the
same shapes as the BenchmarkDotNet benchmarks. Reference only: DnnGen never needs Python. Needs Debian's
python3-torch."""
import torch

from timing import median_seconds

LAYERS = [12288, 20, 7, 5, 1]
M = 209


def make_parameters(layer_dims, dtype):
    generator = torch.Generator().manual_seed(1)
    parameters = []
    for l in range(1, len(layer_dims)):
        w = (torch.randn(layer_dims[l], layer_dims[l - 1], generator=generator, dtype=dtype) / layer_dims[l - 1] ** 0.5)
        parameters.append(w.requires_grad_())
        parameters.append(torch.zeros(layer_dims[l], 1, dtype=dtype, requires_grad=True))
    return parameters


def forward(X, parameters):
    A = X
    count = len(parameters) // 2
    for l in range(count):
        Z = parameters[2 * l] @ A + parameters[2 * l + 1]
        A = torch.sigmoid(Z) if l == count - 1 else torch.relu(Z)
    return A


def iteration(X, Y, parameters, learning_rate):
    AL = forward(X, parameters)
    cost = torch.nn.functional.binary_cross_entropy(AL, Y)
    cost.backward()
    with torch.no_grad():
        for p in parameters:
            p -= learning_rate * p.grad
            p.grad = None
    return cost.item()


def main():
    generator = torch.Generator().manual_seed(2)
    for dtype, name in ((torch.float64, "float64"), (torch.float32, "float32")):
        X = torch.rand(LAYERS[0], M, generator=generator, dtype=dtype)
        Y = (torch.rand(1, M, generator=generator) < 0.35).to(dtype)
        parameters = make_parameters(LAYERS, dtype)
        seconds = median_seconds(lambda: iteration(X, Y, parameters, 1e-9), 50)
        print(f"torch  cat iteration, {name}: {seconds * 1e3:.2f} ms")

    with torch.no_grad():
        parameters = make_parameters(LAYERS, torch.float32)
        image = torch.rand(LAYERS[0], 1, generator=generator)
        print(f"torch  cat forward, 1 example, float32: {median_seconds(lambda: forward(image, parameters), 2000) * 1e6:.1f} us")
        planar = make_parameters([2, 4, 1], torch.float64)
        point = torch.tensor([[0.5], [-1.25]], dtype=torch.float64)
        print(f"torch  (2, 4, 1) forward, 1 example, float64: {median_seconds(lambda: forward(point, planar), 20000) * 1e6:.1f} us")


if __name__ == "__main__":
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    main()
