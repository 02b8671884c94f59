"""The course's week-4 application notebook "Deep Neural Network for Image Classification: Application", transcribed in
NumPy and run as the course runs it: L_layer_model(train_x, train_y, layers_dims = [12288, 20, 7, 5, 1],
num_iterations = 2500, print_cost = True) on the cat data set, then predict on both sets; the trained parameters are
saved as the notebook's reader would save them, np.savez("cat.npz", **parameters), for
[Network(12288, 20, 7, 5, 1, Weights = "Reference/cat.npz")] to bake in (issue 13).

The functions keep the notebook's (and dnn_app_utils_v3's) names, shapes (X (12288, m), Y (1, m), W[l] (n[l], n[l-1]),
b[l] (n[l], 1)) and arithmetic. The data comes from the course's .h5 files (not committed): the folder given as the
first argument, else $DNNGEN_DATA, else ../shared/data beside the repository. Run with Debian's python3 (python3-numpy,
python3-h5py):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/cat_weights.py [DATA_DIR]
It prints the course's lines, asserts the numbers of ../shared/course/expected-outputs.md (the printed costs at 0, 100
and 2400, train accuracy 0.985645933014, test accuracy 0.8), and only then writes cat.npz beside itself.
"""

import os
import sys

sys.dont_write_bytecode = True

import h5py
import numpy as np

from npz_io import write_npz_atomically

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def find_data(arguments):
    candidates = arguments[1:2] or [os.environ.get("DNNGEN_DATA"), os.path.join(REPOSITORY, "..", "shared", "data")]
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, "train_catvnoncat.h5")):
            return folder
    raise SystemExit(f"train_catvnoncat.h5 is in none of {candidates}; pass its folder as the first argument")


# dnn_app_utils_v3.py -------------------------------------------------------------------------------------------------

def load_data(folder):
    train_dataset = h5py.File(os.path.join(folder, 'train_catvnoncat.h5'), "r")
    train_set_x_orig = np.array(train_dataset["train_set_x"][:])  # your train set features
    train_set_y_orig = np.array(train_dataset["train_set_y"][:])  # your train set labels

    test_dataset = h5py.File(os.path.join(folder, 'test_catvnoncat.h5'), "r")
    test_set_x_orig = np.array(test_dataset["test_set_x"][:])  # your test set features
    test_set_y_orig = np.array(test_dataset["test_set_y"][:])  # your test set labels

    classes = np.array(test_dataset["list_classes"][:])  # the list of classes

    train_set_y_orig = train_set_y_orig.reshape((1, train_set_y_orig.shape[0]))
    test_set_y_orig = test_set_y_orig.reshape((1, test_set_y_orig.shape[0]))

    return train_set_x_orig, train_set_y_orig, test_set_x_orig, test_set_y_orig, classes


def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)  # just converting dz to a correct object.
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def initialize_parameters_deep(layer_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layer_dims)  # number of layers in the network

    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])  # *0.01
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))

    return parameters


def linear_forward(A, W, b):
    Z = W.dot(A) + b
    cache = (A, W, b)
    return Z, cache


def linear_activation_forward(A_prev, W, b, activation):
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2  # number of layers in the neural network

    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters['W' + str(l)], parameters['b' + str(l)], activation="relu")
        caches.append(cache)

    AL, cache = linear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)], activation="sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)  # To make sure your cost's shape is what we expect (e.g. this turns [[17]] into 17).
    return cost


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]

    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache

    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)  # the number of layers
    Y = Y.reshape(AL.shape)  # after this line, Y is the same shape as AL

    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))

    current_cache = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, current_cache, activation="sigmoid")

    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, activation="relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp

    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2  # number of layers in the neural network

    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def predict(X, y, parameters):
    m = X.shape[1]
    p = np.zeros((1, m))

    # Forward propagation
    probas, caches = L_model_forward(X, parameters)

    # convert probas to 0/1 predictions
    for i in range(0, probas.shape[1]):
        if probas[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0

    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p, float(np.sum((p == y) / m))


# The notebook ---------------------------------------------------------------------------------------------------------

def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    costs = []  # keep track of cost

    parameters = initialize_parameters_deep(layers_dims)

    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)

        if print_cost and i % 100 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
        if print_cost and i % 100 == 0:
            costs.append(cost)

    return parameters, costs


def main(arguments):
    train_x_orig, train_y, test_x_orig, test_y, classes = load_data(find_data(arguments))
    train_x_flatten = train_x_orig.reshape(train_x_orig.shape[0], -1).T  # The "-1" makes reshape flatten the remaining dimensions
    test_x_flatten = test_x_orig.reshape(test_x_orig.shape[0], -1).T
    train_x = train_x_flatten / 255.
    test_x = test_x_flatten / 255.
    assert train_x.shape == (12288, 209) and test_x.shape == (12288, 50)

    layers_dims = [12288, 20, 7, 5, 1]  # 4-layer model
    parameters, costs = L_layer_model(train_x, train_y, layers_dims, num_iterations=2500, print_cost=True)
    _, train_accuracy = predict(train_x, train_y, parameters)
    _, test_accuracy = predict(test_x, test_y, parameters)

    # ../shared/course/expected-outputs.md, "Application: the cat classifier".
    for iteration, printed in ((0, "0.771749"), (100, "0.672053"), (2400, "0.092878")):
        assert "%f" % costs[iteration // 100] == printed, (iteration, costs[iteration // 100])
    assert abs(train_accuracy - 0.985645933014) < 1e-12 and round(train_accuracy * 209) == 206, train_accuracy
    assert round(test_accuracy * 50) == 40, test_accuracy

    # What the notebook's reader writes to take the model elsewhere: np.savez("cat.npz", **parameters), the arrays
    # W1, b1, ..., W4, b4 with the course's shapes, float64, C order.
    assert sorted(parameters) == ["W1", "W2", "W3", "W4", "b1", "b2", "b3", "b4"]
    write_npz_atomically(os.path.join(HERE, "cat.npz"), parameters)
    print(f"Wrote cat.npz: {os.path.getsize(os.path.join(HERE, 'cat.npz'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
