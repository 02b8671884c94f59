"""The course's week-2 notebook "Logistic Regression with a Neural Network mindset", transcribed in NumPy and run as
the course runs it: model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations = 2000,
learning_rate = 0.005, print_cost = True) on the cat data set.

The functions keep the notebook's names, shapes (X (12288, m), Y (1, m), w (12288, 1), b a scalar) and arithmetic.
The data comes from the course's .h5 files (not committed): $DNNGEN_DATA, else ../shared/data beside the repository,
else the folder given as the first argument. Run with Debian's python3 (python3-numpy, python3-h5py):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/logistic_regression_week2.py [DATA_DIR]
It prints the course's lines and writes logistic_regression_week2.npz beside itself.
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


# lr_utils.py --------------------------------------------------------------------------------------------------------

def load_dataset(folder):
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


# The notebook --------------------------------------------------------------------------------------------------------

def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.
    return w, b


def propagate(w, b, X, Y):
    m = X.shape[1]

    # FORWARD PROPAGATION (FROM X TO COST)
    A = sigmoid(np.dot(w.T, X) + b)  # compute activation
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))  # compute cost

    # BACKWARD PROPAGATION (TO FIND GRAD)
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)

    cost = np.squeeze(np.array(cost))
    grads = {"dw": dw, "db": db}
    return grads, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []

    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)

        dw = grads["dw"]
        db = grads["db"]

        w = w - learning_rate * dw
        b = b - learning_rate * db

        # Record the costs
        if i % 100 == 0:
            costs.append(cost)

            # Print the cost every 100 training iterations
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))

    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs


def predict(w, b, X):
    m = X.shape[1]
    Y_prediction = np.zeros((1, m))
    w = w.reshape(X.shape[0], 1)

    A = sigmoid(np.dot(w.T, X) + b)

    for i in range(A.shape[1]):
        if A[0, i] > 0.5:
            Y_prediction[0, i] = 1
        else:
            Y_prediction[0, i] = 0

    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])

    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)

    w = params["w"]
    b = params["b"]

    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)

    train_accuracy = 100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100
    test_accuracy = 100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100
    if print_cost:
        print("train accuracy: {} %".format(train_accuracy))
        print("test accuracy: {} %".format(test_accuracy))

    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train": Y_prediction_train,
         "w": w,
         "b": b,
         "learning_rate": learning_rate,
         "num_iterations": num_iterations,
         "train_accuracy": train_accuracy,
         "test_accuracy": test_accuracy}
    return d


def main(arguments):
    train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset(find_data(arguments))
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
    train_set_x = train_set_x_flatten / 255.
    test_set_x = test_set_x_flatten / 255.
    assert train_set_x.shape == (12288, 209) and test_set_x.shape == (12288, 50)

    d = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations=2000, learning_rate=0.005,
              print_cost=True)
    costs = [float(c) for c in d["costs"]]
    print(f"Full precision: costs {costs!r}, train accuracy {float(d['train_accuracy'])!r}, "
          f"test accuracy {float(d['test_accuracy'])!r}, b {float(d['b'])!r}")

    # Stored in DnnGen's shapes for [Network(12288, 1, Initialization = Initialization.Zeros)]: W1 (1, 12288) is the
    # course's w.T, b1 (1, 1) its b; predictions example-major (m, 1).
    arrays = {
        "cost_iterations": np.arange(0, 2000, 100, dtype=np.float64),
        "costs": np.array(costs, dtype=np.float64),
        "W1": np.ascontiguousarray(d["w"].T, dtype=np.float64),
        "b1": np.array([[float(d["b"])]], dtype=np.float64),
        "train_predictions": np.ascontiguousarray(d["Y_prediction_train"].T, dtype=np.float64),
        "test_predictions": np.ascontiguousarray(d["Y_prediction_test"].T, dtype=np.float64),
        "train_accuracy_percent": np.array([float(d["train_accuracy"])]),
        "test_accuracy_percent": np.array([float(d["test_accuracy"])]),
        # Checksums of the inputs as the course builds them (the data itself is not committed).
        "train_x_sum": np.array([float(train_set_x.sum())]),
        "test_x_sum": np.array([float(test_set_x.sum())]),
    }
    write_npz_atomically(os.path.join(HERE, "logistic_regression_week2.npz"), arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
