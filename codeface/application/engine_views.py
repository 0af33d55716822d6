"""The built-in engine's state as the window sees it (plain view data, no llama.cpp types)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeface.application.contract import BuiltinModelView, BuiltinOverview, CatalogModelView

if TYPE_CHECKING:
    from codeface.providers.builtin_engine import Overview


def builtin_overview_view(found: Overview) -> BuiltinOverview:
    """`builtin_engine.Overview` → `BuiltinOverview`."""
    models = tuple(
        BuiltinModelView(
            name=status.model.name,
            path=str(status.model.path),
            size_bytes=status.info.size_bytes if status.info else 0,
            quantization=status.info.quantization if status.info else None,
            context_length=status.info.context_length if status.info else None,
            problem=status.problem.one_line() if status.problem else None,
            downloaded=status.model.source == "downloaded",
        )
        for status in found.models
    )
    catalog = tuple(
        CatalogModelView(
            name=choice.entry.name,
            title=choice.entry.title,
            size_bytes=choice.entry.approx_size,
            fits=choice.fits,
            recommended=choice.recommended,
            downloaded=choice.downloaded,
        )
        for choice in found.catalog
    )
    if not found.installed:
        where = "not installed (pip install 'codeface[local]')"
    elif found.placement is not None:
        where = found.placement.describe()
    else:
        where = "unknown"
    return BuiltinOverview(
        installed=found.installed,
        where=where,
        models=models,
        catalog=catalog,
        importable=tuple(item.name for item in found.importable),
        problem=found.problem.one_line() if found.problem else None,
    )
