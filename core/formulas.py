"""Audit formulas (审核公式): rules between a form's figures, kept as data in `[[formulas]]` tables.

The defaults are in core/rules.toml; a home adds its own in `<home>/rules.toml`. Each
entry is read and checked here, when the registry is loaded: a formula naming an indicator the
registry does not know, or an operator or side that cannot be read, stops the run before it reads
a single form, with one line naming the file and the entry (`FormulaError`).
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

OPS = ("==", "!=", "<", "<=", ">", ">=", "together")
SEVERITIES = ("warning", "error")
# what an entry's zh and en texts may quote (see rules.toml)
FIELDS = ("left", "right", "figures", "cell", "indicator", "value", "expected")
_WHOLE = re.compile(r"\d+")


class FormulaError(ValueError):
    """An audit formula that cannot be used: one line, Chinese and English, naming its file and id."""


@dataclass(frozen=True)
class Side:
    """One side of a formula: the sum of some indicators' figures (in their stored units) and a whole number."""

    codes: tuple[str, ...]
    constant: int = 0

    @property
    def text(self) -> str:
        return " + ".join([*self.codes, *([str(self.constant)] if self.constant or not self.codes else [])])


@dataclass(frozen=True)
class Formula:
    """An audit formula: `left op right` over one form's figures, with its severity and texts."""

    id: str
    severity: str
    zh: str
    en: str
    left: Side
    op: str
    right: Side
    source: str  # the file it was read from, for the messages that name it

    @property
    def codes(self) -> tuple[str, ...]:
        """Every indicator the formula names, each once, left side first."""
        return tuple(dict.fromkeys(self.left.codes + self.right.codes))

    @property
    def spec(self) -> dict[str, str]:
        """Severity and texts in the shape of a rules.toml rule (for core.problems.problem)."""
        return {"severity": self.severity, "zh": self.zh, "en": self.en}

    @property
    def text(self) -> str:
        return f"{self.left.text} {self.op} {self.right.text}"


def formulas_in(text: str, source: str, indicator_codes: set[str], taken: set[str]) -> tuple[Formula, ...]:
    """The `[[formulas]]` of a TOML text; `taken`: ids already in use (rules, earlier formulas)."""
    try:
        entries = tomllib.loads(text).get("formulas", [])
    except tomllib.TOMLDecodeError as exc:
        raise FormulaError(f"审核公式文件无法读取（{source}）：{exc} / the audit formulas of {source} cannot be read: {exc}") from None
    if not isinstance(entries, list):
        raise FormulaError(f"审核公式应写作 [[formulas]]（{source}） / audit formulas are [[formulas]] tables ({source})")
    formulas: list[Formula] = []
    for number, entry in enumerate(entries, start=1):
        formula = _formula(entry, source, number, indicator_codes, taken)
        taken.add(formula.id)
        formulas.append(formula)
    return tuple(formulas)


def load_formulas(default_text: str, home_file: Path | None, indicator_codes: set[str],
                  rule_names: set[str]) -> tuple[Formula, ...]:
    """The bundled formulas, then the home's own (which add to them; an id may be used once)."""
    taken = set(rule_names)
    found = formulas_in(default_text, "core/rules.toml", indicator_codes, taken)
    if home_file is not None:
        found += formulas_in(home_file.read_text("utf-8-sig"), str(home_file), indicator_codes, taken)
    return found


def _formula(entry: object, source: str, number: int, codes: set[str], taken: set[str]) -> Formula:
    name = entry.get("id") if isinstance(entry, dict) else None

    def fail(zh: str, en: str) -> FormulaError:
        named = isinstance(name, str) and bool(name)
        return FormulaError(f"审核公式有误（{source}，{f'id = {name}' if named else f'第 {number} 条'}）：{zh} / "
                            f"bad audit formula ({source}, {f'id = {name}' if named else f'entry {number}'}): {en}")

    if not isinstance(entry, dict):
        raise fail("应为一个表", "it is not a table")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise fail("缺少 id，或 id 不是小写字母、数字和下划线", "its id is missing or not lower-case letters, digits and _")
    if name in taken:
        raise fail("id 已被其他规则或公式使用", "its id is already used by another rule or formula")
    if entry.get("severity") not in SEVERITIES:
        raise fail(f"severity 应为 warning 或 error，而不是“{entry.get('severity')}”",
                   f"severity must be warning or error, not {entry.get('severity')!r}")
    if entry.get("op") not in OPS:
        raise fail(f"op 应为 {'、'.join(OPS)} 之一，而不是“{entry.get('op')}”",
                   f"op must be one of {', '.join(OPS)}, not {entry.get('op')!r}")
    sides = {}
    for side in ("left", "right"):
        sides[side] = _side(entry.get(side), codes, lambda zh, en, s=side: fail(f"{s} {zh}", f"{s} {en}"))
    if not sides["left"].codes and not sides["right"].codes:
        raise fail("两边都没有指标", "neither side names an indicator")
    for language in ("zh", "en"):
        _check_text(entry.get(language), lambda zh, en, lang=language: fail(f"{lang} {zh}", f"{lang} {en}"))
    return Formula(name, entry["severity"], entry["zh"], entry["en"], sides["left"], entry["op"], sides["right"], source)


def _side(written: object, codes: set[str], fail) -> Side:
    """`"volunteer_events + 2"` (indicator codes and whole numbers joined by +), or a whole number alone."""
    if isinstance(written, int) and not isinstance(written, bool) and written >= 0:
        return Side((), written)
    if not isinstance(written, str) or not written.strip():
        raise fail("缺失，或不是文字", "is missing or not text")
    names, constant = [], 0
    for term in (t.strip() for t in written.split("+")):
        if _WHOLE.fullmatch(term):
            constant += int(term)
        elif term in codes:
            names.append(term)
        elif term:
            raise fail(f"中的“{term}”不在指标目录中（应为指标代码，如 volunteer_events）",
                       f"names '{term}', which is not a known indicator code (such as volunteer_events)")
        else:
            raise fail(f"“{written}”中有空的一项", f"'{written}' has an empty term")
    return Side(tuple(names), constant)


def _check_text(text: object, fail) -> None:
    if not isinstance(text, str) or not text.strip():
        raise fail("文字缺失", "text is missing")
    try:
        named = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise fail(f"文字无法填写：{exc}", f"text cannot be filled in: {exc}") from None
    unknown = sorted(named - set(FIELDS))
    if unknown:
        raise fail(f"文字引用了未知的 {{{unknown[0]}}}（可用：{'、'.join(FIELDS)}）",
                   f"text quotes an unknown {{{unknown[0]}}} (available: {', '.join(FIELDS)})")


def side_total(side: Side, figures: dict[str, Decimal | None]) -> Decimal | None:
    """A side's exact sum over one form's figures; None where any figure it needs is missing."""
    values = [figures.get(code) for code in side.codes]
    if any(v is None for v in values):
        return None
    return sum(values, Decimal(side.constant))
