"""The pure-Python GGUF header reader: what it reads from a real model, and how it refuses
files llama.cpp must never be handed (truncated, not GGUF, empty, corrupt)."""

from __future__ import annotations

import contextlib
import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codeface.core.errors import ModelFileError
from codeface.providers.gguf import read_gguf
from tests.fakes.gguf_builder import gguf_bytes, smollm_path, write_gguf


def test_reads_what_the_real_smollm_file_says() -> None:
    info = read_gguf(smollm_path())
    assert info.version == 3
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.quantization == "Q4_1"
    assert info.parameter_count == 134_515_008
    assert info.parameter_size == "135M"
    assert info.tensor_count == 272
    assert info.chat_template is not None
    assert "<|im_start|>" in info.chat_template
    assert info.arrays["tokenizer.ggml.tokens"] == 49152
    assert "tokenizer.ggml.tokens" not in info.metadata  # arrays are counted, not kept
    # 30 layers x 3 KV heads x (64 + 64) x 2 bytes per token
    assert info.kv_cache_bytes(8192) == 30 * 8192 * 3 * 128 * 2


def test_metadata_of_every_scalar_type_and_the_parameter_count(tmp_path: Path) -> None:
    path = write_gguf(
        tmp_path / "m.gguf",
        metadata={
            "general.file_type": 15,
            "general.alignment": 64,
            "llama.context_length": 32768,
            "big": 1 << 40,
            "ratio": 0.5,
            "flag": True,
            "tokenizer.chat_template": "{% if tools %}<tool_call>{% endif %}",
            "numbers": [1, 2, 3],
        },
        tensors={"a": (16, 4), "b": (10,)},
    )
    info = read_gguf(path)
    assert info.quantization == "Q4_K_M"
    assert info.context_length == 32768
    assert info.metadata["big"] == 1 << 40
    assert info.metadata["ratio"] == 0.5
    assert info.metadata["flag"] is True
    assert info.arrays["numbers"] == 3
    assert info.parameter_count == 16 * 4 + 10
    assert info.name == "Test model"


def _refusal(path: Path) -> str:
    with pytest.raises(ModelFileError) as caught:
        read_gguf(path)
    error = caught.value
    assert str(path) in error.user_message
    assert error.hint
    return f"{error.user_message} — {error.hint}"


def test_a_truncated_download_is_refused_with_how_much_is_there(tmp_path: Path) -> None:
    copy = tmp_path / "SmolLM2.gguf"
    shutil.copyfile(smollm_path(), copy)
    with copy.open("r+b") as file:
        file.truncate(copy.stat().st_size // 2)
    text = _refusal(copy)
    assert "truncated" in text
    assert "50% present" in text
    assert "Download it again" in text


def test_a_file_cut_inside_its_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.gguf"
    path.write_bytes(smollm_path().read_bytes()[:100_000])  # inside the vocabulary
    assert "ends inside its header" in _refusal(path)


def test_a_file_that_is_not_gguf_says_so(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b'{"__metadata__": {}}' + b"\x00" * 100)
    assert "is not a GGUF model file" in _refusal(path)


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in _refusal(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    assert "does not exist" in _refusal(tmp_path / "gone.gguf")
    assert "is a folder" in _refusal(tmp_path)


def test_an_unknown_gguf_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.gguf"
    path.write_bytes(gguf_bytes(version=99))
    assert "GGUF version 99" in _refusal(path)


def test_absurd_counts_in_a_corrupt_header_are_refused_without_reading_on(
    tmp_path: Path,
) -> None:
    data = bytearray(gguf_bytes())
    data[8:16] = struct.pack("<Q", 1 << 60)  # tensor count
    path = tmp_path / "corrupt.gguf"
    path.write_bytes(bytes(data))
    assert "damaged" in _refusal(path)


@given(cut=st.integers(min_value=1, max_value=len(gguf_bytes()) - 1))
def test_every_truncation_is_a_model_file_error(
    tmp_path_factory: pytest.TempPathFactory, cut: int
) -> None:
    path = tmp_path_factory.mktemp("cut") / "m.gguf"
    path.write_bytes(gguf_bytes()[:cut])
    with pytest.raises(ModelFileError):
        read_gguf(path)


@given(noise=st.binary(min_size=0, max_size=400))
def test_garbage_after_the_magic_never_escapes_as_another_error(
    tmp_path_factory: pytest.TempPathFactory, noise: bytes
) -> None:
    path = tmp_path_factory.mktemp("noise") / "m.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<I", 3) + noise)
    with contextlib.suppress(ModelFileError):
        read_gguf(path)
