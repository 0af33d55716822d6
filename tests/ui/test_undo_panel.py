"""The Undo tab on the fake backend: each turn's checkpoint, "Undo this turn", what it
restored, a turn already undone, and "Show diff"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codeface.application.contract import TurnCheckpointView, UndoView
from codeface.core.errors import WorkspaceError
from codeface.ui.agents.checkpoints import CheckpointList
from codeface.ui.bridge import Bridge
from tests.ui.agents_dock_fakes import ScriptedAgentBackend
from tests.ui.conftest import wait_until

DIFF = "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-print('hi')\n+print('hello')\n"


class UndoBackend(ScriptedAgentBackend):
    """Undo marks the checkpoint undone and reports with lines, like the real backend."""

    def __init__(self) -> None:
        super().__init__()
        self.diffs: dict[str, str] = {}

    async def undo_turn(self, session_id: str, turn_id: str) -> UndoView:
        report = await super().undo_turn(session_id, turn_id)
        rows = self.checkpoints[session_id]
        self.checkpoints[session_id] = [
            TurnCheckpointView(c.turn_id, c.prompt, c.created_at, c.paths, True)
            if c.turn_id == turn_id
            else c
            for c in rows
        ]
        return report

    async def turn_diff(self, session_id: str, turn_id: str) -> str:
        return self.diffs.get(turn_id, "")


@pytest.fixture
def backend() -> UndoBackend:
    fake = UndoBackend()
    session = fake.add_session("Agent", project="/work/demo", role="coder")
    fake.checkpoints[session] = [
        TurnCheckpointView("t1", "Rename greet", "2026-12-05T09:00:00+00:00", ("a.py",), True),
        TurnCheckpointView(
            "t2", "Fix the greeting", "2026-12-06T10:00:00+00:00", ("src/app.py", "README.md")
        ),
    ]
    fake.diffs["t2"] = DIFF
    return fake


@pytest.fixture
def undo_list(backend: UndoBackend, qapp: object) -> Iterator[CheckpointList]:
    widget = CheckpointList(Bridge(backend))
    widget.resize(480, 500)
    widget.show()
    yield widget
    for dialog in widget.dialogs:
        dialog.close()
    widget.close()
    widget.deleteLater()


@pytest.mark.asyncio
async def test_turns_are_listed_newest_first_and_an_undone_one_says_so(
    undo_list: CheckpointList, backend: UndoBackend
) -> None:
    undo_list.set_session(next(iter(backend.sessions)))
    await wait_until(lambda: len(undo_list.rows) == 2)
    newest, oldest = undo_list.rows
    assert newest.prompt_label.text() == "Fix the greeting"
    assert "2 files: src/app.py, README.md" in newest.details_label.text()
    assert newest.undo_button.isEnabled()
    assert oldest.state_label.text() == "Undone"
    assert not oldest.undo_button.isEnabled()
    assert "undone already" in oldest.undo_button.toolTip()


@pytest.mark.asyncio
async def test_undo_restores_shows_what_it_did_and_refreshes(
    undo_list: CheckpointList, backend: UndoBackend
) -> None:
    undo_list.set_session(next(iter(backend.sessions)))
    await wait_until(lambda: len(undo_list.rows) == 2)
    restored: list[object] = []
    undo_list.sig_undone.connect(restored.append)
    undo_list.rows[0].undo_button.click()
    await wait_until(lambda: undo_list.result.isVisible())
    assert backend.undone == ["t2"]
    assert undo_list.result.text().splitlines() == ["restored src/app.py", "restored README.md"]
    assert restored
    assert restored[0].restored == ("src/app.py", "README.md")
    await wait_until(lambda: undo_list.rows and not undo_list.rows[0].undo_button.isEnabled())
    assert undo_list.rows[0].state_label.text() == "Undone"


@pytest.mark.asyncio
async def test_a_failed_undo_is_a_line_and_the_row_stays_usable(
    undo_list: CheckpointList, backend: UndoBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(session_id: str, turn_id: str) -> UndoView:
        raise WorkspaceError("The checkpoint of this turn is gone")

    monkeypatch.setattr(backend, "undo_turn", refuse)
    undo_list.set_session(next(iter(backend.sessions)))
    await wait_until(lambda: len(undo_list.rows) == 2)
    undo_list.rows[0].undo_button.click()
    await wait_until(lambda: undo_list.result.isVisible())
    assert undo_list.result.text().startswith("Undo failed: The checkpoint of this turn is gone")
    assert undo_list.rows[0].undo_button.isEnabled()


@pytest.mark.asyncio
async def test_show_diff_opens_the_diff_read_only(
    undo_list: CheckpointList, backend: UndoBackend
) -> None:
    undo_list.set_session(next(iter(backend.sessions)))
    await wait_until(lambda: len(undo_list.rows) == 2)
    undo_list.rows[0].diff_button.click()
    await wait_until(lambda: bool(undo_list.dialogs))
    dialog = undo_list.dialogs[-1]
    assert "Fix the greeting" in dialog.windowTitle()
    # One tab per file in the shared, read-only diff view, then the raw text to copy.
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "src/app.py",
        "Raw diff",
    ]
    view = dialog.file_views[0]
    assert view.path == "src/app.py"
    assert not view.interactive
    assert len(view.hunks) == 1
    assert view.hunks[0].added == 1
    assert dialog.text.isReadOnly()
    assert dialog.text.toPlainText() == DIFF
    undo_list.rows[1].diff_button.click()
    await wait_until(lambda: len(undo_list.dialogs) == 2)
    empty = undo_list.dialogs[-1]
    assert empty.file_views == []
    assert "No difference" in empty.text.toPlainText()


@pytest.mark.asyncio
async def test_without_a_session_or_checkpoints_it_explains(
    undo_list: CheckpointList, backend: UndoBackend
) -> None:
    assert "Open a session" in undo_list.heading.text()
    empty = backend.add_session("Fresh agent", project="/work/demo", role="coder")
    undo_list.set_session(empty)
    await wait_until(lambda: "No agent turn" in undo_list.heading.text())
    assert undo_list.rows == []
