"""A reopened session's code is coloured without the GUI thread compiling lexers: the
languages its fences name are built in a worker before the branch is shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.ui import highlight
from codeface.ui.bridge import Bridge
from codeface.ui.chat import code_block
from codeface.ui.chat.code_block import fence_languages
from codeface.ui.main_window import MainWindow
from tests.ui.fake_backend import FakeBackend


def test_fence_languages_are_read_from_backtick_and_tilde_fences() -> None:
    texts = [
        "Try this:\n```python\nprint(1)\n```",
        "~~~ rust {.numberLines}\nfn main() {}\n~~~",
        "  ```ts title=app.ts\nlet x = 1\n```",
        "```\nno language\n```",
        "no fence at all, just `inline` code",
    ]
    assert fence_languages(texts) == {"python", "rust", "typescript"}


@pytest.mark.usefixtures("close_windows")
@pytest.mark.asyncio
async def test_opening_a_session_builds_its_lexers_before_showing_it(
    fake_backend: FakeBackend, state_path: Path
) -> None:
    answer = 'In Haskell:\n\n```haskell\nmain = putStrLn "hi"\n```\n'
    session_id = fake_backend.add_session("Haskell", [("user", "hello?"), ("assistant", answer)])
    window = MainWindow(Bridge(fake_backend), state_path=state_path)
    window.show()
    await window.start()
    style = window.chat.context.theme.pygments_style
    code_block._warmed.discard(("haskell", style))
    highlight.highlight_html.cache_clear()
    shown: list[bool] = []
    show = window.chat.set_messages

    def set_messages(*args: object, **kwargs: object) -> None:
        shown.append(("haskell", style) in code_block._warmed)
        show(*args, **kwargs)  # type: ignore[arg-type]

    window.chat.set_messages = set_messages  # type: ignore[method-assign]
    await window.open_session(session_id)
    assert shown == [True]  # built before the branch was shown
    assert highlight.highlight_html.cache_info().currsize > 0
    await window.shutdown()
