"""How much memory and disk this machine has, asked of the OS without extra packages.

Used to refuse a model that cannot fit before llama.cpp tries to load it, to recommend a
catalog model for the machine, and to check disk space before a download. Callers take
these as injectable functions, so tests can state any figure.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    """Physical memory in bytes: all of it, and what can be used without swapping."""

    total: int
    available: int


MemoryProbe = Callable[[], Memory | None]
FreeSpaceProbe = Callable[[Path], int]


def memory() -> Memory | None:
    """This machine's memory, or None when the OS does not say."""
    if sys.platform.startswith("linux"):
        return _linux_memory()
    if sys.platform == "win32":
        return _windows_memory()
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    # macOS compresses and pages memory freely; its "available" is not a hard limit.
    return Memory(total, total)


def _linux_memory() -> Memory | None:
    fields: dict[str, int] = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    fields[name] = int(parts[0]) * 1024
    except OSError:
        return None
    total = fields.get("MemTotal")
    if not total:
        return None
    return Memory(total, fields.get("MemAvailable", fields.get("MemFree", total)))


def _windows_memory() -> Memory | None:  # pragma: no cover - exercised on Windows only
    class Status(ctypes.Structure):
        _fields_ = [
            ("length", ctypes.c_ulong),
            ("load", ctypes.c_ulong),
            ("total", ctypes.c_ulonglong),
            ("available", ctypes.c_ulonglong),
            ("total_page", ctypes.c_ulonglong),
            ("available_page", ctypes.c_ulonglong),
            ("total_virtual", ctypes.c_ulonglong),
            ("available_virtual", ctypes.c_ulonglong),
            ("available_extended", ctypes.c_ulonglong),
        ]

    status = Status()
    status.length = ctypes.sizeof(Status)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return Memory(int(status.total), int(status.available))


def free_space(folder: Path) -> int:
    """Bytes free on the disk holding ``folder`` (its nearest existing parent)."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return shutil.disk_usage(probe).free
