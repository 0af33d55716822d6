"""The contract between the window and the engine: view data and the `Backend` protocol.

`codeface.application.backend.AppBackend` implements `Backend` with the real router, store
and workspace; UI tests use a fake with the same shape, and mypy checks both against it.
Only plain data crosses this line: the UI never sees a provider object, an SDK type, a
database row, a workspace or a process. No Qt here.
"""

from __future__ import annotations

from typing import Protocol

from codeface.agents.events import AgentEvent, Decision
from codeface.application.contract.agent_views import (
    ApprovalMode,
    RoleView,
    ToolRunView,
    TurnCheckpointView,
    UndoView,
)
from codeface.application.contract.agents_contract import AgentsContract
from codeface.application.contract.chat_contract import ChatContract
from codeface.application.contract.chat_views import (
    Approval,
    Attachment,
    BackendState,
    MessageSaved,
    MessageStatus,
    MessageView,
    ProviderStatus,
    SearchHit,
    SessionView,
    StartupNotice,
)
from codeface.application.contract.engine_views import (
    BuiltinModelView,
    BuiltinOverview,
    CatalogModelView,
    DownloadProgress,
)
from codeface.application.contract.models_contract import ModelsContract
from codeface.application.contract.plan_views import PlanDrafted, PlanTaskView, PlanView
from codeface.application.contract.plans_contract import PlansContract
from codeface.application.contract.project_contract import ProjectContract
from codeface.application.contract.project_views import (
    FileContent,
    FileEntryView,
    FileKind,
    FilesChanged,
    NoteView,
    ProjectSearchHit,
    ProjectView,
    WritePreview,
)
from codeface.application.contract.terminal_contract import TerminalContract
from codeface.core.events import Progress, TurnEvent
from codeface.core.provider import Health, ModelInfo, Residency

ConversationEvent = TurnEvent | AgentEvent | MessageSaved

__all__ = [
    "Approval",
    "ApprovalMode",
    "Attachment",
    "Backend",
    "BackendState",
    "BuiltinModelView",
    "BuiltinOverview",
    "CatalogModelView",
    "ConversationEvent",
    "Decision",
    "DownloadProgress",
    "FileContent",
    "FileEntryView",
    "FileKind",
    "FilesChanged",
    "Health",
    "MessageSaved",
    "MessageStatus",
    "MessageView",
    "ModelInfo",
    "NoteView",
    "PlanDrafted",
    "PlanTaskView",
    "PlanView",
    "PlansContract",
    "Progress",
    "ProjectSearchHit",
    "ProjectView",
    "ProviderStatus",
    "Residency",
    "RoleView",
    "SearchHit",
    "SessionView",
    "StartupNotice",
    "TerminalContract",
    "ToolRunView",
    "TurnCheckpointView",
    "UndoView",
    "WritePreview",
]


class Backend(
    ChatContract,
    ModelsContract,
    ProjectContract,
    AgentsContract,
    TerminalContract,
    PlansContract,
    Protocol,
):
    """Everything the window asks of the engine, the store and the project. All slow work
    is async; blocking calls run in worker threads behind it."""
