"""Writes KernelFiles/optimizer_values.npz, the expected values of OptimizerTests.cs and RegularizationTests.cs.

Run from this folder with Debian's NumPy (apt-get install python3-numpy):  /usr/bin/python3 make_optimizer_values.py
The tests never run Python; they read the .npz. Values were written by numpy 1.24.2 on an AVX-512 machine.

Arrays (float64 unless said; parameters flattened as W1, b1, W2, b2, each row-major, as one DnnGen parameter buffer):
- momentum_*: the course's update_parameters_with_momentum, transcribed, over 4 steps from the same start.
  momentum_params0 (26,), momentum_grads (4, 26), momentum_params / momentum_v (4, 26) after each step,
  momentum_hyper = [learning_rate, beta].
- adam_*: the course's update_parameters_with_adam, transcribed literally (np.power(g, 2), np.power(beta, t)), over the
  steps adam_t (int64), from the same start: adam_grads (6, 26), adam_params / adam_v / adam_s (6, 26),
  adam_hyper = [learning_rate, beta1, beta2, epsilon].
  adam_exact_params / _v / _s: the same update with DnnGen's operations where NumPy's vectorised pow rounds
  differently (g * g for g ** 2, and beta^t correctly rounded, computed with fractions).
- bias_t (int64), bias_correction1 / bias_correction2: 1 - beta^t for beta1 0.9 and beta2 0.999, beta^t correctly
  rounded (fractions) before the subtraction.
- l2_sizes (int64, k x 3: n, rows, seed) and l2_sums: np.sum(np.square(W)) of W = np.random.randn(rows, n // rows)
  after np.random.seed(seed); the test draws the same W with NumPyRandom.
- dropout_*: np.random.seed(1); D1 = np.random.rand(3, 5) < keep; D2 = np.random.rand(2, 5) < keep (the course's
  (n[l], m) shapes); dropout_keep = [keep]; dropout_A1 (3, 5) and the course's A1 * D1 / keep as dropout_A1_out;
  dropout_dA1 and dA1 * D1 / keep as dropout_dA1_out.
"""
from fractions import Fraction

import numpy as np

LAYERS = [(5, 3), (1, 5)]  # (n[l], n[l-1]) of W1 and W2


def initial_parameters(rng):
    parameters = {}
    for l, (rows, cols) in enumerate(LAYERS, start=1):
        parameters["W" + str(l)] = rng.randn(rows, cols)
        parameters["b" + str(l)] = rng.randn(rows, 1) * 0.1
    return parameters


def random_grads(rng, scale):
    grads = {}
    for l, (rows, cols) in enumerate(LAYERS, start=1):
        grads["dW" + str(l)] = rng.randn(rows, cols) * scale
        grads["db" + str(l)] = rng.randn(rows, 1) * scale
    return grads


def flat(d, prefix):
    return np.concatenate([d[prefix + k + str(l)].ravel() for l in range(1, len(LAYERS) + 1) for k in ("W", "b")])


def zeros_like_parameters(parameters):
    return {d + k + str(l): np.zeros(parameters[k + str(l)].shape)
            for l in range(1, len(LAYERS) + 1) for k in ("W", "b") for d in ("d",)}


# The course's update_parameters_with_momentum, transcribed (Optimization notebook).
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        v["dW" + str(l + 1)] = beta * v["dW" + str(l + 1)] + (1 - beta) * grads["dW" + str(l + 1)]
        v["db" + str(l + 1)] = beta * v["db" + str(l + 1)] + (1 - beta) * grads["db" + str(l + 1)]
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * v["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * v["db" + str(l + 1)]
    return parameters, v


def correct_power(beta, t):
    return float(Fraction(beta) ** t)


# The course's update_parameters_with_adam, transcribed; exact=True replaces NumPy's vectorised pow by g * g and a
# correctly rounded beta^t, DnnGen's operations.
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, exact=False):
    L = len(parameters) // 2
    v_corrected = {}
    s_corrected = {}
    for l in range(L):
        for k in ("W", "b"):
            key = "d" + k + str(l + 1)
            g = grads[key]
            v[key] = beta1 * v[key] + (1 - beta1) * g
            v_corrected[key] = v[key] / (1 - (correct_power(beta1, t) if exact else np.power(beta1, t)))
            s[key] = beta2 * s[key] + (1 - beta2) * (g * g if exact else np.power(g, 2))
            s_corrected[key] = s[key] / (1 - (correct_power(beta2, t) if exact else np.power(beta2, t)))
            parameters[k + str(l + 1)] = parameters[k + str(l + 1)] - learning_rate * v_corrected[key] / (np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s


out = {}

rng = np.random.RandomState(12)
start = initial_parameters(rng)
momentum_grads = [random_grads(rng, 0.5) for _ in range(4)]
lr, beta = 0.07, 0.9
parameters = {k: a.copy() for k, a in start.items()}
v = zeros_like_parameters(start)
ps, vs = [], []
for grads in momentum_grads:
    parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, lr)
    ps.append(flat(parameters, ""))
    vs.append(flat(v, "d"))
out["momentum_params0"] = flat(start, "")
out["momentum_grads"] = np.array([flat(g, "d") for g in momentum_grads])
out["momentum_params"] = np.array(ps)
out["momentum_v"] = np.array(vs)
out["momentum_hyper"] = np.array([lr, beta])

adam_t = [1, 2, 3, 10, 1000, 25000]
adam_grads = [random_grads(rng, 0.3) for _ in adam_t]
lr, beta1, beta2, epsilon = 0.01, 0.9, 0.999, 1e-8
for exact in (False, True):
    parameters = {k: a.copy() for k, a in start.items()}
    v = zeros_like_parameters(start)
    s = zeros_like_parameters(start)
    ps, vs, ss = [], [], []
    for t, grads in zip(adam_t, adam_grads):
        parameters, v, s = update_parameters_with_adam(parameters, grads, v, s, t, lr, beta1, beta2, epsilon, exact)
        ps.append(flat(parameters, ""))
        vs.append(flat(v, "d"))
        ss.append(flat(s, "d"))
    prefix = "adam_exact_" if exact else "adam_"
    out[prefix + "params"] = np.array(ps)
    out[prefix + "v"] = np.array(vs)
    out[prefix + "s"] = np.array(ss)
out["adam_t"] = np.array(adam_t, dtype=np.int64)
out["adam_grads"] = np.array([flat(g, "d") for g in adam_grads])
out["adam_hyper"] = np.array([lr, beta1, beta2, epsilon])

bias_t = list(range(1, 40)) + [100, 999, 1000, 4321, 25000, 100000]
out["bias_t"] = np.array(bias_t, dtype=np.int64)
out["bias_correction1"] = np.array([1 - correct_power(0.9, t) for t in bias_t])
out["bias_correction2"] = np.array([1 - correct_power(0.999, t) for t in bias_t])

# np.sum(np.square(W)): NumPy's pairwise summation over the contiguous array, whatever its shape.
sizes = [(1, 1, 0), (7, 1, 1), (8, 1, 2), (9, 1, 3), (15, 3, 4), (100, 20, 5), (128, 1, 6), (129, 3, 7),
         (1000, 10, 8), (4097, 17, 9), (245760, 20, 10)]
sums = []
for n, rows, seed in sizes:
    np.random.seed(seed)
    w = np.random.randn(rows, n // rows)
    sums.append(np.sum(np.square(w)))
out["l2_sizes"] = np.array(sizes, dtype=np.int64)
out["l2_sums"] = np.array(sums)

keep = 0.6
np.random.seed(1)
d1 = np.random.rand(3, 5) < keep
d2 = np.random.rand(2, 5) < keep
a1 = np.random.RandomState(3).rand(3, 5) * 2.7
da1 = np.random.RandomState(4).randn(3, 5)
out["dropout_keep"] = np.array([keep])
out["dropout_D1"] = d1.astype(np.float64)
out["dropout_D2"] = d2.astype(np.float64)
out["dropout_A1"] = a1
out["dropout_A1_out"] = a1 * d1 / keep
out["dropout_dA1"] = da1
out["dropout_dA1_out"] = da1 * d1 / keep

np.savez("KernelFiles/optimizer_values.npz", **out)
print("wrote KernelFiles/optimizer_values.npz:", ", ".join(f"{k} {v.shape}" for k, v in out.items()))
print("adam literal vs exact, max relative difference of the parameters:",
      float(np.max(np.abs(out["adam_params"] - out["adam_exact_params"]) / np.abs(out["adam_exact_params"]))))
