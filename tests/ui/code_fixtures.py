"""A code panel on screen for a test, shut down the way the window does it: on the running
loop, with its background tasks cancelled and finished before the loop stops."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from codeface.ui.bridge import Bridge
from codeface.ui.code.panel import CodePanel
from tests.ui.conftest import wait_until
from tests.ui.fake_backend import FakeBackend
from tests.ui.fake_project import FAKE_ROOT


@contextlib.asynccontextmanager
async def code_panel_on_screen(
    backend: FakeBackend, width: int = 900, height: int = 600
) -> AsyncIterator[CodePanel]:
    bridge = Bridge(backend)
    widget = CodePanel(bridge)
    widget.resize(width, height)
    widget.show()
    widget.activateWindow()  # shortcuts only work in the active window
    try:
        yield widget
    finally:
        widget.shutdown()
        await bridge.aclose()
        widget.close()
        widget.deleteLater()


async def open_project(panel: CodePanel, backend: FakeBackend, root: str = FAKE_ROOT) -> None:
    """Open ``root`` in the panel and wait until it follows the project's disk, so no task
    of the panel is half-way through starting when the test ends."""
    project = await backend.open_project(root)
    panel.set_project(project)
    await wait_until(lambda: project.key in backend.watching)
