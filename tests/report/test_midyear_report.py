"""The report of a period before December, from the mid-year review's night (conftest
`midyear_night`): schedule sentences, the units' ranking, the period's revisions and the coverage
grid in every format, and the night's summary."""

import json
import re
import zipfile

import duckdb
import openpyxl
import pytest
from support import REGISTRY

from redcross.read.home import Home
from redcross.report.html import to_html
from redcross.report.model import build_report
from redcross.report.narrative import narrative
from redcross.report.text_formats import to_json, to_markdown
from redcross.report.xlsx import write_xlsx

RANKING_FIRST_AID = [
    "| 1 | 嵊州市 | 1260 | 1718 | 73.34% | +23.34 | — |",
    "| 2 | 柯桥区 | 6667 | 10000 | 66.67% | +16.67 | — |",
    "| 3 | 越城区 | 200 | 300 | 66.67% | +16.67 | — |",
    "| 3 | 上虞区 | 100 | 150 | 66.67% | +16.67 | — |",
    "| 5 | 诸暨市 | 1885 | 2900 | 65.00% | +15.00 | — |",
    "| 6 | 市本级 | 780 | 1500 | 52.00% | +2.00 | — |",
    "| — | 新昌县 | 缺报 | 900 | — | — | — |",
    "| — | 开发区 | 缺报 | 500 | — | — | — |",
]
GRID_ROWS = [  # units down, 1-5月 1-6月 1-7月 across
    ("市本级", "缺报", "已报", "缺报"), ("越城区", "缺报", "已报", "缺报"), ("柯桥区", "已报", "已报", "已报"),
    ("上虞区", "缺报", "已报", "缺报"), ("新昌县", "缺报", "退回", "缺报"), ("诸暨市", "缺报", "已报", "缺报"),
    ("嵊州市", "缺报", "已报", "缺报"), ("开发区", "缺报", "缺报", "缺报"),
]


@pytest.fixture(scope="module")
def reports(midyear_night):
    root, _ = midyear_night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        return {month: build_report(con, REGISTRY, 2017, month) for month in (5, 6, 7)}


def test_before_december_the_narrative_reads_each_target_against_the_calendar(reports):
    # m/12 does not end for May and July: the gap is the exact difference rounded once
    # (38.0149… - 41.6666… = -3.6517…, not 38.01 - 41.67; 58.7572… - 58.3333… = 0.4239…, not 58.76 - 58.33)
    assert narrative(reports[5]).startswith(
        "2017年1-5月（序时进度41.67%），全市红十字系统开展救护员培训5500人，完成全年目标的38.01%，落后序时进度3.65个百分点；")
    assert narrative(reports[7]).startswith(
        "2017年1-7月（序时进度58.33%），全市红十字系统开展救护员培训8501人，完成全年目标的58.76%，超序时进度0.42个百分点；")
    june = narrative(reports[6])
    assert "完成全年目标的75.28%，超序时进度25.28个百分点" in june
    assert "捐赠收入366.65万元，完成全年目标的73.33%，超序时进度23.33个百分点" in june
    assert "完成省定指标" not in june and "新昌县、开发区尚未报送本期报表" in june


def test_the_city_table_gives_the_gap_in_points(reports):
    assert "| 救护员培训 | 人 | 5500 | 14468 | 38.01% | — | — | -3.65 |" in to_markdown(reports[5])
    assert "| 救护员培训 | 人 | 8501 | 14468 | 58.76% | — | — | +0.42 |" in to_markdown(reports[7])


def test_the_markdown_ranks_the_units_lists_the_revisions_and_draws_the_grid(reports):
    lines = to_markdown(reports[6]).splitlines()
    start = lines.index("### 救护员培训（人）")
    assert lines[start + 4:start + 12] == RANKING_FIRST_AID
    assert "| 1 | 柯桥区 | 83.41 | 150.00 | 55.61% | +5.61 | — |" in lines
    assert "| 2 | 上虞区 | 128.83 | 231.67 | 55.61% | +5.61 | — |" in lines
    revisions = lines[lines.index("## 本期修订 / Revisions") + 4:][:3]
    assert revisions == [
        "| 诸暨市 | 救护员培训 | 人 | 1835 | 1885 | 诸暨市-2017-h1.xlsx | 诸暨市-2017-h1（更正）.xlsx | 2017-07-17 02:30 |",
        "| 诸暨市 | 造血干细胞捐献登记入库 | 人 | 48 | 50 | 诸暨市-2017-h1.xlsx | 诸暨市-2017-h1（更正）.xlsx | 2017-07-17 02:30 |",
        "",
    ]
    grid = lines[lines.index("| 单位 | 1-5月 | 1-6月 | 1-7月 |") + 2:][:8]
    assert grid == [f"| {' | '.join(row)} |" for row in GRID_ROWS]


def test_the_json_carries_the_schedule_the_ranks_the_revisions_and_the_coverage(reports):
    june = json.loads(to_json(reports[6]))
    assert june["time_progress_pct"] == "50.00"
    figures = {(f["scope"], f["indicator_code"]): f for f in june["figures"]}
    assert figures["city", "first_aid_trained"] == {
        "indicator_code": "first_aid_trained", "scope": "city", "total": "10892", "target": "14468",
        "completion_pct": "75.28", "prior_total": None, "yoy_growth_pct": None, "schedule_gap_pts": "25.28", "rank": None,
        "complete": False, "comparable_units": 0, "comparable_total": None, "comparable_prior_total": None,
        "comparable_growth_pct": None,
        # no 2016 1-6月 at all: every unit is left out, those without a June form on both counts
        "comparable_left_out": [{"unit_name": name, "missing": "prior" if june == "已报" else "both"}
                                for name, _, june, _ in GRID_ROWS]}
    assert figures["keqiao", "first_aid_trained"] == {
        "indicator_code": "first_aid_trained", "scope": "keqiao", "total": "6667", "target": "10000",
        "completion_pct": "66.67", "prior_total": None, "yoy_growth_pct": None, "schedule_gap_pts": "16.67", "rank": 2}
    assert [figures[u, "first_aid_trained"]["rank"] for u in ("yuecheng", "shangyu", "zhuji")] == [3, 3, 5]
    assert [figures[u, "donation_income"]["rank"] for u in ("keqiao", "yuecheng", "shangyu")] == [1, 2, 2]
    unranked = figures["keqiao", "hsc_registered"]
    assert (unranked["target"], unranked["completion_pct"], unranked["schedule_gap_pts"], unranked["rank"]) == (
        None, None, None, None)
    assert [(r["unit_code"], r["indicator_code"], r["old_value"], r["new_value"], r["revised_at"])
            for r in june["revisions"]] == [("zhuji", "first_aid_trained", "1835", "1885", "2017-07-17T02:30:00"),
                                            ("zhuji", "hsc_registered", "48", "50", "2017-07-17T02:30:00")]
    states = {(c["unit_code"], c["month"]): c["state"] for c in june["coverage"]}
    assert len(states) == 8 * 3
    assert (states["xinchang", 6], states["devzone", 6], states["keqiao", 5]) == ("rejected", "missing", "accepted")
    may, july = json.loads(to_json(reports[5])), json.loads(to_json(reports[7]))
    assert (may["time_progress_pct"], july["time_progress_pct"]) == ("41.67", "58.33")
    assert [next(f["schedule_gap_pts"] for f in r["figures"] if (f["scope"], f["indicator_code"])
                 == ("city", "first_aid_trained")) for r in (may, july)] == ["-3.65", "0.42"]


def test_the_html_has_the_ranking_with_charts_the_revisions_and_the_grid(reports):
    page = to_html(reports[6])
    ranking = page[page.index('<section class="indicator" id="rank-first_aid_trained">'):]
    ranking = ranking[:ranking.index("</section>")]
    ranks = re.findall(r"<tr><td class=\"num\">(\d)</td><td>(\S+?)</td>", ranking)
    assert ranks == [("1", "嵊州市"), ("2", "柯桥区"), ("3", "越城区"), ("3", "上虞区"), ("5", "诸暨市"), ("6", "市本级")]
    assert "救护员培训：各单位完成全年目标" in ranking and "<svg" in ranking
    assert 'id="rank-donation_income"' in page and 'id="rank-hsc_registered"' not in page
    revisions = page[page.index('<section id="revisions">'):page.index('<section id="coverage">')]
    assert revisions.count("<tr>") == 3 and "1,835" in revisions and "1,885" in revisions
    assert "诸暨市-2017-h1（更正）.xlsx" in revisions
    grid = page[page.index('<section id="coverage">'):]
    cells = re.findall(r'<td class="state state-(\w+)">(\S+?)</td>', grid)
    labels = {"accepted": "已报", "rejected": "退回", "missing": "缺报"}
    assert [label for _, label in cells] == [s for row in GRID_ROWS for s in row[1:]]
    assert all(labels[state] == label for state, label in cells)
    assert "图例" in grid and "序时进度50.00%" in page


def test_the_xlsx_has_the_ranking_with_charts_the_revisions_and_the_grid(reports, tmp_path):
    path = write_xlsx(reports[6], tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"各单位目标", "本期修订", "报送情况"} <= set(book.sheetnames)
    ranking = list(book["各单位目标"].iter_rows(min_row=6, max_row=13, max_col=7, values_only=True))
    assert ranking == [
        (1, "嵊州市", 1260, 1718, 0.7334, 23.34, "—"), (2, "柯桥区", 6667, 10000, 0.6667, 16.67, "—"),
        (3, "越城区", 200, 300, 0.6667, 16.67, "—"), (3, "上虞区", 100, 150, 0.6667, 16.67, "—"),
        (5, "诸暨市", 1885, 2900, 0.65, 15, "—"), (6, "市本级", 780, 1500, 0.52, 2, "—"),
        ("—", "新昌县", "缺报", 900, "—", "—", "—"), ("—", "开发区", "缺报", 500, "—", "—", "—"),
    ]
    assert list(book["本期修订"].iter_rows(min_row=5, max_col=4, values_only=True)) == [
        ("诸暨市", "救护员培训", 1835, 1885), ("诸暨市", "造血干细胞捐献登记入库", 48, 50)]
    grid = list(book["报送情况"].iter_rows(min_row=3, max_row=11, values_only=True))
    assert grid == [("单位", "1-5月", "1-6月", "1-7月"), *GRID_ROWS]
    city = next(row for row in book["汇总"].iter_rows(min_row=6, max_row=8, values_only=True) if row[0] == "救护员培训")
    assert city[:8] == ("救护员培训", 10892, 14468, 0.7528, "—", "—", 25.28, "各单位明细")
    with zipfile.ZipFile(path) as archive:
        charts = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart"))
    assert charts.count("各单位完成全年目标") == 2 and "序时进度(50.00%)" in charts


def test_the_nights_summary_lists_its_revisions_and_the_short_breakdown(midyear_night):
    _, summary = midyear_night
    assert summary.revisions == ["诸暨市 2017年1-6月 救护员培训 1835 → 1885",
                                 "诸暨市 2017年1-6月 造血干细胞捐献登记入库 48 → 50"]
    text = summary.text()
    assert "修订 / revisions (a later form changed these figures): 2\n  诸暨市 2017年1-6月 救护员培训 1835 → 1885\n" in text
    assert "提示 / warning 2017年各单位的“捐赠收入”目标合计 4975028.98，少于全市目标 5000000.00（分解不足）" in text
    assert "缺报 / not yet reported for 2017年1-6月: 新昌县、开发区" in text
    artifact = summary.markdown()  # what the Prefect artifact shows
    assert "## 修订 / revisions: 2\n\n- 诸暨市 2017年1-6月 救护员培训 1835 → 1885\n" in artifact
    assert "(warning): 2017年各单位的“捐赠收入”目标合计 4975028.98" in artifact
