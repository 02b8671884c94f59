"""Writes the NumPy files the data-reader tests (NumPyFileTests.cs) read, with NumPy itself.

Run from this folder with Debian's NumPy (apt-get install python3-numpy):  /usr/bin/python3 make_data_files.py
The tests never run Python: they read the committed output. Rerunning rewrites the files; zip timestamps change, the
arrays do not.

Every array's values are a formula of its C-order index k, so the C# tests can recompute them: floats
(k + 0.25) * (-1)^k, signed integers k * (-1)^k (int8 k - 3), unsigned integers k, bools k % 3 == 0.
"""
import io
import zipfile

import numpy as np


def floats(shape, dtype):
    k = np.arange(int(np.prod(shape)), dtype=np.float64)
    return ((k + 0.25) * (-1.0) ** k).reshape(shape).astype(dtype)


def signed(shape, dtype):
    k = np.arange(int(np.prod(shape)), dtype=np.int64)
    if np.dtype(dtype).itemsize == 1:
        return (k - 3).reshape(shape).astype(dtype)
    return (k * (-1) ** k).reshape(shape).astype(dtype)


def unsigned(shape, dtype):
    return np.arange(int(np.prod(shape)), dtype=np.uint64).reshape(shape).astype(dtype)


def booleans(shape):
    return (np.arange(int(np.prod(shape))) % 3 == 0).reshape(shape)


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), version=version, allow_pickle=True)
    return buffer.getvalue()


def write_zip(name, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(name, "w", compression) as archive:
        for key, data in entries.items():
            archive.writestr(key, data)


# Accepted: every supported dtype, both byte orders, both memory orders, every rank.
types = {
    "f8": floats((2, 3), "<f8"), "f4": floats((2, 3), "<f4"),
    "i1": signed((2, 3), "i1"), "i2": signed((2, 3), "<i2"), "i4": signed((2, 3), "<i4"), "i8": signed((2, 3), "<i8"),
    "u1": unsigned((2, 3), "u1"), "u2": unsigned((2, 3), "<u2"), "u4": unsigned((2, 3), "<u4"), "u8": unsigned((2, 3), "<u8"),
    "b1": booleans((2, 3)),
    "f8_big": floats((2, 3), ">f8"), "f4_big": floats((2, 3), ">f4"), "i8_big": signed((2, 3), ">i8"),
    "i4_big": signed((2, 3), ">i4"), "u2_big": unsigned((2, 3), ">u2"),
    "f8_fortran": np.asfortranarray(floats((2, 3, 4), "<f8")), "i8_fortran": np.asfortranarray(signed((2, 3, 4), "<i8")),
    "b1_fortran": np.asfortranarray(booleans((3, 2))),
    "scalar": floats((), "<f8"), "vector": signed((5,), "<i8"), "empty": floats((0, 3), "<f8"),
}
np.savez("types.npz", **types)
np.savez_compressed("types_compressed.npz", **types)
write_zip("formats.npz", {"v1.npy": npy_bytes(floats((2, 3), "<f8"), (1, 0)),
                          "v2.npy": npy_bytes(floats((2, 3), "<f8"), (2, 0)),
                          "v3.npy": npy_bytes(floats((2, 3), "<f8"), (3, 0))})
np.save("matrix_fortran.npy", np.asfortranarray(floats((3, 4), "<f8")))
np.save("labels.npy", signed((7,), "<i8"))

# Accepted, but out of range for a conversion.
np.savez("conversions.npz", big_i8=np.array([1, 2 ** 40, 3], dtype=np.int64), big_u4=np.array([2 ** 31], dtype=np.uint32),
         half=np.array([1.0, 2.5]), nan=np.array([np.nan]), whole=np.array([[3.0, -7.0], [0.0, 9.0]]),
         huge=np.array([1.0, 1e300]), precise=np.array([2 ** 53 + 1], dtype=np.int64),
         big_u8=np.array([2 ** 63 + 2048], dtype=np.uint64), infinite=np.array([np.inf, -np.inf]))

# Rejected.
np.savez("float16.npz", x=floats((2, 3), "<f2"))
np.savez("complex.npz", x=floats((2, 3), "<f8").astype(np.complex128))
np.savez("strings.npz", x=np.array(["a", "b"]))
write_zip("not_npy_entry.npz", {"x.npy": npy_bytes(floats((2,), "<f8")), "readme.txt": b"hello"})
good = npy_bytes(floats((2, 3), "<f8"))
write_zip("truncated_data.npz", {"x.npy": good[:-8]})
write_zip("extra_data.npz", {"x.npy": good + b"\0" * 8})
write_zip("bad_magic.npz", {"x.npy": b"\x93NUMPX" + good[6:]})
bad_bool = npy_bytes(booleans((2, 3)))
write_zip("bool_byte_2.npz", {"x.npy": bad_bool[:-2] + b"\x02" + bad_bool[-1:]})
# A stored entry with one data byte changed after the CRC was computed: only the checksum can tell.
buffer = io.BytesIO()
write_zip(buffer, {"x.npy": good})
damaged = bytearray(buffer.getvalue())
offset = damaged.index(good[-8:])
damaged[offset] ^= 0x01
open("bad_crc.npz", "wb").write(bytes(damaged))
open("truncated.npy", "wb").write(npy_bytes(floats((3, 4), "<f8"))[:-1])
