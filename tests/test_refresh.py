"""build.py refresh-members: check a new members file, bring it in with its changes logged, print them.

No test touches the network: local files, and a web server of the test's own on 127.0.0.1 for the
download path.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import http.server
import shutil
import socket
import threading

import pytest
from conftest import (
    DATA,
    members_base_date,
    members_snapshot_date,
    run_build,
    run_cli,
    safe_yaml,
)

BANBURY = "E14001072"
# Dates relative to the members file in use (a refresh refuses a file older than it), so a later refresh of
# data/ breaks no test: a week after it, and the day before it.
LATER = members_snapshot_date() + dt.timedelta(days=7)
EARLIER = members_snapshot_date() - dt.timedelta(days=1)


def long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def shipped(code: str) -> dict:
    """A seat's row in the members file shipped in data/."""
    return row(read_rows(DATA / "mps_current.csv"), code)


def another_party(party: str) -> str:
    """A party of parties.csv other than ``party`` (the first listed), for a change of party."""
    return next(r["party"] for r in read_rows(DATA / "parties.csv") if r["party"] not in (party, "Vacant"))


@pytest.fixture
def data_copy(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


@pytest.fixture(scope="module")
def unchanged_copy(tmp_path_factory):
    """One copy of data/ for the tests whose refresh must change nothing (each checks that it did not)."""
    dest = tmp_path_factory.mktemp("unchanged") / "data"
    shutil.copytree(DATA, dest)
    return dest


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def new_file(tmp_path, edit=None, name="mp_lookup.csv"):
    """A copy of the shipped members file, changed by ``edit(rows)``."""
    rows = read_rows(DATA / "mps_current.csv")
    if edit:
        rows = edit(rows) or rows
    path = tmp_path / name
    write_rows(path, rows)
    return path


def row(rows, code):
    return next(r for r in rows if r["pcon_code"] == code)


def refresh(data_copy, *args):
    """``build.py --refresh-members ARGS`` on the copy, run in this process (the command line's ``main``)."""
    return run_cli("--refresh-members", *args,
                     env={"BRIEFPACK_DATA": str(data_copy), "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"})


def snapshot(data_copy):
    return {p.relative_to(data_copy): p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}


def test_a_changed_party_is_logged_and_printed(tmp_path, data_copy):
    was = shipped(BANBURY)
    party = another_party(was["party_text"])
    path = new_file(tmp_path, lambda rows: row(rows, BANBURY).update(party_text=party))
    before = read_rows(data_copy / "mp_changes.csv")
    proc = refresh(data_copy, str(path), "--as-of", LATER.isoformat())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"Banbury (E14001072): party change: {was['display_as']}: {was['party_text']} -> {party}"
    assert lines[-1].startswith(f"members: 1 seat changed; data/mps_current.csv is now as at {LATER.isoformat()}")
    # The new file is in data/ byte for byte, with its sidecar.
    assert (data_copy / "mps_current.csv").read_bytes() == path.read_bytes()
    meta = safe_yaml((data_copy / "mps_current.meta.yml").read_text(encoding="utf-8"))
    assert meta["provenance"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["snapshot"] == {"as_at": LATER.isoformat(), "source": "local file mp_lookup.csv"}
    assert meta["provenance"]["as_at"] == members_base_date().isoformat(), "the first file's date stays"
    # One row in the change log, dated with the new file's date.
    after = read_rows(data_copy / "mp_changes.csv")
    assert after[:-1] == before
    assert after[-1] == {"file_changed": LATER.isoformat(), "commit": "", "gss_code": BANBURY,
                         "constituency_name": "Banbury", "before_member": was["display_as"],
                         "before_party": was["party_text"], "after_member": was["display_as"], "after_party": party,
                         "kind": "party change"}
    log_meta = safe_yaml((data_copy / "mp_changes.meta.yml").read_text(encoding="utf-8"))
    assert log_meta["provenance"]["sha256"] == hashlib.sha256((data_copy / "mp_changes.csv").read_bytes()).hexdigest()
    # The same file again: nothing to do, nothing written.
    kept = snapshot(data_copy)
    again = refresh(data_copy, str(path), "--as-of", (LATER + dt.timedelta(days=1)).isoformat())
    assert again.returncode == 0 and again.stdout.startswith("members: no change")
    assert snapshot(data_copy) == kept


def test_kinds_of_change_are_told_by_member_id_not_by_name(tmp_path, data_copy, monkeypatch):
    from briefpack.places import geography, members

    banbury, aldershot, makerfield = shipped(BANBURY), shipped("E14001063"), shipped("E14001350")
    monkeypatch.setenv("BRIEFPACK_DATA", str(data_copy))
    banbury_since = members.member(geography.resolve("Banbury")).since_2024

    def edit(rows):
        row(rows, BANBURY).update(display_as=f"Mr {banbury['display_as']}")              # same id: name style
        row(rows, "E14001289").update(member_id="999999", display_as="A. N. Other")        # Hitchin: another id
        row(rows, "E14001063").update(member_email="alex.baker@example.org")               # Aldershot: email
        row(rows, "E14001350").update(member_id="NA", full_title="Vacant", display_as="Vacant",
                                      party_text="Vacant", member_email="NA")              # Makerfield: vacancy
        row(rows, "E14001375").update(lad_names="Newark and Sherwood (renamed)")           # Newark: other detail
    proc = refresh(data_copy, str(new_file(tmp_path, edit)), "--as-of", LATER.isoformat())
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert (f"Aldershot (E14001063): email change: {aldershot['display_as']}: {aldershot['member_email']} -> "
            "alex.baker@example.org") in out
    assert (f"Banbury (E14001072): name style: {banbury['display_as']} -> Mr {banbury['display_as']} (same member, "
            f"{banbury['party_text']})") in out
    hitchin_before = row(read_rows(DATA / "mps_current.csv"), "E14001289")
    assert (f"Hitchin (E14001289): new member: A. N. Other ({hitchin_before['party_text']}); was "
            f"{hitchin_before['display_as']} ({hitchin_before['party_text']})") in out
    assert (f"Makerfield (E14001350): vacancy: now vacant; was {makerfield['display_as']} "
            f"({makerfield['party_text']})") in out
    assert "Newark (E14001375): other: other details changed (lad_names)" in out
    assert "members: 5 seats changed" in out
    kinds = {r["gss_code"]: r["kind"] for r in read_rows(data_copy / "mp_changes.csv")[-4:]}
    assert kinds == {"E14001063": "email change", BANBURY: "name style", "E14001289": "new member",
                     "E14001350": "vacancy"}, "other details are not member changes"
    # And the briefing's member follows: a new member since 2024 in Hitchin, Makerfield vacant, and
    # Banbury's member as it was (another form of the same member's name is no change).
    hitchin = members.member(geography.resolve("Hitchin"))
    assert hitchin.since_2024.kind == "by-election" and hitchin.as_of == long(LATER)
    assert members.member(geography.resolve("Makerfield")).vacant
    assert members.member(geography.resolve("Banbury")).since_2024 == banbury_since


def _drop_last(rows):
    return rows[:-1]


def _duplicate(rows):
    rows[1]["pcon_code"] = rows[0]["pcon_code"]


def _unknown_code(rows):
    rows[0]["pcon_code"] = "E14009999"


def _empty_name(rows):
    row(rows, BANBURY)["display_as"] = "  "


def _silent_vacancy(rows):
    row(rows, BANBURY).update(display_as="Vacant", party_text="Labour")


def _no_member_id(rows):
    row(rows, BANBURY)["member_id"] = "NA"


def _unknown_party(rows):
    row(rows, BANBURY)["party_text"] = "Labour Co-op"


def _same_member_twice(rows):
    row(rows, BANBURY)["member_id"] = row(rows, "E14001289")["member_id"]


def _extra_column(rows):
    for r in rows:
        r["new_column"] = "x"


@pytest.mark.parametrize("edit,expect", [
    (_drop_last, "has 649 data rows, expected 650"),
    (_duplicate, "duplicate pcon_code"),
    (_unknown_code, "not the 650 Westminster constituencies of 2024 (codes not in the constituency table: E14009999)"),
    (_empty_name, "column 'display_as': empty"),
    (_silent_vacancy, "a vacant seat must say 'Vacant' as both name and party"),
    (_no_member_id, "has no member id; only a vacant seat may lack one"),
    (_unknown_party, "party 'Labour Co-op' is not in data/parties.csv"),
    (_same_member_twice, "(Hitchin): member id"),
    (_extra_column, "unexpected column(s) ['new_column']"),
])
def test_a_file_that_fails_a_check_changes_nothing(tmp_path, unchanged_copy, edit, expect):
    data_copy = unchanged_copy
    kept = snapshot(data_copy)
    proc = refresh(data_copy, str(new_file(tmp_path, edit)), "--as-of", LATER.isoformat())
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: local file mp_lookup.csv") and expect in lines[0], lines
    assert lines[0].endswith("Nothing in data/ was changed.")
    assert "Traceback" not in proc.stderr
    assert snapshot(data_copy) == kept


@pytest.mark.parametrize("payload,expect", [
    (b"\xff\xfe\x00 not text", "not UTF-8"),
    (b"", "not a well-formed CSV"),
])
def test_not_a_csv(tmp_path, unchanged_copy, payload, expect):
    data_copy = unchanged_copy
    path = tmp_path / "junk.csv"
    path.write_bytes(payload)
    kept = snapshot(data_copy)
    proc = refresh(data_copy, str(path))
    assert proc.returncode == 2 and expect in proc.stderr and proc.stderr.count("\n") == 1
    assert snapshot(data_copy) == kept


def test_bad_sources_and_dates(tmp_path, unchanged_copy):
    data_copy = unchanged_copy
    kept = snapshot(data_copy)
    missing = refresh(data_copy, str(tmp_path / "nowhere.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    scheme = refresh(data_copy, "ftp://example.org/mp_lookup.csv")
    assert scheme.returncode == 2 and "http(s)://" in scheme.stderr
    party = another_party(shipped(BANBURY)["party_text"])
    path = new_file(tmp_path, lambda rows: row(rows, BANBURY).update(party_text=party))
    older = refresh(data_copy, str(path), "--as-of", EARLIER.isoformat())
    assert older.returncode == 2
    assert f"before the members in data/ (as at {members_snapshot_date().isoformat()})" in older.stderr
    bad = refresh(data_copy, str(path), "--as-of", "soon")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    assert snapshot(data_copy) == kept


@pytest.fixture
def loopback(tmp_path):
    """A web server on 127.0.0.1 that serves the files of tmp_path/www (the download path, offline)."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_download_is_checked_and_brought_in_like_a_file(tmp_path, data_copy, loopback):
    www, base = loopback
    was = shipped(BANBURY)
    party = another_party(was["party_text"])
    path = new_file(www, lambda rows: row(rows, BANBURY).update(party_text=party))
    kept = snapshot(data_copy)
    for bad, said in (("nothing.csv", "(HTTP 404)"), ("", "")):
        url = f"{base}/{bad}" if bad else _closed_port_url()
        proc = refresh(data_copy, url, "--as-of", LATER.isoformat())
        assert proc.returncode == 2 and proc.stderr.startswith(f"error: Could not download the members file from {url}")
        assert said in proc.stderr and "nothing in data/ was changed" in proc.stderr.lower(), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and snapshot(data_copy) == kept
    (www / "index.html").write_text("<!doctype html><title>Not a CSV</title>", encoding="utf-8")
    page = refresh(data_copy, f"{base}/index.html", "--as-of", LATER.isoformat())
    assert page.returncode == 2 and snapshot(data_copy) == kept, page.stderr
    proc = refresh(data_copy, f"{base}/mp_lookup.csv", "--as-of", LATER.isoformat())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == (f"Banbury (E14001072): party change: {was['display_as']}: "
                                           f"{was['party_text']} -> {party}")
    assert (data_copy / "mps_current.csv").read_bytes() == path.read_bytes()
    meta = safe_yaml((data_copy / "mps_current.meta.yml").read_text(encoding="utf-8"))
    assert meta["snapshot"] == {"as_at": LATER.isoformat(), "source": f"{base}/mp_lookup.csv"}


def _closed_port_url() -> str:
    with socket.socket() as s:       # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mp_lookup.csv"


def test_the_default_source_is_the_dfe_file():
    from briefpack.app import refresh as r

    assert r.default_source() == ("https://raw.githubusercontent.com/dfe-analytical-services/mp-lookup/refs/heads/main/"
                                  "mp_lookup.csv")


@pytest.mark.e2e
def test_one_changed_member_rebuilds_exactly_one_briefing(tmp_path, data_copy):
    """Refresh with a file where one seat's member changed: the next build rebuilds that seat only."""
    out = tmp_path / "out"
    seats = ["--constituency", "Banbury", "--constituency", "Hitchin", "--constituency", "Newark"]
    env = {"BRIEFPACK_DATA": str(data_copy)}
    first = run_build(*seats, "--formats", "html", "--out", str(out), "--jobs", "1", env=env)
    assert first.returncode == 0, first.stderr
    assert "summary: 3 built, 0 up to date, 0 failed" in first.stdout
    path = new_file(tmp_path, lambda rows: row(rows, BANBURY).update(member_id="999999", display_as="A. N. Other",
                                                                     full_title="A. N. Other MP"))
    proc = refresh(data_copy, str(path))
    assert proc.returncode == 0 and proc.stdout.startswith("Banbury (E14001072): new member: A. N. Other")
    dry = run_build(*seats, "--formats", "html", "--out", str(out), "--dry-run", env=env)
    [line] = [l for l in dry.stdout.splitlines() if l.startswith("would build: ")]
    assert line.startswith("would build: Banbury (E14001072): changed: ")
    assert set(line.split("changed: ")[1].split(", ")) == {"mps_current[E14001072]", "mp_changes[E14001072]"}
    assert "dry run: 1 to build, 2 up to date" in dry.stdout
    again = run_build(*seats, "--formats", "html", "--out", str(out), "--jobs", "1", env=env)
    assert "summary: 1 built, 2 up to date, 0 failed" in again.stdout, again.stdout
    html = (out / "banbury.html").read_text(encoding="utf-8")
    assert "A. N. Other" in html and "elected at a by-election" in html
