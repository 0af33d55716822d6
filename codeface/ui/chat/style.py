"""The chat pane's Qt stylesheet, generated from a `Theme`."""

from __future__ import annotations

from PySide6.QtGui import QColor

from codeface.ui.diff.style import diff_stylesheet
from codeface.ui.highlight import style_colors
from codeface.ui.theme import Theme


def _mix(color: str, other: str, amount: float) -> str:
    first, second = QColor(color), QColor(other)
    red = first.red() * (1 - amount) + second.red() * amount
    green = first.green() * (1 - amount) + second.green() * amount
    blue = first.blue() * (1 - amount) + second.blue() * amount
    return QColor(int(red), int(green), int(blue)).name()


def chat_stylesheet(
    theme: Theme, point_size: int, text_family: str = "", code_family: str = "monospace"
) -> str:
    """Stylesheet for `ChatPane` and everything in it.

    Fonts are set here, not with ``setFont``: under a style sheet Qt does not pass a
    parent's font on to its children.
    """
    family = f'font-family: "{text_family}";' if text_family else ""
    chat, code = theme.chat, theme.code
    code_background, code_text = style_colors(theme.pygments_style)
    window_text = theme.palette.get("window_text", chat.assistant_text)
    base = theme.palette.get("base", chat.assistant_bubble)
    on_accent = theme.palette.get("highlighted_text", "#ffffff")
    small = max(7, point_size - 2)
    notice_tints = {
        "error": chat.error,
        "interrupted": chat.warning,
        "fallback": chat.info,
        "info": chat.muted,
        "warning": chat.warning,
    }
    notice_rules = "\n".join(
        f"""QFrame#noticeCard[kind="{kind}"] {{
    background: {_mix(chat.background, tint, 0.10)};
    border: 1px solid {_mix(chat.background, tint, 0.45)}; border-left: 4px solid {tint};
}}"""
        for kind, tint in notice_tints.items()
    )
    status_tints = {"error": chat.error, "interrupted": chat.warning, "cancelled": chat.muted}
    status_rules = "\n".join(
        f"""QFrame#statusLine[kind="{status}"] {{
    background: {_mix(chat.assistant_bubble, tint, 0.10)};
    border-left: 3px solid {tint}; border-radius: 4px;
}}"""
        for status, tint in status_tints.items()
    )
    return f"""
QWidget {{ font-size: {point_size}pt; {family} }}
QTextBrowser {{
    font-family: "{code_family}"; font-size: {max(7, point_size - 1)}pt;
}}
QWidget#chatPane {{ background: {chat.background}; }}
QAbstractScrollArea#transcript, QWidget#transcriptViewport {{
    background: {chat.background}; border: none;
}}
QFrame#messageRow, QFrame#noticeRow {{ background: transparent; }}
QFrame#userBubble {{
    background: {chat.user_bubble}; color: {chat.user_text};
    border-radius: 14px; border: 1px solid {_mix(chat.user_bubble, chat.border, 0.5)};
}}
QFrame#assistantBubble {{
    background: {chat.assistant_bubble}; color: {chat.assistant_text};
    border-radius: 14px; border: 1px solid {chat.border};
}}
QFrame#systemBubble {{
    background: transparent; color: {chat.muted};
    border: 1px dashed {chat.border}; border-radius: 10px;
}}
QFrame#userBubble QLabel {{ color: {chat.user_text}; background: transparent; }}
QFrame#assistantBubble QLabel {{ color: {chat.assistant_text}; background: transparent; }}
QLabel#roleLabel {{ font-weight: 600; }}
QFrame#assistantBubble QLabel#modelBadge, QFrame#userBubble QLabel#modelBadge {{
    color: {chat.accent}; background: {_mix(chat.assistant_bubble, chat.accent, 0.12)};
    border-radius: 8px; padding: 1px 8px; font-size: {small}pt;
}}
QLabel#statsLabel, QLabel#siblingLabel, QLabel#composerHint {{
    color: {chat.muted}; font-size: {small}pt;
}}
QFrame#userBubble QLabel#statsLabel, QFrame#assistantBubble QLabel#statsLabel,
QFrame#userBubble QLabel#siblingLabel, QFrame#assistantBubble QLabel#siblingLabel {{
    color: {chat.muted};
}}
QToolButton#messageAction {{
    color: {chat.muted}; border: none; border-radius: 6px; padding: 3px 5px;
    background: transparent;
}}
QToolButton#messageAction:hover {{ background: {_mix(chat.assistant_bubble, window_text, 0.08)}; }}
QToolButton#messageAction:disabled {{ color: {_mix(chat.muted, chat.background, 0.5)}; }}
QFrame#statusLine QLabel {{ color: {window_text}; }}
{notice_rules}
{status_rules}
QLabel#noticeText {{ color: {window_text}; background: transparent; }}
QFrame#noticeCard {{ border-radius: 8px; }}
QPushButton#noticeAction {{
    background: {base}; color: {window_text}; border: 1px solid {chat.border};
    border-radius: 6px; padding: 4px 12px;
}}
QPushButton#noticeAction:hover {{ border-color: {chat.accent}; }}
QFrame#codeBlock {{
    background: {code_background}; border: 1px solid {code.border}; border-radius: 8px;
}}
QFrame#codeHeader {{
    background: {code.header_background}; border: none;
    border-bottom: 1px solid {code.border};
    border-top-left-radius: 8px; border-top-right-radius: 8px;
}}
QLabel#codeLanguage {{
    color: {code.header_text}; font-size: {small}pt; font-weight: 600; background: transparent;
}}
QToolButton#codeAction {{
    color: {code.header_text}; border: none; border-radius: 5px; padding: 2px 8px;
    font-size: {small}pt; background: transparent;
}}
QToolButton#codeAction:hover {{ background: {_mix(code.header_background, code.header_text, 0.15)}; }}
QTextBrowser {{
    background: {code_background}; color: {code_text}; border: none;
    border-bottom-left-radius: 8px; border-bottom-right-radius: 8px;
    selection-background-color: {theme.palette.get("highlight", chat.accent)};
}}
QPushButton#jumpButton {{
    background: {chat.accent}; color: {on_accent}; border: none; border-radius: 14px;
    padding: 6px 14px; font-weight: 600;
}}
QFrame#composer {{ background: {chat.background}; }}
QFrame#composerBox {{
    background: {base}; border: 1px solid {chat.border}; border-radius: 12px;
}}
QPlainTextEdit#composerEdit {{
    background: transparent; color: {window_text}; border: none; font-size: {point_size}pt;
}}
QToolButton#sendButton {{
    background: {chat.accent}; border: none; border-radius: 8px; padding: 6px;
}}
QToolButton#sendButton[streaming="true"] {{ background: {chat.error}; }}
QToolButton#attachButton {{ border: none; border-radius: 8px; padding: 6px; }}
QFrame#attachmentChip {{
    background: {_mix(chat.background, chat.accent, 0.12)};
    border: 1px solid {_mix(chat.background, chat.accent, 0.4)}; border-radius: 12px;
}}
QLabel#chipName {{ color: {window_text}; font-weight: 600; }}
QLabel#chipTokens {{ color: {chat.muted}; font-size: {small}pt; }}
QToolButton#chipRemove {{ color: {chat.muted}; border: none; }}
QFrame#choiceBar {{
    background: {_mix(chat.background, chat.warning, 0.12)};
    border: 1px solid {_mix(chat.background, chat.warning, 0.5)}; border-radius: 8px;
}}
QFrame#choiceBar QLabel {{ color: {window_text}; }}
QPlainTextEdit#editEditor {{
    background: {base}; color: {window_text}; border: 1px solid {chat.accent};
    border-radius: 6px;
}}
""" + agent_stylesheet(theme, point_size, code_family)


def agent_stylesheet(theme: Theme, point_size: int, code_family: str = "monospace") -> str:
    """Rules for agent turns: tool cards, approval and question cards, the diff view."""
    chat, code = theme.chat, theme.code
    code_background, code_text = style_colors(theme.pygments_style)
    window_text = theme.palette.get("window_text", chat.assistant_text)
    base = theme.palette.get("base", chat.assistant_bubble)
    on_accent = theme.palette.get("highlighted_text", "#ffffff")
    small = max(7, point_size - 2)
    card_tints = {
        "pending": chat.warning,
        "sending": chat.warning,
        "decided-once": chat.success,
        "decided-session": chat.success,
        "decided-allowed": chat.success,
        "decided-deny": chat.error,
        "expired": chat.muted,
        "decided": chat.success,
    }
    card_rules = "\n".join(
        f"""QFrame#approvalCard[state="{state}"], QFrame#questionCard[state="{state}"] {{
    background: {_mix(chat.background, tint, 0.08 if state in ("pending", "sending") else 0.04)};
    border: 1px solid {_mix(chat.background, tint, 0.45)}; border-left: 4px solid {tint};
}}"""
        for state, tint in card_tints.items()
    )
    return f"""
QFrame#toolRow, QFrame#approvalRow {{ background: transparent; }}
QFrame#toolCard {{
    background: {_mix(chat.background, chat.assistant_bubble, 0.7)};
    border: 1px solid {chat.border}; border-radius: 7px;
}}
QToolButton#toolAction {{
    color: {chat.muted}; border: none; border-radius: 5px; padding: 1px 6px;
    background: transparent; font-size: {small}pt;
}}
QToolButton#toolAction:hover, QToolButton#toolAction:focus {{
    background: {_mix(chat.background, window_text, 0.10)}; color: {window_text};
}}
QPlainTextEdit#toolOutput {{
    background: {code_background}; color: {code_text}; border: 1px solid {code.border};
    border-radius: 6px; font-family: "{code_family}"; font-size: {max(7, point_size - 1)}pt;
}}
{card_rules}
QFrame#approvalCard, QFrame#questionCard {{ border-radius: 8px; }}
QFrame#approvalCard QLabel, QFrame#questionCard QLabel {{
    background: transparent; color: {window_text};
}}
QLabel#approvalTitle[waiting="true"] {{ font-weight: 600; }}
QFrame#approvalCard QLabel#approvalReasons {{ color: {chat.error}; font-weight: 600; }}
QFrame#approvalCard QLabel#approvalCommand {{
    background: {code_background}; color: {code_text}; border: 1px solid {code.border};
    border-radius: 6px; padding: 6px 8px; font-family: "{code_family}";
}}
QFrame#approvalCard QLabel#approvalFolder {{ color: {chat.muted}; font-size: {small}pt; }}
QPushButton#primaryButton {{
    background: {chat.accent}; color: {on_accent}; border: 2px solid {chat.accent};
    border-radius: 6px; padding: 4px 12px; font-weight: 600;
}}
QPushButton#primaryButton:focus {{ border-color: {window_text}; }}
QPushButton#approvalButton, QPushButton#denyButton {{
    background: {base}; color: {window_text}; border: 2px solid {chat.border};
    border-radius: 6px; padding: 4px 12px;
}}
QPushButton#approvalButton:focus, QPushButton#denyButton:focus {{ border-color: {chat.accent}; }}
QPushButton#denyButton {{ color: {chat.error}; }}
QPushButton:disabled {{ color: {chat.muted}; }}
QLineEdit#denyReason, QLineEdit#questionReply {{
    background: {base}; color: {window_text}; border: 1px solid {chat.border};
    border-radius: 6px; padding: 3px 6px;
}}
QLineEdit#denyReason:focus, QLineEdit#questionReply:focus {{ border-color: {chat.accent}; }}
QLabel#composerWaiting {{ color: {chat.warning}; font-weight: 600; }}
QListWidget#roleList {{
    background: {base}; color: {window_text}; border: 1px solid {chat.border};
    border-radius: 8px; padding: 2px;
}}
QListWidget#roleList::item {{ padding: 2px 6px; border-radius: 5px; }}
QListWidget#roleList::item:selected {{ background: {chat.accent}; color: {on_accent}; }}
{diff_stylesheet(theme, point_size)}
"""
