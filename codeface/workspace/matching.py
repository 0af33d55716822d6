"""Telling a model why its search text did not match: the count, and the closest lines.

An exact search/replace edit fails when the old text occurs zero times or several times.
Small models then loop on the same mistake unless told precisely what is there: the
message gives the match count (with the lines of each match) or the closest lines of the
file, with whitespace made visible (``·`` a space, ``→`` a tab, ``␍`` a carriage return),
and says when the only difference is whitespace.
"""

from __future__ import annotations

import difflib

SHOWN_LINES = 12
_CANDIDATES = 8


def positions(haystack: str, needle: str) -> list[int]:
    """Every offset where ``needle`` starts in ``haystack``, overlapping matches included."""
    found: list[int] = []
    start = haystack.find(needle)
    while start != -1:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


def line_number_at(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def visible(line: str) -> str:
    """``line`` with spaces, tabs and carriage returns drawn as ``·``, ``→`` and ``␍``."""
    return line.replace(" ", "·").replace("\t", "→").replace("\r", "␍")


def _numbered(lines: list[str], first: int | None) -> str:
    """``lines`` made visible, each after its line number (or a blank gutter)."""
    shown = lines[:SHOWN_LINES]
    body = "\n".join(
        f"  {'' if first is None else first + index:>5}│{visible(line)}"
        for index, line in enumerate(shown)
    )
    if len(lines) > SHOWN_LINES:
        body += f"\n  … {len(lines) - SHOWN_LINES} more lines"
    return body


def several_matches_message(relative: str, text: str, needle: str, found: list[int]) -> str:
    """The message for an old text that occurs more than once."""
    lines = ", ".join(str(line_number_at(text, offset)) for offset in found[:10])
    more = ", …" if len(found) > 10 else ""
    return (
        f"old_text occurs {len(found)} times in {relative} (at lines {lines}{more}); it must "
        "occur exactly once. Include more of the surrounding lines so it matches one place."
    )


def closest_window(file_lines: list[str], wanted: list[str]) -> tuple[int, float]:
    """The 0-based start of the ``len(wanted)`` lines most like ``wanted``, and the similarity."""
    size = max(1, len(wanted))
    if not file_lines:
        return 0, 0.0
    target = "\n".join(wanted)
    anchors = [line.strip() for line in wanted if line.strip()][:1]
    anchor = anchors[0] if anchors else target
    offset = next((i for i, line in enumerate(wanted) if line.strip() == anchor), 0)
    ranked: list[tuple[float, int]] = []
    matcher = difflib.SequenceMatcher(None, "", anchor, autojunk=False)
    for index, line in enumerate(file_lines):
        matcher.set_seq1(line.strip())
        if matcher.real_quick_ratio() < 0.3:
            continue
        ranked.append((matcher.quick_ratio(), index))
    ranked.sort(reverse=True)
    best = (0, 0.0)
    for _, index in ranked[:_CANDIDATES]:
        start = max(0, min(index - offset, len(file_lines) - size))
        window = "\n".join(file_lines[start : start + size])
        ratio = difflib.SequenceMatcher(None, window, target, autojunk=False).ratio()
        if ratio > best[1]:
            best = (start, ratio)
    return best


def not_found_message(relative: str, text: str, needle: str) -> str:
    """The message for an old text that does not occur: the closest lines, whitespace shown."""
    file_lines = text.split("\n")
    wanted = needle.split("\n")
    if len(wanted) > 1 and wanted[-1] == "":
        wanted.pop()
    start, ratio = closest_window(file_lines, wanted)
    parts = [f"old_text was not found in {relative}."]
    if ratio >= 0.5:
        window = file_lines[start : start + len(wanted)]
        parts.append(
            f"The closest text is at lines {start + 1}-{start + len(window)} "
            f"({ratio:.0%} similar); whitespace shown as · (space), → (tab), ␍ (CR):"
        )
        parts.append(_numbered(window, start + 1))
        parts.append("Your old_text:")
        parts.append(_numbered(wanted, None))
        if [line.strip() for line in window] == [line.strip() for line in wanted]:
            parts.append(
                "They differ only in whitespace (indentation or trailing spaces): copy the "
                "text exactly as the file has it."
            )
    else:
        parts.append("Nothing in the file is close to it.")
    parts.append("Read the file again and copy old_text exactly, including indentation.")
    return "\n".join(parts)
