"""A night stacks its forms' rows into one frame once, and validation and loading both take theirs
from it. Run without Prefect (the same steps); the real stacking is counted, not replaced."""

from support import TODAY, drop_samples, published_rows, write_form

from redcross.core import forms
from redcross.expectations import forms as checks


def test_a_night_stacks_its_rows_once_for_validation_and_loading(home, monkeypatch):
    stacked, real_stack = [], forms.stack_rows

    def counted(numbered):
        stacked.append(len(numbered))
        return real_stack(numbered)

    monkeypatch.setattr(forms, "stack_rows", counted)
    monkeypatch.setattr(checks, "stack_rows", counted)
    from redcross.flows.nightly import nightly

    drop_samples(home, years=(2016, 2017))
    write_form(home / "inbox" / "坏表.xlsx", unit="新昌县", rows=[("救护员培训", "人", -1, None)])
    summary = nightly.local(home=str(home), today=TODAY)
    assert len(summary.accepted) == 16 and list(summary.rejected) == ["坏表.xlsx"]
    assert stacked == [17]  # every form with rows, the rejected one too, once
    assert published_rows(home, "select count(*) from indicator_values") == [(16 * 12,)]
    assert published_rows(home, "select count(*) from submissions where status = 'rejected'") == [(1,)]
