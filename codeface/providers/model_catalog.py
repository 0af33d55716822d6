"""A few coding models worth running inside CodeFace, and which one suits this machine.

Qwen2.5-Coder Instruct in Q4_K_M, in bartowski's GGUF builds on Hugging Face (one file
per model, the chat template included, with its ``<tool_call>`` format). Sizes are those
Hugging Face shows, rounded, for choosing; the download uses the exact size the Hub
reports. No checksum is pinned here: these repositories have been re-uploaded (the 1.5B
file has had two different SHA-256s), so a pinned hash would go stale. Each download is
checked against the SHA-256 the Hub reports for the revision it resolves
(``X-Linked-Etag``), and that hash is recorded in the model registry.
"""

from __future__ import annotations

from dataclasses import dataclass

from codeface.providers.machine import Memory

GB = 1000**3


@dataclass(frozen=True)
class CatalogEntry:
    """One downloadable model."""

    name: str
    title: str
    repo_id: str
    filename: str
    approx_size: int
    """Bytes, as Hugging Face shows the file (rounded); for display and choosing."""
    min_memory: int
    """Memory the machine should have in all for it to run well."""
    revision: str = "main"
    sha256: str | None = None
    """A pinned checksum, when one can be stated; otherwise the Hub's is checked."""

    @property
    def origin(self) -> str:
        """``repo_id/filename``: where it comes from, as recorded in the registry."""
        return f"{self.repo_id}/{self.filename}"


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name="qwen2.5-coder-0.5b",
        title="Qwen2.5-Coder 0.5B Instruct (Q4_K_M)",
        repo_id="bartowski/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        filename="Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf",
        approx_size=398 * 1000**2,
        min_memory=4 * GB,
    ),
    CatalogEntry(
        name="qwen2.5-coder-1.5b",
        title="Qwen2.5-Coder 1.5B Instruct (Q4_K_M)",
        repo_id="bartowski/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        filename="Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf",
        approx_size=986 * 1000**2,
        min_memory=8 * GB,
    ),
    CatalogEntry(
        name="qwen2.5-coder-7b",
        title="Qwen2.5-Coder 7B Instruct (Q4_K_M)",
        repo_id="bartowski/Qwen2.5-Coder-7B-Instruct-GGUF",
        filename="Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf",
        approx_size=4680 * 1000**2,
        min_memory=16 * GB,
    ),
)


def find(name: str) -> CatalogEntry | None:
    """The catalog entry called ``name``."""
    return next((entry for entry in CATALOG if entry.name == name), None)


def fitting(
    memory: Memory | None, catalog: tuple[CatalogEntry, ...] = CATALOG
) -> list[CatalogEntry]:
    """The entries this machine can run well, smallest first (all when memory is unknown)."""
    if memory is None:
        return list(catalog)
    return [entry for entry in catalog if entry.min_memory <= memory.total * 1.05]


CPU_MEMORY_CLASS = 8 * GB
"""On the CPU a 7B model answers at a few tokens a second: recommend at most this class."""


def recommended(
    memory: Memory | None,
    catalog: tuple[CatalogEntry, ...] = CATALOG,
    *,
    on_gpu: bool = False,
) -> CatalogEntry:
    """The largest entry that fits the machine's memory — on the CPU no larger than the
    1.5B class, which still answers quickly there (the smallest when none fits or the
    memory is unknown: a first answer matters more than the best one)."""
    fits = fitting(memory, catalog) if memory is not None else []
    if not on_gpu:
        fits = [entry for entry in fits if entry.min_memory <= CPU_MEMORY_CLASS]
    return max(fits, key=lambda entry: entry.min_memory) if fits else catalog[0]
