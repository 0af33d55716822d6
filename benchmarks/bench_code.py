"""Code dock benchmarks: a 20,000-line file, a 20,000-file repository, and the window
started on a project.

Each figure is measured in a fresh child process (its own CODEFACE_HOME, the real
backend, the GUI thread's switch interval as the app sets it) and printed beside its
budget and a baseline from the same run (bench_ui's helpers start the children and Xvfb):

- 20,000-line Python file: first highlighted screen (≤ 100 ms; baseline: a bare
  QPlainTextEdit showing the same text): the first file opened in the process (pygments'
  tables loaded while the panel was on screen, as the app does; and once without), and a
  second one; the longest GUI stall while the rest is appended and
  lexed (≤ 16 ms) and while scrolling through all of it a page at a time (≤ 16 ms), each
  against the same probe idle; also the GUI thread's own CPU time inside the worst stall,
  which tells a stall the code caused from the machine taking the CPU away (it is shared);
- a 50 MB file: time to its notice;
- file tree of a 20,000-file git repository: first paint (≤ 200 ms; baseline: a
  QTreeView filled synchronously with the same top folder) and the longest stall while
  every folder is opened and filled (≤ 50 ms);
- cold start to first paint of ``codeface PROJECT`` vs a bare window (≤ 1.3×), offscreen
  and on Xvfb, and ``codeface`` without a project for comparison;
- idle RSS of a returning user whose project reopens, on Xvfb (≤ 100 MB) and offscreen,
  vs a bare window.

Run: ``python -m benchmarks.bench_code`` (or ``python -m benchmarks.run code``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_ui import (
    MB,
    ROOT,
    _child,
    _child_env,
    _median,
    _opened_before,
    _row,
    _settings,
    virtual_display,
)

LINES = 20_000
TREE_FILES = 20_000

CHILD_SETUP = r"""
import asyncio, gc, pathlib
from codeface.ui.launch import GUI_SWITCH_INTERVAL
from codeface.ui.event_loop import QtEventLoop
sys.setswitchinterval(GUI_SWITCH_INTERVAL)  # as the app runs
app = QApplication(sys.argv[:1])

class BusyProbe(Probe):
    # The probe, plus the GUI thread's CPU time inside the worst gap: a gap with little
    # CPU time is the machine (or a lock) holding the thread, not work it did.
    def start(self):
        super().start()
        self.cpu_last, self.worst_cpu = time.thread_time(), 0.0
    def tick(self):
        now, cpu = time.perf_counter(), time.thread_time()
        gap = now - self.last - self.interval
        if gap > self.worst:
            self.worst_cpu = cpu - self.cpu_last
        super().tick()
        self.cpu_last = cpu
    def busy_ms(self):
        return self.worst_cpu * 1000

def painted_after(widget, ready=lambda: True):
    # A future set at the first paint of ``widget`` once ``ready()`` holds (after it).
    future = asyncio.get_running_loop().create_future()
    class Filter(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and ready() and not future.done():
                QTimer.singleShot(0, lambda: future.done() or future.set_result(time.perf_counter()))
            return False
    keep = Filter()
    widget.installEventFilter(keep)
    future.add_done_callback(lambda _f: widget.removeEventFilter(keep))
    return future

async def idle(probe, seconds=1.0):
    probe.start()
    await asyncio.sleep(seconds)
    return probe.stop()

async def panel_on(project_root):
    from codeface.app import build_backend
    from codeface.ui.bridge import Bridge
    from codeface.ui.code.panel import CodePanel
    bridge = Bridge(build_backend())
    panel = CodePanel(bridge)
    panel.resize(1200, 800)
    panel.show()
    project = await bridge.backend.open_project(project_root)
    return bridge, panel, project
"""

CODE_VIEW = r"""
if os.environ.get("BENCH_NO_PREWARM"):
    from codeface.ui.code.panel import CodePanel
    CodePanel.prewarm = lambda self: None  # nothing of pygments loaded before the file opens

async def open_timed(panel, path):
    started = time.perf_counter()
    view = panel.open_file(path)
    screen = {"on": False}
    view.highlighter.sig_screen_highlighted.connect(lambda: screen.update(on=True))
    first = await painted_after(view.editor.viewport(), lambda: screen["on"])
    return view, (first - started) * 1000

async def main():
    root = os.environ["BENCH_PROJECT"]
    text = (pathlib.Path(root) / "long.py").read_text(encoding="utf-8")
    bridge, panel, project = await panel_on(root)
    panel.set_project(project)
    await asyncio.sleep(0.5)
    gc.freeze()
    probe = BusyProbe()
    figures = {"idle_stall_ms": await idle(probe)}

    from PySide6.QtWidgets import QPlainTextEdit
    plain = QPlainTextEdit()
    plain.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    plain.resize(1200, 800)
    plain.show()
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    waiting = painted_after(plain.viewport())
    plain.setPlainText(text)
    figures["plain_ms"] = (await waiting - started) * 1000
    plain.close()
    await asyncio.sleep(0.3)

    probe.start()
    view, figures["cold_ms"] = await open_timed(panel, "long.py")
    figures["open_stall_ms"] = probe.stop()
    probe.start()  # from the first screen on: the rest is appended and lexed
    lexed = asyncio.get_running_loop().create_future()
    view.highlighter.sig_highlighted.connect(lambda: lexed.done() or lexed.set_result(None))
    if not view.highlighter.fully_lexed:
        await lexed
    figures["fill_stall_ms"], figures["fill_busy_ms"] = probe.stop(), probe.busy_ms()
    figures["slices"] = view.highlighter.slices

    probe.start()
    bar = view.editor.verticalScrollBar()
    for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep()):
        bar.setValue(value)
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    figures["scroll_stall_ms"], figures["scroll_busy_ms"] = probe.stop(), probe.busy_ms()
    figures["pages"] = bar.maximum() // max(1, bar.pageStep()) + 1

    panel.tabs.close_view(view, ask=False)
    await asyncio.sleep(0.3)
    view, figures["warm_ms"] = await open_timed(panel, "long_copy.py")

    probe.start()
    started = time.perf_counter()
    huge = panel.open_file("huge.log")
    while not huge.read_done:
        await asyncio.sleep(0.001)
    figures["huge_ms"] = (time.perf_counter() - started) * 1000
    figures["huge_stall_ms"] = probe.stop()
    figures["huge_notice"] = huge.notice.text_label.text()
    done(**figures)

asyncio.run(main(), loop_factory=QtEventLoop)
"""

TREE = r"""
# How long starting the watcher takes (watchfiles' RustNotify walks the whole tree) and
# how much of it is on the GUI thread (application/file_watch.py makes it in a worker).
import threading
import watchfiles.main
watcher_ms = []
watcher_gui_ms = []
real_notify = watchfiles.main.RustNotify
def timed_notify(*args, **kwargs):
    started = time.perf_counter()
    made = real_notify(*args, **kwargs)
    spent = (time.perf_counter() - started) * 1000
    watcher_ms.append(spent)
    watcher_gui_ms.append(spent if threading.current_thread() is threading.main_thread() else 0.0)
    return made
watchfiles.main.RustNotify = timed_notify

async def main():
    root = os.environ["BENCH_PROJECT"]
    bridge, panel, project = await panel_on(root)
    tree = panel.tree
    model = tree.tree_model
    await asyncio.sleep(0.5)
    gc.freeze()
    probe = BusyProbe()
    figures = {"idle_stall_ms": await idle(probe)}

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTreeView
    baseline = QTreeView()
    baseline.resize(400, 800)
    baseline.show()
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    waiting = painted_after(baseline.viewport())
    plain = QStandardItemModel()
    for entry in sorted(os.scandir(root), key=lambda e: (not e.is_dir(), e.name.casefold())):
        if entry.name != ".git":
            plain.appendRow(QStandardItem(entry.name))
    baseline.setModel(plain)
    figures["baseline_ms"] = (await waiting - started) * 1000
    baseline.close()
    await asyncio.sleep(0.3)

    panel.resize(1200, 800)
    started = time.perf_counter()
    panel.set_project(project)
    first = await painted_after(tree.viewport(), lambda: model.rowCount() > 0)
    figures["first_paint_ms"] = (first - started) * 1000

    from codeface.ui.widgets.file_tree import ROLE_IS_DIR, ROLE_PATH
    while not watcher_ms:  # the watcher's own stall is measured apart (below)
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)
    probe.start()
    started = time.perf_counter()
    pending = {""}
    all_loaded = asyncio.get_running_loop().create_future()
    def open_subfolders(loaded):
        # Open every folder inside the one just filled (the whole tree, in the end).
        folder = model.folder_index(loaded)
        for row in range(model.rowCount(folder)):
            child = model.index(row, 0, folder)
            if child.data(ROLE_IS_DIR):
                pending.add(child.data(ROLE_PATH))
                tree.expand(child)
        pending.discard(loaded)
        if not pending and not all_loaded.done():
            all_loaded.set_result(None)
    model.sig_folder_loaded.connect(open_subfolders)
    open_subfolders("")
    await all_loaded
    figures["fill_seconds"] = time.perf_counter() - started
    figures["fill_stall_ms"], figures["fill_busy_ms"] = probe.stop(), probe.busy_ms()
    figures["rows"] = sum(model.rowCount(model.folder_index(path)) for path in model.loaded)
    figures["watcher_ms"] = max(watcher_ms or [0.0])
    figures["watcher_gui_ms"] = max(watcher_gui_ms or [0.0])
    done(**figures)

asyncio.run(main(), loop_factory=QtEventLoop)
"""

START_WITH_PROJECT = r"""
first_paint = FirstPaint(lambda: done(paint=time.time()))
from codeface.cli import main
main([os.environ["BENCH_PROJECT"]])
"""

IDLE_WITH_PROJECT = r"""
def measure():
    window = codeface_window()
    done(rss=rss(), project=window.project.key if window.project else None)
on_app(lambda: when(ready, lambda: QTimer.singleShot(1500, measure)))
from codeface.cli import main
# ``codeface PROJECT``: a plain ``codeface`` would reopen it from the window state, but
# window_state.load_window_state drops the saved project (reported to the lead).
main([os.environ["BENCH_PROJECT"]])
"""


# ---------------------------------------------------------------------------- fixtures
def _write_long_file(folder: Path) -> None:
    """A 20,000-line Python module: classes, docstrings, strings, comments."""
    lines: list[str] = ['"""A long module for the code view benchmark."""', ""]
    number = 0
    while len(lines) < LINES - 12:
        lines += [
            "",
            f"class Widget{number}:",
            f'    """Widget number {number}: holds a value and a label."""',
            "",
            f"    def __init__(self, value: int = {number}) -> None:",
            f"        self.value = value * {number % 7} + 1  # scaled",
            f'        self.label = f"widget-{{value}}-{number}"',
            "",
            "    def render(self) -> str:",
            '        return "<div>" + self.label + "</div>"',
        ]
        number += 1
    lines += [""] * (LINES - len(lines))
    text = "\n".join(lines[:LINES]) + "\n"
    (folder / "long.py").write_text(text, encoding="utf-8")
    (folder / "long_copy.py").write_text(text, encoding="utf-8")
    with (folder / "huge.log").open("wb") as stream:
        stream.truncate(50 * MB)


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def _write_repository(folder: Path) -> int:
    """A git repository of 20,000 files: 80 packages of 200, a flat folder of 2,500, tests
    and docs; some files changed, some new, an ignored folder. Returns the file count."""
    count = 0

    def write(relative: str, text: str) -> None:
        nonlocal count
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        count += 1

    for package in range(80):
        for module in range(200):
            write(f"src/pkg_{package:02}/mod_{module:03}.py", f"VALUE = {module}\n")
    for item in range(2_500):
        write(f"data/item_{item:05}.json", "{}\n")
    for test in range(1_000):
        write(f"tests/test_{test:04}.py", "def test():\n    pass\n")
    while count < TREE_FILES - 2:
        write(f"docs/page_{count:05}.md", "# Page\n")
    write("README.md", "# Big\n")
    write(".gitignore", "node_modules/\n")
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "start")
    for package in range(0, 80, 8):
        (folder / f"src/pkg_{package:02}/mod_000.py").write_text("VALUE = -1\n", encoding="utf-8")
    for extra in range(50):
        (folder / f"src/pkg_01/new_{extra:02}.py").write_text("NEW = 1\n", encoding="utf-8")
    for ignored in range(500):
        path = folder / f"node_modules/lib_{ignored:03}/index.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("module.exports = 1\n", encoding="utf-8")
    return count


def _opened_with(home: Path, project: Path) -> None:
    """A home where CodeFace was opened on ``project`` and closed (it reopens it)."""
    env = _child_env(home)
    env["CODEFACE_SMOKE_TEST"] = "1"
    subprocess.run(
        [sys.executable, "-m", "codeface", str(project)],
        env=env,
        cwd=ROOT,
        timeout=120,
        check=True,
        capture_output=True,
    )


def _script(body: str) -> str:
    return CHILD_SETUP + body


# ---------------------------------------------------------------------------- figures
def bench_long_file(tmp: Path, display: str | None, where: str) -> list[dict[str, Any]]:
    """The 20,000-line file, the 50 MB one."""
    folder = tmp / "long-file"
    if not folder.exists():
        folder.mkdir()
        _write_long_file(folder)
    runs = [
        _child(
            "code_view",
            tmp / f"home-code-{where}-{n}",
            {"BENCH_PROJECT": str(folder)},
            display=display,
            script=_script(CODE_VIEW),
        )[0]
        for n in range(3)
    ]
    unwarmed = _child(
        "code_view",
        tmp / f"home-code-{where}-unwarmed",
        {"BENCH_PROJECT": str(folder), "BENCH_NO_PREWARM": "1"},
        display=display,
        script=_script(CODE_VIEW),
    )[0]

    def median(key: str) -> float:
        return _median([run[key] for run in runs])

    idle = median("idle_stall_ms")
    return [
        _row(
            f"20,000 lines: first highlighted screen, first file ({where}; baseline: bare editor)",
            median("cold_ms"),
            "ms",
            100,
            median("plain_ms"),
        ),
        _row(
            f"  the same, pygments not loaded before the file opens ({where}; one run)",
            unwarmed["cold_ms"],
            "ms",
            100,
            unwarmed["plain_ms"],
        ),
        _row(
            f"20,000 lines: first highlighted screen, next file ({where})",
            median("warm_ms"),
            "ms",
            100,
            median("plain_ms"),
        ),
        _row(
            f"20,000 lines: longest stall while opening it ({where})",
            median("open_stall_ms"),
            "ms",
            None,
            idle,
        ),
        _row(
            f"20,000 lines: longest stall while the rest fills ({where}; baseline idle)",
            median("fill_stall_ms"),
            "ms",
            16,
            idle,
        ),
        _row(
            f"  of which the GUI thread's CPU time ({median('slices'):.0f} lexing slices)",
            median("fill_busy_ms"),
            "ms",
            None,
            None,
        ),
        _row(
            f"20,000 lines: longest stall scrolling {median('pages'):.0f} pages ({where})",
            median("scroll_stall_ms"),
            "ms",
            16,
            idle,
        ),
        _row("  of which the GUI thread's CPU time", median("scroll_busy_ms"), "ms", None, None),
        _row(
            f"50 MB file: its notice shown ({where}; '{runs[0]['huge_notice'][:38]}…')",
            median("huge_ms"),
            "ms",
            None,
            None,
        ),
    ]


def bench_tree(tmp: Path, display: str | None, where: str) -> list[dict[str, Any]]:
    """The file tree of a 20,000-file repository."""
    folder = tmp / "repository"
    if not folder.exists():
        folder.mkdir()
        _write_repository(folder)
    runs = [
        _child(
            "tree",
            tmp / f"home-tree-{where}-{n}",
            {"BENCH_PROJECT": str(folder)},
            display=display,
            script=_script(TREE),
            timeout=300,
        )[0]
        for n in range(3)
    ]

    def median(key: str) -> float:
        return _median([run[key] for run in runs])

    return [
        _row(
            f"20,000-file tree: first paint ({where}; baseline: synchronous QTreeView)",
            median("first_paint_ms"),
            "ms",
            200,
            median("baseline_ms"),
        ),
        _row(
            f"20,000-file tree: longest stall opening all {median('rows'):.0f} entries "
            f"in {median('fill_seconds'):.1f} s ({where}; baseline idle)",
            median("fill_stall_ms"),
            "ms",
            50,
            median("idle_stall_ms"),
        ),
        _row("  of which the GUI thread's CPU time", median("fill_busy_ms"), "ms", None, None),
        _row(
            f"20,000-file tree: the watcher's set-up on the GUI thread ({where}; "
            "project_service.watch_project, before the fill above)",
            median("watcher_gui_ms"),
            "ms",
            50,
            None,
        ),
        _row("  the set-up itself, in its worker thread", median("watcher_ms"), "ms", None, None),
    ]


def bench_start_with_project(tmp: Path, display: str | None, where: str) -> list[dict[str, Any]]:
    """Cold start to first paint, with a project open, vs a bare window."""
    project = tmp / "long-file"
    env = {"BENCH_PROJECT": str(project)}
    home = tmp / f"start-{where}"
    _opened_with(home, project)
    no_project = _opened_before(tmp / f"start-none-{where}")
    _child("bare_paint", tmp / f"warm-bare-{where}", display=display)
    _child("x", home, env, display=display, script=START_WITH_PROJECT)
    bare, full, plain = [], [], []
    for index in range(7):
        figures, spawned = _child("bare_paint", tmp / f"bare-{where}{index}", display=display)
        bare.append(figures["paint"] - spawned)
        figures, spawned = _child("x", home, env, display=display, script=START_WITH_PROJECT)
        full.append(figures["paint"] - spawned)
        figures, spawned = _child("codeface_paint", no_project, display=display)
        plain.append(figures["paint"] - spawned)
    bare_ms = _median(bare) * 1000
    return [
        _row(
            f"cold start to first paint, project open ({where}; budget: ratio to a bare window)",
            _median(full) * 1000,
            "ms",
            1.3,
            bare_ms,
            _median([f / b for f, b in zip(full, bare, strict=True)]),
        ),
        _row(
            f"  the same, a returning user without a project ({where})",
            _median(plain) * 1000,
            "ms",
            None,
            bare_ms,
            _median([p / b for p, b in zip(plain, bare, strict=True)]),
        ),
    ]


def _idle_rss(
    home: Path, display: str | None, extra: dict[str, str], script: str | None, mode: str = "x"
) -> float:
    """Median idle RSS (MB) of three starts; with BENCH_PROJECT, that project must be open."""
    results = [_child(mode, home, extra, display=display, script=script)[0] for _ in range(3)]
    wanted = extra.get("BENCH_PROJECT")
    if wanted and any(result["project"] != wanted for result in results):
        raise RuntimeError(f"the project did not open: {results}")
    return _median([result["rss"] / MB for result in results])


def bench_idle_with_project(tmp: Path) -> list[dict[str, Any]]:
    """Idle RSS of a returning user with a project open (Ollama running), vs a bare window;
    a returning user without a project for comparison."""
    from tests.fakes.ollama_server import OllamaServer

    project = tmp / "long-file"
    rows: list[dict[str, Any]] = []
    with OllamaServer() as server, virtual_display() as display:
        homes = {name: tmp / f"idle-{name}" for name in ("project", "none")}
        for home in homes.values():
            _settings(home, ollama={"hosts": [server.url]}, general={"model": "qwen2.5-coder:7b"})
        _opened_with(homes["project"], project)
        _opened_before(homes["none"])
        for where, shown_on in (("Xvfb", display), ("offscreen", None)):
            if where == "Xvfb" and display is None:
                continue
            bare = _median(
                [
                    _child("bare_idle", tmp / f"bare-idle-{where}", display=shown_on)[0]["rss"] / MB
                    for _ in range(3)
                ]
            )
            opened = {"BENCH_PROJECT": str(project)}
            with_project = _idle_rss(homes["project"], shown_on, opened, IDLE_WITH_PROJECT)
            without = _idle_rss(homes["none"], shown_on, {}, None, "codeface_idle")
            budget = 100 if where == "Xvfb" or display is None else None
            rows += [
                _row(
                    f"idle RSS, returning user, project open ({where}; median of 3)",
                    with_project,
                    "MB",
                    budget,
                    bare,
                ),
                _row(f"  the same without a project ({where})", without, "MB", None, bare),
            ]
    return rows


def run() -> list[dict[str, Any]]:
    """Every Code dock figure with its budget and same-run baseline."""
    with tempfile.TemporaryDirectory(prefix="codeface-bench-code-") as folder:
        tmp = Path(folder)
        rows: list[dict[str, Any]] = []
        rows += _guarded(bench_long_file, tmp, None, "offscreen")
        rows += _guarded(bench_tree, tmp, None, "offscreen")
        rows += _guarded(bench_start_with_project, tmp, None, "offscreen")
        with virtual_display() as display:
            if display is not None:
                rows += _guarded(bench_long_file, tmp, display, "Xvfb")
                rows += _guarded(bench_tree, tmp, display, "Xvfb")
                rows += _guarded(bench_start_with_project, tmp, display, "Xvfb")
        rows += _guarded(bench_idle_with_project, tmp)
        return rows


def _guarded(bench: Any, *args: Any) -> list[dict[str, Any]]:
    """One group of figures; a group that fails is a row saying so (the others still run)."""
    try:
        rows: list[dict[str, Any]] = bench(*args)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return [_row(f"{bench.__name__} FAILED: {first_line[:80]}", 0, "", None, None)]
    return rows


def main() -> int:
    """Print the table."""
    from benchmarks.run import print_rows

    print_rows("code", run())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    raise SystemExit(main())
