"""The registries of reporting units and indicators, read from the data files beside this module.

Names as districts write them (full-width characters, spaces, the suffix 红十字会, numbering,
the unit of measure in brackets) are folded to one key before they are looked up, so the
registries list each accepted spelling once.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from core.text import fold, split_label

UNIT_SUFFIX = "红十字会"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    admin_code: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    stored_unit: str
    shown_unit: str
    kind: str  # "count" or "money"
    province_target: bool
    aliases: tuple[str, ...]


class RegistryError(ValueError):
    """A registry file that contradicts itself (an alias naming two codes, say)."""


@dataclass(frozen=True)
class Registry:
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]

    def unit_for(self, written: str) -> Unit | None:
        """The unit a form names, or None: a name that matches nothing is never guessed."""
        key = fold(written)
        if key in self._unit_lookup:
            return self._unit_lookup[key]
        if key.endswith(UNIT_SUFFIX):
            return self._unit_lookup.get(key[: -len(UNIT_SUFFIX)])
        return None

    @cached_property
    def _unit_lookup(self) -> dict[str, Unit]:
        return _lookup(self.units, _unit_keys)

    @cached_property
    def indicator_keys(self) -> dict[str, str]:
        """Folded label -> indicator_code, for joining against form rows."""
        return {key: ind.code for key, ind in _lookup(self.indicators, _indicator_keys).items()}

    def indicator(self, code: str) -> Indicator:
        return next(ind for ind in self.indicators if ind.code == code)

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)


def _unit_keys(unit: Unit) -> list[str]:
    return [fold(n) for n in (unit.name, unit.code, *unit.aliases)]


def _indicator_keys(ind: Indicator) -> list[str]:
    return [split_label(n)[0] for n in (ind.name, ind.code, *ind.aliases)]


def _lookup(entries, keys_of) -> dict:
    table: dict = {}
    for entry in entries:
        for key in keys_of(entry):
            other = table.setdefault(key, entry)
            if other.code != entry.code:
                raise RegistryError(f"'{key}' names both {other.code} and {entry.code}")
    return table


def _split_aliases(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


def _rows(path: Path | None, default_name: str) -> list[dict[str, str]]:
    if path is None:
        text = resources.files(__package__).joinpath("registry", default_name).read_text("utf-8")
    else:
        text = path.read_text("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def load_registry(units_csv: Path | None = None, indicators_csv: Path | None = None) -> Registry:
    """Read the registries; the bundled defaults unless a home supplies its own files."""
    units = tuple(
        Unit(r["unit_code"], r["unit_name"], r["unit_kind"], r["admin_code"] or None,
             _split_aliases(r["aliases"]))
        for r in _rows(units_csv, "units.csv")
    )
    indicators = tuple(
        Indicator(r["indicator_code"], r["indicator_name"], r["stored_unit"], r["shown_unit"],
                  r["kind"], r["province_target"] == "yes", _split_aliases(r["aliases"]))
        for r in _rows(indicators_csv, "indicators.csv")
    )
    registry = Registry(units, indicators)
    _ = registry._unit_lookup, registry.indicator_keys  # an ambiguous alias fails here, at load
    return registry
