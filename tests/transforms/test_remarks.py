"""The 备注 of an indicator row kept as its `remark`: trimmed, cut to 200 characters, and with phone
and ID numbers masked before the row goes anywhere."""

import polars as pl
import pytest

from redcross.core.registry import load_registry
from redcross.core.remarks import REMARK_LIMIT, kept_remark, mask_personal_numbers
from redcross.transforms.forms import RAW_ROW_SCHEMA, clean_form_rows, form_rows, indicator_keys_frame, locate_form


def grid(rows: list[list[str | None]]) -> pl.DataFrame:
    width = max(len(r) for r in rows)
    columns = {chr(65 + c): [r[c] if c < len(r) else None for r in rows] for c in range(width)}
    return pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("row", offset=1)


@pytest.mark.parametrize(("written", "kept"), [
    ("请联系13812345678", "请联系138****5678"),
    ("手机 138-1234-5678 或 +86 139 0000 1111", "手机 138****5678 或 139****1111"),
    ("座机0575-88881234", "座机0575-****1234"),
    ("座机057588881234。", "座机0575****1234。"),
    ("（0575）88881234", "（0575）****1234"),
    ("电话0575－88881234（办公室）", "电话0575－****1234（办公室）"),
    ("身份证33060219800101123X", "身份证**************123X"),
    ("身份证330602198001011234号", "身份证**************1234号"),
    ("旧证330602800101123", "旧证***********1123"),
    ("全角１３８１２３４５６７８，ＸＸ公司", "全角138****5678，ＸＸ公司"),
    ("身份证３３０６０２１９８００１０１１２３Ｘ", "身份证**************123Ｘ"),
    # figures and dates are not numbers of a person
    ("比上年增加21810人，2017年1-6月", "比上年增加21810人，2017年1-6月"),
    ("捐赠收入1459.55万元", "捐赠收入1459.55万元"),
])
def test_phone_and_id_numbers_are_masked(written, kept):
    assert mask_personal_numbers(written) == kept


def test_a_remark_is_trimmed_on_one_line_and_cut_after_masking():
    assert kept_remark("  新增两家\n 企业捐赠  ") == "新增两家 企业捐赠"
    assert kept_remark("   ") is None and kept_remark(None) is None
    long = "说" * 195 + "13812345678"
    assert kept_remark(long) == "说" * 195 + "138**"
    assert len(kept_remark("字" * 300)) == REMARK_LIMIT


FORM = grid([
    ["绍兴市红十字会工作统计表"],
    ["填报单位：柯桥区", None, None, "报告期：2017年"],
    ["序号", "指标名称", "计量单位", "本期数", "上年同期数", "备 注"],
    ["1", "救护员培训", "人", "3951", "1000", " 新开三个培训点，联系人 13812345678 "],
    ["2", "普及培训", "人次", "31240", "24700", None],
    ["填表人：王小明", None, "联系电话：13900001111"],
])


def test_each_indicator_row_keeps_its_remark_masked():
    layout = locate_form(FORM)
    assert layout.remark_column == "F"
    raw = pl.LazyFrame(form_rows(FORM, layout), schema=RAW_ROW_SCHEMA).with_columns(is_formula=False, is_date=False)
    rows = clean_form_rows(raw, indicator_keys_frame(load_registry())).sort("row").collect()
    assert rows.select("indicator_code", "remark").rows() == [
        ("first_aid_trained", "新开三个培训点，联系人 138****5678"),
        ("public_trained", None),
    ]


@pytest.mark.parametrize("header", ["说明", "备注说明"])
def test_the_remark_column_goes_by_its_other_names(header):
    layout = locate_form(grid([["填报单位：柯桥区", "报告期：2017年"], ["指标名称", "本期数", header],
                               ["救护员培训", "1", "x"]]))
    assert layout.remark_column == "C"


def test_a_form_without_a_remark_column_has_null_remarks():
    form = grid([["填报单位：柯桥区", "报告期：2017年"], ["指标名称", "本期数"], ["救护员培训", "1"]])
    layout = locate_form(form)
    assert layout.remark_column is None
    assert form_rows(form, layout)["remark"] == [None]


def test_the_wide_layout_has_no_remarks():
    from redcross.transforms.summary import locate_summary, summary_rows

    registry = load_registry()
    sheet = grid([["单位", "救护员培训(人)", "普及培训(人次)", "捐赠收入(万元)", "备注"],
                  ["柯桥区", "3951", "31240", "240.32", "新开三个培训点 13812345678"]])
    layout = locate_summary(sheet, registry.indicator_keys)
    raw = summary_rows(sheet, layout).with_columns(is_formula=False, is_date=False)
    rows = clean_form_rows(raw, indicator_keys_frame(registry)).collect()
    assert rows.height == 3 and rows["remark"].to_list() == [None, None, None]
