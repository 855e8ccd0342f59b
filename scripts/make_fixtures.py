"""Write the small real spreadsheets of tests/fixtures/formats/: every format and quirk of the forms.

Two writers make them: openpyxl (as a script or WPS-like tool would), and LibreOffice, which
converts openpyxl's workbooks to .xlsx, .xls and .ods the way a district's own office suite
saves them, recalculating formulas and storing their cached values on the way. The CSVs are
written by Python in UTF-8, UTF-8 with BOM and GB18030. The bad inputs (0 bytes, a truncated
zip, a Word document and a text file named .xlsx, a password-protected workbook) are made here
too; the password is set through LibreOffice's UNO API, since `--convert-to` cannot set one.

The files are committed; CI reads them and never needs LibreOffice. Re-run only to change them:

    apt-get install -y libreoffice-calc-nogui python3-uno   # once; python3-uno comes with it
    uv run python scripts/make_fixtures.py
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from keqiao import KEQIAO_2017

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "formats"
MAX_FIXTURE_BYTES = 30_000

# Another unit's complete form, put where the reader must not look (a hidden sheet).
ZHUJI_2017 = [(label, unit, value * 2, prior) for label, unit, value, prior in KEQIAO_2017]
HEADERS = ["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注"]


def replaced(rows: list[tuple], changes: dict[str, tuple]) -> list[tuple]:
    """The rows with some replaced whole, by label: {label: (label, unit, value, prior)}."""
    return [changes.get(row[0], row) for row in rows]


def with_values(rows: list[tuple], values: dict[str, object]) -> list[tuple]:
    return [(label, unit, values.get(label, value), prior) for label, unit, value, prior in rows]


def fill_form(
    sheet,
    rows: list[tuple] = KEQIAO_2017,
    unit: str = "柯桥区红十字会",
    period: str = "2017年",
    header_row: int = 4,
    headers: list[str] = HEADERS,
    preamble: Callable | None = None,
) -> None:
    """A long-layout form: merged title, 填报单位 and 报告期, header, one row per indicator, footer."""
    sheet["A1"] = "绍兴市红十字会工作统计表"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A2"] = f"填报单位：{unit}"
    sheet["D2"] = f"报告期：{period}"
    if preamble:
        preamble(sheet)
    for column, title in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=column, value=title)
    r, number = header_row, 0
    for row in rows:
        r += 1
        if row is None:  # a blank row the district left
            continue
        if isinstance(row, str):  # a section heading or a note
            sheet.cell(row=r, column=2, value=row)
            continue
        number += 1
        for column, cell in enumerate((number, *row), start=1):
            if cell is not None:
                sheet.cell(row=r, column=column, value=cell)
    sheet.cell(row=r + 2, column=1, value="填表人：王小明")
    sheet.cell(row=r + 2, column=4, value="联系电话：13900001111")
    sheet.cell(row=r + 3, column=1, value="填报日期：2018年1月10日")


def save_form(name: str, **form) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "统计表"
    fill_form(book.active, **form)
    return save(book, name)


def save(book: openpyxl.Workbook, name: str) -> Path:
    book.properties.creator = "redcross fixtures"
    path = FIXTURES / name
    book.save(path)
    return path


def libreoffice(source: Path, suffix: str, name: str) -> Path:
    """Open `source` in LibreOffice and save it as `name` (it recalculates formulas on the way)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["soffice", "--headless", "--norestore", "--convert-to", suffix, "--outdir", out, str(source)],
            check=True, capture_output=True,
        )
        converted = Path(out) / (source.stem + "." + suffix)
        if suffix == "ods":
            without_thumbnail(converted)
        return Path(shutil.move(converted, FIXTURES / name))


def without_thumbnail(ods: Path) -> None:
    """Drop the 20 KB preview picture LibreOffice puts in an .ods; every other part stays as saved."""
    with zipfile.ZipFile(ods) as source:
        parts = [(info, source.read(info)) for info in source.infolist() if not info.filename.startswith("Thumbnails/")]
    with zipfile.ZipFile(ods, "w") as target:
        for info, data in parts:
            if info.filename == "META-INF/manifest.xml":
                data = re.sub(rb"\s*<manifest:file-entry[^>]*Thumbnails/[^>]*/>", b"", data)
            target.writestr(info, data)


# LibreOffice's own Python (python3-uno) drives an office of its own through a pipe: `office_script`
# wraps what it does between starting that office and closing it.
_CONNECT = r"""
def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

office = subprocess.Popen(["soffice", "--headless", "--norestore", f"--accept=pipe,name={pipe};urp;"])
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            remote = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)
"""
_CLOSE = r"""
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass  # the bridge closes as the office quits
    office.wait(timeout=60)
finally:
    if office.poll() is None:
        office.kill()
"""


def office_script(imports: str, arguments: str, body: str) -> str:
    """A python3-uno script: `arguments` reads sys.argv (and names the `pipe`), `body` works on the
    `desktop` and leaves its document in `doc`, which is closed with the office."""
    head = f"import subprocess, sys, time, uno\n{imports}\n{arguments}\n"
    return head + _CONNECT + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + _CLOSE


# Open the workbook and save it encrypted, as File > Save As > "Save with password" does. The
# password is `secret`.
_ENCRYPT = office_script(
    "from com.sun.star.beans import NamedValue, PropertyValue",
    "source, target, pipe = sys.argv[1:4]",
    """
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    secret = uno.Any("[]com.sun.star.beans.NamedValue",
                     (NamedValue("OOXPassword", "secret"), NamedValue("CryptoType", "Standard")))
    options = (prop("FilterName", "Calc MS Excel 2007 XML"), prop("EncryptionData", None))
    options[1].Value = secret
    uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(target), options))
    """,
)


def libreoffice_encrypted(source: Path, name: str) -> Path:
    target = FIXTURES / name
    subprocess.run(["/usr/bin/python3", "-c", _ENCRYPT, str(source), str(target), "redcross_fixtures"],
                   check=True, capture_output=True, timeout=180)
    return target


def write_csv(name: str, encoding: str) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["绍兴市红十字会工作统计表"])
    writer.writerow(["填报单位：柯桥区红十字会", "", "", "报告期：2017年"])
    writer.writerow(HEADERS)
    for number, (label, unit, value, prior) in enumerate(KEQIAO_2017, start=1):
        writer.writerow([number, label, unit, f"{value:,}" if isinstance(value, int) else value, prior, ""])
    writer.writerow([])
    writer.writerow(["填表人：王小明", "", "", "联系电话：13900001111"])
    path = FIXTURES / name
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def word_document(name: str) -> Path:
    """A minimal real .docx (a Word document's parts), named .xlsx as a clerk might send it."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            "<w:p><w:r><w:t>柯桥区红十字会2017年工作总结</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    path = FIXTURES / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, xml in parts.items():
            archive.writestr(zipfile.ZipInfo(part, (2018, 1, 10, 9, 0, 0)), xml)
    return path


def main() -> None:
    if FIXTURES.exists():
        shutil.rmtree(FIXTURES)
    FIXTURES.mkdir(parents=True)
    work = Path(tempfile.mkdtemp())

    # Formats: one form, every writer and container.
    base = save_form("keqiao_2017_openpyxl.xlsx")
    libreoffice(base, "xlsx", "keqiao_2017_libreoffice.xlsx")
    libreoffice(base, "xls", "keqiao_2017.xls")
    libreoffice(base, "ods", "keqiao_2017.ods")
    shutil.copy(FIXTURES / "keqiao_2017.xls", FIXTURES / "keqiao_2017_xls_named.xlsx")
    write_csv("keqiao_2017_utf8.csv", "utf-8")
    write_csv("keqiao_2017_utf8_bom.csv", "utf-8-sig")
    write_csv("keqiao_2017_gb18030.csv", "gb18030")

    # Layout.
    def merged_preamble(sheet):
        sheet.unmerge_cells("A1:F1")
        sheet["A2"], sheet["D2"] = None, None
        sheet.merge_cells("A1:F2")  # a two-row title block
        sheet["A3"], sheet["B3"] = "填报单位", "柯桥区红十字会"
        sheet.merge_cells("B3:C3")
        sheet["D3"], sheet["E3"] = "报告期", "2017年"
        sheet.merge_cells("E3:F3")

    titled = save_form("title_merged_openpyxl.xlsx", header_row=5, preamble=merged_preamble)
    libreoffice(titled, "xlsx", "title_merged.xlsx")
    titled.unlink()

    def long_preamble(sheet):
        notes = ["说明：", "1. 本表由各区、县（市）红十字会填报。", "2. 数据口径为本年累计。",
                 "3. 金额保留两位小数。", None, "4. 请于次年1月10日前报送。"]
        for offset, note in enumerate(notes, start=4):
            sheet.cell(row=offset, column=1, value=note)

    save_form("header_row_15.xlsx", header_row=15, preamble=long_preamble)
    spaced = [None, "一、救护培训", *KEQIAO_2017[:2], None, "二、造血干细胞和器官捐献", *KEQIAO_2017[2:7],
              "注：器官捐献含跨省协调 1 例", None, "三、募捐和救助", *KEQIAO_2017[7:10], None, None,
              "四、志愿服务", *KEQIAO_2017[10:]]
    save_form("blank_and_note_rows.xlsx", rows=spaced)

    # Names.
    save_form("historic_shaoxingxian_2012.xlsx", unit="绍兴县红十字会", period="2012年")
    save_form("historic_shangyushi_2012.xlsx", unit="上虞市", period="2012年")
    variants = {
        "救护员培训": ("1.救护员培训(人)", None, 3951, 3100),
        "普及培训": ("（一）普及培训", "人次", 31240, 24700),
        "造血干细胞捐献登记入库": ("3、造血干细胞 捐献登记入库", "人", 107, 93),
        "器官遗体角膜捐献登记": ("器官遗体角膜捐献登记（人）", None, 58, 41),
        "遗体(角膜)捐献": ("遗体（角膜）捐献", "例", 5, 3),
        "捐赠收入": ("（八）捐赠收入（万元）", None, 240.32, 130.5),
        "捐赠支出": ("捐赠款物支出", "万元", 179.7, 120),
        "志愿服务受益人次": ("12. 志愿服务受益人次（人次）", None, 22717, 7800),
    }
    save_form("indicator_names.xlsx", rows=replaced(KEQIAO_2017, variants),
              headers=["序号", "指标", "单位", "本年累计", "上年同期", "备注"])

    # Numbers.
    yuan = {"捐赠收入": ("捐赠收入", "元", 2403200, 1305000), "捐赠支出": ("捐赠支出", "元", 1797000.5, 1200000)}
    save_form("money_yuan.xlsx", rows=replaced(KEQIAO_2017, yuan))

    def money_note(sheet):
        sheet["A3"] = "金额单位：万元"

    no_units = [(label, "", value, prior) for label, _, value, prior in KEQIAO_2017]
    save_form("money_wan_note.xlsx", rows=no_units, header_row=5, preamble=money_note,
              headers=["序号", "指标名称", "", "本期数", "上年同期数", "备注"])
    save_form("unit_in_cell.xlsx", rows=with_values(KEQIAO_2017, {
        "救护员培训": "3951人", "捐赠收入": "1459.55万元", "捐赠支出": "998.36 万元"}))
    save_form("fullwidth_digits.xlsx", rows=with_values(KEQIAO_2017, {
        "救护员培训": "３９５１", "普及培训": "３１，２４０", "捐赠收入": "２４０．３２"}))
    separated = save_form("thousands_separator.xlsx", rows=with_values(KEQIAO_2017, {
        "救护员培训": "21,810", "普及培训": "173,554", "捐赠支出受益人数": "7,188"}))
    book = openpyxl.load_workbook(separated)  # and a number shown with separators by its format
    book.active["D16"].number_format = "#,##0"
    save(book, separated.name)
    save_form("zero_marks.xlsx", rows=with_values(KEQIAO_2017, {
        "造血干细胞捐献": 0, "器官捐献": "-", "遗体(角膜)捐献": "—", "志愿服务场次": "/"}))
    save_form("empty_value.xlsx", rows=with_values(KEQIAO_2017, {"普及培训": None}))
    save_form("fractional_count.xlsx", rows=with_values(KEQIAO_2017, {"器官捐献": 1.5}))

    # Formulas: openpyxl stores none of their results; LibreOffice calculates and stores them.
    formulas = with_values(KEQIAO_2017, {"救护员培训": "=3000+951", "普及培训": "=D5+27289",
                                         "捐赠收入": "=SUM(200,40.32)"})
    uncached = save_form("formula_without_value.xlsx", rows=formulas)
    libreoffice(uncached, "xlsx", "formula_cached.xlsx")

    # Sheets.
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "诸暨（旧）"
    fill_form(hidden, rows=ZHUJI_2017, unit="诸暨市红十字会")
    hidden.sheet_state = "hidden"
    fill_form(book.create_sheet("统计表"))
    hidden_source = save(book, "hidden_first_sheet.xlsx")
    shutil.move(hidden_source, work / hidden_source.name)
    for suffix in ("xlsx", "xls", "ods"):
        libreoffice(work / hidden_source.name, suffix, f"hidden_first_sheet.{suffix}")

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    for r, text in enumerate(["填表说明", "1. 请填写“填报单位”和“报告期”。", "2. “指标名称”一栏不要改动。",
                              "3. “本期数”填本年累计数，没有发生的填 0。", "4. 金额单位为万元。"], start=1):
        notes.cell(row=r, column=1, value=text)
    fill_form(book.create_sheet("统计表"))
    save(book, "instructions_first.xlsx")

    # Unreadable.
    (FIXTURES / "empty.xlsx").write_bytes(b"")
    (FIXTURES / "truncated.xlsx").write_bytes(base.read_bytes()[:2500])
    word_document("word_document.xlsx")
    (FIXTURES / "text_file.xlsx").write_text("柯桥区 2017 年统计数据见附件。\n", encoding="utf-8")
    libreoffice_encrypted(base, "password_protected.xlsx")

    shutil.rmtree(work)
    for path in sorted(FIXTURES.iterdir()):
        size = path.stat().st_size
        assert size < MAX_FIXTURE_BYTES, f"{path.name} is {size} bytes"
        print(f"{size:>7}  {path.name}")


if __name__ == "__main__":
    main()
