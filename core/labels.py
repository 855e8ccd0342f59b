"""Folding the text districts type into one comparable form (full-width, spaces, numbering, units).

The polars expressions that do the same over a whole column are in `transforms/labels.py`; both
read the patterns below, so a label folds the same way in a lookup and in a query.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Full-width ASCII (U+FF01-U+FF5E) and the ideographic space fold to plain ASCII, as NFKC would.
FULLWIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_FULLWIDTH_TABLE = str.maketrans(FULLWIDTH)

MEASURE_UNITS = ("万元", "元", "人次", "人", "例", "场次", "场", "次", "个")
NUMBERING = r"^(?:\d+(?:\.\d+)*[.、)]?|\(?[一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、.])"
TRAILING_MEASURE = r"\((" + "|".join(MEASURE_UNITS) + r")\)$"
_NUMBERING = re.compile(NUMBERING)
_TRAILING_MEASURE = re.compile(TRAILING_MEASURE)
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Full-width to half-width, all white space removed.

    Remembered: every form repeats the same few dozen labels, and a night reads thousands of forms.
    """
    return _SPACE.sub("", text.translate(_FULLWIDTH_TABLE))


def split_label(label: str) -> tuple[str, str | None]:
    """Fold an indicator label, take off its numbering and a trailing unit in brackets."""
    key = _NUMBERING.sub("", fold(label))
    unit = _TRAILING_MEASURE.search(key)
    return (key[: unit.start()], unit.group(1)) if unit else (key, None)
