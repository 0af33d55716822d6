"""State shared by every widget of one chat pane: theme, fonts, services and the hub.

Message widgets are rows that show one message after another as the view scrolls
(`codeface.ui.chat.rows`), so they do not own signals of their own: they report user
actions to `ChatHub`, which the pane re-emits.
`render_counts` records how often each message was rendered (tests and benchmarks use it
to prove that streaming never re-renders earlier messages), and `parsed_chars` how many
characters of Markdown were parsed for it (to prove a stream tick parses only its tail).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase

from codeface.ui.chat.markdown import HtmlColors
from codeface.ui.chat.services import ChatServices
from codeface.ui.theme import Theme

DEFAULT_POINT_SIZE = 11
MIN_POINT_SIZE = 7
MAX_POINT_SIZE = 32


class ChatHub(QObject):
    """User actions from message widgets; the pane forwards them as its own signals."""

    sig_regenerate = Signal(str)
    """Regenerate; argument: answer message id."""
    sig_edit = Signal(str, str)
    """Edit submitted; arguments: user message id, new text."""
    sig_switch_sibling = Signal(str, int)
    """Sibling navigator; arguments: message id, step (-1 or +1)."""
    sig_rate = Signal(str, object)
    """Thumbs; arguments: message id, rating (1, -1 or None to clear)."""
    sig_continue = Signal(str)
    """Continue an interrupted answer; argument: answer message id."""
    sig_action = Signal(str)
    """A notice button; argument: action id ("retry", "switch_model", "open_settings"...)."""
    sig_send_to_terminal = Signal(str)
    """Run a shell code block in the terminal; argument: the code."""
    sig_code_notice = Signal(str, str)
    """A code action finished; arguments: kind ("info"/"error"), text."""
    sig_layout_changed = Signal(str)
    """A message widget changed height (edit opened, code expanded); argument: message id."""
    sig_apply_code = Signal(str, str)
    """"Apply…" on a code block; arguments: the code, its language."""
    sig_save_code = Signal(str, str)
    """"Save…" on a code block; arguments: the code, its language."""
    sig_step_expanded = Signal(str, bool)
    """A tool card was expanded or collapsed; arguments: item id, expanded."""
    sig_open_file = Signal(str, int)
    """Show a project file in the Code panel; arguments: relative path, line (1-based)."""
    sig_approval_answer = Signal(str, str, str)
    """An approval card was answered; arguments: request id, "once"/"session"/"deny", reason."""
    sig_question_answer = Signal(str, str)
    """The agent's question was answered; arguments: question id, the answer."""


@dataclass
class ChatContext:
    """What widgets need to draw themselves and report actions."""

    theme: Theme
    services: ChatServices
    hub: ChatHub
    point_size: int = DEFAULT_POINT_SIZE
    font_family: str = ""
    code_font_family: str = ""
    highlight_term: dict[str, str] = field(default_factory=dict)
    render_counts: Counter[str] = field(default_factory=Counter)
    parsed_chars: Counter[str] = field(default_factory=Counter)

    def html_colors(self) -> HtmlColors:
        """Inline colours for Markdown HTML in the current theme."""
        chat = self.theme.chat
        return HtmlColors(
            inline_code=chat.inline_code,
            border=chat.border,
            muted=chat.muted,
            link=self.theme.palette.get("link", chat.accent),
            mark=chat.mark,
            mark_text=chat.mark_text,
        )

    def text_font(self) -> QFont:
        """The chat body font at the current zoom."""
        font = QFont(self.font_family) if self.font_family else QFont()
        font.setPointSize(self.point_size)
        return font

    def code_font(self) -> QFont:
        """The monospace font for code at the current zoom."""
        if self.code_font_family:
            font = QFont(self.code_font_family)
        else:
            font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(max(MIN_POINT_SIZE, self.point_size - 1))
        return font
