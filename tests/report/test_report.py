"""The 2017 demo report in every format holds the reference figures, and every figure can be traced."""

import re
import shutil
import subprocess
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import duckdb
import openpyxl
import pytest
from support import REGISTRY

from redcross.cli.main import main
from redcross.core.registry import Unit
from redcross.read.home import Home
from redcross.report.html import to_html
from redcross.report.model import CONTRIBUTION_CHART_UNITS, build_report
from redcross.report.narrative import narrative
from redcross.report.text_formats import to_csv
from redcross.report.xlsx import write_xlsx
from redcross.warehouse import queries

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# the 2017 work report's figures, as the narrative prints each figure (the article's precisions)
NARRATIVE_2017 = [
    "开展救护员培训21810人，完成省定指标的150.75%，同比增长25%",
    "普及培训173554人次，完成省定指标的119.96%，同比增长27%",
    "造血干细胞捐献登记入库597人，完成省定指标的137%",
    "器官遗体角膜捐献登记323人，同比增长42%",
    "实现器官捐献14人，同比增长133.3%",
    "遗体(角膜)捐献23例，同比增长76.9%",
    "捐赠收入1459.55万元，同比增长83.11%，其中市本级257.95万元",
    "同比增长17.38%",
    "捐赠支出998.36万元",
    "志愿服务受益126202人次，同比增长192%",
]
# city table of the xlsx summary: indicator -> (total, target, completion, prior, growth) as cells hold them
XLSX_CITY = {
    "救护员培训": (21810, 14468, 1.5075, 17448, 0.25),
    "普及培训": (173554, 144680, 1.1996, 136657, 0.27),
    "造血干细胞捐献登记入库": (597, 436, 1.3693, 520, 0.1481),
    "造血干细胞捐献": (3, "—", "—", 2, 0.5),
    "器官捐献": (14, "—", "—", 6, 1.3333),
    "遗体(角膜)捐献": (23, "—", "—", 13, 0.7692),
    "捐赠收入": (1459.55, "—", "—", 797.09, 0.8311),
    "捐赠支出": (998.36, "—", "—", 650, 0.5359),
    "志愿服务受益人次": (126202, "—", "—", 43220, 1.92),
}


@pytest.fixture(scope="module")
def demo(sample_night):
    """The home of the night over the bundled 2016 and 2017 forms, and its 2017 report."""
    root, _ = sample_night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        report = build_report(con, REGISTRY, 2017, 12)
    return root, report


@pytest.fixture(scope="module")
def xlsx(demo, tmp_path_factory):
    return write_xlsx(demo[1], tmp_path_factory.mktemp("xlsx") / "report-2017.xlsx")


def test_the_narrative_reads_the_reference_figures_at_the_articles_precisions(demo):
    text = narrative(demo[1])
    for phrase in NARRATIVE_2017:
        assert phrase in text
    assert "None" not in text and "nan" not in text and "尚未报送" not in text


def test_the_2016_narrative_has_no_prior_to_compare_and_says_so_once(demo):
    root, _ = demo
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        text = narrative(build_report(con, REGISTRY, 2016, 12))
    assert "同比" not in text.replace("未计算同比", "")
    assert text.endswith("上年同期无可比数据，未计算同比。")
    assert "开展救护员培训17448人" in text and "完成省定指标" not in text


# --- xlsx -----------------------------------------------------------------------------------------

def test_the_xlsx_summary_holds_the_reference_figures_as_numbers(xlsx):
    sheet = openpyxl.load_workbook(xlsx)["汇总"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=7, max_row=18)}
    for name, expected in XLSX_CITY.items():
        assert tuple(cell.value for cell in rows[name][1:6]) == pytest.approx(expected, abs=1e-9), name
    total, completion = rows["救护员培训"][1], rows["救护员培训"][3]
    assert total.data_type == "n" and completion.number_format == "0.00%"
    assert rows["捐赠收入"][1].number_format == '#,##0.00"万元"'
    assert "完成省定指标的150.75%" in sheet["A3"].value


def test_the_xlsx_money_is_written_as_exact_decimal_text_in_wan_yuan(xlsx):
    with zipfile.ZipFile(xlsx) as archive:
        summary = archive.read("xl/worksheets/sheet1.xml").decode()
    # 14595500.00 元 / 10^4, written from the Decimal's own digits: no float ever rounded it
    assert re.search(r"<v>1459\.550*</v>", summary) and re.search(r"<v>998\.360*</v>", summary)
    assert "<v>1.5075</v>" in summary


def test_the_xlsx_has_native_charts_on_the_summary_and_each_indicator_sheet(xlsx):
    with zipfile.ZipFile(xlsx) as archive:
        charts = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        kinds = "".join(archive.read(n).decode() for n in charts)
    assert len(charts) == 3 + 12
    assert "<c:barChart>" in kinds and "<c:lineChart>" in kinds and 'val="percentStacked"' in kinds


def test_a_province_sized_report_leaves_out_the_chart_of_one_series_per_unit(demo, tmp_path):
    _, report = demo
    many = [Unit(f"u{n:03d}", f"单位{n:03d}", "district", None, ()) for n in range(CONTRIBUTION_CHART_UNITS)]
    province = replace(report, registry=replace(report.registry, units=report.registry.units + tuple(many)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns of a chart over Excel's 255 series
        path = write_xlsx(province, tmp_path / "province.xlsx")
    with zipfile.ZipFile(path) as archive:
        charts = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart"))
    assert "<c:barChart>" in charts and 'val="percentStacked"' not in charts
    rows = openpyxl.load_workbook(path)["捐赠收入"].max_row
    assert rows >= 6 + len(province.registry.units)  # every unit still has its line
    title = "各单位对全市总量的贡献"
    assert title in to_html(report) and title not in (province_html := to_html(province))
    assert "单位039" in province_html


def test_a_province_sized_html_gives_one_table_of_the_units_figures_and_each_form_once(demo):
    """Thousands of units: one row a unit (its figure per indicator), the appendix a row a form; each
    figure's cell is in the CSV, whole. 2,920 synthetic units made a 28 MB page before, 1.9 MB now."""
    _, report = demo
    many = tuple(Unit(f"u{n:04d}", f"单位{n:04d}", "district", None, ()) for n in range(CONTRIBUTION_CHART_UNITS))
    province = replace(report, registry=replace(report.registry, units=report.registry.units + many))
    page = to_html(province)
    grid = re.search(r'<section id="units">.*?</section>', page, re.DOTALL).group(0)
    assert grid.count("<tr>") == 1 + len(province.registry.units)  # the header, then a row per unit
    assert '<tr><td>市本级</td><td class="num">2,206</td>' in grid and "<td>单位0039</td>" in grid
    assert '<th id="ind-first_aid_trained">' in grid  # where the city table's figures link
    appendix = re.search(r'<section id="sources">.*?</section>', page, re.DOTALL).group(0)
    assert appendix.count("<tr>") == 1 + 8  # the eight units' forms, once each
    assert all(s.sha256 in appendix for s in report.sources)
    assert all(f"{s.sheet}!{s.cell}" not in page for s in report.sources if s.cell == "D13")  # cells: the CSV's
    csv_lines = to_csv(province).splitlines()
    assert len(csv_lines) == 1 + len(report.sources) and all(s.sha256 in to_csv(province) for s in report.sources)
    assert len(page.encode()) < len(to_html(report).encode()) * 3  # 48 units, not a page per figure


def test_the_xlsx_indicator_sheet_ranks_units_with_share_growth_and_source_cell(xlsx):
    book = openpyxl.load_workbook(xlsx)
    rows = list(book["捐赠收入"].iter_rows(min_row=7, max_row=14, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 9))
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)
    office = next(r for r in rows if r[1] == "市本级")
    assert office[2:6] == pytest.approx((257.95, 0.1767, 219.76, 0.1738))
    assert office[6] == "2017年市本级红十字会工作统计表.xlsx" and office[8] == "D13" and len(office[9]) == 64
    assert sum(r[3] for r in rows) == pytest.approx(1, abs=0.001)


def test_the_xlsx_sources_sheet_traces_every_unit_figure_to_file_sha_and_cell(xlsx, demo):
    root, _ = demo
    rows = list(openpyxl.load_workbook(xlsx)["数据来源"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12 * 8
    archived = {p.stem for p in Home(root).archive.iterdir()}
    assert {r[4] for r in rows} <= archived  # every SHA-256 names an archived original
    first_aid = [r for r in rows if r[0] == "救护员培训"]
    assert sum(r[2] for r in first_aid) == 21810
    assert all(re.fullmatch(r"[A-Z]+\d+", r[6]) for r in rows)


def test_the_sources_give_each_warning_with_the_forms_explanation(xlsx, demo):
    """The bundled 越城区 2017 form has two warnings: one explained in its 备注, one not."""
    rows = list(openpyxl.load_workbook(xlsx)["数据来源"].iter_rows(min_row=2, values_only=True))
    warned = {r[7] for r in rows if r[1] == "越城区"}
    assert len(warned) == 1
    (text,) = warned
    explained, unexplained = text.split("；")
    assert "39" in explained and explained.endswith("（说明：上年同期数含2016年底补录的12人（按年报更正口径））")
    assert "3578" in unexplained and "说明" not in unexplained
    assert all(not r[7] for r in rows if r[1] != "越城区")
    assert "（说明：上年同期数含2016年底补录的12人" in to_csv(demo[1])
    assert "（说明：上年同期数含2016年底补录的12人（按年报更正口径））" in to_html(demo[1])


# --- HTML -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def html(demo):
    return to_html(demo[1])


def test_the_html_holds_the_reference_percentages_and_links_each_figure_to_its_sources(html, demo):
    for text in ["150.75%", "119.96%", "136.93%", "133.33%", "76.92%", "83.11%", "192.00%", "1,459.55", "21,810"]:
        assert text in html
    assert html.count('href="#ind-') >= 24
    for source in demo[1].sources:
        assert source.sha256 in html
    assert "2017年市本级红十字会工作统计表.xlsx" in html and "统计表!D13" in html


def test_the_html_is_self_contained(html):
    assert "<script src" not in html and "<link" not in html and "url(" not in html and "@import" not in html
    assert re.findall(r'(?:src|href)="(?!#)', html) == []
    assert "@page" in html and 'name="viewport"' in html


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_html_renders_its_charts_in_headless_chromium_without_console_errors(html, tmp_path):
    page = tmp_path / "report-2017.html"
    page.write_text(html, encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3
    assert len(re.findall(r"<rect\b", dom.stdout)) >= 3 + 12 + 12 * 8
    assert "完成省定指标的150.75%" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    for name, size in [("desktop", "1000,3000"), ("phone", "390,2400")]:
        shot = tmp_path / f"report-2017-{name}.png"
        run = _chromium(f"--screenshot={shot}", f"--window-size={size}", "--hide-scrollbars", page.as_uri(),
                        profile=tmp_path / "profile")
        assert run.returncode == 0 and shot.stat().st_size > 20_000, run.stderr[-2000:]


# --- the command ----------------------------------------------------------------------------------

def test_report_command_writes_xlsx_and_html_under_the_homes_reports_folder(demo, capsys):
    root, _ = demo
    for fmt in ("xlsx", "html"):
        assert main(["report", "--home", str(root), "--year", "2017", "--format", fmt]) == 0
        written = root / "reports" / "2017" / f"report-2017-12.{fmt}"
        assert written.stat().st_size > 10_000
    assert openpyxl.load_workbook(root / "reports" / "2017" / "report-2017-12.xlsx")["汇总"]["B7"].value == 21810


def test_report_command_writes_to_out_when_given(demo, tmp_path):
    root, _ = demo
    out = tmp_path / "somewhere" / "r.html"
    assert main(["report", "--home", str(root), "--year", "2017", "--format", "html", "--out", str(out)]) == 0
    assert "150.75%" in out.read_text(encoding="utf-8")


def test_reports_read_from_held_marts_are_the_reports_read_from_the_views(sample_night):
    """A run reporting several years computes the marts once (queries.hold_marts); nothing may differ."""
    root, _ = sample_night
    with duckdb.connect(str(Home(root).published), read_only=True) as con:
        from_views = [build_report(con, REGISTRY, year, 12) for year in (2016, 2017)]
        missing = {period: queries.missing_units(con, *period) for period in [(2017, 12), (2016, 6), (2016, 12)]}
        queries.hold_marts(con)
        from_held = [build_report(con, REGISTRY, year, 12) for year in (2016, 2017)]
        assert queries.missing_units_of_periods(con, list(missing)) == missing
    assert from_held == from_views
    assert [to_html(r) for r in from_held] == [to_html(r) for r in from_views]
    assert missing[2016, 6] == [u.name for u in REGISTRY.units] and missing[2017, 12] == []
