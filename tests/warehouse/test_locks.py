"""Locks: a period closed once quoted takes no form and no backfill, and says so in Chinese and
English; opened again with a reason, the same file comes in as a revision after the lock, which the
report marks. Real workbooks, the same steps as every night (`nightly.local`: the flows' own tests cover
Prefect).
"""

from __future__ import annotations

import json
import shutil

import pytest
from keqiao import KEQIAO_2017
from support import TODAY, dated, published_rows, write_form

from redcross.cli.main import main
from redcross.flows.nightly import nightly
from redcross.read.home import Home

LOCKED_FOR = "2017年报已报市政府"
UNLOCKED_FOR = "柯桥区更正救护员培训人数"
CORRECTED = [("救护员培训", "人", 4100, 3100), *KEQIAO_2017[1:]]
QUOTED = ("select * from city_totals order by all", "select * from revisions order by all")


def command(home, *args: str) -> int:
    return main([args[0], "--home", str(home), *args[1:]])


@pytest.fixture
def locked_home(home):
    """柯桥区's 2017 form taken in, and then 2017 locked."""
    dated(write_form(home / "inbox" / "keqiao-2017.xlsx", KEQIAO_2017, "柯桥区", "2017年"), "2018-01-10T09:00")
    nightly.local(home=str(home), today=TODAY)
    assert command(home, "lock", "--year", "2017", "--reason", LOCKED_FOR) == 0
    return home


def quoted(home, capsys) -> tuple:
    """What a council was given: the city totals, the revisions, and the 2017 report as written and as asked for."""
    capsys.readouterr()
    assert command(home, "report", "--year", "2017", "--format", "md") == 0
    reports = sorted((home / "reports").rglob("report-*"))
    return (*(published_rows(home, sql) for sql in QUOTED), capsys.readouterr().out,
            [(p.name, p.read_bytes()) for p in reports])


def test_a_locked_year_quarantines_a_correction_and_after_the_unlock_it_is_a_revision_after_the_lock(
        locked_home, capsys):
    before = quoted(locked_home, capsys)
    dated(write_form(locked_home / "inbox" / "keqiao-2017-corrected.xlsx", CORRECTED, "柯桥区", "2017年"),
          "2018-03-01T09:00")
    summary = nightly.local(home=str(locked_home), today=TODAY)
    assert quoted(locked_home, capsys) == before  # not one figure, revision or report byte changed
    (reasons,) = Home(locked_home).quarantine.glob("*corrected.xlsx.reason.json")
    (found,) = json.loads(reasons.read_text("utf-8"))["problems"]
    assert found["rule"] == "period_locked" and found["cell"] and found["value"] == "2017年"
    assert "2017年已封账" in found["message_zh"] and "统计负责人" in found["message_zh"] and LOCKED_FOR in found["message_zh"]
    assert "the year 2017 is locked" in found["message_en"] and "data manager" in found["message_en"]
    assert "报告期2017年已封账" in summary.text()

    assert command(locked_home, "unlock", "--year", "2017", "--reason", UNLOCKED_FOR) == 0
    original = Home(locked_home).quarantine / reasons.name.removesuffix(".reason.json")
    shutil.move(original, locked_home / "inbox" / "keqiao-2017-corrected.xlsx")  # the same bytes, sent again
    summary = nightly.local(home=str(locked_home), today=TODAY)
    assert f"3951 → 4100（封账后修订 / revised after the period was locked: {UNLOCKED_FOR}）" in summary.text()
    assert published_rows(locked_home, "select indicator_code, old_value, new_value, after_lock, reason from revisions") \
        == [("first_aid_trained", 3951, 4100, True, UNLOCKED_FOR)]
    assert published_rows(locked_home, "select year, month, reason, unlock_reason from locks") == [
        (2017, None, LOCKED_FOR, UNLOCKED_FOR)]
    capsys.readouterr()
    command(locked_home, "report", "--year", "2017", "--format", "md")
    report = capsys.readouterr().out
    assert "4,100†" in report.replace(" ", "") or "4100†" in report
    assert f"封账后修订 / revised after the period was locked: {UNLOCKED_FOR}" in report


def test_a_copy_of_an_accepted_file_is_already_received_and_a_backfill_or_a_second_lock_refuses_in_one_line(
        locked_home, capsys):
    (accepted,) = Home(locked_home).archive.iterdir()
    shutil.copy2(accepted, locked_home / "inbox" / "again.xlsx")
    summary = nightly.local(home=str(locked_home), today=TODAY)
    assert "already received: 1" in summary.text()
    assert "已封账" not in summary.text() and not list(Home(locked_home).quarantine.iterdir())
    published = Home(locked_home).published.read_bytes()
    runs = published_rows(locked_home, "select count(*) from runs")
    capsys.readouterr()
    assert command(locked_home, "backfill", "--years", "2016-2017") == 2
    assert command(locked_home, "lock", "--year", "2017", "--reason", "again") == 2
    assert command(locked_home, "unlock", "--year", "2017", "--month", "6", "--reason", "x") == 2
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("日志 / log")]
    assert len(err) == 3 and all(" / " in line for line in err)
    assert err[0].startswith("补录会改动已封账的报告期，未开始：2017年（全年各期）") and "did not start" in err[0]
    assert "2017年（全年各期）已封账" in err[1] and "is locked already" in err[1] and "nothing changed" in err[1]
    assert "2017年1-6月未封账" in err[2] and "is not locked" in err[2]
    assert published_rows(locked_home, "select count(*) from runs") == runs
    assert command(locked_home, "status") == 0
    assert f"已封账 / locked periods: 2017年（全年各期） / 2017 (the whole year, every period)（{LOCKED_FOR}，" \
        in capsys.readouterr().out
    assert Home(locked_home).published.read_bytes() == published
