"""The terminal room's engine, without Qt: pty sessions, the pyte screen model, keys,
tmux control and the per-project state. The widgets live in ``codeface.ui.widgets``."""
