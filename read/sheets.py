"""Reading spreadsheets into grids of cell text: the edge between files and the pure middle.

Every format (xlsx, xls, ods through calamine; csv through the standard library) becomes
the same thing, a `core.sheets.SheetGrid`, so a value can always be traced to its cell.
Numbers are taken as the text calamine gives for them (the shortest text that reads back to
the stored number), never as floats. A date cell's text is what the cell shows (`2017年6月`), and
the grid says which date it holds (see `read.dates`).
"""

from __future__ import annotations

import csv
import html
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import fastexcel
import polars as pl

from redcross.core.sheets import CellDate, SheetGrid, UnreadableFile, column_letter
from redcross.read.dates import (
    calamine_date,
    cell_date,
    ods_date_cells,
    xls_date_cells,
    xlsx_date1904,
    xlsx_date_cells,
    xlsx_date_formats,
)

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_INFLATED_BYTES = 200 * 1024 * 1024
# A form is one sheet of a few dozen rows; these bounds keep a stray or hostile file from
# holding the night up, and say so instead of reading on.
MAX_VISIBLE_SHEETS = 50
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 256
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# Documents of other kinds that arrive named as workbooks: a part or stream they always hold.
_OTHER_ZIP_DOCUMENTS = {"word/document.xml": ("Word 文档", "a Word document"),
                        "ppt/presentation.xml": ("PowerPoint 演示文稿", "a PowerPoint presentation")}
_OTHER_OLE_DOCUMENTS = {"WordDocument".encode("utf-16-le"): ("Word 文档（.doc）", "a Word document (.doc)"),
                        "PowerPoint Document".encode("utf-16-le"): ("PowerPoint 演示文稿（.ppt）",
                                                                    "a PowerPoint presentation (.ppt)")}


def read_sheets(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
    max_sheets: int = MAX_VISIBLE_SHEETS,
    max_rows: int = MAX_SHEET_ROWS,
) -> Iterator[SheetGrid]:
    """Yield the visible sheets of a workbook (a csv has one), first to last.

    The workbook is opened by what its bytes are, not by its name, so a legacy .xls saved as
    .xlsx still reads. Anything that cannot be read raises `UnreadableFile`, also when a
    caller asks for more than `max_sheets` visible sheets or a sheet is over `max_rows` rows.
    """
    data, formula_index, date_index = _workbook_bytes(path, max_bytes, max_inflated_bytes)
    if path.suffix.lower() == ".csv":
        yield _read_csv(path.stem, data, max_rows)
        return
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception as exc:  # calamine's errors carry no stable types
        raise _calamine_refusal(exc, "无法作为电子表格打开", "cannot be opened as a spreadsheet") from exc
    visible = 0
    for index, name in enumerate(names):
        try:
            sheet = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
        except Exception as exc:
            if "empty" in str(exc).lower():
                continue
            raise _calamine_refusal(exc, f"工作表“{name}”无法读取", f"sheet '{name}' cannot be read") from exc
        if sheet.visible != "visible":
            continue
        visible += 1
        if visible > max_sheets:
            raise UnreadableFile(f"工作簿的可见工作表超过 {max_sheets} 个，只读取前 {max_sheets} 个",
                                 f"the workbook has more than {max_sheets} visible sheets; only the first "
                                 f"{max_sheets} are read")
        grid = _grid(name, sheet, max_rows, formula_index.get(name, {}))
        yield _with_dates(grid, data, date_index)


def _grid(name: str, sheet: fastexcel.ExcelSheet, max_rows: int, formulas: dict[str, str]) -> SheetGrid:
    if sheet.total_height > max_rows:
        raise UnreadableFile(
            f"工作表“{name}”有 {sheet.total_height} 行，超过上限 {max_rows} 行；统计表只需几十行，请删去多余内容",
            f"sheet '{name}' has {sheet.total_height} rows, over the limit of {max_rows}; a form needs a few dozen",
        )
    columns = sheet.available_columns()
    if len(columns) > MAX_SHEET_COLUMNS:
        raise UnreadableFile(
            f"工作表“{name}”有 {len(columns)} 列，超过上限 {MAX_SHEET_COLUMNS} 列；请删去多余内容",
            f"sheet '{name}' has {len(columns)} columns, over the limit of {MAX_SHEET_COLUMNS}",
        )
    frame = sheet.to_polars()
    frame.columns = [column_letter(c.absolute_index) for c in columns]
    return SheetGrid(name, frame.with_row_index("row", offset=1), formulas)


def _with_dates(grid: SheetGrid, data: bytes, date_index: dict[str, dict[str, CellDate]] | None) -> SheetGrid:
    """The grid with its date cells known, each cell's text made what the cell shows.

    An xlsx's date cells were found from its styles (`date_index`, also where calamine saw only a
    serial number); an .xls or .ods is looked into only when calamine handed back a date. A date
    whose format is not found is a day, shown plainly (`2017-06-01`).
    """
    seen = {
        f"{letter}{row}": day
        for letter in grid.cells.columns if letter != "row"
        for row, text in zip(grid.cells["row"], grid.cells[letter], strict=True)
        if (day := calamine_date(text)) is not None
    }
    if date_index is not None:
        dates = date_index.get(grid.sheet, {})
    elif not seen:
        return grid
    elif data.startswith(_OLE_MAGIC):
        dates = xls_date_cells(data, grid.sheet)
    else:
        dates = ods_date_cells(data, grid.sheet)
    dates = {cell: cell_date(None, day) for cell, day in seen.items()} | dates
    if not dates:
        return grid
    cells = grid.cells
    for letter in {c.rstrip("0123456789") for c in dates} & set(cells.columns):
        shown = {int(c[len(letter):]): d.shown for c, d in dates.items() if c.rstrip("0123456789") == letter}
        cells = cells.with_columns(
            pl.col("row").replace_strict(shown, default=None, return_dtype=pl.String).fill_null(pl.col(letter))
            .alias(letter))
    return SheetGrid(grid.sheet, cells, grid.formulas_without_value, dates)


def _calamine_refusal(exc: Exception, zh: str, en: str) -> UnreadableFile:
    """The reader's error in words for a clerk; the library's own text goes to the log."""
    if "password" in str(exc).lower():
        return _password_protected()
    logging.getLogger(__name__).info("spreadsheet reader said: %s", _short(exc))
    return UnreadableFile(f"{zh}：文件已损坏，或不是 Excel/WPS 工作簿。请用 Excel 或 WPS 打开后另存为 .xlsx 再报送",
                          f"{en}: the file is damaged or is not an Excel/WPS workbook. Please open it in Excel or "
                          "WPS, save it as .xlsx and send it again")


def _password_protected() -> UnreadableFile:
    return UnreadableFile("工作簿设有密码保护，请取消密码后重新报送",
                          "the workbook is password-protected; remove the password and send it again")


def _workbook_bytes(
    path: Path, max_bytes: int, max_inflated_bytes: int
) -> tuple[bytes, dict[str, dict[str, str]], dict[str, dict[str, CellDate]] | None]:
    """The file's bytes, once they are known to be worth handing to a reader, and (for an xlsx)
    its formula cells without a saved value and its date cells, by sheet: the zip is opened once
    for all three. The date index is None where the format is not an xlsx."""
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile("文件是空的（0 字节）", "the file is empty (0 bytes)")
    if size > max_bytes:
        raise UnreadableFile(
            f"文件过大（{size} 字节，上限 {max_bytes} 字节）",
            f"the file is too large ({size} bytes; the limit is {max_bytes})",
        )
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return data, {}, None
    if data.startswith(_OLE_MAGIC):
        _refuse_ole(data)
    elif data.startswith(b"PK"):
        return (data, *_open_zip(data, suffix, max_inflated_bytes))
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise UnreadableFile(
            f"文件不是有效的 {suffix} 工作簿：它是网页（HTML）或 XML 文件。请用 Excel 或 WPS 打开后另存为 .xlsx",
            f"the file is not a valid {suffix} workbook: it is a web page (HTML) or XML file. "
            "Open it in Excel or WPS and save it as .xlsx",
        )
    elif _is_text(data):
        raise UnreadableFile(f"文件不是有效的 {suffix} 工作簿：它是纯文本文件",
                             f"the file is not a valid {suffix} workbook: it is plain text")
    else:
        raise UnreadableFile(f"文件不是有效的 {suffix} 工作簿（文件损坏或并非电子表格）",
                             f"the file is not a valid {suffix} workbook (damaged, or not a spreadsheet)")
    return data, {}, None


def _refuse_ole(data: bytes) -> None:
    """An OLE2 container: a legacy .xls is read; an encrypted workbook or another document is not."""
    if _ENCRYPTED_MARK in data:
        raise _password_protected()
    for mark, (zh, en) in _OTHER_OLE_DOCUMENTS.items():
        if mark in data and "Workbook".encode("utf-16-le") not in data:
            raise UnreadableFile(f"文件不是电子表格，而是{zh}", f"the file is not a spreadsheet but {en}")


def _open_zip(
    data: bytes, suffix: str, max_inflated_bytes: int
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, CellDate]] | None]:
    """A zip container must hold a workbook (xlsx or ods), whole, and not inflate beyond reason;
    then, for an xlsx, the indexes of `_xlsx_formula_index` and `_xlsx_date_index`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_zip(archive, suffix, max_inflated_bytes)
            if "xl/workbook.xml" not in archive.namelist():
                return {}, None  # an .ods
            return _xlsx_formula_index(archive), _xlsx_date_index(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnreadableFile(
            f"文件不是有效的 {suffix} 工作簿：文件已损坏（压缩包不完整，可能下载或复制时被截断）",
            f"the file is not a valid {suffix} workbook: it is damaged (its zip container is incomplete, "
            "perhaps cut short in a download or copy)",
        ) from exc


def _refuse_zip(archive: zipfile.ZipFile, suffix: str, max_inflated_bytes: int) -> None:
    infos = archive.infolist()
    inflated = sum(info.file_size for info in infos)
    if inflated > max_inflated_bytes:
        raise UnreadableFile(
            f"工作簿解压后过大（{inflated} 字节，上限 {max_inflated_bytes} 字节），疑为压缩炸弹",
            f"the workbook inflates to {inflated} bytes (limit {max_inflated_bytes}); refused as a possible zip bomb",
        )
    members = {info.filename for info in infos}
    manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in members else b""
    if b"encryption-data" in manifest:  # an .ods saved with a password
        raise _password_protected()
    if "xl/workbook.xml" in members or "content.xml" in members:
        return
    zh, en = next((kind for part, kind in _OTHER_ZIP_DOCUMENTS.items() if part in members),
                  ("压缩包", "a zip archive"))
    raise UnreadableFile(f"文件不是电子表格，而是{zh}（扩展名被改成了 {suffix}）",
                         f"the file is not a spreadsheet but {en} named {suffix}")


def _is_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head or any(byte < 0x09 for byte in head):
        return False
    # the slice may end inside a character: allow for up to three bytes cut off
    return any(_decodes(head[: len(head) - cut]) for cut in range(min(4, len(head))))


def _decodes(data: bytes) -> bool:
    try:
        decode_csv(data)
    except UnreadableFile:
        return False
    return True


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# --- csv -------------------------------------------------------------------------------------

def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030; else refuse.

    Excel's "Unicode text" (UTF-16 with its BOM) is taken too, since clerks rename it .csv.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise UnreadableFile("CSV 文件含有空字符（NUL），不是文本文件", "the CSV file contains NUL bytes; it is not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）",
                         "the CSV file's encoding is neither UTF-8 nor GB18030")


def _read_csv(name: str, data: bytes, max_rows: int = MAX_SHEET_ROWS) -> SheetGrid:
    text = decode_csv(data)
    # Excel's "Unicode text" separates by tabs; a form saved as CSV by commas.
    first_lines = text[:2000]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 文件格式有误（{exc}）", f"the CSV file is malformed ({exc})") from exc
    if len(rows) > max_rows:
        raise UnreadableFile(f"CSV 文件有 {len(rows)} 行，超过上限 {max_rows} 行",
                             f"the CSV file has {len(rows)} rows, over the limit of {max_rows}")
    width = max((len(r) for r in rows), default=0)
    if width > MAX_SHEET_COLUMNS:
        raise UnreadableFile(f"CSV 文件有 {width} 列，超过上限 {MAX_SHEET_COLUMNS} 列",
                             f"the CSV file has {width} columns, over the limit of {MAX_SHEET_COLUMNS}")
    columns = {
        column_letter(c): [(r[c].strip() or None) if c < len(r) else None for r in rows]
        for c in range(width)
    }
    cells = pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("row", offset=1)
    return SheetGrid(name, cells)


# --- formula cells without a cached value (xlsx) --------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_CACHED = re.compile(rb"<v>[^<]|<is>")


def _xlsx_formula_index(archive: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    """Sheet name -> {cell: formula} of formulas whose value was never calculated and saved.

    Calamine reads such a cell as empty; the form must say it was a formula, so this looks at
    the sheet XML itself. A sheet without `<f` is passed over at the cost of one search, and the
    workbook's sheet names are looked up only when some sheet has such a cell.
    """
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        return {}  # an .ods: LibreOffice always stores a formula's value
    by_member: dict[str, dict[str, str]] = {}
    for member in names:
        if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
            continue
        xml = archive.read(member)
        if b"<f" not in xml:
            continue
        cells = {
            _REF.search(m.group(1)).group(1).decode(): _formula_text(m.group(2))
            for m in _CELL.finditer(xml)
            if m.group(2) and b"<f" in m.group(2) and not _CACHED.search(m.group(2)) and _REF.search(m.group(1))
        }
        if cells:
            by_member[member] = cells
    if not by_member:
        return {}
    try:
        members = _sheet_members(archive)
    except (KeyError, ElementTree.ParseError) as exc:
        raise UnreadableFile(f"工作簿结构已损坏（{_short(exc)}）",
                             f"the workbook's structure is damaged ({_short(exc)})") from exc
    return {name: by_member[member] for name, member in members.items() if member in by_member}


_FORMULA = re.compile(rb"<f\b[^>]*>(.*?)</f>", re.DOTALL)


def _formula_text(cell_xml: bytes) -> str:
    """`=C5*2` as the cell's XML holds it (a shared formula's later cells carry no text)."""
    match = _FORMULA.search(cell_xml)
    text = html.unescape(match.group(1).decode("utf-8", "replace")) if match else ""
    return f"={text}" if text else "=…"


def _xlsx_date_index(archive: zipfile.ZipFile) -> dict[str, dict[str, CellDate]]:
    """Sheet name -> {cell: date} of the cells whose style shows a date; sheets are looked into
    only when some style does."""
    try:
        formats = xlsx_date_formats(archive)
        if not formats:
            return {}
        date1904 = xlsx_date1904(archive)
        members = _sheet_members(archive)
        return {name: xlsx_date_cells(archive.read(member), formats, date1904)
                for name, member in members.items() if member in archive.namelist()}
    except (KeyError, ValueError, ElementTree.ParseError) as exc:
        raise UnreadableFile(f"工作簿结构已损坏（{_short(exc)}）",
                             f"the workbook's structure is damaged ({_short(exc)})") from exc


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
