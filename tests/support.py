"""What the tests share: the day they run as, the registry, real workbooks written with openpyxl
(the pipeline reads with calamine), test homes, and reading back the published warehouse."""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import openpyxl
from keqiao import KEQIAO_2017

from core.registry import load_registry
from read.home import Home

TODAY = date(2026, 11, 28)  # every test's "today": the sample years lie in the past, 2027 in the future
REGISTRY = load_registry()
SAMPLE = Path(str(resources.files("cli").joinpath("sample_data")))
REPO = Path(__file__).parent.parent
FIXTURES = REPO / "tests" / "fixtures"
README = (REPO / "README.md").read_text("utf-8")


def write_form(
    path: Path,
    rows: list[tuple] = KEQIAO_2017,
    unit: str | None = "柯桥区红十字会",
    period: str | None = "2017年",
    header_row: int = 4,
    first_column: int = 1,
    footer: bool = True,
) -> Path:
    """Write a long-layout form with openpyxl; cells given as strings stay strings."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "统计表"
    col = first_column
    sheet.cell(row=1, column=col, value="绍兴市红十字会工作统计表")
    sheet.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + 5)
    if unit is not None:
        sheet.cell(row=2, column=col, value=f"填报单位：{unit}")
    if period is not None:
        sheet.cell(row=2, column=col + 3, value=f"报告期：{period}")
    for offset, title in enumerate(["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]):
        sheet.cell(row=header_row, column=col + offset, value=title)
    for number, (label, measure, value, prior) in enumerate(rows, start=1):
        r = header_row + number
        for offset, cell in enumerate([number, label, measure, value, prior]):
            sheet.cell(row=r, column=col + offset, value=cell)
    if footer:
        end = header_row + len(rows) + 2
        sheet.cell(row=end, column=col, value="填表人：王小明")
        sheet.cell(row=end, column=col + 3, value="联系电话：13900001111")
    book.save(path)
    return path


def set_cells(path: Path, cells: dict[str, object], number_formats: dict[str, str] | None = None) -> Path:
    """Put values (and number formats) into cells of a workbook written by `write_form`, as a clerk
    would type them: a date given as a date is stored as Excel stores one, a serial number."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    for ref, code in (number_formats or {}).items():
        sheet[ref].number_format = code
    book.save(path)
    return path


def make_home(root: Path) -> Path:
    """An empty home folder at `root` with the bundled 2017 targets in place."""
    (root / "targets").mkdir(parents=True)
    shutil.copy2(SAMPLE / "targets" / "2017.csv", root / "targets" / "2017.csv")
    (root / "inbox").mkdir()
    return root


def drop_samples(home: Path, years: tuple[int, ...] = (2016, 2017)) -> list[Path]:
    """Copy the bundled sample forms of these years into the inbox, keeping their mtimes."""
    dropped = []
    for source in sorted((SAMPLE / "inbox").glob("*.xlsx")):
        if any(str(y) in source.name for y in years):
            dropped.append(Path(shutil.copy2(source, home / "inbox" / source.name)))
    return dropped


def published_rows(home: Path, sql: str, params=()) -> list[tuple]:
    """Rows of a query over a home's published warehouse, opened read-only as analysts open it."""
    with duckdb.connect(str(Home(home).published), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()
