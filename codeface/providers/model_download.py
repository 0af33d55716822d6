"""Download a catalog model from Hugging Face: disk space checked first, progress with
speed and time left, resumable, checksum verified, cancellable.

``huggingface_hub`` (imported in the worker thread) asks the Hub for the file's size,
SHA-256 and location (``get_hf_file_metadata``) and fetches it (``http_get``, which
retries a dropped connection from where it stopped). The bytes go to ``<file>.part`` in
CodeFace's models folder, beside a note of the SHA-256 they belong to, so a download that
was cancelled, cut off or killed resumes at its next start instead of beginning again
(``hf_hub_download`` deletes its partial file when interrupted). The finished file is
hashed, checked against the Hub's SHA-256, moved into place, its GGUF header read, and it
is registered as ``downloaded``.

Cancelling the task that iterates `download_model` (or closing the iterator) ends it at
once; the worker stops at its next chunk and keeps the ``.part`` file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from codeface.core.errors import (
    AuthenticationFailed,
    CodefaceError,
    ModelFileError,
    ModelMissing,
    ProviderUnavailable,
    ServerError,
    StreamInterrupted,
)
from codeface.providers import machine
from codeface.providers.local_models import LocalModel, ModelRegistry
from codeface.providers.model_catalog import CatalogEntry
from codeface.providers.thread_stream import ThreadStream

Status = Literal["checking", "downloading", "verifying", "done"]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HASH_BLOCK = 4 * 1024 * 1024
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download stands; ``speed`` in bytes per second, ``seconds_left`` estimated."""

    name: str
    status: Status
    completed: int = 0
    total: int | None = None
    speed: float | None = None
    seconds_left: float | None = None
    model: LocalModel | None = None
    """The registered model, on the final ``done`` report."""


class _Stopped(Exception):
    """Raised inside the download loop when the reader went away."""


class ModelDownloader:
    """Downloads catalog entries into a registry's models folder."""

    def __init__(
        self,
        registry: ModelRegistry,
        *,
        endpoint: str | None = None,
        free_space: machine.FreeSpaceProbe = machine.free_space,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        self._free_space = free_space
        self._clock = clock
        self.last: ThreadStream | None = None
        """The last download's worker (its `finished` event is set once the thread ends)."""

    def destination(self, entry: CatalogEntry) -> Path:
        """Where the finished file goes."""
        return self.registry.models_folder / entry.filename

    async def download(self, entry: CatalogEntry) -> AsyncIterator[DownloadProgress]:
        """Progress reports, ending with ``done`` (and the registered model)."""
        stream = ThreadStream(partial(self._run, entry), name=f"codeface-download-{entry.name}")
        self.last = stream
        items = stream.items()
        try:
            async for item in items:
                yield item
        except CodefaceError:
            raise
        except Exception as error:
            raise self._failure(error, entry) from error
        finally:
            await items.aclose()

    # ------------------------------------------------------------ the worker thread
    def _run(
        self, entry: CatalogEntry, emit: Callable[[DownloadProgress], None], stop: threading.Event
    ) -> None:
        from huggingface_hub import get_hf_file_metadata, hf_hub_url
        from huggingface_hub.file_download import http_get
        from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]  # lazy

        _quiet_hub_logging()
        emit(DownloadProgress(entry.name, "checking"))
        url = hf_hub_url(
            entry.repo_id, entry.filename, revision=entry.revision, endpoint=self.endpoint
        )
        metadata = get_hf_file_metadata(url, endpoint=self.endpoint)
        size = metadata.size
        expected = entry.sha256 or (metadata.etag or "").lower()
        if not _SHA256.match(expected) or size is None:
            raise ModelFileError(
                f"Hugging Face reported no size or SHA-256 for {entry.origin}",
                hint="CodeFace runs only downloads it can verify; try again later.",
            )
        final = self.destination(entry)
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        part, note = (
            final.with_name(final.name + ".part"),
            final.with_name(final.name + ".part.json"),
        )
        resume = _resumable(part, note, expected)
        note.write_text(json.dumps({"sha256": expected, "size": size}), encoding="utf-8")
        self._check_space(entry, final.parent, size - resume)
        meter = _Meter(entry.name, size, resume, emit, stop, self._clock)
        meter.report()
        with part.open("ab") as file:
            http_get(
                metadata.location,
                file,
                resume_size=resume,
                headers=build_hf_headers(),
                expected_size=size,
                tqdm_class=partial(_MeterBar, meter),  # type: ignore[arg-type]
            )
        emit(DownloadProgress(entry.name, "verifying", size, size))
        actual = _sha256(part, stop)
        if actual != expected:
            part.unlink(missing_ok=True)
            note.unlink(missing_ok=True)
            raise ModelFileError(
                f"The download of {entry.name} is damaged: its SHA-256 is {actual[:12]}…, "
                f"Hugging Face says {expected[:12]}… ({final})",
                hint=f"Download it again with `codeface models download {entry.name}`.",
            )
        os.replace(part, final)
        note.unlink(missing_ok=True)
        model, _ = self.registry.add(
            final, name=entry.name, source="downloaded", sha256=expected, origin=entry.origin
        )
        emit(DownloadProgress(entry.name, "done", size, size, model=model))

    def _check_space(self, entry: CatalogEntry, folder: Path, needed: int) -> None:
        free = self._free_space(folder)
        if free < needed:
            gib = 1024**3
            raise ModelFileError(
                f"Not enough disk space to download {entry.name}: it needs "
                f"{needed / gib:.2f} GB more, and {folder} has {free / gib:.2f} GB free",
                hint="Free some space, or choose a smaller model.",
            )

    def _failure(self, error: BaseException, entry: CatalogEntry) -> CodefaceError:
        host = urlsplit(self.endpoint).netloc or self.endpoint
        name = type(error).__name__
        if name in ("RepositoryNotFoundError", "RevisionNotFoundError") or "EntryNotFound" in name:
            return ModelMissing(
                f"{entry.origin} was not found on Hugging Face ({host})",
                hint="The catalog may be out of date; register a file you have with "
                "`codeface models add`.",
            )
        if name == "GatedRepoError":
            return AuthenticationFailed(
                f"{entry.repo_id} on Hugging Face needs you to accept its licence first",
                hint="Accept it on huggingface.co and log in with `hf auth login`.",
            )
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return ModelFileError(
                f"The disk filled up while downloading {entry.name}",
                hint="Free some space and run the download again: it resumes.",
            )
        if name in ("ConnectError", "ConnectTimeout", "OfflineModeIsEnabled"):
            return ProviderUnavailable(
                f"Cannot reach Hugging Face at {host}",
                hint="Check the internet connection (or HF_ENDPOINT) and try again.",
            )
        if name == "HfHubHTTPError" or name.endswith("HTTPError"):
            return ServerError(f"Hugging Face ({host}) refused the download: {error}")
        return StreamInterrupted(
            f"The download of {entry.name} from {host} was cut off ({name})",
            retryable=True,
            hint="Run the same command again: it resumes where it stopped.",
        )


def _quiet_hub_logging() -> None:
    """huggingface_hub prints its warnings ("Trying to resume download…") straight to stderr,
    over the progress bar; without its own handler they still reach CodeFace's log file."""
    hub = logging.getLogger("huggingface_hub")
    for handler in list(hub.handlers):
        if type(handler) is logging.StreamHandler:
            hub.removeHandler(handler)


def _resumable(part: Path, note: Path, expected: str) -> int:
    """Bytes of an earlier partial download of the same file (0 after starting afresh)."""
    try:
        recorded = json.loads(note.read_text(encoding="utf-8")).get("sha256")
        size = part.stat().st_size
    except (OSError, ValueError, AttributeError):
        part.unlink(missing_ok=True)
        return 0
    if recorded != expected:
        part.unlink(missing_ok=True)
        return 0
    return size


def _sha256(path: Path, stop: threading.Event) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_HASH_BLOCK):
            if stop.is_set():
                raise _Stopped
            digest.update(block)
    return digest.hexdigest()


class _Meter:
    """Bytes so far, speed and time left, reported as `DownloadProgress`; raises `_Stopped`
    once the reader has gone, so the download stops at its next chunk."""

    def __init__(
        self,
        name: str,
        total: int,
        resumed: int,
        emit: Callable[[DownloadProgress], None],
        stop: threading.Event,
        clock: Callable[[], float],
    ) -> None:
        self.progress = DownloadProgress(name, "downloading", resumed, total)
        self._resumed = resumed
        self._emit = emit
        self._stop = stop
        self._clock = clock
        self._started = clock()

    def add(self, count: int) -> None:
        if self._stop.is_set():
            raise _Stopped
        completed = self.progress.completed + count
        elapsed = self._clock() - self._started
        speed = (completed - self._resumed) / elapsed if elapsed > 0 else None
        total = self.progress.total or completed
        left = (total - completed) / speed if speed else None
        self.progress = replace(self.progress, completed=completed, speed=speed, seconds_left=left)
        self.report()

    def report(self) -> None:
        self._emit(self.progress)


class _MeterBar:
    """The part of tqdm's interface ``http_get`` uses, feeding a `_Meter`."""

    def __init__(self, meter: _Meter, **_options: Any) -> None:
        self._meter = meter

    def __enter__(self) -> _MeterBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, count: int) -> None:
        self._meter.add(count)

    def close(self) -> None:
        return None
