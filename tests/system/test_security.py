"""Security (issue 8): input ends up as data, never as SQL or as a formula or script; names and
phone numbers from the forms' footers reach neither the warehouse nor any report; nothing in the
home is world-writable.

One nightly run over a home that carries its own registry (a unit alias and a unit name that are
SQL), the 16 bundled forms, and 2018 forms whose file names are SQL, a spreadsheet formula and
HTML, and whose footers carry names and phone numbers; the inbox files arrive world-writable and
the process umask is 000, so the pipeline itself must set the permissions.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from keqiao import KEQIAO_2017
from support import REPO, TODAY, drop_samples, make_home, published_rows, write_form

from redcross.cli.main import main as redcross_main
from redcross.flows.nightly import nightly

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

SQL = "'); DROP TABLE submissions; --"
SQL_UNIT_NAME = "Robert'); DROP TABLE units; --"
FORMULA_NAME = "=cmd|' C calc'!A0.xlsx"  # no '/' can be in a file name
HTML_NAME = "<img src=x onerror=alert(1)>.xlsx"


def sample_personal_data() -> list[str]:
    spec = importlib.util.spec_from_file_location("make_sample_data", REPO / "scripts" / "make_sample_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return list(module.PERSONAL_DATA)


def hostile_corpus_footer() -> list[str]:
    spec = importlib.util.spec_from_file_location("make_hostile_corpus", REPO / "scripts" / "make_hostile_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return [module.FOOTER_NAME, module.FOOTER_PHONE]


# conftest.write_form's footer, and the footers written below in other places and shapes
OWN_PERSONAL_DATA = ["王小明", "13900001111", "欧阳丽华", "0575-85123456", "13706851234", "司马建国"]
PERSONAL_DATA = sample_personal_data() + hostile_corpus_footer() + OWN_PERSONAL_DATA


def with_registry(home: Path) -> None:
    """The home's own registry: an alias of 柯桥区 and a whole unit that read as SQL."""
    folder = home / "registry"
    folder.mkdir()
    bundled = REPO / "core" / "registry"
    shutil.copy2(bundled / "indicators.csv", folder / "indicators.csv")
    rows = list(csv.DictReader(io.StringIO((bundled / "units.csv").read_text("utf-8"))))
    for row in rows:
        if row["unit_code"] == "keqiao":
            row["aliases"] += f"|{SQL}"
    rows.append({"unit_code": "bobby", "unit_name": SQL_UNIT_NAME, "unit_kind": "district", "admin_code": "",
                 "aliases": ""})
    with (folder / "units.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def footer_elsewhere(path: Path, unit: str) -> Path:
    """A 2018 form whose footer sits in the indicator column and the value column, phone bare."""
    write_form(path, rows=KEQIAO_2017, unit=unit, period="2018年", footer=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["B19"] = "填表人：欧阳丽华"
    sheet["D19"] = "13706851234"
    sheet["B20"] = "联系电话"
    sheet["D20"] = "0575-85123456"
    sheet["B21"] = "单位负责人：司马建国"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = make_home(tmp_path_factory.mktemp("security") / "home")
    with_registry(root)
    drop_samples(root)
    write_form(root / "inbox" / f"{SQL}.xlsx", unit=SQL, period="2018年")
    write_form(root / "inbox" / FORMULA_NAME, unit="越城区", period="2018年")
    write_form(root / "inbox" / HTML_NAME, unit="上虞区", period="2018年")
    footer_elsewhere(root / "inbox" / "新昌县 2018.xlsx", "新昌县")
    for path in (root / "inbox").iterdir():
        path.chmod(0o666)  # dropped through a share that leaves files world-writable
    previous = os.umask(0)
    try:
        summary = nightly(home=str(root), today=TODAY)
    finally:
        os.umask(previous)
    for fmt in ("json", "md", "csv"):
        for year in (2017, 2018):
            out = root / "reports" / str(year) / f"report-{year}-12.{fmt}"
            assert redcross_main(["report", "--home", str(root), "--year", str(year), "--format", fmt,
                                  "--out", str(out)]) == 0
    return root, summary



def test_sql_in_a_file_name_or_a_unit_alias_ends_up_as_data(night):
    root, summary = night
    assert f"{SQL}.xlsx" in summary.accepted
    assert published_rows(root, "select unit_code, year, status from submissions where file_name = ?", [f"{SQL}.xlsx"]) == [
        ("keqiao", 2018, "accepted")]
    assert published_rows(root, "select unit_name from units where unit_code = 'bobby'") == [(SQL_UNIT_NAME,)]
    tables = {name for (name,) in published_rows(root, "select table_name from information_schema.tables")}
    assert {"submissions", "units", "runs", "city_totals", "indicator_values", "indicators"} <= tables
    assert published_rows(root, "select count(*) from submissions") == [(20,)]
    assert published_rows(root, "select count(*) from raw.submissions") == [(20,)]
    assert published_rows(root, "select units_reported from city_totals where year = 2017 and month = 12 "
                           "and indicator_code = 'first_aid_trained'") == [(8,)]


def every_text_in_the_warehouse(root: Path) -> dict[str, str]:
    found = {}
    for schema, name in published_rows(root, "select table_schema, table_name from information_schema.tables"):
        rows = published_rows(root, f'select * from "{schema}"."{name}"')  # names from the catalogue, not input
        found[f"{schema}.{name}"] = json.dumps(rows, default=str, ensure_ascii=False)
    return found


def test_footers_never_reach_the_warehouse(night):
    root, _ = night
    texts = every_text_in_the_warehouse(root)
    assert len(texts) >= 12  # the six views and the raw tables
    assert "新昌县 2018.xlsx" in texts["main.submissions"]  # the file with the odd footer is in
    leaks = {(table, item) for table, text in texts.items() for item in PERSONAL_DATA if item in text}
    assert leaks == set()


def report_texts(root: Path) -> dict[str, str]:
    texts = {}
    for path in (root / "reports").rglob("*"):
        if path.suffix in {".html", ".json", ".md", ".csv"}:
            texts[str(path.relative_to(root))] = path.read_text("utf-8")
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    texts[f"{path.relative_to(root)}!{member}"] = book.read(member).decode("utf-8", "replace")
    return texts


def test_footers_never_reach_the_reports(night):
    root, _ = night
    texts = report_texts(root)
    for year in (2016, 2017, 2018):
        assert any(name.startswith(f"reports/{year}/report-{year}-12.xlsx!") for name in texts)
    for kind in ("html", "json", "md", "csv"):
        assert f"reports/2018/report-2018-12.{kind}" in texts
    assert any("validation" in name for name in texts)  # the Data Docs pages are scanned too
    leaks = {(name, item) for name, text in texts.items() for item in PERSONAL_DATA if item in text}
    assert leaks == set()


def test_a_formula_from_a_file_name_is_text_in_the_xlsx_report(night):
    root, _ = night
    path = root / "reports" / "2018" / "report-2018-12.xlsx"
    book = openpyxl.load_workbook(path)
    shown = [(sheet.title, cell.coordinate, cell.value, cell.data_type) for sheet in book.worksheets
             for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "cmd|" in cell.value]
    assert shown, "the file name should be listed among the report's sources"
    assert all(data_type == "s" and not value.startswith("=") for _, _, value, data_type in shown), shown
    with zipfile.ZipFile(path) as archive:
        formulas = [m for m in archive.namelist() if m.startswith("xl/worksheets/")
                    and b"cmd|" in archive.read(m) and b"<f>" in archive.read(m).split(b"cmd|")[0][-200:]]
    assert formulas == []


def test_a_formula_from_a_file_name_is_text_in_the_csv_report(night):
    root, _ = night
    raw = (root / "reports" / "2018" / "report-2018-12.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel and WPS read it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    file_names = [row[header.index("文件名 file_name")] for row in rows]
    assert f"'{FORMULA_NAME}" in file_names and FORMULA_NAME not in file_names
    assert f"{SQL}.xlsx" in file_names and HTML_NAME in file_names  # text that is no formula stays as it came
    texts = [cell for row in rows for cell in row if not cell[:1].isdigit()]
    assert [cell for cell in texts if cell.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    value = header.index("数值 value")
    yuecheng = {row[header.index("指标代码 indicator_code")]: row[value] for row in rows
                if row[header.index("文件名 file_name")] == f"'{FORMULA_NAME}"}
    assert yuecheng["first_aid_trained"] == "3951"  # as the warehouse keeps it: the figure conftest writes


def test_html_from_a_file_name_is_escaped_in_every_page(night):
    root, _ = night
    pages = {name: text for name, text in report_texts(root).items() if name.endswith(".html")}
    assert any("&lt;img src=x onerror=alert(1)&gt;" in text for name, text in pages.items()
               if name.startswith("reports/2018/"))
    assert [name for name, text in pages.items() if "<img src=x onerror" in text] == []


def test_nothing_in_the_home_is_world_writable(night):
    root, _ = night
    writable = [str(p.relative_to(root)) for p in [root, *root.rglob("*")] if p.lstat().st_mode & stat.S_IWOTH]
    assert writable == []
