"""Why a shell command must always ask: it reaches the network, touches files outside the
project, reads credentials, or cannot be checked.

The command line is split with a shell-aware tokenizer into its simple commands (``;``,
``&&``, ``||``, pipes, background ``&``, newlines), and each part is checked on its own,
so ``pytest && curl …`` is not let through by a rule for ``pytest``. These checks are a
guard for approvals, not a sandbox: CodeFace says so in its docs.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_OPERATORS = {";", "&&", "||", "|", "&", "|&", ";;", "(", ")", "\n"}
_REDIRECTS = {">", ">>", "<", "<<", "<<<", ">|", "&>", "&>>", "2>", "2>>", ">&", "<&"}
_NETWORK_PROGRAMS = {
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "ssh",
    "scp",
    "sftp",
    "ftp",
    "telnet",
    "rsync",
    "http",
    "https",
    "aria2c",
    "ping",
    "dig",
    "nslookup",
    "host",
    "whois",
    "mosh",
}
_NETWORK_SUBCOMMANDS = {
    "git": {"push", "pull", "fetch", "clone", "ls-remote", "remote", "submodule", "send-email"},
    "pip": {"install", "download", "uninstall"},
    "pip3": {"install", "download", "uninstall"},
    "uv": {"pip", "add", "sync", "tool", "run", "lock"},
    "poetry": {"install", "add", "update", "publish", "lock"},
    "npm": {"install", "i", "ci", "add", "publish", "update", "exec", "x"},
    "npx": None,
    "pnpm": {"install", "i", "add", "publish", "update", "dlx"},
    "yarn": {"install", "add", "publish", "upgrade", "dlx"},
    "cargo": {"install", "publish", "fetch", "update", "add", "search"},
    "go": {"get", "install", "mod"},
    "gem": {"install", "push", "update"},
    "apt": None,
    "apt-get": None,
    "brew": None,
    "docker": {"pull", "push", "run", "login", "build"},
    "podman": {"pull", "push", "run", "login", "build"},
    "conda": {"install", "create", "update"},
    "mamba": {"install", "create", "update"},
}
_ELEVATED = {"sudo", "su", "doas", "pkexec"}
_WRAPPERS = {"env", "nohup", "time", "nice", "timeout", "command", "builtin", "exec", "xargs"}
_CREDENTIAL_PROGRAMS = {"security", "secret-tool", "keyring", "gpg", "pass", "op", "bw", "vault"}
_CREDENTIAL_NAMES = (
    ".ssh",
    ".gnupg",
    ".aws",
    ".netrc",
    ".pgpass",
    ".docker",
    ".kube",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    "id_rsa",
    "id_ed25519",
    "id_ecdsa",
    "keychain",
    ".password-store",
    "credentials",
)
_SAFE_ABSOLUTE = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty")
_WITH_SUBCOMMANDS = {
    "git",
    "npm",
    "pnpm",
    "yarn",
    "cargo",
    "go",
    "uv",
    "poetry",
    "docker",
    "podman",
    "make",
    "just",
    "dotnet",
    "mvn",
    "gradle",
    "bundle",
    "rake",
    "mix",
    "kubectl",
    "hatch",
    "tox",
    "nox",
}


@dataclass(frozen=True)
class CommandRisk:
    """The reasons a command must ask (empty when it may follow the usual policy) and the
    programs it runs, for allow-for-this-session rules."""

    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    """One rule per simple command: the program, with its subcommand for tools that have
    them (``pytest``, ``git status``, ``python -m pytest``)."""

    @property
    def risky(self) -> bool:
        """Whether the command must always ask."""
        return bool(self.reasons)


def split_commands(command: str) -> list[list[str]] | None:
    """The simple commands of a command line as word lists; None when it cannot be split
    reliably (unbalanced quotes)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        return None
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in _OPERATORS or set(token) <= set(";&|()"):
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _program(words: list[str]) -> tuple[str, list[str]]:
    """The program a simple command runs (past wrappers and VAR=value prefixes)."""
    if [PurePosixPath(word).name for word in words] in (["env"], ["printenv"]):
        return "printenv", []
    index = 0
    while index < len(words):
        word = words[index]
        name = PurePosixPath(word).name
        if "=" in word and not word.startswith(("=", "-")) and name == word:
            index += 1
        elif name in _WRAPPERS:
            index += 1
            while index < len(words) and words[index].startswith("-"):
                index += 1
            if name == "timeout" and index < len(words):
                index += 1
        else:
            return name, words[index + 1 :]
    return "", []


def _rule(program: str, arguments: list[str]) -> str:
    if program.startswith("python") and arguments[:1] == ["-m"] and len(arguments) > 1:
        return f"{program} -m {arguments[1]}"
    if program in _WITH_SUBCOMMANDS:
        first = next((a for a in arguments if not a.startswith("-")), "")
        return f"{program} {first}".strip()
    return program


def _outside(word: str, root: Path, home: Path) -> bool:
    if word.startswith("~"):
        word = str(home) + word[1:]
    if "://" in word:
        return False
    if word.startswith("/"):
        if word.startswith(_SAFE_ABSOLUTE):
            return False
        candidate = Path(word)
    elif ".." in PurePosixPath(word).parts:
        candidate = root / word
    else:
        return False
    resolved = Path(os.path.normpath(candidate))
    return resolved != root and root not in resolved.parents


def _mentions_credentials(word: str, private: tuple[Path, ...]) -> bool:
    lowered = word.lower()
    name = PurePosixPath(lowered).name
    if name == ".env" or name.startswith(".env.") or name.endswith((".pem", ".key", ".p12")):
        return True
    if any(part in PurePosixPath(lowered).parts for part in _CREDENTIAL_NAMES):
        return True
    return any(str(folder) in word for folder in private)


def assess_command(
    command: str,
    root: Path,
    *,
    home: Path | None = None,
    private_folders: tuple[Path, ...] = (),
) -> CommandRisk:
    """Check a command line against the project ``root``; ``private_folders`` are
    CodeFace's own data folders (keys, database), which count as credentials."""
    home = home or Path.home()
    parts = split_commands(command)
    if parts is None:
        return CommandRisk(("its quoting could not be read, so it cannot be checked",), ())
    reasons: list[str] = []
    rules: list[str] = []
    if "$(" in command or "`" in command or "<(" in command or ">(" in command:
        reasons.append("it runs a command substitution that cannot be checked in advance")
    for words in parts:
        program, arguments = _program(words)
        if not program:
            continue
        rules.append(_rule(program, arguments))
        if program in _ELEVATED:
            reasons.append(f"`{program}` runs it with elevated rights")
        if program in _NETWORK_PROGRAMS:
            reasons.append(f"`{program}` reaches the network")
        elif program in _NETWORK_SUBCOMMANDS:
            subcommands = _NETWORK_SUBCOMMANDS[program]
            first = next((a for a in arguments if not a.startswith("-")), "")
            if subcommands is None or first in subcommands:
                reasons.append(f"`{program} {first}`".rstrip("` ") + "` may reach the network")
        elif program.startswith("python") and arguments[:2] == ["-m", "pip"]:
            reasons.append("`pip` may reach the network")
        if program in _CREDENTIAL_PROGRAMS:
            reasons.append(f"`{program}` reads stored secrets")
        if program == "printenv":
            reasons.append("it prints the environment, which may hold secrets")
        if program == "cd" and arguments and _outside(arguments[0], root, home):
            reasons.append(f"it changes to {arguments[0]}, outside the project")
        for word in [program, *arguments]:
            if word in _REDIRECTS:
                continue
            target = word.lstrip("<>&0123456789") if word[:1] in "<>" else word
            if "://" in target and not target.startswith("file://"):
                reasons.append(f"it names a network address ({target[:60]})")
            elif "/dev/tcp/" in target or "/dev/udp/" in target:
                reasons.append("it opens a network socket")
            elif _mentions_credentials(target, private_folders):
                reasons.append(f"it touches {target[:60]}, which may hold credentials")
            elif _outside(target, root, home):
                reasons.append(f"it touches {target[:60]}, outside the project")
    unique = tuple(dict.fromkeys(reasons))
    return CommandRisk(unique, tuple(dict.fromkeys(rules)))
