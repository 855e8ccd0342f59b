"""Writing the report to a file in any of its formats, whole (see core.files.written_whole)."""

from __future__ import annotations

from pathlib import Path

from redcross.core.files import written_whole
from redcross.report.html import to_html
from redcross.report.model import Report
from redcross.report.text_formats import to_csv, to_json, to_markdown
from redcross.report.xlsx import write_xlsx


def write_report(report: Report, fmt: str, path: Path) -> Path:
    """Write the report in a file format (xlsx, html, md, json, csv) to `path`; the folder is made if missing."""
    with written_whole(path) as temp:  # someone opening the report meanwhile gets the last one whole
        if fmt == "xlsx":
            write_xlsx(report, temp)
        else:
            text = {"html": to_html, "md": to_markdown, "json": to_json, "csv": to_csv}[fmt](report)
            temp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")  # Excel reads a BOM'd CSV
    return path
