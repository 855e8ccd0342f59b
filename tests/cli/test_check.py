"""`redcross check FILE...` (a dry run): each file's verdict and messages are those the next
nightly run gives the same files, and the check changes nothing in the home.

The hostile corpus, the bundled 2017 forms and a copy of a form already received are checked
against a home that holds the bundled 2016 forms; then the same files go into the inbox and a
nightly run (a Prefect flow run, under the test harness) takes them in, and each file's verdict and
problems are compared with what the run recorded: the published `submissions` and the reason files.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from prefect_server import BIN, child_env
from support import FIXTURES, REPO, SAMPLE, drop_samples, make_home, published_rows, write_form

from redcross.cli.main import main
from redcross.read.home import Home

CORPUS = FIXTURES / "hostile"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
FORM_CASES = [case for case, spec in EXPECTED.items() if spec["outcome"] != "target_rejected"]
MESSAGE_FIELDS = ("rule", "severity", "sheet", "cell", "indicator", "value", "expected", "message_zh", "message_en")
REPEAT = "柯桥区-2016-又一份.xlsx"  # the bytes of a bundled 2016 form the home has already taken in


def generate_corpus(folder: Path) -> dict[str, Path]:
    """The corpus cases too big or too oddly named to commit, written into `folder` (see test_hostile)."""
    spec = importlib.util.spec_from_file_location("make_hostile_corpus", REPO / "scripts" / "make_hostile_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.generate(folder)


def home_files(root: Path) -> dict[str, bytes]:
    """Every file of a home, by its path inside it, with its bytes (folders too, as None)."""
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


def check(*args: str) -> tuple[int, str]:
    """`redcross check ...` through the CLI's main function; its exit status and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", *args])
    return status, out.getvalue()


def flow_runs() -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.count_flow_runs()


@pytest.fixture(scope="module")
def checked_then_run(tmp_path_factory, prefect_harness):
    """A home with the bundled 2016 forms taken in; the files in hand checked (JSON), and then the
    same files taken in by the next nightly run."""
    from redcross.flows.nightly import nightly

    base = tmp_path_factory.mktemp("check-hostile")
    root = make_home(base / "home")
    drop_samples(root, (2016,))
    nightly(home=str(root))
    hand = base / "in-hand"  # a clerk's files, outside the home
    generated = generate_corpus(hand)
    for case in FORM_CASES:
        if not EXPECTED[case].get("generated"):
            shutil.copy2(CORPUS / EXPECTED[case]["file"], hand / EXPECTED[case]["file"])
    for sample in sorted((SAMPLE / "inbox").glob("*2017*.xlsx")):
        shutil.copy2(sample, hand / sample.name)
    shutil.copy2(SAMPLE / "inbox" / "keqiao_2016_tongjibiao.xlsx", hand / REPEAT)
    assert len(generated) + len(FORM_CASES) > 30
    paths = sorted(hand.iterdir())  # the order a run lists its inbox in
    before, runs_before, flow_runs_before = home_files(root), published_rows(root, "select * from runs"), flow_runs()
    status, printed = check("--home", str(root), "--format", "json", *map(str, paths))
    after, runs_after, flow_runs_after = home_files(root), published_rows(root, "select * from runs"), flow_runs()
    for path in paths:
        shutil.move(path, root / "inbox" / path.name)
    summary = nightly(home=str(root))
    return {"root": root, "status": status, "checked": json.loads(printed), "summary": summary,
            "before": before, "after": after, "runs": (runs_before, runs_after),
            "flow_runs": (flow_runs_before, flow_runs_after)}


def run_verdicts(root: Path, run_id: str) -> dict[str, tuple[str, set[tuple]]]:
    """sha256 -> (the verdict, the problems) the run recorded for each file it took in as new."""
    recorded: dict[str, tuple[set[str], set[tuple]]] = {}
    for sha, status, messages in published_rows(
            root, "select sha256, status, messages from submissions where run_id = ?", [run_id]):
        statuses, problems = recorded.setdefault(sha, (set(), set()))
        statuses.add(status)
        problems |= {tuple(m[k] for k in MESSAGE_FIELDS) for m in messages}
    return {sha: ("rejected" if "rejected" in statuses else "accepted_with_warnings" if problems else "accepted",
                  problems) for sha, (statuses, problems) in recorded.items()}


def test_check_gives_each_file_the_verdict_and_messages_the_next_run_gives(checked_then_run):
    root, checked, summary = checked_then_run["root"], checked_then_run["checked"], checked_then_run["summary"]
    recorded = run_verdicts(root, summary.run_id)
    new = {f["sha256"]: f for f in checked["files"] if f["verdict"] != "already_received"}
    assert set(new) == set(recorded)
    for sha, (verdict, problems) in recorded.items():
        found = new[sha]
        assert found["verdict"] == verdict, found["file"]
        assert {tuple(p[k] for k in MESSAGE_FIELDS) for p in found["problems"]} == problems, found["file"]
    assert [f["file"] for f in checked["files"] if f["verdict"] == "already_received"] == [REPEAT]
    assert summary.already_received == [REPEAT]
    assert {f["verdict"] for f in checked["files"]} == {"accepted", "accepted_with_warnings", "rejected",
                                                        "already_received"}


def test_a_rejected_files_problems_are_its_reason_file_word_for_word(checked_then_run):
    root, checked = checked_then_run["root"], checked_then_run["checked"]
    rejected = [f for f in checked["files"] if f["verdict"] == "rejected"]
    assert len(rejected) >= 20
    for found in rejected:
        (reasons,) = (root / "quarantine").glob(f"{found['sha256'][:16]}-*.reason.json")
        assert json.loads(reasons.read_text("utf-8"))["problems"] == found["problems"], found["file"]


def test_check_changes_nothing_in_the_home(checked_then_run):
    before, after = checked_then_run["before"], checked_then_run["after"]
    assert {"warehouse/redcross.duckdb", "warehouse/writer/redcross-writer.duckdb", "inbox"} <= set(before)
    assert after == before  # inbox, archive, quarantine, both warehouse files, reports: byte for byte
    runs_before, runs_after = checked_then_run["runs"]
    assert runs_after == runs_before and len(runs_before) == 1
    assert checked_then_run["flow_runs"][1] == checked_then_run["flow_runs"][0]  # no flow run on the server


def test_the_corpus_check_exits_2_and_counts_each_verdict(checked_then_run):
    checked = checked_then_run["checked"]
    assert checked_then_run["status"] == checked["exit_status"] == 2
    counts = {v: sum(1 for f in checked["files"] if f["verdict"] == v) for v in checked["counts"]}
    assert checked["counts"] == counts and sum(counts.values()) == len(checked["files"])


# --- exit statuses, text and JSON through the CLI -------------------------------------------------

@pytest.fixture
def history_home(tmp_path, prefect_harness) -> Path:
    """A home whose published warehouse holds 柯桥区's 2017 form."""
    from redcross.flows.nightly import nightly

    root = make_home(tmp_path / "home")
    write_form(root / "inbox" / "柯桥区-2017.xlsx")
    nightly(home=str(root))
    return root


def keqiao_2018(folder: Path) -> Path:
    """柯桥区's 2018 form: every figure ten times 2017's, the 上年同期数 column right."""
    from keqiao import KEQIAO_2017

    rows = [(label, measure, value * 10, value) for label, measure, value, _ in KEQIAO_2017]
    folder.mkdir(exist_ok=True)
    return write_form(folder / "柯桥区-2018.xlsx", rows, period="2018年")


def test_a_check_against_history_gives_the_year_on_year_warning_a_run_gives(history_home, tmp_path):
    from redcross.flows.nightly import nightly

    form = keqiao_2018(tmp_path / "hand")
    status, text = check("--home", str(history_home), str(form))
    assert status == 1
    lines = text.splitlines()
    assert lines[0] == "接收（有提示） / accepted with warnings: 柯桥区-2018.xlsx（柯桥区 2018年）"
    assert lines[-1] == ("合计 / total: 1 个文件：接收 0，接收（有提示） 1，退回 0，已接收过 0 / "
                         "1 files: 0 accepted, 1 accepted with warnings, 0 rejected, 0 already received")
    assert ("[提示] 文件“柯桥区-2018.xlsx”，工作表“统计表”，单元格 D5，指标“救护员培训”：本期数 39510 是该单位上年同期 "
            "3951 的 10.00 倍，变化超过 3 倍，请核实后说明原因。") in lines
    status, printed = check("--home", str(history_home), "--format", "json", str(form))
    (found,) = json.loads(printed)["files"]
    assert {p["rule"] for p in found["problems"]} == {"yoy_outlier"} and len(found["problems"]) == 12
    shutil.copy2(form, history_home / "inbox" / form.name)
    summary = nightly(home=str(history_home))
    ((messages,),) = published_rows(history_home, "select messages from submissions where run_id = ?",
                                    [summary.run_id])
    assert [tuple(m[k] for k in MESSAGE_FIELDS) for m in messages] == [
        tuple(p[k] for k in MESSAGE_FIELDS) for p in found["problems"]]
    assert sorted(summary.warned) == [form.name]


def test_a_home_with_nothing_published_has_no_history_and_a_clean_form_exits_0(home, tmp_path):
    form = keqiao_2018(tmp_path / "hand")
    before = home_files(home)
    status, text = check("--home", str(home), str(form))
    assert (status, text.splitlines()[0]) == (0, "接收 / accepted: 柯桥区-2018.xlsx（柯桥区 2018年）")
    assert home_files(home) == before  # not even the warehouse folder is made


def test_a_rejected_form_exits_2_with_its_error_named_down_to_the_cell(home, tmp_path):
    from keqiao import KEQIAO_2017

    tmp_path.joinpath("hand").mkdir()
    good = write_form(tmp_path / "hand" / "柯桥区-2017.xlsx")
    bad = write_form(tmp_path / "hand" / "新昌县-2017.xlsx",
                     [("救护员培训", "人", -468, None), *((lbl, m, v, None) for lbl, m, v, _ in KEQIAO_2017[1:])],
                     unit="新昌县")
    status, text = check("--home", str(home), str(good), str(bad))
    assert status == 2
    assert "接收 / accepted: 柯桥区-2017.xlsx（柯桥区 2017年）\n\n退回 / rejected: 新昌县-2017.xlsx（新昌县 2017年）\n[错误] " \
           "文件“新昌县-2017.xlsx”，工作表“统计表”，单元格 D5，指标“救护员培训”：" in text
    assert "[error] file '新昌县-2017.xlsx', sheet '统计表', cell D5, indicator '救护员培训': " in text


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_a_path_that_is_no_file_is_one_line_and_exit_2(what, home, tmp_path, capsys):
    path = tmp_path / "没有.xlsx" if what == "missing" else tmp_path
    assert main(["check", "--home", str(home), str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and str(path) in err


@pytest.mark.parametrize("what", ["missing", "a file"])
def test_a_home_that_is_no_home_is_one_line_and_exit_2(what, tmp_path, capsys):
    form = write_form(tmp_path / "柯桥区-2017.xlsx")
    given = tmp_path / "nowhere" if what == "missing" else form
    assert main(["check", "--home", str(given), str(form)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and str(given) in err
    assert not (tmp_path / "nowhere").exists()


def test_check_as_a_user_runs_it_while_a_run_holds_the_lock(history_home, tmp_path):
    """A real `redcross check` process: JSON on stdout, exit 1, and no wait for the lock and the
    writer's file a night holds (DuckDB lets no other process open a file one has open for writing)."""
    form = keqiao_2018(tmp_path / "hand")
    where = Home(history_home)
    with FileLock(where.lock).acquire(timeout=0), duckdb.connect(str(where.writer)):
        result = subprocess.run([BIN / "redcross", "check", "--home", str(history_home), "--format", "json",
                                 str(form)], env=child_env(), capture_output=True, text=True, timeout=300,
                                check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "等待" not in result.stderr
    report = json.loads(result.stdout)
    assert report["exit_status"] == 1
    assert report["counts"] == {"accepted": 0, "accepted_with_warnings": 1, "rejected": 0, "already_received": 0}
    (found,) = report["files"]
    assert {k: found[k] for k in ("file", "path", "verdict", "unit", "unit_name", "year", "month", "period",
                                   "received_before", "exit_status")} == {
        "file": "柯桥区-2018.xlsx", "path": str(form), "verdict": "accepted_with_warnings", "unit": "keqiao",
        "unit_name": "柯桥区", "year": 2018, "month": 12, "period": "2018年", "received_before": None,
        "exit_status": 1}
    first = found["problems"][0]
    assert set(first) == set(MESSAGE_FIELDS) | {"file", "remark", "indicator_code"}
    assert (first["cell"], first["indicator"], first["value"], first["expected"]) == ("D5", "救护员培训", "39510", "3951")
    assert [f["verdict"] for f in found["forms"]] == ["accepted_with_warnings"]


def test_a_file_rejected_before_is_already_received_and_goes_back_to_quarantine(home, tmp_path, prefect_harness):
    """As the run does with it: checked again, not a new submission, quarantined again with its reasons (exit 2)."""
    from redcross.flows.nightly import nightly

    bad = write_form(home / "inbox" / "新昌县-2017.xlsx", unit="火星区")
    kept = shutil.copy2(bad, tmp_path / bad.name)
    nightly(home=str(home))
    status, printed = check("--home", str(home), "--format", "json", str(kept))
    (found,) = json.loads(printed)["files"]
    assert (status, found["verdict"], found["received_before"]) == (2, "already_received", "rejected")
    (reasons,) = (home / "quarantine").glob("*.reason.json")
    assert json.loads(reasons.read_text("utf-8"))["problems"] == found["problems"] != []
    status, text = check("--home", str(home), str(kept))
    headline, *problem_lines, _, total = text.splitlines()
    assert headline == "已接收过 / already received: 新昌县-2017.xlsx（火星区 2017年）（曾退回 / rejected then）"
    assert total.startswith("合计 / total: 1 个文件：接收 0，接收（有提示） 0，退回 0，已接收过 1")
    reason_text = Path(str(reasons).removesuffix(".json") + ".txt").read_text("utf-8-sig").splitlines()
    assert problem_lines and all(line in reason_text for line in problem_lines)


def test_an_owner_file_named_beside_a_form_is_said_and_left_alone_as_a_run_leaves_it(home, tmp_path, capsys):
    form = keqiao_2018(tmp_path / "hand")
    owner = tmp_path / "hand" / f"~${form.name}"
    owner.write_bytes(b"\x0cclerk")  # what Excel leaves while the form is open
    assert main(["check", "--home", str(home), str(form), str(owner)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "接收 / accepted: 柯桥区-2018.xlsx（柯桥区 2018年）"
    assert owner.name not in out and f"which a run leaves alone: {owner}" in err
