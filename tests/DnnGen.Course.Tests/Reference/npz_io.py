"""Atomic writers shared by the reference scripts: every file appears complete or not at all, and every .npz entry
is a C-order little-endian float64 array (np.save would write Fortran order for a transposed view, which DnnGen's
reader accepts but a reader of the raw bytes would misread)."""

import os
import tempfile

import numpy as np


def _replace(temporary, path):
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def write_npz_atomically(path, arrays):
    """np.savez (uncompressed, as DnnGen's own SaveNpz) of float64 C-contiguous arrays, checked by reading back."""
    for name, value in arrays.items():
        if value.dtype != np.float64 or not value.flags["C_CONTIGUOUS"]:
            raise ValueError(f"{name}: expected a C-contiguous float64 array, got {value.dtype}")
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            np.savez(stream, **arrays)
        _replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    with np.load(path) as data:
        for name, value in arrays.items():
            if data[name].dtype != np.float64 or not np.array_equal(data[name], value):
                raise AssertionError(f"{path}: {name} does not read back as written")


def write_text_atomically(path, text):
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        _replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
