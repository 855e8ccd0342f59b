"""A run that waits for another says so on the terminal, once, naming the other run."""

import subprocess
import time

from filelock import FileLock
from prefect_server import BIN, REPO, child_env

from redcross.read.home import Home


def test_a_waiting_run_says_so_on_stderr_once_naming_the_other(tmp_path):
    home = Home.create(tmp_path / "home")
    holder = FileLock(home.lock)
    holder.acquire()
    home.lock.with_name("run.lock.holder").write_text("pid 4242, 2026-12-04 02:00 北京时间 起 / since then", encoding="utf-8")
    try:
        waiting = subprocess.Popen([BIN / "redcross", "run", "--home", str(home.root)], env=child_env(), cwd=REPO,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(8)  # long enough to have reached the lock
        assert waiting.poll() is None  # still waiting
    finally:
        holder.release()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    lines = [line for line in err.splitlines() if "waiting for it to finish" in line]
    holder = "pid 4242, 2026-12-04 02:00 北京时间 起 / since then"
    expected = (f"另一个运行（{holder}）正在写入该数据目录，等待其结束 / "
                f"another run ({holder}) is writing to this home; waiting for it to finish")
    assert lines == [expected]
    assert "接收 / accepted: 0" in out
    assert not home.lock.with_name("run.lock.holder").exists()  # the waiting run, once done, leaves no holder behind
