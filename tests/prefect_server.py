"""A real Prefect server on a free loopback port, and `redcross` as a subprocess, for the tests
that need what a served installation has (schedules, several processes, kills)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
REPO = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {seconds} s")


def api(method: str, url: str, **kwargs) -> httpx.Response:
    """One call to the Prefect API, tried again when the server answers 5xx: its SQLite store
    answers "database is locked" now and then under load (PrefectHQ/prefect#18934), and such a
    request is rolled back, so asking again cannot do anything twice. Any other answer is final."""
    for attempt in range(6):
        try:
            response = httpx.request(method, url, timeout=10, **kwargs)
        except httpx.TransportError:
            if attempt == 5:
                raise
        else:
            if response.status_code < 500 or attempt == 5:
                assert response.is_success, f"{method} {url}: {response.status_code} {response.text}"
                return response
        time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING", **extra}


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def start_server(prefect_home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = (prefect_home / "server.log").open("wb")  # kept for reading after a failed test
    process = subprocess.Popen(
        [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=child_env(PREFECT_HOME=str(prefect_home)), stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        wait_for(lambda: healthy(url), 180, "prefect server")
    except BaseException:
        process.kill()
        raise
    return process, url


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
