"""A by-election breaks no test: the suite reads its expected members from the data, never from itself.

The test copies data/, makes by-elections there the way the weekly refresh brings them in (the members
file as the Department for Education would publish it, a new member of another party in each of three
seats, brought in by the real `build.py --refresh-members FILE`, which writes the change log), then
runs the tests that depend on the members against the copy (``BRIEFPACK_DATA``; tests/conftest.py's
``DATA`` follows it) in a new pytest process, and asks that they pass.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from conftest import DATA, ROOT, members_snapshot_date, read_csv, run_cli

# The seats the tests named before they read the data (Banbury is the tests' usual seat; Makerfield was
# a by-election and Newark a change of party at 27 June 2026).
SEATS = ("Banbury", "Makerfield", "Newark")

# The fast tests that read the members (the member of a seat, its party, its date, the change log).
MEMBER_TESTS = ("test_members.py", "test_search.py", "test_refresh.py", "test_geography.py", "test_letters.py",
                "test_data.py", "test_record.py", "test_web.py", "test_inputs.py", "test_nations.py",
                "test_units.py", "test_postcodes.py")


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path, rows):
    """As the Department for Education writes the file: every field quoted, CRLF line endings."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)


def by_elections(rows: list[dict]) -> dict:
    """Each seat of SEATS gets a new member (a new member id) of a party other than the one holding the
    seat now and the one that won it in 2024; returns {gss code: (name, party)}."""
    parties = [r for r in read_csv("parties") if r["party"] not in ("Vacant", "Independent") and r["party_2024"]]
    elected = {r["gss_code"]: r for r in read_csv("mps_elected_ge2024")}
    codes = {r["party"]: r["party_2024"] for r in read_csv("parties")}
    ids = {r["member_id"] for r in rows}
    made = {}
    for n, seat in enumerate(SEATS, start=1):
        r = next(x for x in rows if x["pcon_name"] == seat)
        party = next(p["party"] for p in parties
                     if p["party_2024"] not in (codes.get(r["party_text"]), elected[r["pcon_code"]]["party_abbrev"]))
        member_id = next(str(i) for i in range(990000 + n, 999999) if str(i) not in ids)
        ids.add(member_id)
        name = f"A. N. Example {n}"
        r.update(member_id=member_id, full_title=f"{name} MP", display_as=name, party_text=party,
                 member_email=f"a.n.example.{n}.mp@parliament.uk")
        made[r["pcon_code"]] = (name, party)
    return made


@pytest.mark.e2e
def test_the_member_tests_pass_after_a_by_election(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rows = read_rows(data / "mps_current.csv")
    made = by_elections(rows)
    new_file = tmp_path / "mp_lookup.csv"
    write_rows(new_file, rows)
    as_at = max(dt.date.today(), members_snapshot_date() + dt.timedelta(days=1))
    refreshed = run_cli("--refresh-members", str(new_file), "--as-of", as_at.isoformat(),
                        env={"BRIEFPACK_DATA": str(data)})
    assert refreshed.returncode == 0, refreshed.stderr
    for code, (name, party) in made.items():
        assert f"({code}): new member: {name} ({party}); was " in refreshed.stdout, refreshed.stdout
    log = read_rows(data / "mp_changes.csv")
    assert {r["gss_code"] for r in log[-len(made):]} == set(made)
    assert all(r["kind"] == "new member" and r["file_changed"] == as_at.isoformat() for r in log[-len(made):])

    env = {**os.environ, "BRIEFPACK_DATA": str(data)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not e2e",
                           "--basetemp", str(tmp_path / "inner"), *(f"tests/{name}" for name in MEMBER_TESTS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary
