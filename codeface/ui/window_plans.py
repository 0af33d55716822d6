"""The window's side of plans: when the open project has plans that stopped midway
(CodeFace quit or was killed while they ran), say so in the status bar and point at the
Agents dock's Plans tab, which offers to resume them. Nothing runs until the user asks.

`install_plans(window, panel)` is called once the Agents dock is built; the Plans tab is
wired when it is built (the first time it is shown, or when the panel finds plans to
resume).
"""

from __future__ import annotations

from typing import Any

STATUS_MS = 15_000


def unfinished_message(count: int) -> str:
    """The status bar's words for ``count`` plans that stopped midway."""
    plans = "plan" if count == 1 else "plans"
    return f"{count} {plans} stopped before finishing — Agents ▸ Plans offers to resume"


def install_plans(window: Any, panel: Any) -> None:
    """Wire the Agents dock's Plans tab (``panel.plans``) to ``window`` once it is built."""
    built = panel.built("plans")
    if built is not None:
        wire_plans(window, panel, built)
    else:
        panel.plans_built.append(lambda plans: wire_plans(window, panel, plans))


def wire_plans(window: Any, panel: Any, plans: Any) -> None:
    """Connect a built Plans tab to the window's status bar and the Agents dock."""

    def on_unfinished(found: list[Any]) -> None:
        if not found:
            return
        window.status.showMessage(unfinished_message(len(found)), STATUS_MS)
        dock = getattr(getattr(window, "docks", None), "docks", {}).get("agents")
        if dock is not None and not dock.isVisible():
            dock.show()
        panel.tabs.setCurrentWidget(plans)

    plans.sig_unfinished.connect(on_unfinished)
    plans.sig_status.connect(lambda text: window.status.showMessage(text, 8000))
