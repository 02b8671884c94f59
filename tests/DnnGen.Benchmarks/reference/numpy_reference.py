#!/usr/bin/env python3
"""NumPy side of the comparison: the course's own functions (week 4, L_model_forward / L_model_backward /
update_parameters), timed on the same shapes as the BenchmarkDotNet benchmarks. Reference only: DnnGen never
needs Python. Needs Debian's python3-numpy."""
import numpy as np

from timing import median_seconds

LAYERS = [12288, 20, 7, 5, 1]
M = 209


def initialize(layer_dims, dtype):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = (np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])).astype(dtype)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1), dtype=dtype)
    return parameters


def forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        Z = parameters["W" + str(l)].dot(A_prev) + parameters["b" + str(l)]
        A = np.maximum(0, Z)
        caches.append((A_prev, Z))
    Z = parameters["W" + str(L)].dot(A) + parameters["b" + str(L)]
    AL = 1 / (1 + np.exp(-Z))
    caches.append((A, Z))
    return AL, caches


def backward(AL, Y, parameters, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA = dAL
    for l in reversed(range(1, L + 1)):
        A_prev, Z = caches[l - 1]
        if l == L:
            s = 1 / (1 + np.exp(-Z))
            dZ = dA * s * (1 - s)
        else:
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        W = parameters["W" + str(l)]
        grads["dW" + str(l)] = 1.0 / m * np.dot(dZ, A_prev.T)
        grads["db" + str(l)] = 1.0 / m * np.sum(dZ, axis=1, keepdims=True)
        dA = np.dot(W.T, dZ)  # the course computes dA0 too
    return grads


def iteration(X, Y, parameters, learning_rate):
    AL, caches = forward(X, parameters)
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / X.shape[1]
    grads = backward(AL, Y, parameters, caches)
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return cost


def main():
    rng = np.random.RandomState(1)
    for dtype, name in ((np.float64, "float64"), (np.float32, "float32")):
        X = rng.random_sample((LAYERS[0], M)).astype(dtype)
        Y = (rng.random_sample((1, M)) < 0.35).astype(dtype)
        parameters = initialize(LAYERS, dtype)
        seconds = median_seconds(lambda: iteration(X, Y, parameters, 1e-9), 50)
        print(f"numpy  cat iteration, {name}: {seconds * 1e3:.2f} ms")

    parameters = initialize(LAYERS, np.float32)
    image = rng.random_sample((LAYERS[0], 1)).astype(np.float32)
    print(f"numpy  cat forward, 1 example, float32: {median_seconds(lambda: forward(image, parameters), 2000) * 1e6:.1f} us")

    planar = initialize([2, 4, 1], np.float64)
    point = np.array([[0.5], [-1.25]])
    print(f"numpy  (2, 4, 1) forward, 1 example, float64: {median_seconds(lambda: forward(point, planar), 20000) * 1e6:.1f} us")


if __name__ == "__main__":
    main()
