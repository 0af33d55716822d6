"""Stored records as the window sees them: plain view dataclasses, no rows, no SDK types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from codeface.application.contract import Approval, MessageView, SessionView
from codeface.core.settings import POLICIES, Policy
from codeface.store.models import Message, Session, ToolRun

LOCAL_PROVIDER_PREFIXES = ("ollama", "compat:", "builtin")
_DENIED_BY_USER = "denied by the user"
_ALLOWED: dict[str, Approval] = {"once": "once", "session": "session"}


def _iso(timestamp: float) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return ""


def _approval(run: ToolRun) -> tuple[Approval, str]:
    """How a person decided a call ("once", "session"; "allowed" in rows from before the
    audit kept which), and why they denied it (when they said)."""
    if run.approver != "user":
        return "", ""
    if run.status != "denied":
        return _ALLOWED.get(run.decision, "allowed"), ""
    why = run.summary.removeprefix(_DENIED_BY_USER).strip()
    return "deny", why[1:-1] if why.startswith("(") and why.endswith(")") else ""


def message_view(
    message: Message, index: int = 0, count: int = 1, run: ToolRun | None = None
) -> MessageView:
    """The window's view of a stored message; ``run`` is the audit row of a "tool"
    message, when there is one (sessions from before the audit have none)."""
    approval, reason = _approval(run) if run is not None else ("", "")
    tier: Literal["local", "cloud"] | None = None
    if message.provider:
        tier = "local" if message.provider.startswith(LOCAL_PROVIDER_PREFIXES) else "cloud"
    return MessageView(
        id=message.id,
        role=message.role,
        content=message.content,
        status=message.status,
        parent_id=message.parent_id,
        sibling_index=index,
        sibling_count=count,
        created_at=_iso(message.created_at),
        provider=message.provider,
        model=message.model,
        host=message.host,
        tier=tier,
        input_tokens=message.input_tokens,
        output_tokens=message.output_tokens,
        time_to_first_token=message.ttft,
        tokens_per_second=message.tokens_per_second,
        cost_usd=message.cost_usd,
        finish_reason=message.finish_reason,
        error_text=message.error_text,
        rating=message.rating,
        tool_calls=message.tool_calls,
        tool_call_id=message.tool_call_id,
        tool_name=message.tool_name,
        tool_summary=run.summary if run is not None else "",
        approval=approval,
        approval_reason=reason,
    )


def session_view(session: Session) -> SessionView:
    """The sidebar's view of a stored session."""
    policy: Policy = session.policy if session.policy in POLICIES else "local-first"  # type: ignore[assignment]
    return SessionView(
        id=session.id,
        title=session.title or "New chat",
        updated_at=_iso(session.updated_at),
        pinned=session.pinned,
        archived=session.archived,
        project=session.project,
        model=session.model,
        policy=policy,
        role=session.role,
    )
