"""What the wheel installs, and what a helper process imports: one name, `redcross`, and ours.

A wheel with `core/` or `cli/` at the top of site-packages is overwritten, silently, by any other
distribution holding a folder of that name; a helper started with `python -m` from a folder that
holds a `redcross/` or a `core/` of its own would import that folder's code instead of ours.
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
from support import REPO

from redcross.flows.plumbing.processes import ValidationProcess

LAYERS = {"cli", "core", "read", "transforms", "expectations", "warehouse", "report", "flows"}


def test_the_wheel_installs_one_top_level_name_with_every_layer_and_its_data(tmp_path):
    subprocess.run(["uv", "build", "--wheel", "--quiet", "--out-dir", str(tmp_path)], cwd=REPO, check=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"redcross"}
    assert {name.split("/")[1] for name in names if name.startswith("redcross/") and name.count("/") > 1} == LAYERS
    for data in ("redcross/core/rules.toml", "redcross/core/registry/indicators.csv",
                 "redcross/warehouse/marts/city_totals.sql", "redcross/cli/sample_data/README.md"):
        assert data in names, data
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "redcross = redcross.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_a_helper_started_from_a_folder_with_its_own_redcross_and_core_imports_ours(tmp_path, monkeypatch):
    for name in ("redcross", "core", "flows"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise SystemExit('imported the {name} of the current folder')\n")
    monkeypatch.chdir(tmp_path)
    table = pl.DataFrame({"row_key": ["a", "b"], "rows_found": [1, 2]})
    with ValidationProcess() as process:
        failures = process.check("form_coverage", table)
    assert [(f.row_key, f.value) for f in failures] == [("b", 2)]


def test_without_the_flag_the_current_folder_would_win(tmp_path):
    """The control: `python -m` with the current folder on the path does import the impostor, so the
    test above would fail if the helpers lost `-P`."""
    (tmp_path / "redcross").mkdir()
    (tmp_path / "redcross" / "__init__.py").write_text("raise SystemExit('impostor')\n")
    command = [sys.executable, "-c", "import redcross.core.forms"]
    shadowed = subprocess.run(command, check=False, cwd=tmp_path, capture_output=True, text=True)
    assert shadowed.returncode != 0 and "impostor" in shadowed.stderr
    ours = subprocess.run([sys.executable, "-P", *command[1:]], check=False, cwd=tmp_path, capture_output=True, text=True)
    assert ours.returncode == 0, ours.stderr


def test_a_command_through_uv_compiles_nothing_on_the_terminal_and_caches_its_imports(tmp_path):
    """No 'Bytecode compiled N files' on every `uv run`: the command caches what it imports itself,
    even where PYTHONDONTWRITEBYTECODE is set (as here), and its helpers are started without it."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for cached in (REPO / "core" / "__pycache__").glob("files.*.pyc"):
        cached.unlink()
    result = subprocess.run(["uv", "run", "--locked", "redcross", "status", "--home", str(tmp_path / "home")],
                            cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert "Bytecode compiled" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert list((REPO / "core" / "__pycache__").glob("files.*.pyc")), "what the command imported was not cached"


def test_helper_processes_may_cache_their_imports(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    with ValidationProcess() as process:
        environ = (Path("/proc") / str(process._helper.process.pid) / "environ").read_bytes().split(b"\0")
        assert not any(item.startswith(b"PYTHONDONTWRITEBYTECODE=") for item in environ)
