"""A demo conversation for screenshots and manual checks of the chat pane.

``python -m codeface.ui.chat.demo docs`` writes ``chat-light.png``, ``chat-dark.png`` and
``chat-high-contrast.png`` (offscreen works: ``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from codeface.application.contract import MessageView

ANSWER = """Use a `with` block and iterate over the file object — it reads lazily, so \
**large files** are fine:

```python
from pathlib import Path


def count_lines(path: Path) -> int:
    \"\"\"Count the non-empty lines of a text file.\"\"\"
    with path.open(encoding="utf-8", errors="replace") as stream:
        return sum(1 for line in stream if line.strip())
```

| Mode | Meaning |
|------|---------|
| `r`  | read (default) |
| `a`  | append |
"""


def demo_messages() -> list[MessageView]:
    """A short conversation: a question, a highlighted answer, a follow-up."""
    return [
        MessageView(
            "u1",
            "user",
            "How do I count the lines of a file in Python?",
            sibling_index=1,
            sibling_count=2,
        ),
        MessageView(
            "a1",
            "assistant",
            ANSWER,
            provider="ollama",
            model="qwen2.5-coder:7b",
            tier="local",
            input_tokens=412,
            output_tokens=96,
            tokens_per_second=48.3,
            time_to_first_token=0.21,
            cost_usd=0.0,
            rating=1,
        ),
        MessageView("u2", "user", "And from the shell?"),
    ]


_SECTION = """## Step {n}: {title}

The function below handles **case {n}**. It reads the input lazily, keeps a small \
buffer, and returns early when `limit` is reached, so it stays fast on large inputs. \
Note how the helper `_parse_{n}` is reused by the tests and by the command line.

- It validates the arguments first ({n} checks, see `validate()`).
- It streams the rows; nothing is loaded whole.
- Errors carry the line number, so the message says *where* it failed.

```python
def process_{n}(path: Path, limit: int = {n}00) -> list[Row]:
    \"\"\"Read rows from ``path`` and keep at most ``limit`` of them.\"\"\"
    rows: list[Row] = []
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            try:
                row = _parse_{n}(line)
            except ValueError as error:
                raise ParseError(f"line {{number}}: {{error}}") from error
            rows.append(row)
            if len(rows) >= limit:
                break
    return rows
```

| Input | Rows kept | Time |
|-------|-----------|------|
| small.csv | {n} | 0.{n} ms |
| large.csv | {n}00 | {n}.5 ms |

"""


def long_answer(sections: int = 8) -> str:
    """A long Markdown answer with a heading, prose, a list, a code block and a table
    per section (about 230 token-sized chunks, 1,200 characters each).

    Thirteen sections are about 3,000 chunks (15,000 characters), like a long real model
    answer; benchmarks and tests stream it in `stream_chunks`.
    """
    titles = ["read", "parse", "filter", "group", "sort", "merge", "write", "report"]
    parts = ["Here is a complete walk-through, step by step.\n\n"]
    for index in range(sections):
        parts.append(_SECTION.format(n=index + 1, title=titles[index % len(titles)]))
    parts.append("That is all: run `pytest -q` to check it.")
    return "".join(parts)


def stream_chunks(text: str) -> list[str]:
    """Split ``text`` into token-sized chunks (a word with its leading space, or a run)."""
    import re

    return re.findall(r"\s*[^\s]{1,6}|\s+", text)


def render(directory: Path, width: int = 860, height: int = 980) -> list[Path]:
    """Render the demo mid-answer in each bundled theme; return the PNG paths."""
    from PySide6.QtWidgets import QApplication

    from codeface.ui.chat.pane import ChatPane
    from codeface.ui.theme import ThemeManager

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    manager = ThemeManager()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for theme_id in ("light", "dark", "high-contrast"):
        theme = manager.find(theme_id)
        if theme is None:
            continue
        manager.apply(app, theme, animate=False)
        pane = ChatPane(theme)
        pane.resize(width, height)
        pane.show()
        pane.set_messages(demo_messages())
        pane.begin_answer(
            MessageView(
                "a2", "assistant", "", provider="anthropic", model="claude-sonnet-4", tier="cloud"
            )
        )
        pane.append_answer_text(
            "a2", "Use `wc`:\n\n```bash\nwc -l notes.txt\n```\n\nIt prints the count and the na"
        )
        pane.flush()
        pane.set_streaming(True)
        pane.show_notice(
            "fallback",
            "Ollama is not running at 127.0.0.1:11434 — answered by claude-sonnet-4.",
            [("Retry locally", "retry"), ("Open settings", "open_settings")],
        )
        pane.composer.edit.setPlainText("Thanks! Can it skip blank lines?")
        for _ in range(20):
            app.processEvents()
            if pane.transcript.settled():
                break
        path = directory / f"chat-{theme_id}.png"
        pane.grab().save(str(path))
        written.append(path)
        pane.close()
        pane.deleteLater()
    return written


if __name__ == "__main__":
    for written_path in render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(written_path)
