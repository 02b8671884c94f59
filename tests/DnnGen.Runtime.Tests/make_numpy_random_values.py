"""Prints the NumPy legacy RandomState values that NumPyRandomTests.cs holds as literals.

Run from this folder with Debian's NumPy (apt-get install python3-numpy):  /usr/bin/python3 make_numpy_random_values.py
The tests never run Python: the printed values are pasted into the tests. Values were printed by numpy 1.24.2.
Each block re-seeds with np.random.seed(seed), as the course's random_mini_batches and dropout do.
"""
import numpy as np

np.set_printoptions(linewidth=200)


def permutation(seed, n, then_rand=0, then_randn=0):
    np.random.seed(seed)
    p = np.random.permutation(n).tolist()
    after = [repr(float(v)) for v in np.random.rand(then_rand)] if then_rand else []
    normals = [repr(float(v)) for v in np.random.randn(then_randn)] if then_randn else []
    print(f"permutation seed={seed} n={n}: {', '.join(map(str, p))}")
    if n > 10:
        print(f"  weighted sum(i * p[i]): {sum(i * v for i, v in enumerate(p))}")
    if after:
        print(f"  then rand({then_rand}): {', '.join(after)}")
    if normals:
        print(f"  then randn({then_randn}): {', '.join(normals)}")


# The course's sanity values and small sizes, every seed a different stream.
permutation(0, 148)
permutation(0, 7)
permutation(0, 0, then_rand=1)
permutation(0, 1, then_rand=1)
permutation(1, 2, then_rand=1)
permutation(3, 10, then_rand=2)
permutation(42, 5, then_rand=1)
permutation(4294967295, 9, then_rand=1)
# The Optimization notebook's first epoch: seed 11, the moons' m = 300.
permutation(11, 300, then_rand=1)
# Long enough that the draws cross several MT19937 state regenerations (624 outputs each).
np.random.seed(7)
p = np.random.permutation(5000)
print(f"permutation seed=7 n=5000: first {p[:5].tolist()} last {p[-5:].tolist()} "
      f"weighted sum(i * p[i]) {int(np.dot(np.arange(5000, dtype=np.int64), p.astype(np.int64)))}")
print(f"  then rand(1): {float(np.random.rand())!r}")

# shuffle of an existing, non-identity array: the same draws as permutation, applied to its values.
np.random.seed(5)
a = np.array([10, 20, 30, 40, 50, 60], dtype=np.int64)
np.random.shuffle(a)
print(f"shuffle seed=5 [10..60]: {', '.join(map(str, a.tolist()))}")

# The dropout masks: rand(n, m) fills row-major; D1 (3, 4) then D2 (2, 4) from one seed.
np.random.seed(1)
d1 = np.random.rand(3, 4)
d2 = np.random.rand(2, 4)
print("rand seed=1 (3, 4):", ', '.join(repr(float(v)) for v in d1.ravel()))
print("  then (2, 4):", ', '.join(repr(float(v)) for v in d2.ravel()))

# A normal caches its pair's second value; rand after randn does not consume it (legacy has_gauss).
np.random.seed(2)
g = float(np.random.randn())
r = float(np.random.rand())
g2 = float(np.random.randn())
print(f"seed=2 randn {g!r} rand {r!r} randn {g2!r}")
