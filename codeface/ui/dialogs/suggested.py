"""Suggested coding models sized to this machine (a small table in resources/)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from codeface.core.paths import resource_path

GB = 1024**3


@dataclass(frozen=True)
class SuggestedModel:
    """A model worth pulling, with what it needs."""

    name: str
    size_gb: float
    min_memory_gb: float
    note: str = ""


def load_suggestions() -> list[SuggestedModel]:
    """Every model in ``resources/suggested_models.toml``, in file order."""
    with resource_path("suggested_models.toml").open("rb") as stream:
        document = tomllib.load(stream)
    return [
        SuggestedModel(
            str(row["name"]),
            float(row["size_gb"]),
            float(row["min_memory_gb"]),
            str(row.get("note", "")),
        )
        for row in document.get("model", [])
    ]


def machine_memory() -> tuple[int | None, str]:
    """(bytes, "RAM") from the OS; (None, "") when unknown.

    GPU memory would need ``nvidia-smi`` (a subprocess, not for the GUI thread), so the
    suggestion is sized to RAM; on Apple silicon RAM is the GPU memory anyway.
    """
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None, ""
    if pages <= 0 or page_size <= 0:
        return None, ""
    return pages * page_size, "RAM"


def suggest_for(memory_bytes: int | None) -> list[SuggestedModel]:
    """The models that fit, best first (the table runs from least to most preferred);
    everything, smallest first, when memory is unknown."""
    models = load_suggestions()
    if memory_bytes is None:
        return models
    fitting = [m for m in models if m.min_memory_gb * GB <= memory_bytes]
    return fitting[::-1] or models[:1]
