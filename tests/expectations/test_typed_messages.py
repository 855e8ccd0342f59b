"""A message quotes a figure as the clerk typed it: a form in 万元 is told 270.68万元, not
2706800.00; the warehouse's record of the problem keeps the stored figures."""

from keqiao import KEQIAO_2017
from support import TODAY, make_home, published_rows, write_form


def rows_with(income, prior):
    return [(label, unit, income if label == "捐赠收入" else value, prior if label == "捐赠收入" else None)
            for label, unit, value, _ in KEQIAO_2017]


def test_a_wan_yuan_form_is_told_its_figures_in_wan_yuan(tmp_path):
    from redcross.flows.nightly import nightly

    home = make_home(tmp_path / "home")
    write_form(home / "inbox" / "keqiao-2016.xlsx", rows_with("39.94", None), "柯桥区", "2016年")
    nightly.local(home=str(home), today=TODAY)
    write_form(home / "inbox" / "keqiao-2017.xlsx", rows_with("270.68", "39.95"), "柯桥区", "2017年")
    summary = nightly.local(home=str(home), today=TODAY)
    messages = {p.rule: p for p in summary.warned["keqiao-2017.xlsx"]}
    jump, prior = messages["yoy_outlier"], messages["prior_mismatch"]
    assert jump.message_zh.startswith("本期数 270.68万元 是该单位上年同期 39.94万元 的 6.78 倍")
    assert "the figure 270.68万元 is 6.78 times this unit's 39.94万元" in jump.message_en
    assert prior.message_zh.startswith("表中上年同期数填的是 39.95万元，但库中该单位上年同期为 39.94万元")
    assert "2706800" not in jump.message_zh + jump.message_en
    stored = published_rows(home, "select m.value, m.expected from (select unnest(messages) as m from submissions "
                                  "where file_name = 'keqiao-2017.xlsx') where m.rule = 'yoy_outlier'")
    assert stored == [("2706800.00", "399400.00")]
