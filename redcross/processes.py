"""Helper processes of a run (validation, reading): a fresh interpreter on a module, and a pipe to it.

Not multiprocessing's spawn: that imports the caller's `__main__` again, and a caller's script is
not ours to run twice. The helper module's `__main__` block takes the pipe's file descriptor.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection


def start_helper(module: str, die_with_this_thread: bool = False) -> tuple[subprocess.Popen, Connection]:
    """`python -m module <fd>` with its end of a socket pair; this process keeps the other end.

    A helper notices its parent is gone when its pipe closes, but only once it next reads from it:
    one busy importing GX when the run is killed would go on for seconds. With
    `die_with_this_thread` (Linux; for a helper started by the main thread while it is the only
    one, as `redcross run` does first thing) the kernel kills it the moment that thread, which
    lives as long as the process, ends.
    """
    ours, theirs = socket.socketpair()
    with theirs:
        process = subprocess.Popen([sys.executable, "-m", module, str(theirs.fileno())],
                                   pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                   # asked for only while this process has no other thread, so the fork is safe
                                   preexec_fn=_killed_with_parent(os.getpid()) if die_with_this_thread else None)  # noqa: PLW1509
    return process, Connection(ours.detach())


def _killed_with_parent(parent: int):
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def in_the_child() -> None:  # between fork and exec: only async-signal-safe work
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return in_the_child


PR_SET_PDEATHSIG = 1
