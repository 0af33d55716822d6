"""View data of the built-in engine: its models, where it runs, and what can be downloaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinModelView:
    """A model registered with the built-in engine (``problem`` when it cannot be used)."""

    name: str
    path: str
    size_bytes: int
    quantization: str | None = None
    context_length: int | None = None
    problem: str | None = None
    downloaded: bool = False


@dataclass(frozen=True)
class CatalogModelView:
    """A recommended model that can be downloaded, sized for this machine or not."""

    name: str
    title: str
    size_bytes: int
    fits: bool
    recommended: bool
    downloaded: bool


@dataclass(frozen=True)
class BuiltinOverview:
    """The built-in engine at a glance: installed or not, where it runs and why."""

    installed: bool
    where: str
    models: tuple[BuiltinModelView, ...] = ()
    catalog: tuple[CatalogModelView, ...] = ()
    importable: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class DownloadProgress:
    """A model download: bytes so far and, once known, total, speed and time left."""

    name: str
    status: str
    completed: int = 0
    total: int | None = None
    bytes_per_second: float | None = None
    seconds_left: float | None = None
    done: bool = False
