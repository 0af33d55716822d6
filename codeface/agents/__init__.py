"""Agents: tools over the workspace, approvals, roles, and the step loop. No Qt.

An agent turn is a loop: the model answers; each tool call it makes is described,
checked against the approval policy (asking the user when needed), run through the
workspace, and its result fed back as data; until the model answers without tools.
"""
