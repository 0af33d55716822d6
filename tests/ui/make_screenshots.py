"""Render docs/screenshot-light.png and docs/screenshot-dark.png from the real window.

    QT_QPA_PLATFORM=offscreen python -m tests.ui.make_screenshots [OUT_DIR]

The window runs with the in-memory backend and a scripted conversation containing code,
streamed through the bridge exactly as a real answer is.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CODEFACE_HOME", tempfile.mkdtemp(prefix="codeface-shots-"))

import qasync
from PySide6.QtWidgets import QApplication

from codeface.ui.bridge import Bridge
from codeface.ui.chat import ChatPane
from codeface.ui.launch import create_application
from codeface.ui.main_window import MainWindow
from codeface.ui.theme import ThemeManager
from tests.ui.fake_backend import AnswerScript, FakeBackend

QUESTION = "Write an async function that fetches several URLs concurrently, with a timeout."
ANSWER = """Use `asyncio.gather` with one `httpx.AsyncClient`, and bound the whole batch with \
`asyncio.timeout` so a slow server cannot hang the caller:

```python
import asyncio

import httpx


async def fetch_all(urls: list[str], timeout: float = 10.0) -> dict[str, str]:
    \"\"\"Fetch every URL concurrently; raise TimeoutError after `timeout` seconds.\"\"\"
    async with httpx.AsyncClient(follow_redirects=True) as client:
        async with asyncio.timeout(timeout):
            responses = await asyncio.gather(*(client.get(url) for url in urls))
    return {str(r.url): r.text for r in responses}
```

**Why this shape**

- One client reuses connections (keep-alive) across all requests.
- `asyncio.timeout` cancels *every* pending request at once when time runs out.
- Add `return_exceptions=True` to `gather` if one failure should not cancel the rest.
"""


def _backend() -> FakeBackend:
    backend = FakeBackend()
    backend.add_session(
        "Parse a CSV with pandas",
        [("user", "How do I read a CSV with pandas?"), ("assistant", "`pd.read_csv(path)`")],
    )
    backend.add_session("Rust lifetimes explained", pinned=True)
    backend.add_session("Fix flaky pytest fixture")
    backend.add_session("Dockerfile for a FastAPI app")
    backend.add_session(
        "Concurrent HTTP fetching",
        [
            ("user", "Should I use threads or asyncio to download a few hundred pages?"),
            (
                "assistant",
                "For I/O-bound work like HTTP requests, **asyncio** scales better: one thread "
                "waits on hundreds of sockets, with no locks and little memory per request. "
                "Threads are simpler when the library you need is synchronous.",
            ),
        ],
    )
    backend.script(AnswerScript.text(ANSWER, pieces=60, delay=0.01))
    return backend


async def _shoot(app: QApplication, theme_id: str, path: Path) -> None:
    manager = ThemeManager()
    theme = manager.find(theme_id)
    assert theme is not None
    manager.apply(app, theme, animate=False)
    backend = _backend()
    bridge = Bridge(backend)
    window = MainWindow(bridge, chat_factory=lambda: ChatPane(theme=theme), theme_manager=manager)
    window.resize(1400, 860)
    window.show()
    await window.start()
    await window.open_session(list(backend.sessions)[-1])
    window.conversation.on_send(QUESTION, [])
    await bridge.wait_turn()
    await window.refresh_models()
    for _ in range(5):  # let the last layout pass and paint happen
        await asyncio.sleep(0.05)
    window.grab().save(str(path))
    await window.shutdown()
    window.close()


def main() -> int:
    """Write both screenshots to OUT_DIR (default: docs/)."""
    out_dir = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    for theme_id in ("light", "dark"):
        path = out_dir / f"screenshot-{theme_id}.png"
        asyncio.run(_shoot(app, theme_id, path), loop_factory=qasync.QEventLoop)
    print(f"wrote {out_dir / 'screenshot-light.png'} and {out_dir / 'screenshot-dark.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
