"""The Memory tab on the fake backend: the project's notes with who wrote them; add,
edit, delete (after asking); an agent's `remember` shows up without a reload."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from codeface.application.contract import NoteView
from codeface.ui.agents import AgentsPanel
from codeface.ui.agents.memory import MemoryPanel
from codeface.ui.bridge import Bridge
from tests.ui.agents_dock_fakes import AgentTurnScript, CallScript, ScriptedAgentBackend
from tests.ui.conftest import wait_until
from tests.ui.fake_project import FAKE_ROOT


@pytest.fixture
def backend() -> ScriptedAgentBackend:
    fake = ScriptedAgentBackend()
    fake.notes = [
        NoteView("n10", "Run tests with `pytest -q`.", "user", "2026-12-01T08:00:00+00:00"),
        NoteView("n11", "The API lives in src/api.", "agent", "2026-12-02T08:00:00+00:00"),
    ]
    return fake


@pytest.fixture
def memory(backend: ScriptedAgentBackend, qapp: object) -> Iterator[MemoryPanel]:
    widget = MemoryPanel(Bridge(backend))
    widget.resize(420, 480)
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


@pytest.mark.asyncio
async def test_notes_show_who_wrote_them(
    memory: MemoryPanel, backend: ScriptedAgentBackend
) -> None:
    assert "Open a project" in memory.heading.text()
    assert not memory.editor.isEnabled()
    memory.set_project(backend.project())
    await wait_until(lambda: memory.list.count() == 2)
    first, second = (memory.list.item(i).text() for i in range(2))
    assert first.startswith("[you · 2026-12-01")
    assert first.endswith("Run tests with `pytest -q`.")
    assert second.startswith("[agent · ")
    assert "src/api" in second
    assert "2 notes" in memory.heading.text()


@pytest.mark.asyncio
async def test_add_edit_and_delete_a_note(
    memory: MemoryPanel, backend: ScriptedAgentBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.set_project(backend.project())
    await wait_until(lambda: memory.list.count() == 2)
    assert not memory.save_button.isEnabled()
    memory.editor.setPlainText("Never touch generated/.")
    memory.save_button.click()
    await wait_until(lambda: memory.list.count() == 3)
    assert backend.notes[-1].text == "Never touch generated/."
    assert memory.editor.toPlainText() == ""

    memory.list.setCurrentRow(0)
    memory.edit_button.click()
    assert memory.editor.toPlainText() == "Run tests with `pytest -q`."
    assert memory.save_button.text() == "&Save"
    memory.editor.setPlainText("Run tests with `pytest -q -x`.")
    memory.save_button.click()
    await wait_until(lambda: backend.notes[0].text.endswith("-x`."))
    await wait_until(lambda: memory.list.item(0).text().endswith("-x`."))
    assert memory.save_button.text() == "&Add note"

    asked: list[str] = []

    def answer(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    memory.list.setCurrentRow(1)
    memory.delete_button.click()
    assert len(backend.notes) == 3  # the user said No
    memory.delete_button.click()
    await wait_until(lambda: memory.list.count() == 2)
    assert [note.id for note in backend.notes] == ["n10", "n1"]
    assert "src/api" in asked[0]


@pytest.mark.asyncio
async def test_an_overlong_note_is_refused_with_a_message(
    memory: MemoryPanel, backend: ScriptedAgentBackend
) -> None:
    memory.set_project(backend.project())
    await wait_until(lambda: memory.list.count() == 2)
    memory.editor.setPlainText("x" * 5000)
    memory.save_button.click()
    await wait_until(lambda: "at most" in memory.problem.text())
    assert len(backend.notes) == 2
    assert memory.editor.toPlainText() == "x" * 5000  # nothing lost


@pytest.mark.asyncio
async def test_a_note_the_agent_remembers_appears_during_the_turn(
    backend: ScriptedAgentBackend, qapp: object
) -> None:
    panel = AgentsPanel(Bridge(backend))
    panel.show()
    panel.set_project(backend.project())
    memory = panel.memory
    panel.tabs.setCurrentWidget(memory)
    await wait_until(lambda: memory.list.count() == 2)
    session_id = backend.add_session("Agent", project=FAKE_ROOT, role="coder")
    panel.set_session(backend.sessions[session_id], [])

    remember = CallScript(
        "remember", {"note": "Use tabs in Makefiles."}, kind="memory", description="remember a note"
    )
    original = backend._call

    async def call_and_store(session_id, turn_id, call, spec, changed):  # type: ignore[no-untyped-def]
        if spec.kind == "memory":
            backend.notes.append(NoteView("n99", "Use tabs in Makefiles.", "agent", "2026-12-06"))
        async for event in original(session_id, turn_id, call, spec, changed):
            yield event

    backend._call = call_and_store  # type: ignore[method-assign]
    backend.agent_scripts.append(AgentTurnScript(steps=[[remember]]))
    panel.bridge.send(session_id, "Remember the Makefile rule")
    await panel.bridge.wait_turn()
    await wait_until(lambda: memory.list.count() == 3)
    assert memory.list.item(2).text().startswith("[agent · ")
    panel.close()
    panel.deleteLater()


@pytest.mark.asyncio
async def test_a_hidden_memory_tab_catches_up_when_shown(
    backend: ScriptedAgentBackend, qapp: object
) -> None:
    panel = AgentsPanel(Bridge(backend))
    panel.show()
    panel.set_project(backend.project())
    memory = panel.memory
    assert panel.tabs.currentWidget() is panel.turn_view
    backend.notes.append(NoteView("n77", "Saved while hidden.", "agent", "2026-12-06"))
    memory.refresh()  # what an agent's `remember` triggers
    assert memory.list.count() == 0  # nothing fetched for a tab nobody looks at
    panel.tabs.setCurrentWidget(memory)
    await wait_until(lambda: memory.list.count() == 3)
    assert memory.list.item(2).text().endswith("Saved while hidden.")
    panel.close()
    panel.deleteLater()
