"""Read a GGUF model file's header in pure Python, without loading llama.cpp.

A GGUF file is: the magic ``GGUF``, a version, the tensor and metadata counts, the
metadata key/values, the tensor descriptions, then (aligned) the tensor data. Reading the
header tells what the model is (architecture, context length, quantisation, whether it
has a chat template, parameter count) and, from the tensor descriptions, how long the file
must be — so a truncated download, a file that is not GGUF or a corrupt header is refused
with a `ModelFileError` naming the file, before llama.cpp ever sees it.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from codeface.core.errors import ModelFileError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
_MAX_STRING = 64 * 1024 * 1024  # a chat template or a token is never this long
_MAX_COUNT = 1 << 26  # entries in one array or table; vocabularies are ~10^5

# Value types of the metadata (GGUFValueType): struct format of each fixed-size one.
_STRING, _ARRAY = 8, 9
_SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}

# ggml tensor types: (elements per block, bytes per block).
_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 36),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}

# general.file_type (llama_ftype): the quantisation the file was made with.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}

Scalar = int | float | bool | str


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF file's header says about the model in it."""

    path: Path
    version: int
    size_bytes: int
    tensor_count: int
    metadata: dict[str, Scalar] = field(repr=False)
    """Scalar metadata; arrays (the vocabulary…) are left out, their lengths in ``arrays``."""
    arrays: dict[str, int] = field(repr=False)
    parameter_count: int

    @property
    def architecture(self) -> str | None:
        """``general.architecture``, e.g. ``llama`` or ``qwen2``."""
        return _text(self.metadata.get("general.architecture"))

    @property
    def name(self) -> str | None:
        """``general.name``, as the file's author wrote it."""
        return _text(self.metadata.get("general.name"))

    @property
    def context_length(self) -> int | None:
        """The context the model was trained for (``<arch>.context_length``)."""
        return self._arch_int("context_length")

    @property
    def quantization(self) -> str | None:
        """``Q4_K_M``, ``Q4_1``… from ``general.file_type`` (None when unstated)."""
        value = self.metadata.get("general.file_type")
        if isinstance(value, int) and not isinstance(value, bool):
            return FILE_TYPES.get(value, f"type {value}")
        return None

    @property
    def chat_template(self) -> str | None:
        """The Jinja chat template (``tokenizer.chat_template``), if the file has one."""
        return _text(self.metadata.get("tokenizer.chat_template"))

    @property
    def parameter_size(self) -> str:
        """``135M``, ``1.5B``: the parameter count as Ollama shows it."""
        count = self.parameter_count
        if count >= 1_000_000_000:
            return f"{count / 1e9:.1f}B".replace(".0B", "B")
        return f"{round(count / 1e6)}M"

    def kv_cache_bytes(self, context: int) -> int:
        """Memory the attention cache takes for ``context`` tokens (f16 keys and values)."""
        layers = self._arch_int("block_count") or 0
        embedding = self._arch_int("embedding_length") or 0
        heads = self._arch_int("attention.head_count") or 1
        kv_heads = self._arch_int("attention.head_count_kv") or heads
        key = self._arch_int("attention.key_length") or embedding // max(heads, 1)
        value = self._arch_int("attention.value_length") or key
        return layers * context * kv_heads * (key + value) * 2

    def _arch_int(self, key: str) -> int | None:
        value = self.metadata.get(f"{self.architecture}.{key}")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        return None


def _text(value: Scalar | None) -> str | None:
    return value if isinstance(value, str) and value else None


class _Corrupt(Exception):
    """The header is inconsistent or ends early; the message says how."""


class _Reader:
    """Little-endian reads at a moving offset of a memory-mapped file, bounds-checked."""

    def __init__(self, data: mmap.mmap, size: int) -> None:
        self.data = data
        self.size = size
        self.position = 0

    def take(self, count: int) -> bytes:
        end = self.position + count
        if end > self.size:
            raise _Corrupt("the file ends inside its header")
        chunk = self.data[self.position : end]
        self.position = end
        return chunk

    def unpack(self, fmt: str) -> Scalar:
        width = struct.calcsize(fmt)
        if self.position + width > self.size:
            raise _Corrupt("the file ends inside its header")
        value: Scalar = struct.unpack_from(fmt, self.data, self.position)[0]
        self.position += width
        return value

    def count(self, what: str, limit: int = _MAX_COUNT) -> int:
        value = int(self.unpack("<Q"))
        if value > limit:
            raise _Corrupt(f"it claims {value:,} {what}")
        return value

    def string(self) -> str:
        length = self.count("bytes in a string", _MAX_STRING)
        return self.take(length).decode("utf-8", errors="replace")

    def skip_strings(self, count: int) -> None:
        # The vocabulary is ~10^5 strings: walk their lengths without building any.
        data, position, size, unpack_from = self.data, self.position, self.size, struct.unpack_from
        for _ in range(count):
            if position + 8 > size:
                raise _Corrupt("the file ends inside its header")
            position += 8 + unpack_from("<Q", data, position)[0]
        if position > size:
            raise _Corrupt("the file ends inside its header")
        self.position = position

    def array(self) -> int:
        """Skip one array value; returns its length."""
        inner = int(self.unpack("<I"))
        length = self.count("array entries")
        if inner == _STRING:
            self.skip_strings(length)
        elif inner in _SCALARS:
            self.position += length * struct.calcsize(_SCALARS[inner])
            if self.position > self.size:
                raise _Corrupt("the file ends inside its header")
        elif inner == _ARRAY:
            for _ in range(length):
                self.array()
        else:
            raise _Corrupt(f"an array has the unknown value type {inner}")
        return length

    def scalar(self, kind: int) -> Scalar:
        """One metadata value that is not an array."""
        if kind == _STRING:
            return self.string()
        fmt = _SCALARS.get(kind)
        if fmt is None:
            raise _Corrupt(f"a value has the unknown type {kind}")
        return self.unpack(fmt)


_HEADERS: dict[Path, tuple[tuple[int, int], GGUFInfo]] = {}


def read_gguf_cached(path: Path) -> GGUFInfo:
    """`read_gguf`, remembered while the file keeps its size and modification time (a large
    model's vocabulary takes 50-150 ms to walk; listing models should not pay it each time)."""
    try:
        stat = path.stat()
    except OSError:
        return read_gguf(path)  # raises the right ModelFileError
    version = (stat.st_size, stat.st_mtime_ns)
    cached = _HEADERS.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    info = read_gguf(path)
    _HEADERS[path] = (version, info)
    return info


def read_gguf(path: Path) -> GGUFInfo:
    """The header of the GGUF file at ``path``; `ModelFileError` when it cannot be used."""
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size == 0:
                raise _Corrupt("it is empty (0 bytes)")
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _parse(path, data, size)
    except FileNotFoundError as error:
        raise ModelFileError(
            f"The model file {path} does not exist",
            hint="Check the path, or register the model again with `codeface models add`.",
        ) from error
    except IsADirectoryError as error:
        raise ModelFileError(
            f"{path} is a folder, not a model file", hint="Give the path of a .gguf file."
        ) from error
    except OSError as error:
        raise ModelFileError(
            f"The model file {path} cannot be read ({error.strerror or error})",
            hint="Check that it exists and that you may read it.",
        ) from error
    except _Corrupt as error:
        raise ModelFileError(
            f"The model file {path} is damaged: {error}",
            hint="Download it again (an interrupted download leaves a file like this).",
        ) from error


def _parse(path: Path, data: mmap.mmap, size: int) -> GGUFInfo:
    if data[:4] != MAGIC:
        raise ModelFileError(
            f"{path} is not a GGUF model file",
            hint="CodeFace's built-in engine runs .gguf files; convert the model or "
            "download a GGUF build of it (`codeface models download`).",
        )
    reader = _Reader(data, size)
    reader.position = 4
    version = int(reader.unpack("<I"))
    if version not in SUPPORTED_VERSIONS:
        raise ModelFileError(
            f"The model file {path} uses GGUF version {version}, which CodeFace cannot read",
            hint="Download a current GGUF build of the model.",
        )
    tensor_count = reader.count("tensors")
    metadata_count = reader.count("metadata entries")
    metadata: dict[str, Scalar] = {}
    arrays: dict[str, int] = {}
    for _ in range(metadata_count):
        key = reader.string()
        kind = int(reader.unpack("<I"))
        if kind == _ARRAY:
            arrays[key] = reader.array()
        else:
            metadata[key] = reader.scalar(kind)
    parameters, data_length = _tensors(reader, tensor_count)
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0:
        raise _Corrupt(f"its alignment is {alignment!r}")
    data_start = -(-reader.position // alignment) * alignment
    expected = data_start + data_length
    if size < expected:
        raise _Corrupt(
            f"it is {size:,} bytes but its tensors need {expected:,} (truncated, "
            f"{100 * size / expected:.0f}% present)"
        )
    return GGUFInfo(path, version, size, tensor_count, metadata, arrays, parameters)


def _tensors(reader: _Reader, count: int) -> tuple[int, int]:
    """(parameter count, bytes the tensor data needs) from the tensor descriptions."""
    parameters = 0
    end = 0
    for _ in range(count):
        reader.string()
        dimensions = int(reader.unpack("<I"))
        if dimensions > 8:
            raise _Corrupt(f"a tensor has {dimensions} dimensions")
        shape = [int(reader.unpack("<Q")) for _ in range(dimensions)]
        kind = int(reader.unpack("<I"))
        offset = int(reader.unpack("<Q"))
        elements = math.prod(shape)
        parameters += elements
        block = _BLOCKS.get(kind)
        length = -(-elements // block[0]) * block[1] if block else 0
        end = max(end, offset + length)
    return parameters, end
