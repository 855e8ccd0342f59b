"""Helper processes of a run (validation, reading): a fresh interpreter on a module, and a pipe to it.

Not multiprocessing's spawn: that imports the caller's `__main__` again, and a caller's script is
not ours to run twice. The helper module's `__main__` block takes the pipe's file descriptor.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from multiprocessing.connection import Connection


def start_helper(module: str) -> tuple[subprocess.Popen, Connection]:
    """`python -m module <fd>` with its end of a socket pair; this process keeps the other end."""
    ours, theirs = socket.socketpair()
    with theirs:
        process = subprocess.Popen([sys.executable, "-m", module, str(theirs.fileno())],
                                   pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    return process, Connection(ours.detach())
