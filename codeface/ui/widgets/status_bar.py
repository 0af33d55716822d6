"""The status bar: model and provider in use, local/cloud badge, GPU residency, speed, cost."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

RESIDENCY_TEXT: dict[str, str] = {
    "gpu": "on GPU",
    "partial": "partly on GPU",
    "cpu": "CPU",
    "not_loaded": "not loaded",
    "cloud": "",
}

_BADGE_STYLE = {
    "local": "background:#1a7f37;color:white;border-radius:7px;padding:1px 8px;font-weight:600;",
    "cloud": "background:#8250df;color:white;border-radius:7px;padding:1px 8px;font-weight:600;",
}


class StatusBar(QStatusBar):
    """Permanent labels on the right; transient messages (retrying…) on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.model_label = self._label("No model yet", "Model and provider")
        self.badge = self._label("", "Local or cloud")
        self.residency_label = self._label("", "GPU residency")
        self.speed_label = self._label("", "Speed of the last answer")
        self.cost_label = self._label("", "Cost of this session")
        self.badge.hide()

    def _label(self, text: str, accessible: str) -> QLabel:
        label = QLabel(text)
        label.setAccessibleName(accessible)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    def set_model(self, model: str, provider: str, tier: str | None) -> None:
        """Show the model and provider in use and the local/cloud badge."""
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
        self.residency_label.setVisible(bool(text))

    def set_speed(self, tokens_per_second: float | None) -> None:
        """Tokens/s of the last answer."""
        self.speed_label.setText(f"{tokens_per_second:.1f} tok/s" if tokens_per_second else "")

    def set_cost(self, cost_usd: float | None) -> None:
        """The session's cost so far (hidden when nothing was paid)."""
        if cost_usd:
            self.cost_label.setText(f"${cost_usd:.4f}" if cost_usd < 1 else f"${cost_usd:.2f}")
        else:
            self.cost_label.setText("$0 (local)" if cost_usd == 0 else "")
