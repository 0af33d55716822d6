"""One diff view for the window: unified or side by side, per-hunk accept/reject.

`hunks` and `layout` are pure Python (hunk splitting, merging, unified-diff parsing,
rows); `view.DiffView` is the widget; `apply_dialog.ApplyDialog` is "Apply…" in the chat.
"""

from __future__ import annotations

from codeface.ui.diff.hunks import DiffLine, FileDiff, Hunk, diff_hunks, merge, parse_unified

__all__ = ["DiffLine", "FileDiff", "Hunk", "diff_hunks", "merge", "parse_unified"]
