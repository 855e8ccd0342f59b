"""A rejected file's reason file as a clerk opens it in Windows Notepad: UTF-8 with a BOM,
CRLF line ends, each problem once in each language, and what to do at the end."""

import json
from dataclasses import replace

from redcross.core.problems import Problem
from redcross.read.filing import write_reasons
from redcross.read.home import Home

PROBLEMS = [
    Problem("not_a_number", "error", "越城区-2017.xlsx", "统计表", "D6", "救护员培训", "十二", None,
            "本期数“十二”不是数字", "the current figure '十二' is not a number"),
    Problem("negative", "error", "越城区-2017.xlsx", "统计表", "D9", "器官捐献", "-3", None,
            "本期数不能为负数", "the current figure cannot be negative"),
]


def test_the_reason_file_opens_in_notepad_and_ends_with_what_to_do(tmp_path):
    home = Home.create(tmp_path / "home")
    original = home.inbox / "越城区-2017.xlsx"
    original.write_bytes(b"PK")
    write_reasons(home, original, "abc123", PROBLEMS, sync=False)
    (txt,) = home.quarantine.glob("*.reason.txt")
    raw = txt.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n") > 0
    text = raw.decode("utf-8-sig")
    lines = [line for line in text.split("\r\n") if line]
    assert lines[-1] == "请改正后重新报送。/ Please correct the form and send it again."
    for problem in PROBLEMS:
        assert text.count(problem.message_zh) == 1 and text.count(problem.message_en) == 1
        (zh,) = [line for line in lines if problem.message_zh in line]
        assert zh.startswith("[错误]") and problem.message_en not in zh
        (en,) = [line for line in lines if problem.message_en in line]
        assert en.startswith("[error]") and problem.message_zh not in en
    (machine,) = home.quarantine.glob("*.reason.json")
    assert not machine.read_bytes().startswith(b"\xef\xbb\xbf")  # JSON stays plain UTF-8 for programs
    assert len(json.loads(machine.read_text("utf-8"))["problems"]) == 2


def test_a_problem_with_the_forms_explanation_gives_it_once_after_its_two_languages(tmp_path):
    home = Home.create(tmp_path / "home")
    original = home.inbox / "越城区-2017.xlsx"
    original.write_bytes(b"PK")
    explained = replace(PROBLEMS[0], remark="大写数字，已与单位核对为12")
    write_reasons(home, original, "abc123", [explained, PROBLEMS[1]], sync=False)
    (txt,) = home.quarantine.glob("*.reason.txt")
    raw = txt.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")
    lines = [line for line in raw.decode("utf-8-sig").split("\r\n") if line]
    at = next(n for n, line in enumerate(lines) if explained.message_en in line)
    assert lines[at + 1] == "说明 / explanation: 大写数字，已与单位核对为12"
    assert sum("说明 / explanation" in line for line in lines) == 1
