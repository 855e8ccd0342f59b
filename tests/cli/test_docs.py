"""The README tells the truth: its data dictionary matches the warehouse, its commands exist."""

import re

import pytest
from support import README

from redcross.cli.main import parser
from redcross.warehouse.dictionary import fresh_dictionary


def test_the_data_dictionary_in_the_readme_is_the_one_in_the_warehouse():
    section = re.search(r"<!-- data-dictionary:start -->\n(.*)<!-- data-dictionary:end -->", README, re.DOTALL).group(1)
    assert section.strip() == fresh_dictionary().strip()


def commands():
    return list(parser()._subparsers._group_actions[0].choices.items())


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_command_has_help_and_is_documented(name, command):
    assert command.description
    assert f"`redcross {name}" in README


def test_the_quick_start_is_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "uv run redcross demo" in quick and "uv run pytest" in quick and "pip install uv" in quick
