"""Sitting members: the current MP, the date that holds, local corrections, and the change since 2024.

Expected values are read from the CSVs with the standard library (and the sidecar's dates with PyYAML),
never written here, so a refresh of the members (a by-election, a change of party) breaks no test: the
seats that differ from July 2024 are worked out again from the files, independently of briefpack.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from conftest import (
    DATA,
    current_member,
    long_date,
    members_base_date,
    read_csv,
    seat_as_at,
)

from briefpack.core.errors import DataError
from briefpack.data import catalogue as data
from briefpack.data import record
from briefpack.places import geography, members


def rows_by_code(name, key):
    return {r[key]: r for r in read_csv(name)}


def snapshot_date() -> dt.date:
    return members_base_date()


def long(day: dt.date) -> str:
    return long_date(day)


def new_member_seats() -> set:
    """GSS codes with a new member since July 2024: a by-election in the notes, or a 'new member' row of
    the change log that the notes do not call a correction."""
    notes = read_csv("mp_change_notes")
    corrections = {(r["gss_code"], r["file_changed"]) for r in notes if r["kind"] == "correction"}
    return {r["gss_code"] for r in notes if r["kind"] == "by-election"} | {
        r["gss_code"] for r in read_csv("mp_changes")
        if r["kind"] == "new member" and (r["gss_code"], r["file_changed"]) not in corrections}


def changed_since_2024() -> dict:
    """{seat name: kind} for every seat whose member differs from July 2024, read from the files: vacant
    where the members file says 'Vacant' as name and party; a by-election (:func:`new_member_seats`); else a
    party change where the party's 2024 code in parties.csv differs (so Labour (Co-op) is Labour)."""
    code = {r["party"]: r["party_2024"] for r in read_csv("parties")}
    elected = rows_by_code("mps_elected_ge2024", "gss_code")
    new = new_member_seats()
    kinds = {}
    for r in read_csv("mps_current"):
        if r["display_as"] == "Vacant" and r["party_text"] == "Vacant":
            kinds[r["pcon_name"]] = "vacant"
        elif r["pcon_code"] in new:
            kinds[r["pcon_name"]] = "by-election"
        elif code[r["party_text"]] != elected[r["pcon_code"]]["party_abbrev"]:
            kinds[r["pcon_name"]] = "party change"
    return kinds


def seats_of_kind(kind: str) -> list[str]:
    return sorted(k for k, v in changed_since_2024().items() if v == kind)


def _logged(kind: str) -> set:
    return {r["constituency_name"] for r in read_csv("mp_changes") if r["kind"] == kind}


# One seat of each kind, chosen from the data (at 27 June 2026: Aberdeen South, and Coventry South, whose
# change of party the change log shows; after a by-election, whichever seats the files then give).
BY_ELECTION = seats_of_kind("by-election")[0]
PARTY_CHANGE = next((s for s in seats_of_kind("party change") if s in _logged("party change")),
                    seats_of_kind("party change")[0])


@pytest.fixture(scope="module")
def all_sitting():
    """Every seat's sitting member from data/, worked out once for the tests that read them all."""
    return members.all_sitting()


def test_the_twenty_seats_that_differ_from_july_2024(all_sitting):
    """Twenty seats at 27 June 2026 (5 by-elections, 15 changes of party); whatever the files now give."""
    kinds = {geography.resolve(g).name: m.since_2024.kind for g, m in all_sitting.items() if m.since_2024}
    expected = changed_since_2024()
    assert kinds == expected
    assert "by-election" in expected.values() and "party change" in expected.values()


def test_party_changes_agree_with_an_independent_reading_of_the_files(all_sitting):
    """Same party = same 2024 code in parties.csv (so Labour (Co-op) is Labour); by-election seats aside."""
    code = {r["party"]: r["party_2024"] for r in read_csv("parties")}
    elected = rows_by_code("mps_elected_ge2024", "gss_code")
    new = new_member_seats()
    changed = {r["pcon_name"] for r in read_csv("mps_current")
               if r["pcon_code"] not in new and r["party_text"] != "Vacant"
               and code[r["party_text"]] != elected[r["pcon_code"]]["party_abbrev"]}
    sitting = all_sitting
    assert changed == {geography.resolve(g).name for g, m in sitting.items()
                       if m.since_2024 and m.since_2024.kind == "party change"}
    by_elections = {r["gss_code"] for r in read_csv("mp_change_notes") if r["kind"] == "by-election"}
    assert by_elections and all(sitting[g].since_2024.kind in ("by-election", "vacant") for g in by_elections)


def test_another_form_of_name_is_not_a_change(all_sitting):
    """Seats that show the 2024 member under another form of name (14 at 27 June 2026): none is a change."""
    elected = rows_by_code("mps_elected_ge2024", "gss_code")
    changed = changed_since_2024()
    renamed = [r for r in read_csv("mps_current") if r["display_as"] != elected[r["pcon_code"]]["mp_name"]
               and r["pcon_name"] not in changed]
    by_code = {r["pcon_code"]: r for r in renamed}
    assert renamed, "the files have seats whose member is named another way than in 2024"
    sitting = all_sitting
    for code, row in by_code.items():
        assert sitting[code].since_2024 is None, row["pcon_name"]
        assert sitting[code].name == row["display_as"], "the name as the members file writes it"


def test_labour_co_op_members_elected_as_labour_have_not_changed_party(all_sitting):
    """A party named otherwise than in 2024 under the same 2024 code (Labour (Co-op) elected as Labour)."""
    code = {r["party"]: r["party_2024"] for r in read_csv("parties")}
    elected = rows_by_code("mps_elected_ge2024", "gss_code")
    changed = changed_since_2024()
    co_op = [r for r in read_csv("mps_current") if r["pcon_name"] not in changed
             and r["party_text"] != elected[r["pcon_code"]]["party_name"]
             and code[r["party_text"]] == elected[r["pcon_code"]]["party_abbrev"]]
    assert co_op
    sitting = all_sitting
    assert all(sitting[r["pcon_code"]].since_2024 is None for r in co_op)


def test_makerfield_and_newark():
    """A by-election seat and a seat whose member changed party (Makerfield and Newark at 27 June 2026)."""
    current = rows_by_code("mps_current", "pcon_name")
    elected = rows_by_code("mps_elected_ge2024", "constituency_name")
    mk = members.member(geography.resolve(BY_ELECTION))
    now = current[BY_ELECTION]
    assert (mk.name, mk.party) == (now["display_as"], now["party_text"])
    assert mk.as_of == long(seat_as_at(now["pcon_code"]))
    assert mk.since_2024.kind == "by-election" and mk.since_2024.name_2024 == elected[BY_ELECTION]["mp_name"]
    nw = members.member(geography.resolve(PARTY_CHANGE))
    now = current[PARTY_CHANGE]
    assert (nw.name, nw.party) == (now["display_as"], now["party_text"])
    assert nw.as_of == long(seat_as_at(now["pcon_code"]))
    assert nw.since_2024.kind == "party change" and nw.since_2024.party_2024 == elected[PARTY_CHANGE]["party_name"]
    assert nw.since_2024.party_now == now["party_text"]
    assert nw.majority == int(elected[PARTY_CHANGE]["majority"]), "the 2024 result stays"


def test_emails_and_missing_emails(all_sitting):
    current = rows_by_code("mps_current", "pcon_code")
    sitting = all_sitting
    for code, row in current.items():
        expected = "" if row["member_email"] == "No email found" else row["member_email"]
        assert sitting[code].email == expected


def test_a_local_correction_wins_and_says_so(data_copy):
    (data_copy / "campaign" / "member_overrides.csv").write_text(
        "seat,member,party,email,date,source\n"
        "Banbury,A. N. Other,Green Party,a.n.other.mp@parliament.uk,2026-12-01,Declaration of the returning officer\n"
        "E14001350,Vacant,,,2026-12-02,Resignation announced in the House\n", encoding="utf-8")
    banbury = members.member(geography.resolve("Banbury"))
    assert (banbury.name, banbury.party, banbury.as_of) == ("A. N. Other", "Green Party", "1 December 2026")
    assert banbury.overridden and "Declaration of the returning officer" in banbury.source
    elected = rows_by_code("mps_elected_ge2024", "constituency_name")["Banbury"]
    assert banbury.since_2024.kind == "corrected" and banbury.since_2024.name_2024 == elected["mp_name"]
    makerfield = members.member(geography.resolve("Makerfield"))
    assert makerfield.vacant and makerfield.name == "" and makerfield.since_2024.kind == "vacant"
    with record.capture() as reads:
        members.member(geography.resolve("Banbury"))
    assert reads.tables[members.OVERRIDES] == {("seat", "E14001072"), ("seat", "Banbury")}
    assert len(members.overrides()) == 2


_SHARED: dict = {}


@pytest.fixture
def shared_copy(tmp_path_factory, monkeypatch):
    """One copy of data/ for the cases that only write the local corrections: the other tables are read
    once, not once a case."""
    if "copy" not in _SHARED:
        _SHARED["copy"] = tmp_path_factory.mktemp("shared") / "data"
        shutil.copytree(DATA, _SHARED["copy"])
    monkeypatch.setenv("BRIEFPACK_DATA", str(_SHARED["copy"]))
    return _SHARED["copy"]


@pytest.mark.parametrize("row,expect", [
    ("Banburyy,X,Labour,,2026-12-01,page", "seat 'Banburyy' is not a Westminster constituency"),
    ("banbury,X,Labour,,2026-12-01,page", "exactly as `python build.py list`"),
    ("Banbury,X,Labour Co-op,,2026-12-01,page", "party 'Labour Co-op' is not in data/parties.csv"),
    ("Banbury,X,Labour,,2026-02-30,page", "date '2026-02-30' is not a real date"),
    ("Banbury,X,Labour,,2026-12-01,page\nE14001072,Y,Labour,,2026-12-02,page", "already has a correction"),
    ("Banbury,X,Labour,,1 Dec 2026,page", "column 'date'"),
])
def test_bad_local_corrections_fail_with_one_line(shared_copy, row, expect):
    path = shared_copy / "campaign" / "member_overrides.csv"
    path.write_text(f"seat,member,party,email,date,source\n{row}\n", encoding="utf-8")
    _SHARED["writes"] = _SHARED.get("writes", 0) + 1      # a new time stamp, however fast the writes come
    os.utime(path, ns=(path.stat().st_mtime_ns + _SHARED["writes"],) * 2)
    with pytest.raises(DataError) as err:
        members.member(geography.resolve("Banbury"))
    assert expect in str(err.value) and "\n" not in str(err.value)


def _edit_row(path, code, **values):
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["pcon_code"] == code:
            r.update(values)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def test_a_vacancy_must_be_stated(data_copy):
    path = data_copy / "mps_current.csv"
    _edit_row(path, "E14001072", member_id="NA", full_title="Vacant", display_as="Vacant", party_text="Vacant",
              member_email="NA")
    mp = members.member(geography.resolve("Banbury"))
    assert mp.vacant and mp.name == "" and mp.since_2024.kind == "vacant"
    _edit_row(path, "E14001072", party_text="Labour")
    with pytest.raises(DataError, match="a vacant seat must say 'Vacant' as both name and party"):
        members.member(geography.resolve("Banbury"))


def test_each_seat_has_its_own_date(data_copy):
    """A seat changed by a later refresh (a row in the change log) is as at that refresh's date."""
    log = read_csv("mp_changes")
    later = max([snapshot_date(), *(dt.date.fromisoformat(r["file_changed"]) for r in log)]) + dt.timedelta(days=7)
    with open(data_copy / "mp_changes.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{later.isoformat()},,E14001072,Banbury,Sean Woodcock,Labour,Sean Woodcock,Labour,email change\n")
    assert members.member(geography.resolve("Banbury")).as_of == long(later)
    logged = {r["gss_code"] for r in log}
    unchanged = next(r for r in read_csv("mps_current") if r["pcon_code"] not in logged)
    assert members.member(geography.resolve(unchanged["pcon_code"])).as_of == long(snapshot_date())


def test_a_member_look_up_records_the_seat_rows_it_read():
    from briefpack.build import plan

    with record.capture() as reads:
        members.member(geography.resolve("Makerfield"))
    for table, column in ((data.MPS_CURRENT, "pcon_code"), (data.MP_CHANGES, "gss_code"),
                          (data.MP_CHANGE_NOTES, "gss_code"), (members.OVERRIDES, "seat"), (data.MPS, "gss_code")):
        assert reads.tables[table] == {(column, "E14001350")} | (
            {(column, "Makerfield")} if table == members.OVERRIDES else set()), table
    assert reads.tables[data.PARTIES] == {record.WHOLE}
    assert dict(plan.briefing_job("Makerfield").info)["member_as_at"] == long(seat_as_at("E14001350"))


# --- end to end: the briefings, the index, the progress report and a topic briefing --------------

@pytest.fixture(scope="module")
def changed_seats(tmp_path_factory):
    from conftest import run_build

    out = tmp_path_factory.mktemp("members")
    proc = run_build("--constituency", BY_ELECTION, "--constituency", PARTY_CHANGE, "--formats", "html,pdf",
                     "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    return out


def _page(out, slug):
    from bs4 import BeautifulSoup

    return BeautifulSoup((out / f"{slug}.html").read_text(encoding="utf-8"), "lxml")


def _flat(text):
    return " ".join(text.split())


def _slug(seat):
    return geography.resolve(seat).slug


def _party_change_sentence(name, party_2024, party_now):
    """The cover's sentence for a member who changed party, as the campaign's words put it."""
    was = "as an Independent" if party_2024 == "Independent" else f"as the {party_2024} candidate"
    article = "an" if party_now[:1].upper() in "AEIOU" else "a"
    now = "now sits as an Independent" if party_now == "Independent" else f"is now {article} {party_now} MP"
    return f"{name} was elected {was} in July 2024 and {now}."


@pytest.mark.e2e
def test_makerfield_names_andy_burnham_with_the_snapshot_date(changed_seats):
    """A by-election seat (Makerfield, Andy Burnham, at 27 June 2026) names its member with the seat's date."""
    from pypdf import PdfReader

    current = rows_by_code("mps_current", "pcon_name")[BY_ELECTION]
    elected = rows_by_code("mps_elected_ge2024", "constituency_name")[BY_ELECTION]
    as_at = long(seat_as_at(current["pcon_code"]))
    page = _page(changed_seats, _slug(BY_ELECTION))
    member = _flat(page.select_one(".cover td.member").get_text(" "))
    assert member == f"{current['display_as']} , {current['party_text']} (as at {as_at})"
    since = _flat(page.select_one(".cover .since-2024").get_text(" "))
    assert since == (f"{current['display_as']} was elected at a by-election after the general election of 4 July "
                     f"2024, at which {elected['mp_name']} ({elected['party_name']}) won the seat.")
    result = _flat(page.select_one(".cover .result-2024").get_text(" "))
    assert f"{int(elected['majority']):,} votes" in result and "4 July 2024" in result
    email = "" if current["member_email"] in ("No email found", "NA") else current["member_email"]
    shown = page.select_one(".cover .mp-email")
    assert (shown.get_text() if shown else "") == email
    meeting = _flat(page.select_one("p.as-at").get_text(" "))
    assert f"{current['display_as']} ({current['party_text']}), as at {as_at}" in meeting
    pdf = _flat(" ".join(p.extract_text() or "" for p in
                         PdfReader(str(changed_seats / f"{_slug(BY_ELECTION)}.pdf")).pages))
    assert f"{current['display_as']}, {current['party_text']} (as at {as_at})" in pdf
    assert "elected at a by-election after the general election of 4 July 2024" in pdf
    assert not re.search(r"\bas elected\b", page.get_text(" "), re.I), "no longer 'the MP as elected in 2024'"


@pytest.mark.e2e
def test_newark_shows_the_party_change(changed_seats):
    """A seat whose member changed party since 2024 (Newark at 27 June 2026) shows both parties."""
    current = rows_by_code("mps_current", "pcon_name")[PARTY_CHANGE]
    elected = rows_by_code("mps_elected_ge2024", "constituency_name")[PARTY_CHANGE]
    page = _page(changed_seats, _slug(PARTY_CHANGE))
    assert _flat(page.select_one(".cover td.member").get_text(" ")).startswith(
        f"{current['display_as']} , {current['party_text']} (as at")
    assert _flat(page.select_one(".cover .since-2024").get_text(" ")) == _party_change_sentence(
        current["display_as"], elected["party_name"], current["party_text"])
    sources = page.get_text(" ")
    assert "Changes of sitting MP or party since July 2025" in sources and "compiled by hand" in sources


@pytest.mark.e2e
def test_the_index_gives_each_member_with_its_date(changed_seats):
    page = _page(changed_seats, "index")
    rows = {tr["data-key"]: tr for tr in page.select("#seats tbody tr")}
    by_election, party_change = current_member(BY_ELECTION), current_member(PARTY_CHANGE)
    assert _flat(rows[by_election["pcon_code"]].select("td")[2].get_text(" ")) == (
        f"{by_election['display_as']} as at {long(seat_as_at(by_election['pcon_code']))}")
    assert rows[party_change["pcon_code"]].select("td")[3].get_text() == party_change["party_text"]
    notes = [p.get_text() for p in page.select("p.muted")]
    assert not any(re.search(r"\bas elected\b", t) for t in notes)
    footer = next(t for t in notes if "Members of Parliament" in t)
    from conftest import members_snapshot_date

    assert "UK Parliament Members API" in footer and long(members_snapshot_date()) in footer


@pytest.mark.e2e
def test_progress_report_names_the_current_member(tmp_path, data_copy):
    from conftest import run_build

    seat = current_member(PARTY_CHANGE)
    (data_copy / "campaign" / "tracker.csv").write_text(
        "gss_code,club,contact_made,meeting_date,met,letter_to_home_secretary,reply_received,press_release,"
        f"reply_summary\n{seat['pcon_code']},Soroptimist International {seat['pcon_name']},2026-07-01,2026-08-01,"
        "True,2026-08-10,2026-10-01,,A reply.\n", encoding="utf-8")
    proc = run_build("--progress", "--as-of", "2026-11-23", "--formats", "html", "--out", str(tmp_path / "out"),
                     env={"BRIEFPACK_DATA": str(data_copy)})
    assert proc.returncode == 0, proc.stderr
    page = _page(tmp_path / "out", "progress")
    reply = page.select_one("section.reply")
    assert reply.h3.get_text() == f"{seat['pcon_name']}: {seat['display_as']} ({seat['party_text']})"
    assert f"as at {long(seat_as_at(seat['pcon_code']))}" in reply.get_text(" ")


@pytest.mark.e2e
def test_a_topic_briefing_uses_the_2025_figures(tmp_path):
    from conftest import run_build

    proc = run_build("--topic", "data", "--formats", "html", "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    page = _page(tmp_path, "topic-data")
    annex = next(r for r in read_csv("nrm_headlines_2024_2025") if r["period"] == "2025"
                 and r["measure"] == "referrals_total" and "end-of-year-summary" in r["source_url"])
    assert page.select_one('[data-figure="uk-total"]').get_text() == f"{int(annex['value']):,}"
    dtn = next(f for f in page.select("figure.chart") if "Duty to Notify" in f.figcaption.get_text())
    dtn_2025 = next(r for r in read_csv("nrm_headlines_2024_2025") if r["period"] == "2025"
                    and r["measure"] == "dtn_reports")
    assert f"{int(dtn_2025['value']):,} in 2025" in dtn.select_one("[role=img]")["aria-label"]
    assert "end-of-year summary 2025, annex" in dtn.select_one(".source").get_text()
    assert "seven quarters from April 2022 to December 2023" in page.get_text(" ")
