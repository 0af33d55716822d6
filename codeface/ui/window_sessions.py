"""Session handling of the main window: open, create, search, rename, pin, archive, delete.

A mixin of `MainWindow` (kept apart to keep each module short); it talks to the engine
only through ``self.bridge``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMainWindow

from codeface.core.errors import CodefaceError
from codeface.ui.bridge import bridge_task

UNTITLED = "New chat"
"""The title the backend gives a session until its first prompt names it."""

if TYPE_CHECKING:
    import asyncio

    from codeface.application.contract import MessageView, ProjectView, SessionView
    from codeface.ui.bridge import Bridge
    from codeface.ui.conversation import Conversation
    from codeface.ui.widgets.sessions_sidebar import SessionsSidebar
    from codeface.ui.widgets.status_bar import StatusBar

    _WindowBase = QMainWindow
else:
    _WindowBase = object


class SessionActions(_WindowBase):
    """What the sidebar and the session actions ask for."""

    bridge: Bridge
    sessions: dict[str, SessionView]
    sidebar: SessionsSidebar
    conversation: Conversation
    status: StatusBar
    chat: Any
    model_in_use: str
    trashed: list[str]
    project: ProjectView | None

    def project_key(self) -> str | None:
        """The open project's key, for new sessions (None when no project is open)."""
        return self.project.key if self.project is not None else None

    if TYPE_CHECKING:  # provided by MainWindow and ModelActions

        def show_chat(self) -> None: ...
        def _session_model(self) -> str: ...
        def _show_residency(self) -> None: ...
        @property
        def sig_session_opened(self) -> Any: ...
        @property
        def ready(self) -> asyncio.Event: ...

    # ------------------------------------------------------------------ sessions
    async def open_session(self, session_id: str, message_id: str = "", query: str = "") -> None:
        """Show a session's active branch (scrolled to ``message_id`` with ``query`` marked)."""
        if self.bridge.streaming:
            self.bridge.stop()
            await self.bridge.wait_turn()
        branch = await self.bridge.backend.load_branch(session_id)
        prepare = getattr(self.chat, "prepare_to_show", None)
        if prepare is not None:  # colouring its code must not stall the first paint
            await prepare(branch)
        self.show_chat()
        self.conversation.show_branch(session_id, branch, scroll_to=message_id, highlight=query)
        self.sidebar.set_current(session_id)
        self.model_in_use = ""
        session = self.sessions.get(session_id)
        model = self._session_model()
        self.status.set_model(model or "Default model", "", None)
        if session is not None:
            self.setWindowTitle(f"{session.title} — CodeFace")
        self._show_residency()
        self.sig_session_opened.emit(session_id)

    async def reload_sessions(self) -> None:
        """Fetch the sessions again (titles, pins, order)."""
        sessions = await self.bridge.backend.list_sessions()
        self.sessions = {s.id: s for s in sessions}
        self.sidebar.set_sessions(sessions)

    @bridge_task
    async def on_message_saved(self, message: MessageView) -> None:
        """The first prompt of an untitled session names it: show that title now, not at
        the end of the turn (one session's row changes, the list is not rebuilt)."""
        session_id = self.conversation.session_id  # turns run in the open session
        known = self.sessions.get(session_id) if session_id else None
        if message.role != "user" or known is None or known.title != UNTITLED:
            return
        fresh = next(
            (s for s in await self.bridge.backend.list_sessions() if s.id == known.id), None
        )
        if fresh is None or fresh.title == known.title:
            return
        self.sessions[fresh.id] = fresh
        self.sidebar.update_session(fresh)
        if self.conversation.session_id == fresh.id:  # still open after the await
            self.setWindowTitle(f"{fresh.title} — CodeFace")

    async def _guard(self, work: Any) -> None:
        """Await ``work``; expected failures become a notice, unexpected ones are reported."""
        try:
            await work
        except CodefaceError as error:
            self.chat.show_notice("error", error.one_line(), [])
        except Exception as error:
            from codeface.ui.errors_dialog import report_unexpected

            report_unexpected(error)

    @bridge_task
    async def on_new_session(self) -> None:
        """Create a session and open it (Ctrl+N)."""

        async def work() -> None:
            await self.ready.wait()
            session = await self.bridge.backend.create_session(project=self.project_key())
            self.sessions[session.id] = session
            await self.reload_sessions()
            await self.open_session(session.id)
            self.chat.focus_composer()

        await self._guard(work())

    @bridge_task
    async def on_send_without_session(self, text: str, attachments: object) -> None:
        """The user typed before any session existed: create one, then send."""

        async def work() -> None:
            await self.ready.wait()
            session = await self.bridge.backend.create_session(project=self.project_key())
            await self.reload_sessions()
            await self.open_session(session.id)
            self.conversation.on_send(
                text, list(attachments) if isinstance(attachments, list) else []
            )

        await self._guard(work())

    @bridge_task
    async def on_open_session(self, session_id: str) -> None:
        """Open a session picked in the sidebar."""
        await self._guard(self.open_session(session_id))

    @bridge_task
    async def on_open_hit(self, session_id: str, message_id: str, query: str) -> None:
        """Open a search hit scrolled to its message, the match highlighted."""
        await self._guard(self.open_session(session_id, message_id, query))

    @bridge_task
    async def on_search(self, query: str) -> None:
        """Run a full-text search and show the hits in the sidebar."""

        async def work() -> None:
            hits = await self.bridge.backend.search(query)
            self.sidebar.set_search_results(query, hits)

        await self._guard(work())

    @bridge_task
    async def on_rename(self, session_id: str, title: str) -> None:
        """Rename a session."""

        async def work() -> None:
            await self.bridge.backend.rename_session(session_id, title)
            await self.reload_sessions()
            if session_id == self.conversation.session_id:
                self.setWindowTitle(f"{title} — CodeFace")

        await self._guard(work())

    @bridge_task
    async def on_pin(self, session_id: str, pinned: bool) -> None:
        """Pin or unpin a session."""

        async def work() -> None:
            await self.bridge.backend.set_pinned(session_id, pinned)
            await self.reload_sessions()

        await self._guard(work())

    @bridge_task
    async def on_archive(self, session_id: str, archived: bool) -> None:
        """Archive a session (it leaves the list)."""

        async def work() -> None:
            await self.bridge.backend.set_archived(session_id, archived)
            await self._after_removal(session_id)

        await self._guard(work())

    @bridge_task
    async def on_delete(self, session_id: str) -> None:
        """Move a session to the trash."""

        async def work() -> None:
            await self.bridge.backend.delete_session(session_id)
            self.trashed.append(session_id)
            await self._after_removal(session_id)
            self.status.showMessage(
                "Moved to trash (restorable for 30 days) — Ctrl+Shift+Z restores it", 8000
            )

        await self._guard(work())

    @bridge_task
    async def restore_last_deleted(self) -> None:
        """Bring back the session most recently moved to the trash, and open it."""
        if not self.trashed:
            self.status.showMessage("Nothing to restore", 4000)
            return
        session_id = self.trashed.pop()

        async def work() -> None:
            await self.bridge.backend.restore_session(session_id)
            await self.reload_sessions()
            await self.open_session(session_id)

        await self._guard(work())

    async def _after_removal(self, session_id: str) -> None:
        await self.reload_sessions()
        if session_id == self.conversation.session_id:
            ids = self.sidebar.session_ids
            if ids:
                await self.open_session(ids[0])
            else:
                self.conversation.show_branch(None, [])
                self.setWindowTitle("CodeFace")

    def rename_current(self) -> None:
        """F2."""
        if self.conversation.session_id:
            self.sidebar.ask_rename(self.conversation.session_id)

    def pin_current(self) -> None:
        """Pin or unpin the open session."""
        session = self.sessions.get(self.conversation.session_id or "")
        if session is not None:
            self.on_pin(session.id, not session.pinned)

    def archive_current(self) -> None:
        """Archive the open session."""
        if self.conversation.session_id:
            self.on_archive(self.conversation.session_id, True)

    def delete_current(self) -> None:
        """Move the open session to the trash (after confirming)."""
        if self.conversation.session_id:
            self.sidebar.ask_delete(self.conversation.session_id)

    def next_session(self) -> None:
        """Ctrl+PgDown."""
        self._step_session(1)

    def previous_session(self) -> None:
        """Ctrl+PgUp."""
        self._step_session(-1)

    def _step_session(self, step: int) -> None:
        ids = self.sidebar.session_ids
        if not ids:
            return
        current = self.conversation.session_id
        index = ids.index(current) + step if current in ids else 0
        self.on_open_session(ids[index % len(ids)])

    @bridge_task
    async def export_current(self) -> None:
        """Save the open session as Markdown."""
        session = self.sessions.get(self.conversation.session_id or "")
        if session is None:
            return
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Export session", f"{session.title}.md", "Markdown (*.md)"
        )
        if not path:
            return

        async def work() -> None:
            import asyncio

            text = await self.bridge.backend.export_session(session.id, "md")
            await asyncio.to_thread(Path(path).write_text, text, encoding="utf-8")
            self.status.showMessage(f"Exported to {path}", 6000)

        await self._guard(work())
