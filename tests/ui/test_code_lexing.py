"""Lexing for the code view (no Qt): lexers from file names, runs per line in UTF-16 units,
fuzzy matching for quick open."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from pygments.token import Keyword, Name, String

from codeface.ui.code import lexing
from codeface.ui.code.fuzzy import fuzzy_filter, score_path


def spans(runs: lexing.Runs) -> list[tuple[int, int, object]]:
    return [(runs[i], runs[i + 1], lexing.token_type(runs[i + 2])) for i in range(0, len(runs), 3)]


def test_lexers_come_from_the_file_name() -> None:
    assert lexing.lexer_name_for("src/app.py") == "PythonLexer"
    assert lexing.lexer_name_for("types/index.d.ts") == "TypeScriptLexer"
    assert lexing.lexer_name_for("Makefile") == "MakefileLexer"
    assert lexing.lexer_name_for("include/list.h") == "CLexer"
    assert lexing.lexer_name_for("notes.unknown-extension") is None
    assert lexing.lexer_for_path("notes.txt") is None  # plain text is not lexed at all
    assert lexing.lexer_for_path("README") is None


def test_runs_are_in_utf16_units_and_leave_plain_text_out() -> None:
    lexer = lexing.lexer_for_path("a.py")
    assert lexer is not None
    # "😀" is one Python character but two UTF-16 units, as Qt counts them.
    lines = lexing.lex_lines(lexer, "x = '😀'\ndef f(): pass")
    assert len(lines) == 2
    first = spans(lines[0])
    assert (4, 4, String.Single) in first  # the string '😀' is 4 units long
    assert all(start != 1 for start, _, _ in first)  # the space after x is plain: no run
    second = spans(lines[1])
    assert second[0] == (0, 3, Keyword)
    assert second[1] == (4, 1, Name.Function)


def test_a_multi_line_string_colours_every_line_it_covers() -> None:
    lexer = lexing.lexer_for_path("a.py")
    assert lexer is not None
    lines = lexing.lex_lines(lexer, 'x = """one\ntwo\nthree"""\ny = 1')
    assert spans(lines[1])[0][2] in (String.Double, String.Doc)
    assert spans(lines[1])[0][:2] == (0, 3)
    assert spans(lines[3])[0] == (0, 1, Name)


def test_a_window_lexed_from_the_top_is_exact() -> None:
    lexer = lexing.lexer_for_path("a.py")
    assert lexer is not None
    text = "\n".join(f"def f{n}(x):\n    return x * {n}  # note" for n in range(200))
    whole = lexing.lex_lines(lexer, text)
    assert lexing.lex_window(lexer, text, 0, 50) == whole[:50]
    middle = lexing.lex_window(lexer, text, 100, 10)
    assert middle == whole[100:110]  # no multi-line construct: exact there too
    assert lexing.lex_window(lexer, text, 10_000, 10) == []


def test_a_minified_line_keeps_a_bounded_number_of_runs() -> None:
    lexer = lexing.lexer_for_path("a.js")
    assert lexer is not None
    (line,) = lexing.lex_lines(lexer, "var a=1;" * 5_000)
    assert len(line) // 3 == lexing.MAX_RUNS_PER_LINE


def test_a_style_gives_colours_for_token_types() -> None:
    keyword = lexing.token_style("default", lexing.token_id(Keyword))
    assert keyword.color == "#008000"
    assert keyword.bold
    dark = lexing.token_style("github-dark", lexing.token_id(Keyword))
    assert dark.color != keyword.color
    unknown_style = lexing.token_style("no-such-style", lexing.token_id(Keyword))
    assert unknown_style == keyword  # falls back to pygments' default style


@given(st.text(alphabet=st.sampled_from("ab \"#\n\t\\😀é_(){}='x1"), max_size=200))
@example('"""\n😀\n"""')
@example("\n\n")
def test_runs_stay_inside_their_lines_in_order(text: str) -> None:
    lexer = lexing.lexer_for_path("a.py")
    assert lexer is not None
    lines = lexing.lex_lines(lexer, text)
    assert len(lines) == text.count("\n") + 1
    for line_text, runs in zip(text.split("\n"), lines, strict=True):
        end = 0
        for start, length, _token in spans(runs):
            assert start >= end
            assert length > 0
            end = start + length
        assert end <= lexing.utf16_length(line_text)


def test_fuzzy_prefers_file_names_word_starts_and_short_paths() -> None:
    paths = [
        "tests/ui/test_window_main.py",
        "codeface/ui/main_window.py",
        "docs/manual/windows.md",
        "codeface/ui/widgets/sessions_sidebar.py",
    ]
    assert fuzzy_filter("mainwin", paths)[0].path == "codeface/ui/main_window.py"
    assert [m.path for m in fuzzy_filter("sesbar", paths)] == [
        "codeface/ui/widgets/sessions_sidebar.py"
    ]
    assert fuzzy_filter("zzz", paths) == []
    assert [m.path for m in fuzzy_filter("", paths)] == paths  # empty query: all, in order
    words = [m.path for m in fuzzy_filter("ui window", paths)]
    assert set(words[:2]) == {"codeface/ui/main_window.py", "tests/ui/test_window_main.py"}
    assert "codeface/ui/widgets/sessions_sidebar.py" not in words


def test_fuzzy_marks_the_matched_characters() -> None:
    match = score_path("apy", "src/app.py")
    assert match is not None
    assert "".join("src/app.py"[i] for i in match.positions) == "apy"
    assert score_path("APP", "src/app.py") is not None  # case does not matter
    assert score_path("ppa", "src/app.py") is None  # order does
