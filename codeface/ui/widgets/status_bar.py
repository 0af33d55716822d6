"""The status bar: model and provider in use, local/cloud badge, where the model runs
(GPU residency, or the built-in engine's "on the GPU (CUDA)" / "on the CPU: why"), speed,
cost."""

from __future__ import annotations

import math

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

RESIDENCY_TEXT: dict[str, str] = {
    "gpu": "on GPU",
    "partial": "partly on GPU",
    "cpu": "CPU",
    "not_loaded": "not loaded",
    "cloud": "",
}
WHERE_WIDTH = 420
"""Pixels for "on the CPU: why" before it is elided (the whole line is its tooltip)."""

_BADGE_STYLE = {
    "local": "background:#1a7f37;color:white;border-radius:7px;padding:1px 8px;font-weight:600;",
    "cloud": "background:#8250df;color:white;border-radius:7px;padding:1px 8px;font-weight:600;",
}


class StatusBar(QStatusBar):
    """Permanent labels on the right; transient messages (retrying…) on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.provider = ""
        """The provider of the model shown (``builtin`` for the built-in engine)."""
        self.model_label = self._label("No model yet", "Model and provider")
        self.badge = self._label("", "Local or cloud")
        self.residency_label = self._label("", "GPU residency")
        self.speed_label = self._label("", "Speed of the last answer")
        self.cost_label = self._label("", "Cost of this session")
        self.badge.hide()
        self.speed_label.hide()

    def _label(self, text: str, accessible: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(accessible)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    def set_model(self, model: str, provider: str, tier: str | None) -> None:
        """Show the model and provider in use and the local/cloud badge."""
        self.provider = provider
        self.model_label.setText(f"{model} · {provider}" if provider else model)
        if tier in _BADGE_STYLE:
            self.badge.setText("LOCAL" if tier == "local" else "CLOUD")
            self.badge.setStyleSheet(_BADGE_STYLE[tier])
            self.badge.setToolTip(
                "Runs on this machine or your network"
                if tier == "local"
                else "Sent to a cloud provider"
            )
            self.badge.show()
        else:
            self.badge.hide()

    def set_residency(self, residency: str | None) -> None:
        """GPU residency of the local model in use (empty for cloud models)."""
        text = RESIDENCY_TEXT.get(residency or "", "")
        self.residency_label.setText(text)
        self.residency_label.setToolTip("")
        self.residency_label.setVisible(bool(text))

    def set_where(self, where: str) -> None:
        """Where the built-in engine runs ("on the GPU (CUDA)", "on the CPU: why"), elided
        to fit with the whole line as tooltip; "" hides it."""
        from PySide6.QtCore import Qt  # not before the first paint (its enums cost ~20 ms)

        metrics = QFontMetrics(self.residency_label.font())
        shown = metrics.elidedText(where, Qt.TextElideMode.ElideRight, WHERE_WIDTH)
        self.residency_label.setText(shown)
        self.residency_label.setToolTip(where if shown != where else "")
        self.residency_label.setVisible(bool(where))

    def set_speed(self, tokens_per_second: float | None) -> None:
        """Tokens/s of the last answer; nothing at all when the engine could not measure it
        (None for an answer too short to time)."""
        if tokens_per_second is None or not math.isfinite(tokens_per_second):
            tokens_per_second = 0.0
        self.speed_label.setText(f"{tokens_per_second:.1f} tok/s" if tokens_per_second > 0 else "")
        self.speed_label.setVisible(tokens_per_second > 0)

    def set_cost(self, cost_usd: float | None) -> None:
        """The session's cost so far (hidden when nothing was paid)."""
        if cost_usd:
            self.cost_label.setText(f"${cost_usd:.4f}" if cost_usd < 1 else f"${cost_usd:.2f}")
        else:
            self.cost_label.setText("$0 (local)" if cost_usd == 0 else "")
