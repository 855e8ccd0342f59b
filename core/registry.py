"""The registries of reporting units and indicators, read from the data files beside this module.

Names as districts write them (full-width characters, spaces, numbering, the unit of measure in
brackets) are folded to one key before they are looked up, so the registries list each accepted
spelling once. A unit's official full name (the levels above it in front, 红十字会 after it, a
note in brackets) is taken apart by the fixed rule of `registry/unit_names.toml`.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from redcross.core.formulas import Formula, load_formulas
from redcross.core.labels import fold, split_label

_BRACKETED_NOTE = re.compile(r"\([^()]*\)$")  # folded: full-width brackets are ASCII by then


@dataclass(frozen=True)
class UnitNames:
    """What may stand around a unit's name: the levels above it in front, a suffix after it."""

    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def bare(self, key: str) -> str:
        """A folded name without one prefix and then one suffix, the longest of each that fits."""
        for affixes, cut in ((self.prefixes, lambda k, a: k[len(a):] if k.startswith(a) else None),
                             (self.suffixes, lambda k, a: k[: -len(a)] if k.endswith(a) else None)):
            key = next((rest for a in sorted(affixes, key=len, reverse=True) if (rest := cut(key, a))), key)
        return key


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
    unit_names: UnitNames = field(default_factory=UnitNames)
    formulas: tuple[Formula, ...] = ()  # the audit formulas (core.formulas): rules.toml's, then the home's

    def unit_for(self, written: str) -> Unit | None:
        """The unit a form names, or None: a name that matches nothing is never guessed.

        The name as written, less a bracketed note at its end, is looked up; failing that, the
        same less one prefix and one suffix of `unit_names`. Both are exact matches.
        """
        key = _BRACKETED_NOTE.sub("", fold(written)) or fold(written)
        found = self._unit_lookup.get(key)
        return found if found is not None else self._unit_lookup.get(self.unit_names.bare(key))

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


def _unit_names(path: Path | None) -> UnitNames:
    if path is None:
        text = resources.files(__package__).joinpath("registry", "unit_names.toml").read_text("utf-8")
    else:
        text = path.read_text("utf-8-sig")
    table = tomllib.loads(text)
    return UnitNames(tuple(fold(p) for p in table.get("prefixes", ())),
                     tuple(fold(s) for s in table.get("suffixes", ())))


def load_registry(units_csv: Path | None = None, indicators_csv: Path | None = None,
                  unit_names_toml: Path | None = None, rules_toml: Path | None = None) -> Registry:
    """Read the registries; the bundled defaults unless a home supplies its own files. The audit
    formulas are rules.toml's and, from `rules_toml`, the home's; one that cannot be used raises
    core.formulas.FormulaError."""
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
    default_rules = resources.files(__package__).joinpath("rules.toml").read_text("utf-8")
    formulas = load_formulas(default_rules, rules_toml, {ind.code for ind in indicators},
                             set(tomllib.loads(default_rules)["rules"]))
    registry = Registry(units, indicators, _unit_names(unit_names_toml), formulas)
    _ = registry._unit_lookup, registry.indicator_keys  # an ambiguous alias fails here, at load
    return registry
