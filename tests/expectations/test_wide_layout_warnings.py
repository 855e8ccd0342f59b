"""Every warning on its own cell in the city's summary workbook (the wide layout), where one sheet
row carries a unit's twelve indicators: several indicators of one unit and several units break the
year-on-year rule at once, and each warning names its own cell, indicator and value."""

import openpyxl
import pytest
from support import REGISTRY, TODAY, published_rows

from redcross.flows.backfill import backfill

pytestmark = pytest.mark.usefixtures("prefect_harness")  # the backfill runs as a Prefect flow run

HEADERS = [f"{i.name}({'万元' if i.kind == 'money' else i.stored_unit})" for i in REGISTRY.indicators]
UNITS = ["市本级", "越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "开发区"]
ORGAN, BODY, FIRST_AID = 5, 6, 0  # positions among the indicator columns, which start at column C


def figures(year: int, unit: int) -> list[int]:
    scale = 80 + unit
    return [20 * scale, 160 * scale, scale // 2, 0, scale // 3, 1, 1, scale, scale // 2, 30 * scale, scale, 40 * scale]


def write_book(path, changed: dict[tuple[int, int], int]):
    """2014 and 2015 sheets with a 合计 row that adds up; `changed` sets (unit, column) figures of 2015."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year in (2014, 2015):
        sheet = book.create_sheet(f"{year}年")
        sheet.append([f"绍兴市红十字会{year}年工作统计汇总表"])
        sheet.append(["序号", "单位", *HEADERS])
        rows = []
        for unit, name in enumerate(UNITS):
            row = figures(year, unit)
            if year == 2015:
                for (u, column), value in changed.items():
                    if u == unit:
                        row[column] = value
            rows.append(row)
            sheet.append([unit + 1, name, *row])
        sheet.append([None, "合计", *[sum(column) for column in zip(*rows, strict=True)]])
    book.save(path)


def test_each_broken_figure_of_a_summary_sheet_is_warned_on_its_own_cell(home, tmp_path):
    source = tmp_path / "history"
    source.mkdir()
    # 越城区 (row 4): two indicators fall from 1 to 0; 新昌县 (row 7) and 诸暨市 (row 8): one each;
    # 上虞区 (row 6): 救护员培训 ten times its 2014 figure
    write_book(source / "汇总表.xlsx", {(1, ORGAN): 0, (1, BODY): 0, (4, BODY): 0, (5, BODY): 0,
                                        (3, FIRST_AID): 10 * figures(2014, 3)[FIRST_AID]})
    summary = backfill(years="2014-2015", source=str(source), home=str(home), today=TODAY)

    assert not summary.rejected
    warned = sorted((p.sheet, p.cell, p.indicator, p.value, p.expected, p.rule)
                    for p in summary.warned["汇总表.xlsx"])
    assert warned == [
        ("2015年", "C6", "救护员培训", "16600", "1660", "yoy_outlier"),
        ("2015年", "H4", "器官捐献", "0", "1", "yoy_outlier"),
        ("2015年", "I4", "遗体(角膜)捐献", "0", "1", "yoy_outlier"),
        ("2015年", "I7", "遗体(角膜)捐献", "0", "1", "yoy_outlier"),
        ("2015年", "I8", "遗体(角膜)捐献", "0", "1", "yoy_outlier"),
    ]
    ratio = next(p for p in summary.warned["汇总表.xlsx"] if p.cell == "C6")
    assert "是该单位上年同期 1660 的 10.00 倍" in ratio.message_zh
    # the warehouse records each warning on the submission of its unit's row
    stored = published_rows(home, """select s.unit_code, m.cell from submissions s, unnest(s.messages) as t(m)
                                     where m.rule = 'yoy_outlier' order by s.unit_code, m.cell""")
    assert stored == [("shangyu", "C6"), ("xinchang", "I7"), ("yuecheng", "H4"), ("yuecheng", "I4"),
                      ("zhuji", "I8")]
