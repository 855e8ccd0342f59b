"""The problems a file can have (rules.toml: severity and texts) and each one found, in Chinese and English.

The read layer, the cleaning and the validation suites all report in these terms, so a clerk reads
the same kind of message whichever step found the fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth a look in) a file, located down to the cell."""

    rule: str
    severity: str  # "error" rejects the file; "warning" loads it and is recorded
    file: str
    sheet: str | None
    cell: str | None
    indicator: str | None  # the indicator's Chinese name where the problem concerns one
    value: str | None
    expected: str | None
    message_zh: str
    message_en: str
    remark: str | None = None  # the form's 备注 on the row(s) the problem concerns (masked), where it has one
    indicator_code: str | None = None  # the code of `indicator`, where the problem concerns one of the registry

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def line(self) -> str:
        """The problem as two lines a clerk can act on, Chinese then English, and the form's own
        explanation (its 备注) on a third where it has one: the clerk's words, said once."""
        where_zh = "，".join(filter(None, [
            f"文件“{self.file}”", self.sheet and f"工作表“{self.sheet}”", self.cell and f"单元格 {self.cell}",
            self.indicator and f"指标“{self.indicator}”",
        ]))
        where_en = ", ".join(filter(None, [
            f"file '{self.file}'", self.sheet and f"sheet '{self.sheet}'", self.cell and f"cell {self.cell}",
            self.indicator and f"indicator '{self.indicator}'",
        ]))
        label_zh, label_en = ("错误", "error") if self.severity == "error" else ("提示", "warning")
        lines = f"[{label_zh}] {where_zh}：{self.message_zh}\n[{label_en}] {where_en}: {self.message_en}"
        return f"{lines}\n{self.explanation()}" if self.remark else lines

    def explanation(self) -> str:
        """The form's 备注 on the row, labelled in both languages (empty when there is none)."""
        return f"说明 / explanation: {self.remark}" if self.remark else ""


@cache
def rules_config() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("rules.toml").read_text("utf-8"))


def threshold(name: str) -> Decimal:
    return Decimal(rules_config()["thresholds"][name])


def problem(
    rule: str,
    *,
    file: str,
    sheet: str | None = None,
    cell: str | None = None,
    indicator: str | None = None,
    value: object = None,
    expected: object = None,
    remark: str | None = None,
    spec: dict[str, str] | None = None,
    indicator_code: str | None = None,
    **extra: object,
) -> Problem:
    """A problem of the named rule, its texts filled from rules.toml (or from `spec`, the severity and
    texts of a rule kept elsewhere: an audit formula's)."""
    spec = spec or rules_config()["rules"][rule]
    shown = "" if value is None else str(value)
    fields = {"value": shown, "expected": "" if expected is None else str(expected),
              "indicator": indicator or "", "cell": cell or ""}
    # the texts may quote a figure as the form typed it (typed_value: 270.68万元); by default as stored
    fields |= {"typed_value": fields["value"], "typed_expected": fields["expected"], **extra}
    return Problem(
        rule=rule,
        severity=spec["severity"],
        file=file,
        sheet=sheet,
        cell=cell,
        indicator=indicator,
        value=None if value is None else shown,
        expected=None if expected is None else str(expected),
        message_zh=spec["zh"].format(**fields),
        message_en=spec["en"].format(**fields),
        remark=remark or None,
        indicator_code=indicator_code,
    )
