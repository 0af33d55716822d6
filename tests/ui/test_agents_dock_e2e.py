"""End to end: the real window and `AppBackend` against the scripted Ollama server, on a
temporary project. An agent session made from the Agents dock reads and fixes a file; the
dock shows its steps as they happen; "Undo this turn" puts the file back byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from codeface.app import build_backend
from codeface.core.settings import Settings
from codeface.ui.agents import AgentsPanel
from codeface.ui.bridge import Bridge
from codeface.ui.main_window import MainWindow
from tests.fakes.ollama_server import OllamaServer
from tests.ui.conftest import wait_until
from tests.ui.local_settings import save_local_only_settings

pytest_plugins = ["tests.fakes.fixtures"]

ORIGINAL = b"def add(a, b):\r\n    return a - b\r\n\r\n# keep this line \xc3\xa9\r\n"
FIX = {"path": "calc.py", "old_text": "return a - b", "new_text": "return a + b"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "calc-project"
    folder.mkdir()
    (folder / "calc.py").write_bytes(ORIGINAL)  # CRLF and UTF-8: undo must keep every byte
    return folder


@pytest.fixture
def configured(ollama_server: OllamaServer) -> Settings:
    """Only the scripted Ollama answers; the agent's commands would run on a pty."""
    return save_local_only_settings(ollama_server.url)


@pytest.mark.usefixtures("close_windows", "configured")
@pytest.mark.asyncio
async def test_an_agent_turn_shows_in_the_dock_and_undo_restores_the_file(
    ollama_server: OllamaServer, project: Path
) -> None:
    window = MainWindow(Bridge(build_backend()), project=str(project))
    window.show()
    await window.start()
    panel = window.agents_panel
    assert isinstance(panel, AgentsPanel)
    window.show_agents()
    await wait_until(lambda: panel.bar.role_combo.findData("coder") >= 0)

    # No session yet: pick a role and start an agent session of the project from the dock.
    panel.bar.role_combo.setCurrentIndex(panel.bar.role_combo.findData("coder"))
    panel.bar.new_session_button.click()
    await wait_until(lambda: panel.session is not None and panel.session.role == "coder")
    session_id = panel.session.id
    assert window.conversation.session_id == session_id
    assert panel.session.project == str(project)  # tmp_path is already resolved
    panel.bar.allow_edits.click()  # edits without an approval card
    backend = window.bridge.backend
    for _attempt in range(200):  # the switch saves in a task of its own
        if (await backend.approval_mode(session_id)).allow_edits:
            break
        await asyncio.sleep(0.01)
    assert (await backend.approval_mode(session_id)).allow_edits

    ollama_server.tool_call("read_file", {"path": "calc.py"}, text="Let me look.")
    ollama_server.tool_call("edit_file", FIX)
    ollama_server.reply_text("Fixed add(): it subtracted.")
    window.chat.sig_send.emit("Fix add()", [])
    view = panel.turn_view
    await wait_until(lambda: view.turn is not None and view.turn.running, 10)
    await window.bridge.wait_turn()
    await wait_until(lambda: view.turn is not None and not view.turn.running)

    steps = view.timeline.step_items()
    assert len(steps) == 3
    read, edit = steps[0].child(0), steps[1].child(0)
    assert "calc.py" in read.text(0)
    assert read.text(1) == "✓ done"
    assert "calc.py" in edit.text(0)
    assert edit.text(1) == "✓ done"
    assert view.turn.status == "done"
    assert "changed calc.py" in view.summary_label.text()
    fixed = (project / "calc.py").read_bytes()
    assert b"return a + b" in fixed
    assert fixed != ORIGINAL

    undo = panel.checkpoints
    panel.tabs.setCurrentWidget(undo)
    await wait_until(lambda: len(undo.rows) == 1)
    row = undo.rows[0]
    assert row.prompt_label.text() == "Fix add()"
    assert "calc.py" in row.details_label.text()
    row.undo_button.click()
    await wait_until(lambda: undo.result.isVisible())
    assert "calc.py" in undo.result.text()
    assert (project / "calc.py").read_bytes() == ORIGINAL
    await wait_until(lambda: undo.rows and undo.rows[0].state_label.text() == "Undone")
    assert not undo.rows[0].undo_button.isEnabled()

    # Reopening the session shows the same turn, rebuilt from what was stored.
    await window.open_session(session_id)
    await wait_until(lambda: view.turn is not None and view.turn.stored)
    assert len(view.timeline.step_items()) == 3
    await window.shutdown()
