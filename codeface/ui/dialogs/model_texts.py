"""What the model manager says about models, as plain text: details, list rows, the
built-in engine's models and catalog, and the question before removing one."""

from __future__ import annotations

import json

from codeface.application.contract import BuiltinModelView, CatalogModelView, ModelInfo
from codeface.ui.dialogs.model_picker import human_size
from codeface.ui.widgets.status_bar import RESIDENCY_TEXT


def format_details(details: dict[str, object]) -> str:
    """Model details as readable lines (context length, capabilities, family, …)."""
    lines = []
    for key, value in details.items():
        if value in (None, "", [], ()):
            continue
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value, indent=1)
        lines.append(f"{label}: {value}")
    return "\n".join(lines) or "No details reported."


def model_item_text(model: ModelInfo) -> str:
    """'qwen2.5-coder:7b  (4.7 GB · Q4_K_M · on GPU)'."""
    extra = " · ".join(
        part
        for part in (
            human_size(model.size_bytes),
            model.quantization or "",
            RESIDENCY_TEXT.get(model.residency, "") if model.tier == "local" else model.provider,
        )
        if part
    )
    return f"{model.name}  ({extra})" if extra else model.name


def short_where(where: str) -> str:
    """'on the CPU: llama.cpp was built without…' → 'on the CPU' (the reason is in the header)."""
    return where.split(":", 1)[0]


def builtin_item_text(model: BuiltinModelView, where: str) -> str:
    """'smollm2  (98 MB · Q4_1 · on the CPU)', or the name and its problem."""
    if model.problem:
        return f"{model.name}  — cannot be used: {model.problem}"
    parts = [human_size(model.size_bytes), model.quantization or "", short_where(where)]
    return f"{model.name}  ({' · '.join(part for part in parts if part)})"


def builtin_details(model: BuiltinModelView, info: ModelInfo | None, where: str) -> str:
    """What is known about a built-in model, its file and what removing it does."""
    lines = [model.name, ""]
    if model.problem:
        lines += [f"Problem: {model.problem}", ""]
    lines.append(f"File: {model.path}")
    if model.size_bytes:
        lines.append(f"Size: {human_size(model.size_bytes)}")
    if model.quantization:
        lines.append(f"Quantization: {model.quantization}")
    if model.context_length:
        lines.append(f"Context length: {model.context_length}")
    if info is not None:
        if info.parameter_size:
            lines.append(f"Parameters: {info.parameter_size}")
        if info.capabilities:
            lines.append(f"Capabilities: {', '.join(info.capabilities)}")
    lines.append(f"Runs {where}")
    lines.append(
        "Downloaded by CodeFace: removing it deletes the file."
        if model.downloaded
        else "Registered where it is: removing it leaves the file on disk."
    )
    return "\n".join(lines)


def remove_question(model: BuiltinModelView) -> str:
    """The confirmation before removing a built-in model: is its file deleted or kept?"""
    if model.downloaded:
        return (
            f"Remove {model.name} and delete its file ({human_size(model.size_bytes)})?\n"
            f"{model.path}\nYou can download it again later."
        )
    return f"Remove {model.name} from CodeFace? Its file stays where it is:\n{model.path}"


def catalog_text(entry: CatalogModelView) -> str:
    """'Qwen2.5-Coder 1.5B Instruct (Q4_K_M) — 986 MB · recommended for this computer'."""
    notes = [human_size(entry.size_bytes)]
    if entry.downloaded:
        notes.append("downloaded")
    elif entry.recommended:
        notes.append("recommended for this computer")
    elif not entry.fits:
        notes.append("too big for this computer's memory")
    return f"{entry.title} — {' · '.join(notes)}"
