"""The nightly flow under a real (temporary) Prefect server, on real files and a real DuckDB file."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from keqiao import KEQIAO_2017
from support import TODAY, drop_samples, published_rows, write_form

from redcross.core.registry import load_registry
from redcross.flows.nightly import nightly
from redcross.read.home import Home
from redcross.report.model import build_report
from redcross.report.text_formats import to_json

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

# the 2017 work report's figures: indicator -> (2017 total, completion, growth), as the JSON report prints them
REFERENCE = {
    "first_aid_trained": ("21810", "150.75", "25.00"),
    "public_trained": ("173554", "119.96", "27.00"),
    "hsc_registered": ("597", "136.93", "14.81"),
    "hsc_donated": ("3", None, "50.00"),
    "organ_registered": ("323", None, "42.29"),
    "organ_donated": ("14", None, "133.33"),
    "body_cornea_donated": ("23", None, "76.92"),
    "donation_income": ("14595500.00", None, "83.11"),
    "donation_expenditure": ("9983600.00", None, "53.59"),
    "aid_beneficiaries": ("39935", None, "33.12"),
    "volunteer_events": ("1466", None, "22.17"),
    "volunteer_beneficiaries": ("126202", None, "192.00"),
}


def report_json(home, year=2017):
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        return json.loads(to_json(build_report(con, load_registry(), year, 12)))


def test_the_2017_report_reproduces_the_reference_figures(sample_night):
    root, summary = sample_night
    assert len(summary.accepted) == 16 and not summary.rejected
    # the demo's two warnings: 越城区's 上年同期数 for two indicators, one explained on the form
    (warned,) = summary.warned.values()
    assert [(p.rule, p.indicator, bool(p.remark)) for p in warned] == [
        ("prior_mismatch", "器官遗体角膜捐献登记", True), ("prior_mismatch", "捐赠支出受益人数", False)]
    report = report_json(root)
    assert (report["year"], report["month"]) == (2017, 12)
    city = {f["indicator_code"]: f for f in report["figures"] if f["scope"] == "city"}
    assert {code: (f["total"], f["completion_pct"], f["yoy_growth_pct"]) for code, f in city.items()} == REFERENCE
    office = next(f for f in report["figures"] if f["scope"] == "city_office" and f["indicator_code"] == "donation_income")
    assert (office["total"], office["prior_total"], office["yoy_growth_pct"]) == ("2579500.00", "2197600.00", "17.38")


def test_the_published_views_hold_exact_decimals_and_their_comments(sample_night):
    root, _ = sample_night
    row = published_rows(root, """select total, prior_total, target, completion_pct, yoy_growth_pct, units_reported,
                                          typeof(total), typeof(completion_pct)
                                   from city_totals where year = 2017 and month = 12
                                   and indicator_code = 'first_aid_trained'""")[0]
    assert [str(v) for v in row[:6]] == ["21810.00", "17448.00", "14468.00", "150.7464749793", "25.0000000000", "8"]
    assert row[6].startswith("DECIMAL") and row[7].startswith("DECIMAL")
    views = {name for (name,) in published_rows(root, "select view_name from duckdb_views() where not internal")}
    assert {"units", "indicators", "indicator_values", "city_totals", "submissions", "runs"} <= views
    uncommented = published_rows(root, """select table_name, column_name from duckdb_columns()
        where table_name in ('units','indicators','indicator_values','city_totals','submissions','runs')
        and schema_name = 'main' and (comment is null or comment = '')""")
    assert uncommented == []


def test_originals_are_archived_unchanged_under_their_sha256(sample_night):
    root, _ = sample_night
    home = Home(root)
    assert home.arrivals() == []
    archived = sorted(p.name for p in home.archive.iterdir())
    shas = sorted(f"{sha}.xlsx" for (sha,) in published_rows(root, "select sha256 from submissions"))
    assert archived == shas and len(archived) == 16


def test_no_personal_data_reaches_the_warehouse(sample_night):
    root, _ = sample_night
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_sample_data", "scripts/make_sample_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    text = " ".join(str(r) for view in ("submissions", "indicator_values", "units", "runs")
                    for r in published_rows(root, f"select * from {view}"))
    assert module.PERSONAL_DATA and not [p for p in module.PERSONAL_DATA if p in text]


def test_a_bad_file_is_quarantined_while_the_others_load(home):
    drop_samples(home, years=(2017,))
    bad = write_form(home / "inbox" / "坏表.xlsx", unit="新昌县", rows=[("救护员培训", "人", -1, None)])
    summary = nightly(home=str(home), today=TODAY)
    assert list(summary.rejected) == ["坏表.xlsx"] and len(summary.accepted) == 8
    quarantined = sorted(p.name for p in Home(home).quarantine.iterdir())
    assert len(quarantined) == 3 and all(n.endswith(("坏表.xlsx", ".reason.json", ".reason.txt")) for n in quarantined)
    reasons = json.loads(next(Home(home).quarantine.glob("*.reason.json")).read_text("utf-8"))
    assert reasons["problems"][0] == {**reasons["problems"][0], "rule": "negative_value", "cell": "D5", "value": "-1",
                                      "sheet": "统计表", "indicator": "救护员培训", "file": "坏表.xlsx"}
    assert not bad.exists()
    status = published_rows(home, "select status, count(*) from submissions group by all order by all")
    assert status == [("accepted", 8), ("rejected", 1)]
    assert published_rows(home, "select units_reported from city_totals where year = 2017 limit 1") == [(8,)]


def test_rerun_and_same_bytes_again_change_nothing(home):
    drop_samples(home)
    nightly(home=str(home), today=TODAY)
    figures = "select * from city_totals order by all"
    before = published_rows(home, figures), published_rows(home, "select * from submissions order by all")
    nightly(home=str(home), today=TODAY)
    drop_samples(home, years=(2017,))
    summary = nightly(home=str(home), today=TODAY)
    assert len(summary.already_received) == 8 and not summary.accepted and summary.changed_figures == []
    assert (published_rows(home, figures), published_rows(home, "select * from submissions order by all")) == before
    assert Home(home).arrivals() == []
    assert published_rows(home, "select status, count(*) from runs group by all") == [("succeeded", 3)]


def test_a_later_submission_supersedes_the_earlier_and_the_night_lists_what_it_changed(home):
    first = write_form(home / "inbox" / "keqiao-v1.xlsx")
    os.utime(first, (1_600_000_000, 1_600_000_000))
    assert nightly(home=str(home), today=TODAY).revisions == []
    # the resubmission changes two figures: 救护员培训 3951 -> 4000, 捐赠收入 240.32 -> 241.5 万元
    rows = [("救护员培训", "人", 4000, 3100), *KEQIAO_2017[1:7], ("捐赠收入", "万元", 241.5, 130.5), *KEQIAO_2017[8:]]
    second = write_form(home / "inbox" / "keqiao-v2.xlsx", rows=rows)
    os.utime(second, (1_600_100_000, 1_600_100_000))
    summary = nightly(home=str(home), today=TODAY)
    assert published_rows(home, "select file_name, status from submissions order by file_name") == [
        ("keqiao-v1.xlsx", "superseded"), ("keqiao-v2.xlsx", "accepted")]
    assert published_rows(home, """select value from indicator_values
                                   where unit_code = 'keqiao' and indicator_code = 'first_aid_trained'""") == [
        (Decimal("4000.00"),)]
    ids = dict(published_rows(home, "select file_name, submission_id from submissions"))
    assert published_rows(home, "select * from revisions order by indicator_code") == [
        ("keqiao", 2017, 12, "donation_income", Decimal("2403200.00"), Decimal("2415000.00"), ids["keqiao-v1.xlsx"],
         ids["keqiao-v2.xlsx"], datetime(2020, 9, 14, 16, 13, 20), False, None),
        ("keqiao", 2017, 12, "first_aid_trained", Decimal("3951.00"), Decimal("4000.00"), ids["keqiao-v1.xlsx"],
         ids["keqiao-v2.xlsx"], datetime(2020, 9, 14, 16, 13, 20), False, None),
    ]
    assert summary.revisions == ["柯桥区 2017年 救护员培训 3951 → 4000", "柯桥区 2017年 捐赠收入 2403200.00 → 2415000.00"]
    assert "- 柯桥区 2017年 救护员培训 3951 → 4000\n" in summary.markdown()  # the Prefect artifact


def test_an_analyst_holding_the_published_file_open_never_blocks_a_run(home):
    drop_samples(home, years=(2016,))
    nightly(home=str(home), today=TODAY)
    analyst = duckdb.connect(str(Home(home).published), read_only=True)
    try:
        drop_samples(home, years=(2017,))
        nightly(home=str(home), today=TODAY)
        # the open connection still sees its whole snapshot: 2016 only, all eight units
        assert analyst.execute("select distinct year, units_reported from city_totals").fetchall() == [(2016, 8)]
    finally:
        analyst.close()
    assert published_rows(home, "select distinct year, units_reported from city_totals order by 1") == [(2016, 8),
                                                                                                          (2017, 8)]


def test_the_night_writes_the_years_reports(sample_night):
    root, _ = sample_night
    written = sorted(p.relative_to(Home(root).reports).as_posix() for p in Home(root).reports.glob("20*/*"))
    assert written == ["2016/report-2016-12.html", "2016/report-2016-12.xlsx",
                       "2017/report-2017-12.html", "2017/report-2017-12.xlsx"]
    assert "150.75%" in (Home(root).reports / "2017" / "report-2017-12.html").read_text("utf-8")


def test_an_unchanged_targets_folder_is_not_read_again_but_its_problems_are_said_again(home):
    bad = home / "targets" / "2018.csv"
    bad.write_text("年度,指标,目标值\n2018,救护员培训,很多\n", encoding="utf-8")
    first = nightly(home=str(home), today=TODAY)
    assert [(p.rule, p.file, p.cell) for p in first.target_problems] == [("not_a_number", "2018.csv", "C2")]
    # change a stored target behind the pipeline's back: only reading the folder again would undo it
    with duckdb.connect(str(Home(home).writer)) as con:
        con.execute("update raw.targets set target = 1 where year = 2017 and indicator_code = 'first_aid_trained'")
    again = nightly(home=str(home), today=TODAY)
    assert again.target_problems == first.target_problems

    def stored():
        with duckdb.connect(str(Home(home).writer), read_only=True) as con:
            return con.execute("select target from raw.targets where year = 2017 "
                               "and indicator_code = 'first_aid_trained'").fetchall()

    assert stored() == [(Decimal("1.00"),)]
    bad.unlink()  # the folder changes: it is read again, and the file's own figure comes back
    fixed = nightly(home=str(home), today=TODAY)
    assert fixed.target_problems == [] and stored() == [(Decimal("14468.00"),)]


def test_a_killed_process_s_half_written_files_are_removed_by_the_next_run(home):
    """Files are written beside their target and renamed whole; what a kill left half-written goes."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    leftovers = [home / "warehouse" / f".partial-{dead}-redcross.duckdb",
                 home / "archive" / f".partial-{dead}-{'0' * 64}.xlsx",
                 home / "quarantine" / f".partial-{dead}-abc-坏文件.xlsx.reason.json",
                 home / "reports" / "2017" / f".partial-{dead}-report-2017-12.xlsx"]
    still_writing = home / "reports" / "2017" / f".partial-{os.getpid()}-report-2017-12.csv"  # `redcross report`
    for path in [*leftovers, still_writing]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    drop_samples(home, years=(2017,))
    summary = nightly(home=str(home), today=TODAY)
    assert len(summary.accepted) == 8
    assert [p.name for p in leftovers if p.exists()] == []
    assert sorted(p.name for p in home.rglob(".partial-*")) == [still_writing.name]
    assert (home / "reports" / "2017" / "report-2017-12.xlsx").exists()


def test_an_inbox_on_another_disk_is_filed_whole(home):
    """An inbox mounted from elsewhere cannot be renamed into the archive: it is copied whole, then removed."""
    elsewhere_root = Path("/dev/shm")
    if not elsewhere_root.is_dir() or elsewhere_root.stat().st_dev == home.stat().st_dev:
        pytest.skip("this machine has no second filesystem at /dev/shm")
    elsewhere = Path(tempfile.mkdtemp(dir=elsewhere_root, prefix="redcross-inbox-"))
    try:
        (home / "inbox").rmdir()
        (home / "inbox").symlink_to(elsewhere)
        dropped = {hashlib.sha256(p.read_bytes()).hexdigest(): p.stat().st_mtime for p in drop_samples(home, (2017,))}
        summary = nightly(home=str(home), today=TODAY)
        assert len(summary.accepted) == 8
        assert list(elsewhere.iterdir()) == []
        archived = {p.stem: p.stat().st_mtime for p in (home / "archive").iterdir()}
        assert archived == dropped  # every original, whole (named by its hash) and with its time
        assert not list(home.rglob(".partial-*"))
    finally:
        shutil.rmtree(elsewhere)


def test_file_names_as_long_as_the_disk_allows_are_filed_away(home):
    """255 bytes is the longest name a file can have; quarantine adds an id in front, so it shortens it."""
    long_good = "柯桥区" + "红十字会工作统计表" * 8 + "2017.xlsx"  # 84 characters, 234 bytes
    long_bad = "杭州" + "红十字会工作统计表" * 8 + "2017.xlsx"
    assert 230 < len(os.fsencode(long_good)) <= 255 and 230 < len(os.fsencode(long_bad)) <= 255
    write_form(home / "inbox" / long_good)
    write_form(home / "inbox" / long_bad, unit="杭州市红十字会")
    summary = nightly(home=str(home), today=TODAY)
    assert summary.accepted == [long_good] and list(summary.rejected) == [long_bad]
    assert list((home / "inbox").iterdir()) == []
    assert len(list((home / "archive").iterdir())) == 1
    quarantined = [p for p in (home / "quarantine").iterdir() if not p.name.endswith((".reason.txt", ".reason.json"))]
    assert len(quarantined) == 1 and "…" in quarantined[0].name and quarantined[0].suffix == ".xlsx"
    reasons = json.loads(Path(f"{quarantined[0]}.reason.json").read_text("utf-8"))
    assert reasons["file"] == long_bad  # the whole name is kept in the reasons
