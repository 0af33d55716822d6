"""The catalog's recommendation by memory, and downloads from a fake Hugging Face Hub
through the real ``huggingface_hub`` client: progress, resume, checksum, disk space,
cancellation."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeface.core.errors import ModelFileError, ModelMissing
from codeface.providers import model_catalog
from codeface.providers.local_models import ModelRegistry
from codeface.providers.machine import Memory
from codeface.providers.model_catalog import CatalogEntry
from codeface.providers.model_download import DownloadProgress, ModelDownloader
from tests.fakes.gguf_builder import gguf_bytes
from tests.fakes.hf_server import FakeHub

GB = 1000**3
CHUNK = 10 * 1024 * 1024  # huggingface_hub's download chunk
DATA = gguf_bytes(tensors={"w": (3_000_000,)}, fill=b"\x01")  # 12 MB: more than one chunk
ENTRY = CatalogEntry("tiny-coder", "Tiny Coder", "me/Tiny-GGUF", "tiny.gguf", len(DATA), 0)


@pytest.mark.parametrize(
    ("total_gb", "expected"),
    [
        (2, "qwen2.5-coder-0.5b"),
        (8, "qwen2.5-coder-1.5b"),
        (7.7, "qwen2.5-coder-1.5b"),
        (64, "qwen2.5-coder-7b"),
    ],
)
def test_the_recommendation_is_the_largest_model_the_memory_holds(
    total_gb: float, expected: str
) -> None:
    memory = Memory(int(total_gb * 1024**3), int(total_gb * 1024**3))
    assert model_catalog.recommended(memory, on_gpu=True).name == expected
    assert model_catalog.recommended(None).name == "qwen2.5-coder-0.5b"


def test_on_the_cpu_the_recommendation_stays_small_enough_to_answer_quickly() -> None:
    plenty = Memory(64 * 1024**3, 64 * 1024**3)
    assert model_catalog.recommended(plenty, on_gpu=False).name == "qwen2.5-coder-1.5b"
    assert model_catalog.recommended(plenty, on_gpu=True).name == "qwen2.5-coder-7b"


def test_catalog_entries_are_single_q4_k_m_files_with_plausible_sizes() -> None:
    for entry in model_catalog.CATALOG:
        assert entry.filename.endswith("-Q4_K_M.gguf")
        assert entry.repo_id.endswith("-GGUF")
        assert 300e6 < entry.approx_size < 5e9
        assert entry.sha256 is None  # checked against the Hub's hash at download time


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as server:
        yield server


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "models.json", tmp_path / "models")


async def _collect(
    downloader: ModelDownloader, entry: CatalogEntry = ENTRY
) -> list[DownloadProgress]:
    return [progress async for progress in downloader.download(entry)]


@pytest.mark.asyncio
async def test_a_download_reports_progress_verifies_and_registers(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA)
    reports = await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert [r.status for r in reports][:2] == ["checking", "downloading"]
    assert reports[-2].status == "verifying"
    done = reports[-1]
    assert done.status == "done"
    assert done.model is not None
    moving = [r for r in reports if r.status == "downloading" and r.completed]
    assert moving, "no progress while downloading"
    assert all(r.total == len(DATA) and r.speed and r.seconds_left is not None for r in moving)
    assert [r.completed for r in moving] == sorted(r.completed for r in moving)
    model = registry.find(ENTRY.name)
    assert model == done.model
    assert model.source == "downloaded"
    assert model.sha256 == hashlib.sha256(DATA).hexdigest()
    assert model.origin == "me/Tiny-GGUF/tiny.gguf"
    assert model.path.read_bytes() == DATA
    assert not list(registry.models_folder.glob("*.part*"))


@pytest.mark.asyncio
async def test_a_cut_off_download_resumes_where_it_stopped(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA, cut_after=CHUNK + 1000)
    reports = await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert reports[-1].status == "done"
    ranges = [request.headers.get("Range") for request in hub.gets()]
    assert ranges == [None, f"bytes={CHUNK}-"]  # the second request asked for the rest only
    model = registry.find(ENTRY.name)
    assert model is not None
    assert model.path.read_bytes() == DATA


@pytest.mark.asyncio
async def test_a_download_interrupted_in_an_earlier_run_resumes(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA)
    folder = registry.models_folder
    folder.mkdir(parents=True)
    (folder / "tiny.gguf.part").write_bytes(DATA[:5000])
    sha = hashlib.sha256(DATA).hexdigest()
    (folder / "tiny.gguf.part.json").write_text(json.dumps({"sha256": sha, "size": len(DATA)}))
    reports = await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert reports[1].status == "downloading"
    assert reports[1].completed == 5000  # starts where the last run stopped
    assert [request.headers.get("Range") for request in hub.gets()] == ["bytes=5000-"]
    model = registry.find(ENTRY.name)
    assert model is not None
    assert model.path.read_bytes() == DATA


@pytest.mark.asyncio
async def test_a_partial_file_of_another_version_is_not_resumed(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA)
    folder = registry.models_folder
    folder.mkdir(parents=True)
    (folder / "tiny.gguf.part").write_bytes(b"old bytes" * 100)
    (folder / "tiny.gguf.part.json").write_text(json.dumps({"sha256": "0" * 64}))
    await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert [request.headers.get("Range") for request in hub.gets()] == [None]
    model = registry.find(ENTRY.name)
    assert model is not None
    assert model.path.read_bytes() == DATA


@pytest.mark.asyncio
async def test_a_bad_checksum_is_refused_and_nothing_is_kept(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA, advertised_sha256="ab" * 32)
    with pytest.raises(ModelFileError) as caught:
        await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert "is damaged: its SHA-256 is" in caught.value.user_message
    assert "codeface models download tiny-coder" in caught.value.hint
    assert registry.registered() == []
    assert list(registry.models_folder.iterdir()) == []


@pytest.mark.asyncio
async def test_not_enough_disk_space_is_refused_before_downloading(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA)
    asked: list[Path] = []

    def free_space(folder: Path) -> int:
        asked.append(folder)
        return 1_000_000

    downloader = ModelDownloader(registry, endpoint=hub.url, free_space=free_space)
    with pytest.raises(ModelFileError) as caught:
        await _collect(downloader)
    assert "Not enough disk space to download tiny-coder" in caught.value.user_message
    assert str(registry.models_folder) in caught.value.user_message
    assert asked == [registry.models_folder]
    assert hub.gets() == []
    assert registry.registered() == []


@pytest.mark.asyncio
async def test_a_model_missing_on_the_hub_says_so(hub: FakeHub, registry: ModelRegistry) -> None:
    with pytest.raises(ModelMissing) as caught:
        await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert "me/Tiny-GGUF/tiny.gguf was not found on Hugging Face" in caught.value.user_message


@pytest.mark.asyncio
async def test_cancelling_a_download_stops_it_and_keeps_the_partial_file(
    hub: FakeHub, registry: ModelRegistry
) -> None:
    hub.host_file(ENTRY.repo_id, ENTRY.filename, DATA, hold_after=CHUNK + 4096)
    downloader = ModelDownloader(registry, endpoint=hub.url)
    seen: list[DownloadProgress] = []

    async def consume() -> None:
        async for progress in downloader.download(ENTRY):
            seen.append(progress)

    task = asyncio.create_task(consume())
    assert await asyncio.to_thread(hub.sending.wait, 30)  # the server is mid-file
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    hub.release()
    assert downloader.last is not None
    await downloader.last.finished.wait()  # the worker noticed at its next chunk
    assert registry.registered() == []
    assert (registry.models_folder / "tiny.gguf.part").exists()
    assert all(progress.status != "done" for progress in seen)
    # and the next run picks up what the stopped one had written
    reports = await _collect(ModelDownloader(registry, endpoint=hub.url))
    assert reports[-1].status == "done"
    resumed_from = reports[1].completed
    assert hub.gets()[-1].headers.get("Range") == (
        f"bytes={resumed_from}-" if resumed_from else None
    )
    model = registry.find(ENTRY.name)
    assert model is not None
    assert model.path.read_bytes() == DATA


def test_removing_a_downloaded_model_deletes_its_file_but_not_a_registered_one(
    registry: ModelRegistry, tmp_path: Path
) -> None:
    downloaded = registry.models_folder / "d.gguf"
    downloaded.parent.mkdir(parents=True)
    downloaded.write_bytes(gguf_bytes())
    own = tmp_path / "mine.gguf"
    own.write_bytes(gguf_bytes())
    registry.add(downloaded, name="d", source="downloaded")
    registry.add(own, name="mine")
    registry.remove("d")
    registry.remove("mine")
    assert not downloaded.exists()
    assert own.exists()
    assert registry.registered() == []
    with pytest.raises(ModelMissing):
        registry.remove("mine")
