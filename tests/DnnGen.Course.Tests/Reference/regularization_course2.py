"""The course's second course, week 1, notebook "Regularization", transcribed in NumPy and run as the course runs it:
model(train_X, train_Y) (the baseline), model(train_X, train_Y, lambd = 0.7) (L2) and
model(train_X, train_Y, keep_prob = 0.86, learning_rate = 0.3) (dropout) on the football data set, each followed by
predict on the train and the test set.

The functions keep the notebook's and reg_utils.py's names, shapes (X (2, m), Y (1, m), W[l] (n[l], n[l-1]),
b[l] (n[l], 1)) and arithmetic, statement for statement, including the notebook's quirk of calling np.random.seed(1)
at the start of every forward pass with dropout (so the masks are the same in every iteration).
The data comes from course2_football.npz (the notebook's data.mat, in the course's shapes; not committed): the
folder given as the first argument, else $DNNGEN_DATA, else ../shared/data beside the repository.
Run with Debian's python3 (python3-numpy):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/regularization_course2.py [DATA_DIR]
It prints the course's lines, checks them against course2-reference.md and writes regularization_course2.npz beside
itself.
"""

import os
import sys
import time

sys.dont_write_bytecode = True

import numpy as np

from npz_io import write_npz_atomically

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATA_FILE = "course2_football.npz"


def find_data(arguments):
    candidates = arguments[1:2] or [os.environ.get("DNNGEN_DATA"), os.path.join(REPOSITORY, "..", "shared", "data")]
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, DATA_FILE)):
            return folder
    raise SystemExit(f"{DATA_FILE} is in none of {candidates}; pass its folder as the first argument")


# reg_utils.py -------------------------------------------------------------------------------------------------------

def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s


def load_2D_dataset(folder):
    # The notebook reads datasets/data.mat (X, y, Xval, yval) and transposes; the .npz holds the transposed arrays.
    with np.load(os.path.join(folder, DATA_FILE)) as data:
        train_X = data["train_X"]
        train_Y = data["train_Y"]
        test_X = data["test_X"]
        test_Y = data["test_Y"]
    return train_X, train_Y, test_X, test_Y


def initialize_parameters(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)  # number of layers in the network

    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))

    return parameters


def forward_propagation(X, parameters):
    # retrieve parameters
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation(X, Y, cache):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients


def update_parameters(parameters, grads, learning_rate):
    n = len(parameters) // 2  # number of layers in the neural networks

    # Update rule for each parameter
    for k in range(n):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]

    return parameters


def predict(X, y, parameters):
    m = X.shape[1]
    p = np.zeros((1, m), dtype=np.int64)

    # Forward propagation
    a3, caches = forward_propagation(X, parameters)

    # convert probas to 0/1 predictions
    for i in range(0, a3.shape[1]):
        if a3[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0

    print("Accuracy: " + str(np.mean((p[0, :] == y[0, :]))))
    return p


def compute_cost(a3, Y):
    m = Y.shape[1]

    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost = 1. / m * np.nansum(logprobs)

    return cost


# The notebook --------------------------------------------------------------------------------------------------------

def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y)  # This gives you the cross-entropy part of the cost

    L2_regularization_cost = (1. / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2))
                                                       + np.sum(np.square(W3)))

    cost = cross_entropy_cost + L2_regularization_cost
    return cost


def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)

    # retrieve parameters
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = np.random.rand(A1.shape[0], A1.shape[1])  # Step 1: initialize matrix D1 = np.random.rand(..., ...)
    D1 = D1 < keep_prob  # Step 2: convert entries of D1 to 0 or 1 (using keep_prob as the threshold)
    A1 = A1 * D1  # Step 3: shut down some neurons of A1
    A1 = A1 / keep_prob  # Step 4: scale the value of neurons that haven't been shut down
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = np.random.rand(A2.shape[0], A2.shape[1])
    D2 = D2 < keep_prob
    A2 = A2 * D2
    A2 = A2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dA2 = dA2 * D2  # Step 1: Apply mask D2 to shut down the same neurons as during the forward propagation
    dA2 = dA2 / keep_prob  # Step 2: Scale the value of neurons that haven't been shut down
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dA1 = dA1 * D1
    dA1 = dA1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}
    return gradients


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1, every_cost=None):
    grads = {}
    costs = []  # to keep track of the cost
    m = X.shape[1]  # number of examples
    layers_dims = [X.shape[0], 20, 3, 1]

    # Initialize parameters dictionary.
    parameters = initialize_parameters(layers_dims)

    # Loop (gradient descent)
    for i in range(0, num_iterations):

        # Forward propagation: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.
        if keep_prob == 1:
            a3, cache = forward_propagation(X, parameters)
        elif keep_prob < 1:
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob)

        # Cost function
        if lambd == 0:
            cost = compute_cost(a3, Y)
        else:
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)
        if every_cost is not None:
            every_cost.append(float(cost))  # not in the notebook: every iteration's cost, for the reference file

        # Backward propagation.
        assert (lambd == 0 or keep_prob == 1)  # it is possible to use both L2 regularization and dropout,
        # but this assignment will only explore one at a time
        if lambd == 0 and keep_prob == 1:
            grads = backward_propagation(X, Y, cache)
        elif lambd != 0:
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
        elif keep_prob < 1:
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)

        # Update parameters.
        parameters = update_parameters(parameters, grads, learning_rate)

        # Print the loss every 10000 iterations
        if print_cost and i % 10000 == 0:
            print("Cost after iteration {}: {}".format(i, cost))
        if print_cost and i % 1000 == 0:
            costs.append(cost)

    return parameters, costs


# The numbers of ../shared/course/course2-reference.md ----------------------------------------------------------------

EXPECTED = {
    "baseline": {"costs": {0: 0.6557412523481002, 10000: 0.16329987525724213, 20000: 0.13851642423245572},
                 "train": 0.9478672985781991, "test": 0.915},
    "l2": {"costs": {0: 0.6974484493131264, 10000: 0.26849188732822393, 20000: 0.2680916337127301},
           "train": 0.9383886255924171, "test": 0.93},
    "dropout": {"costs": {0: 0.6543912405149825, 10000: 0.0610169865749056, 20000: 0.060582435798513114},
                "train": 0.9289099526066351, "test": 0.95},
}

MODELS = {  # name: the notebook's call
    "baseline": {},
    "l2": {"lambd": 0.7},
    "dropout": {"keep_prob": 0.86, "learning_rate": 0.3},
}


def main(arguments):
    train_X, train_Y, test_X, test_Y = load_2D_dataset(find_data(arguments))
    assert train_X.shape == (2, 211) and train_Y.shape == (1, 211)
    assert test_X.shape == (2, 200) and test_Y.shape == (1, 200)

    arrays = {
        # Checksums of the inputs (the data itself is not committed), to check a C# loader reads the same X and Y.
        "train_x_sum": np.array([float(train_X.sum())]), "train_y_sum": np.array([float(train_Y.sum())]),
        "test_x_sum": np.array([float(test_X.sum())]), "test_y_sum": np.array([float(test_Y.sum())]),
        "cost_iterations": np.arange(0, 30000, 1000, dtype=np.float64),
    }
    report = []
    for name, options in MODELS.items():
        started = time.perf_counter()
        initial = initialize_parameters([train_X.shape[0], 20, 3, 1])
        every_cost = []
        print(f"--- {name}: model(train_X, train_Y{''.join(f', {k} = {v}' for k, v in options.items())})")
        parameters, costs = model(train_X, train_Y, every_cost=every_cost, **options)
        print("On the training set:")
        predictions_train = predict(train_X, train_Y, parameters)
        print("On the test set:")
        predictions_test = predict(test_X, test_Y, parameters)
        seconds = time.perf_counter() - started
        train_accuracy = float(np.mean(predictions_train[0, :] == train_Y[0, :]))
        test_accuracy = float(np.mean(predictions_test[0, :] == test_Y[0, :]))
        costs = [float(c) for c in costs]
        assert len(costs) == 30 and costs == every_cost[::1000]
        print(f"Full precision: costs {costs[0]!r} (0), {costs[10]!r} (10000), {costs[20]!r} (20000); "
              f"accuracy train {train_accuracy!r}, test {test_accuracy!r}; {seconds:.1f} s")

        expected = EXPECTED[name]
        for iteration, value in expected["costs"].items():
            relative = abs(costs[iteration // 1000] - value) / value
            assert relative <= 1e-9, f"{name}: cost at {iteration} is {costs[iteration // 1000]!r}, expected {value!r}"
            report.append(f"{name} cost {iteration}: {relative:.1e} relative")
        assert train_accuracy == expected["train"], f"{name}: train accuracy {train_accuracy!r}"
        assert test_accuracy == expected["test"], f"{name}: test accuracy {test_accuracy!r}"

        a3_train, _ = forward_propagation(train_X, parameters)
        a3_test, _ = forward_propagation(test_X, parameters)
        margin = min(np.abs(a3_train - 0.5).min(), np.abs(a3_test - 0.5).min())
        report.append(f"{name} smallest |A3 - 0.5| (train and test): {margin:.3g}")

        for l in (1, 2, 3):
            arrays[f"{name}_W{l}_initial"] = initial[f"W{l}"]
            arrays[f"{name}_b{l}_initial"] = initial[f"b{l}"]
        arrays[f"{name}_costs"] = np.array(costs)
        arrays[f"{name}_costs_first100"] = np.array(every_cost[:100])
        for l in (1, 2, 3):
            arrays[f"{name}_W{l}"] = parameters[f"W{l}"]
            arrays[f"{name}_b{l}"] = parameters[f"b{l}"]
        arrays[f"{name}_final_cost"] = np.array([float(compute_cost_with_regularization(
            a3_train, train_Y, parameters, options["lambd"]) if "lambd" in options else compute_cost(a3_train, train_Y))])
        # Predictions example-major (m, 1), 0/1.
        arrays[f"{name}_train_predictions"] = predictions_train.T
        arrays[f"{name}_test_predictions"] = predictions_test.T
        arrays[f"{name}_train_accuracy"] = np.array([train_accuracy])
        arrays[f"{name}_test_accuracy"] = np.array([test_accuracy])
        if name == "dropout":
            # The notebook's masks (the same in every iteration): np.random.seed(1), then D1 filling (20, m) and D2
            # filling (3, m) row-major from np.random.rand; stored example-major, D[l].T, as 0/1.
            _, cache = forward_propagation_with_dropout(train_X, initial, 0.86)
            arrays["dropout_D1"] = cache[1].T
            arrays["dropout_D2"] = cache[6].T
            np.random.seed(1)
            assert np.array_equal(cache[1], np.random.rand(20, 211) < 0.86)

    arrays = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in arrays.items()}
    write_npz_atomically(os.path.join(HERE, "regularization_course2.npz"), arrays)
    print("Against course2-reference.md: " + "; ".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
