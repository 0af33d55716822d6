"""`AppBackend`: the real `codeface.application.contract.Backend`, over the engine, the store
and the open projects' workspaces.

Each part of the contract is answered by one service (chats, models, projects, agents);
they share one `AppContext`. The window calls these coroutines on the qasync loop; every
blocking step (SQLite, keyring, files, git) runs on a worker thread.
"""

from __future__ import annotations

import asyncio

from codeface.application.agents_service import AgentsService
from codeface.application.chat_service import ChatService
from codeface.application.context import AppContext
from codeface.application.contract import Backend, BackendState, StartupNotice
from codeface.application.engine import Engine
from codeface.application.models_service import ModelsService
from codeface.application.plans_service import PlansService
from codeface.application.project_service import ProjectService
from codeface.application.terminal_service import TerminalService
from codeface.store.service import Store


class AppBackend(
    ChatService,
    ModelsService,
    ProjectService,
    AgentsService,
    TerminalService,
    PlansService,
    Backend,
):
    """Everything the window asks for."""

    def __init__(self, engine: Engine, store: Store | None = None) -> None:
        self.context = AppContext(engine, store)
        TerminalService.__init__(self)
        PlansService.__init__(self)

    async def aclose(self) -> None:
        """Hang up the terminals, then close providers and the store."""
        self.close_all()
        await ModelsService.aclose(self)

    async def load_state(self) -> BackendState:
        """Open the store and check providers, in parallel."""
        store_task = asyncio.create_task(self.store())
        providers = await self.provider_status()
        store = await store_task
        notices: list[StartupNotice] = []
        if store.notice is not None:
            notices.append(StartupNotice(store.notice.message(), "error"))
        if store.interrupted:
            notices.append(
                StartupNotice(
                    f"{store.interrupted} answer(s) were interrupted when CodeFace last closed; "
                    "they are kept and can be continued.",
                    "info",
                )
            )
        for problem in self.engine.settings_problems:
            notices.append(
                StartupNotice(
                    f"Settings: {problem.one_line()}",
                    "error" if self.engine.settings_unreadable else "warning",
                )
            )
        sessions = await self.list_sessions()
        latest = max(sessions, key=lambda session: session.updated_at, default=None)
        return BackendState(
            sessions=sessions,
            providers=providers,
            notices=notices,
            last_session_id=latest.id if latest is not None else None,
        )
