"""What an answer cost: a price table in ``resources/prices.toml``, overridable in settings."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from codeface.core.paths import resource_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens."""

    input: float
    output: float


@lru_cache(maxsize=1)
def _bundled_prices() -> dict[str, dict[str, Price]]:
    path = resource_path("prices.toml")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        log.warning("price table %s unreadable: %s", path, error)
        return {}
    return {
        kind: {model: Price(float(p["input"]), float(p["output"])) for model, p in table.items()}
        for kind, table in document.items()
        if isinstance(table, dict)
    }


def find_price(
    kind: str, model: str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> Price | None:
    """The price of ``model`` on a provider of ``kind``, or None when unknown."""
    override = (overrides or {}).get(f"{kind}/{model}")
    if override and "input" in override and "output" in override:
        return Price(float(override["input"]), float(override["output"]))
    table = _bundled_prices().get(kind, {})
    matches = [name for name in table if model.startswith(name)]
    return table[max(matches, key=len)] if matches else None


def answer_cost(
    *,
    kind: str,
    tier: str,
    model: str,
    input_tokens: int | None,
    output_tokens: int | None,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
) -> float | None:
    """Dollars for one answer: 0 for local models, None when the price is unknown."""
    if tier == "local":
        return 0.0
    price = find_price(kind, model, overrides)
    if price is None:
        return None
    return ((input_tokens or 0) * price.input + (output_tokens or 0) * price.output) / 1e6
