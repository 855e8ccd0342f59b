"""A form for a locked period is rejected: one table over the night's forms, a row per
form with a real period saying whether a lock in force closes it, validated once by the `form_locks`
suite. A lock on a month closes that period (1..month) only; a lock on a year closes every period of it.
"""

from __future__ import annotations

import polars as pl

from redcross.core.forms import Form
from redcross.core.locks import Lock, lock_closing
from redcross.core.periods import period_label, period_label_en
from redcross.core.problems import problem
from redcross.expectations.suites import Checker


def check_locks(forms: list[Form], locks: list[Lock], runner: Checker) -> None:
    """Reject (period_locked) each form whose period a lock in force closes, naming the period and the
    lock's reason; the form's other problems stand beside it."""
    dated = [(i, f) for i, f in enumerate(forms) if f.readable and f.period and 1 <= f.period.month <= 12]
    if not locks or not dated:
        return
    closing = {i: lock_closing(locks, f.period.year, f.period.month) for i, f in dated}
    table = pl.DataFrame(
        {"row_key": [str(i) for i, _ in dated],
         "period_state": ["open" if closing[i] is None else "locked" for i, _ in dated]},
        schema={"row_key": pl.String, "period_state": pl.String},
    )
    for failure in runner.check("form_locks", table):
        index = int(failure.row_key)
        form, year, month = forms[index], forms[index].period.year, forms[index].period.month
        form.problems.append(problem(
            "period_locked", file=form.arrival.name, sheet=form.sheet, cell=form.period_written.cell,
            value=form.period_written.text, period=period_label(year, month), period_en=period_label_en(year, month),
            reason=closing[index].reason,
        ))
