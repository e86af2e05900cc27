"""What a briefing reads is recorded where it is read, and drives both the sources page and the manifest.

There is no planner's prediction to compare with: it was retired (see briefpack.data.record). These tests
check instead that the record is exact (a seat's own rows, its own forces, the published police total,
whole national tables), that caches replay what they read, and, end to end, that a researcher's cell
reading a new table puts it on the sources page and makes a change to it rebuild that briefing."""
from __future__ import annotations

import json
import shutil

import nbformat
import pandas as pd
import pytest
from conftest import DATA, ROOT, read_csv, run_build

from briefpack.build import manifest
from briefpack.data import catalogue as data
from briefpack.data import record, used
from briefpack.places import geography
from briefpack.render.briefing import Briefing


@pytest.fixture(autouse=True)
def fresh_record():
    record.start()
    yield
    record.start()


def test_load_select_and_look_ups_record_what_they_read():
    data.load(data.NRM_UK)
    data.select(data.NRM_POLICE, "police_first_responder", ["Thames Valley Police"])
    seat = geography.resolve("Banbury")
    geography.forces(seat)
    snap = record.snapshot()
    assert snap[data.NRM_UK] == [record.WHOLE]
    assert snap[data.NRM_POLICE] == [["police_first_responder", "Thames Valley Police"]]
    assert snap[data.CONSTITUENCIES] == [["gss_code", "E14001072"]]
    assert snap[data.SEAT_FORCES] == [["pcon24_code", "E14001072"]]


def test_a_briefing_records_its_own_seat_and_forces_only():
    b = Briefing.prepare("Hitchin")            # split between two forces
    for section in (b.cover, b.why_it_matters, b.your_area, b.chosen_concerns, b.the_ask, b.letter):
        section()
    snap = record.snapshot()
    forces = {r["nrm_police_first_responder_name"] for r in read_csv(data.SEAT_FORCES) if r["pcon24_name"] == "Hitchin"}
    assert len(forces) == 2
    assert {v for _, v in snap[data.NRM_POLICE]} == forces | {"Police total"}
    assert {v for _, v in snap[data.NRM_POLICE_NATIONALITY]} == forces
    for table in (data.CONSTITUENCIES, data.MPS_CURRENT, data.MPS, data.SEAT_FORCES):
        assert {v for _, v in snap[table]} == {"E14001289"}, table
    assert snap[data.NRM_UK] == [record.WHOLE] and snap[data.NRM_HEADLINES] == [record.WHOLE]


def test_a_cached_section_replays_its_reads_for_the_next_briefing():
    Briefing.prepare("Banbury").why_it_matters()
    record.start()                              # the next briefing in the same warm kernel
    Briefing.prepare("Hitchin").why_it_matters()   # served from the cache
    assert record.snapshot()[data.NRM_UK] == [record.WHOLE]
    assert record.snapshot()[data.NRM_HEADLINES] == [record.WHOLE]


def test_memo_replays_into_every_frame_and_capture_is_nested():
    calls = []

    @record.memo(maxsize=1)
    def reader(name):
        calls.append(name)
        return data.load(name).shape

    with record.capture() as first:
        reader(data.DTN)
    with record.capture() as second:
        assert reader(data.DTN) == data.read(data.DTN).shape
    assert calls == [data.DTN]
    assert first.tables == second.tables == {data.DTN: {record.WHOLE}}
    reader(data.NRM_UK)     # evicts DTN (maxsize 1)
    reader(data.DTN)
    assert calls == [data.DTN, data.NRM_UK, data.DTN]


def test_the_sources_page_lists_only_tables_that_gave_something():
    Briefing.prepare("Banbury")                  # reads the tracker for Banbury, which has no row
    assert "campaign/tracker" in record.tables_read()
    assert "campaign/tracker" not in used.tables_used()


def test_the_manifest_hashes_each_recorded_key_as_the_data_is_now(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv("BRIEFPACK_DATA", str(copy))
    reads = {data.NRM_POLICE: [["police_first_responder", "Thames Valley Police"]], data.DTN: [record.WHOLE],
             "gone": [record.WHOLE]}
    before = manifest.Slices().for_reads(reads)
    assert set(before) == {f"{data.NRM_POLICE}[Thames Valley Police]", data.DTN, "gone"}
    assert before["gone"] == "missing"
    police = copy / f"{data.NRM_POLICE}.csv"
    text = police.read_text(encoding="utf-8")
    other = "2022,Q2,Hertfordshire Constabulary,Criminal,Adult (18 or over),Male,"
    assert other in text
    police.write_text(text.replace(other, other + "9", 1), encoding="utf-8")   # another force's row
    assert manifest.Slices().for_reads(reads) == before
    tv = "2022,Q2,Thames Valley Police,Criminal,Adult (18 or over),Female,1\n"
    police.write_text(police.read_text(encoding="utf-8").replace(tv, tv.replace(",1\n", ",2\n")), encoding="utf-8")
    after = manifest.Slices().for_reads(reads)
    assert after[f"{data.NRM_POLICE}[Thames Valley Police]"] != before[f"{data.NRM_POLICE}[Thames Valley Police]"]
    assert after[data.DTN] == before[data.DTN]


def test_from_notebook_puts_the_final_sources_in_place():
    nb = nbformat.v4.new_notebook()
    early = nbformat.v4.new_code_cell("b.sources()")
    early.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<p>early</p>",
                                                             record.SOURCES_MIME: {"tables": ["a"]}})]
    last = nbformat.v4.new_code_cell(used.EMIT_SOURCE)
    last.metadata["tags"] = [record.TAG]
    last.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<p>final</p>",
                                                            record.MIME: {"a": ["*"], "b": ["*"]},
                                                            record.SOURCES_MIME: {"tables": ["a", "b"]}})]
    nb.cells = [early, last]
    assert record.from_notebook(nb) == {"a": ["*"], "b": ["*"]}
    assert early.outputs[0]["data"]["text/html"] == "<p>final</p>"
    assert early.outputs[0]["data"][record.SOURCES_MIME] == {"tables": ["a", "b"]}
    assert record.from_notebook(nbformat.v4.new_notebook()) is None


@pytest.mark.e2e
def test_a_researchers_table_is_sourced_and_its_changes_rebuild_the_briefing(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    for folder in ("content", "src", "campaign.yml"):
        (project / folder).symlink_to(ROOT / folder)
    if (ROOT / "templates").exists():
        (project / "templates").symlink_to(ROOT / "templates")
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    path = project / "notebooks" / "briefing.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "b.letter()" in c.source)   # below the sources cell
    nb.cells.insert(at, nbformat.v4.new_code_cell(
        "from briefpack import data\n"
        "dtn = data.load('duty_to_notify_reports_quarterly_2015_2023')\n"
        "dtn[dtn.quarter == 'Total'][['year', 'dtn_reports']].tail(3)"))
    nbformat.write(nb, path)
    env = {"BRIEFPACK_ROOT": str(project), "BRIEFPACK_DATA": str(copy)}
    out = tmp_path / "out"
    args = ("-c", "Banbury", "-c", "Hitchin", "--formats", "html", "--out", str(out), "--jobs", "1")
    first = run_build(*args, env=env)
    assert first.returncode == 0, first.stderr
    from bs4 import BeautifulSoup

    page = BeautifulSoup((out / "banbury.html").read_text(encoding="utf-8"), "lxml")
    rows = {tr.td.get_text(): tr.get_text(" | ") for tr in page.select("table.sources tbody tr")}
    meta = data.meta("duty_to_notify_reports_quarterly_2015_2023")
    assert meta.title in rows, "the researcher's table is on the sources page"
    assert meta.provenance["publisher"] in rows[meta.title] and meta.provenance["period"] in rows[meta.title]
    reads = {json.loads(line)["slug"]: json.loads(line)["reads"] for line in (out / "manifest.jsonl").open()}
    assert reads["banbury"]["duty_to_notify_reports_quarterly_2015_2023"] == [record.WHOLE]
    # The table's last yearly row, as the page shows it, against the CSV read on its own.
    last = [r for r in read_csv("duty_to_notify_reports_quarterly_2015_2023") if r["quarter"] == "Total"][-1]
    assert f"{int(last['dtn_reports']):,}" in page.get_text()

    csv = copy / "duty_to_notify_reports_quarterly_2015_2023.csv"
    df = pd.read_csv(csv, dtype=str)
    df.loc[df.index[0], "dtn_reports"] = str(int(df.loc[df.index[0], "dtn_reports"]) + 1)
    df.to_csv(csv, index=False, lineterminator="\n")
    again = run_build(*args, env=env)
    assert again.returncode == 0, again.stderr
    assert "summary: 2 built, 0 up to date, 0 failed" in again.stdout, "both briefings read the table"
    plain = tmp_path / "plain"      # the project's own notebook does not read it
    plain_args = ("-c", "Banbury", "--formats", "html", "--out", str(plain), "--jobs", "1")
    assert run_build(*plain_args, env={"BRIEFPACK_DATA": str(copy)}).returncode == 0
    df.loc[df.index[0], "dtn_reports"] = str(int(df.loc[df.index[0], "dtn_reports"]) + 1)
    df.to_csv(csv, index=False, lineterminator="\n")
    unchanged = run_build(*plain_args, "--dry-run", env={"BRIEFPACK_DATA": str(copy)})
    assert "dry run: 0 to build, 1 up to date" in unchanged.stdout, "a briefing that did not read it stays"
    assert json.loads((plain / "manifest.jsonl").read_text().splitlines()[0])["reads"].get(
        "duty_to_notify_reports_quarterly_2015_2023") is None
