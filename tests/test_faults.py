"""Batches under faults, through the real command line: Ctrl-C, SIGTERM, a killed worker, two builds
into one folder, bad --out and --jobs, empty and duplicate selections, stale outputs, a broken manifest."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_build

BATCH = ["build", "--all", "--shard", "1/65", "--formats", "html", "--jobs", "2"]   # 10 seats


def _spawn(out: Path, tmp: Path, *args):
    tmp.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TMPDIR=str(tmp), JUPYTER_RUNTIME_DIR=str(tmp))
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args, "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(out: Path, n: int, proc, limit: float = 300):
    deadline = time.monotonic() + limit
    while len([p for p in out.glob("*.html") if p.name != "index.html"]) < n:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.05)


def _workers(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _left_behind(tmp: Path, settle: float = 0) -> tuple[list, list]:
    """Processes that inherited TMPDIR=tmp, and files under tmp; with ``settle``, what is still there
    after up to that many seconds (a kernel notices its parent's end within a second or so, longer on
    a loaded machine)."""
    deadline = time.monotonic() + settle
    while True:
        found = _left_behind_now(tmp)
        if found == ([], []) or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def _left_behind_now(tmp: Path) -> tuple[list, list]:
    procs = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
            if any(var == f"TMPDIR={tmp}".encode() or var.startswith(f"TMPDIR={tmp}/".encode()) for var in env):
                procs.append((entry / "cmdline").read_bytes().replace(b"\0", b" ")[:100])
        except OSError:
            continue
    return procs, [str(p) for p in tmp.rglob("*")]


def _manifest_slugs(out: Path) -> set:
    return {json.loads(line)["slug"] for line in (out / "manifest.jsonl").read_text().splitlines() if line.strip()}


def _built(out: Path) -> set:
    return {p.stem for p in out.glob("*.html") if p.name != "index.html"}


@pytest.mark.parametrize("how", ["ctrl-c to the process group", "sigterm to the build"])
def test_a_stopped_batch_ends_cleanly_and_keeps_what_it_finished(tmp_path, how):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    proc = _spawn(out, tmp, *BATCH)
    _wait_for(out, 2, proc)
    if how.startswith("ctrl-c"):
        os.killpg(proc.pid, signal.SIGINT)   # what a terminal does: every process in the foreground group
    else:
        os.kill(proc.pid, signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == (130 if how.startswith("ctrl-c") else 143)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stopped: ") and "run the same command again" in lines[0], stderr
    assert "Traceback" not in stdout + stderr
    built = _built(out)
    assert 2 <= len(built) < 10
    assert _manifest_slugs(out) == built, "every finished briefing is recorded, nothing else"
    assert _left_behind(tmp, settle=20) == ([], []), "no kernel, browser or temporary file is left"
    again = run_build(*BATCH, "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert f"{len(built)} up to date" in again.stdout and f"{10 - len(built)} built" in again.stdout
    assert "the letter has" not in again.stderr, "a pack's blank letters are not warned about"


def test_a_killed_worker_fails_its_briefing_and_the_batch_goes_on(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    proc = _spawn(out, tmp, *BATCH)
    _wait_for(out, 2, proc)
    victim = _workers(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)      # as the out-of-memory killer does
    stdout, stderr = proc.communicate(timeout=300)
    failed = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) <= 1 and all(line.endswith("the worker stopped: killed or out of memory") for line in failed)
    assert proc.returncode == (1 if failed else 0), stderr
    assert f"summary: {10 - len(failed)} built, 0 up to date, {len(failed)} failed" in stdout
    assert _manifest_slugs(out) == _built(out) and len(_built(out)) == 10 - len(failed)
    assert _left_behind(tmp, settle=20) == ([], [])


def test_two_builds_into_one_folder_take_turns_and_both_are_recorded(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    first = _spawn(out, tmp, "build", "-c", "Banbury", "-c", "Hitchin", "--formats", "html", "--jobs", "1")
    deadline = time.monotonic() + 60
    while not (out / ".briefpack.lock").exists() or not (out / ".briefpack.lock").read_text().strip():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = _spawn(out, tmp, "build", "-c", "Oxford East", "-c", "Aberdeen North", "--formats", "html", "--jobs", "1")
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert f"waiting: another build (pid {first.pid}) is writing to {out}" in err2
    assert _manifest_slugs(out) == {"banbury", "hitchin", "oxford-east", "aberdeen-north"}
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("Banbury", "Hitchin", "Oxford East", "Aberdeen North"):
        assert name in index


def test_out_is_checked_before_anything_is_built(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    proc = run_build("-c", "Banbury", "--out", str(a_file))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: --out {a_file} is a file, not a folder; give a folder for the briefings."
    assert a_file.read_text() == "not a folder"
    nowhere = run_build("-c", "Banbury", "--out", "/proc/briefings")
    assert nowhere.returncode == 2 and nowhere.stderr.startswith("error: Cannot write to --out /proc/briefings")
    assert len(nowhere.stderr.strip().splitlines()) == 1


def test_jobs_must_be_positive_and_are_capped():
    zero = run_build("-c", "Banbury", "--jobs", "0", "--dry-run")
    assert zero.returncode == 2 and zero.stderr.startswith("error: --jobs 0: give 1 or more worker processes")
    many = run_build("-c", "Banbury", "--jobs", "1000", "--dry-run", "--out", "/nonexistent/x")
    assert many.returncode == 0, many.stderr
    cores = len(os.sched_getaffinity(0))
    note = next(line for line in many.stderr.splitlines() if line.startswith("note: --jobs 1000 capped at "))
    assert 1 <= int(note.split("capped at ")[1].split()[0]) <= cores


def test_an_empty_shard_is_not_an_error_and_duplicates_are_built_once():
    empty = run_build("--all", "--shard", "700/1000", "--out", "/nonexistent/x")
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout.strip() == "nothing to build: all 650 seats, --shard 700/1000 selects no seat."
    dup = run_build("-c", "Banbury", "-c", "banbury", "-c", "E14001072", "--dry-run", "--out", "/nonexistent/x")
    assert dup.returncode == 0 and "dry run: 1 to build, 0 up to date" in dup.stdout
    assert "note: Banbury (E14001072) was asked for more than once; it is built once." in dup.stderr


def test_outputs_of_formats_not_rebuilt_go_and_only_our_temporaries_are_cleaned(tmp_path):
    out = tmp_path / "out"
    assert run_build("-c", "Banbury", "--out", str(out), "--jobs", "1").returncode == 0
    assert {p.name for p in out.glob("banbury*")} == {"banbury.html", "banbury.pdf", "banbury-letter.docx"}
    mine = out / ".notes.tmp"
    mine.write_text("a user's own file")
    also_mine = out / ".draft.123.tmp"
    also_mine.write_text("another")
    stale = out / ".banbury.html.briefpack-999999999.tmp"
    stale.write_text("left by a killed build")
    proc = run_build("-c", "Banbury", "--formats", "html", "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "warning: the letter has no sender name (--sender-name) and no address with a postcode" in proc.stderr
    assert {p.name for p in out.glob("banbury*")} == {"banbury.html"}, "the old PDF and letter are gone"
    assert mine.exists() and also_mine.exists(), "a user's own hidden files are kept"
    assert not stale.exists(), "a temporary of ours whose writer is gone is removed"


def test_a_malformed_manifest_line_is_skipped_with_a_warning(tmp_path):
    out = tmp_path / "out"
    assert run_build("-c", "Banbury", "-c", "Hitchin", "--formats", "html", "--out", str(out)).returncode == 0
    with open(out / "manifest.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"slug": "banbury", "key": "E14001072"}\n{"cut short\n')
    proc = run_build("-c", "Banbury", "-c", "Hitchin", "--formats", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"warning: {out / 'manifest.jsonl'}: skipped 2 malformed line(s) (3, 4)" in proc.stderr
    assert "summary: 0 built, 2 up to date, 0 failed" in proc.stdout
    lines = (out / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["digest"] for line in lines)
