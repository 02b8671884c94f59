"""The course's second course, week 2, notebook "Optimization Methods", transcribed in NumPy and run as the course
runs it: model(train_X, train_Y, layers_dims = [2, 5, 2, 1], optimizer = "gd" | "momentum" | "adam") on the moons
(learning rate 0.0007, mini-batches of 64, 5000 epochs), each followed by predict; then the learning-rate decay
section's model with decay = schedule_lr_decay (time_interval 1000), here with Adam, learning rate 0.1,
decay_rate 1 and 2000 epochs.

The functions keep the notebook's and opt_utils_v1a.py's names, shapes (X (2, m), Y (1, m), W[l] (n[l], n[l-1]),
b[l] (n[l], 1)) and arithmetic, statement for statement. The data comes from course2_moons.npz (not committed): the
folder given as the first argument, else $DNNGEN_DATA, else ../shared/data beside the repository.
Run with Debian's python3 (python3-numpy):
    /usr/bin/python3 tests/DnnGen.Course.Tests/Reference/optimization_course2.py [DATA_DIR]
It prints the course's lines, checks them against course2-reference.md and writes optimization_course2.npz beside
itself.
"""

import math
import os
import sys
import time

sys.dont_write_bytecode = True

import numpy as np

from npz_io import write_npz_atomically

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATA_FILE = "course2_moons.npz"
CHECKPOINT_EPOCHS = 2000


def find_data(arguments):
    candidates = arguments[1:2] or [os.environ.get("DNNGEN_DATA"), os.path.join(REPOSITORY, "..", "shared", "data")]
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, DATA_FILE)):
            return folder
    raise SystemExit(f"{DATA_FILE} is in none of {candidates}; pass its folder as the first argument")


# opt_utils_v1a.py ---------------------------------------------------------------------------------------------------

def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s


def relu(x):
    s = np.maximum(0, x)
    return s


def load_dataset(folder):
    # The notebook draws sklearn.datasets.make_moons(n_samples=300, noise=.2) after np.random.seed(3) and transposes;
    # the .npz holds the transposed arrays.
    with np.load(os.path.join(folder, DATA_FILE)) as data:
        train_X = data["train_X"]
        train_Y = data["train_Y"]
    return train_X, train_Y


def initialize_parameters(layer_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)  # number of layers in the network

    for l in range(1, L):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))

    return parameters


def compute_cost(a3, Y):
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    cost_total = np.sum(logprobs)

    return cost_total


def forward_propagation(X, parameters):
    # retrieve parameters
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    a3 = sigmoid(z3)

    cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
    return a3, cache


def backward_propagation(X, Y, cache):
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache

    dz3 = 1. / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)

    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)

    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)

    gradients = {"dz3": dz3, "dW3": dW3, "db3": db3,
                 "da2": da2, "dz2": dz2, "dW2": dW2, "db2": db2,
                 "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}
    return gradients


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


# The notebook --------------------------------------------------------------------------------------------------------

def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2  # number of layers in the neural networks

    # Update rule for each parameter
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads['dW' + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads['db' + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)  # To make your "random" minibatches the same as ours
    m = X.shape[1]  # number of training examples
    mini_batches = []

    # Step 1: Shuffle (X, Y)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))

    inc = mini_batch_size

    # Step 2 - Partition (shuffled_X, shuffled_Y).
    # Cases with a complete mini batch size only i.e each of 64 examples.
    num_complete_minibatches = math.floor(m / mini_batch_size)  # number of mini batches of size mini_batch_size
    for k in range(0, num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * inc:(k + 1) * inc]
        mini_batch_Y = shuffled_Y[:, k * inc:(k + 1) * inc]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    # For handling the end case (last mini-batch < mini_batch_size i.e less than 64)
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * inc:]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * inc:]
        mini_batch = (mini_batch_X, mini_batch_Y)
        mini_batches.append(mini_batch)

    return mini_batches


def initialize_velocity(parameters):
    L = len(parameters) // 2  # number of layers in the neural networks
    v = {}

    # Initialize velocity
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)

    return v


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2  # number of layers in the neural networks

    # Momentum update for each parameter
    for l in range(1, L + 1):
        # compute velocities
        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads['dW' + str(l)]
        v["db" + str(l)] = beta * v["db" + str(l)] + (1 - beta) * grads['db' + str(l)]
        # update parameters
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["db" + str(l)]

    return parameters, v


def initialize_adam(parameters):
    L = len(parameters) // 2  # number of layers in the neural networks
    v = {}
    s = {}

    # Initialize v, s. Input: "parameters". Outputs: "v, s".
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
        s["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        s["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)

    return v, s


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2  # number of layers in the neural networks
    v_corrected = {}  # Initializing first moment estimate, python dictionary
    s_corrected = {}  # Initializing second moment estimate, python dictionary

    # Perform Adam update on all parameters
    for l in range(1, L + 1):
        # Moving average of the gradients. Inputs: "v, grads, beta1". Output: "v".
        v["dW" + str(l)] = beta1 * v["dW" + str(l)] + (1 - beta1) * grads['dW' + str(l)]
        v["db" + str(l)] = beta1 * v["db" + str(l)] + (1 - beta1) * grads['db' + str(l)]

        # Compute bias-corrected first moment estimate. Inputs: "v, beta1, t". Output: "v_corrected".
        v_corrected["dW" + str(l)] = v["dW" + str(l)] / (1 - np.power(beta1, t))
        v_corrected["db" + str(l)] = v["db" + str(l)] / (1 - np.power(beta1, t))

        # Moving average of the squared gradients. Inputs: "s, grads, beta2". Output: "s".
        s["dW" + str(l)] = beta2 * s["dW" + str(l)] + (1 - beta2) * np.power(grads['dW' + str(l)], 2)
        s["db" + str(l)] = beta2 * s["db" + str(l)] + (1 - beta2) * np.power(grads['db' + str(l)], 2)

        # Compute bias-corrected second raw moment estimate. Inputs: "s, beta2, t". Output: "s_corrected".
        s_corrected["dW" + str(l)] = s["dW" + str(l)] / (1 - np.power(beta2, t))
        s_corrected["db" + str(l)] = s["db" + str(l)] / (1 - np.power(beta2, t))

        # Update parameters. Inputs: "parameters, learning_rate, v_corrected, s_corrected, epsilon".
        # Output: "parameters".
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v_corrected["dW" + str(l)] / (
            np.sqrt(s_corrected["dW" + str(l)]) + epsilon)
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v_corrected["db" + str(l)] / (
            np.sqrt(s_corrected["db" + str(l)]) + epsilon)

    return parameters, v, s, v_corrected, s_corrected


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))
    return learning_rate


def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
          beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=5000, print_cost=True, decay=None, decay_rate=1,
          every_epoch=None):
    L = len(layers_dims)  # number of layers in the neural networks
    costs = []  # to keep track of the cost
    t = 0  # initializing the counter required for Adam update
    seed = 10  # For grading purposes, so that your "random" minibatches are the same as ours
    m = X.shape[1]  # number of training examples
    lr_rates = []
    learning_rate0 = learning_rate  # the original learning rate

    # Initialize parameters
    parameters = initialize_parameters(layers_dims)

    # Initialize the optimizer
    v, s = None, None
    if optimizer == "gd":
        pass  # no initialization required for gradient descent
    elif optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)

    # Optimization loop
    for i in range(num_epochs):

        # Define the random minibatches. We increment the seed to reshuffle differently the dataset after each epoch
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0
        rate = learning_rate  # not in the notebook: the rate this epoch runs at, for the reference file

        for minibatch in minibatches:

            # Select a minibatch
            (minibatch_X, minibatch_Y) = minibatch

            # Forward propagation
            a3, caches = forward_propagation(minibatch_X, parameters)

            # Compute cost and add to the cost total
            cost_total += compute_cost(a3, minibatch_Y)

            # Backward propagation
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)

            # Update parameters
            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            elif optimizer == "adam":
                t = t + 1  # Adam counter
                parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s,
                                                                     t, learning_rate, beta1, beta2, epsilon)
        cost_avg = cost_total / m
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        # Print the cost every 1000 epoch
        if print_cost and i % 1000 == 0:
            print("Cost after epoch %i: %f" % (i, cost_avg))
            if decay:
                print("learning rate after epoch %i: %f" % (i, learning_rate))
        if print_cost and i % 100 == 0:
            costs.append(cost_avg)
        if every_epoch is not None:
            # not in the notebook: every epoch's cost and rate, and a snapshot of the state after it, for the reference
            every_epoch(i, float(cost_avg), float(rate), parameters, v, s, t)

    return parameters, costs


# The numbers of ../shared/course/course2-reference.md ----------------------------------------------------------------

EXPECTED = {
    "gd": ([0.7024046849828726, 0.66810064295887, 0.6352875703390978, 0.600491198436302, 0.5733672256957693],
           0.7166666666666667),
    "momentum": ([0.7024127305373173, 0.6681667772046954, 0.6353882166761965, 0.6005907762003798,
                  0.5734441760375261], 0.7166666666666667),
    "adam": ([0.7021655222604549, 0.16784505282581158, 0.14131619792956462, 0.1387878350098587,
              0.13606616153974382], 0.9433333333333334),
}

LAYERS_DIMS = [2, 5, 2, 1]


def copy_state(prefix, parameters, v, s, t):
    arrays = {}
    for l in range(1, len(LAYERS_DIMS)):
        arrays[f"{prefix}W{l}"] = parameters[f"W{l}"].copy()
        arrays[f"{prefix}b{l}"] = parameters[f"b{l}"].copy()
    for name, state in (("v", v), ("s", s)):
        if state is not None:
            for l in range(1, len(LAYERS_DIMS)):
                arrays[f"{prefix}{name}_dW{l}"] = state[f"dW{l}"].copy()
                arrays[f"{prefix}{name}_db{l}"] = state[f"db{l}"].copy()
    if s is not None:
        arrays[f"{prefix}t"] = np.array([float(t)])
    return arrays


def run(name, train_X, train_Y, arrays, report, num_epochs, **options):
    started = time.perf_counter()
    initial = initialize_parameters(LAYERS_DIMS)
    every_cost, rates, checkpoint = [], [], {}

    def every_epoch(i, cost, rate, parameters, v, s, t):
        every_cost.append(cost)
        rates.append(rate)
        if i + 1 == CHECKPOINT_EPOCHS and num_epochs > CHECKPOINT_EPOCHS:
            checkpoint.update(copy_state(f"{name}_epoch{CHECKPOINT_EPOCHS}_", parameters, v, s, t))
        if i + 1 == num_epochs:
            checkpoint.update(copy_state(f"{name}_", parameters, v, s, t))

    print(f"--- {name}: model(train_X, train_Y, layers_dims, {', '.join(f'{k} = {v!r}' for k, v in options.items())}"
          f", num_epochs = {num_epochs})")
    parameters, costs = model(train_X, train_Y, LAYERS_DIMS, num_epochs=num_epochs, every_epoch=every_epoch,
                              **options)
    predictions = predict(train_X, train_Y, parameters)
    accuracy = float(np.mean(predictions[0, :] == train_Y[0, :]))
    seconds = time.perf_counter() - started
    assert [float(c) for c in costs] == every_cost[::100]
    a3, _ = forward_propagation(train_X, parameters)
    report.append(f"{name}: {seconds:.1f} s, smallest |A3 - 0.5| {np.abs(a3 - 0.5).min():.3g}")

    for l in range(1, len(LAYERS_DIMS)):
        arrays[f"{name}_W{l}_initial"] = initial[f"W{l}"]
        arrays[f"{name}_b{l}_initial"] = initial[f"b{l}"]
    arrays[f"{name}_costs"] = np.array(every_cost)
    arrays.update(checkpoint)
    arrays[f"{name}_train_predictions"] = predictions.T
    arrays[f"{name}_train_accuracy"] = np.array([accuracy])
    return every_cost, rates, accuracy


def resume(name, train_X, train_Y, arrays, num_epochs=5000, learning_rate=0.0007, mini_batch_size=64, beta=0.9,
           beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Not in the notebook: model's loop from the stored 2000-epoch state (parameters, v, s, t, and the seed
    10 + 2000), to prove the checkpoint holds everything resuming needs; returns the costs and the final state."""
    prefix = f"{name}_epoch{CHECKPOINT_EPOCHS}_"
    layers = range(1, len(LAYERS_DIMS))
    parameters = {f"{k}{l}": arrays[f"{prefix}{k}{l}"].copy() for l in layers for k in ("W", "b")}
    v = {f"d{k}{l}": arrays[f"{prefix}v_d{k}{l}"].copy() for l in layers for k in ("W", "b")} \
        if name != "gd" else None
    s = {f"d{k}{l}": arrays[f"{prefix}s_d{k}{l}"].copy() for l in layers for k in ("W", "b")} \
        if name == "adam" else None
    t = int(arrays[f"{prefix}t"][0]) if name == "adam" else 0
    seed = 10 + CHECKPOINT_EPOCHS
    m = train_X.shape[1]
    costs = []
    for i in range(CHECKPOINT_EPOCHS, num_epochs):
        seed = seed + 1
        cost_total = 0
        for minibatch_X, minibatch_Y in random_mini_batches(train_X, train_Y, mini_batch_size, seed):
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)
            if name == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif name == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, learning_rate)
            else:
                t = t + 1
                parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate,
                                                                     beta1, beta2, epsilon)
        costs.append(float(cost_total / m))
    return costs, copy_state(f"{name}_", parameters, v, s, t)


def main(arguments):
    # random_mini_batches' shuffle, NumPy's legacy permutation, against course2-reference.md's sanity values.
    np.random.seed(0)
    assert list(np.random.permutation(148)[:10]) == [24, 7, 37, 114, 27, 26, 43, 54, 132, 71]
    np.random.seed(0)
    assert list(np.random.permutation(7)) == [6, 2, 1, 3, 0, 5, 4]
    # schedule_lr_decay against its values there.
    assert schedule_lr_decay(0.5, 2, 1, 1) == 0.16666666666666666
    assert schedule_lr_decay(0.5, 100, 0.3, 100) == 0.3846153846153846
    assert schedule_lr_decay(0.5, 10, 0.3, 100) == 0.5

    train_X, train_Y = load_dataset(find_data(arguments))
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    m = train_X.shape[1]

    arrays = {
        # Checksums of the inputs (the data itself is not committed), to check a C# loader reads the same X and Y.
        "train_x_sum": np.array([float(train_X.sum())]), "train_y_sum": np.array([float(train_Y.sum())]),
    }
    # The shuffles of the first and the last epoch (seeds 11 and 5010) and the batches' boundaries.
    np.random.seed(11)
    arrays["permutation_epoch0"] = np.random.permutation(m).astype(np.float64)
    np.random.seed(10 + 5000)
    arrays["permutation_epoch4999"] = np.random.permutation(m).astype(np.float64)
    batches = random_mini_batches(train_X, train_Y, 64, 11)
    assert [b[0].shape[1] for b in batches] == [64, 64, 64, 64, 44]
    assert np.array_equal(batches[4][0], train_X[:, arrays["permutation_epoch0"][256:].astype(np.int64)])

    report = []
    for name in ("gd", "momentum", "adam"):
        costs, _, accuracy = run(name, train_X, train_Y, arrays, report, 5000, optimizer=name)
        expected_costs, expected_accuracy = EXPECTED[name]
        for k, value in enumerate(expected_costs):
            relative = abs(costs[1000 * k] - value) / value
            assert relative <= 1e-9, f"{name}: cost at epoch {1000 * k} is {costs[1000 * k]!r}, expected {value!r}"
            report.append(f"{name} epoch {1000 * k}: {relative:.1e}")
        assert accuracy == expected_accuracy, f"{name}: accuracy {accuracy!r}, expected {expected_accuracy!r}"
        print(f"Full precision: costs {[costs[1000 * k] for k in range(5)]!r}, accuracy {accuracy!r}")
        resumed_costs, resumed = resume(name, train_X, train_Y, arrays)
        assert resumed_costs == costs[CHECKPOINT_EPOCHS:], f"{name}: resumed costs differ"
        assert resumed.keys() == {k for k in arrays if k.startswith(f"{name}_") and not k.startswith(f"{name}_epoch")
                                  and k[len(name) + 1:].split("_")[0] in ("W1", "b1", "W2", "b2", "W3", "b3", "v",
                                                                         "s", "t") and "initial" not in k}
        for key, value in resumed.items():
            assert np.array_equal(value, arrays[key]), f"{key}: resuming from epoch {CHECKPOINT_EPOCHS} differs"
        report.append(f"{name} resumed from epoch {CHECKPOINT_EPOCHS}: bit for bit")

    # The decay section's model (decay = schedule_lr_decay, time_interval 1000), with Adam, lr0 0.1, 2000 epochs.
    costs, rates, accuracy = run("adam_decay", train_X, train_Y, arrays, report, 2000, optimizer="adam",
                                 learning_rate=0.1, decay=schedule_lr_decay, decay_rate=1)
    assert rates[0] == 0.1 and rates[1] == 0.1 and rates[1000] == 0.1 and rates[1001] == 0.05 and rates[1999] == 0.05
    arrays["adam_decay_learning_rates"] = np.array(rates)
    print(f"Full precision: costs {[costs[1000 * k] for k in range(2)]!r} and {costs[-1]!r} (epoch 1999), "
          f"accuracy {accuracy!r}")

    arrays = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in arrays.items()}
    write_npz_atomically(os.path.join(HERE, "optimization_course2.npz"), arrays)
    print("Against course2-reference.md (relative): " + "; ".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
