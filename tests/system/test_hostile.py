"""The hostile corpus (tests/fixtures/hostile/, expected.toml beside it): every broken or hostile
input is rejected with its message or taken in correctly, the night goes on, and nothing else is
affected.

Each case is checked twice: read and validated together with the 16 bundled forms exactly as a
night validates them (`read_file`, `check_forms`, `check_totals`, `check_history`), and then for
real, in one nightly run over the whole corpus plus the bundled forms, where every file must end
up in quarantine (with its reasons) or in the archive, and the city figures of 2016 and 2017 must be
exactly those of the bundled forms alone.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from support import FIXTURES, REGISTRY, REPO, SAMPLE, TODAY, make_home, published_rows

from redcross.expectations.forms import check_forms, check_history, check_totals, same_night_figures
from redcross.expectations.suites import SuiteRunner
from redcross.flows.nightly import nightly
from redcross.flows.plumbing.intake import read_file, read_targets

pytestmark = pytest.mark.usefixtures("prefect_harness")  # its flows run as Prefect flow runs

CORPUS = FIXTURES / "hostile"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
SLOWEST_READ_SECONDS = 20  # a hostile file may cost a few seconds, never the night
INTERNALS = ("Traceback", "calamine", "Error:", "error:", "Exception")


def corpus_script():
    spec = importlib.util.spec_from_file_location(
        "make_hostile_corpus", REPO / "scripts" / "make_hostile_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def is_target_case(case: str) -> bool:
    return EXPECTED[case]["outcome"] == "target_rejected"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """case -> the file: committed ones as they are, the rest generated now."""
    generated = corpus_script().generate(tmp_path_factory.mktemp("generated"))
    paths = {}
    for case, spec in EXPECTED.items():
        paths[case] = generated[case] if spec.get("generated") else CORPUS / spec["file"]
        assert paths[case].exists(), case
    return paths


@pytest.fixture(scope="module")
def night_read(inputs):
    """Every corpus form read and checked together with the bundled forms, as a night would."""
    forms, checks, by_case, seconds = [], [], {}, {}
    samples = sorted((SAMPLE / "inbox").glob("*.xlsx"))
    for case, path in [*((c, p) for c, p in inputs.items() if not is_target_case(c)),
                       *((s.name, s) for s in samples)]:
        started = time.monotonic()
        found, found_checks = read_file(path, REGISTRY)
        seconds[case] = time.monotonic() - started
        by_case[case] = found
        forms += found
        checks += found_checks
    runner = SuiteRunner()
    check_forms(forms, REGISTRY, runner, TODAY)
    check_totals(checks, REGISTRY, runner)
    check_history(forms, same_night_figures(forms), REGISTRY, runner)
    return by_case, seconds, samples


def test_the_corpus_is_big_enough_and_committed_small():
    assert len(EXPECTED) >= 30
    committed = {spec["file"] for spec in EXPECTED.values() if "file" in spec}
    on_disk = {p.name for p in CORPUS.iterdir()} - {"expected.toml"}
    assert committed == on_disk
    assert max(p.stat().st_size for p in CORPUS.iterdir()) < 40_000


def check_problems(case: str, problems: list, file_name: str) -> None:
    spec = EXPECTED[case]
    if spec["outcome"] == "accepted":
        assert problems == []
        return
    assert problems, f"{case}: expected {spec['rule']}, nothing was found"
    assert {p.rule for p in problems} == {spec["rule"]}, [p.line() for p in problems]
    severity = "warning" if spec["outcome"] == "warned" else "error"
    for p in problems:
        assert p.severity == severity and p.file == file_name
        assert spec["message"] in p.message_en, p.message_en
        assert p.message_zh and p.message_en
        assert not any(word in f"{p.message_zh} {p.message_en}" for word in INTERNALS), p.line()
    if "cell" in spec:
        assert problems[0].cell == spec["cell"]


@pytest.mark.parametrize("case", list(EXPECTED))
def test_each_hostile_input_gets_its_message(case, inputs, night_read, tmp_path):
    path = inputs[case]
    if is_target_case(case):
        shutil.copy2(path, tmp_path / path.name)
        check_problems(case, read_targets(tmp_path, REGISTRY, SuiteRunner()).problems, path.name)
        return
    by_case, seconds, _ = night_read
    forms = by_case[case]
    assert forms and all(f.arrival.path.name == path.name for f in forms)
    check_problems(case, list(dict.fromkeys(p for f in forms for p in f.problems)), path.name)
    if EXPECTED[case]["outcome"] == "rejected":
        assert all(f.rejected for f in forms)
    else:
        assert not any(f.rejected for f in forms) and forms[0].unit_code is not None
    assert seconds[case] < SLOWEST_READ_SECONDS


def test_the_bundled_forms_read_beside_the_corpus_are_untouched(night_read):
    by_case, _, samples = night_read
    # the demo's two warnings (越城区's 上年同期数 for two indicators, one explained) and nothing else
    demo_warned = "越城区2017年度统计报表.xlsx"
    assert all(by_case[s.name][0].problems == [] for s in samples if s.name != demo_warned)
    assert [(p.rule, p.cell, bool(p.remark)) for p in by_case[demo_warned][0].problems] == [
        ("prior_mismatch", "E9", True), ("prior_mismatch", "E14", False)]


def test_a_zip_bomb_is_refused_without_inflating(inputs):
    for case in ("zip_bomb_declared", "zip_bomb_overlapping"):
        started = time.monotonic()
        (form,), _ = read_file(inputs[case], REGISTRY)
        assert form.rejected and time.monotonic() - started < 2  # inflating 3-4 GB would take far longer


# --- one real night over all of it -----------------------------------------------------------

@pytest.fixture(scope="module")
def night(inputs, night_read, tmp_path_factory):
    """One nightly run over the corpus, the 16 bundled forms and the bundled targets."""
    root = make_home(tmp_path_factory.mktemp("hostile-night") / "home")
    for case, path in inputs.items():
        target = root / ("targets" if is_target_case(case) else "inbox") / path.name
        if case == "oversized":
            os.link(path, target) if path.stat().st_dev == target.parent.stat().st_dev else shutil.copy(path, target)
        else:
            shutil.copy2(path, target)
    for sample in by_sample(night_read):
        shutil.copy2(sample, root / "inbox" / sample.name)
    summary = nightly(home=str(root), today=TODAY)
    return root, summary


def by_sample(night_read):
    return night_read[2]



@pytest.mark.parametrize("case", list(EXPECTED))
def test_the_night_files_each_hostile_input_away(case, inputs, night):
    root, summary = night
    name = inputs[case].name
    if is_target_case(case):
        assert [p.rule for p in summary.target_problems if p.file == name] == [EXPECTED[case]["rule"]]
        return
    assert not (root / "inbox" / name).exists()
    sha = night_sha(inputs[case])
    rows = published_rows(root, "select status, file_name from submissions where sha256 = ?", [sha])
    assert len({file_name for _, file_name in rows}) == 1 and rows[0][1] in shown_names(name)
    quarantined = [p for p in (root / "quarantine").iterdir() if p.name.endswith(f"-{name}")]
    if EXPECTED[case]["outcome"] == "rejected":
        assert rows and {status for status, _ in rows} == {"rejected"}
        assert len(quarantined) == 1
        reasons = json.loads(Path(f"{quarantined[0]}.reason.json").read_text("utf-8"))
        assert reasons["file"] == name
        assert {p["rule"] for p in reasons["problems"]} == {EXPECTED[case]["rule"]}
        assert EXPECTED[case]["message"] in Path(f"{quarantined[0]}.reason.txt").read_text("utf-8")
    else:
        assert rows and {status for status, _ in rows} <= {"accepted", "superseded"}
        assert quarantined == []
        assert (root / "archive" / f"{sha}{inputs[case].suffix.lower()}").read_bytes() == inputs[case].read_bytes()


def shown_names(name: str) -> set[str]:
    """The name as it came, or, where its bytes are not UTF-8, one of the usual readable renderings."""
    raw = os.fsencode(name)
    return {name, raw.decode("utf-8", "replace"), raw.decode("utf-8", "backslashreplace"),
            raw.decode("gb18030", "replace")}


def night_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_night_goes_on_and_the_bundled_figures_are_untouched(night, night_read):
    root, summary = night
    by_case, _, samples = night_read
    assert {s.name for s in samples} <= set(summary.accepted)
    expected: dict[tuple, Decimal] = {}
    for sample in samples:
        (form,) = by_case[sample.name]
        for code, value in form.rows.select("indicator_code", "value").iter_rows():
            key = (form.period.year, code)
            expected[key] = expected.get(key, Decimal(0)) + value
    totals = published_rows(root, "select year, indicator_code, total, units_reported from city_totals "
                             "where year in (2016, 2017) and month = 12")
    assert {(y, c): t for y, c, t, _ in totals} == expected
    assert {n for *_, n in totals} == {8}
    assert published_rows(root, "select target from city_totals where year = 2017 and indicator_code = "
                           "'first_aid_trained'") == [(Decimal("14468.00"),)]
    assert published_rows(root, "select status from runs") == [("succeeded",)]
    assert os.listdir(root / "inbox") == []
