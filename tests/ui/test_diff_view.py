"""The diff view: unified and side by side, keyboard navigation, per-hunk decisions.

Keys move between changes and decide them; what is merged is exactly the accepted
hunks; side by side shows the same rows facing each other; a read-only view of an
agent's unified diff decides nothing; a long diff colours only what is on screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from codeface.ui.diff.view import DiffView
from tests.ui.chat_fixtures import theme_named

OLD = "".join(f"line {n}\n" for n in range(1, 41))
NEW = (
    OLD.replace("line 2\n", "line two\n")
    .replace("line 20\n", "line twenty\nan added line\n")
    .replace("line 38\n", "")
)


def shown(qtbot: QtBot, view: DiffView) -> DiffView:
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus()
    return view


def test_keys_move_between_changes_and_decide_them(qtbot: QtBot) -> None:
    view = shown(qtbot, DiffView(theme_named("light"), interactive=True))
    view.set_texts(OLD, NEW, "notes.txt")
    assert len(view.hunks) == 3
    assert view.accepted == {0, 1, 2}
    assert view.position_label.text() == "Change 1 of 3 · +3 −3 · 3 accepted"

    QTest.keyClick(view.unified, Qt.Key.Key_R)  # reject the first, move on
    assert (view.current, view.accepted) == (1, {1, 2})
    QTest.keyClick(view.unified, Qt.Key.Key_N)
    assert view.current == 2
    QTest.keyClick(view.unified, Qt.Key.Key_Space)  # toggle: reject the third
    QTest.keyClick(view.unified, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.current == 1
    assert view.accepted == {1}
    assert view.merged_text() == OLD.replace("line 20\n", "line twenty\nan added line\n")
    assert view.position_label.text() == "Change 2 of 3 · +3 −3 · 1 accepted"
    # The current hunk's header row is in view.
    header = view._unified_starts[1]
    assert view.unified.firstVisibleBlock().blockNumber() <= header

    view.accept_all()
    assert view.merged_text() == NEW
    view.reject_all()
    assert view.merged_text() == OLD


def test_side_by_side_faces_old_and_new_and_keeps_the_current_change(qtbot: QtBot) -> None:
    view = shown(qtbot, DiffView(theme_named("dark"), interactive=True))
    view.set_texts(OLD, NEW, "notes.txt")
    view.go_to_hunk(1)
    QTest.keyClick(view.unified, Qt.Key.Key_S)
    assert view.mode == "split"
    assert view.mode_button.isChecked()
    assert view.current == 1
    left, right = view.left.rows, view.right.rows
    assert len(left) == len(right)
    pairs = [(a.text, b.text) for a, b in zip(left, right, strict=True) if a.kind != "hunk"]
    assert ("line 20", "line twenty") in pairs
    assert ("", "an added line") in pairs  # a filler faces the added line
    assert view.left.verticalScrollBar().value() == view.right.verticalScrollBar().value()
    QTest.keyClick(view.right, Qt.Key.Key_A)
    assert view.current == 2
    view.set_mode("unified")
    assert not view.mode_button.isChecked()


def test_an_agents_diff_is_shown_read_only(qtbot: QtBot) -> None:
    view = shown(qtbot, DiffView(theme_named("light"), compact=True))
    view.set_unified(
        "--- a/src/app.py\n+++ b/src/app.py\n@@ -1,2 +1,2 @@\n def main():\n"
        '-    print("hello")\n+    print("bye")\n'
    )
    assert view.path == "src/app.py"
    assert [(h.removed, h.added) for h in view.hunks] == [(1, 1)]
    assert not view.accept_button.isVisibleTo(view)
    view.reject_current()
    assert view.accepted == {0}
    assert view.unified.accessibleName() == "Diff of src/app.py"
    # Compact: as tall as its few rows, not a whole screen.
    assert view.stack.height() < 8 * view.unified.fontMetrics().lineSpacing()


def test_a_long_diff_colours_only_what_is_on_screen(qtbot: QtBot) -> None:
    old = "".join(f"value_{n} = {n}\n" for n in range(4000))
    new = "".join(f"value_{n} = {n * 2}\n" for n in range(4000))
    view = shown(qtbot, DiffView(theme_named("light")))
    view.set_texts(old, new, "values.py")
    formatted = view.unified._formatted
    assert 0 < len(formatted) < 200
    view.unified.verticalScrollBar().setValue(6000)
    assert any(number > 5000 for number in view.unified._formatted)
    assert len(view.unified._formatted) < 400
