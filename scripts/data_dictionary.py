"""Write the analysts' data dictionary, from the warehouse's COMMENTs, into docs/data-dictionary.md.

Only the part between the file's two markers is replaced; `--check` changes nothing and exits 1
when the file is out of date (tests/cli/test_docs.py makes the same comparison).
"""

import re
import sys
from pathlib import Path

from redcross.warehouse.dictionary import fresh_dictionary

PAGE = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"
GENERATED = re.compile(r"(<!-- data-dictionary:start -->\n)(.*)(<!-- data-dictionary:end -->)", re.DOTALL)


def updated(page: str) -> str:
    """The page with its generated part replaced by the dictionary of a fresh warehouse."""
    return GENERATED.sub(lambda m: m.group(1) + fresh_dictionary().strip() + "\n" + m.group(3), page, count=1)


if __name__ == "__main__":
    text = PAGE.read_text("utf-8")
    new = updated(text)
    if "--check" in sys.argv[1:]:
        sys.exit(0 if new == text else 1)
    PAGE.write_text(new, encoding="utf-8")
    print(f"wrote {PAGE}")
