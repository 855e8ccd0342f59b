"""Libraries' log records and Python warnings go to the log file; the pipeline's own warnings reach
the terminal as well; a helper process started afterwards logs to the same file."""

import subprocess
import sys

from support import REPO

SCRIPT = """
import logging, subprocess, sys, warnings
from pathlib import Path
from redcross.core.logs import log_to_file
log_to_file(Path(sys.argv[1]))
logging.getLogger("great_expectations").warning("a library's warning")
warnings.warn("a deprecation somewhere")
logging.getLogger("redcross").warning("校验页面未写成 / validation pages not written")
subprocess.run([sys.executable, "-c", "from core.logs import follow_parent; import logging; follow_parent();"
                "logging.getLogger('great_expectations').warning('from the helper')"], check=True)
"""


def test_library_lines_go_to_the_file_and_ours_to_both(tmp_path):
    path = tmp_path / "logs" / "redcross.log"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], cwd=REPO, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "校验页面未写成 / validation pages not written\n"
    log = path.read_text("utf-8")
    for line in ("WARNING great_expectations: a library's warning", "WARNING py.warnings:",
                 "a deprecation somewhere", "WARNING redcross: 校验页面未写成", "great_expectations: from the helper"):
        assert line in log, line
