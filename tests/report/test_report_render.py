"""Reports built inline: a unit missing, no prior, no target, hostile text from input files."""

import json
import re
import zipfile
from dataclasses import replace
from decimal import Decimal

import openpyxl
from support import REGISTRY

from redcross.report.html import to_html
from redcross.report.model import Figure, Report, Source
from redcross.report.narrative import narrative
from redcross.report.text_formats import inert, to_json, to_markdown
from redcross.report.xlsx import write_xlsx

EVIL_FILE = "=cmd|' /C calc'!A0.xlsx"


def partial_report(registry=REGISTRY, file_name="2018年柯桥.xlsx") -> Report:
    """2018 January to June: only 柯桥区 and 市本级 reported; first aid has a target but no prior, the rest neither."""
    figures = [
        Figure("first_aid_trained", "city", Decimal(3000), Decimal(15000), None, 6),
        Figure("donation_income", "city", Decimal("1234567.89"), None, Decimal("1000000.00"), 6),
        Figure("first_aid_trained", "keqiao", Decimal(1800), None, None, 6),
        Figure("first_aid_trained", "city_office", Decimal(1200), None, None, 6),
        Figure("donation_income", "keqiao", Decimal("1000000.00"), None, Decimal("800000.00"), 6),
        Figure("donation_income", "city_office", Decimal("234567.89"), None, None, 6),
    ]
    sources = tuple(
        Source(f.indicator_code, f.scope, registry.unit(f.scope).name, f.total, file_name, "ab" * 32, "统计表",
               "D5" if f.indicator_code == "first_aid_trained" else "D12", "")
        for f in figures if f.scope != "city"
    )
    missing = [u.name for u in registry.units if u.code not in ("keqiao", "city_office")]
    return Report(2018, 6, figures, registry, missing, sources)


def test_a_missing_prior_or_target_reads_naturally():
    text = narrative(partial_report())
    assert text.startswith("2018年1-6月（序时进度50%），全市红十字系统开展救护员培训3000人，"
                           "完成全年目标的20.00%，落后序时进度30.00个百分点；")
    assert "捐赠收入123.46万元，同比增长23.46%，其中市本级23.46万元，占全市的19.00%" in text
    assert "救护员培训上年同期无可比数据，未计算同比。" in text
    for bad in ("None", "nan", "null", "—%"):
        assert bad not in text


def test_a_period_with_units_not_reported_says_which():
    text = narrative(partial_report())
    assert "越城区、上虞区、新昌县、诸暨市、嵊州市、开发区尚未报送本期报表，以上为已报单位合计" in text


def test_every_format_renders_a_partial_period_cleanly(tmp_path):
    report = partial_report()
    html = to_html(report)
    assert "本期尚未报送" in html and "缺报" in html and "None" not in html and "nan%" not in html
    assert html.count("<svg") == 3
    book = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    city = {row[0]: row[1:6] for row in book["汇总"].iter_rows(min_row=7, max_row=8, values_only=True)}
    assert city["救护员培训"] == (3000, 15000, 0.2, "—", "—")
    assert city["捐赠收入"] == (123.456789, "—", "—", 100, 0.2346)
    breakdown = list(book["救护员培训"].iter_rows(min_row=7, max_row=14, values_only=True))
    assert [r[1] for r in breakdown[:2]] == ["柯桥区", "市本级"] and breakdown[2][2] == "缺报"
    assert json.loads(to_json(report))["figures"][0]["yoy_growth_pct"] is None
    assert "None" not in to_markdown(report)


def test_text_from_input_files_is_never_a_formula_in_the_xlsx(tmp_path):
    units = tuple(replace(u, name="+SUM(1,2)") if u.code == "keqiao" else u for u in REGISTRY.units)
    report = partial_report(replace(REGISTRY, units=units), file_name=EVIL_FILE)
    path = write_xlsx(report, tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml for xml in sheets)
    book = openpyxl.load_workbook(path)
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [t for t in texts if "cmd|" in t or "SUM(" in t]
    assert hostile and all(t.startswith("'") for t in hostile)
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)


def test_formula_characters_are_neutralised_and_plain_text_is_left_alone():
    assert inert(EVIL_FILE) == "'" + EVIL_FILE
    assert [inert(t) for t in ["-1", "@SUM(A1)", "\t=1", "+1"]] == ["'-1", "'@SUM(A1)", "'\t=1", "'+1"]
    assert inert("柯桥区 2017.xlsx") == "柯桥区 2017.xlsx" and inert(None) == ""


def test_text_from_input_files_is_escaped_in_the_html():
    report = partial_report(file_name='<img src=x onerror="alert(1)">.xlsx')
    html = to_html(report)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.xlsx" in html
    assert not re.search(r"<script\b", html)
