"""Shared charts are drawn once per process: the national chart once, a police force's chart once per
force. A chart from the cache still records what it was drawn from, and an edit to its words or data
draws it again. The same holds for the look-ups kept for all of a briefing's asks (police oversight,
children's councils)."""
from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from collections import defaultdict

import pytest
from conftest import ROOT, read_csv

from briefpack.build.plan import briefing_job
from briefpack.build.worker import Worker
from briefpack.data import catalogue as data
from briefpack.data import record, used
from briefpack.render import briefing, charts
from briefpack.render.briefing import Briefing
from briefpack.words import powers


def seats_of_one_force() -> tuple[str, str, str]:
    """(force, seat, seat): two Westminster seats served by one police force only, read from the data."""
    forces_of = defaultdict(set)
    for row in read_csv("constituency_to_police_force_area"):
        forces_of[row["pcon24_code"]].add(row["nrm_police_first_responder_name"])
    seats_of = defaultdict(list)
    for seat, forces in sorted(forces_of.items()):
        if len(forces) == 1:
            seats_of[next(iter(forces))].append(seat)
    force, seats = next((f, s) for f, s in sorted(seats_of.items()) if len(s) >= 2)
    return force, seats[0], seats[1]


def docx_parts(docx: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return {name: z.read(name) for name in z.namelist()}


def figure(html: str) -> str:
    return re.search(r'<figure class="chart">.*?</figure>', html, re.DOTALL).group(0)


@pytest.fixture
def fresh_record():
    briefing._force_chart.cache_clear()
    record.start()
    yield
    briefing._force_chart.cache_clear()
    record.start()


def test_a_force_chart_from_the_cache_records_the_rows_it_was_drawn_from(fresh_record):
    force, _, _ = seats_of_one_force()
    args = (data.stamp(data.NRM_POLICE), charts.drawing_key(), force, "a source")
    drawn = briefing._force_chart(*args)
    read_when_drawn = record.snapshot()
    assert ["police_first_responder", force] in read_when_drawn[data.NRM_POLICE]

    record.start()                            # the next briefing, in the same process
    cached = briefing._force_chart(*args)
    assert cached is drawn, "drawn once"
    assert record.snapshot() == read_when_drawn, "the cache hit records the same reads"
    assert data.NRM_POLICE in used.tables_used(), "so the sources section still lists the table"


def test_the_second_seat_of_a_force_records_and_lists_what_the_first_did(fresh_record):
    force, first, second = seats_of_one_force()
    pages = []
    for seat in (first, second):
        record.start()
        b = Briefing.prepare(constituency=seat)
        b.why_it_matters()
        area = b.your_area()
        pages.append((area.html, record.snapshot()[data.NRM_POLICE], used.tables_used()))
    (html1, police1, tables1), (html2, police2, tables2) = pages
    assert figure(html1) == figure(html2), "both seats show the one drawing"
    assert police1 == police2 and ["police_first_responder", force] in police2
    assert set(tables1) == set(tables2)
    assert {data.NRM_POLICE, data.NRM_UK} <= set(tables2), "the cached charts' tables stay in the sources"


def test_an_edit_to_the_words_of_a_chart_draws_it_again(tmp_path, monkeypatch, fresh_record):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    monkeypatch.setenv("BRIEFPACK_CONTENT", str(content))
    _, seat, _ = seats_of_one_force()
    before = Briefing.prepare(constituency=seat).your_area().html
    path = content / "charts.yml"
    text = path.read_text(encoding="utf-8")
    old = "title: Referrals made by {force} as first responder, by quarter and type"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "title: Edited chart title for {force}"), encoding="utf-8")
    after = Briefing.prepare(constituency=seat).your_area().html
    assert "Edited chart title for" not in before and "Edited chart title for" in after


def test_a_changed_police_table_draws_the_force_chart_again(data_copy, fresh_record):
    force, _, _ = seats_of_one_force()
    first = briefing._force_chart(data.stamp(data.NRM_POLICE), charts.drawing_key(), force, "a source")
    path = data_copy / f"{data.NRM_POLICE}.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = briefing._force_chart(data.stamp(data.NRM_POLICE), charts.drawing_key(), force, "a source")
    assert again is not first, "drawn again from the table as it is now"
    assert again.to_html() == first.to_html(), "the same rows give the same drawing"


@pytest.mark.e2e
def test_a_seat_built_after_another_of_its_force_equals_one_built_first(tmp_path):
    """One warm kernel: the seat first (its charts drawn), then another seat of its force, then the seat
    again (its charts from the cache): the same page, letter and record of reads."""
    _, first, second = seats_of_one_force()
    worker = Worker()
    try:
        jobs = [briefing_job(first), briefing_job(second), briefing_job(first)]
        (drawn, drawn_reads), _, (cached, cached_reads) = [worker.render(job, ("html", "docx")) for job in jobs]
        worker.tidy()
    finally:
        worker.close()
    assert cached["html"] == drawn["html"]
    assert docx_parts(cached["docx"]) == docx_parts(drawn["docx"]), "the letter's every part (not the zip's clock)"
    assert cached_reads == drawn_reads and data.NRM_POLICE in cached_reads and data.NRM_UK in cached_reads


def test_a_kept_oversight_row_and_a_seats_councils_record_their_reads_again(fresh_record):
    """The police oversight body of a force and a seat's children's councils are looked up once for all the
    asks of a briefing (and the force's row once for all its seats); each hit notes the same reads."""
    force, seat_code, _ = seats_of_one_force()
    seat = Briefing.prepare(constituency=seat_code).seat
    powers._oversight.cache_clear()
    powers._children_councils.cache_clear()
    record.start()
    first = (powers.oversight(force), powers.children_councils(seat))
    read_first = record.snapshot()
    assert {data.COUNCIL_FORCES, powers.OVERSIGHT, data.SEAT_COUNCILS} <= set(read_first)
    record.start()
    assert (powers.oversight(force), powers.children_councils(seat)) == first
    assert record.snapshot() == read_first


def test_a_national_figure_is_kept_for_every_seat_and_notes_its_reads_again(data_copy, fresh_record):
    from briefpack.words import figures

    fig = figures.FIGURES["uk_referrals_trend"]
    with record.capture() as first_reads:
        first = fig(None)
    with record.capture() as kept_reads:
        kept = fig(None)
    assert kept is first, "computed once"
    assert kept_reads.to_json() == first_reads.to_json() and data.NRM_UK in kept_reads.tables
    path = data_copy / f"{data.NRM_UK}.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    again = fig(None)
    assert again is not first and again == first, "computed again from the table as it is now"
