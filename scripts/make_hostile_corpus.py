"""Write tests/fixtures/hostile/: the corpus of broken and hostile inputs of issue 8, and the ones
too big or too oddly named to commit, which the tests generate at run time with `generate()`.

Every case is listed in tests/fixtures/hostile/expected.toml with what the pipeline must make of
it: the outcome (rejected, accepted, warned, or for a targets file target_rejected), the rule
and a fragment of the English message (or of the file name as it must come back). The script is
deterministic: the same bytes on every run (fixed zip timestamps and document properties, a
seeded generator for the random bytes). Re-run it only to change the corpus:

    uv run python scripts/make_hostile_corpus.py
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from keqiao import KEQIAO_2017

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "hostile"
PASSWORD_PROTECTED = ROOT / "tests" / "fixtures" / "formats" / "password_protected.xlsx"
FIXED_TIME = (2018, 1, 15, 9, 0, 0)
MAX_COMMITTED_BYTES = 40_000

HEADERS = ["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]
# The fictitious clerk of every corpus form; tests scan outputs for these.
FOOTER_NAME, FOOTER_PHONE = "钟秀兰", "13957512468"
CMD_FORMULA = "=cmd|' /C calc'!A0"
SCRIPT_TEXT = "<script>alert('x')</script>"


def with_value(label: str, value, rows=KEQIAO_2017, measure: str | None = None) -> list[tuple]:
    return [(lbl, measure or m if lbl == label else m, value if lbl == label else v, p) for lbl, m, v, p in rows]


def scaled(factor, rows=KEQIAO_2017) -> list[tuple]:
    """The rows with every figure multiplied (whole numbers kept whole); prior = the 2017 figure."""
    return [(lbl, m, round(v * factor, 2) if isinstance(v, float) else v * factor, v) for lbl, m, v, _ in rows]


# --- writing workbooks, byte for byte the same every time ---------------------------------------

def normalised(data: bytes) -> bytes:
    """A zip rewritten with fixed timestamps, and fixed created/modified in docProps/core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2018-01-15T09:00:00Z", body)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def book_bytes(book: openpyxl.Workbook) -> bytes:
    book.properties.creator = "redcross hostile corpus"
    book.properties.created = book.properties.modified = datetime(2018, 1, 15, 9, 0, 0)
    raw = io.BytesIO()
    book.save(raw)
    return normalised(raw.getvalue())


def form_book(rows=KEQIAO_2017, unit: str | None = "柯桥区红十字会", period: str | None = "2017年",
              text_cells: dict[str, str] | None = None) -> openpyxl.Workbook:
    """A long-layout form like a district's; `text_cells` are written as text even when they start with =."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "统计表"
    sheet["A1"] = "绍兴市红十字会工作统计表"
    sheet.merge_cells("A1:F1")
    if unit is not None:
        sheet["A2"] = f"填报单位：{unit}"
    if period is not None:
        sheet["D2"] = f"报告期：{period}"
    for column, title in enumerate(HEADERS, start=1):
        sheet.cell(row=4, column=column, value=title)
    for number, (label, measure, value, prior) in enumerate(rows, start=1):
        for column, cell in enumerate([number, label, measure, value, prior], start=1):
            sheet.cell(row=4 + number, column=column, value=cell)
    end = 4 + len(rows) + 2
    sheet.cell(row=end, column=1, value=f"填表人：{FOOTER_NAME}")
    sheet.cell(row=end, column=4, value=f"联系电话：{FOOTER_PHONE}")
    for ref, text in (text_cells or {}).items():
        sheet[ref].value = text
        sheet[ref].data_type = "s"  # openpyxl would otherwise store a leading = as a formula
    return book


def form_bytes(**form) -> bytes:
    return book_bytes(form_book(**form))


def raw_xlsx(sheets: list[tuple[str, bytes]], extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal xlsx written part by part: (sheet name, sheetData XML) each."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/workbook.xml" ContentType='
            b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, (name, _) in enumerate(sheets, 1))
            + "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(sheets) + 1))
            + "</Relationships>"
        ).encode(),
    }
    for n, (_, data) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'.encode()
            + data + b"</sheetData></worksheet>"
        )
    parts |= extra or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(zipfile.ZipInfo(name, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def inline_row(row: int, *texts: str) -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{t}</t></is></c>' for i, t in enumerate(texts))
    return f'<row r="{row}">{cells}</row>'.encode()


# --- zip bombs --------------------------------------------------------------------------------

def _central_entries(data: bytes) -> tuple[int, list[bytes], bytes]:
    """(offset of the central directory, its entries as raw bytes, the end record)."""
    end = data.rindex(b"PK\x05\x06")
    count, _size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    entries, at = [], offset
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28:at + 34])
        length = 46 + name_len + extra_len + comment_len
        entries.append(data[at:at + length])
        at += length
    return offset, entries, data[end:]


def _with_central(data: bytes, offset: int, entries: list[bytes], end: bytes) -> bytes:
    directory = b"".join(entries)
    end = end[:8] + struct.pack("<HHII", len(entries), len(entries), len(directory), offset) + end[20:]
    return data[:offset] + directory + end


def zip_bomb_declared() -> bytes:
    """A real form plus one member whose headers declare 4 GB inflated (it holds 1 KB of zeros)."""
    book = io.BytesIO(form_bytes())
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("xl/media/image1.bin", FIXED_TIME), b"\0" * 1024, zipfile.ZIP_DEFLATED)
    data = bytearray(book.getvalue())
    declared = struct.pack("<I", 0xFFFF_FFF0)
    offset, entries, end = _central_entries(bytes(data))
    for entry in entries:
        if entry.endswith(b"xl/media/image1.bin"):
            local = struct.unpack("<I", entry[42:46])[0]
            data[local + 22:local + 26] = declared
            patched = entry[:24] + declared + entry[28:]
            entries[entries.index(entry)] = patched
    return _with_central(bytes(data), offset, entries, end)


def zip_bomb_overlapping(copies: int = 300, kernel_bytes: int = 10 * 1024 * 1024) -> bytes:
    """A real form plus one deflated kernel of 10 MB of zeros (about 10 KB) that `copies` directory
    entries all point at: 3 GB declared, a few KB on disk (the non-recursive overlapping zip bomb)."""
    book = io.BytesIO(form_bytes())
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(zipfile.ZipInfo("xl/media/k0000.bin", FIXED_TIME), b"\0" * kernel_bytes,
                         zipfile.ZIP_DEFLATED, compresslevel=9)
    data = book.getvalue()
    offset, entries, end = _central_entries(data)
    kernel = next(e for e in entries if e.endswith(b"xl/media/k0000.bin"))
    entries += [kernel.replace(b"k0000", f"k{n:04d}".encode()) for n in range(1, copies)]
    return _with_central(data, offset, entries, end)


# --- other documents and damaged files --------------------------------------------------------

def word_document() -> bytes:
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
                               '.org/package/2006/content-types"><Default Extension="xml" ContentType="application'
                               '/xml"/></Types>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                             'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>柯桥区红十字会'
                             '2017年工作总结</w:t></w:r></w:p></w:body></w:document>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in parts.items():
            archive.writestr(zipfile.ZipInfo(part, FIXED_TIME), xml)
    return out.getvalue()


def zip_of_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("柯桥区2017.csv", FIXED_TIME), csv_form().encode("utf-8"))
    return out.getvalue()


def html_table() -> bytes:
    rows = "".join(f"<tr><td>{n}</td><td>{lbl}</td><td>{m}</td><td>{v}</td></tr>"
                   for n, (lbl, m, v, _) in enumerate(KEQIAO_2017, 1))
    return (f"<html><head><meta charset='utf-8'></head><body><p>填报单位：柯桥区红十字会</p><table>{rows}"
            "</table></body></html>").encode()


def workbook_with_damaged_xml() -> bytes:
    data = io.BytesIO(form_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body[: len(body) // 2]  # cut off mid-element
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_form(unit: str = "柯桥区红十字会", period: str = "2017年", rows=KEQIAO_2017) -> str:
    lines = [f"填报单位：{unit},,,报告期：{period},,", ",".join(HEADERS)]
    lines += [f"{n},{lbl},{m},{v},{p}," for n, (lbl, m, v, p) in enumerate(rows, 1)]
    lines += ["", f"填表人：{FOOTER_NAME},,,联系电话：{FOOTER_PHONE},,"]
    return "\r\n".join(lines) + "\r\n"


def csv_with_nul() -> bytes:
    text = csv_form().encode("utf-8")
    return text.replace("救护员培训".encode(), "救护员培训".encode() + b"\x00\x00", 1)


def csv_mixed_encodings() -> bytes:
    """The preamble and header saved in GB18030, the indicator rows pasted in as UTF-8."""
    lines = csv_form().split("\r\n")
    return ("\r\n".join(lines[:2]) + "\r\n").encode("gb18030") + "\r\n".join(lines[2:]).encode("utf-8")


def too_wide_csv() -> bytes:
    return (csv_form() + ",".join(f"c{n}" for n in range(300)) + "\r\n").encode("utf-8")


def far_row() -> bytes:
    book = form_book()
    book.active.cell(row=1_000_000, column=1, value="（完）")
    return book_bytes(book)


def no_form() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for r, row in enumerate([["日期", "事项", "人数"], ["2017-03-05", "学雷锋日志愿服务", 35],
                             ["2017-05-08", "红十字博爱周", 120]], start=1):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    return book_bytes(book)


def summary_total_mismatch() -> bytes:
    """The city's summary workbook (wide layout, 2014) whose 合计 row does not add up for 救护员培训."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2014年"
    units = ["市本级", "越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "开发区"]
    headers = [f"{label}({'万元' if measure == '万元' else measure})" for label, measure, _, _ in KEQIAO_2017]
    sheet.append(["单位", *headers])
    columns = [[prior for _, _, _, prior in KEQIAO_2017] for _ in units]
    for unit, figures in zip(units, columns, strict=True):
        sheet.append([unit, *figures])
    totals = [sum(figures[i] for figures in columns) for i in range(len(KEQIAO_2017))]
    totals[0] += 1  # 救护员培训: one more than the units add up to
    sheet.append(["合计", *totals])
    return book_bytes(book)


def formula_without_value(formula: str) -> bytes:
    book = form_book()
    book.active["D5"] = formula  # openpyxl stores the formula and no cached value
    return book_bytes(book)


def scripted_label() -> bytes:
    return form_bytes(rows=KEQIAO_2017 + [(SCRIPT_TEXT, "人", 12, None)])


def targets_with_duplicate() -> bytes:
    return ("年度,指标,目标值\r\n2017,救护员培训,14468\r\n2017,普及培训,144680\r\n"
            "2017,救护员培训,15000\r\n").encode()


def random_bytes() -> bytes:
    generator = random.Random(8)
    return bytes([0x13, 0x37]) + bytes(generator.randrange(256) for _ in range(4096))


# name -> bytes, committed under tests/fixtures/hostile/
COMMITTED = {
    "empty.xlsx": lambda: b"",
    "truncated.xlsx": lambda: form_bytes()[:3000],
    "word_document.xlsx": word_document,
    "text_file.xlsx": lambda: "柯桥区红十字会 2017 年统计：救护员培训 3951 人\n".encode(),
    "web_page.xls": html_table,
    "random_bytes.xlsx": random_bytes,
    "password_protected.xlsx": lambda: PASSWORD_PROTECTED.read_bytes(),
    "ole_garbage.xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8,
    "zip_bomb_declared.xlsx": zip_bomb_declared,
    "zip_bomb_overlapping.xlsx": zip_bomb_overlapping,
    "zip_of_csv.xlsx": zip_of_csv,
    "damaged_workbook_xml.xlsx": workbook_with_damaged_xml,
    "scan.pdf": lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "statistics_no_suffix": form_bytes,
    "nul_bytes.csv": csv_with_nul,
    "mixed_encodings.csv": csv_mixed_encodings,
    "too_wide.csv": too_wide_csv,
    "far_row_1000000.xlsx": far_row,
    "no_form.xlsx": no_form,
    "unknown_unit.xlsx": lambda: form_bytes(unit="杭州市红十字会"),
    "traditional_shaoxingxian.xlsx": lambda: form_bytes(unit="紹興縣紅十字會"),
    "traditional_keqiao.xlsx": lambda: form_bytes(unit="柯橋區"),
    "missing_unit.xlsx": lambda: form_bytes(unit=None),
    "missing_period.xlsx": lambda: form_bytes(period="去年"),
    "month_13.xlsx": lambda: form_bytes(period="2017年13月"),
    "future_year.xlsx": lambda: form_bytes(period="2099年"),
    "not_cumulative.xlsx": lambda: form_bytes(period="2017年4-6月"),
    "missing_indicator.xlsx": lambda: form_bytes(rows=KEQIAO_2017[:-1]),
    "duplicate_indicator.xlsx": lambda: form_bytes(rows=KEQIAO_2017 + [KEQIAO_2017[0]]),
    "unknown_indicator.xlsx": lambda: form_bytes(rows=KEQIAO_2017 + [("献血宣传", "次", 4, None)]),
    "not_a_number.xlsx": lambda: form_bytes(rows=with_value("普及培训", "很多")),
    "negative_value.xlsx": lambda: form_bytes(rows=with_value("普及培训", -3)),
    "fractional_count.xlsx": lambda: form_bytes(rows=with_value("器官捐献", 1.5)),
    "empty_value.xlsx": lambda: form_bytes(rows=with_value("普及培训", None)),
    "too_many_places.xlsx": lambda: form_bytes(rows=with_value("捐赠收入", "1234.567", measure="元")),
    "money_unit.xlsx": lambda: form_bytes(rows=with_value("捐赠收入", 100, measure="美元")),
    "formula_without_value.xlsx": lambda: formula_without_value("=SUM(E5:E6)"),
    "formula_cmd.xlsx": lambda: formula_without_value(CMD_FORMULA),
    "cmd_text_in_value.xlsx": lambda: form_bytes(text_cells={"D6": CMD_FORMULA}),
    "cmd_text_as_unit.xlsx": lambda: form_bytes(text_cells={"A2": f"填报单位：{CMD_FORMULA}"}),
    "script_as_indicator.xlsx": scripted_label,
    "script_as_unit.xlsx": lambda: form_bytes(unit=SCRIPT_TEXT),
    "summary_total_mismatch.xlsx": summary_total_mismatch,
    "yoy_outlier_keqiao_2018.xlsx": lambda: form_bytes(period="2018年", rows=scaled(10)),
    "prior_mismatch_keqiao_2018.xlsx": lambda: form_bytes(
        period="2018年", rows=[(lbl, m, v, v + 1) for lbl, m, v, _ in KEQIAO_2017]),
    "targets_duplicate_indicator.csv": targets_with_duplicate,
}


# --- generated at test time: too big, or names git would not keep -------------------------------

ODD_NAMES = {  # case -> (file name as bytes, unit of a valid 2012 form it holds)
    "name_dots": ("柯桥区..2012..xlsx".encode(), "柯桥区"),
    "name_backslash_dots": ("诸暨 ..\\..\\windows\\system32 2012.xlsx".encode(), "诸暨市"),
    "name_spaces": ("  越城区 2012 年 统计表 (final) .xlsx".encode(), "越城区"),
    "name_quotes": ("上虞区 \"2012\" 'final' `x`.xlsx".encode(), "上虞区"),
    "name_newline": ("嵊州市\n2012\r\n.xlsx".encode(), "嵊州市"),
    "name_not_utf8": ("新昌".encode("gb18030") + b" 2012 \xff\xfe.xlsx", "新昌县"),
}


def many_sheets(count: int = 10_000) -> bytes:
    sheets = [(f"说明{n}", inline_row(1, "说明")) for n in range(count - 1)]
    return raw_xlsx(sheets + [("统计表", inline_row(1, "填报单位：柯桥区红十字会"))])


def million_rows(count: int = 1_000_000) -> bytes:
    rows = [inline_row(2, "填报单位：柯桥区红十字会", "", "", "报告期：2017年"), inline_row(4, *HEADERS)]
    rows += [f'<row r="{r}"><c r="D{r}"><v>{r}</v></c></row>'.encode() for r in range(5, count + 1)]
    return raw_xlsx([("统计表", b"".join(rows))])


def generate(folder: Path) -> dict[str, Path]:
    """Write the generated cases into `folder`; case name -> path."""
    import os

    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    oversized = folder / "oversized.xlsx"
    with oversized.open("wb") as handle:  # sparse: 50 MB + 1 byte, a few KB on disk
        handle.write(form_bytes())
        handle.truncate(50 * 1024 * 1024 + 1)
    made["oversized"] = oversized
    made["many_sheets"] = folder / "many_sheets_10000.xlsx"
    made["many_sheets"].write_bytes(many_sheets())
    made["million_rows"] = folder / "million_rows.xlsx"
    made["million_rows"].write_bytes(million_rows())
    for case, (name, unit) in ODD_NAMES.items():
        path = Path(os.fsdecode(bytes(folder) + b"/" + name))
        path.write_bytes(form_bytes(unit=unit, period="2012年"))
        made[case] = path
    return made


def main() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.iterdir():
        if old.name != "expected.toml":
            old.unlink() if old.is_file() else shutil.rmtree(old)
    for name, make in COMMITTED.items():
        data = make()
        assert len(data) <= MAX_COMMITTED_BYTES, (name, len(data))
        (CORPUS / name).write_bytes(data)
    print(f"{len(COMMITTED)} files in {CORPUS.relative_to(ROOT)}; expected.toml lists what each must produce")


if __name__ == "__main__":
    main()
