"""Long, realistic Markdown answers for chat streaming tests and benchmarks.

`long_answer` builds an answer with a heading, prose, a list, a code block and a table per
section; `stream_chunks` splits any text into token-sized pieces, as a model streams them.
"""

from __future__ import annotations

import re

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

_TOKEN = re.compile(r"\s*[^\s]{1,6}|\s+")


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
    return _TOKEN.findall(text)
