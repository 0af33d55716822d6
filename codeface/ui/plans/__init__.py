"""The Plans tab of the Agents dock: plan a goal with the manager, edit the draft, run it
and watch it live, resume plans that stopped when CodeFace died."""

from codeface.ui.plans.panel import PlansPanel

__all__ = ["PlansPanel"]
