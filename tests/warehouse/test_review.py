"""Explanations and review: a form's 备注 explains a warning, the data manager confirms or
queries the others, `status` lists only what is still waiting, and a decision lasts as long as the
submission it was made on (through later nights and a backfill), no longer.

Real workbooks written by openpyxl (the pipeline reads with calamine), run through the same steps
as every night (`nightly.local`: the flows' own tests cover Prefect).
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from keqiao import KEQIAO_2017
from support import TODAY, dated, published_rows, set_cells, write_form

from redcross.cli.main import main
from redcross.flows.backfill import backfill
from redcross.flows.nightly import nightly
from redcross.read.home import Home
from redcross.report.status import status_text

JUMP_EXPLAINED = "今年新开三个培训点，培训人数大增"
# 2016: 柯桥区's figures as its 2017 form gives them (上年同期数), but 救护员培训 1000 (3951 is 3.95x: a jump,
# explained on the form) and 普及培训 5000 (31240 is 6.25x); the 2017 form gives those two priors as
# 2016 has them, and 捐赠收入's as 130.5万元 where 2016 said 150万元 (a prior_mismatch).
KEQIAO_2016 = [(label, measure, prior, None) for label, measure, _, prior in KEQIAO_2017]
KEQIAO_2016[0] = ("救护员培训", "人", 1000, None)
KEQIAO_2016[1] = ("普及培训", "人次", 5000, None)
KEQIAO_2016[7] = ("捐赠收入", "万元", 150, None)
ROWS_2017 = [(label, measure, value, 1000 if n == 0 else 5000 if n == 1 else prior)
             for n, (label, measure, value, prior) in enumerate(KEQIAO_2017)]
FIRST_AID_REMARK_CELL = "F5"  # write_form: header on row 4, 救护员培训 on row 5, 备注 in column F


def sent_2017(path, remark: str | None = JUMP_EXPLAINED, when: str = "2018-01-10T09:00", rows=ROWS_2017):
    write_form(path, rows, "柯桥区", "2017年")
    if remark is not None:
        set_cells(path, {FIRST_AID_REMARK_CELL: remark})
    return dated(path, when)


@pytest.fixture
def reviewed_home(home):
    """柯桥区's 2016 and 2017 forms in one night: three warnings on 2017, the jump in 救护员培训 explained."""
    dated(write_form(home / "inbox" / "keqiao-2016.xlsx", KEQIAO_2016, "柯桥区", "2016年"), "2017-01-10T09:00")
    sent_2017(home / "inbox" / "keqiao-2017.xlsx")
    nightly.local(home=str(home), today=TODAY)
    return home


def issues(home) -> dict[tuple[str, str], tuple]:
    rows = published_rows(home, "select indicator_code, rule, state, remark, review_note, submission_id "
                                "from data_issues where unit_code = 'keqiao' and year = 2017")
    return {(code, rule): tuple(rest) for code, rule, *rest in rows}


def review(home, indicator: str, rule: str, decision: str, note: str, unit: str = "柯桥区", year: str = "2017"):
    return main(["review", "--home", str(home), "--unit", unit, "--year", year, "--indicator", indicator,
                 "--rule", rule, decision, "--note", note])


def status(home) -> str:
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        return status_text(con)


def waiting_part(text: str) -> str:
    return text.split("warnings waiting for a look")[1].split("本期缺报")[0]


def test_a_remark_on_the_row_explains_its_warning_and_status_lists_only_the_rest(reviewed_home):
    found = issues(reviewed_home)
    assert {key: state for key, (state, *_) in found.items()} == {
        ("first_aid_trained", "yoy_outlier"): "explained",
        ("public_trained", "yoy_outlier"): "open",
        ("donation_income", "prior_mismatch"): "open",
    }
    assert found["first_aid_trained", "yoy_outlier"][1] == JUMP_EXPLAINED
    waiting = waiting_part(status(reviewed_home))
    assert waiting.startswith(": 2（另有已说明 1、已确认 0") and "1 explained and 0 confirmed" in waiting
    assert "普及培训" in waiting and "捐赠收入" in waiting and "救护员培训" not in waiting
    assert " public_trained " not in waiting and " keqiao " not in waiting  # names as people use them


def test_data_issues_has_its_columns_and_one_row_per_warning(reviewed_home):
    rows = published_rows(reviewed_home, "select * from data_issues where indicator_code = 'first_aid_trained'")
    columns = [name for (name,) in published_rows(
        reviewed_home, "select column_name from duckdb_columns() where table_name = 'data_issues' order by column_index")]
    assert columns == ["submission_id", "unit_code", "year", "month", "indicator_code", "rule", "severity", "cell",
                       "value", "message_zh", "message_en", "remark", "state", "reviewed_at", "review_note"]
    (row,) = rows
    assert row[1:13] == ("keqiao", 2017, 12, "first_aid_trained", "yoy_outlier", "warning", "D5", "3951",
                         row[9], row[10], JUMP_EXPLAINED, "explained")
    assert "3.95" in row[9] and "3.95" in row[10] and row[13] is None and row[14] is None


def test_a_review_confirms_one_warning_and_queries_another(reviewed_home, capsys):
    assert review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "今年开展全民培训月，数字属实") == 0
    assert review(reviewed_home, "donation_income", "prior_mismatch", "--query", "已电话请柯桥区更正上年同期数") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("已记录 / recorded: 柯桥区 2017年 普及培训 yoy_outlier → 已确认")
    found = issues(reviewed_home)
    assert found["public_trained", "yoy_outlier"][:3] == ("confirmed", None, "今年开展全民培训月，数字属实")
    assert found["donation_income", "prior_mismatch"][0] == "queried"
    waiting = waiting_part(status(reviewed_home))
    assert waiting.startswith(": 1（另有已说明 1、已确认 1")
    assert "已要求更正 queried" in waiting and "捐赠收入" in waiting and "已电话请柯桥区更正上年同期数" in waiting
    assert "普及培训" not in waiting and "救护员培训" not in waiting


def test_a_review_note_is_kept_as_a_remark_is_its_phone_numbers_masked(reviewed_home):
    review(reviewed_home, "普及培训", "yoy_outlier", "--query", "已致电王科长 13812345678\n请更正")
    assert issues(reviewed_home)["public_trained", "yoy_outlier"][2] == "已致电王科长 138****5678 请更正"
    assert published_rows(reviewed_home, "select count(*) from raw.reviews where note like '%12345678%'") == [(0,)]


def test_a_later_decision_on_the_same_warning_is_the_one_that_counts(reviewed_home):
    review(reviewed_home, "普及培训", "yoy_outlier", "--query", "请核实")
    review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "单位已说明，数字属实")
    assert issues(reviewed_home)["public_trained", "yoy_outlier"][0] == "confirmed"


def test_reviewing_a_warning_that_is_not_in_force_is_one_line_and_exit_2(reviewed_home, capsys):
    before = Home(reviewed_home).published.read_bytes()
    assert review(reviewed_home, "志愿服务场次", "yoy_outlier", "--confirm", "x") == 2
    assert review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "x", year="2016") == 2
    assert review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "x", unit="不存在的单位") == 2
    assert review(reviewed_home, "不存在的指标", "yoy_outlier", "--confirm", "x") == 2
    assert review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "  ") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 5 and all(" / " in line for line in err)
    assert err[0].startswith("在用的报表没有这条提示 / no such warning on the form in force: 柯桥区 2017年 志愿服务场次")
    assert "普及培训 yoy_outlier" in err[0]  # it names the warnings the period has
    assert published_rows(reviewed_home, "select count(*) from staging.reviews") == [(0,)]
    assert Home(reviewed_home).published.read_bytes() == before


def test_a_review_survives_a_later_night_and_a_backfill(reviewed_home):
    review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "数字属实")
    write_form(reviewed_home / "inbox" / "zhuji-2017.xlsx", KEQIAO_2017, "诸暨市", "2017年")
    nightly.local(home=str(reviewed_home), today=TODAY)
    assert issues(reviewed_home)["public_trained", "yoy_outlier"][0] == "confirmed"
    backfill.local(years="2017", home=str(reviewed_home), today=TODAY)  # from the archive: every 2017 form read anew
    found = issues(reviewed_home)
    assert found["public_trained", "yoy_outlier"][0] == "confirmed"
    assert found["first_aid_trained", "yoy_outlier"][:2] == ("explained", JUMP_EXPLAINED)
    assert found["donation_income", "prior_mismatch"][0] == "open"


def test_a_review_survives_a_backfill_from_a_folder_holding_the_same_form(reviewed_home, tmp_path):
    review(reviewed_home, "捐赠收入", "prior_mismatch", "--query", "请更正上年同期数")
    folder = tmp_path / "history"
    folder.mkdir()
    ((sha,),) = published_rows(reviewed_home, "select sha256 from submissions where unit_code = 'keqiao' "
                                              "and year = 2017 and status = 'accepted'")
    # the very bytes received, under another name: already received, nothing changes
    shutil.copy2(Home(reviewed_home).archive / f"{sha}.xlsx", folder / "柯桥区2017.xlsx")
    backfill.local(years="2017", source=str(folder), home=str(reviewed_home), today=TODAY)
    assert issues(reviewed_home)["donation_income", "prior_mismatch"][:3] == ("queried", None, "请更正上年同期数")


def test_a_later_form_for_the_unit_and_period_starts_its_warnings_afresh(reviewed_home):
    review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "数字属实")
    first = issues(reviewed_home)["public_trained", "yoy_outlier"][3]
    sent_2017(reviewed_home / "inbox" / "keqiao-2017-again.xlsx", remark=None, when="2018-01-20T09:00")
    nightly.local(home=str(reviewed_home), today=TODAY)
    found = issues(reviewed_home)
    assert {state for state, *_ in found.values()} == {"open"} and len(found) == 3
    assert found["public_trained", "yoy_outlier"][3] != first  # the new submission's warnings
    assert "普及培训" in waiting_part(status(reviewed_home)) and "救护员培训" in waiting_part(status(reviewed_home))


PHONE, LANDLINE, ID_NUMBER = "13812345678", "0575-85123456", "33060219800101123X"


def test_phone_and_id_numbers_in_a_remark_never_reach_the_analysts_database(home):
    dated(write_form(home / "inbox" / "keqiao-2016.xlsx", KEQIAO_2016, "柯桥区", "2016年"), "2017-01-10T09:00")
    remark = f"新开培训点，联系人张三 {PHONE}，座机 {LANDLINE}，身份证 {ID_NUMBER}"
    sent_2017(home / "inbox" / "keqiao-2017.xlsx", remark=remark)
    summary = nightly.local(home=str(home), today=TODAY)
    kept = issues(home)["first_aid_trained", "yoy_outlier"][1]
    assert kept == "新开培训点，联系人张三 138****5678，座机 0575-****3456，身份证 **************123X"
    assert f"说明 / explanation: {kept}" in summary.text()
    raw = {PHONE, LANDLINE, LANDLINE.replace("-", ""), ID_NUMBER, "85123456", "3306021980"}
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        every_text = " ".join(
            str(con.execute(f'select * from "{schema}"."{table}"').fetchall())
            for schema, table in con.execute("select schema_name, table_name from duckdb_tables() "
                                             "union all select schema_name, view_name from duckdb_views() "
                                             "where not internal").fetchall())
    assert "138****5678" in every_text
    assert [n for n in raw if n in every_text] == []
    published = Home(home).published.read_bytes()
    assert [n for n in raw if n.encode() in published] == []


def test_a_warehouse_made_before_remarks_were_kept_gains_them_and_keeps_its_rows(tmp_path):
    from importlib import resources

    from redcross.warehouse import writer

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:  # the raw tables as the writer made them before issue 21
        old.execute(resources.files("redcross.warehouse").joinpath("raw", "00_schema.sql").read_text("utf-8"))
        old.execute("insert into raw.form_values values ('s1', 'first_aid_trained', 10, null, 'Sheet1', 'D5')")
    con = writer.open_writer(path)
    try:
        assert con.execute("select submission_id, remark from raw.form_values").fetchall() == [("s1", None)]
        assert con.execute("select count(*) from raw.reviews").fetchone() == (0,)
        assert con.execute("select count(*) from data_issues").fetchone() == (0,)
    finally:
        con.close()


def test_status_on_a_warehouse_published_before_reviews_were_kept_says_when_they_show(memory_warehouse):
    memory_warehouse.execute("drop view data_issues")
    text = status_text(memory_warehouse)
    assert "the warnings' states show after the next `redcross run`" in text and "waiting for a look" not in text


def test_a_review_waits_for_a_run_that_holds_the_homes_lock(reviewed_home):
    import threading

    from filelock import FileLock

    lock = FileLock(Home(reviewed_home).lock)
    lock.acquire()
    results: list[int] = []
    waiting = threading.Thread(target=lambda: results.append(
        review(reviewed_home, "普及培训", "yoy_outlier", "--confirm", "数字属实")))
    try:
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive() and results == []  # nothing recorded while the run writes
        assert issues(reviewed_home)["public_trained", "yoy_outlier"][0] == "open"
    finally:
        lock.release()
    waiting.join(timeout=60)
    assert results == [0] and issues(reviewed_home)["public_trained", "yoy_outlier"][0] == "confirmed"
