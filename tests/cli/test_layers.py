"""The layers hold: lint-imports keeps the contracts of pyproject.toml, and an import against the
arrows breaks them (checked on a copy of the tree with one bad import added)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

PACKAGES = ("core", "read", "transforms", "expectations", "warehouse", "report", "flows", "cli")
LINT = Path(sys.executable).parent / "lint-imports"


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT, "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False)


def test_the_tree_keeps_its_layers():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "bad_import", "broken"), [
    ("core/decimals.py", "from redcross.flows import steps", "redcross.core.decimals -> redcross.flows.steps"),
    ("transforms/numbers.py", "import duckdb", "redcross.transforms.numbers -> duckdb"),
    ("warehouse/queries.py", "from redcross.read import home", "redcross.warehouse.queries -> redcross.read.home"),
    ("report/status.py", "from redcross.warehouse import writer",
     "redcross.report.status -> redcross.warehouse.writer"),
    ("read/home.py", "from redcross.report import model", "redcross.read.home -> redcross.report.model"),
])
def test_an_import_against_the_arrows_fails_the_check(tmp_path, module, bad_import, broken):
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("sample_data", "__pycache__"))
    shutil.copytree(REPO / "redcross", tmp_path / "redcross", symlinks=True)  # the import root's links
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n\ndef _against_the_arrows():\n    {bad_import}  # hidden in a function, still an arrow\n")
    result = lint(tmp_path)
    assert result.returncode != 0 and broken in result.stdout, result.stdout[-3000:]
