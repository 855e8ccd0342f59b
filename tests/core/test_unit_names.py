"""A unit's name as offices write it, official full name included, to the unit it names; never a guess."""

import pytest
from support import REGISTRY

from redcross.core.registry import load_registry


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("柯桥区", "keqiao"),
        ("绍兴市越城区红十字会", "yuecheng"),
        ("浙江省绍兴市柯桥区红十字会（盖章）", "keqiao"),
        ("浙江省诸暨市红十字会", "zhuji"),
        ("绍兴市 嵊州市 红十字会 (公章)", "shengzhou"),
        ("新昌县分会", "xinchang"),
        ("绍兴市上虞市红十字会", "shangyu"),  # an alias after the prefix: 上虞市, the name before 2013
        ("绍兴市红十字会", "city_office"),  # an alias as written wins over taking it apart
        ("绍兴市红十字会（盖章）", "city_office"),
        ("市红十字会", "city_office"),
        ("绍兴县红十字会", "keqiao"),  # 绍兴县 is not 绍兴市 + 县
        ("绍兴市", None),
        ("浙江省红十字会", None),
        ("红十字会", None),
        ("（盖章）", None),
        ("杭州市柯桥区红十字会", None),  # another city's prefix is not taken off
        ("越城区（盖章）红十字会", None),  # a note only at the end
        ("绍兴市绍兴市越城区", None),  # one prefix, not two
    ],
)
def test_an_official_name_loses_its_levels_suffix_and_note_then_matches_exactly(written, unit):
    found = REGISTRY.unit_for(written)
    assert (found.code if found else None) == unit


def test_another_city_lists_its_own_levels(tmp_path):
    names = tmp_path / "unit_names.toml"
    names.write_text('prefixes = ["浙江省杭州市"]\nsuffixes = ["红十字会"]\n', encoding="utf-8")
    registry = load_registry(unit_names_toml=names)
    assert registry.unit_for("浙江省杭州市柯桥区红十字会").code == "keqiao"
    assert registry.unit_for("绍兴市越城区红十字会") is None
