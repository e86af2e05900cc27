"""The worker pool on its own, with tiny notebooks: dead workers, time limits, a full queue, closing."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from briefpack.build.jobs import BUILT, FAILED, NOT_BUILT, Job
from briefpack.build.pool import (
    INTERRUPTED,
    WORKER_STOPPED,
    Busy,
    WorkerPool,
    worker_limit,
)


def _notebook(source: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}},
            "cells": [{"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]}, "outputs": [],
                       "execution_count": None, "source": "seconds = 0"},
                      {"cell_type": "code", "id": "work", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": source}]}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root whose notebooks/ holds one notebook that sleeps for its parameter `seconds` (and
    the project's templates/, which the export uses); as it starts to sleep it leaves a file
    ``started/<seconds>`` under tmp_path, so a test can wait for that moment."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (tmp_path / "started").mkdir()
    (root / "templates").symlink_to(Path(__file__).resolve().parents[1] / "templates", target_is_directory=True)
    (root / "notebooks" / "sleep.ipynb").write_text(json.dumps(_notebook(
        f"import pathlib, time\npathlib.Path({str(tmp_path / 'started')!r}, str(seconds)).touch()\n"
        "time.sleep(seconds)\nprint('slept', seconds)")), encoding="utf-8")
    monkeypatch.setenv("BRIEFPACK_ROOT", str(root))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    return root


def job(name: str, seconds: float) -> Job:
    return Job(key=name, slug=name, label=name, title=name, notebook="sleep.ipynb",
               parameters=(("seconds", seconds),))


def _started_by_workers(tmp: Path) -> list[int]:
    """Processes whose TMPDIR lies under ``tmp``: workers set theirs to a folder of their own there,
    and their kernels and browsers inherit it."""
    prefix = f"TMPDIR={tmp}/".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if any(var.startswith(prefix) for var in (entry / "environ").read_bytes().split(b"\0")):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_killed_worker_fails_only_its_job_and_is_replaced(project, tmp_path):
    out = tmp_path / "out"
    with WorkerPool(1, job_timeout=120) as pool:
        slow = pool.submit(job("slow", 60), out, ("html",))
        deadline = time.monotonic() + 120
        while not (tmp_path / "started" / "60").exists():      # the kernel is now running the sleep
            assert time.monotonic() < deadline, "the job did not start"
            time.sleep(0.05)
        [pid] = pool.worker_pids()
        os.kill(pid, signal.SIGKILL)
        result = slow.result(timeout=30)
        assert result.status == FAILED and result.message == WORKER_STOPPED
        after = pool.submit(job("after", 0), out, ("html",)).result(timeout=120)
        assert after.status == BUILT, after.message
        assert (out / "after.html").exists() and not (out / "slow.html").exists()
        assert pool.stats()["restarts"] == 1
    assert not _started_by_workers(tmp_path / "tmp"), "nothing the dead worker started is left"
    assert not list((tmp_path / "tmp").iterdir()), "no temporary file is left"


def test_a_job_over_its_time_limit_fails_and_the_next_one_runs(project, tmp_path):
    out = tmp_path / "out"
    with WorkerPool(1, job_timeout=8) as pool:
        slow = pool.submit(job("slow", 60), out, ("html",))
        quick = pool.submit(job("quick", 0), out, ("html",))
        r = slow.result(timeout=60)
        assert r.status == FAILED and "took longer than 8 s" in r.message
        assert quick.result(timeout=120).status == BUILT


def test_a_full_queue_says_busy_and_close_stops_what_runs(project, tmp_path):
    out = tmp_path / "out"
    pool = WorkerPool(1, job_timeout=120, max_waiting=1)
    running = pool.submit(job("running", 60), out, ("html",))
    deadline = time.monotonic() + 60
    while pool.stats()["busy"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    waiting = pool.submit(job("waiting", 0), out, ("html",))
    with pytest.raises(Busy) as busy:
        pool.submit(job("third", 0), out, ("html",))
    assert busy.value.retry_after >= 1
    started = time.monotonic()
    pool.close(grace=1.0)
    assert time.monotonic() - started < 30
    assert waiting.cancelled()
    r = running.result(timeout=1)
    assert r.status == NOT_BUILT and r.message == INTERRUPTED
    assert not _started_by_workers(tmp_path / "tmp")
    assert not list((tmp_path / "tmp").iterdir())
    pool.close()  # closing twice is harmless


def test_worker_limit_counts_cores_and_memory():
    limit, why = worker_limit()
    assert 1 <= limit <= (os.cpu_count() or 1)
    assert "cores" in why
