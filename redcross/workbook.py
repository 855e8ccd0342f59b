"""Reading spreadsheets into grids of cell text: the edge between files and the pure middle.

Every format (xlsx, xls, ods through calamine; csv through the standard library) becomes
the same thing, a `SheetGrid`: one string column per sheet column, named by its letter, and a
`row` column holding the sheet's own row number, so a value can always be traced to its cell.
Numbers are taken as the text calamine gives for them (the shortest text that reads back to
the stored number), never as floats.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import fastexcel
import polars as pl

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_INFLATED_BYTES = 200 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class SheetGrid:
    """The cells of one sheet as text, and the formula cells that carry no cached value."""

    sheet: str
    cells: pl.DataFrame
    formulas_without_value: frozenset[str] = field(default_factory=frozenset)


class UnreadableFile(Exception):
    """A file that cannot be read as a spreadsheet; the message is for the district clerk."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheets(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
) -> Iterator[SheetGrid]:
    """Yield the visible sheets of a workbook (a csv has one), first to last."""
    _refuse_unreadable(path, max_bytes, max_inflated_bytes)
    if path.suffix.lower() == ".csv":
        yield _read_csv(path)
        return
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except Exception as exc:  # calamine's errors carry no stable types
        raise UnreadableFile(
            f"无法作为电子表格打开（{_short(exc)}）",
            f"cannot be opened as a spreadsheet ({_short(exc)})",
        ) from exc
    formula_index = _xlsx_formula_index(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else {}
    for index, name in enumerate(names):
        try:
            sheet = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
        except Exception as exc:
            if "empty" in str(exc).lower():
                continue
            raise UnreadableFile(
                f"工作表“{name}”无法读取（{_short(exc)}）",
                f"sheet '{name}' cannot be read ({_short(exc)})",
            ) from exc
        if sheet.visible != "visible":
            continue
        letters = [column_letter(c.absolute_index) for c in sheet.available_columns()]
        frame = sheet.to_polars()
        frame.columns = letters
        cells = frame.with_row_index("row", offset=1)
        yield SheetGrid(name, cells, frozenset(formula_index.get(name, ())))


def _refuse_unreadable(path: Path, max_bytes: int, max_inflated_bytes: int) -> None:
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("文件是空的（0 字节）", "the file is empty (0 bytes)")
    if size > max_bytes:
        raise UnreadableFile(
            f"文件过大（{size} 字节，上限 {max_bytes} 字节）",
            f"the file is too large ({size} bytes; the limit is {max_bytes})",
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".ods"}:
        if head == _OLE_MAGIC:
            if _ENCRYPTED_MARK in path.read_bytes():
                raise UnreadableFile("工作簿设有密码保护，请取消密码后重新报送",
                                     "the workbook is password-protected; remove the password and send it again")
            raise UnreadableFile("文件实为旧版 .xls 格式，扩展名却是 " + suffix,
                                 f"the file is a legacy .xls workbook named {suffix}")
        if not zipfile.is_zipfile(path):
            raise UnreadableFile(f"文件不是有效的 {suffix} 工作簿（文件损坏或并非电子表格）",
                                 f"the file is not a valid {suffix} workbook (damaged, or not a spreadsheet)")
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > max_inflated_bytes:
            raise UnreadableFile(
                f"工作簿解压后过大（{inflated} 字节，上限 {max_inflated_bytes} 字节），疑为压缩炸弹",
                f"the workbook inflates to {inflated} bytes (limit {max_inflated_bytes}); refused as a possible zip bomb",
            )


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# --- csv -------------------------------------------------------------------------------------

def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030; else refuse."""
    if b"\x00" in data:
        raise UnreadableFile("CSV 文件含有空字符（NUL），不是文本文件", "the CSV file contains NUL bytes; it is not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）",
                         "the CSV file's encoding is neither UTF-8 nor GB18030")


def _read_csv(path: Path) -> SheetGrid:
    rows = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()), newline="")))
    width = max((len(r) for r in rows), default=0)
    columns = {
        column_letter(c): [(r[c].strip() or None) if c < len(r) else None for r in rows]
        for c in range(width)
    }
    cells = pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("row", offset=1)
    return SheetGrid(path.stem, cells)


# --- formula cells without a cached value (xlsx) --------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_CACHED = re.compile(rb"<v>[^<]|<is>")


def _xlsx_formula_index(path: Path) -> dict[str, list[str]]:
    """Sheet name -> cells holding a formula whose value was never calculated and saved.

    Calamine reads such a cell as empty; the form must say it was a formula, so this looks at
    the sheet XML itself. A sheet without `<f` is passed over at the cost of one search.
    """
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as archive:
        for name, member in _sheet_members(archive).items():
            xml = archive.read(member)
            if b"<f" not in xml:
                continue
            cells = [
                _REF.search(m.group(1)).group(1).decode()
                for m in _CELL.finditer(xml)
                if m.group(2) and b"<f" in m.group(2) and not _CACHED.search(m.group(2))
                and _REF.search(m.group(1))
            ]
            if cells:
                found[name] = cells
    return found


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.findall("rel:Relationship", _NS)}
    members = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        members[sheet.get("name")] = member
    return members
