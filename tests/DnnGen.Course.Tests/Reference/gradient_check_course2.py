"""The course's second course, week 1, notebook "Gradient Checking", transcribed in NumPy and run as the course runs
it: the 1-D case gradient_check(x = 2, theta = 4) and the N-dimensional case gradient_check_n on
gradient_check_n_test_case(), once with the notebook's backward_propagation_n as given (deliberately wrong: dW2 is
doubled and db1 uses 4 / m instead of 1 / m) and once with those two lines corrected.

Not in the notebook, for DnnGen's GradientCheck with L2: the same case with the Regularization notebook's L2 terms
(cost + (1/m)(lambd/2) sum ||W[l]||^2, dW[l] + (lambd/m) W[l]), lambd = 0.7.

The functions keep the notebook's and gc_utils.py's names, shapes (X (4, 3), Y (3,), W[l] (n[l], n[l-1]),
b[l] (n[l], 1)) and arithmetic, statement for statement. No data files are needed.
Run with Debian's python3 (python3-numpy):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/gradient_check_course2.py
It prints the course's lines, checks them against course2-reference.md and writes gradient_check_course2.npz beside
itself.
"""

import os
import sys

sys.dont_write_bytecode = True

import numpy as np

from npz_io import write_npz_atomically

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


# gc_utils.py --------------------------------------------------------------------------------------------------------

def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s


def dictionary_to_vector(parameters):
    """Roll all our parameters dictionary into a single vector satisfying our specific required shape."""
    keys = []
    count = 0
    for key in ["W1", "b1", "W2", "b2", "W3", "b3"]:
        # flatten parameter
        new_vector = np.reshape(parameters[key], (-1, 1))
        keys = keys + [key] * new_vector.shape[0]

        if count == 0:
            theta = new_vector
        else:
            theta = np.concatenate((theta, new_vector), axis=0)
        count = count + 1

    return theta, keys


def vector_to_dictionary(theta):
    """Unroll all our parameters dictionary from a single vector satisfying our specific required shape."""
    parameters = {}
    parameters["W1"] = theta[:20].reshape((5, 4))
    parameters["b1"] = theta[20:25].reshape((5, 1))
    parameters["W2"] = theta[25:40].reshape((3, 5))
    parameters["b2"] = theta[40:43].reshape((3, 1))
    parameters["W3"] = theta[43:46].reshape((1, 3))
    parameters["b3"] = theta[46:47].reshape((1, 1))

    return parameters


def gradients_to_vector(gradients):
    """Roll all our gradients dictionary into a single vector satisfying our specific required shape."""
    count = 0
    for key in ["dW1", "db1", "dW2", "db2", "dW3", "db3"]:
        # flatten parameter
        new_vector = np.reshape(gradients[key], (-1, 1))

        if count == 0:
            theta = new_vector
        else:
            theta = np.concatenate((theta, new_vector), axis=0)
        count = count + 1

    return theta


# testCases.py -------------------------------------------------------------------------------------------------------

def gradient_check_n_test_case():
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2,
                  "W3": W3,
                  "b3": b3}

    return x, y, parameters


# The notebook: 1-dimensional gradient checking ------------------------------------------------------------------------

def forward_propagation(x, theta):
    J = theta * x
    return J


def backward_propagation(x, theta):
    dtheta = x
    return dtheta


def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    # Compute gradapprox using left side of formula (1). epsilon is small enough, you don't need to worry about the
    # limit.
    theta_plus = theta + epsilon  # Step 1
    theta_minus = theta - epsilon  # Step 2
    J_plus = forward_propagation(x, theta_plus)  # Step 3
    J_minus = forward_propagation(x, theta_minus)  # Step 4
    gradapprox = (J_plus - J_minus) / (2 * epsilon)  # Step 5

    # Check if gradapprox is close enough to the output of backward_propagation()
    grad = backward_propagation(x, theta)

    numerator = np.linalg.norm(grad - gradapprox)  # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)  # Step 2'
    difference = numerator / denominator  # Step 3'

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference)
                  + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference)
                  + "\033[0m")

    return difference


# The notebook: N-dimensional gradient checking ------------------------------------------------------------------------

def forward_propagation_n(X, Y, parameters):
    # retrieve parameters
    m = X.shape[1]
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

    # Cost
    log_probs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / m * np.sum(log_probs)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)

    return cost, cache


def backward_propagation_n(X, Y, cache):
    """The notebook's version as given, with its two deliberate mistakes (dW2 doubled, db1 with 4 / m)."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) * 2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients


def backward_propagation_n_corrected(X, Y, cache, dW2_factor=1., db1_numerator=1.):
    """backward_propagation_n with its mistakes fixed (the defaults) or either one alone put back."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    if dW2_factor != 1.:
        dW2 = dW2 * dW2_factor
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = db1_numerator / m * np.sum(dZ1, axis=1, keepdims=True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,
                 "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
                 "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, cost_function=None, details=None):
    cost_function = cost_function or forward_propagation_n  # not in the notebook: the L2 variant below

    # Set-up variables
    parameters_values, _ = dictionary_to_vector(parameters)

    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    # Compute gradapprox
    for i in range(num_parameters):
        # Compute J_plus[i]. Inputs: "parameters_values, epsilon". Output = "J_plus[i]".
        # "_" is used because the function you have outputs two parameters but we only care about the first one
        theta_plus = np.copy(parameters_values)  # Step 1
        theta_plus[i] = theta_plus[i] + epsilon  # Step 2
        J_plus[i], _ = cost_function(X, Y, vector_to_dictionary(theta_plus))  # Step 3

        # Compute J_minus[i]. Inputs: "parameters_values, epsilon". Output = "J_minus[i]".
        theta_minus = np.copy(parameters_values)  # Step 1
        theta_minus[i] = theta_minus[i] - epsilon  # Step 2
        J_minus[i], _ = cost_function(X, Y, vector_to_dictionary(theta_minus))  # Step 3

        # Compute gradapprox[i]
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)

    # Compare gradapprox to backward propagation gradients by computing difference.
    numerator = np.linalg.norm(grad - gradapprox)  # Step 1'
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)  # Step 2'
    difference = numerator / denominator  # Step 3'

    if print_msg:
        if difference > 2e-7:
            print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference)
                  + "\033[0m")
        else:
            print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference)
                  + "\033[0m")

    if details is not None:
        details["gradapprox"] = gradapprox
        details["grad"] = grad
    return difference


# Not in the notebook: the same case with L2, as the Regularization notebook adds it -----------------------------------

LAMBD = 0.7


def forward_propagation_n_l2(X, Y, parameters):
    cost, cache = forward_propagation_n(X, Y, parameters)
    m = X.shape[1]
    L2_regularization_cost = (1. / m) * (LAMBD / 2) * (np.sum(np.square(parameters["W1"]))
                                                       + np.sum(np.square(parameters["W2"]))
                                                       + np.sum(np.square(parameters["W3"])))
    return cost + L2_regularization_cost, cache


def backward_propagation_n_l2(X, Y, cache):
    m = X.shape[1]
    gradients = backward_propagation_n_corrected(X, Y, cache)
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    gradients["dW1"] = gradients["dW1"] + (LAMBD / m) * W1
    gradients["dW2"] = gradients["dW2"] + (LAMBD / m) * W2
    gradients["dW3"] = gradients["dW3"] + (LAMBD / m) * W3
    return gradients


def as_arrays(prefix, vector):
    """A (47, 1) vector in dictionary_to_vector's order, split into the parameters' shapes."""
    shaped = vector_to_dictionary(vector)
    return {f"{prefix}d{key}": shaped[key] for key in KEYS}


def main():
    arrays = {}

    # 1-D: J(theta) = theta x, x = 2, theta = 4.
    x, theta = 2, 4
    difference_1d = gradient_check(x, theta, print_msg=True)
    print(f"Full precision: {difference_1d!r}")
    assert difference_1d == 2.919335883291695e-10, difference_1d
    arrays["difference_1d"] = np.array([float(difference_1d)])

    # N-dimensional.
    X, Y, parameters = gradient_check_n_test_case()
    cost, cache = forward_propagation_n(X, Y, parameters)
    arrays["X"] = X.T  # example-major (3, 4): the course's x (4, 3) transposed
    arrays["Y"] = Y.reshape(-1, 1).astype(np.float64)  # (3, 1)
    for key in KEYS:
        arrays[key] = parameters[key]
    arrays["cost"] = np.array([float(cost)])
    arrays["A3"] = cache[9].T  # (3, 1)

    results = {}
    variants = [
        # name, backward, cost function, the notebook's verdict (difference > 2e-7 is "a mistake")
        ("buggy", backward_propagation_n, None),
        ("correct", backward_propagation_n_corrected, None),
        ("dW2_doubled", lambda X_, Y_, c: backward_propagation_n_corrected(X_, Y_, c, dW2_factor=2.), None),
        ("db1_times4", lambda X_, Y_, c: backward_propagation_n_corrected(X_, Y_, c, db1_numerator=4.), None),
        ("l2", backward_propagation_n_l2, forward_propagation_n_l2),
    ]
    for name, backward, cost_function in variants:
        _, cache = (cost_function or forward_propagation_n)(X, Y, parameters)
        gradients = backward(X, Y, cache)
        details = {}
        print(f"{name}: ", end="")
        difference = gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=True,
                                      cost_function=cost_function, details=details)
        print(f"    full precision: {difference!r}")
        results[name] = float(difference)
        arrays[f"{name}_difference"] = np.array([float(difference)])
        arrays.update(as_arrays(f"{name}_", details["grad"]))
        arrays[f"{name}_gradapprox"] = details["gradapprox"].reshape(-1)
        if name == "l2":
            arrays["l2_cost"] = np.array([float(forward_propagation_n_l2(X, Y, parameters)[0])])
            arrays["l2_lambd"] = np.array([LAMBD])

    # course2-reference.md: a correct backward about 1.19e-07, below 2e-7; the wrong one about 0.285.
    assert results["correct"] < 2e-7 and abs(results["correct"] - 1.19e-7) < 0.005e-7, results["correct"]
    assert results["buggy"] > 2e-7 and abs(results["buggy"] - 0.285) < 0.0005, results["buggy"]
    assert results["dW2_doubled"] > 2e-7 and results["db1_times4"] > 2e-7 and results["l2"] < 2e-7
    # The gradapprox of the buggy and the corrected runs are the same numbers (they come from the cost only).
    assert np.array_equal(arrays["buggy_gradapprox"], arrays["correct_gradapprox"])

    arrays = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in arrays.items()}
    write_npz_atomically(os.path.join(HERE, "gradient_check_course2.npz"), arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
