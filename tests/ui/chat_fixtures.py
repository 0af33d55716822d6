"""Fixtures for chat pane and theme tests: a pane with scripted dialogs, and messages.

Import them explicitly in a test module (``from tests.ui.chat_fixtures import
chat_pane_fixture``); the fixtures are named ``chat_pane`` and ``chat_services``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pytestqt.qtbot import QtBot

from codeface.application.contract import MessageView
from codeface.ui.chat import ChatPane, ChatServices
from codeface.ui.diff.hunks import Hunk
from codeface.ui.theme import Theme, ThemeManager


class ScriptedServices(ChatServices):
    """Dialog answers decided by the test; records what the pane asked.

    ``review`` answers the Apply review: it gets (path, old, new, hunks) and returns the
    text to write, or None to cancel (default: cancel). ``reviews`` records each call.
    """

    def __init__(self) -> None:
        super().__init__(None)
        self.files_to_pick: list[Path] = []
        self.save_to: Path | None = None
        self.apply_to: Path | None = None
        self.folders: list[str] = []
        self.review: Callable[[str, str, str, list[Hunk]], str | None] = lambda *_: None
        self.reviews: list[tuple[str, str, str, list[Hunk]]] = []

    def pick_files(self) -> list[Path]:
        return list(self.files_to_pick)

    def save_path(self, suggested_name: str, folder: str = "") -> Path | None:
        self.folders.append(folder)
        return self.save_to

    def apply_path(self, suggested_name: str, folder: str = "") -> Path | None:
        self.folders.append(folder)
        return self.apply_to

    async def review_change(
        self,
        path: str,
        old: str,
        new: str,
        hunks: list[Hunk],
        *,
        creates: bool = False,
        theme: Theme | None = None,
    ) -> str | None:
        self.reviews.append((path, old, new, hunks))
        return self.review(path, old, new, hunks)


def theme_named(theme_id: str) -> Theme:
    """A bundled theme by id."""
    theme = ThemeManager().find(theme_id)
    assert theme is not None, theme_id
    return theme


def user_message(message_id: str, text: str, **extra: object) -> MessageView:
    """A user message."""
    return MessageView(message_id, "user", text, **extra)  # type: ignore[arg-type]


def answer(message_id: str, text: str, **extra: object) -> MessageView:
    """An assistant message with some stats."""
    values: dict[str, object] = {
        "provider": "ollama",
        "model": "qwen2.5-coder:7b",
        "tier": "local",
        "output_tokens": 42,
        "tokens_per_second": 30.5,
    }
    values.update(extra)
    return MessageView(message_id, "assistant", text, **values)  # type: ignore[arg-type]


def conversation(count: int) -> list[MessageView]:
    """``count`` alternating user/assistant messages."""
    return [
        user_message(f"m{index}", f"Question number {index}?")
        if index % 2 == 0
        else answer(f"m{index}", f"Answer number {index}.\n\nWith a second paragraph.")
        for index in range(count)
    ]


@pytest.fixture(name="chat_services")
def chat_services_fixture() -> ScriptedServices:
    """Scripted dialogs for the pane."""
    return ScriptedServices()


@pytest.fixture(name="chat_pane")
def chat_pane_fixture(qtbot: QtBot, chat_services: ScriptedServices) -> Iterator[ChatPane]:
    """A shown 800×700 ChatPane in the Light theme with scripted dialogs."""
    pane = ChatPane(theme_named("light"), chat_services)
    qtbot.addWidget(pane)
    pane.resize(800, 700)
    pane.show()
    qtbot.waitExposed(pane)
    return pane
