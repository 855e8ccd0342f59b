"""Write the bundled sample submissions, targets and their README.

Sixteen long-layout statistics forms (8 units x 2016 and 2017), the province's
2017 targets and a README describing the split and each file's layout quirks.
The eight units' figures add up exactly to the city totals the 2017 work report
quotes (see docs/report.md, "The 2017 figures"); the script checks that (and the
year-on-year 1/3..3x band) before it writes anything.

Beside them, for the mid-year review: the city's 2017 targets for its
units (``targets/2017年各单位目标.csv``) and the 2017年1-6月 forms in ``midyear/``:
seven units (开发区 has not reported), 诸暨市 twice (its second form corrects two
figures). They are a period and a file of their own, so the full-year figures
and every test home built from ``inbox/`` and ``targets/2017.csv`` stay as they were.

Deterministic: no randomness, fixed workbook properties, fixed zip timestamps and
fixed file modification times, so a re-run produces byte-identical files.

Run: ``uv run python scripts/make_sample_data.py``
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "cli" / "sample_data"
INBOX_DIR = SAMPLE_DIR / "inbox"
TARGETS_DIR = SAMPLE_DIR / "targets"
MIDYEAR_DIR = SAMPLE_DIR / "midyear"
UNIT_TARGETS_FILE = "2017年各单位目标.csv"

YEARS = (2016, 2017)

# (unit_code, unit_name) in the registry's order.
UNITS = (
    ("city_office", "市本级"),
    ("yuecheng", "越城区"),
    ("keqiao", "柯桥区"),
    ("shangyu", "上虞区"),
    ("xinchang", "新昌县"),
    ("zhuji", "诸暨市"),
    ("shengzhou", "嵊州市"),
    ("devzone", "开发区"),
)
UNIT_CODES = tuple(code for code, _ in UNITS)

# (indicator_code, 指标, shown unit) in the form's order.
INDICATORS = (
    ("first_aid_trained", "救护员培训", "人"),
    ("public_trained", "普及培训", "人次"),
    ("hsc_registered", "造血干细胞捐献登记入库", "人"),
    ("hsc_donated", "造血干细胞捐献", "例"),
    ("organ_registered", "器官遗体角膜捐献登记", "人"),
    ("organ_donated", "器官捐献", "人"),
    ("body_cornea_donated", "遗体(角膜)捐献", "例"),
    ("donation_income", "捐赠收入", "万元"),
    ("donation_expenditure", "捐赠支出", "万元"),
    ("aid_beneficiaries", "捐赠支出受益人数", "人"),
    ("volunteer_events", "志愿服务场次", "场次"),
    ("volunteer_beneficiaries", "志愿服务受益人次", "人次"),
)
MONEY = {"donation_income", "donation_expenditure"}

# The city totals of the 2017 work report and of 2016 (money in 元).
CITY_TOTALS = {
    "first_aid_trained": {2017: 21810, 2016: 17448},
    "public_trained": {2017: 173554, 2016: 136657},
    "hsc_registered": {2017: 597, 2016: 520},
    "hsc_donated": {2017: 3, 2016: 2},
    "organ_registered": {2017: 323, 2016: 227},
    "organ_donated": {2017: 14, 2016: 6},
    "body_cornea_donated": {2017: 23, 2016: 13},
    "donation_income": {2017: Decimal("14595500.00"), 2016: Decimal("7970900.00")},
    "donation_expenditure": {2017: Decimal("9983600.00"), 2016: Decimal("6500000.00")},
    "aid_beneficiaries": {2017: 39935, 2016: 30000},
    "volunteer_events": {2017: 1466, 2016: 1200},
    "volunteer_beneficiaries": {2017: 126202, 2016: 43220},
}

TARGETS_2017 = (
    ("救护员培训", 14468),
    ("普及培训", 144680),
    ("造血干细胞捐献登记入库", 436),
)

# The split: one value per unit, in the order of UNITS
# (市本级, 越城区, 柯桥区, 上虞区, 新昌县, 诸暨市, 嵊州市, 开发区). Money in 元.
D = Decimal
SPLIT: dict[str, dict[int, tuple]] = {
    "first_aid_trained": {
        2016: (1932, 2087, 3141, 2810, 1203, 3489, 2088, 698),
        2017: (2206, 2810, 3951, 3688, 1309, 4375, 2599, 872),
    },
    "public_trained": {
        2016: (15032, 16378, 24598, 21865, 9566, 27332, 16420, 5466),
        2017: (17355, 22562, 31240, 29504, 10413, 34711, 20827, 6942),
    },
    "hsc_registered": {
        2016: (57, 63, 94, 83, 36, 104, 62, 21),
        2017: (60, 78, 107, 101, 36, 119, 72, 24),
    },
    "hsc_donated": {
        2016: (0, 0, 1, 0, 0, 1, 0, 0),
        2017: (0, 0, 1, 1, 0, 1, 0, 0),
    },
    "organ_registered": {
        2016: (25, 27, 41, 36, 16, 46, 27, 9),
        2017: (32, 42, 58, 55, 19, 65, 39, 13),
    },
    "organ_donated": {
        2016: (0, 1, 1, 1, 0, 2, 1, 0),
        2017: (0, 3, 3, 2, 1, 3, 2, 0),
    },
    "body_cornea_donated": {
        2016: (0, 3, 3, 2, 1, 3, 1, 0),
        2017: (0, 5, 5, 4, 1, 5, 2, 1),
    },
    "donation_income": {
        2016: (
            D("2197600.00"),
            D("778400.00"),
            D("1167600.00"),
            D("1037900.00"),
            D("454100.00"),
            D("1297400.00"),
            D("778500.00"),
            D("259400.00"),
        ),
        2017: (
            D("2579500.00"),
            D("1735612.50"),
            D("2403200.00"),
            D("2269700.00"),
            D("801000.00"),
            D("2670300.00"),
            D("1602100.00"),
            D("534087.50"),
        ),
    },
    "donation_expenditure": {
        2016: (
            D("712300.00"),
            D("781500.00"),
            D("1173200.00"),
            D("1036000.00"),
            D("455000.00"),
            D("1302000.00"),
            D("780000.00"),
            D("260000.00"),
        ),
        2017: (
            D("998400.00"),
            D("1297900.00"),
            D("1797000.00"),
            D("1697236.80"),
            D("599000.00"),
            D("1996663.20"),
            D("1198000.00"),
            D("399400.00"),
        ),
    },
    "aid_beneficiaries": {
        2016: (3312, 3587, 5436, 4790, 2088, 6010, 3575, 1202),
        2017: (3994, 5192, 7188, 6789, 2396, 7987, 4792, 1597),
    },
    "volunteer_events": {
        2016: (131, 147, 214, 192, 85, 238, 145, 48),
        2017: (147, 190, 264, 249, 88, 293, 176, 59),
    },
    "volunteer_beneficiaries": {
        2016: (4754, 5187, 7780, 6915, 3025, 8644, 5186, 1729),
        2017: (13882, 15144, 22717, 20192, 8834, 25241, 15144, 5048),
    },
}

# The mid-year review: 2017年1-6月.
MIDYEAR = (2017, 6)
MIDYEAR_MISSING = "devzone"  # has not reported January-June: 缺报 in the coverage grid and the report

# The city's 2017 targets for its units (任务分解), in the order of UNITS. Each indicator's add up
# exactly to the province's target for the city (TARGETS_2017), so there is no 分解不足.
UNIT_TARGETS_2017 = {
    "first_aid_trained": (1500, 1900, 2600, 2450, 900, 2900, 1718, 500),
    "public_trained": (15000, 19000, 26000, 24500, 9000, 29000, 17180, 5000),
    "hsc_registered": (45, 57, 78, 74, 26, 87, 52, 17),
}

# January-June figures of the targeted indicators, chosen to read against the calendar (50%):
# 救护员培训 8131 = 56.20% of 14468, 超序时进度6.20个百分点; 普及培训 47.77%, behind; 市本级 and
# 新昌县 tie on 救护员培训 (780/1500 = 468/900 = 52%). None: not reported (开发区).
MIDYEAR_TARGETED = {
    "first_aid_trained": (780, 950, 1612, 1176, 468, 1885, 1260, None),
    "public_trained": (7200, 9690, 13780, 11270, 4950, 13630, 8590, None),
    "hsc_registered": (25, 30, 41, 40, 12, 50, 27, None),
}
# The other indicators: this share of each unit's full-year figure (counts rounded down, money to the 分).
MIDYEAR_SHARE = (D("0.46"), D("0.48"), D("0.52"), D("0.44"), D("0.50"), D("0.47"), D("0.49"), None)
# 诸暨市's first January-June form, replaced a week later by one that corrects these two figures.
ZHUJI_FIRST_FORM = {"first_aid_trained": 1835, "hsc_registered": 48}


def midyear_value(indicator: str, unit: str):
    """A unit's January-June 2017 figure (元 for money); None for the unit that has not reported."""
    index = UNIT_CODES.index(unit)
    if indicator in MIDYEAR_TARGETED:
        return MIDYEAR_TARGETED[indicator][index]
    share = MIDYEAR_SHARE[index]
    if share is None:
        return None
    full = SPLIT[indicator][2017][index]
    if indicator in MONEY:
        return (full * share).quantize(D("0.01"))
    return int(full * share)


# Fictitious contacts: (填表人 2016, 填表人 2017, 单位负责人, 电话 2016, 电话 2017).
CONTACTS = {
    "city_office": ("周晓敏", "周晓敏", "陈国强", "13805750112", "13805750112"),
    "yuecheng": ("赵晓燕", "赵晓燕", "孙伟民", "13805750238", "13805750238"),
    "keqiao": ("钱立新", "沈佳琪", "王建华", "13805750361", "13805750479"),
    "shangyu": ("李红梅", "李红梅", "杜志刚", "13805750524", "13805750524"),
    "xinchang": ("吴静怡", "吴静怡", "俞海峰", "13805750687", "13805750687"),
    "zhuji": ("郑雅婷", "宣丽萍", "楼国平", "13805750733", "13805750846"),
    "shengzhou": ("冯晓东", "冯晓东", "裘建军", "13805750915", "13805750915"),
    "devzone": ("何丹丹", "何丹丹", "马立群", "13805750958", "13805750958"),
}

# Every fictitious name and phone number written into the forms; tests scan the
# warehouse for these to prove personal data never reaches the analysts.
PERSONAL_DATA: list[str] = sorted(
    {item for contact in CONTACTS.values() for item in contact}
)

TITLE = "绍兴市红十字会工作统计表"
FILLED_ON = {(2016, 12): "2017年1月12日", (2017, 12): "2018年1月15日", MIDYEAR: "2017年7月10日"}
SHANGHAI = timezone(timedelta(hours=8))
FIXED_DOC_TIME = {
    (2016, 12): datetime(2017, 1, 12, 9, 0, 0),
    (2017, 12): datetime(2018, 1, 15, 9, 0, 0),
    MIDYEAR: datetime(2017, 7, 10, 9, 0, 0),
}
CN_NUMERALS = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
)
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class FormLayout:
    """How one form is laid out; every field is one quirk the reader must handle."""

    unit: str
    year: int
    file_name: str
    writer: str  # "openpyxl" or "xlsxwriter"
    sheet_name: str
    header_row: int  # 1-based
    first_col: int  # 0 = column A
    headers: tuple[str, str, str, str, str, str]
    unit_text: str  # what follows 填报单位
    money_unit: str = "元"  # "元" or "万元"
    money_in_cell: bool = False  # "257.95万元" in the value cell, unit column empty
    meta_style: str = "inline"  # "inline" (填报单位：X) or "label" (填报单位 | X)
    meta_same_row: bool = False  # 填报单位 and 报告期 on one row
    merge_title: bool = True
    name_style: str = "plain"  # plain, numbered, brackets, fullwidth_brackets, chinese
    sections: bool = False  # 一、应急救护 ... heading rows with no value
    notes: tuple[tuple[str, str], ...] = ()  # (after indicator, 注：... text)
    blank_after: tuple[str, ...] = ()  # a blank row after these indicators
    organ_unit: str = "人"
    zero: object = 0  # how a zero count is written: 0, "-" or "—"
    text_values: dict[str, str] = field(
        default_factory=dict
    )  # indicator -> text 本期数
    remarks: dict[str, str] = field(default_factory=dict)  # indicator -> 备注
    # indicator -> 上年同期数 as the clerk wrote it where it differs from the unit's 2016 figure: the run
    # warns (prior_mismatch), explained where the row has a 备注, open where it has none
    priors: dict[str, object] = field(default_factory=dict)
    footer_style: str = "lines"  # lines, labels, one_row
    month: int = 12  # the period: January to this month
    figures: dict[str, object] = field(default_factory=dict)  # indicator -> figure, instead of the split's
    received: datetime | None = None  # the file's modification time, if not the default

    @property
    def period(self) -> tuple[int, int]:
        return (self.year, self.month)


H_A = ("序号", "指标名称", "计量单位", "本期数", "上年同期数", "备注")
H_B = ("序号", "指标", "单位", "本年数", "上年同期", "备注")
H_C = ("序号", "项目", "计量单位", "本期", "上年同期数", "备注")
H_D = ("序号", "指标名称", "单位", "本年累计", "上年同期数", "备注")
H_E = ("序号", "指标", "计量单位", "本年数", "上年同期", "备注")
H_F = ("序号", "项目", "单位", "本期数", "上年同期数", "备注")
H_G = ("序号", "指标名称", "计量单位", "本期", "上年同期数", "备注")
H_H = ("序号", "项目", "计量单位", "本年累计", "上年同期数", "备注")
H_I = ("序号", "指标名称", "单位", "本期", "上年同期", "备注")
H_J = ("序号", "项目", "单位", "本期数", "上年同期", "备注")

LAYOUTS = (
    FormLayout(
        "city_office",
        2016,
        "2016年市本级红十字会工作统计表.xlsx",
        "openpyxl",
        "统计表",
        header_row=4,
        first_col=0,
        headers=H_A,
        unit_text="绍兴市红十字会",
        money_unit="万元",
        zero="—",
        remarks={"donation_income": "含物资折价"},
    ),
    FormLayout(
        "yuecheng",
        2016,
        "越城区2016年度统计报表.xlsx",
        "xlsxwriter",
        "Sheet1",
        header_row=5,
        first_col=0,
        headers=H_B,
        unit_text="越城区红十字会",
        meta_style="label",
        name_style="numbered",
        footer_style="labels",
    ),
    FormLayout(
        "keqiao",
        2016,
        "keqiao_2016_tongjibiao.xlsx",
        "openpyxl",
        "Sheet1",
        header_row=6,
        first_col=1,
        headers=H_C,
        unit_text="柯桥区",
        money_unit="万元",
        sections=True,
        organ_unit="例",
        zero="-",
        footer_style="one_row",
    ),
    FormLayout(
        "shangyu",
        2016,
        "2016年上虞区红十字会工作统计表.xlsx",
        "xlsxwriter",
        "统计表",
        header_row=4,
        first_col=0,
        headers=H_D,
        unit_text="上虞区红十字会",
        text_values={"public_trained": "21,865"},
    ),
    FormLayout(
        "xinchang",
        2016,
        "新昌 2016 统计表.xlsx",
        "openpyxl",
        "统计表",
        header_row=7,
        first_col=0,
        headers=H_A,
        unit_text="新昌县红十字会",
        money_unit="万元",
        meta_style="label",
        merge_title=False,
        name_style="chinese",
        notes=(("body_cornea_donated", "注：本表数据截至12月31日。"),),
        blank_after=("public_trained",),
        zero="—",
        footer_style="labels",
    ),
    FormLayout(
        "zhuji",
        2016,
        "诸暨市红十字会2016年工作统计表.xlsx",
        "xlsxwriter",
        "Sheet1",
        header_row=5,
        first_col=0,
        headers=H_E,
        unit_text="诸暨市红十字会",
        meta_same_row=True,
        text_values={"first_aid_trained": "３４８９"},
        footer_style="one_row",
    ),
    FormLayout(
        "shengzhou",
        2016,
        "shengzhou 2016 hongshizihui.xlsx",
        "openpyxl",
        "统计表",
        header_row=8,
        first_col=0,
        headers=H_F,
        unit_text="嵊州市红十字会",
        money_unit="万元",
        blank_after=("hsc_registered", "aid_beneficiaries"),
        organ_unit="例",
    ),
    FormLayout(
        "devzone",
        2016,
        "2016年开发区统计表.xlsx",
        "xlsxwriter",
        "统计表",
        header_row=6,
        first_col=0,
        headers=H_G,
        unit_text="袍江开发区",
        meta_style="label",
        sections=True,
        zero="-",
        footer_style="labels",
        remarks={"volunteer_events": "含社区服务"},
    ),
    FormLayout(
        "city_office",
        2017,
        "2017年市本级红十字会工作统计表.xlsx",
        "xlsxwriter",
        "统计表",
        header_row=5,
        first_col=0,
        headers=H_A,
        unit_text="市本级",
        money_unit="万元",
        money_in_cell=True,
        zero="—",
        remarks={"donation_income": "含物资折价"},
    ),
    FormLayout(
        "yuecheng",
        2017,
        "越城区2017年度统计报表.xlsx",
        "openpyxl",
        "Sheet1",
        header_row=4,
        first_col=0,
        headers=H_B,
        unit_text="越城区红十字会",
        meta_style="label",
        meta_same_row=True,
        name_style="numbered",
        footer_style="labels",
        # the demo's two warnings: one the form explains (explained), one it does not (open)
        priors={"organ_registered": 39, "aid_beneficiaries": 3578},
        remarks={"organ_registered": "上年同期数含2016年底补录的12人（按年报更正口径）"},
    ),
    FormLayout(
        "keqiao",
        2017,
        "2017年柯桥区红十字会工作统计表.xlsx",
        "xlsxwriter",
        "统计表",
        header_row=6,
        first_col=0,
        headers=H_A,
        unit_text="柯桥区红十字会",
        money_unit="万元",
        organ_unit="例",
        text_values={"first_aid_trained": "３９５１", "public_trained": "31,240"},
        footer_style="one_row",
    ),
    FormLayout(
        "shangyu",
        2017,
        "shangyu_2017.xlsx",
        "openpyxl",
        "Sheet1",
        header_row=7,
        first_col=1,
        headers=H_H,
        unit_text="上虞区",
        name_style="chinese",
        sections=True,
        zero="-",
    ),
    FormLayout(
        "xinchang",
        2017,
        "新昌县 2017年 工作统计表.xlsx",
        "xlsxwriter",
        "统计表",
        header_row=4,
        first_col=0,
        headers=H_I,
        unit_text="新昌",
        money_unit="万元",
        meta_style="label",
        meta_same_row=True,
        merge_title=False,
        notes=(("hsc_donated", "注：本表由各单位于次年1月15日前报送。"),),
        zero="—",
        footer_style="labels",
    ),
    FormLayout(
        "zhuji",
        2017,
        "诸暨市红十字会2017年工作统计表.xlsx",
        "openpyxl",
        "统计表",
        header_row=5,
        first_col=0,
        headers=H_E,
        unit_text="诸暨市红十字会",
        name_style="fullwidth_brackets",
        text_values={"public_trained": "34,711"},
        footer_style="one_row",
    ),
    FormLayout(
        "shengzhou",
        2017,
        "shengzhou 2017 hongshizihui.xlsx",
        "xlsxwriter",
        "Sheet1",
        header_row=8,
        first_col=0,
        headers=H_J,
        unit_text="嵊州市红十字会",
        money_unit="万元",
        blank_after=("hsc_registered", "aid_beneficiaries"),
        name_style="brackets",
    ),
    FormLayout(
        "devzone",
        2017,
        "2017年开发区红十字会统计表.xlsx",
        "openpyxl",
        "统计表",
        header_row=6,
        first_col=0,
        headers=H_G,
        unit_text="绍兴经济技术开发区",
        meta_style="label",
        sections=True,
        zero="-",
        footer_style="labels",
        remarks={"volunteer_events": "含社区服务"},
    ),
)

MIDYEAR_FILE_NAMES = {
    "city_office": "2017年1-6月市本级红十字会工作统计表.xlsx",
    "yuecheng": "越城区2017年1-6月统计报表.xlsx",
    "keqiao": "2017年1-6月柯桥区红十字会工作统计表.xlsx",
    "shangyu": "shangyu_2017_h1.xlsx",
    "xinchang": "新昌县 2017年1-6月 工作统计表.xlsx",
    "zhuji": "诸暨市红十字会2017年1-6月工作统计表（更正）.xlsx",
    "shengzhou": "shengzhou 2017 h1 hongshizihui.xlsx",
}
ZHUJI_FIRST_FILE_NAME = "诸暨市红十字会2017年1-6月工作统计表.xlsx"


def restyled(text: str, value: int) -> str:
    """A count written in the same quirk as `text` (full-width digits, or thousands commas)."""
    if any("０" <= c <= "９" for c in text):
        return str(value).translate(FULLWIDTH_DIGITS)
    return f"{value:,}"


def midyear_layouts() -> tuple[FormLayout, ...]:
    """The 2017年1-6月 forms: each unit's 2017 layout again (开发区 sends none), 诸暨市 twice."""
    layouts = []
    for layout in LAYOUTS:
        if layout.period != (2017, 12) or layout.unit == MIDYEAR_MISSING:
            continue
        midyear = replace(layout, month=MIDYEAR[1], file_name=MIDYEAR_FILE_NAMES[layout.unit],
                          text_values={code: restyled(text, midyear_value(code, layout.unit))
                                       for code, text in layout.text_values.items()},
                          notes=tuple((code, "注：本表为1-6月累计数。") for code, _ in layout.notes),
                          # mid-year forms give no 上年同期数, so nothing of the full year's to explain
                          priors={}, remarks={c: t for c, t in layout.remarks.items() if c not in layout.priors})
        if layout.unit == "zhuji":
            first = replace(midyear, file_name=ZHUJI_FIRST_FILE_NAME, figures=dict(ZHUJI_FIRST_FORM),
                            received=datetime(2017, 7, 10, 14, 0, 0))
            layouts.append(first)
            midyear = replace(midyear, received=datetime(2017, 7, 17, 10, 30, 0))  # the correction, a week on
        layouts.append(midyear)
    return tuple(layouts)


SECTION_HEADINGS = {
    "first_aid_trained": "一、应急救护",
    "hsc_registered": "二、三献工作",
    "donation_income": "三、人道救助",
    "volunteer_events": "四、志愿者工作",
}


# ----------------------------------------------------------------------------
# The split and its checks


def unit_value(indicator: str, year: int, unit: str):
    """The chosen figure of one unit (元 for money)."""
    return SPLIT[indicator][year][UNIT_CODES.index(unit)]


def figure_of(layout: FormLayout, indicator: str):
    """The figure a form gives: its own if it has one, else the full-year split or the mid-year figures."""
    if indicator in layout.figures:
        return layout.figures[indicator]
    if layout.month == 12:
        return unit_value(indicator, layout.year, layout.unit)
    return midyear_value(indicator, layout.unit)


def check_split() -> None:
    """Assert sums, the 市本级 income, types and the year-on-year 1/3..3x band."""
    assert [code for code, _, _ in INDICATORS] == list(SPLIT) == list(CITY_TOTALS)
    for indicator, by_year in SPLIT.items():
        for year in YEARS:
            values = by_year[year]
            assert len(values) == len(UNITS), (indicator, year)
            assert sum(values) == CITY_TOTALS[indicator][year], (
                indicator,
                year,
                sum(values),
            )
            for value in values:
                assert value >= 0, (indicator, year, value)
                if indicator in MONEY:
                    assert isinstance(value, Decimal)
                    assert value == value.quantize(Decimal("0.01")), value
                    # 万元 form must be exact with at most 6 decimals.
                    assert (value / 10000) == (value / 10000).quantize(
                        Decimal("0.000001")
                    )
                else:
                    assert isinstance(value, int), (indicator, year, value)
        for unit in UNIT_CODES:
            before, after = (
                unit_value(indicator, 2016, unit),
                unit_value(indicator, 2017, unit),
            )
            if before > 0:
                assert before <= 3 * after and after <= 3 * before, (
                    indicator,
                    unit,
                    before,
                    after,
                )
    assert unit_value("donation_income", 2017, "city_office") == Decimal("2579500.00")
    assert unit_value("donation_income", 2016, "city_office") == Decimal("2197600.00")


def check_midyear() -> None:
    """Unit targets add up to the city's; mid-year figures are whole, below the full year, and as chosen."""
    for name, target in TARGETS_2017:
        code = next(c for c, n, _ in INDICATORS if n == name)
        assert sum(UNIT_TARGETS_2017[code]) == target, (code, sum(UNIT_TARGETS_2017[code]), target)
    for code, _, _ in INDICATORS:
        for unit in UNIT_CODES:
            value = midyear_value(code, unit)
            assert (value is None) == (unit == MIDYEAR_MISSING), (code, unit)
            if value is not None:
                assert 0 <= value <= unit_value(code, 2017, unit), (code, unit, value)
                assert isinstance(value, Decimal if code in MONEY else int), (code, unit, value)
    assert sum(v for v in MIDYEAR_TARGETED["first_aid_trained"] if v) == 8131  # 56.20% of 14468


# ----------------------------------------------------------------------------
# Building a form as a grid of cells


@dataclass
class Grid:
    """The cells of one sheet: (row, col) 0-based -> value, plus merges and styles."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bold: set[tuple[int, int]] = field(default_factory=set)
    title: tuple[int, int] | None = None

    def put(self, row: int, col: int, value: object) -> None:
        if value is not None and value != "":
            self.cells[(row, col)] = value


def wan(value: Decimal) -> Decimal:
    """元 -> 万元, exact and without trailing zeros."""
    result = (value / 10000).normalize()
    return result.quantize(Decimal(1)) if result == result.to_integral() else result


def as_float(value: Decimal) -> float:
    """A float whose shortest repr is exactly ``value`` (checked)."""
    number = float(value)
    assert Decimal(repr(number)) == value, (value, number)
    return number


def money_cell(value: Decimal, layout: FormLayout) -> object:
    if layout.money_in_cell:
        return f"{format(wan(value), 'f')}万元"
    shown = wan(value) if layout.money_unit == "万元" else value
    if shown == shown.to_integral():
        return int(shown)
    return as_float(shown)


def count_cell(value: int, layout: FormLayout) -> object:
    return layout.zero if value == 0 else value


def parse_text_count(text: str) -> int:
    """How the pipeline should read a text count: full-width digits, thousands commas."""
    ascii_digits = text.translate(
        {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
    )
    return int(ascii_digits.replace(",", ""))


def indicator_label(number: int, name: str, shown_unit: str, layout: FormLayout) -> str:
    if layout.name_style == "numbered":
        return f"{number}.{name}({shown_unit})"
    if layout.name_style == "brackets":
        return f"{name}({shown_unit})"
    if layout.name_style == "fullwidth_brackets":
        return f"{name.replace('(', '（').replace(')', '）')}（{shown_unit}）"
    if layout.name_style == "chinese":
        return f"（{CN_NUMERALS[number - 1]}）{name}"
    return name


def shown_unit_of(code: str, default: str, layout: FormLayout) -> str:
    if code in MONEY:
        return "" if layout.money_in_cell else layout.money_unit
    if code == "organ_donated":
        return layout.organ_unit
    return default


def put_meta(
    grid: Grid, row: int, col: int, label: str, value: str, style: str
) -> None:
    if style == "label":
        grid.put(row, col, label)
        grid.put(row, col + 1, value)
    else:
        grid.put(row, col, f"{label}：{value}")


def put_footer(grid: Grid, row: int, col: int, layout: FormLayout) -> None:
    preparer_2016, preparer_2017, head, phone_2016, phone_2017 = CONTACTS[layout.unit]
    preparer = preparer_2016 if layout.year == 2016 else preparer_2017
    phone = phone_2016 if layout.year == 2016 else phone_2017
    items = (
        ("填表人", preparer),
        ("联系电话", phone),
        ("填报日期", FILLED_ON[layout.period]),
        ("单位负责人", head),
    )
    if layout.footer_style == "one_row":
        grid.put(row, col, f"单位负责人：{head}")
        grid.put(row, col + 2, f"填表人：{preparer}")
        grid.put(row, col + 4, f"联系电话：{phone}")
        grid.put(row + 1, col, f"填报日期：{FILLED_ON[layout.period]}")
        return
    for offset, (label, value) in enumerate(items):
        if layout.footer_style == "labels":
            grid.put(row + offset, col, f"{label}：")
            grid.put(row + offset, col + 1, value)
        else:
            grid.put(row + offset, col, f"{label}：{value}")


def build_grid(layout: FormLayout) -> Grid:
    """Lay one form out as cells."""
    grid = Grid()
    c0 = layout.first_col
    header = layout.header_row - 1
    unit_name = dict(UNITS)[layout.unit]
    assert unit_name.rstrip("区县市") in layout.unit_text or layout.unit in (
        "city_office",
        "devzone",
    )

    grid.put(0, c0, TITLE)
    grid.title = (0, c0)
    if layout.merge_title:
        grid.merges.append((0, c0, 0, c0 + 5))
    meta_rows = 1 if layout.meta_same_row else 2
    meta_top = header - meta_rows if header - meta_rows >= 2 else 1
    assert meta_top >= 1 and meta_top + meta_rows <= header
    put_meta(grid, meta_top, c0, "填报单位", layout.unit_text, layout.meta_style)
    period_row, period_col = (
        (meta_top, c0 + 3) if layout.meta_same_row else (meta_top + 1, c0)
    )
    period = f"{layout.year}年" if layout.month == 12 else f"{layout.year}年1-{layout.month}月"
    put_meta(grid, period_row, period_col, "报告期", period, layout.meta_style)

    for offset, text in enumerate(layout.headers):
        grid.put(header, c0 + offset, text)
        grid.bold.add((header, c0 + offset))

    row = header + 1
    notes = dict(layout.notes)
    for number, (code, name, default_unit) in enumerate(INDICATORS, start=1):
        if layout.sections and code in SECTION_HEADINGS:
            grid.put(row, c0 + 1, SECTION_HEADINGS[code])
            grid.bold.add((row, c0 + 1))
            row += 1
        shown = shown_unit_of(code, default_unit, layout)
        grid.put(row, c0, number)
        grid.put(
            row,
            c0 + 1,
            indicator_label(number, name, shown or layout.money_unit, layout),
        )
        grid.put(row, c0 + 2, shown)
        current = figure_of(layout, code)
        if code in layout.text_values:
            text = layout.text_values[code]
            assert parse_text_count(text) == current, (layout.file_name, code, text)
            grid.put(row, c0 + 3, text)
        elif code in MONEY:
            grid.put(row, c0 + 3, money_cell(current, layout))
        else:
            grid.put(row, c0 + 3, count_cell(current, layout))
        assert (row, c0 + 3) in grid.cells, "an empty value cell is an error"
        if layout.period == (2017, 12):  # mid-year forms leave 上年同期数 empty, as 2016's do
            prior = layout.priors.get(code, unit_value(code, 2016, layout.unit))
            prior_cell = (
                money_cell(prior, layout)
                if code in MONEY
                else count_cell(prior, layout)
            )
            grid.put(row, c0 + 4, prior_cell)
        grid.put(row, c0 + 5, layout.remarks.get(code))
        row += 1
        if code in notes:
            grid.put(row, c0, notes[code])
            row += 1
        if code in layout.blank_after:
            row += 1
    put_footer(grid, row + 1, c0, layout)
    return grid


# ----------------------------------------------------------------------------
# Writing a grid with either library


COLUMN_WIDTHS = (6, 30, 10, 14, 14, 18)


def write_with_openpyxl(grid: Grid, layout: FormLayout, path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = layout.sheet_name
    for (row, col), value in sorted(grid.cells.items()):
        cell = sheet.cell(row=row + 1, column=col + 1, value=value)
        if (row, col) in grid.bold:
            cell.font = Font(bold=True)
    title = sheet.cell(row=grid.title[0] + 1, column=grid.title[1] + 1)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center")
    for r1, c1, r2, c2 in grid.merges:
        sheet.merge_cells(
            start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1
        )
    for offset, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[
            get_column_letter(layout.first_col + offset + 1)
        ].width = width
    workbook.properties.creator = "绍兴市红十字会"
    workbook.properties.created = FIXED_DOC_TIME[layout.period]
    workbook.properties.modified = FIXED_DOC_TIME[layout.period]
    buffer = io.BytesIO()
    # ExcelWriter directly: save_workbook would stamp properties.modified with now().
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(with_fixed_zip_times(buffer.getvalue()))


def write_with_xlsxwriter(grid: Grid, layout: FormLayout, path: Path) -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties(
        {"author": "绍兴市红十字会", "created": FIXED_DOC_TIME[layout.period]}
    )
    sheet = workbook.add_worksheet(layout.sheet_name)
    bold = workbook.add_format({"bold": True})
    title_format = workbook.add_format(
        {"bold": True, "font_size": 16, "align": "center"}
    )
    merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in grid.merges}
    for (row, col), value in sorted(grid.cells.items()):
        style = (
            title_format
            if (row, col) == grid.title
            else bold
            if (row, col) in grid.bold
            else None
        )
        if (row, col) in merged:
            sheet.merge_range(row, col, *merged[(row, col)], value, style)
        elif isinstance(value, str):
            sheet.write_string(row, col, value, style)
        else:
            sheet.write_number(row, col, value, style)
    for offset, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(layout.first_col + offset, layout.first_col + offset, width)
    workbook.close()
    path.write_bytes(with_fixed_zip_times(buffer.getvalue()))


def with_fixed_zip_times(data: bytes) -> bytes:
    """Re-pack an xlsx with every member dated 1980-01-01, so bytes are reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return target_buffer.getvalue()


def modification_time(layout: FormLayout) -> float:
    """Shortly after the period: the 10th of the next month, 09:00 + unit index hours (UTC+8)."""
    if layout.received is not None:
        return layout.received.replace(tzinfo=SHANGHAI).timestamp()
    year, month = (layout.year + 1, 1) if layout.month == 12 else (layout.year, layout.month + 1)
    start = datetime(year, month, 10, 9, 0, 0, tzinfo=SHANGHAI)
    return (start + timedelta(hours=UNIT_CODES.index(layout.unit))).timestamp()


# ----------------------------------------------------------------------------
# Targets and README


def write_targets(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("年度", "指标", "目标值"))
        for name, target in TARGETS_2017:
            writer.writerow((2017, name, target))


def write_unit_targets(path: Path) -> None:
    """The city's targets for its units: a targets file with the 单位 column."""
    names = {code: name for code, name, _ in INDICATORS}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("年度", "单位", "指标", "目标值"))
        for code, targets in UNIT_TARGETS_2017.items():
            for (_, unit_name), target in zip(UNITS, targets, strict=True):
                writer.writerow((2017, unit_name, names[code], target))


def shown_figure(indicator: str, value) -> str:
    return f"{value:,.2f}" if indicator in MONEY else f"{value:,}"


def quirks_of(layout: FormLayout) -> str:
    quirks = [
        f"header row {layout.header_row}",
        f"table from column {'AB'[layout.first_col]}",
        "/".join(layout.headers[1:5]),
    ]
    quirks.append("title merged" if layout.merge_title else "title not merged")
    quirks.append(f"填报单位 `{layout.unit_text}`")
    quirks.append(
        "label cell + value cell"
        if layout.meta_style == "label"
        else "`标签：值` in one cell"
    )
    if layout.meta_same_row:
        quirks.append("填报单位 and 报告期 on one row")
    if layout.money_in_cell:
        quirks.append("money as text `257.95万元` in the value cells, 计量单位 empty")
    else:
        quirks.append(f"money in {layout.money_unit}")
    if layout.name_style != "plain":
        example = indicator_label(1, "救护员培训", "人", layout)
        quirks.append(f"names `{example}`")
    if layout.sections:
        quirks.append("section heading rows (`二、三献工作`)")
    for _, text in layout.notes:
        quirks.append(f"note row `{text}`")
    if layout.blank_after:
        quirks.append("blank row(s) between indicators")
    for code, text in layout.text_values.items():
        quirks.append(f"{code} as text `{text}`")
    for code, prior in layout.priors.items():
        explained = f", explained in its 备注 `{layout.remarks[code]}`" if code in layout.remarks else ", unexplained"
        quirks.append(f"{code}'s 上年同期数 {prior} differs from the 2016 figure (a warning{explained})")
    if layout.zero != 0:
        quirks.append(f"zeros as `{layout.zero}`")
    if layout.organ_unit != "人":
        quirks.append(f"器官捐献 in {layout.organ_unit}")
    quirks.append(f"footer `{layout.footer_style}`")
    return "; ".join(quirks)


def readme_text() -> str:
    lines = [
        "# Bundled sample data",
        "",
        "Written by `scripts/make_sample_data.py` (deterministic; re-run it to regenerate).",
        "Used by `redcross demo`: 16 long-layout forms (8 units x 2016 and 2017, full year)",
        "in `inbox/` and the province's 2017 targets in `targets/2017.csv`; and for the",
        "mid-year review the forms in `midyear/` and the units' targets (see the last section).",
        "The eight units add up exactly to the city totals of the 2017 work report",
        "(quoted in 绍兴市红十字会召开第五届理事会第二次(扩大)会议, 24 April 2018; docs/report.md); every unit's 2017 figure is within 1/3..3x of its 2016 one",
        "where 2016 is above zero. Names and phone numbers in the footers are fictitious",
        "(`PERSONAL_DATA` in the script).",
        "",
    ]
    header = (
        "| indicator | " + " | ".join(name for _, name in UNITS) + " | city total |"
    )
    rule = "|---|" + "---:|" * (len(UNITS) + 1)
    for year in (2017, 2016):
        lines += [f"## The split, {year} (money in 元)", "", header, rule]
        for code, name, _ in INDICATORS:
            values = SPLIT[code][year]
            cells = " | ".join(shown_figure(code, v) for v in values)
            lines.append(
                f"| {name} `{code}` | {cells} | {shown_figure(code, sum(values))} |"
            )
        lines.append("")
    lines += [
        "## Files and their layout quirks",
        "",
        "| file | unit | year | written with | quirks |",
        "|---|---|---|---|---|",
    ]
    for layout in LAYOUTS:
        lines.append(
            f"| `{layout.file_name}` | {layout.unit} | {layout.year} | "
            f"{layout.writer} | {quirks_of(layout)} |"
        )
    lines += [
        "",
        "2017 forms carry each unit's 2016 figure in 上年同期数; 2016 forms leave it empty.",
        "File modification times are set to Jan 10 of the next year, 09:00 (UTC+8) plus",
        "one hour per unit in registry order. Git does not keep them: `modified.csv` lists",
        "every form's time, and `redcross demo` sets them from it.",
        "",
    ]
    return "\n".join(lines + midyear_readme())


def midyear_readme() -> list[str]:
    """The mid-year part: the units' targets, the January-June split, the files."""
    lines = [
        "## The mid-year review: unit targets and 2017年1-6月",
        "",
        f"`targets/{UNIT_TARGETS_FILE}` holds the city's 2017 targets for its units (columns 年度, 单位,",
        "指标, 目标值); each indicator's add up to the province's target in `targets/2017.csv`.",
        "`midyear/` holds the January-June 2017 forms, each in its unit's 2017 layout, 上年同期数",
        f"left empty. {dict(UNITS)[MIDYEAR_MISSING]} has not reported the period. 诸暨市 sent two forms:",
        f"the second (modified a week later) corrects {len(ZHUJI_FIRST_FORM)} figures of the first. `redcross demo`",
        "puts them in the inbox with the rest; `redcross report --year 2017 --month 6` then shows",
        "the schedule (序时进度 50%), the units' ranking, 诸暨市's revisions and the coverage grid.",
        "",
        "| indicator | " + " | ".join(name for _, name in UNITS) + " | city total |",
        "|---|" + "---:|" * (len(UNITS) + 1),
    ]
    for code, name, _ in INDICATORS:
        values = [midyear_value(code, unit) for unit in UNIT_CODES]
        cells = " | ".join("—" if v is None else shown_figure(code, v) for v in values)
        total = sum(v for v in values if v is not None)
        lines.append(f"| {name} `{code}` | {cells} | {shown_figure(code, total)} |")
        if code in UNIT_TARGETS_2017:
            targets = UNIT_TARGETS_2017[code]
            cells = " | ".join(shown_figure(code, t) for t in targets)
            lines.append(f"| 　目标 target | {cells} | {shown_figure(code, sum(targets))} |")
    first = ", ".join(f"{code} {value}" for code, value in ZHUJI_FIRST_FORM.items())
    lines += ["", f"诸暨市's first form gave {first}.", "",
              "| file | unit | modified (UTC+8) |", "|---|---|---|"]
    for layout in midyear_layouts():
        stamp = datetime.fromtimestamp(modification_time(layout), SHANGHAI)
        lines.append(f"| `{layout.file_name}` | {layout.unit} | {stamp:%Y-%m-%d %H:%M} |")
    return [*lines, ""]


# ----------------------------------------------------------------------------


def check_layouts() -> None:
    keys = {(layout.unit, layout.year) for layout in LAYOUTS}
    assert keys == {(unit, year) for unit in UNIT_CODES for year in YEARS}
    assert len({layout.file_name for layout in LAYOUTS}) == len(LAYOUTS)
    assert sum(layout.writer == "openpyxl" for layout in LAYOUTS) == len(LAYOUTS) // 2
    assert sum(layout.money_in_cell for layout in LAYOUTS) == 1
    assert all(4 <= layout.header_row <= 8 for layout in LAYOUTS)


def write_forms(layouts: tuple[FormLayout, ...], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.xlsx"):
        stale.unlink()
    for layout in layouts:
        path = folder / layout.file_name
        grid = build_grid(layout)
        if layout.writer == "openpyxl":
            write_with_openpyxl(grid, layout, path)
        else:
            write_with_xlsxwriter(grid, layout, path)
        stamp = modification_time(layout)
        os.utime(path, (stamp, stamp))


def write_modified(path: Path, folders: dict[str, tuple[FormLayout, ...]]) -> None:
    """Each form's modification time, which git does not keep: `redcross demo` sets them from this
    file, so that 诸暨市's correction is the later of its two forms however the files were checked out."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("file", "modified_utc"))
        for folder, layouts in folders.items():
            for layout in layouts:
                stamp = datetime.fromtimestamp(modification_time(layout), UTC)
                writer.writerow((f"{folder}/{layout.file_name}", f"{stamp:%Y-%m-%dT%H:%M:%S}"))


def main() -> None:
    check_split()
    check_layouts()
    check_midyear()
    TARGETS_DIR.mkdir(parents=True, exist_ok=True)
    write_forms(LAYOUTS, INBOX_DIR)
    midyear = midyear_layouts()
    write_forms(midyear, MIDYEAR_DIR)
    write_targets(TARGETS_DIR / "2017.csv")
    write_unit_targets(TARGETS_DIR / UNIT_TARGETS_FILE)
    write_modified(SAMPLE_DIR / "modified.csv", {"inbox": LAYOUTS, "midyear": midyear})
    (SAMPLE_DIR / "README.md").write_text(readme_text(), encoding="utf-8")
    print(f"wrote {len(LAYOUTS)} forms to {INBOX_DIR} and {len(midyear)} to {MIDYEAR_DIR}")


if __name__ == "__main__":
    main()
