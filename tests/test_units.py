"""Fast unit tests of the build's small parts: atomic writes, the manifest, the lock, selection,
notebook normalisation and the tracker's follow-up rules. No kernel, no browser."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import briefpack
from briefpack.build import manifest, select
from briefpack.build.execute import normalise
from briefpack.build.jobs import Job
from briefpack.build.pack import OutputLock, check_output_folder
from briefpack.core import atomic
from briefpack.core.errors import BriefpackError, InputError
from briefpack.places import campaign

# --- atomic writes ---------------------------------------------------------------------------------

def test_write_atomic_replaces_whole_files_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "page.html"
    atomic.write_atomic(target, "<p>first</p>")
    atomic.write_atomic(target, b"<p>second</p>")
    assert target.read_bytes() == b"<p>second</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_write_atomic_cleans_its_temporary_when_writing_fails(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    (tmp_path / "x.html").write_text("old")
    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        atomic.write_atomic(tmp_path / "x.html", "new")
    assert [p.name for p in tmp_path.iterdir()] == ["x.html"] and (tmp_path / "x.html").read_text() == "old"


def test_only_our_own_temporaries_of_gone_writers_are_removed(tmp_path):
    dead = atomic.temporary_path(tmp_path / "a.html", pid=999999999)
    alive = atomic.temporary_path(tmp_path / "b.html")            # this process: still writing
    users = [tmp_path / ".notes.tmp", tmp_path / ".c.html.4242.tmp", tmp_path / ".d.briefpack-x.tmp"]
    for p in [dead, alive, *users]:
        p.write_text("x")
    assert atomic.remove_temporaries(tmp_path) == 1
    assert not dead.exists() and alive.exists() and all(p.exists() for p in users)
    assert atomic.remove_temporaries(tmp_path, pid=os.getpid()) == 1 and not alive.exists()


# --- the manifest ----------------------------------------------------------------------------------

INPUTS = {"code": "aaa", "notebook": "bbb", "mps[E1]": "ccc"}


def test_why_dirty_says_why(tmp_path):
    man = manifest.Manifest(tmp_path)
    out = tmp_path / "banbury.html"
    assert man.why_dirty("banbury", INPUTS, [out]) == "never built (or the last build was interrupted)"
    man.record("banbury", "E1", INPUTS, [str(out)])
    assert man.why_dirty("banbury", INPUTS, [out]) == "output missing: banbury.html"
    out.write_text("x")
    assert man.why_dirty("banbury", INPUTS, [out]) == "no record of the data it read (built by an earlier version)"
    man.record("banbury", "E1", INPUTS, [str(out)], reads={"mps": [["gss_code", "E1"]]})
    assert man.why_dirty("banbury", INPUTS, [out]) is None
    changed = dict(INPUTS, **{"mps[E1]": "ddd", "new table": "eee"})
    assert man.why_dirty("banbury", changed, [out]) == "changed: mps[E1], new table"
    many = {f"t{i}": str(i) for i in range(7)}
    assert man.why_dirty("banbury", many, [out]).endswith("and 6 more")


def test_compact_keeps_what_another_build_recorded(tmp_path):
    ours = manifest.Manifest(tmp_path)
    ours.record("banbury", "E1", INPUTS, ["banbury.html"])
    theirs = manifest.Manifest(tmp_path, warn=False)
    theirs.record("hitchin", "E2", INPUTS, ["hitchin.html"])   # written after ours was read
    ours.forget("oxford-east")
    ours.compact()
    lines = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert [r["slug"] for r in lines] == ["banbury", "hitchin"]


def test_malformed_lines_are_counted_and_reported(tmp_path):
    good = manifest.Manifest(tmp_path)
    good.record("banbury", "E1", INPUTS, ["banbury.html"])
    with open(tmp_path / "manifest.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"slug": "x"}\nnot json\n{"slug": "y", "key": "E3", "digest": "d", "inputs": {}, '
                 '"outputs": ["../../etc/passwd"]}\n')
    warnings = []
    man = manifest.Manifest(tmp_path, warn=warnings.append)
    assert list(man.records) == ["banbury"] and man.malformed == 3
    assert warnings == [f"warning: {tmp_path / 'manifest.jsonl'}: skipped 3 malformed line(s) (2, 3, 4); "
                        "those briefings will be rebuilt."]


# --- the output folder -----------------------------------------------------------------------------

def test_output_folder_checks(tmp_path):
    assert check_output_folder(tmp_path / "new" / "folder").is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(BriefpackError, match="is a file, not a folder"):
        check_output_folder(tmp_path / "file")
    with pytest.raises(BriefpackError, match="part of the path is a file"):
        check_output_folder(tmp_path / "file" / "below")


@pytest.mark.e2e  # starts processes
def test_the_lock_makes_a_second_holder_wait(tmp_path):
    # The holder keeps the lock until told to let go, which the waiter does once it waits (no sleep).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys; sys.path.insert(0, sys.argv[1]); from briefpack.build.pack import OutputLock\n"
        "from pathlib import Path\n"
        "with OutputLock(sys.argv[2]):\n    print('held', flush=True); sys.stdin.readline()\n"
        "    (Path(sys.argv[2]) / 'done').touch()"),
        str(Path(briefpack.__file__).parents[1]), str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    assert holder.stdout.readline().strip() == "held"
    waited = []

    def let_go(pid):
        waited.append(pid)
        holder.stdin.write("let go\n")
        holder.stdin.close()

    with OutputLock(tmp_path, on_wait=let_go):
        assert (tmp_path / "done").exists(), "the lock was taken only once the holder had let go"
        assert (tmp_path / ".briefpack.lock").read_text() == str(os.getpid())
    assert waited == [str(holder.pid)]
    holder.wait(timeout=10)


# --- selection -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("2/4", (2, 4)), ("1/1", (1, 1)), (None, None), ("", None)])
def test_parse_shard(value, expected):
    assert select.parse_shard(value) == expected


@pytest.mark.parametrize("value", ["0/4", "5/4", "2", "a/b", "2/0"])
def test_parse_shard_refuses(value):
    with pytest.raises(InputError, match="--shard"):
        select.parse_shard(value)


def test_shards_cover_the_pack_once():
    parts = [select.pack_seats("westminster", shard=f"{k}/4") for k in range(1, 5)]
    flat = [key for part in parts for key in part]
    assert len(flat) == 650 and len(set(flat)) == 650


def test_duplicate_jobs_are_dropped():
    a = Job("E1", "a", "A (E1)", "t", "n", ())
    b = Job("E2", "b", "B (E2)", "t", "n", ())
    jobs, dropped = select.unique_jobs([a, b, a, a])
    assert jobs == [a, b] and dropped == ["A (E1)", "A (E1)"]


# --- notebooks -------------------------------------------------------------------------------------

def test_normalise_drops_what_varies_between_runs():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 1.2}
    params = nbformat.v4.new_code_cell("x = 1", id="random-id-1")
    params.metadata["tags"] = ["injected-parameters"]
    cell = nbformat.v4.new_code_cell("x", execution_count=7)
    cell.metadata["execution"] = {"iopub.execute_input": "2026-11-23T10:00:00"}
    cell.metadata["papermill"] = {"duration": 0.1}
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=7)]
    nb.cells = [params, cell]
    out = normalise(nb)
    assert "papermill" not in out.metadata
    assert out.cells[0].id == "injected-parameters"
    assert out.cells[1].execution_count is None and out.cells[1].outputs[0]["execution_count"] is None
    assert "execution" not in out.cells[1].metadata and "papermill" not in out.cells[1].metadata


# --- the tracker's follow-up rules -----------------------------------------------------------------

def _entry(**kw):
    base = dict(gss_code="E1", name="Banbury", club="Club", contact_made=None, meeting_date=None, met=False,
                letter=None, reply=None, press_release=None, reply_summary="")
    return campaign.Entry(**{**base, **kw})


MEETING = dt.date(2026, 10, 1)


@pytest.mark.parametrize("entry, as_of, expected", [
    (_entry(meeting_date=MEETING, met=True), MEETING + dt.timedelta(days=campaign.CHASE_LETTER_DAYS), ""),
    (_entry(meeting_date=MEETING, met=True), MEETING + dt.timedelta(days=campaign.CHASE_LETTER_DAYS + 1),
     "chase the MP's letter to ministers (met 01 Oct 2026)"),
    (_entry(meeting_date=MEETING, met=True, letter=MEETING), MEETING + dt.timedelta(days=campaign.CHASE_REPLY_DAYS), ""),
    (_entry(meeting_date=MEETING, met=True, letter=MEETING), MEETING + dt.timedelta(days=campaign.CHASE_REPLY_DAYS + 1),
     "chase the reply from ministers (MP wrote 01 Oct 2026)"),
    (_entry(meeting_date=MEETING, met=True, letter=MEETING, reply=MEETING), MEETING + dt.timedelta(days=400), ""),
    (_entry(meeting_date=MEETING), MEETING, ""),
    (_entry(meeting_date=MEETING), MEETING + dt.timedelta(days=1),
     "record whether the meeting of 01 Oct 2026 took place"),
])
def test_overdue_rules(entry, as_of, expected):
    assert entry.overdue(as_of) == expected


def test_a_signal_inside_held_waits_for_the_end_of_the_step():
    import signal as sig

    from briefpack.core import stopping

    done = []
    with pytest.raises(KeyboardInterrupt):
        with stopping.held():
            os.kill(os.getpid(), sig.SIGINT)
            time.sleep(0.05)
            done.append("after the signal")
    assert done == ["after the signal"]
    assert sig.getsignal(sig.SIGINT) is sig.default_int_handler


def test_a_stop_arriving_as_a_briefing_is_recorded_still_records_it(tmp_path, monkeypatch):
    """The race CI once met: SIGTERM between a finished briefing and its manifest line."""
    import signal as sig

    from briefpack.app.cli import Terminated, _on_sigterm
    from briefpack.build.jobs import BUILT, Result
    from briefpack.build.pack import build_pack

    jobs = [Job(key=k, slug=k, label=k, title=k, notebook="briefing.ipynb", parameters=(("constituency", k),))
            for k in ("Bolsover", "Bootle")]
    real_record = manifest.Manifest.record

    def record_with_a_stop(self, slug, *args, **kwargs):
        os.kill(os.getpid(), sig.SIGTERM)   # as if the terminal's kill came now
        time.sleep(0.05)
        return real_record(self, slug, *args, **kwargs)

    def executor(todo, out_dir, formats, n_jobs, recycle_after, on_result):
        for job in todo:
            page = Path(out_dir) / f"{job.slug}.html"
            page.write_text("<p>built</p>", encoding="utf-8")
            on_result(Result(job, BUILT, outputs=[str(page)]))

    monkeypatch.setattr(manifest.Manifest, "record", record_with_a_stop)
    counted = []     # what the progress line counts, which the "stopped: N built and recorded" line reports
    previous = sig.signal(sig.SIGTERM, _on_sigterm)
    try:
        with pytest.raises(Terminated):
            build_pack(jobs, tmp_path, formats=("html",), executor=executor, index=False,
                       on_result=lambda r: counted.append(r.job.slug))
    finally:
        sig.signal(sig.SIGTERM, previous)
    recorded = {json.loads(line)["slug"] for line in (tmp_path / "manifest.jsonl").read_text().splitlines()}
    assert recorded == {p.stem for p in tmp_path.glob("*.html")} == set(counted) == {"Bolsover"}
