#!/usr/bin/env python3
"""NumPy side of the comparison, timed on the same shapes as the BenchmarkDotNet benchmarks, two ways: the course's
own functions (week 4, L_model_forward / L_model_backward / update_parameters, literally: they compute dA0, a 20 MB
array in float64, and the cost, every iteration), and the best NumPy a user would write for the same training (no dA0,
dZ[L] = A[L] - Y, the updates in place, the cost only when it is printed). Then the course's whole application: 2500
full-batch iterations on the cat data, training included, both ways, where the data is. Reference only: DnnGen never
needs Python. Needs Debian's python3-numpy (and python3-h5py for the application)."""
import os
import time

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


def cross_entropy(AL, Y):
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / Y.shape[1]


def iteration(X, Y, parameters, learning_rate, with_cost=True):
    """The course's iteration: its forward, cost (always: the notebook computes it every iteration), backward and
    update_parameters."""
    AL, caches = forward(X, parameters)
    cost = cross_entropy(AL, Y)
    grads = backward(AL, Y, parameters, caches)
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return cost


def best_iteration(X, Y, parameters, learning_rate, with_cost=False):
    """The same iteration as a NumPy user who knows the algebra writes it: dZ[L] = A[L] - Y (sigmoid with
    cross-entropy), no dA0, ReLU's derivative from A > 0, the gradients scaled and applied in place, and the cost only
    when asked for (when it is printed). Same numbers as iteration() up to round-off."""
    L = len(parameters) // 2
    m = X.shape[1]
    activations = [X]
    A = X
    for l in range(1, L + 1):
        Z = parameters["W" + str(l)] @ A
        Z += parameters["b" + str(l)]
        if l < L:
            A = np.maximum(Z, 0, out=Z)
        else:
            np.negative(Z, out=Z)
            np.exp(Z, out=Z)
            Z += 1
            A = np.reciprocal(Z, out=Z)
        activations.append(A)
    cost = cross_entropy(A, Y) if with_cost else None
    dZ = A - Y
    step = learning_rate / m
    for l in range(L, 0, -1):
        W = parameters["W" + str(l)]
        A_prev = activations[l - 1]
        dW = dZ @ A_prev.T
        db = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            dA = W.T @ dZ
            dA *= A_prev > 0
            dZ = dA
        dW *= step
        W -= dW
        db *= step
        parameters["b" + str(l)] -= db
    return cost


def load_cat(folder):
    """The course's load_dataset and preprocessing: X is (12288, m), the pixels / 255; Y is (1, m)."""
    import h5py

    def read(name, prefix):
        with h5py.File(os.path.join(folder, name), "r") as f:
            x = np.array(f[prefix + "_x"][:])
            y = np.array(f[prefix + "_y"][:])
        return x.reshape(x.shape[0], -1).T / 255.0, y.reshape(1, -1).astype(np.float64)

    return read("train_catvnoncat.h5", "train_set") + read("test_catvnoncat.h5", "test_set")


def accuracy(X, Y, parameters):
    AL, _ = forward(X, parameters)
    return float(np.mean((AL > 0.5) == Y))


def cat_application(iterations=2500, learning_rate=0.0075):
    """The course's application notebook end to end, timed from the first iteration to the last (training included;
    loading the data is not): L_layer_model with layers_dims = [12288, 20, 7, 5, 1], np.random.seed(1),
    W = randn / sqrt(n[l-1]), float64, learning rate 0.0075, the cost kept every 100 iterations. Both ways: the course's
    functions (which compute the cost every iteration) and the best NumPy version (the cost only when it is kept)."""
    folder = os.environ.get("DNNGEN_DATA") or os.path.join("..", "shared", "data")
    if not os.path.exists(os.path.join(folder, "train_catvnoncat.h5")):
        print(f"numpy  cat application: skipped, no train_catvnoncat.h5 in {os.path.abspath(folder)} (set DNNGEN_DATA)")
        return
    try:
        import h5py  # noqa: F401
    except ImportError:
        print("numpy  cat application: skipped, h5py is missing (apt-get install python3-h5py)")
        return
    train_x, train_y, test_x, test_y = load_cat(folder)
    for name, step in (("the course's functions", iteration), ("best NumPy", best_iteration)):
        parameters = initialize(LAYERS, np.float64)
        costs = []
        start = time.perf_counter()
        for i in range(iterations):
            printed = i % 100 == 0 or i == iterations - 1
            cost = step(train_x, train_y, parameters, learning_rate, with_cost=printed)
            if printed:
                costs.append(cost)
        seconds = time.perf_counter() - start
        print(f"numpy  cat application, {iterations} iterations, float64, {name}: {seconds:.2f} s "
              f"({seconds / iterations * 1e3:.2f} ms per iteration; cost after iteration 0: {costs[0]:.9f}, "
              f"after {iterations - 1}: {costs[-1]:.9f}; train accuracy {accuracy(train_x, train_y, parameters):.9f}, "
              f"test {accuracy(test_x, test_y, parameters):.9f})")


def main():
    rng = np.random.RandomState(1)
    for dtype, name in ((np.float64, "float64"), (np.float32, "float32")):
        X = rng.random_sample((LAYERS[0], M)).astype(dtype)
        Y = (rng.random_sample((1, M)) < 0.35).astype(dtype)
        parameters = initialize(LAYERS, dtype)
        seconds = median_seconds(lambda: iteration(X, Y, parameters, 1e-9), 50)
        print(f"numpy  cat iteration, {name}, the course's functions: {seconds * 1e3:.2f} ms")
        seconds = median_seconds(lambda: best_iteration(X, Y, parameters, 1e-9), 50)
        print(f"numpy  cat iteration, {name}, best NumPy (no dA0, in place, cost only when printed): "
              f"{seconds * 1e3:.2f} ms")

    parameters = initialize(LAYERS, np.float32)
    image = rng.random_sample((LAYERS[0], 1)).astype(np.float32)
    print(f"numpy  cat forward, 1 example, float32: {median_seconds(lambda: forward(image, parameters), 2000) * 1e6:.1f} us")

    planar = initialize([2, 4, 1], np.float64)
    point = np.array([[0.5], [-1.25]])
    print(f"numpy  (2, 4, 1) forward, 1 example, float64: {median_seconds(lambda: forward(point, planar), 20000) * 1e6:.1f} us")

    cat_application()


if __name__ == "__main__":
    main()
