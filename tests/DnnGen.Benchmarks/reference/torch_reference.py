#!/usr/bin/env python3
"""PyTorch (CPU) side of the comparison: the same network written with torch tensors and autograd, timed on the
same shapes as the BenchmarkDotNet benchmarks. Every row is measured with one intra-op thread and with two
(torch.set_num_threads), and the line gives both and the best: which is faster depends on the machine and the shapes,
so it is measured, not assumed. Reference only: DnnGen never needs Python. Needs Debian's python3-torch."""
import torch

from timing import median_seconds

THREADS = (1, 2)
UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6}


def threads_text(count):
    return f"{count} thread{'s' if count > 1 else ''}"


def report(label, action, repeats, unit="us", per=1):
    """Times action (the median of repeats runs, divided by per when one run does per steps) with each of THREADS
    intra-op threads and prints one line: each figure, then the best and its thread count."""
    figures = {}
    for threads in THREADS:
        torch.set_num_threads(threads)
        figures[threads] = median_seconds(action, repeats) / per * UNITS[unit]
    best = min(figures, key=figures.get)
    each = ", ".join(f"{threads_text(t)} {figures[t]:.2f} {unit}" for t in THREADS)
    print(f"torch  {label}: best {figures[best]:.2f} {unit} ({threads_text(best)}; {each})", flush=True)

LAYERS = [12288, 20, 7, 5, 1]
M = 209
WIDE_EXAMPLES = 1280


def make_parameters(layer_dims, dtype):
    generator = torch.Generator().manual_seed(1)
    parameters = []
    for l in range(1, len(layer_dims)):
        w = (torch.randn(layer_dims[l], layer_dims[l - 1], generator=generator, dtype=dtype) / layer_dims[l - 1] ** 0.5)
        parameters.append(w.requires_grad_())
        parameters.append(torch.zeros(layer_dims[l], 1, dtype=dtype, requires_grad=True))
    return parameters


def forward(X, parameters, hidden=torch.relu, output=torch.sigmoid):
    A = X
    count = len(parameters) // 2
    for l in range(count):
        Z = parameters[2 * l] @ A + parameters[2 * l + 1]
        A = output(Z) if l == count - 1 else hidden(Z)
    return A


def softmax_iteration(X, classes, parameters, learning_rate):
    """Categorical cross-entropy from the logits (log-softmax inside cross_entropy), as DnnGen computes it."""
    ZL = forward(X, parameters, output=lambda z: z)
    cost = torch.nn.functional.cross_entropy(ZL.T, classes)
    cost.backward()
    with torch.no_grad():
        for p in parameters:
            p -= learning_rate * p.grad
            p.grad = None
    return cost.item()


def generic_iteration(X, Y, parameters, learning_rate, hidden, output, loss):
    cost = loss(forward(X, parameters, hidden, output), Y)
    cost.backward()
    with torch.no_grad():
        for p in parameters:
            p -= learning_rate * p.grad
            p.grad = None
    return cost.item()


def kinds(generator):
    """The networks of KindsBenchmarks.cs, on the same shapes: one iteration and one example's forward pass."""
    f64 = torch.float64
    squared_error = lambda a, y: 0.5 * torch.mean(torch.sum((a - y) ** 2, dim=0))
    planar = make_parameters([2, 4, 1], f64)
    X = torch.randn(2, 400, generator=generator, dtype=f64)
    Y = (torch.rand(1, 400, generator=generator) < 0.5).to(f64)
    bce = torch.nn.functional.binary_cross_entropy
    report("(2, 4, 1) tanh iteration, m = 400, float64",
           lambda: generic_iteration(X, Y, planar, 1e-9, torch.tanh, torch.sigmoid, bce), 500)

    digits = make_parameters([64, 32, 10], f64)
    X = 16 * torch.rand(64, 1500, generator=generator, dtype=f64)
    classes = torch.randint(0, 10, (1500,), generator=generator)
    report("(64, 32, 10) softmax iteration, m = 1500, float64",
           lambda: softmax_iteration(X, classes, digits, 1e-9), 200)

    diabetes = make_parameters([10, 16, 1], f64)
    X = torch.randn(10, 353, generator=generator, dtype=f64)
    Y = torch.randn(1, 353, generator=generator, dtype=f64)
    report("(10, 16, 1) linear iteration, m = 353, float64",
           lambda: generic_iteration(X, Y, diabetes, 1e-9, torch.relu, lambda z: z, squared_error), 500)

    with torch.no_grad():
        point = torch.randn(2, 1, generator=generator, dtype=f64)
        report("(2, 4, 1) tanh forward, 1 example, float64", lambda: forward(point, planar, torch.tanh), 20000)
        image = 16 * torch.rand(64, 1, generator=generator, dtype=f64)
        softmax = lambda z: torch.softmax(z, dim=0)
        report("(64, 32, 10) softmax forward, 1 example, float64",
               lambda: forward(image, digits, output=softmax), 20000)
        patient = torch.randn(10, 1, generator=generator, dtype=f64)
        report("(10, 16, 1) linear forward, 1 example, float64",
               lambda: forward(patient, diabetes, output=lambda z: z), 20000)


def epoch(X, Y, parameters, optimizer, batch_size, loss, hidden=torch.relu, output=torch.sigmoid, seed=11):
    """One epoch of course 2's loop with torch.optim: shuffle, then for each mini-batch gather it, forward, loss,
    backward and the optimizer's step (the same work as DnnGen's Train with one epoch)."""
    m = X.shape[1]
    permutation = torch.randperm(m, generator=torch.Generator().manual_seed(seed))
    total = 0.0
    for start in range(0, m, batch_size):
        rows = permutation[start:start + batch_size]
        Xb, Yb = X[:, rows], Y[..., rows]
        optimizer.zero_grad(set_to_none=True)
        cost = loss(forward(Xb, parameters, hidden, output), Yb)
        cost.backward()
        optimizer.step()
        total += cost.item() * rows.numel()
    return total / m


def optimizers(generator):
    """OptimizerBenchmarks.cs's epochs: the moons model with SGD, SGD with momentum (dampening = beta, the course's
    v = beta v + (1 - beta) dW) and Adam, and the digits softmax network with Adam, mini-batches of 64."""
    f64 = torch.float64
    X = torch.randn(2, 300, generator=generator, dtype=f64)
    Y = (torch.rand(1, 300, generator=generator) < 0.5).to(f64)
    bce = torch.nn.functional.binary_cross_entropy
    for name, make in (
            ("gradient descent", lambda p: torch.optim.SGD(p, lr=1e-9)),
            ("momentum", lambda p: torch.optim.SGD(p, lr=1e-9, momentum=0.9, dampening=0.9)),
            ("Adam", lambda p: torch.optim.Adam(p, lr=1e-9, betas=(0.9, 0.999), eps=1e-8))):
        parameters = make_parameters([2, 5, 2, 1], f64)
        optimizer = make(parameters)
        report(f"moons (2, 5, 2, 1) epoch, m = 300, mini-batches of 64, {name}, float64",
               lambda: epoch(X, Y, parameters, optimizer, 64, bce), 300)

    X = 16 * torch.rand(64, 1500, generator=generator, dtype=f64)
    classes = torch.randint(0, 10, (1500,), generator=generator)
    parameters = make_parameters([64, 32, 10], f64)
    optimizer = torch.optim.Adam(parameters, lr=1e-9)
    cross_entropy = lambda z, c: torch.nn.functional.cross_entropy(z.T, c)
    report("digits (64, 32, 10) softmax epoch, m = 1500, mini-batches of 64, Adam, float64",
           lambda: epoch(X, classes, parameters, optimizer, 64, cross_entropy, output=lambda z: z), 100)

    # WideBenchmarks.cs: (784, 256, 256, 10) relu -> softmax, class indices, Adam, mini-batches of 128 on synthetic
    # MNIST-shaped data; an epoch of m = 1280 is ten steps, and the figure is one step (one mini-batch's update).
    for dtype, name in ((f64, "float64"), (torch.float32, "float32")):
        X = torch.rand(784, WIDE_EXAMPLES, generator=generator, dtype=dtype)
        classes = torch.randint(0, 10, (WIDE_EXAMPLES,), generator=generator)
        parameters = make_parameters([784, 256, 256, 10], dtype)
        optimizer = torch.optim.Adam(parameters, lr=1e-9)
        report(f"wide (784, 256, 256, 10) softmax step, mini-batches of 128, Adam, {name}",
               lambda: epoch(X, classes, parameters, optimizer, 128, cross_entropy, output=lambda z: z), 30, unit="ms",
               per=WIDE_EXAMPLES // 128)


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
        report(f"cat iteration, {name}", lambda: iteration(X, Y, parameters, 1e-9), 50, unit="ms")

    with torch.no_grad():
        parameters = make_parameters(LAYERS, torch.float32)
        image = torch.rand(LAYERS[0], 1, generator=generator)
        report("cat forward, 1 example, float32", lambda: forward(image, parameters), 2000)
        planar = make_parameters([2, 4, 1], torch.float64)
        point = torch.tensor([[0.5], [-1.25]], dtype=torch.float64)
        report("(2, 4, 1) forward, 1 example, float64", lambda: forward(point, planar), 20000)

    kinds(generator)
    optimizers(generator)


if __name__ == "__main__":
    print(f"torch {torch.__version__}, {threads_text(torch.get_num_threads())} by default; "
          f"every row with {' and '.join(map(str, THREADS))}")
    main()
