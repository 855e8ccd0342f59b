"""Date cells, and how their number formats show them: what a clerk sees where Excel, WPS or
LibreOffice turned a typed `2017年6月` into a date.

calamine hands back a date cell as `2017-06-01 00:00:00` and says nothing of its number format,
yet the format decides what the cell means (`yyyy"年"` shows the year, `yyyy"年"m"月"` a month).
So the formats are read from the workbook itself: for an xlsx from `xl/styles.xml` (numFmts and
cellXfs) and each cell's style index; for an .xls through xlrd; for an .ods from the cell's data
style in `content.xml`, which also stores the text the cell shows. A date whose format cannot be
found is taken as a day and shown as its plain value (`2017-06-01`).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from datetime import date, datetime, timedelta
from xml.etree import ElementTree

from redcross.core.sheets import CellDate, column_letter

# calamine's text for a date or datetime cell
CALAMINE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$")
SHOWS = ("year", "month", "day")  # coarse to fine

# Excel's built-in date formats (no code is stored for them), as a Chinese (zh-CN) Excel shows them.
BUILTIN_DATE_FORMATS = {
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 22: "yyyy/m/d h:mm",
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}
_TOKEN = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.|y+|m+|d+|h+|s+|AM/PM|A/P|.', re.IGNORECASE)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _first_section(code: str) -> str:
    """The part of a format code for positive numbers: up to the first `;` outside quotes."""
    quoted = False
    for index, char in enumerate(code):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return code[:index]
    return code


def _tokens(code: str) -> list[tuple[str, str]]:
    """(kind, text) of each part of a format code: kind is y, m (month), d, time, or literal."""
    raw = _TOKEN.findall(_first_section(code))
    parts: list[tuple[str, str]] = []
    for index, token in enumerate(raw):
        lower = token.lower()
        if lower[0] in "ymd" and lower == lower[0] * len(lower):
            kind = lower[0]
            after = next((t.lower()[0] for t in raw[index + 1:] if t.lower()[0] in "ymdhs"), "")
            before = next((kind for kind, _ in reversed(parts) if kind in "ymd" or kind == "time"), "")
            if kind == "m" and len(lower) <= 2 and (before == "time" or after == "s"):
                kind = "time"  # minutes
            parts.append((kind, token))
        elif lower[0] in "hs" or lower in ("am/pm", "a/p"):
            parts.append(("time", token))
        elif token.startswith('"'):
            parts.append(("literal", token[1:-1]))
        elif token.startswith("\\"):
            parts.append(("literal", token[1:]))
        elif token.startswith(("[", "*", "@")):
            continue  # a locale, colour or fill: nothing shown
        elif token.startswith("_"):
            parts.append(("literal", " "))
        else:
            parts.append(("literal", token))
    return parts


def date_shows(code: str) -> str | None:
    """The finest part of a date a format code shows ("year", "month", "day"), or None if it shows none."""
    kinds = {kind for kind, _ in _tokens(code)}
    return next((shows for shows in reversed(SHOWS) if shows[0] in kinds), None)


def shown_date(code: str, value: date) -> str:
    """A date as the format code shows it, e.g. `2017年6月` for `yyyy"年"m"月"`."""
    out = []
    for kind, text in _tokens(code):
        width = len(text)
        if kind == "y":
            out.append(f"{value.year % 100:02d}" if width <= 2 else str(value.year))
        elif kind == "m":
            out.append(str(value.month) if width == 1 else f"{value.month:02d}" if width == 2
                       else _MONTHS[value.month - 1])
        elif kind == "d":
            out.append(str(value.day) if width == 1 else f"{value.day:02d}")
        elif kind == "time":  # a typed date is midnight: its time of day shows as zeros
            out.append("AM" if text.lower() in ("am/pm", "a/p") else "0" * min(width, 2))
        else:
            out.append(text)
    return "".join(out).strip()


def serial_date(serial: float, date1904: bool = False) -> date:
    """The day a spreadsheet's date serial number stands for (1900 or 1904 date system)."""
    if date1904:
        return date(1904, 1, 1) + timedelta(days=int(serial))
    # Excel counts 1900-02-29, a day that never was: serials from 61 on are one day late
    return date(1899, 12, 30 if serial >= 61 else 31) + timedelta(days=int(serial))


def cell_date(code: str | None, value: date) -> CellDate:
    """The date of a cell with the number format `code`; a day in its plain form where no date format is known."""
    shows = date_shows(code) if code else None
    if shows is None:
        return CellDate(value, "day", value.isoformat())
    return CellDate(value, shows, shown_date(code, value) or value.isoformat())


def calamine_date(text: str | None) -> date | None:
    """The date calamine's text for a date cell names, or None for any other text."""
    match = CALAMINE_DATE.match(text) if text else None
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --- xlsx -----------------------------------------------------------------------------------

_M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_STYLED_CELL = re.compile(rb'<c\b(?=[^>]*\bs="(\d+)")(?=[^>]*\br="([A-Z]+\d+)")([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def xlsx_date_formats(archive: zipfile.ZipFile) -> dict[int, str]:
    """Style index (cellXfs) -> number format code, for the styles whose format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    codes = dict(BUILTIN_DATE_FORMATS)
    for fmt in styles.iterfind(f"{_M}numFmts/{_M}numFmt"):
        codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
    found = {}
    for index, xf in enumerate(styles.iterfind(f"{_M}cellXfs/{_M}xf")):
        code = codes.get(int(xf.get("numFmtId", "0")))
        if code and date_shows(code):
            found[index] = code
    return found


def xlsx_date_cells(sheet_xml: bytes, formats: dict[int, str], date1904: bool) -> dict[str, CellDate]:
    """Cell -> date of the numeric (or ISO date) cells of a sheet whose style shows a date."""
    cells = {}
    for match in _STYLED_CELL.finditer(sheet_xml):
        code = formats.get(int(match.group(1)))
        value = _VALUE.search(match.group(4) or b"")
        if code is None or value is None:
            continue
        kind = _CELL_TYPE.search(match.group(3))
        kind = kind.group(1) if kind else b"n"
        try:
            if kind == b"n":
                day = serial_date(float(value.group(1)), date1904)
            elif kind == b"d":
                day = datetime.fromisoformat(value.group(1).decode()).date()
            else:
                continue  # text in a date-formatted cell stays text
        except (ValueError, OverflowError):
            continue
        cells[match.group(2).decode()] = cell_date(code, day)
    return cells


def xlsx_date1904(archive: zipfile.ZipFile) -> bool:
    workbook = archive.read("xl/workbook.xml")
    return bool(re.search(rb'date1904="(?:1|true)"', workbook))


# --- xls ------------------------------------------------------------------------------------

def xls_date_cells(data: bytes, sheet: str) -> dict[str, CellDate]:
    """Cell -> date of one sheet of a legacy .xls, with the formats xlrd reads; {} if xlrd cannot."""
    import xlrd  # only for the few .xls files that hold a date

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        grid = book.sheet_by_name(sheet)
    except Exception:  # xlrd's errors have no common type; calamine has read the file already
        logging.getLogger(__name__).warning("no number formats read from the .xls", exc_info=True)
        return {}
    cells = {}
    for row in range(grid.nrows):
        for column, cell in enumerate(grid.row(row)):
            if cell.ctype != xlrd.XL_CELL_DATE:
                continue
            fmt = book.format_map.get(book.xf_list[grid.cell_xf_index(row, column)].format_key)
            day = serial_date(cell.value, bool(book.datemode))
            cells[f"{column_letter(column)}{row + 1}"] = cell_date(fmt.format_str if fmt else None, day)
    return cells


# --- ods ------------------------------------------------------------------------------------

_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_ODS[prefix]}}}{local}"


def ods_date_cells(data: bytes, sheet: str) -> dict[str, CellDate]:
    """Cell -> date of one sheet of an .ods: the date, what its data style shows, and the text stored for it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = ElementTree.fromstring(archive.read("content.xml"))
            styles = ElementTree.fromstring(archive.read("styles.xml")) if "styles.xml" in archive.namelist() else None
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}  # calamine read the sheet; its dates are then shown plainly
    shows = {}
    for root in (r for r in (styles, content) if r is not None):
        for style in root.iter(_q("number:date-style")):
            parts = {child.tag for child in style}
            found = [s for s in SHOWS if _q(f"number:{s}") in parts]
            shows[style.get(_q("style:name"))] = found[-1] if found else "day"
    data_style = {s.get(_q("style:name")): s.get(_q("style:data-style-name")) for s in content.iter(_q("style:style"))}
    table = next((t for t in content.iter(_q("table:table")) if t.get(_q("table:name")) == sheet), None)
    cells: dict[str, CellDate] = {}
    if table is None:
        return cells
    row = 0
    for row_element in table.iter(_q("table:table-row")):
        column = 0
        for cell in row_element:
            repeat = int(cell.get(_q("table:number-columns-repeated"), "1"))
            day = _ods_date(cell)
            if day is not None:
                text = "".join(cell.itertext()).strip() or day.isoformat()
                kind = shows.get(data_style.get(cell.get(_q("table:style-name"))), "day")
                for offset in range(min(repeat, 256)):  # a form is far narrower
                    cells[f"{column_letter(column + offset)}{row + 1}"] = CellDate(day, kind, text)
            column += repeat
        row += int(row_element.get(_q("table:number-rows-repeated"), "1"))
    return cells


def _ods_date(cell: ElementTree.Element) -> date | None:
    if cell.get(_q("office:value-type")) != "date":
        return None
    try:
        return datetime.fromisoformat(cell.get(_q("office:date-value"), "")).date()
    except ValueError:
        return None
