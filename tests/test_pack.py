"""The pack: incremental rebuilds, failures that stay alone, resuming, determinism, index, executors."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from bs4 import BeautifulSoup
from conftest import DATA, ROOT, current_member, read_csv, run_build

# Two seats in Thames Valley, one in Hertfordshire/Bedfordshire, one in Scotland.
SEATS = ["Banbury", "Oxford East", "Hitchin", "Aberdeen North"]


@pytest.fixture
def data_copy(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def build(out, *args, data=None, seats=SEATS):
    argv = [a for s in seats for a in ("--constituency", s)] + ["--formats", "html", "--out", str(out),
                                                                  "--jobs", "1", *args]
    return run_build(*argv, env={"BRIEFPACK_DATA": str(data)} if data else None)


def counts(proc):
    line = next(l for l in proc.stdout.splitlines() if l.startswith("summary:"))
    return {k: int(v) for v, k in (part.strip().split(" ", 1) for part in line[len("summary:"):].split(","))}


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_incremental_rebuilds(tmp_path, data_copy):
    out = tmp_path / "out"
    first = build(out, data=data_copy)
    assert first.returncode == 0, first.stderr
    assert counts(first) == {"built": 4, "up to date": 0, "failed": 0}

    again = build(out, data=data_copy)
    assert counts(again) == {"built": 0, "up to date": 4, "failed": 0}, "nothing changed, nothing rebuilt"

    # One constituency's row: only that briefing.
    banbury = current_member("Banbury")
    edit(data_copy / "mps_current.csv", f'"{banbury["full_title"]}","{banbury["display_as"]}",',
         f'"{banbury["full_title"]}","Sean Q. Woodcock",')
    dry = build(out, "--dry-run", data=data_copy)
    assert "would build: Banbury (E14001072): changed: mps_current[E14001072]" in dry.stdout
    assert "dry run: 1 to build, 3 up to date" in dry.stdout
    one = build(out, data=data_copy)
    assert counts(one) == {"built": 1, "up to date": 3, "failed": 0}
    assert "Sean Q. Woodcock" in (out / "banbury.html").read_text(encoding="utf-8")

    # One force's figures: only the seats in that force.
    edit(data_copy / "nrm_referrals_by_police_force_first_responder_2022q2_2023q4.csv",
         "2022,Q2,Thames Valley Police,Criminal,Adult (18 or over),Female,1\n",
         "2022,Q2,Thames Valley Police,Criminal,Adult (18 or over),Female,2\n")
    force = build(out, data=data_copy)
    assert counts(force) == {"built": 2, "up to date": 2, "failed": 0}
    assert "built: Banbury" in force.stdout and "built: Oxford East" in force.stdout

    # --force rebuilds everything.
    assert counts(build(out, "--force", data=data_copy))["built"] == 4


def test_broken_seat_fails_alone_and_is_reported(tmp_path, data_copy):
    # Point Hitchin's main force at a name the NRM tables do not have: a missing data slice.
    edit(data_copy / "constituency_to_police_force_area.csv",
         "E14001289,Hitchin,E23000027,Hertfordshire,Hertfordshire Constabulary,",
         "E14001289,Hitchin,E23000027,Hertfordshire,Atlantis Constabulary,")
    out = tmp_path / "out"
    proc = build(out, data=data_copy)
    assert proc.returncode == 1
    assert counts(proc) == {"built": 3, "up to date": 0, "failed": 1}
    failed = [l for l in proc.stderr.splitlines() if l.startswith("failed:")]
    assert len(failed) == 1 and "Hitchin (E14001289)" in failed[0] and "Atlantis Constabulary" in failed[0]
    assert "cell" in failed[0]
    assert not (out / "hitchin.html").exists()
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "lxml")
    row = next(tr for tr in index.select("tbody tr") if "Hitchin" in tr.get_text())
    assert "failed" in row.get_text()


def test_interrupted_build_resumes(tmp_path):
    out = tmp_path / "out"
    argv = [sys.executable, str(ROOT / "build.py"), "--all", "--shard", "1/130", "--formats", "html", "--out",
            str(out), "--jobs", "1"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(list(out.glob("*.html"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = [p for p in out.glob("*.html") if p.name != "index.html"]
    assert 1 <= len(done) < 5, "killed part way"
    for page in done:
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), f"{page.name} truncated"
    resumed = run_build(*argv[2:])
    assert resumed.returncode == 0, resumed.stderr
    c = counts(resumed)
    assert c["built"] + c["up to date"] == 5 and c["built"] <= 5 - len(done) + 1 and c["up to date"] >= len(done) - 1
    assert not list(out.glob(".*.tmp")), "no temporary files left behind"


def test_deterministic_and_isolated(tmp_path):
    alone, after, again = tmp_path / "alone", tmp_path / "after", tmp_path / "again"
    assert build(alone, seats=["Banbury"]).returncode == 0
    # Banbury built in the same warm kernel right after two other seats (one in Scotland).
    assert build(after, seats=["Aberdeen North", "Hitchin", "Banbury"]).returncode == 0
    assert build(again, "--force", seats=["Banbury"]).returncode == 0
    a = (alone / "banbury.html").read_bytes()
    assert a == (after / "banbury.html").read_bytes(), "a briefing built after others equals one built alone"
    assert a == (again / "banbury.html").read_bytes(), "two builds of the same inputs are byte-identical"


def test_index_lists_every_briefing_with_working_links(tmp_path):
    out = tmp_path / "out"
    proc = build(out)
    assert proc.returncode == 0, proc.stderr
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "lxml")
    rows = page.select("#seats tbody tr")
    assert len(rows) == len(SEATS)
    text = page.get_text(" ")
    mps = {r["pcon_name"]: r["display_as"] for r in read_csv("mps_current")}
    for seat in SEATS:
        assert seat in text and mps[seat] in text
    for a in page.select("#seats a[href]"):
        assert (out / a["href"]).exists(), a["href"]
    assert page.select_one("input[type=search]") is not None
    for tag in page.find_all(["script", "link", "img"]):
        assert not tag.get("src") and not tag.get("href"), "the index works offline"


def test_selection_only_and_shard():
    only = run_build("--all", "--only", "Banbury", "W07000112", "--dry-run", "--out", "/nonexistent/x")
    assert "dry run: 2 to build" in only.stdout, only.stderr
    shard = run_build("--all", "--shard", "2/325", "--dry-run", "--out", "/nonexistent/x")
    assert "dry run: 2 to build" in shard.stdout
    bad = run_build("--all", "--shard", "5/4")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --shard")


def test_dask_executor_on_a_local_cluster(tmp_path):
    out = tmp_path / "out"
    proc = run_build("--constituency", "Banbury", "--constituency", "Hitchin", "--formats", "html",
                     "--executor", "dask", "--jobs", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert counts(proc)["built"] == 2
    local = tmp_path / "local"
    assert build(local, seats=["Banbury"]).returncode == 0
    assert (out / "banbury.html").read_bytes() == (local / "banbury.html").read_bytes()



def test_dask_executor_keeps_a_failed_notebook(tmp_path, data_copy):
    edit(data_copy / "constituency_to_police_force_area.csv",
         "E14001289,Hitchin,E23000027,Hertfordshire,Hertfordshire Constabulary,",
         "E14001289,Hitchin,E23000027,Hertfordshire,Atlantis Constabulary,")
    out = tmp_path / "out"
    proc = run_build("--constituency", "Hitchin", "--formats", "html", "--executor", "dask", "--jobs", "1",
                     "--out", str(out), env={"BRIEFPACK_DATA": str(data_copy)})
    assert proc.returncode == 1
    [line] = [l for l in proc.stderr.splitlines() if l.startswith("failed: ")]
    assert "Atlantis Constabulary" in line and line.endswith(f"the notebook with its traceback is {out / 'hitchin.failed.ipynb'}")
    import nbformat

    failed = nbformat.read(out / "hitchin.failed.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells for o in c.get("outputs", []))
