"""The built-in engine from the command line, as a new user meets it: real `codeface`
processes with a fresh CODEFACE_HOME, no Ollama running and no cloud key."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.gguf_builder import gguf_bytes, smollm_path
from tests.fakes.hf_server import FakeHub
from tests.fakes.loopback import unused_port


def codeface(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m codeface ARGS`` with only this test's home and environment."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home / "user"),  # no ~/.ollama of the machine running the tests
        "CODEFACE_HOME": str(home / "codeface"),
        "OLLAMA_HOST": f"127.0.0.1:{unused_port()}",  # nothing listens there
        "PYTHONIOENCODING": "utf-8",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "codeface", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "user").mkdir()
    return tmp_path


def test_local_only_chat_answers_from_the_built_in_engine_with_no_server(home: Path) -> None:
    added = codeface(home, "models", "add", str(smollm_path()), "--name", "smollm2")
    assert added.returncode == 0, added.stderr
    assert "added smollm2" in added.stderr
    answer = codeface(home, "chat", "--policy", "local-only", "Say hello in five words.")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip()
    assert "smollm2" in answer.stderr  # the answer says which model gave it


def test_models_lists_the_built_in_model_with_size_quantisation_and_where_it_runs(
    home: Path,
) -> None:
    assert codeface(home, "models", "add", "smollm2-135m").returncode == 0  # a packaged model
    listed = codeface(home, "models")
    assert listed.returncode == 0, listed.stderr
    section = listed.stdout.split("Built-in engine (local)")[1]
    assert "runs on the" in section
    assert "smollm2-135m" in section
    assert "93.8 MB" in section
    assert "Q4_1" in section
    assert "ctx 8192" in section
    assert "Can be downloaded (codeface models download NAME)" in listed.stdout
    assert "qwen2.5-coder-0.5b" in listed.stdout


def test_doctor_says_where_the_built_in_engine_runs(home: Path) -> None:
    codeface(home, "models", "add", "smollm2-135m")
    report = codeface(home, "doctor")
    assert "built-in engine: runs on the" in report.stdout
    assert "smollm2-135m" in report.stdout
    assert report.returncode == 0  # the built-in engine can answer


def test_adding_a_file_that_is_not_gguf_names_it_and_registers_nothing(home: Path) -> None:
    text = home / "notes.txt"
    text.write_text("hello")
    result = codeface(home, "models", "add", str(text))
    assert result.returncode == 4
    assert f"{text} is not a GGUF model file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / "codeface" / "data" / "models.json").exists()


def test_a_model_file_missing_after_registration_is_named_everywhere(home: Path) -> None:
    copy = home / "copy.gguf"
    shutil.copyfile(smollm_path(), copy)
    assert codeface(home, "models", "add", str(copy), "--name", "mine").returncode == 0
    copy.unlink()
    listed = codeface(home, "models")
    assert f"The model file of mine is missing: {copy}" in listed.stdout
    chat = codeface(home, "chat", "--policy", "pinned", "--model", "mine", "hi")
    assert chat.returncode == 4, chat.stderr
    assert str(copy) in chat.stderr
    assert "Traceback" not in chat.stderr


def test_rm_unregisters_a_file_it_did_not_download_and_keeps_it(home: Path) -> None:
    copy = home / "copy.gguf"
    shutil.copyfile(smollm_path(), copy)
    codeface(home, "models", "add", str(copy), "--name", "mine")
    removed = codeface(home, "rm", "mine")
    assert removed.returncode == 0, removed.stderr
    assert "removed mine" in removed.stderr
    assert copy.exists()
    listed = json.loads((home / "codeface" / "data" / "models.json").read_text())
    assert listed["models"] == []


def test_models_download_fetches_registers_and_rm_deletes_it(home: Path) -> None:
    data = gguf_bytes(tensors={"w": (300_000,)})
    with FakeHub() as hub:
        hub.host_file(
            "bartowski/Qwen2.5-Coder-0.5B-Instruct-GGUF",
            "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf",
            data,
        )
        result = codeface(home, "models", "download", "qwen2.5-coder-0.5b", HF_ENDPOINT=hub.url)
    assert result.returncode == 0, result.stderr
    assert "qwen2.5-coder-0.5b is ready" in result.stderr
    assert "100.0%" in result.stderr
    file = home / "codeface" / "data" / "models" / "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf"
    assert file.read_bytes() == data
    removed = codeface(home, "rm", "qwen2.5-coder-0.5b")
    assert removed.returncode == 0, removed.stderr
    assert not file.exists()


def test_models_download_with_a_name_not_in_the_catalog(home: Path) -> None:
    result = codeface(home, "models", "download", "gpt-99")
    assert result.returncode == 2
    assert "gpt-99 is not in the catalog" in result.stderr
    assert "qwen2.5-coder-1.5b" in result.stderr


def _fake_ollama_store(folder: Path) -> Path:
    """An Ollama models folder holding one model, as `ollama pull` leaves it."""
    data = gguf_bytes()
    digest = hashlib.sha256(data).hexdigest()
    blob = folder / "blobs" / f"sha256-{digest}"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(data)
    manifest = folder / "manifests" / "registry.ollama.ai" / "library" / "tiny" / "latest"
    manifest.parent.mkdir(parents=True)
    layers = [
        {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64},
        {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}"},
    ]
    manifest.write_text(json.dumps({"schemaVersion": 2, "layers": layers}))
    return blob


def test_models_ollama_downloaded_are_offered_and_added_without_copying(home: Path) -> None:
    store = home / "ollama-models"
    blob = _fake_ollama_store(store)
    listed = codeface(home, "models", OLLAMA_MODELS=str(store))
    offers = listed.stdout.split("Can be added to the built-in engine")[1]
    assert "ollama:tiny:latest" in offers
    assert str(blob) in offers
    added = codeface(home, "models", "add", "ollama:tiny", OLLAMA_MODELS=str(store))
    assert added.returncode == 0, added.stderr
    registry = json.loads((home / "codeface" / "data" / "models.json").read_text())
    [entry] = registry["models"]
    assert (entry["name"], entry["source"], entry["path"]) == ("tiny:latest", "ollama", str(blob))
    assert not (home / "codeface" / "data" / "models").exists()  # nothing was copied
    listed = codeface(home, "models", OLLAMA_MODELS=str(store))
    assert "ollama:tiny:latest" not in listed.stdout  # offered no more: it is registered
    removed = codeface(home, "rm", "tiny:latest")
    assert removed.returncode == 0
    assert blob.exists()  # Ollama's file is Ollama's
