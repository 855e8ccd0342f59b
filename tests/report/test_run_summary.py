"""A night of thousands of files says what it did in a screenful: the first files' problems, and
how many more there are and where to read them."""

from redcross.core.problems import problem
from redcross.report.run_summary import RunSummary


def night(rejected: int, warned: int) -> RunSummary:
    summary = RunSummary("nightly-1")
    for n in range(rejected):
        name = f"u{n:04d}-2017-12.xlsx"
        summary.rejected[name] = [problem("negative_value", file=name, sheet="统计表", cell="D7",
                                          indicator="造血干细胞捐献登记入库", value="-5")]
    for n in range(warned):
        name = f"w{n:04d}-2017-12.xlsx"
        summary.accepted.append(name)
        summary.warned[name] = [problem("prior_mismatch", file=name, sheet="统计表", cell="E6", indicator="普及培训",
                                        value="30000", expected="31240")]
    summary.revisions = [f"单位{n:04d}区 2017年 救护员培训 {n} → {n + 1}" for n in range(23)]
    return summary


def test_the_first_twenty_files_are_listed_and_the_rest_counted():
    text = night(rejected=25, warned=1000).text()
    assert text.count("  退回 / rejected u") == 20 and "u0019-2017-12.xlsx" in text and "u0020" not in text
    assert "… 另有 5 个文件，原因见 quarantine/*.reason.txt" in text and "5 more files: their reasons are in" in text
    assert text.count("  提示 / warnings w") == 20 and "980 more files with warnings: see `redcross status`" in text
    assert "修订 / revisions (a later form changed these figures): 23" in text
    assert "单位0019区 2017年 救护员培训 19 → 20" in text and "单位0020区" not in text and "… 3 more: see the revisions view" in text
    assert len(text.splitlines()) < 120


def test_a_small_night_lists_everything():
    text = night(rejected=2, warned=3).text()
    assert text.count("  退回 / rejected u") == 2 and text.count("  提示 / warnings w") == 3
    assert "more files" not in text and "… 另有" not in text


def test_the_prefect_artifact_is_capped_the_same_way():
    markdown = night(rejected=25, warned=30).markdown()
    assert markdown.count("| u0") == 20 and markdown.count("| w0") == 20
    assert "… 另有 5 个文件" in markdown and "10 more files with warnings" in markdown


def test_a_warning_the_form_explains_shows_the_explanation_beside_it():
    summary = RunSummary("nightly-1")
    name = "越城区2017年度统计报表.xlsx"
    summary.accepted.append(name)
    summary.warned[name] = [
        problem("prior_mismatch", file=name, sheet="Sheet1", cell="E9", indicator="器官遗体角膜捐献登记", value="39",
                expected="27", remark="上年同期数含补录的12人"),
        problem("prior_mismatch", file=name, sheet="Sheet1", cell="E14", indicator="捐赠支出受益人数", value="3578",
                expected="3587"),
    ]
    lines = summary.text().splitlines()
    at = next(n for n, line in enumerate(lines) if " E9 " in line)
    assert lines[at + 1].strip() == "说明 / explanation: 上年同期数含补录的12人"
    assert sum("说明 / explanation" in line for line in lines) == 1
    (row,) = [line for line in summary.markdown().splitlines() if "| E9 |" in line]
    assert row.endswith("（说明 / explanation: 上年同期数含补录的12人） |")
