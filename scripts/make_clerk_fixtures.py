"""Write tests/fixtures/clerks/: forms whose 报告期 a spreadsheet program turned into a date.

In Excel or WPS a clerk types `2017年6月` and the cell becomes a date (2017-06-01) shown through
a format like `yyyy"年"m"月"`. LibreOffice is the office suite on this machine, so it plays the
clerk: it reads a CSV of the form as typed text with its Chinese (zh-CN) input recognition on,
exactly as if each cell were typed in. LibreOffice's zh-CN recognition takes `2017年6月1日` as a
date but leaves a bare `2017年6月` as text, so the script types the full date and then gives the
cell the number format a clerk would pick (Format Cells), the same one Excel puts on a typed
`2017年6月`. LibreOffice's own filters then save the workbook as .xlsx, .xls and .ods.

| file | typed in 报告期 | number format | shown | means |
|---|---|---|---|---|
| `period_month_date.*` | 2017年6月1日 | `YYYY"年"M"月"` | 2017年6月 | January to June 2017 |
| `period_year_date.*` | 2017年6月30日 | `YYYY"年"` | 2017年 | the year 2017 |

Both give the unit under its official full name, `浙江省绍兴市柯桥区红十字会（盖章）`.

The files are committed; CI reads them and never needs LibreOffice. Re-run only to change them:

    apt-get install -y libreoffice-calc-nogui python3-uno   # once
    uv run python scripts/make_clerk_fixtures.py
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from keqiao import KEQIAO_2017
from make_fixtures import HEADERS, office_script, without_thumbnail

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "clerks"
UNIT = "浙江省绍兴市柯桥区红十字会（盖章）"
PERIOD_CELL = (4, 1)  # E2, zero-based column and row: the cell after 报告期：
FIXTURE_KINDS = {  # name -> (what the clerk types, the number format the cell is given)
    "period_month_date": ("2017年6月1日", 'YYYY"年"M"月"'),
    "period_year_date": ("2017年6月30日", 'YYYY"年"'),
}
FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "xls": "MS Excel 97", "ods": "calc8"}

# LibreOffice's own Python (python3-uno). The CSV filter's options: comma, double quote, UTF-8,
# from line 1, no column formats, language 2052 (zh-CN), quoted fields not forced to text, and
# "detect special numbers" on, which is the recognition a typed cell goes through.
_TYPE_AND_SAVE = office_script(
    "from com.sun.star.beans import PropertyValue\nfrom com.sun.star.lang import Locale",
    "source, pipe, column, row, number_format = sys.argv[1:6]\ntargets = sys.argv[6:]  # path, filter, ...",
    """
    options = (prop("Hidden", True), prop("FilterName", "Text - txt - csv (StarCalc)"),
               prop("FilterOptions", "44,34,76,1,,2052,false,true"))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, options)
    cell = doc.Sheets.getByIndex(0).getCellByPosition(int(column), int(row))
    if cell.Type.value != "VALUE":
        raise SystemExit(f"LibreOffice kept {cell.getString()!r} as text, not a date")
    formats, zh = doc.NumberFormats, Locale("zh", "CN", "")
    key = formats.queryKey(number_format, zh, False)
    cell.NumberFormat = key if key != -1 else formats.addNew(number_format, zh)
    doc.Sheets.getByIndex(0).Name = "统计表"
    for path, name in zip(targets[::2], targets[1::2]):
        doc.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", name),))
    """,
)


def typed_form(period: str) -> str:
    """The form as a clerk types it, cell by cell, as CSV text."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["绍兴市红十字会工作统计表"])
    writer.writerow(["填报单位：", UNIT, "", "报告期：", period])
    writer.writerow(HEADERS)
    for number, (label, unit, value, prior) in enumerate(KEQIAO_2017, start=1):
        writer.writerow([number, label, unit, value, prior, ""])
    writer.writerow([])
    writer.writerow(["填表人：王小明", "", "", "联系电话：13900001111"])
    return text.getvalue()


def make(name: str, typed: str, number_format: str) -> list[Path]:
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{name}.csv"
        source.write_text(typed_form(typed), encoding="utf-8")
        targets = [(FIXTURES / f"{name}.{suffix}", filter_name) for suffix, filter_name in FILTERS.items()]
        subprocess.run(
            ["/usr/bin/python3", "-c", _TYPE_AND_SAVE, str(source), "redcross_clerks", *map(str, PERIOD_CELL),
             number_format, *[str(part) for target in targets for part in target]],
            check=True, timeout=180,
        )
    without_thumbnail(FIXTURES / f"{name}.ods")
    return [path for path, _ in targets]


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (typed, number_format) in FIXTURE_KINDS.items():
        for path in make(name, typed, number_format):
            print(f"{path.relative_to(FIXTURES.parent.parent.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
