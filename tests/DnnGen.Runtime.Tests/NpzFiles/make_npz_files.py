"""Writes the .npz files the persistence tests load, with NumPy itself.

Run from this folder with Debian's NumPy (apt-get install python3-numpy):  /usr/bin/python3 make_npz_files.py
The tests never run Python: they read the committed output. Rerunning rewrites the files; zip timestamps change, the
arrays do not.

Every file holds the parameters of a [Network(5, 4, 3)]: the course's initialize_parameters_deep([5, 4, 3]) (seed 3,
W[l] = randn(n[l], n[l-1]) * 0.01, drawn W1 then W2), with biases b1 = randn(4, 1) and b2 = randn(3, 1) drawn next from
the same stream so that they are not zero. The C# tests rebuild the same values with NumPyRandom(3).

The checkpoint_*.npz files add an optimizer's training state under the names of course 2's Optimization notebook
(v["dW1"] -> v_dW1, s["dW1"] -> s_dW1, t) and the epoch count: v = randn and s = |randn| drawn after
np.random.seed(4) in the parameters' order (dW1, db1, dW2, db2: v first, then s), rebuilt with NumPyRandom(4).
"""
import io
import zipfile

import numpy as np


def course_parameters():
    np.random.seed(3)
    w1 = np.random.randn(4, 5) * 0.01
    w2 = np.random.randn(3, 4) * 0.01
    b1 = np.random.randn(4, 1)
    b2 = np.random.randn(3, 1)
    return {"W1": w1, "b1": b1, "W2": w2, "b2": b2}


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), version=version, allow_pickle=True)
    return buffer.getvalue()


def write_zip(name, entries):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_STORED) as archive:
        for key, data in entries.items():
            archive.writestr(key + ".npy", data)


p = course_parameters()

# Accepted: what the course's notebook writes with np.savez / np.savez_compressed, and the variants NumPy can produce.
np.savez("course.npz", **p)
np.savez_compressed("course_compressed.npz", **p)
np.savez("course_float32.npz", **{k: v.astype(np.float32) for k, v in p.items()})
np.savez("course_big_endian.npz", **{k: v.astype(">f8") for k, v in p.items()})
np.savez("course_fortran_order.npz", **{k: np.asfortranarray(v) for k, v in p.items()})
write_zip("course_format_2_0.npz", {k: npy_bytes(v, version=(2, 0)) for k, v in p.items()})
write_zip("course_format_3_0.npz", {k: npy_bytes(v, version=(3, 0)) for k, v in p.items()})
np.savez("large_values.npz", **dict(p, W2=p["W2"] * 1e300))

# Rejected.
np.savez("missing_b2.npz", **{k: v for k, v in p.items() if k != "b2"})
np.savez("extra_W3.npz", **dict(p, W3=np.zeros((1, 3))))
np.savez("lowercase_w1.npz", **{("w1" if k == "W1" else k): v for k, v in p.items()})
np.savez("transposed_W1.npz", **dict(p, W1=p["W1"].T))
np.savez("vector_b1.npz", **dict(p, b1=p["b1"].reshape(4)))
np.savez("int64_W2.npz", **dict(p, W2=(p["W2"] * 1000).astype(np.int64)))
np.savez("float16_b1.npz", **dict(p, b1=p["b1"].astype(np.float16)))
np.savez("complex_W1.npz", **dict(p, W1=p["W1"].astype(np.complex128)))
np.savez("object_b2.npz", **dict(p, b2=p["b2"].astype(object)))
w2_nan = p["W2"].copy()
w2_nan[1, 2] = np.nan
np.savez("nan_W2.npz", **dict(p, W2=w2_nan))
np.save("plain_W1.npy", p["W1"])

# Checkpoints (NpzTrainingStateTests): what a Python training loop saves with np.savez to resume from, t and epoch as
# np.savez writes Python ints and np.int64: int64 scalars, shape ().
np.random.seed(4)
v = {"v_d" + k: np.random.randn(*x.shape) for k, x in p.items()}
s = {"s_d" + k: np.abs(np.random.randn(*x.shape)) for k, x in p.items()}
np.savez("checkpoint_gd.npz", **p, t=1000, epoch=1000)
np.savez("checkpoint_momentum.npz", **p, **v, t=20000, epoch=2000)
np.savez("checkpoint_adam.npz", **p, **v, **s, t=np.int64(25000), epoch=np.int64(2000))
# The course's notebooks keep Adam's t as a float; tests/DnnGen.Course.Tests' reference stores it as an array (1,).
np.savez("checkpoint_adam_float_t.npz", **p, **v, **s, t=np.array([25000.0]), epoch=2000.0)
