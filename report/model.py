"""The report of a period: the city's figures and each unit's, with where every figure came from,
the units' targets and ranks, the period's revisions and who has reported which period.

Built from the published warehouse through its named queries; every format (`report.text_formats`,
`report.html`, `report.xlsx`) renders this same `Report`, so all show the same figures, computed
from exact totals and rounded half-up once, at display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import duckdb

from redcross.core.decimals import percent, round_half_up
from redcross.core.periods import period_label
from redcross.core.registry import Registry
from redcross.warehouse import queries

# The chart of each unit's share of the city totals (a bar segment per unit, in the xlsx a series
# per unit): a city's handful reads well, a province's thousands would not, and Excel refuses a
# chart of more than 255 series. Both formats leave it out beyond this many units.
CONTRIBUTION_CHART_UNITS = 40


MISSING_LABELS = {"current": "本期未报", "prior": "上年同期未报", "both": "两期均未报"}


@dataclass(frozen=True)
class Comparable:
    """A city figure's growth basis (可比口径): the units that reported both periods and their sums.

    `complete` when every unit of the registry reported both, so that the totals themselves compare;
    `left_out` names the others, each with why (MISSING_LABELS), in registry order.
    """

    units: int
    total: Decimal | None
    prior_total: Decimal | None
    complete: bool
    left_out: tuple[tuple[str, str], ...] = ()  # (unit_name, 'current' | 'prior' | 'both')

    @property
    def growth(self) -> Fraction | None:
        if not self.units or self.prior_total is None:
            return None
        return percent(self.total - self.prior_total, self.prior_total)

    @property
    def label(self) -> str:
        """可比口径，7个单位: how a growth over these units is introduced."""
        return f"可比口径，{self.units}个单位"

    @property
    def left_out_text(self) -> str:
        """越城区（本期未报）、新昌县（上年同期未报）."""
        return "、".join(f"{name}（{MISSING_LABELS[why]}）" for name, why in self.left_out)


@dataclass(frozen=True)
class Figure:
    indicator_code: str
    scope: str  # "city" or a unit_code
    total: Decimal
    target: Decimal | None  # the province's for the city, the city's for a unit (任务分解)
    prior_total: Decimal | None
    month: int = 12  # the period runs from January to this month
    rank: int | None = None  # among the units with a target (the warehouse ranks on exact completions)
    comparable: Comparable | None = None  # a city figure's growth basis; None: the totals compare (a unit's own)

    @property
    def completion(self) -> Fraction | None:
        return percent(self.total, self.target)

    @property
    def time_progress(self) -> Fraction:
        """The share of the year the period covers (序时进度), x 100: exact, 50 for June, 125/3 for May."""
        return time_progress(self.month)

    @property
    def schedule_gap(self) -> Fraction | None:
        """Completion minus time progress in percentage points (positive: ahead, 超序时进度); exact."""
        completion = self.completion
        return None if completion is None else completion - self.time_progress

    @property
    def on_comparable_basis(self) -> bool:
        """The totals do not compare (units reported one period and not the other): growth is the comparable one."""
        return self.comparable is not None and not self.comparable.complete

    @property
    def total_growth(self) -> Fraction | None:
        """Growth over the two totals, whoever reported them (city_totals.yoy_growth_pct)."""
        if self.prior_total is None:
            return None
        return percent(self.total - self.prior_total, self.prior_total)

    @property
    def growth(self) -> Fraction | None:
        """The growth the report quotes: over the totals where they compare, else over the comparable
        units (None where no unit reported both periods)."""
        return self.comparable.growth if self.on_comparable_basis else self.total_growth

    @property
    def growth_pair(self) -> tuple[Decimal, Decimal] | None:
        """(prior, current) the quoted growth compares: the comparable sums on a comparable basis."""
        if self.growth is None:
            return None
        if self.on_comparable_basis:
            return self.comparable.prior_total, self.comparable.total
        return self.prior_total, self.total


# Where one unit's figure came from (the submission's file and the cell that held it; messages: its
# warnings in Chinese, empty when none), and a figure a unit's later submission for the period
# changed: the warehouse's named rows, as its queries give them.
Source = queries.SourceRow
Revision = queries.PeriodRevision

LOCK_MARK = "†"  # beside a figure a unit revised after the period had been locked


def lock_notes(revisions: tuple[Revision, ...]) -> list[str]:
    """The footnote of each reason a period was opened again for revisions after a lock; none without such
    revisions (so a report of a year never locked reads as before)."""
    reasons = dict.fromkeys(r.reason or "" for r in revisions if r.after_lock)
    return [f"{LOCK_MARK} 封账后修订 / revised after the period was locked: {reason or '—'}" for reason in reasons]


def lock_marked(text: str, revision: Revision) -> str:
    """A revised figure as shown, with the mark when it came after a lock."""
    return f"{text}{LOCK_MARK}" if revision.after_lock else text


@dataclass(frozen=True)
class UnitRow:
    """One unit's line in an indicator's breakdown; `figure` is None for a unit that has not reported."""

    rank: int | None
    unit_code: str
    unit_name: str
    figure: Figure | None
    share: Fraction | None  # of the city total, x 100


@dataclass(frozen=True)
class RankRow:
    """One unit with a target in an indicator's ranking; `figure` is None for a unit that has not reported."""

    unit_code: str
    unit_name: str
    target: Decimal
    figure: Figure | None


STATE_LABELS = {"accepted": "已报", "rejected": "退回", "missing": "缺报"}
COVERAGE_LEGEND = "已报 = 已接收 accepted；退回 = 只收到被退回的报表 rejected；缺报 = 未报送 missing"


def month_label(month: int) -> str:
    """A period's column in the coverage grid: 1-6月, or 全年 for the full year."""
    return "全年" if month == 12 else f"1-{month}月"


@dataclass(frozen=True)
class Rate:
    """A period's 报送率 and 按时报送率, from exact counts."""

    month: int
    expected: int
    reported: int
    on_time: int
    arrivals_known: int  # of the reported units, those whose first form's arrival is known

    @property
    def on_time_pct(self) -> Fraction | None:
        """on_time / expected x 100, exact; None when no reported unit's arrival is known (backfilled forms)."""
        return percent(Decimal(self.on_time), Decimal(self.expected)) if self.arrivals_known else None


@dataclass(frozen=True)
class Coverage:
    """Who has reported which period of a year: the periods of coverage, each unit's state in each,
    how late the late ones were, and each period's rates."""

    year: int
    months: tuple[int, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]  # (unit_code, unit_name, state per month)
    days_late: tuple[tuple[str, int, int], ...] = ()  # (unit_code, month, days) of each form that came late
    rates: tuple[Rate, ...] = ()

    @classmethod
    def from_rows(cls, year: int, rows: list[queries.CoverageRow],
                  rates: list[queries.ReportingRate] | None = None) -> Coverage:
        """From the coverage rows, units in registry order, and the reporting rates of the year."""
        months = tuple(sorted({row.month for row in rows}))
        states: dict[tuple[str, str], dict[int, str]] = {}
        for row in rows:
            states.setdefault((row.unit_code, row.unit_name), {})[row.month] = row.state
        late = tuple((row.unit_code, row.month, row.days_late) for row in rows if row.timeliness == "late")
        return cls(year, months, tuple((code, name, tuple(by_month[m] for m in months))
                                       for (code, name), by_month in states.items()), late,
                   tuple(Rate(r.month, r.expected, r.reported, r.on_time, r.arrivals_known) for r in rates or ()))

    def late_line(self) -> str | None:
        """迟报: each unit and period whose first accepted form came after the due date, with the days."""
        if not self.days_late:
            return None
        names = {code: name for code, name, _ in self.rows}
        order = {code: n for n, (code, _, _) in enumerate(self.rows)}
        late = sorted(self.days_late, key=lambda item: (order[item[0]], item[1]))
        return "迟报 / reported late: " + "；".join(f"{names[code]} {month_label(month)} {days}天"
                                                    for code, month, days in late)

    def on_time_line(self) -> str | None:
        """按时报送率 per period, e.g. 1-6月 75.00%（6/8）; None when the year has no due dates."""
        if not self.rates:
            return None
        parts = [f"{month_label(r.month)} "
                 + (f"{round_half_up(r.on_time_pct, 2)}%（{r.on_time}/{r.expected}）" if r.on_time_pct is not None
                    else "—（到达时间未知 / arrival unknown）")
                 for r in self.rates]
        return "按时报送率 / reported on time: " + "；".join(parts)


def time_progress(month: int) -> Fraction:
    """month / 12 x 100, exact."""
    return Fraction(month * 100, 12)


@dataclass(frozen=True)
class Report:
    year: int
    month: int
    figures: list[Figure]
    registry: Registry
    missing_units: list[str]
    sources: tuple[Source, ...] = ()
    unit_targets: tuple[tuple[str, str, Decimal], ...] = ()  # (indicator_code, unit_code, target) of the year
    revisions: tuple[Revision, ...] = ()
    coverage: Coverage | None = None

    @property
    def period(self) -> str:
        return period_label(self.year, self.month)

    @property
    def time_progress(self) -> Fraction:
        return time_progress(self.month)

    @property
    def before_december(self) -> bool:
        """A period short of the full year: its figures are read against the calendar (序时进度)."""
        return self.month < 12

    @cached_property
    def targeted_indicators(self) -> list[str]:
        """The indicators the city set its units targets for this year, in form order."""
        given = {code for code, _, _ in self.unit_targets}
        return [i.code for i in self.registry.indicators if i.code in given]

    def ranking(self, code: str) -> list[RankRow]:
        """The units with a target for an indicator, by rank (ties in registry order); those that have not reported last."""
        targets = {unit: target for indicator, unit, target in self.unit_targets if indicator == code}
        rows = [RankRow(u.code, u.name, targets[u.code], self.unit(code, u.code))
                for u in self.registry.units if u.code in targets]
        ranks = {r.unit_code: r.figure.rank if r.figure else None for r in rows}
        return sorted(rows, key=lambda r: (ranks[r.unit_code] is None, ranks[r.unit_code] or 0))  # stable

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
    left_out: dict[str, list[tuple[str, str]]] = {}
    for row in queries.comparable_left_out(con, year, month):
        left_out.setdefault(row.indicator_code, []).append((row.unit_name, row.missing))
    figures = [Figure(c.indicator_code, "city", c.total, c.target, c.prior_total, month,
                      comparable=Comparable(c.comparable_units, c.comparable_total, c.comparable_prior_total,
                                            c.complete, tuple(left_out.get(c.indicator_code, ()))))
               for c in queries.city_figures(con, year, month)]
    figures += [Figure(u.indicator_code, u.unit_code, u.value, u.target, u.prior_value, month, u.rank)
                for u in queries.unit_figures(con, year, month)]
    return Report(year, month, figures, registry, queries.missing_units(con, year, month),
                  tuple(queries.sources(con, year, month)),
                  tuple(queries.unit_targets(con, year)),
                  tuple(queries.period_revisions(con, year, month)),
                  Coverage.from_rows(year, queries.coverage(con, year), queries.reporting_rates(con, year)))
