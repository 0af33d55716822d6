"""How a plan runs: approvals, models, retries, heartbeat, and how many tasks may use one
provider at once (its *lane*).

A local model answers one request at a time on most GPUs, and a second task would only
swap contexts in and out, so local providers get one task at a time unless the settings
say more (``[plans] local_parallel``, to match the server's ``OLLAMA_NUM_PARALLEL``,
which only the server knows). Cloud providers get several (``cloud_parallel``); the
router's per-provider rate limiter spaces their requests out.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from codeface.agents.roles import Role, effective_policy
from codeface.agents.scheduler import Lane
from codeface.agents.task_attempt import SchedulerOptions
from codeface.core.provider import Provider
from codeface.core.selection import order_providers
from codeface.core.settings import POLICIES, Policy, Settings

log = logging.getLogger(__name__)

_STORED = ("model", "policy", "max_attempts", "heartbeat", "local_parallel", "cloud_parallel")
_LIMITS: dict[str, tuple[float, float]] = {
    "max_attempts": (1, 20),
    "heartbeat": (0.05, 86_400),
    "local_parallel": (1, 64),
    "cloud_parallel": (1, 64),
    "backoff_base": (0, 600),
    "backoff_cap": (0, 3_600),
}


@dataclass
class PlanOptions:
    """Choices for one run. ``interactive``: someone can be asked (a terminal, the window);
    without, whatever ``allow_*`` does not cover is denied and the model is told."""

    allow_edits: bool = False
    allow_commands: bool = False
    interactive: bool = True
    model: str | None = None
    policy: Policy | None = None
    max_attempts: int = 3
    heartbeat: float = 300.0
    backoff_base: float = 2.0
    backoff_cap: float = 60.0
    local_parallel: int = 1
    cloud_parallel: int = 4
    cancel_poll: float = 1.0

    def scheduler_options(self) -> SchedulerOptions:
        """The part the scheduler needs."""
        return SchedulerOptions(
            max_attempts=self.max_attempts,
            heartbeat=self.heartbeat,
            backoff_base=self.backoff_base,
            backoff_cap=self.backoff_cap,
        )

    def stored(self) -> str:
        """What a resumed plan keeps (approvals are asked again: never inherited)."""
        values = asdict(self)
        return json.dumps({name: values[name] for name in _STORED}, sort_keys=True)

    def with_stored(self, text: str, overridden: Sequence[str] = ()) -> PlanOptions:
        """These options with the stored ones of a plan, except those in ``overridden``."""
        try:
            stored = json.loads(text or "{}")
        except json.JSONDecodeError:
            return self
        if not isinstance(stored, dict):
            return self
        kept = {k: v for k, v in stored.items() if k in _STORED and k not in overridden}
        return checked(replace(self, **kept), "the stored plan")


def _usable(name: str, value: Any, default: Any) -> bool:
    if name == "policy":
        return value is None or value in POLICIES
    if name == "model":
        return value is None or isinstance(value, str)
    bounds = _LIMITS.get(name)
    if bounds is None:
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(default, int) and not isinstance(value, int):
        return False
    return bounds[0] <= value <= bounds[1]


def checked(options: PlanOptions, where: str) -> PlanOptions:
    """``options`` with each value out of range or of the wrong type put back to its default."""
    defaults = PlanOptions()
    changes: dict[str, Any] = {}
    for item in fields(options):
        value, default = getattr(options, item.name), getattr(defaults, item.name)
        if not _usable(item.name, value, default):
            log.warning(
                "%s: plan option %s=%r is not usable; the default is used", where, item.name, value
            )
            changes[item.name] = default
    return replace(options, **changes) if changes else options


def options_from_settings(settings: Settings) -> PlanOptions:
    """Defaults from the settings file's ``[plans]`` section (checked when it was read)."""
    plans = settings.plans
    return PlanOptions(
        max_attempts=plans.max_attempts,
        heartbeat=plans.heartbeat,
        backoff_base=plans.backoff_base,
        backoff_cap=plans.backoff_cap,
        local_parallel=plans.local_parallel,
        cloud_parallel=plans.cloud_parallel,
    )


def lane_for(
    providers: Sequence[Provider], role: Role | None, policy: Policy, options: PlanOptions
) -> Lane:
    """The provider a task of ``role`` will most likely run on, and how many tasks may."""
    chosen = effective_policy(role, policy) if role is not None else policy
    ordered = order_providers(providers, chosen)
    if not ordered:
        return "no provider", 1
    first = ordered[0]
    return first.id, options.local_parallel if first.tier == "local" else options.cloud_parallel
