"""Synthetic long-layout forms at a chosen scale (units x years x months), fast and deterministic.

One template workbook is written with xlsxwriter (title merged across the table, 填报单位 and
报告期 above it, the header row, twelve indicator rows, footer lines); every form is that
template with its two per-file strings and twenty-four numbers patched into the sheet XML and the
shared strings, so a form costs a zip rewrite, not a workbook build. The figures are a function of
(unit, indicator, year, month) alone, so reruns give byte-identical files, and they are built to
pass every check: whole non-negative counts, money in 万元 with two decimals, each figure within
3x of the same period a year earlier, and 上年同期数 equal to what that earlier form said; unless
asked for the warnings and errors real forms carry (--revised-priors, --jumps, --errors, --audit;
see Mess).

    uv run python benchmarks/generate.py --units 100 --years 2 --months 12 --out /tmp/bench/inbox

writes the forms into --out and the registry for the synthetic units into --registry
(default: <out>/../registry/units.csv, which is where a home keeps its own units.csv).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

# (form label, unit written on the form, kind, typical full-year figure for a county)
INDICATORS = [
    ("救护员培训", "人", "count", 2400),
    ("普及培训", "人次", "count", 20000),
    ("造血干细胞捐献登记入库", "人", "count", 90),
    ("造血干细胞捐献", "例", "count", 24),
    ("器官遗体角膜捐献登记", "人", "count", 60),
    ("器官捐献", "人", "count", 24),
    ("遗体(角膜)捐献", "例", "count", 24),
    ("捐赠收入", "万元", "money", 200),
    ("捐赠支出", "万元", "money", 150),
    ("捐赠支出受益人数", "人", "count", 6000),
    ("志愿服务场次", "场次", "count", 240),
    ("志愿服务受益人次", "人次", "count", 20000),
]
FIRST_YEAR = 2017
UNIT_MARK = "@@UNIT@@"
PERIOD_MARK = "@@PERIOD@@"
VALUE_MARK = 900_000_000  # placeholder numbers: VALUE_MARK + 2*i (本期数), + 2*i + 1 (上年同期数)
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


@dataclass(frozen=True)
class Unit:
    number: int

    code = property(lambda self: f"u{self.number:04d}")
    name = property(lambda self: f"单位{self.number:04d}区")


def units(count: int) -> list[Unit]:
    return [Unit(n) for n in range(1, count + 1)]


def write_registry(path: Path, count: int) -> None:
    """units.csv for the synthetic units, in the columns of core/registry/units.csv."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["unit_code", "unit_name", "unit_kind", "admin_code", "aliases"])
        for unit in units(count):
            out.writerow([unit.code, unit.name, "county", f"9{unit.number:05d}", f"单位{unit.number:04d}"])


def _scale(unit: Unit, indicator: int) -> int:
    """A stable per-unit, per-indicator factor between 0.5 and 1.5 (x1000)."""
    digest = hashlib.blake2b(f"{unit.code}/{indicator}".encode(), digest_size=4).digest()
    return 500 + int.from_bytes(digest, "big") % 1001


def figure(unit: Unit, indicator: int, year: int, month: int) -> Decimal:
    """The cumulative figure January..month of `year`: grows ~8% a year, ~linear in the months."""
    _, _, kind, typical = INDICATORS[indicator]
    growth = 1000 + 80 * (year - FIRST_YEAR + 1)  # the year before FIRST_YEAR is defined too (prior)
    full_year = typical * _scale(unit, indicator) * growth  # x 1e6
    if kind == "count":
        return Decimal(max(full_year * month // 12 // 1_000_000, month))  # never 0: keeps the 3x check meaningful
    cents = max(full_year * 100 * month // 12 // 1_000_000, month * 100)  # 万元 x 100
    return Decimal(cents) / 100


def period_text(year: int, month: int) -> str:
    return f"{year}年" if month == 12 else f"{year}年1-{month}月"


def template_members() -> dict[str, bytes]:
    """The members of one form workbook written by xlsxwriter, with placeholders to patch."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("统计表")
    title = book.add_format({"bold": True, "align": "center", "font_size": 14})
    head = book.add_format({"bold": True, "border": 1, "align": "center"})
    cell = book.add_format({"border": 1})
    money = book.add_format({"border": 1, "num_format": "0.00"})
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 5, 12)
    sheet.merge_range(0, 0, 0, 5, "全国红十字会工作统计表", title)
    sheet.write(1, 0, f"填报单位：{UNIT_MARK}")
    sheet.write(1, 3, f"报告期：{PERIOD_MARK}")
    for column, text in enumerate(["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]):
        sheet.write(3, column, text, head)
    for i, (label, measure, kind, _) in enumerate(INDICATORS):
        row = 4 + i
        style = money if kind == "money" else cell
        sheet.write_number(row, 0, i + 1, cell)
        sheet.write(row, 1, label, cell)
        sheet.write(row, 2, measure, cell)
        sheet.write_number(row, 3, VALUE_MARK + 2 * i, style)
        sheet.write_number(row, 4, VALUE_MARK + 2 * i + 1, style)
        sheet.write_blank(row, 5, None, cell)
    end = 4 + len(INDICATORS) + 1
    sheet.write(end, 0, "填表人：张三")
    sheet.write(end, 3, "联系电话：13800000000")
    sheet.write(end + 1, 0, "单位负责人：李四")
    sheet.write(end + 1, 3, "填报日期：2026年11月1日")
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def _number(value: Decimal) -> bytes:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.encode()


REVISED = (1, 4, 9)  # the rows whose 上年同期数 a messy form revises


@dataclass(frozen=True)
class Mess:
    """What real forms carry: 上年同期数 revised since the earlier form was sent (a prior_mismatch
    warning on three rows), a share of forms with a 3x jump (a yoy_outlier warning) and a share with
    an error that rejects the file (a negative count, or a fractional one). Which forms is a stable
    function of the form, so reruns write the same files."""

    revised_priors: bool = False
    jump_share: float = 0.0
    error_share: float = 0.0
    audit_share: float = 0.0  # forms that break the audit formulas and, in even months, fall below the month before

    def audited(self, unit: Unit, year: int, month: int) -> bool:
        """Whether the form breaks the audit checks (a draw of its own: the other draws stay as they were)."""
        digest = hashlib.blake2b(f"audit/{unit.code}/{year}/{month}".encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big") / 2**32 < self.audit_share

    def of(self, unit: Unit, year: int, month: int) -> tuple[bool, bool, bool]:
        digest = hashlib.blake2b(f"{unit.code}/{year}/{month}".encode(), digest_size=8).digest()
        draw_jump, draw_error = (int.from_bytes(digest[:4], "big") / 2**32, int.from_bytes(digest[4:], "big") / 2**32)
        return self.revised_priors, draw_jump < self.jump_share, draw_error < self.error_share


CLEAN = Mess()


def audit_figure(unit: Unit, indicator: int, year: int, month: int, value: Decimal) -> Decimal:
    """A figure as a form that breaks the audit checks gives it: fewer 志愿服务受益人次 than 志愿服务场次
    (volunteer_reach), no 捐赠支出 for the people it helped (aid_together), and in even months 普及培训
    below the month before's (cumulative_decrease). The same in every year, so that a year against the
    one before (both audited) stays within 3x and 上年同期数 agrees with it."""
    if indicator == 11:
        return figure(unit, 10, year, month) - 1
    if indicator == 8:
        return Decimal(0)
    if indicator == 1 and month % 2 == 0:
        return figure(unit, 1, year, month - 1) - 1
    return value


class FormWriter:
    """Patches the template for one unit and period and writes it as a zip, members in template order."""

    def __init__(self) -> None:
        self.members = template_members()
        self.sheet = self.members[SHEET]
        self.strings = self.members[STRINGS]
        self.fixed = {
            name: zipfile.ZipInfo(name, date_time=(2026, 11, 1, 0, 0, 0)) for name in self.members
        }

    def form_bytes(self, unit: Unit, year: int, month: int, revision: int = 0, mess: Mess | None = None) -> bytes:
        """The form's bytes; `revision` > 0 is a corrected version (救护员培训 raised by `revision`);
        `mess` makes it as real forms come (see Mess)."""
        sheet = self.sheet
        mess = mess or CLEAN
        revised, jump, error = mess.of(unit, year, month)
        audited, prior_audited = mess.audited(unit, year, month), mess.audited(unit, year - 1, month)
        for i in range(len(INDICATORS)):
            value = figure(unit, i, year, month) + (revision if i == 0 else 0)
            prior = figure(unit, i, year - 1, month)
            if audited:
                value = audit_figure(unit, i, year, month, value)
            if prior_audited:
                prior = audit_figure(unit, i, year - 1, month, prior)
            if revised and i in REVISED:
                prior += 1  # the district revised last year's figure since it sent it
            if jump and i == 0:
                value *= 4  # beyond the 3x a year earlier
            if error and i == 2:
                value = -value if unit.number % 2 else value + Decimal("0.5")  # negative, or a half person
            sheet = sheet.replace(b"<v>%d</v>" % (VALUE_MARK + 2 * i), b"<v>" + _number(value) + b"</v>")
            sheet = sheet.replace(b"<v>%d</v>" % (VALUE_MARK + 2 * i + 1), b"<v>" + _number(prior) + b"</v>")
        strings = self.strings.replace(UNIT_MARK.encode(), unit.name.encode()).replace(
            PERIOD_MARK.encode(), period_text(year, month).encode())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, data in self.members.items():
                data = sheet if name == SHEET else strings if name == STRINGS else data
                info = self.fixed[name]
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return buffer.getvalue()


def form_name(unit: Unit, year: int, month: int) -> str:
    return f"{unit.code}-{year}-{month:02d}.xlsx"


def generate(out: Path, unit_count: int, years: int, months: int, first_year: int = FIRST_YEAR,
             mtime: float = 1_790_000_000.0, mess: Mess | None = None) -> int:
    """Write every form of the scale into `out`; returns how many. Months are the last `months` of the year."""
    out.mkdir(parents=True, exist_ok=True)
    writer = FormWriter()
    written = 0
    for year in range(first_year, first_year + years):
        for month in range(13 - months, 13):
            for unit in units(unit_count):
                path = out / form_name(unit, year, month)
                path.write_bytes(writer.form_bytes(unit, year, month, mess=mess))
                os.utime(path, (mtime, mtime))
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, required=True, help="how many units (at most 9999)")
    parser.add_argument("--years", type=int, required=True, help=f"how many years, from {FIRST_YEAR}")
    parser.add_argument("--months", type=int, default=12, help="cumulative periods per year: 12 = 1-1 .. full year")
    parser.add_argument("--out", type=Path, required=True, help="folder for the forms (e.g. a home's inbox)")
    parser.add_argument("--registry", type=Path, help="units.csv to write (default: <out>/../registry/units.csv)")
    parser.add_argument("--first-year", type=int, default=FIRST_YEAR)
    parser.add_argument("--revised-priors", action="store_true", help="every form revises three 上年同期数 (warnings)")
    parser.add_argument("--jumps", type=float, default=0.0, help="share of forms with a 3x jump (a warning)")
    parser.add_argument("--errors", type=float, default=0.0, help="share of forms rejected for an error")
    parser.add_argument("--audit", type=float, default=0.0,
                        help="share of forms breaking audit formulas and (even months) cumulative figures (warnings)")
    args = parser.parse_args()
    if not 1 <= args.units <= 9999 or not 1 <= args.months <= 12 or args.first_year + args.years - 1 > 2026:
        parser.error("--units 1..9999, --months 1..12, --first-year + --years - 1 up to 2026")
    registry = args.registry or args.out.absolute().parent / "registry" / "units.csv"
    write_registry(registry, args.units)
    started = time.perf_counter()
    count = generate(args.out, args.units, args.years, args.months, args.first_year,
                     mess=Mess(args.revised_priors, args.jumps, args.errors, args.audit))
    seconds = time.perf_counter() - started
    print(f"{count} forms in {args.out} ({count / seconds:.0f} forms/s), registry {registry}")


if __name__ == "__main__":
    main()
