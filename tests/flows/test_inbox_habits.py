"""The inbox as people fill it: a form still being copied is left for the next run and named
as still arriving; owner files, lock files and partial downloads are left alone, never quarantined.

A slow copy is made for real: the first part of a form's bytes written, the run started, the rest
written, the next run started. The wait is REDCROSS_SETTLE_SECONDS (the session sets 0; these set 60).
"""

import os
import shutil
import subprocess
import time

import pytest
from prefect_server import BIN, REPO, child_env
from support import SAMPLE, make_home

from redcross.read.arrivals import looks_whole, settle_seconds, still_arriving
from redcross.read.home import Home

LEFT_ALONE = ["~$新昌县2018年统计表.xlsx", ".~lock.越城区2017年度统计报表.xlsx#", "柯桥区2017.xlsx.part",
              "上虞区.xlsx.crdownload", "诸暨市.tmp"]
FORM = SAMPLE / "inbox" / "越城区2017年度统计报表.xlsx"


def redcross(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "redcross", *args], env=child_env(**env), cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)


def test_a_form_cut_short_is_still_arriving_and_a_whole_one_is_not(tmp_path):
    whole = FORM.read_bytes()
    now = time.time()
    for cut in (0, 100, len(whole) // 2, len(whole) - 10):
        partial = tmp_path / f"cut-{cut}.xlsx"
        partial.write_bytes(whole[:cut])
        assert still_arriving(partial, now, 60) and not looks_whole(partial, cut)
        assert not still_arriving(partial, now + 61, 60)  # older than the wait: taken, and quarantined as damaged
        assert not still_arriving(partial, now, 0)  # 0 turns the wait off
    done = tmp_path / "whole.xlsx"
    done.write_bytes(whole)
    assert not still_arriving(done, now, 60)  # saved a moment ago, but whole: taken at once
    csv = tmp_path / "form.csv"
    csv.write_text("指标名称,本期数\r\n救护员培训,12", encoding="utf-8")
    assert still_arriving(csv, now, 60)
    csv.write_text("指标名称,本期数\r\n救护员培训,12\r\n", encoding="utf-8")
    assert not still_arriving(csv, now, 60)


def test_an_xls_cut_short_is_still_arriving(tmp_path):
    xls = next((REPO / "tests" / "fixtures").rglob("*.xls"))
    whole = xls.read_bytes()
    for cut in (512, len(whole) // 2, len(whole) - 512):
        partial = tmp_path / "cut.xls"
        partial.write_bytes(whole[:cut])
        assert not looks_whole(partial, cut), cut
    assert looks_whole(xls, len(whole))


def test_the_wait_is_a_setting(monkeypatch):
    monkeypatch.setenv("REDCROSS_SETTLE_SECONDS", "")
    assert settle_seconds() == 60
    monkeypatch.setenv("REDCROSS_SETTLE_SECONDS", "5")
    assert settle_seconds() == 5
    monkeypatch.setenv("REDCROSS_SETTLE_SECONDS", "soon")
    with pytest.raises(ValueError, match="REDCROSS_SETTLE_SECONDS"):
        settle_seconds()


def test_owner_lock_and_partial_download_files_are_left_alone(tmp_path):
    home = Home.resolve(make_home(tmp_path / "home"))
    for name in LEFT_ALONE:
        (home.inbox / name).write_bytes(b"\x00owner")
    shutil.copy2(FORM, home.inbox / FORM.name)
    assert [p.name for p in home.arrivals()] == [FORM.name]


def test_through_the_cli_a_slow_copy_waits_for_the_next_run_and_nothing_else_is_quarantined(tmp_path):
    root = make_home(tmp_path / "home")
    inbox = root / "inbox"
    for name in LEFT_ALONE:
        (inbox / name).write_bytes(b"\x00owner")
    (inbox / "刚出现.xlsx").write_bytes(b"")  # a file that has just appeared, nothing in it yet
    whole = FORM.read_bytes()
    copying = inbox / FORM.name
    with copying.open("wb") as handle:  # the copy is half done when the run starts
        handle.write(whole[: len(whole) // 2])
        handle.flush()
        first = redcross("run", "--home", str(root), REDCROSS_SETTLE_SECONDS="60")
        handle.write(whole[len(whole) // 2:])
    assert first.returncode == 0, first.stderr
    assert "仍在传入，留待下次运行 / still arriving, left for the next run: 2" in first.stdout
    assert FORM.name in first.stdout and "刚出现.xlsx" in first.stdout
    assert "退回 / rejected: 0" in first.stdout and "接收 / accepted: 0" in first.stdout
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*LEFT_ALONE, FORM.name, "刚出现.xlsx"])
    assert not any(Home(root).quarantine.iterdir())

    second = redcross("run", "--home", str(root), REDCROSS_SETTLE_SECONDS="60")
    assert second.returncode == 0, second.stderr
    assert "接收 / accepted: 1" in second.stdout and "still arriving, left for the next run: 1" in second.stdout
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*LEFT_ALONE, "刚出现.xlsx"])
    assert not any(Home(root).quarantine.iterdir())  # the owner and lock files never get a reason file

    old = time.time() - 120
    os.utime(inbox / "刚出现.xlsx", (old, old))  # still empty two minutes on: an empty file, rejected
    third = redcross("run", "--home", str(root), REDCROSS_SETTLE_SECONDS="60")
    assert "退回 / rejected: 1" in third.stdout and "still arriving" not in third.stdout
    assert sorted(p.name for p in inbox.iterdir()) == sorted(LEFT_ALONE)
