"""Audit formulas on the city's summary workbook (every warning on its own cell): several
indicators of one unit and several units break formulas at once, and each warning names its own
row's cells, indicators and figures."""

from decimal import Decimal

import openpyxl
from support import REGISTRY, TODAY, make_home, published_rows

HEADERS = [f"{i.name}({'万元' if i.kind == 'money' else i.stored_unit})" for i in REGISTRY.indicators]
UNITS = ["市本级", "越城区", "绍兴县", "上虞市"]
COLUMN = {ind.code: openpyxl.utils.get_column_letter(3 + i) for i, ind in enumerate(REGISTRY.indicators)}


def figures(unit_index: int, **changed) -> list:
    """A unit's 2014 row in the registry's order, money in 万元; `changed` by indicator code."""
    scale = 70 + unit_index
    row = dict(zip([i.code for i in REGISTRY.indicators],
                   [20 * scale, 160 * scale, scale // 2, 0, scale // 3, 1, 1, Decimal(scale) + Decimal("0.25"),
                    Decimal(scale) / 2, 30 * scale, scale, 40 * scale], strict=True))
    return list((row | changed).values())


def test_each_units_formula_warning_names_its_own_row_on_a_summary_workbook(tmp_path):
    from redcross.flows.backfill import backfill

    home = make_home(tmp_path / "home")
    rows = [figures(0), figures(1, volunteer_events=0), figures(2),
            figures(3, donation_expenditure=Decimal(0), volunteer_events=0, volunteer_beneficiaries=0)]
    rows[2][COLUMN_INDEX["volunteer_beneficiaries"]] = 50  # 绍兴县: 50 served by 72 events
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2014年"
    sheet.append(["绍兴市红十字会2014年工作统计汇总表"])
    sheet.append(["序号", "单位", *HEADERS])
    for i, (name, row) in enumerate(zip(UNITS, rows, strict=True), start=1):
        sheet.append([i, name, *[float(v) if isinstance(v, Decimal) else v for v in row]])
    sheet.append([None, "合计", *[float(sum(c)) if isinstance(c[0], Decimal) else sum(c) for c in zip(*rows, strict=True)]])
    source = tmp_path / "history"
    source.mkdir()
    book.save(source / "汇总2014.xlsx")

    backfill.local(years="2014", source=str(source), home=str(home), today=TODAY)
    found = sorted(published_rows(home, "select m.rule, m.cell, m.indicator, m.value from (select unnest(messages) "
                                        "as m from submissions where file_name = '汇总2014.xlsx')"))
    assert found == [
        ("aid_together", "K6、L6", "捐赠支出、捐赠支出受益人数", "0.00万元、2190"),
        ("volunteer_reach", "N5、M5", "志愿服务受益人次、志愿服务场次", "50、72"),
        ("volunteer_together", "M4、N4", "志愿服务场次、志愿服务受益人次", "0、2840"),
    ]


COLUMN_INDEX = {ind.code: i for i, ind in enumerate(REGISTRY.indicators)}
