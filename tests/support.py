"""What the tests share: the day they run as, the registry, real workbooks written with openpyxl
(the pipeline reads with calamine), test homes, and reading back the published warehouse."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import openpyxl
from keqiao import KEQIAO_2017

from redcross.core.clock import NOW_VARIABLE
from redcross.core.registry import load_registry
from redcross.read.home import Home

TODAY = date(2026, 11, 28)  # every test's "today": the sample years lie in the past, 2027 in the future
TODAY_NOON = "2026-11-28T12:00:00+08:00"  # the clock of the shared nights: when their forms landed


@contextmanager
def fixed_clock(moment: str) -> Iterator[None]:
    """The pipeline's clock (REDCROSS_NOW) standing at `moment` for the block: runs, arrivals, due dates."""
    before = os.environ.get(NOW_VARIABLE)
    os.environ[NOW_VARIABLE] = moment
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(NOW_VARIABLE, None)
        else:
            os.environ[NOW_VARIABLE] = before
REGISTRY = load_registry()
SAMPLE = Path(str(resources.files("redcross.cli").joinpath("sample_data")))
REPO = Path(__file__).parent.parent
FIXTURES = REPO / "tests" / "fixtures"
README = (REPO / "README.md").read_text("utf-8")
DOCS = REPO / "docs"


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


# --- the mid-year review: unit targets, 2017年1-5/1-6/1-7月, a correction, a rejected file ----

OTHER_FIGURES = [  # every form's indicators beyond the three that carry this scenario
    ("普及培训", "人次", 5000), ("造血干细胞捐献", "例", 0), ("器官遗体角膜捐献登记", "人", 10),
    ("器官捐献", "人", 0), ("遗体(角膜)捐献", "例", 1), ("捐赠支出", "元", 100000), ("捐赠支出受益人数", "人", 1000),
    ("志愿服务场次", "场次", 40), ("志愿服务受益人次", "人次", 3000),
]
# 2017年1-6月 per unit: (救护员培训, 造血干细胞捐献登记入库, 捐赠收入 元). 新昌县 sends only a file with a
# negative figure (rejected), 开发区 nothing; 诸暨市's correction (a later night) changes two figures.
MIDYEAR_FIGURES = {
    "市本级": (780, 25, 100000), "越城区": (200, 30, "644134.24"), "柯桥区": (6667, 41, "834123.77"),
    "上虞区": (100, 40, "1288268.48"), "诸暨市": (1835, 48, 500000), "嵊州市": (1260, 27, 300000),
}
ZHUJI_CORRECTED = (1885, 50, 500000)
KEQIAO_MAY, KEQIAO_JULY = 5500, 8501  # 柯桥区's 救护员培训 in 1-5月 and 1-7月, the only forms of those periods
# 年度, 单位, 指标, 目标值: the city's targets (单位 empty or 全市) and the units'. 救护员培训: 柯桥区 6667/10000
# and 越城区 200/300 both show 66.67% but differ exactly; 越城区 and 上虞区 100/150 are exactly equal.
# 捐赠收入: 柯桥区 and 越城区 agree to 10 places (55.6082487383%) and still differ; 上虞区 equals 越城区;
# the three add up to less than the city's 5000000 (分解不足).
UNIT_TARGET_ROWS = [
    (2017, None, "救护员培训", 14468), (2017, "全市", "捐赠收入", 5000000),
    (2017, "市本级", "救护员培训", 1500), (2017, "越城区", "救护员培训", 300), (2017, "柯桥区", "救护员培训", 10000),
    (2017, "上虞区", "救护员培训", 150), (2017, "新昌县", "救护员培训", 900), (2017, "诸暨市", "救护员培训", 2900),
    (2017, "嵊州市", "救护员培训", 1718), (2017, "开发区", "救护员培训", 500),
    (2017, "柯桥区", "捐赠收入", "1500000.07"), (2017, "越城区", "捐赠收入", "1158342.97"),
    (2017, "上虞区", "捐赠收入", "2316685.94"),
]


def midyear_rows(first_aid, hsc_registered, donation_income) -> list[tuple]:
    """A whole form's rows (label, measure, value, no prior) around the three figures given."""
    return [("救护员培训", "人", first_aid, None), ("造血干细胞捐献登记入库", "人", hsc_registered, None),
            ("捐赠收入", "元", donation_income, None), *((label, measure, value, None) for label, measure, value
                                                        in OTHER_FIGURES)]


def write_unit_targets(path: Path, rows: list[tuple] = UNIT_TARGET_ROWS) -> Path:
    """A targets file with a 单位 column: .xlsx written by openpyxl, else CSV (UTF-8)."""
    header = ("年度", "单位", "指标", "目标值")
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
        book.save(path)
    else:
        lines = [",".join(header), *(",".join("" if v is None else str(v) for v in row) for row in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dated(path: Path, when: str) -> Path:
    """Set a form's modification time (ISO, UTC): of two forms for a unit and period the later wins."""
    stamp = datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def drop_midyear_forms(inbox: Path) -> None:
    """1-6月 from every unit but 开发区 (新昌县's is rejected), and 柯桥区's 1-5月."""
    for hour, (unit, figures) in enumerate(MIDYEAR_FIGURES.items(), start=1):
        dated(write_form(inbox / f"{unit}-2017-h1.xlsx", midyear_rows(*figures), unit, "2017年1-6月"),
              f"2017-07-10T{hour:02d}:00")
    dated(write_form(inbox / "新昌县-2017-h1.xlsx", midyear_rows(-468, 12, 400500), "新昌县", "2017年1-6月"),
          "2017-07-10T08:00")
    dated(write_form(inbox / "柯桥区-2017-1-5.xlsx", midyear_rows(KEQIAO_MAY, 35, 700000), "柯桥区", "2017年1-5月"),
          "2017-06-05T09:00")


def drop_corrections(inbox: Path) -> None:
    """What came a week or more later: 诸暨市's corrected 1-6月 and 柯桥区's 1-7月."""
    dated(write_form(inbox / "诸暨市-2017-h1（更正）.xlsx", midyear_rows(*ZHUJI_CORRECTED), "诸暨市", "2017年1-6月"),
          "2017-07-17T02:30")
    dated(write_form(inbox / "柯桥区-2017-1-7.xlsx", midyear_rows(KEQIAO_JULY, 45, 900000), "柯桥区", "2017年1-7月"),
          "2017-08-05T09:00")
