"""Shared fixtures: real briefings built once per test session through the real command line."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
XSS = "<script>alert(1)</script>"

# One seat from each of three nations, plus a seat split across two police forces.
SEATS = {
    "banbury": ("Banbury", "training,children,policing"),
    "ynys-mon": ("W07000112", "data,legislation,aftercare"),
    "aberdeen-north": ("Aberdeen North", "legislation,commissioner,children"),
}


def run_build(*args, env=None, cwd=ROOT, timeout=900):
    """Run `python build.py ARGS` as a campaigner would; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def read_csv(name: str) -> list[dict]:
    """Read a data table with the standard library only, independent of briefpack."""
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Build the three seats (HTML and PDF) in one batch into a temporary folder."""
    out = tmp_path_factory.mktemp("briefings")
    args = []
    for name, _ in SEATS.values():
        args += ["--constituency", name]
    # Different concerns per seat need separate runs; build the first two together with defaults
    # would hide that, so run one command per seat, with the club name hostile on purpose.
    for slug, (name, concerns) in SEATS.items():
        proc = run_build("--constituency", name, "--concerns", concerns, "--club", f"Soroptimists {XSS}",
                         "--meeting-date", "2026-12-04", "--out", str(out), "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
    return out


# Test files that run notebooks, worker processes or a browser: `pytest -m "not e2e"` leaves them out
# and runs the fast unit tests in seconds. A test elsewhere that builds marks itself.
E2E_MODULES = {"test_briefing_e2e", "test_campaign_kit", "test_pack", "test_topics", "test_faults", "test_pool"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
