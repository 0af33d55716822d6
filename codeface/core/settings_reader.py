"""Walking a parsed settings document into the settings dataclasses, one problem per bad value.

`SettingsReader` keeps every valid value and, for each invalid one, records a
`SettingsProblem` naming the key, the value and what is allowed, then uses the private
fallback it was given for that key (where a prompt may go) or else the field's default.
A key in a known section that CodeFace does not know is kept (in ``extra``) and reported,
with the known key it most looks like; if that is a privacy key left unset, its private
fallback is used. Unknown top-level tables are kept silently unless they look like a
misspelt section name, or a known key written above every section header.
"""

from __future__ import annotations

import difflib
from dataclasses import MISSING, Field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

from codeface.core.setting_checks import InvalidSetting, check, show, within

if TYPE_CHECKING:
    from codeface.core.settings import SettingsProblem

_PRICE_RANGE = within(0, 10_000)
_UNSET = object()


def _default(item: Field[Any]) -> Any:
    if item.default is not MISSING:
        return item.default
    if item.default_factory is not MISSING:
        return item.default_factory()
    return None  # pragma: no cover - every settings field has a default


def _guess(name: str, known: list[str]) -> str | None:
    matches = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.75)
    return matches[0] if matches else None


class SettingsReader:
    """Collects the problems of one settings file while building its dataclasses."""

    def __init__(
        self, file: Path, private: dict[str, dict[str, Any]], extra_sections: frozenset[str]
    ) -> None:
        self.file = file
        self.private = private
        self.extra_sections = extra_sections
        self.problems: list[SettingsProblem] = []

    # ------------------------------------------------------------------ reporting
    def problem(self, key: str, message: str) -> None:
        """Record one problem."""
        from codeface.core.settings import SettingsProblem

        self.problems.append(SettingsProblem(self.file, key, message))

    def invalid(self, key: str, value: Any, reason: str, instead: str) -> None:
        """Record "key = value <reason>; <instead>"."""
        self.problem(key, f"{key} = {show(value)} {reason}; {instead}")

    # ------------------------------------------------------------------ the document
    def read(self, settings_class: type[Any], document: dict[str, Any], extra: Any) -> Any:
        """The settings object for ``document`` (``extra`` is kept for unknown keys)."""
        settings = settings_class(extra=extra)
        hints = get_type_hints(settings_class)
        sections = [item.name for item in fields(settings_class) if item.name != "extra"]
        for name in sections:
            if name not in document:
                continue
            raw, expected = document[name], hints[name]
            if get_origin(expected) is list:
                value: Any = self.tables(get_args(expected)[0], name, raw)
            elif get_origin(expected) is dict:
                value = self.prices(name, raw)
            else:
                value = self.section(expected, name, raw)
            setattr(settings, name, value)
        for name, raw in document.items():
            if name not in sections and name not in self.extra_sections:
                self.stray(settings, hints, sections, document, name, raw)
        return settings

    def stray(
        self,
        settings: Any,
        hints: dict[str, Any],
        sections: list[str],
        document: dict[str, Any],
        name: str,
        raw: Any,
    ) -> None:
        """An unknown top-level key: reported when it looks like a slip, else kept silently."""
        owners = [
            section
            for section in sections
            if is_dataclass(hints[section]) and name in {f.name for f in fields(hints[section])}
        ]
        if not isinstance(raw, dict) and owners:
            section = owners[0]
            message = (
                f"{name} is above every [section] header, so CodeFace ignores it "
                f"(did you mean it under [{section}]?)"
            )
            self.problem(name, message + self._private_instead(settings, section, name, document))
            return
        guess = _guess(name, sections) if isinstance(raw, dict) else None
        if guess is None or guess in document:
            return
        message = (
            f"[{name}] is not a section CodeFace knows (did you mean [{guess}]?); it is ignored"
        )
        extra = ""
        for key in self.private.get(guess, {}):
            extra += self._private_instead(settings, guess, key, document)
        self.problem(name, message + extra)

    def _private_instead(
        self, settings: Any, section: str, key: str, document: dict[str, Any]
    ) -> str:
        """Apply the private fallback of ``section.key`` when it is not validly set."""
        fallbacks = self.private.get(section, {})
        table = document.get(section)
        if key not in fallbacks or (isinstance(table, dict) and key in table):
            return ""
        target = getattr(settings, section, None)
        if target is None or isinstance(target, list | dict):
            return ""
        setattr(target, key, fallbacks[key])
        return f"; using {section}.{key} = {show(fallbacks[key])} (the private choice) until then"

    # ------------------------------------------------------------------ sections
    def section(self, section_class: type[Any], name: str, table: Any, family: str = "") -> Any:
        """One section's dataclass: valid values kept, invalid ones replaced and reported."""
        private = self.private.get(family or name, {})
        if not isinstance(table, dict):
            instead = "using the defaults" + "".join(
                f"; {key} = {show(value)} (the private choice)" for key, value in private.items()
            )
            self.invalid(name, table, f"must be a table ([{name}])", instead)
            return section_class(**private)
        hints = get_type_hints(section_class)
        known = {item.name: item for item in fields(section_class)}
        values: dict[str, Any] = {}
        for key, raw in table.items():
            item = known.get(key)
            if item is None:
                self._unknown_key(name, key, list(known), table, private, values)
                continue
            value = self.value(f"{name}.{key}", raw, hints[key], item, private)
            if value is not _UNSET:
                values[key] = value
        return section_class(**values)

    def _unknown_key(
        self,
        section: str,
        key: str,
        known: list[str],
        table: dict[str, Any],
        private: dict[str, Any],
        values: dict[str, Any],
    ) -> None:
        guess = _guess(key, known)
        path = f"{section}.{key}"
        hint = f" (did you mean {guess}?)" if guess else ""
        message = (
            f"{path} is not a setting CodeFace knows{hint}; it is kept in the file and ignored"
        )
        if guess is not None and guess in private and guess not in table:
            values[guess] = private[guess]
            message += f"; using {section}.{guess} = {show(private[guess])} (the private choice) until then"
        self.problem(path, message)

    def value(
        self, path: str, raw: Any, expected: Any, item: Field[Any], private: dict[str, Any]
    ) -> Any:
        """One checked value, or the fallback (`_UNSET`: the field's default)."""
        if get_origin(expected) is list:
            return self.items(path, raw, get_args(expected)[0], item)
        try:
            return check(raw, expected, item.metadata)
        except InvalidSetting as bad:
            if item.name in private:
                fallback = private[item.name]
                self.invalid(path, raw, bad.reason, f"using {show(fallback)} (the private choice)")
                return fallback
            self.invalid(path, raw, bad.reason, f"using the default {show(_default(item))}")
            return _UNSET

    def items(self, path: str, raw: Any, inner: Any, item: Field[Any]) -> Any:
        """A list: each valid element kept, each invalid one left out and reported."""
        if not isinstance(raw, list):
            self.invalid(path, raw, "must be a list", f"using the default {show(_default(item))}")
            return _UNSET
        kept = []
        for index, element in enumerate(raw):
            try:
                kept.append(check(element, inner, item.metadata))
            except InvalidSetting as bad:
                self.invalid(f"{path}[{index}]", element, bad.reason, "it is left out")
        return kept

    def tables(self, table_class: type[Any], name: str, raw: Any) -> list[Any]:
        """An array of tables (``[[compatible]]``); entries that are not tables are left out."""
        if not isinstance(raw, list):
            self.invalid(name, raw, f"must be a list of [[{name}]] tables", "none is used")
            return []
        kept = []
        for index, table in enumerate(raw):
            path = f"{name}[{index}]"
            if not isinstance(table, dict):
                self.invalid(path, table, "must be a table", "it is left out")
                continue
            kept.append(self.section(table_class, path, table, family=name))
        return kept

    def prices(self, name: str, raw: Any) -> dict[str, dict[str, float]]:
        """Price overrides: ``"kind/model" = {input = …, output = …}`` in dollars per million."""
        if not isinstance(raw, dict):
            self.invalid(name, raw, "must be a table", "the bundled prices are used")
            return {}
        prices: dict[str, dict[str, float]] = {}
        for model, entry in raw.items():
            path = f'{name}."{model}"'
            wanted = "must be a table like { input = 3.0, output = 15.0 }"
            if not isinstance(entry, dict) or not {"input", "output"} <= entry.keys():
                self.invalid(path, entry, wanted, "it is left out")
                continue
            try:
                prices[model] = {
                    part: check(entry[part], float, _PRICE_RANGE) for part in ("input", "output")
                }
            except InvalidSetting as bad:
                self.invalid(path, entry, f"has a price that {bad.reason}", "it is left out")
        return prices
