"""The repo map: symbols of a mixed-language tree, ranked by references, cut to the budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeface.workspace import Workspace
from codeface.workspace.languages import available_grammars
from codeface.workspace.repo_map import estimate_tokens
from tests.workspace.conftest import write

MIXED: dict[str, str | bytes] = {
    ".gitignore": "vendor/\n",
    "core/engine.py": (
        "class Engine:\n"
        "    def run(self, goal: str) -> str:\n"
        "        return goal\n\n"
        "def rarely_used(x):\n"
        "    return x\n"
    ),
    "core/cli.py": "from core.engine import Engine\n\ndef main() -> None:\n    Engine().run('x')\n",
    "web/app.ts": (
        "import { Engine } from './engine';\n"
        "export interface Options { verbose: boolean }\n"
        "export class Server {\n  start(options: Options): void {}\n}\n"
        "export const makeServer = (options: Options) => new Server();\n"
    ),
    "web/client.js": "function connect(url) { return new Server(url) }\nclass Socket {}\n",
    "web/view.tsx": "export function View(props: Options) { return <div>{props.verbose}</div> }\n",
    "web/routes.ts": "const server: Server = makeServer({ verbose: true } as Options);\n",
    "svc/main.go": (
        "package main\n\ntype Engine struct{}\n\n"
        "func (e *Engine) Run(goal string) error { return nil }\n\nfunc main() {}\n"
    ),
    "lib/parse.rs": (
        "pub struct Parser;\n\nimpl Parser {\n    pub fn parse(&self, input: &str) -> usize { 0 }\n}\n\n"
        "pub trait Visitor { fn visit(&self); }\n\nfn helper() {}\n"
    ),
    "notes.md": "Engine Server Options Parser connect\n",
    "vendor/big.py": "def vendored():\n    pass\n",
    "broken.py": "def oops(:\n",
    "image.py": b"\x00\x01binary",
}


@pytest.fixture
def mixed(project: Path) -> Path:
    write(project, MIXED)
    return project


def test_all_bundled_grammars_load_offline() -> None:
    assert set(available_grammars()) == {"javascript", "typescript", "tsx", "go", "rust"}


@pytest.mark.asyncio
async def test_map_shows_every_language_with_signatures(mixed: Path) -> None:
    text = await Workspace.open(mixed).repo_map(token_budget=4000)
    for expected in (
        "core/engine.py:\n",
        "  class Engine\n",
        "    def run(self, goal: str) -> str\n",
        "  def rarely_used(x)\n",
        "web/app.ts:\n",
        "  interface Options\n",
        "  class Server\n",
        "    start(options: Options): void\n",
        "  const makeServer = (options: Options)\n",
        "web/client.js:\n",
        "  function connect(url)\n",
        "web/view.tsx:\n",
        "  function View(props: Options)\n",
        "svc/main.go:\n",
        "  type Engine struct{}\n",
        "  func (e *Engine) Run(goal string) error\n",
        "lib/parse.rs:\n",
        "  pub struct Parser\n",
        "    pub fn parse(&self, input: &str) -> usize\n",
        "  pub trait Visitor\n",
    ):
        assert expected in text, expected
    assert "vendored" not in text  # ignored folder
    assert "broken.py" not in text
    assert "image.py" not in text
    assert "notes.md" not in text  # not source code: neither shown nor counted as a reference


@pytest.mark.asyncio
async def test_most_referenced_symbols_and_files_come_first(mixed: Path) -> None:
    text = await Workspace.open(mixed).repo_map(token_budget=4000)
    files = [line[:-1] for line in text.splitlines(keepends=True) if not line.startswith(" ")]
    # Options and Server are named in two other files each, Engine in two (but defined in
    # two, so it counts half); rarely_used and helper in none.
    assert files[0] == "web/app.ts:"
    assert files.index("core/engine.py:") < files.index("lib/parse.rs:")
    assert text.index("  class Server") < text.index("  def rarely_used(x)")


@pytest.mark.asyncio
async def test_budget_is_respected_and_keeps_the_best(mixed: Path) -> None:
    workspace = Workspace.open(mixed)
    full = await workspace.repo_map(token_budget=4000)
    sizes = []
    for budget in (30, 60, 120, 4000):
        text = await workspace.repo_map(token_budget=budget)
        assert estimate_tokens(text) <= budget
        sizes.append(len(text))
    assert sizes == sorted(sizes)
    assert sizes[0] > 0
    small = await workspace.repo_map(token_budget=30)
    assert "interface Options" in small or "class Server" in small
    assert "helper" not in small
    assert await workspace.repo_map(token_budget=0) == ""
    assert len(full) == sizes[-1]


@pytest.mark.asyncio
async def test_a_changed_file_is_parsed_again(mixed: Path) -> None:
    workspace = Workspace.open(mixed)
    assert "def brand_new" not in await workspace.repo_map(token_budget=4000)
    (mixed / "core" / "engine.py").write_text("def brand_new(a, b):\n    return a\n")
    text = await workspace.repo_map(token_budget=4000)
    assert "def brand_new(a, b)" in text
    assert "class Engine\n" not in text.split("svc/")[0]


@pytest.mark.asyncio
async def test_empty_project_has_an_empty_map(project: Path) -> None:
    assert await Workspace.open(project).repo_map() == ""
