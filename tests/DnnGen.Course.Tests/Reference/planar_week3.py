"""The course's week-3 notebook "Planar data classification with one hidden layer", transcribed in NumPy and run as
the course runs it: nn_model(X, Y, n_h = 4, num_iterations = 10000, print_cost = True) on the flower of
planar_utils.load_planar_dataset(), then predict and the accuracy line.

The functions below keep the notebook's names, shapes (X (2, m), Y (1, m)) and arithmetic, statement for statement.
Run with Debian's python3 (python3-numpy):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/planar_week3.py
It prints the course's lines and writes planar_week3.npz beside itself.
"""

import os
import sys

sys.dont_write_bytecode = True

import numpy as np

from npz_io import write_npz_atomically

HERE = os.path.dirname(os.path.abspath(__file__))


# planar_utils.py ----------------------------------------------------------------------------------------------------

def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def load_planar_dataset():
    np.random.seed(1)
    m = 400  # number of examples
    N = int(m / 2)  # number of points per class
    D = 2  # dimensionality
    X = np.zeros((m, D))  # data matrix where each row is a single example
    Y = np.zeros((m, 1), dtype='uint8')  # labels vector (0 for red, 1 for blue)
    a = 4  # maximum ray of the flower

    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j

    X = X.T
    Y = Y.T

    return X, Y


# The notebook --------------------------------------------------------------------------------------------------------

def layer_sizes(X, Y):
    n_x = X.shape[0]  # size of input layer
    n_h = 4
    n_y = Y.shape[0]  # size of output layer
    return (n_x, n_h, n_y)


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(2)  # we set up a seed so that your output matches ours although the initialization is random.

    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))

    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters


def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)

    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]  # number of examples

    logprobs = np.multiply(np.log(A2), Y) + np.multiply((1 - Y), np.log(1 - A2))
    cost = - np.sum(logprobs) / m

    cost = float(np.squeeze(cost))
    return cost


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]

    W1 = parameters["W1"]
    W2 = parameters["W2"]

    A1 = cache["A1"]
    A2 = cache["A2"]

    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)

    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate=1.2):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    dW1 = grads["dW1"]
    db1 = grads["db1"]
    dW2 = grads["dW2"]
    db2 = grads["db2"]

    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2

    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, printed=None, every_cost=None):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]

    parameters = initialize_parameters(n_x, n_h, n_y)

    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        if every_cost is not None:
            every_cost.append(cost)  # not in the notebook: every iteration's cost, kept for the README's analysis
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)

        if print_cost and i % 1000 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
            if printed is not None:
                printed.append((i, cost))

    return parameters


def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    predictions = (A2 > 0.5)
    return predictions


def main():
    X, Y = load_planar_dataset()
    # The flower DnnGen's samples/Planar/FlowerDataset.cs rebuilds (tests/DnnGen.Samples.Tests/PlanarTests.cs).
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    assert X[0, 0] == 1.2044422922543192 and X[1, 0] == 3.576114148128845
    assert X[0, 399] == 0.7307808250007515 and X[1, 399] == 3.0683292081876554
    assert abs(X.sum() - 10.087983277441637) < 1e-9 and abs(np.abs(X).sum() - 1289.404080403798) < 1e-9

    initial = initialize_parameters(2, 4, 1)
    printed, every_cost = [], []
    parameters = nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True, printed=printed, every_cost=every_cost)
    predictions = predict(parameters, X)
    accuracy = float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100)
    print('Accuracy: %d' % accuracy + '%')
    assert accuracy == float(np.mean(predictions == Y) * 100)
    A2, _ = forward_propagation(X, parameters)
    final_cost = compute_cost(A2, Y)
    print(f"Full precision: costs {[c for _, c in printed]!r}, accuracy {accuracy!r}, "
          f"cost after training {final_cost!r}")

    arrays = {
        # The data, example-major as DnnGen takes it: X (400, 2) is the course's X.T, Y (400, 1).
        "X": np.ascontiguousarray(X.T, dtype=np.float64),
        "Y": np.ascontiguousarray(Y.T, dtype=np.float64),
        "W1_initial": initial["W1"], "b1_initial": initial["b1"],
        "W2_initial": initial["W2"], "b2_initial": initial["b2"],
        "cost_iterations": np.array([i for i, _ in printed], dtype=np.float64),
        "costs": np.array([c for _, c in printed], dtype=np.float64),
        "costs_all": np.array(every_cost, dtype=np.float64),
        "W1": parameters["W1"], "b1": parameters["b1"], "W2": parameters["W2"], "b2": parameters["b2"],
        "final_cost": np.array([final_cost]),
        "predictions": np.ascontiguousarray(predictions.T, dtype=np.float64),
        "train_accuracy_percent": np.array([accuracy]),
    }
    arrays = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in arrays.items()}
    write_npz_atomically(os.path.join(HERE, "planar_week3.npz"), arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
