"""A form's 备注 as it may be kept: trimmed, at most `REMARK_LIMIT` characters, and with the personal
numbers a clerk writes there (a phone number to call back, an ID number) masked.

The masking keeps enough of a number to tell two apart and never the whole of one:

- a mobile number keeps its first 3 and last 4 digits: 13812345678 -> 138****5678;
- a landline keeps its area code and last 4 digits: 0575-88881234 -> 0575-****1234,
  057588881234 -> 0575****1234;
- an ID number (18 digits, the last perhaps X; or 15 digits, the old kind) keeps only its last 4:
  33060219800101123X -> **************123X.

Full-width digits are read as digits (a clerk's IME gives either; they are kept as ASCII digits),
and the rest of the clerk's text is left as written. A number is only taken as one when no digit touches it on either side, so a figure such as
21810 or a date is left alone.
"""

from __future__ import annotations

import re

REMARK_LIMIT = 200
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXxＸｘ]|\d{15})(?![\dXxＸｘ])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-－ ]?)?(1[3-9]\d)[-－ ]?(\d{4})[-－ ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)([(（]?0\d{2,3}[)）]?)([-－ ]?)(\d{3,4})[-－ ]?(\d{4})(?!\d)")


def _masked_id(found: re.Match) -> str:
    number = found.group(0)
    return "*" * (len(number) - 4) + number[-4:]


def _masked_mobile(found: re.Match) -> str:
    return f"{found.group(1)}****{found.group(3)}"


def _masked_landline(found: re.Match) -> str:
    return f"{found.group(1)}{found.group(2)}****{found.group(4)}"


def mask_personal_numbers(text: str) -> str:
    """`text` with every phone and ID number in it masked (see the module)."""
    text = text.translate(_DIGITS)
    text = _ID_NUMBER.sub(_masked_id, text)
    text = _MOBILE.sub(_masked_mobile, text)
    return _LANDLINE.sub(_masked_landline, text)


def kept_remark(written: object) -> str | None:
    """A 备注 cell as kept: None when empty; else on one line, trimmed, masked, at most REMARK_LIMIT characters.

    Masked before it is cut, so a number cut in half is never left half unmasked.
    """
    if written is None:
        return None
    text = " ".join(str(written).split())
    if not text:
        return None
    return mask_personal_numbers(text)[:REMARK_LIMIT]
