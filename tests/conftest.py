"""Shared fixtures: one temporary Prefect server for the session (prefect_test_harness) for the tests
that run a flow as a Prefect flow run, one real `prefect server start` for the tests that need a
served installation, test homes, and one night over the bundled forms for the tests that only read
what it made. Tests under tests/system/ (crash trials, readers under load, served deployments) are
marked `system`: `pytest -m "not system"` leaves them out of a quick loop; CI runs everything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prefect_server import start_server, stop_server
from support import (
    TODAY,
    TODAY_NOON,
    drop_corrections,
    drop_midyear_forms,
    drop_samples,
    fixed_clock,
    make_home,
    write_unit_targets,
)

# Every test's inbox files are whole or meant as damaged the moment they are written: none is a copy
# still under way, so none waits for REDCROSS_SETTLE_SECONDS. The tests of that wait set it themselves.
os.environ["REDCROSS_SETTLE_SECONDS"] = "0"


def pytest_collection_modifyitems(config, items):
    system = Path(__file__).parent / "system"
    for item in items:
        if system in Path(item.path).parents:
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server, started by the first test that asks for it and kept for the
    session: flows called from then on are Prefect flow runs. A test that runs no flow never waits
    for it (about 19 s on 2 cores)."""
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real Prefect server (SQLite) on a free loopback port, for `redcross` run as a subprocess."""
    process, url = start_server(tmp_path_factory.mktemp("prefect-home"))
    yield url
    stop_server(process)


@pytest.fixture
def home(tmp_path) -> Path:
    return make_home(tmp_path / "home")


@pytest.fixture(scope="session")
def sample_night(tmp_path_factory, prefect_harness):
    """A home after one nightly run over the bundled 2016 and 2017 forms, and the run's summary.

    Shared by every test that only reads what the night made: none may change this home.
    """
    from redcross.flows.nightly import nightly

    root = make_home(tmp_path_factory.mktemp("sample-night") / "home")
    drop_samples(root)
    with fixed_clock(TODAY_NOON):
        return root, nightly(home=str(root), today=TODAY)


@pytest.fixture(scope="session")
def midyear_night(tmp_path_factory):
    """A home after one night of the mid-year review, and the night's summary.

    Targets with unit rows (.xlsx); 2017年1-6月 from every unit but 开发区 (nothing) and 新昌县 (a
    rejected file), 诸暨市's twice (the later form corrects two figures), and 柯桥区's 1-5月 and 1-7月.
    Run without Prefect (the same steps; the flows' own tests cover Prefect) and, like sample_night,
    shared by tests that only read it.
    """
    from redcross.flows.nightly import nightly

    root = tmp_path_factory.mktemp("midyear") / "home"
    for folder in ("inbox", "targets"):
        (root / folder).mkdir(parents=True)
    write_unit_targets(root / "targets" / "2017.xlsx")
    drop_midyear_forms(root / "inbox")
    drop_corrections(root / "inbox")
    with fixed_clock(TODAY_NOON):
        return root, nightly.local(home=str(root), today=TODAY)
