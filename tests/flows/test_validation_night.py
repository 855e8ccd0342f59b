"""A night with a good, a warned and a rejected file: what loads, what is recorded, what people see."""

import os
from datetime import UTC, timedelta

import duckdb
import pytest
from keqiao import KEQIAO_2017
from support import TODAY, write_form

from redcross.flows.nightly import nightly
from redcross.read.home import Home
from redcross.report.status import status_text

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

BASE = [(label, unit, value, None) for label, unit, value, _ in KEQIAO_2017]


def with_priors(rows):
    return [(label, unit, value, base[2]) for (label, unit, value, _), base in zip(rows, BASE, strict=True)]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("night") / "home"
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    write_form(inbox / "keqiao-2016.xlsx", rows=BASE, unit="柯桥区", period="2016年")
    write_form(inbox / "zhuji-2016.xlsx", rows=BASE, unit="诸暨市", period="2016年")
    nightly(home=str(root), today=TODAY)

    warned = with_priors(BASE)
    warned[0] = ("救护员培训", "人", 3951 * 4, 3951)          # more than 3x its own 2016 figure
    warned[1] = ("普及培训", "人次", 31240, 30000)             # 上年同期数 differs from the warehouse (31240)
    write_form(inbox / "keqiao-2017.xlsx", rows=warned, unit="柯桥区", period="2017年")
    write_form(inbox / "zhuji-2017.xlsx", rows=with_priors(BASE), unit="诸暨市", period="2017年")
    write_form(inbox / "yuecheng-2017.xlsx", unit="越城区", period="2017年",
               rows=[(lbl, m, "?" if lbl == "普及培训" else v, p) for lbl, m, v, p in BASE])
    summary = nightly(home=str(root), today=TODAY)
    return root, summary


def messages(root, file_name):
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        return con.execute(
            "select status, unnest(messages, recursive := true) from submissions where file_name = ?", [file_name]
        ).fetchall()


def test_good_and_warned_files_load_and_the_rejected_one_does_not(night):
    root, summary = night
    assert sorted(summary.accepted) == ["keqiao-2017.xlsx", "zhuji-2017.xlsx"]
    assert list(summary.warned) == ["keqiao-2017.xlsx"] and list(summary.rejected) == ["yuecheng-2017.xlsx"]
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        assert con.execute("select total, units_reported from city_totals where year = 2017 "
                           "and indicator_code = 'first_aid_trained'").fetchall() == [(3951 * 5, 2)]


def test_each_warning_is_recorded_with_its_cell_and_figures(night):
    root, _ = night
    found = messages(root, "keqiao-2017.xlsx")
    assert [(s, rule, sev, cell, ind, value, expected) for s, sev, rule, _, cell, ind, value, expected, *_ in found] == [
        ("accepted", "yoy_outlier", "warning", "D5", "救护员培训", "15804", "3951"),
        ("accepted", "prior_mismatch", "warning", "E6", "普及培训", "30000", "31240"),
    ]
    assert "4.00 倍" in found[0][-2] and "4.00 times" in found[0][-1]


def test_the_rejected_file_names_its_problem(night):
    root, _ = night
    ((status, severity, rule, sheet, cell, indicator, value, *_),) = messages(root, "yuecheng-2017.xlsx")
    assert (status, rule, severity, sheet, cell, indicator, value) == (
        "rejected", "not_a_number", "error", "统计表", "D6", "普及培训", "?")


def test_data_docs_hold_the_nights_pages_and_a_page_for_each_suite_a_file_failed(night):
    root, _ = night
    docs = Home(root).reports / "validation"
    runs = (docs / "index.html").read_text("utf-8")
    assert runs.count("<li>") == 2

    def pages(run_name: str) -> dict[str, str]:
        return {p.relative_to(docs).parts[2]: p.read_text("utf-8") for p in docs.rglob("*.html")
                if any(part.startswith(run_name) for part in p.parts)}

    assert {"form_headers", "form_rows", "form_coverage"} <= set(pages("全部文件 all files"))
    assert set(pages("keqiao-2017.xlsx")) == {"form_history"}  # its two warnings
    assert set(pages("yuecheng-2017.xlsx")) == {"form_rows"}  # its figure that is not a number
    assert pages("zhuji-2017.xlsx") == {} and pages("keqiao-2016.xlsx") == {}  # clean: on the night's pages only
    history = pages("keqiao-2017.xlsx")["form_history"]
    assert "'30000.00'" in history and "'31240.00'" in history  # the two priors, as exact text


def test_status_shows_runs_rejections_warnings_and_who_is_missing(night):
    root, _ = night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        text = status_text(con)
    assert "yuecheng-2017.xlsx" in text and "不是数字" in text
    assert "warnings waiting for a look: 2" in text and "救护员培训" in text
    missing = text.split("not yet reported for 2017年:")[1]
    for unit in ("市本级", "越城区", "上虞区", "新昌县", "嵊州市", "开发区"):
        assert unit in missing
    assert "柯桥区" not in missing and "诸暨市" not in missing


def test_status_gives_people_beijing_time_and_unit_names(night):
    root, _ = night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        text = status_text(con)
        (started,) = con.execute("select started_at from runs order by started_at desc limit 1").fetchone()
    beijing = (started.replace(tzinfo=UTC) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"  {beijing} 北京时间  " in text and " UTC " not in text
    waiting = text.split("warnings waiting for a look")[1].split("本期缺报")[0]
    assert "2017年 柯桥区 keqiao-2017.xlsx" in waiting and " keqiao " not in waiting


def test_warning_thresholds_are_configuration():
    from redcross.core.problems import rules_config, threshold
    assert threshold("yoy_ratio") == 3 and rules_config()["rules"]["yoy_outlier"]["severity"] == "warning"
    assert os.path.exists("expectations/form_history.json")
