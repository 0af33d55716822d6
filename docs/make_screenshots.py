"""Take the screenshots in docs/ from the real CodeFace window.

    .venv/bin/python docs/make_screenshots.py [OUT_DIR] [--scene NAME ...] [--theme ID ...]

The window is the real one (`MainWindow` over the real `AppBackend`), with a throw-away
CODEFACE_HOME and HOME, on a small git project made in a temporary folder. The model is
the loopback Ollama server of the tests (tests/fakes/), scripted to answer in Markdown and,
as the "coder" agent, to read a file, propose an edit and run the tests. Nothing of the
user's is read or changed: no settings, keys, sessions, tmux server or shell profile.

It runs on an X display: the one in $DISPLAY, else an Xvfb it starts itself (or run it
under ``xvfb-run -s '-screen 0 1400x900x24'``); with ``QT_QPA_PLATFORM=offscreen`` it needs
no display at all. Each scene waits for what it shows (an answer stored and laid out, a
card pending with the focus, a file highlighted, a shell prompt), never for a fixed time.
PNGs are reduced to 256 colours with Pillow when it is installed, else with ImageMagick's
``convert`` when it is on PATH, else written as Qt saves them.

Each theme gets a window of its own, started in that theme as a user's would be (dark,
then light, then high-contrast); the agent and terminal scenes play in the first one.
Scenes (1400x900 each; OUT_DIR defaults to docs/):
  chat      chat-light.png, chat-dark.png, chat-high-contrast.png: a Markdown answer with
            a highlighted code block
  code      screenshot-light.png, screenshot-dark.png: the project open (after the agent's
            fix), the Code dock with its file tree (git status) and a highlighted file
  agent     agent-approval.png: "@coder fix the failing test", the edit's approval card
            pending; agents-dock.png: after allowing, the turn's timeline in the Agents dock
  terminal  terminal.png: the Terminal dock, a shell (on a pty) in the project
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `tests.fakes` is imported from the checkout

SIZE = (1400, 900)
SCENES = ("chat", "agent", "code", "terminal")
THEMES = ("dark", "light", "high-contrast")
OLLAMA_PORT = 11434
PROJECT_NAME = "shop"
LOOP_TURNS = 5
"""Event-loop turns given to pending layouts and paints before a picture is taken."""
WAIT_S = 30.0
"""The longest any one condition is waited for before the script gives up."""

QUESTION = "How do I count the non-empty lines of a big file without reading it all?"
ANSWER = """Iterate over the file object: it reads **one line at a time**, so memory stays \
flat however large the file is.

```python
from pathlib import Path


def count_lines(path: Path) -> int:
    \"\"\"Count the lines of ``path`` that are not blank.\"\"\"
    with path.open(encoding="utf-8", errors="replace") as stream:
        return sum(1 for line in stream if line.strip())


print(count_lines(Path("server.log")))
```

- `errors="replace"` keeps going past bytes that are not UTF-8.
- For a quick look from the shell: `grep -c . server.log`.

| File size | Memory used |
|-----------|-------------|
| 10 MB | < 1 MB |
| 10 GB | < 1 MB |
"""

CART = '''"""The shopping cart: items, quantities and the total."""

from dataclasses import dataclass, field

from shop.prices import Price, apply_discount


@dataclass
class Item:
    name: str
    price: Price
    quantity: int = 1


@dataclass
class Cart:
    items: list[Item] = field(default_factory=list)
    discount_percent: int = 0

    def add(self, name: str, price: Price, quantity: int = 1) -> None:
        """Put ``quantity`` of an item in the cart."""
        self.items.append(Item(name, price, quantity))

    def subtotal(self) -> Price:
        """The sum of every line before any discount."""
        return sum(item.price for item in self.items)

    def total(self) -> Price:
        """What the customer pays."""
        return apply_discount(self.subtotal(), self.discount_percent)
'''
PRICES = '''"""Prices in cents, so that totals never round."""

Price = int


def apply_discount(amount: Price, percent: int) -> Price:
    """``amount`` less ``percent`` per cent, rounded down to the cent."""
    if not 0 <= percent <= 100:
        raise ValueError(f"a discount is 0-100 %, not {percent}")
    return amount * (100 - percent) // 100
'''
PRICES_EDITED = (
    PRICES
    + '''

def format_price(amount: Price) -> str:
    """``1999`` -> ``"19.99 EUR"``."""
    return f"{amount // 100}.{amount % 100:02d} EUR"
'''
)
TEST_CART = """from shop.cart import Cart


def test_total_counts_every_unit():
    cart = Cart()
    cart.add("coffee", 450, quantity=2)
    cart.add("cake", 380)
    assert cart.total() == 1280


def test_discount_applies_to_the_whole_cart():
    cart = Cart(discount_percent=10)
    cart.add("tea", 300, quantity=3)
    assert cart.total() == 810
"""
PROJECT_FILES = {
    ".gitignore": "__pycache__/\n.pytest_cache/\nbuild/\n",
    "README.md": "# shop\n\nA tiny shop: a cart, prices and their tests.\n\n    python -m pytest -q\n",
    "pyproject.toml": '[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n',
    "shop/__init__.py": '"""A tiny shop."""\n',
    "shop/cart.py": CART,
    "shop/prices.py": PRICES,
    "tests/__init__.py": "",
    "tests/test_cart.py": TEST_CART,
}
TEST_COMMAND = "python -m pytest -q"
AGENT_TASK = "fix the failing test"
AGENT_EDIT = {
    "path": "shop/cart.py",
    "old_text": "        return sum(item.price for item in self.items)",
    "new_text": "        return sum(item.price * item.quantity for item in self.items)",
}
AGENT_SAYS = (
    "Let me read the cart first.",
    "`subtotal()` adds one price per line and forgets the quantity.",
    "Fixed: `Cart.subtotal()` now multiplies each price by its quantity, so a line of two "
    "coffees counts twice. Both tests pass.",
)
EARLIER_SESSIONS = (
    ("Add a CSV export to the sales report", True, False),
    ("Why is the cart total off by a cent?", True, True),
    ("Rust lifetimes explained", False, False),
    ("Dockerfile for a FastAPI app", False, False),
)
"""(title, of the project, pinned): sessions already in the sidebar."""


# --------------------------------------------------------------------------- the places
def git(folder: Path, *args: str) -> None:
    """Run git in ``folder`` with a fixed author (the throw-away HOME has no config)."""
    subprocess.run(
        ["git", "-c", "user.name=Sam Example", "-c", "user.email=sam@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def make_project(parent: Path) -> Path:
    """The sample project: a git repository with a failing test, one file modified since
    the commit, an untracked file and an ignored folder."""
    folder = parent / PROJECT_NAME
    for relative, text in PROJECT_FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "Cart, prices and their tests")
    (folder / "shop" / "prices.py").write_text(PRICES_EDITED, encoding="utf-8")
    (folder / "TODO.md").write_text("- format prices in the receipt\n", encoding="utf-8")
    (folder / "build").mkdir()
    (folder / "build" / "receipt.txt").write_text("coffee x2  9.00\n", encoding="utf-8")
    return folder


def isolate(base: Path) -> None:
    """Point every place CodeFace (and the shell it starts) reads at ``base``."""
    home = base / "home"
    home.mkdir()
    python_bin = str(Path(sys.executable).parent)
    # The terminal scene's login shell: a short prompt, not user@host, and this Python.
    profile = f"PS1='\\[\\e[1;32m\\]\\W\\[\\e[0m\\] $ '\nPATH='{python_bin}':\"$PATH\"\n"
    (home / ".bash_profile").write_text(profile, encoding="utf-8")
    os.environ["HOME"] = str(home)
    os.environ["CODEFACE_HOME"] = str(base / "codeface-home")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the sample tests need no plugins
    os.environ["PATH"] = os.pathsep.join([python_bin, os.environ["PATH"]])
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "OPENAI_", "OLLAMA_")):
            del os.environ[name]


def write_settings(ollama_url: str, theme: str) -> None:
    """Settings with only the loopback Ollama (local only) and ``theme``."""
    from codeface.core.paths import app_paths
    from codeface.core.settings import save_settings
    from tests.ui.local_settings import local_only_settings

    settings = local_only_settings(ollama_url)
    settings.ui.theme = theme
    if Path("/bin/bash").is_file():
        settings.terminal.shell = "/bin/bash"
    save_settings(settings, app_paths().settings_file)


@contextlib.contextmanager
def display() -> Iterator[str]:
    """Where the window shows: offscreen, the $DISPLAY there is, or an Xvfb started here."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform == "offscreen" or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        yield platform or "the desktop"
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        print("no $DISPLAY and no Xvfb: drawing offscreen", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        yield "offscreen"
        return
    read, write = os.pipe()
    screen = f"{SIZE[0]}x{SIZE[1]}x24"
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        number = b""
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read], [], [], 10)
            chunk = os.read(read, 16) if ready else b""
            if not chunk:
                raise SystemExit("Xvfb did not start; try QT_QPA_PLATFORM=offscreen")
            number += chunk
        os.environ["DISPLAY"] = f":{int(number)}"
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield f"Xvfb {os.environ['DISPLAY']}"
    finally:
        os.close(read)
        server.terminate()
        server.wait(timeout=10)


# --------------------------------------------------------------------------- pictures
def optimise(path: Path) -> str:
    """Reduce ``path`` to a 256-colour PNG in place; says which tool did it."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        with Image.open(path) as image:
            reduced = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        reduced.save(path, optimize=True)
        return "Pillow"
    convert = shutil.which("convert") or shutil.which("magick")
    if convert is None:
        return "none"
    reduced_path = path.with_suffix(".tmp.png")
    subprocess.run(
        [convert, str(path), "-strip", "-dither", "None", "-colors", "256", f"PNG8:{reduced_path}"],
        check=True,
        capture_output=True,
    )
    reduced_path.replace(path)
    return "ImageMagick"


class Camera:
    """Saves the window as PNGs in one folder and remembers what it wrote."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.written: list[tuple[Path, str]] = []

    async def shoot(self, window: Any, name: str) -> Path:
        """Let the loop deliver the layout requests and paints the last changes posted,
        then save the window as ``name``."""
        for _ in range(LOOP_TURNS):
            await asyncio.sleep(0)
        path = self.out_dir / name
        if not window.grab().save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        self.written.append((path, optimise(path)))
        return path


class SceneFailed(Exception):
    """The window did not reach what a scene waits for."""


async def until(predicate: Callable[[], object], what: str, timeout: float = WAIT_S) -> None:  # noqa: ASYNC109
    """Let the window work until ``predicate()`` holds (it is checked every 10 ms)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SceneFailed(f"gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


class Studio:
    """One real window on the sample project, in one theme, and the scenes played in it."""

    def __init__(self, project: Path, server: Any, camera: Camera, theme: str) -> None:
        self.project = project
        self.server = server
        self.camera = camera
        self.theme = theme
        self.window: Any = None

    async def open(self, earlier_sessions: bool) -> None:
        """Build the window as the launcher does (its theme from the settings), over the
        real backend; with ``earlier_sessions`` first put a few sessions in the store."""
        from codeface.app import build_backend
        from codeface.terminal.tmux import TmuxController
        from codeface.ui.appearance import Appearance
        from codeface.ui.bridge import Bridge
        from codeface.ui.launch import create_application
        from codeface.ui.main_window import MainWindow
        from codeface.workspace import Workspace, WorkspaceOptions

        write_settings(self.server.url, self.theme)
        appearance = Appearance(create_application())
        appearance.load()
        backend = build_backend()
        # The agent's commands run on a pty, and the tmux bar lists a server of its own:
        # never the user's CodeFace tmux sessions.
        backend.tmux = TmuxController(socket_name=f"codeface-screenshots-{os.getpid()}")
        workspace = Workspace.open(self.project, options=WorkspaceOptions(terminal="pty"))
        backend.context.workspaces[workspace.key] = workspace
        for title, of_project, pinned in EARLIER_SESSIONS if earlier_sessions else ():
            session = await backend.create_session(project=workspace.key if of_project else None)
            await backend.rename_session(session.id, title)
            if pinned:
                await backend.set_pinned(session.id, True)
        window = MainWindow(
            Bridge(backend),
            chat_factory=appearance.chat_pane,
            theme_manager=appearance.theme_manager,
            project=str(self.project),
        )
        window.appearance = appearance
        window.resize(*SIZE)
        window.move(0, 0)
        window.show()
        window.activateWindow()  # Xvfb has no window manager to give it the focus
        self.window = window
        await until(window.isActiveWindow, "the window to have the focus")
        await window.start()
        await until(lambda: window.project is not None, "the project to open")

    async def close(self) -> None:
        """Shut the window down as closing it does, and stop the tmux server it used."""
        window = self.window
        if window is None:
            return
        tmux = window.bridge.backend.tmux
        await window.shutdown()
        window.close()
        window.deleteLater()
        await asyncio.to_thread(tmux.kill_server)

    def hide_docks(self) -> None:
        for dock in self.window.docks.docks.values():
            dock.hide()

    def show_dock(self, key: str, width: int) -> None:
        from PySide6.QtCore import Qt

        dock = self.window.docks.docks[key]
        dock.show()
        dock.raise_()
        self.window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    async def open_session(self, session_id: str) -> None:
        await self.window.open_session(session_id)
        await until(lambda: self.window.conversation.session_id == session_id, "the session")

    async def ask(self, text: str) -> str:
        """Send ``text`` in a new session; returns the session once the turn has ended and
        the sidebar shows the title the prompt gave it."""
        from codeface.store.sessions import title_from_prompt

        window = self.window
        before = window.conversation.session_id
        await window.on_new_session()
        await until(lambda: window.conversation.session_id not in (None, before), "a session")
        session_id = str(window.conversation.session_id)
        window.chat.composer.edit.setPlainText(text)
        window.chat.composer.submit()
        await until(lambda: window.bridge.streaming, "the turn to start")
        await window.bridge.wait_turn()
        title = title_from_prompt(text.removeprefix("@coder "))
        await until(lambda: window.sessions[session_id].title == title, f"the title {title!r}")
        return session_id

    async def settled(self) -> None:
        await until(self.window.chat.transcript.settled, "the conversation to be laid out")

    # ------------------------------------------------------------------- scenes
    async def chat(self, sessions: dict[str, str]) -> None:
        """A Markdown answer with a highlighted code block."""
        self.hide_docks()
        if "chat" in sessions:
            await self.open_session(sessions["chat"])
        else:
            self.server.reply_text(ANSWER, input_tokens=412, output_tokens=164)
            sessions["chat"] = await self.ask(QUESTION)
        await self.settled()
        await self.camera.shoot(self.window, f"chat-{self.theme}.png")

    async def agent(self, sessions: dict[str, str]) -> None:
        """``@coder fix the failing test``: it reads, the edit's approval card waits (and
        is shot), it is allowed, the tests run; then the turn's timeline in the dock."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from codeface.ui.chat.agent_items import ApprovalItem
        from codeface.ui.chat.approval_card import ApprovalCardRow

        window = self.window
        self.server.tool_call("read_file", {"path": "shop/cart.py"}, text=AGENT_SAYS[0])
        self.server.tool_call("edit_file", AGENT_EDIT, text=AGENT_SAYS[1])
        self.server.tool_call("run_command", {"command": TEST_COMMAND})
        self.server.reply_text(AGENT_SAYS[2])
        self.hide_docks()

        def approvals() -> list[Any]:
            return [i for i in window.chat.transcript.items if isinstance(i, ApprovalItem)]

        async def allow(count: int, shot: str = "") -> None:
            await until(
                lambda: len(approvals()) == count and approvals()[-1].state == "pending",
                f"approval card {count}",
            )
            await self.settled()
            row = window.chat.transcript.widget_for(approvals()[-1].id)
            assert isinstance(row, ApprovalCardRow)
            await until(lambda: QApplication.focusWidget() is row.allow_button, "card focus")
            if shot:
                await self.camera.shoot(window, shot)
            QTest.keyClick(row.allow_button, Qt.Key.Key_Return)  # "Allow once"

        turn = asyncio.ensure_future(self.ask(f"@coder {AGENT_TASK}"))
        await allow(1, "agent-approval.png")
        await allow(2)
        sessions["agent"] = await turn
        turn_view = window.agents_panel.turn_view
        await until(
            lambda: turn_view.turn is not None and not turn_view.turn.running,
            "the turn in the Agents dock",
        )
        self.show_dock("agents", 560)
        await self.settled()
        await self.camera.shoot(window, "agents-dock.png")

    async def code(self, sessions: dict[str, str]) -> None:
        """The Code dock: the file tree with git status and a highlighted file."""
        window = self.window
        self.hide_docks()
        shown = sessions.get("agent") or sessions.get("chat")
        if shown:
            await self.open_session(shown)
        window.sidebar.hide()  # room for the code; the chat pictures show the sidebar
        self.show_dock("code", 800)
        tree = window.code_panel.tree
        await until(lambda: "" in tree.tree_model.loaded, "the file tree")
        for folder in ("shop", "tests"):
            index = tree.tree_model.find(folder)
            if index is not None:
                tree.expand(index)
        await until(lambda: {"shop", "tests"} <= set(tree.tree_model.loaded), "the folders")
        view = window.open_file("shop/cart.py", 26)
        await until(lambda: view.loaded and view.highlighter.fully_lexed, "cart.py highlighted")
        await self.settled()
        await self.camera.shoot(window, f"screenshot-{self.theme}.png")
        window.sidebar.show()

    async def terminal(self, sessions: dict[str, str]) -> None:
        """The Terminal dock: a shell on a pty in the project, after two commands."""
        window = self.window
        self.hide_docks()
        self.show_dock("terminal", 700)
        await until(lambda: window.docks.terminal is not None, "the terminal panel")
        panel = window.docks.terminal
        await until(lambda: panel.current_view() is not None, "a terminal tab")
        view = panel.current_view()
        await until(lambda: _prompts(view) == 1, "the shell prompt")
        for number, command in enumerate(("git status --short", TEST_COMMAND), start=2):
            panel.send_to_terminal(command)
            await until(lambda: panel.awaiting_confirmation, "the command to be typed")
            panel.confirm_pending()  # what the user's Enter does
            await until(lambda n=number: _prompts(view) == n, f"{command!r} to finish")
        await self.camera.shoot(window, "terminal.png")


def _prompts(view: Any) -> int:
    """How many prompts (lines that start with the project's name) the screen shows."""
    return sum(1 for line in view.screen_lines() if line.startswith(PROJECT_NAME + " $"))


# --------------------------------------------------------------------------- main
def fake_ollama() -> Any:
    """The loopback Ollama, on Ollama's own port when it is free (so the window shows
    the address a user sees), else on any free port."""
    from tests.fakes.ollama_server import OllamaServer

    server = OllamaServer()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio binds
        try:
            probe.bind(("127.0.0.1", OLLAMA_PORT))
            server.bind_port = OLLAMA_PORT
        except OSError:
            pass
    return server


def plan(scenes: list[str], themes: list[str]) -> list[tuple[str, list[str]]]:
    """(theme, scenes) for each window: the chat in every theme, the code in the light
    and dark ones, the agent and the terminal once, in the first window."""
    windows = []
    for number, theme in enumerate(themes):
        wanted = ["chat", "code"] if theme in ("light", "dark") else ["chat"]
        if number == 0:
            wanted += ["agent", "terminal"]
        windows.append((theme, [scene for scene in SCENES if scene in wanted and scene in scenes]))
    return [(theme, chosen) for theme, chosen in windows if chosen]


async def play(scenes: list[str], themes: list[str], project: Path, camera: Camera) -> None:
    sessions: dict[str, str] = {}
    with fake_ollama() as server:
        for number, (theme, chosen) in enumerate(plan(scenes, themes)):
            studio = Studio(project, server, camera, theme)
            try:
                await studio.open(earlier_sessions=number == 0)
                for scene in chosen:
                    await getattr(studio, scene)(sessions)
            finally:
                await studio.close()


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots of the chosen scenes (default: all) into OUT_DIR (docs/)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=ROOT / "docs")
    parser.add_argument("--scene", action="append", choices=SCENES, help="repeatable")
    parser.add_argument("--theme", action="append", choices=THEMES, help="repeatable")
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    themes = [theme for theme in THEMES if theme in (args.theme or THEMES)]
    camera = Camera(out_dir)
    with tempfile.TemporaryDirectory(prefix="codeface-screenshots-") as temp:
        base = Path(temp).resolve()
        isolate(base)
        project = make_project(base / "home")
        with display() as where:
            from codeface.ui.event_loop import QtEventLoop
            from codeface.ui.launch import create_application

            create_application().setQuitOnLastWindowClosed(False)  # one window per theme
            try:
                asyncio.run(
                    play(args.scene or list(SCENES), themes, project, camera),
                    loop_factory=QtEventLoop,
                )
            except SceneFailed as error:
                print(f"screenshots: {error}", file=sys.stderr)
                return 1
    print(f"drawn on {where}:")
    for path, tool in camera.written:
        print(f"  {path.name:26} {path.stat().st_size / 1024:5.0f} KB  (colours reduced: {tool})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
