"""The report of a period: the city's figures and each unit's, with where every figure came from.

Built from the published warehouse through its named queries; every format (`report.text`,
`report.html`, `report.xlsx`) renders this same `Report`, so all show the same figures, computed
from exact totals and rounded half-up once, at display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import duckdb

from core.decimals import percent
from core.periods import period_label
from core.registry import Registry
from warehouse import queries

# The chart of each unit's share of the city totals (a bar segment per unit, in the xlsx a series
# per unit): a city's handful reads well, a province's thousands would not, and Excel refuses a
# chart of more than 255 series. Both formats leave it out beyond this many units.
CONTRIBUTION_CHART_UNITS = 40


@dataclass(frozen=True)
class Figure:
    indicator_code: str
    scope: str  # "city" or a unit_code
    total: Decimal
    target: Decimal | None
    prior_total: Decimal | None

    @property
    def completion(self) -> Fraction | None:
        return percent(self.total, self.target)

    @property
    def growth(self) -> Fraction | None:
        if self.prior_total is None:
            return None
        return percent(self.total - self.prior_total, self.prior_total)


@dataclass(frozen=True)
class Source:
    """Where one unit's figure came from: the submission's file and the cell that held it."""

    indicator_code: str
    unit_code: str
    unit_name: str
    value: Decimal
    file_name: str
    sha256: str
    sheet: str
    cell: str
    messages: str  # the submission's warnings, in Chinese; empty when there were none


@dataclass(frozen=True)
class UnitRow:
    """One unit's line in an indicator's breakdown; `figure` is None for a unit that has not reported."""

    rank: int | None
    unit_code: str
    unit_name: str
    figure: Figure | None
    share: Fraction | None  # of the city total, x 100


@dataclass(frozen=True)
class Report:
    year: int
    month: int
    figures: list[Figure]
    registry: Registry
    missing_units: list[str]
    sources: tuple[Source, ...] = ()

    @property
    def period(self) -> str:
        return period_label(self.year, self.month)

    @cached_property
    def _by_scope(self) -> dict[tuple[str, str], Figure]:
        """(scope, indicator) -> figure: a province's report looks up thousands of units' figures."""
        found: dict[tuple[str, str], Figure] = {}
        for figure in self.figures:
            found.setdefault((figure.scope, figure.indicator_code), figure)
        return found

    @cached_property
    def _sources_by_scope(self) -> dict[tuple[str, str], list[Source]]:
        """(scope, indicator) -> the unit figures behind it; the city's scope holds every unit's."""
        found: dict[tuple[str, str], list[Source]] = {}
        for source in self.sources:
            found.setdefault(("city", source.indicator_code), []).append(source)
            found.setdefault((source.unit_code, source.indicator_code), []).append(source)
        return found

    def city(self, code: str) -> Figure | None:
        return self._by_scope.get(("city", code))

    def unit(self, code: str, unit: str) -> Figure | None:
        return self._by_scope.get((unit, code))

    def sources_for(self, code: str, scope: str = "city") -> list[Source]:
        """The unit figures (file, sheet, cell) that make up a figure: all units' for the city."""
        return list(self._sources_by_scope.get((scope, code), []))

    def breakdown(self, code: str) -> list[UnitRow]:
        """Every unit's figure for an indicator, largest first; units that have not reported last."""
        city = self.city(code)
        reported = [(u, f) for u in self.registry.units if (f := self.unit(code, u.code))]
        reported.sort(key=lambda pair: -pair[1].total)  # stable: ties keep registry order
        rows = [UnitRow(rank, u.code, u.name, f, percent(f.total, city.total if city else None))
                for rank, (u, f) in enumerate(reported, start=1)]
        rows += [UnitRow(None, u.code, u.name, None, None)
                 for u in self.registry.units if not self.unit(code, u.code)]
        return rows


def build_report(con: duckdb.DuckDBPyConnection, registry: Registry, year: int, month: int) -> Report:
    """The report of a period from the published warehouse."""
    figures = [Figure(code, "city", total, target, prior) for code, total, target, prior
               in queries.city_figures(con, year, month)]
    figures += [Figure(code, unit, value, None, prior) for code, unit, value, prior
                in queries.unit_figures(con, year, month)]
    return Report(year, month, figures, registry, queries.missing_units(con, year, month),
                  tuple(Source(*row) for row in queries.sources(con, year, month)))
