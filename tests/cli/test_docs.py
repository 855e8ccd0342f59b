"""The docs tell the truth: the README and every manual under docs/ name only files that exist and
`redcross` commands and options the parser has, point at nothing outside the repository, and the
data dictionary and the clerk's list of messages match the warehouse and core/rules.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from support import README, REPO

from redcross.cli.main import parser
from redcross.warehouse.dictionary import fresh_dictionary

DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [REPO / "README.md", *DOCS]
# What a repository path starts with: the top of the checkout as it is (a doc naming a folder that
# is gone is caught by the existence check, not let through as "not a path").
TOP = {p.name for p in REPO.iterdir() if not p.name.startswith(".") or p.name == ".ci"} - {"__pycache__", ".venv"}
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
COMMAND = re.compile(r"(?<![\w./-])redcross ([a-z]+)([^`#|;&\n]*)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def code_of(text: str) -> list[str]:
    """The text of every code span (a table's escaped `\\|` read as a space) and every line of every
    fenced block."""
    fenced = [line for block in FENCE.findall(text) for line in block.splitlines()]
    return [span.replace("\\|", " ") for span in CODE_SPAN.findall(FENCE.sub("", text))] + fenced


def named_paths(text: str) -> set[str]:
    """Words of the code that look like paths in the repository: they start with one of its top-level
    names. A path inside a home is written `<home>/...` and is not one."""
    found = set()
    for code in code_of(text):
        for word in re.split(r"[\s,()\[\]\"'=:]+", code):
            word = word.rstrip(".;")
            head = word.split("/", 1)[0]
            if head in TOP and (word != head or "." in head) and "<" not in word and "{" not in word:
                found.add(word)
    return found


def exists(path: str) -> bool:
    return any(REPO.glob(path)) if any(c in path for c in "*?") else (REPO / path).exists()


def subcommands() -> dict:
    return parser()._subparsers._group_actions[0].choices


def options_of(command) -> set[str]:
    return {option for action in command._actions for option in action.option_strings}


@pytest.fixture(params=PAGES, ids=lambda p: str(p.relative_to(REPO)))
def page(request) -> tuple[Path, str]:
    return request.param, request.param.read_text("utf-8")


def test_there_is_a_manual_for_each_reader():
    assert {p.name for p in DOCS} >= {"data-manager.md", "clerk.md", "analyst.md", "report.md", "developer.md",
                                      "data-dictionary.md"}


def test_no_code_span_is_broken_across_lines(page):
    """A span split over two lines would escape the checks below, which read spans line by line."""
    path, text = page
    broken = [n for n, line in enumerate(FENCE.sub("", text).splitlines(), 1) if line.count("`") % 2]
    assert not broken, f"{path.name}: a code span breaks across lines at {broken} (outside code blocks)"


def test_every_path_a_page_names_exists(page):
    path, text = page
    missing = sorted(p for p in named_paths(text) if not exists(p))
    assert not missing, f"{path.name} names files that are not in the repository: {missing}"


def test_every_link_between_pages_leads_somewhere(page):
    path, text = page
    missing = sorted(link for link in LINK.findall(text)
                     if "://" not in link and not (path.parent / link).exists())
    assert not missing, f"{path.name} links to files that are not there: {missing}"


def test_every_redcross_command_and_option_a_page_names_is_in_the_parser(page):
    path, text = page
    commands, wrong = subcommands(), []
    for code in code_of(text):
        for name, rest in COMMAND.findall(code):
            if name not in commands:
                wrong.append(f"redcross {name}")
                continue
            wrong += [f"redcross {name} {option}" for option in OPTION.findall(rest)
                      if option not in options_of(commands[name])]
    assert not wrong, f"{path.name} names commands or options `redcross --help` does not have: {wrong}"


def test_no_page_points_outside_the_repository(page):
    path, text = page
    for outside in ("../shared", "shared/spec", "shared/seed", "§"):
        assert outside not in text, f"{path.name} mentions {outside}"
    assert not re.search(r"\bSPEC\b", text), f"{path.name} mentions SPEC"


def test_the_checks_above_can_fail():
    """The controls: a missing path, an unknown command or option, and an outside reference are found."""
    text = "see `tests/cli/no_such_test.py` and `core/rules.toml`; run `redcross frobnicate` or `redcross run --fast`"
    assert [p for p in named_paths(text) if not exists(p)] == ["tests/cli/no_such_test.py"]
    assert "<home>/warehouse/redcross.duckdb" not in named_paths("`<home>/warehouse/redcross.duckdb`")
    found = [(name, OPTION.findall(rest)) for code in code_of(text) for name, rest in COMMAND.findall(code)]
    assert found == [("frobnicate", []), ("run", ["--fast"])]
    assert "frobnicate" not in subcommands() and "--fast" not in options_of(subcommands()["run"])


def test_the_data_dictionary_page_is_the_one_in_the_warehouse():
    page = (REPO / "docs" / "data-dictionary.md").read_text("utf-8")
    section = re.search(r"<!-- data-dictionary:start -->\n(.*)<!-- data-dictionary:end -->", page, re.DOTALL).group(1)
    assert section.strip() == fresh_dictionary().strip(), "run: uv run python scripts/data_dictionary.py"


def test_the_clerks_manual_explains_every_rule_and_default_formula():
    rules = tomllib.loads((REPO / "core" / "rules.toml").read_text("utf-8"))
    clerk = (REPO / "docs" / "clerk.md").read_text("utf-8")
    names = [*rules["rules"], *(formula["id"] for formula in rules["formulas"])]
    assert [name for name in names if f"`{name}`" not in clerk] == []


@pytest.mark.parametrize(("name", "command"), subcommands().items())
def test_every_command_has_help_and_is_in_the_readme_table(name, command):
    assert command.description
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert f"| `redcross {name}" in table


def test_the_quick_start_is_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "uv run redcross demo" in quick and "uv run pytest" in quick and "pip install uv" in quick


def test_the_readme_is_read_in_five_minutes():
    assert len(README.encode("utf-8")) < 10_000
