"""A command's environment and output: credentials removed, output decoded, cleaned and cut."""

from __future__ import annotations

from codeface.workspace.command_output import OutputCollector, command_environment


def test_environment_drops_keys_by_name_and_by_value() -> None:
    env = command_environment(
        {
            "PATH": "/usr/bin",
            "ANTHROPIC_API_KEY": "sk-ant-123456789",
            "OPENAI_API_KEY": "sk-openai-123456789",
            "GROQ_API_KEY": "gsk-123456789",
            "CODEFACE_OLLAMA_KEY": "ollama-key-123",
            "CODEFACE_SECRET_THING": "secret-thing-1",
            "CODEFACE_THEME": "dark",
            "COPIED": "prefix sk-ant-123456789 suffix",
            "FROM_KEYRING": "keyring-value-99",
            "SHORT": "abc",
            "TMUX": "/tmp/tmux-0/default,1,0",
        },
        secrets=["keyring-value-99", "abc"],  # too short to match safely: ignored
    )
    assert env["PATH"] == "/usr/bin"
    assert env["CODEFACE_THEME"] == "dark"
    assert env["SHORT"] == "abc"
    for name in (
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "GROQ_API_KEY",
        "CODEFACE_OLLAMA_KEY",
        "CODEFACE_SECRET_THING",
        "COPIED",
        "FROM_KEYRING",
        "TMUX",
    ):
        assert name not in env, name
    assert (env["TERM"], env["NO_COLOR"], env["PAGER"], env["GIT_PAGER"]) == (
        "dumb",
        "1",
        "cat",
        "cat",
    )
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert "COLORTERM" not in env


def test_escape_sequences_split_across_chunks_are_removed() -> None:
    collector = OutputCollector()
    shown = [
        collector.feed(chunk)
        for chunk in (b"\x1b[3", b"1mred\x1b", b"[0m ok\x1b]0;ti", b"tle\x07!\n")
    ]
    assert "".join(shown) == "red ok!\n" == collector.text()


def test_invalid_utf8_is_replaced_and_multibyte_characters_survive_splits() -> None:
    collector = OutputCollector()
    data = "żółw\n".encode()
    text = (
        collector.feed(data[:1]) + collector.feed(data[1:3]) + collector.feed(data[3:] + b"\xff\n")
    )
    text += collector.feed(b"", final=True)
    assert text == "żółw\n\ufffd\n" == collector.text()


def test_head_and_tail_are_kept_and_the_cut_is_marked() -> None:
    collector = OutputCollector(head_chars=10, tail_chars=10)
    for number in range(1000):
        collector.feed(f"{number:04d}\n".encode())
    text = collector.text()
    assert collector.cut
    assert text.startswith("0000\n0001\n")
    assert text.endswith("0998\n0999\n")
    assert "[… 4,980 characters of output cut here …]" in text
    assert collector.total_lines == 1000


def test_crlf_and_progress_redraws() -> None:
    collector = OutputCollector()
    collector.feed(b"a\r\nb\r\n10%\r20%\r30%\ndone\n")
    assert collector.text() == "a\nb\n30%\ndone\n"
