"""The tracker CSV as the campaign database's offline and interchange format (issue 17, point 1).

Every report and field goes out (Westminster and Scottish Parliament constituencies and regions, every
stage, contact details) and comes back: DB -> CSV -> DB -> CSV gives the same bytes and the same rows, into
the same database and into a new one, on SQLite and on PostgreSQL (``db_url`` from tests/test_reports.py:
the PostgreSQL half skips without BRIEFPACK_TEST_POSTGRES_URL, and fails under CI). Trackers of the
original nine columns still import; bad input gets one line naming the row and writes nothing.
Seats are read from the data files, never typed in.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import shutil

import pytest
from conftest import DATA, ROOT, read_csv, run_cli
from databases import add_coordinator, fresh_postgres
from test_reports import Client, a_pdf, schema_of

from briefpack.app import store
from briefpack.core.errors import BriefpackError
from briefpack.places import campaign

SAMPLE = ROOT / "tests" / "fixtures" / "tracker_sample.csv"
SHIPPED = DATA / "campaign" / "tracker.csv"
CONTACT = {"contact_name": "Ann Example", "contact_email": "ann.example@example.org"}


# --- seats, from the data files --------------------------------------------------------------------------

def westminster_seats() -> list[dict]:
    return read_csv("westminster_constituencies_2024")


def holyrood_seats() -> list[dict]:
    return read_csv("scottish_parliament_2026_constituencies")


def regions() -> list[str]:
    """The regions of the regional list (data/scottish_parliament_2026_regional_members.csv), in its order."""
    return list(dict.fromkeys(r["region"] for r in read_csv("scottish_parliament_2026_regional_members")))


def every_stage(day: dt.date) -> dict:
    """Every stage filled, in order, from ``day``."""
    names = ("agreed_to_act", "contact_made", "meeting_date", "letter_to_home_secretary", "reply_received",
             "press_release")
    out = {k: day + dt.timedelta(days=7 * i) for i, k in enumerate(names)}
    return out | {"met": True, "reply_summary": "The minister replied, with a \"quoted\" phrase, and a comma."}


def fill(database: store.Store) -> None:
    """Reports on two Westminster seats (one a Scottish seat at Westminster), two Scottish Parliament
    constituencies and two regions; every stage filled on some, a first stage only on others; with and
    without contact details; files uploaded to one."""
    day = dt.date(2026, 6, 1)
    west, scot, region = westminster_seats(), holyrood_seats(), regions()
    scottish_at_westminster = next(r for r in west if r["gss_code"].startswith("S14"))
    made = [
        ({"parliament": "westminster", "gss_code": west[0]["gss_code"], **every_stage(day), **CONTACT},
         [("letter", "application/pdf", a_pdf()), ("reply", "application/pdf", a_pdf())]),
        ({"parliament": "westminster", "gss_code": scottish_at_westminster["gss_code"], "contact_made": day}, []),
        ({"parliament": "scottish", "gss_code": scot[0]["code"], **every_stage(day)}, []),
        ({"parliament": "scottish", "gss_code": scot[-1]["code"], "agreed_to_act": day, **CONTACT}, []),
        ({"parliament": "scottish", "gss_code": "", "region": region[0], **every_stage(day), **CONTACT}, []),
        ({"parliament": "scottish", "gss_code": "", "region": region[-1], "contact_made": day}, []),
        # a second club on the first Westminster seat, less far on
        ({"parliament": "westminster", "gss_code": west[0]["gss_code"], "contact_made": day}, []),
        # text a spreadsheet would run as a formula (a club writes it with no account)
        ({"parliament": "westminster", "gss_code": west[3]["gss_code"], **every_stage(day),
          "club": '=HYPERLINK("http://example.org","x")', "reply_summary": "'+1 said the minister"}, []),
    ]
    for i, (values, files) in enumerate(made):
        database.create({"club": f"Soroptimist International Test {i}", **values}, files)


def snapshot(database: store.Store) -> list[tuple]:
    """Every report's fields that the CSV carries, in the order of the database."""
    fields = ("ref", "parliament", "gss_code", "region", "club", "contact_name", "contact_email", "agreed_to_act",
              "contact_made", "meeting_date", "met", "letter_to_home_secretary", "reply_received", "press_release",
              "reply_summary", "source")
    return [tuple(getattr(r, f) for f in fields) + (store._aware(r.updated),) for r in database.reports()]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def reopen(database: store.Store, url: str, tmp_path, name: str) -> store.Store:
    """A new, empty database of the same kind (PostgreSQL: the schema dropped and made again)."""
    database.close()
    if url.startswith("sqlite"):
        return store.Store(f"sqlite:///{tmp_path / name / store.DB_FILE}", tmp_path / f"{name}-uploads")
    return store.Store(fresh_postgres(), tmp_path / f"{name}-uploads")


# --- round trips -----------------------------------------------------------------------------------------

def test_every_report_and_field_round_trips(db, db_url, tmp_path):
    fill(db)
    before = snapshot(db)
    exported = store.export_csv(db)
    out = rows(exported)
    assert len(out) == db.count() == len(before), "every report is a row, Scottish Parliament ones included"
    assert tuple(out[0]) == campaign.FULL_COLUMNS

    west = {r["gss_code"]: r["name"] for r in westminster_seats()}
    scot = {r["code"]: " ".join(r["name"].split()) for r in holyrood_seats()}
    for row, report in zip(out, db.reports()):
        assert row["report"] == report.ref and row["parliament"] == report.parliament
        if report.region:
            assert (row["seat_type"], row["gss_code"], row["seat"]) == ("region", "", report.region)
            assert row["seat"] in regions()
        else:
            names = west if report.parliament == "westminster" else scot
            assert (row["seat_type"], row["gss_code"], row["seat"]) == (
                "constituency", report.gss_code, names[report.gss_code])
        for k in campaign.ROW_DATES:
            assert row[k] == (getattr(report, k).isoformat() if getattr(report, k) else "")
        assert (row["contact_name"], row["contact_email"]) == (report.contact_name, report.contact_email)
    full = out[0]
    assert all(full[k] for k in campaign.FULL_COLUMNS), "a report with every stage has every column filled"
    assert {r["parliament"] for r in out} == {"westminster", "scottish"}
    assert {r["seat_type"] for r in out} == {"constituency", "region"}
    assert any(not r["contact_email"] for r in out) and any(r["contact_email"] for r in out)
    assert "files" not in exported.splitlines()[0], "the uploads stay in the database's folder"
    for text in (store.export_csv(db), store.export_csv(db, "original")):
        cells = [v for r in rows(text) for k, v in r.items() if k in campaign.TEXT_COLUMNS]
        assert cells and not [v for v in cells if v and v[0] in "=+-@"], "no cell a spreadsheet would run"
        assert "'=HYPERLINK(" in text and "''+1 said" in text

    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    # into the same database: nothing changes, nothing is added
    assert store.import_csv(db, path) == len(out)
    assert store.export_csv(db) == exported and snapshot(db) == before
    assert all(r.files for r in db.reports()[:1]), "the uploads are kept"
    # into a new database: the same rows and the same bytes
    fresh = reopen(db, db_url, tmp_path, "fresh")
    try:
        assert store.import_csv(fresh, path) == len(out)
        assert snapshot(fresh) == before
        again = store.export_csv(fresh)
        assert again == exported, "DB -> CSV -> DB -> CSV: the same bytes"
        path.write_text(again, encoding="utf-8")
        store.import_csv(fresh, path)
        assert store.export_csv(fresh) == exported and fresh.count() == len(out)
        assert all(r.token_hash is None for r in fresh.reports()), "a club's private link is not in the CSV"
    finally:
        fresh.close()


def test_an_edited_row_updates_its_report(db, tmp_path):
    fill(db)
    token_before = {r.ref: r.token_hash for r in db.reports()}
    exported = rows(store.export_csv(db))
    exported[2]["press_release"] = ""
    exported[5]["meeting_date"] = "2026-07-01"
    exported.append({**exported[1], "report": "", "club": "A new club", "source": "", "updated": ""})
    path = tmp_path / "edited.csv"
    write_rows(path, exported)
    store.import_csv(db, path)
    reports = db.reports()
    assert reports[2].press_release is None and reports[5].meeting_date == dt.date(2026, 7, 1)
    assert reports[-1].club == "A new club" and reports[-1].source == "tracker" and len(reports) == len(exported)
    assert {r.ref: r.token_hash for r in reports[:-1]} == token_before, "the clubs' links still work"
    shared = [dict(r) for r in rows(store.export_csv(db))]
    assert all("contact_name" in r for r in shared)
    # a file without the contact columns leaves the database's contact details as they are
    no_contacts = store.export_csv(db, "no-contacts")
    assert "contact_email" not in no_contacts.splitlines()[0] and CONTACT["contact_email"] not in no_contacts
    path.write_text(no_contacts, encoding="utf-8")
    store.import_csv(db, path)
    assert [dict(r) for r in rows(store.export_csv(db))] == shared


def write_rows(path, rows_: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows_[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows_)


def test_original_trackers_still_import(db, tmp_path):
    """Today's tracker files: CSV -> DB -> CSV exact in the original columns (byte for byte for a file
    written as the export writes it), and into the full layout and back without a change."""
    written = tmp_path / "original.csv"
    write_rows(written, rows(SAMPLE.read_text(encoding="utf-8")))
    for path in (SAMPLE, written, SHIPPED):
        assert store.import_csv(db, path) == len(rows(path.read_text(encoding="utf-8")))
    assert rows(store.export_csv(db, "original")) == rows(SAMPLE.read_text(encoding="utf-8"))
    assert store.export_csv(db, "original") == written.read_text(encoding="utf-8")
    assert db.count() == len(rows(SAMPLE.read_text(encoding="utf-8"))), "the same seats, imported again"
    full = store.export_csv(db)
    assert {r["source"] for r in rows(full)} == {"tracker"}
    path = tmp_path / "full.csv"
    path.write_text(full, encoding="utf-8")
    store.import_csv(db, path)
    store.import_csv(db, written)                 # the original file again: its seats' imported rows
    assert store.export_csv(db) == full and store.export_csv(db, "original") == written.read_text(encoding="utf-8")


def test_the_original_columns_say_what_they_leave_out(db, tmp_path):
    fill(db)
    out = tmp_path / "original.csv"
    proc = run_cli("db", "--export-tracker", out, "--tracker-columns", "original",
                   env={"BRIEFPACK_DATABASE_URL": db.url, "BRIEFPACK_UPLOAD_DIR": str(db.upload_dir)})
    assert proc.returncode == 0, proc.stderr
    scottish = sum(1 for r in db.reports() if r.parliament == "scottish")
    assert f"leave out {scottish} Scottish Parliament reports" in proc.stderr
    assert CONTACT["contact_name"] not in proc.stdout + proc.stderr
    assert tuple(rows(out.read_text(encoding="utf-8"))[0]) == campaign.ORIGINAL_COLUMNS
    assert CONTACT["contact_email"] not in out.read_text(encoding="utf-8")


def test_the_progress_report_reads_the_full_layout(db, data_copy):
    """A full export in data/campaign/ is read by the progress report (its Westminster seats, the most
    advanced report of each) as the database gives them."""
    fill(db)
    (data_copy / "campaign" / "tracker.csv").write_text(store.export_csv(db), encoding="utf-8")
    from briefpack.render.report import ProgressReport

    assert campaign.load(data_copy) == db.entries()
    assert len(campaign.rows(str(data_copy), None)) == db.count()
    statuses = ProgressReport(dt.date(2026, 12, 31)).rows.set_index("gss_code").status   # reads data_copy's file
    for code, entry in db.entries().items():
        assert statuses[code] == entry.status


# --- personal data ---------------------------------------------------------------------------------------

def test_no_personal_data_in_the_shipped_tracker_or_the_logs(db, tmp_path, caplog):
    shipped = rows(SHIPPED.read_text(encoding="utf-8"))
    assert all(not r.get(c) for r in shipped for c in campaign.CONTACT_COLUMNS)
    fill(db)
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "export.csv"
    env = {"BRIEFPACK_DATABASE_URL": db.url, "BRIEFPACK_UPLOAD_DIR": str(db.upload_dir)}
    proc = run_cli("db", "--export-tracker", path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert CONTACT["contact_email"] in path.read_text(encoding="utf-8")
    proc2 = run_cli("db", "--import-tracker", path, env=env)
    assert proc2.returncode == 0, proc2.stderr
    said = proc.stdout + proc.stderr + proc2.stdout + proc2.stderr + caplog.text
    assert CONTACT["contact_email"] not in said and CONTACT["contact_name"] not in said


def test_the_web_export_is_for_signed_in_coordinators_and_holds_everything(server):
    fill(store.default())
    signed_out = Client(server)
    status, headers, body = signed_out.get("/coordinators/tracker.csv")
    assert status == 303 and headers["location"].endswith("/coordinators/sign-in")
    assert CONTACT["contact_email"].encode() not in body
    add_coordinator()
    coordinator = Client(server)
    assert coordinator.sign_in()[0] == 303
    status, headers, body = coordinator.get("/coordinators/tracker.csv")
    assert status == 200 and headers["cache-control"] == "no-store"
    assert headers["content-disposition"].startswith("attachment")
    assert body.decode("utf-8") == store.export_csv(store.default())
    page = coordinator.get("/coordinators/")[2].decode("utf-8")
    assert f"{regions()[0]} (region)" in page


# --- bad input ------------------------------------------------------------------------------------------

def _full_row(**values) -> dict:
    seat = westminster_seats()[0]
    row = dict.fromkeys(campaign.FULL_COLUMNS, "")
    return row | {"parliament": "westminster", "seat_type": "constituency", "gss_code": seat["gss_code"],
                  "seat": seat["name"], "club": "A club", "contact_made": "2026-06-01"} | values


def _bad_cases() -> list:
    west, scot = westminster_seats()[1], holyrood_seats()[0]
    unused = next(f"E14{n:06d}" for n in range(999999, 0, -1)
                  if f"E14{n:06d}" not in {r["gss_code"] for r in westminster_seats()})
    return [
        ("unknown seat code", [_full_row(gss_code=unused, seat="")],
         f"{unused} is not a Westminster constituency code"),
        ("bad date", [_full_row(meeting_date="2026-02-30")], "'2026-02-30' is not a real date; write YYYY-MM-DD"),
        ("badly written date", [_full_row(agreed_to_act="1/6/2026")], "write the date as YYYY-MM-DD"),
        ("Westminster code under the Scottish Parliament",
         [_full_row(parliament="scottish", gss_code=west["gss_code"], seat="")],
         f"{west['gss_code']} ({west['name']}) is a Westminster constituency code but the row says parliament scottish"),
        ("Scottish Parliament code under Westminster", [_full_row(gss_code=scot["code"], seat="")],
         "is a Scottish Parliament constituency code but the row says parliament westminster"),
        ("unknown region", [_full_row(parliament="scottish", seat_type="region", gss_code="", seat="Nowhere")],
         "'Nowhere' is not a Scottish Parliament region"),
        ("name not the code's", [_full_row(seat=west["name"])], f"is not {westminster_seats()[0]['gss_code']}"),
        ("duplicate report", [_full_row(report="0123456789abcdef", gss_code=west["gss_code"], seat=""),
                              _full_row(report="0123456789abcdef")], "report 0123456789abcdef is also on row 3"),
        ("duplicate seat", [_full_row(club="One"), _full_row(club="Two")], "a second row for"),
        ("stages out of order", [_full_row(agreed_to_act="2026-07-01")], "contact_made (2026-06-01) is before agreed_to_act"),
        ("bad email", [_full_row(contact_email="not an address")], "is not an email address"),
    ]


@pytest.mark.parametrize("case", _bad_cases(), ids=lambda c: c[0])
def test_bad_input_is_refused_whole_with_one_line(db, tmp_path, case):
    _, bad_rows, message = case
    fill(db)
    before, before_csv = snapshot(db), store.export_csv(db)
    good = dict(zip(campaign.FULL_COLUMNS, [""] * len(campaign.FULL_COLUMNS))) | _full_row(
        gss_code=westminster_seats()[2]["gss_code"], seat="")
    path = tmp_path / "bad.csv"
    write_rows(path, [good, *bad_rows])
    line = 2 + len(bad_rows)
    with pytest.raises(BriefpackError) as err:
        store.import_csv(db, path)
    said = str(err.value)
    assert "\n" not in said and message in said and f"row {line}" in said and str(path) in said, said
    assert "not an address" not in said, "a contact detail is never repeated in a message"
    assert snapshot(db) == before and store.export_csv(db) == before_csv, "one transaction: nothing written"
    proc = run_cli("db", "--import-tracker", path,
                   env={"BRIEFPACK_DATABASE_URL": db.url, "BRIEFPACK_UPLOAD_DIR": str(db.upload_dir)})
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr
    assert "Traceback" not in proc.stderr and snapshot(db) == before


def test_a_wrong_header_is_refused(db, tmp_path):
    path = tmp_path / "wrong.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0].replace("gss_code", "code")] + lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(BriefpackError) as err:
        store.import_csv(db, path)
    said = str(err.value)
    assert "\n" not in said and str(path) in said and "['gss_code']" in said and "export" in said, said
    assert db.count() == 0


def test_old_layout_duplicate_and_bad_rows(db, tmp_path):
    header, first, *_ = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "old.csv"
    path.write_text("\n".join([header, first, first.replace("Banbury", "Banbury Two")]) + "\n", encoding="utf-8")
    with pytest.raises(BriefpackError, match="row 3: a second row for"):
        store.import_csv(db, path)
    assert db.count() == 0


def test_a_report_changed_since_the_export_is_not_overwritten(db, tmp_path):
    fill(db)
    exported = rows(store.export_csv(db))
    with db.tx() as s:        # a club updates its report after the coordinator exported (as Store.update does)
        r = s.get(store.Report, db.reports()[1].id)
        r.meeting_date, r.updated = dt.date(2026, 8, 1), store.utcnow()
    before = snapshot(db)
    exported[1]["club"] = "Renamed offline"
    path = tmp_path / "stale.csv"
    write_rows(path, exported)
    with pytest.raises(BriefpackError, match=r"row 3: report [0-9a-f]{16} .* changed in the database .* export again"):
        store.import_csv(db, path)
    assert snapshot(db) == before


def test_a_copy_of_data_with_the_full_layout_is_checked_on_load(data_copy, db):
    """The progress report's own read of data/campaign/tracker.csv applies the same checks."""
    fill(db)
    text = store.export_csv(db).splitlines()
    bad = text[1].replace(",westminster,", ",scottish,", 1)
    (data_copy / "campaign" / "tracker.csv").write_text("\n".join([text[0], bad]) + "\n", encoding="utf-8")
    with pytest.raises(BriefpackError, match="data/campaign/tracker.csv row 2: .* parliament scottish"):
        campaign.load(data_copy)
    shutil.copy(SHIPPED, data_copy / "campaign" / "tracker.csv")
    assert campaign.load(data_copy) == {}


def test_a_database_of_the_previous_schema_gets_report_references(db_url, tmp_path):
    """Migration 0003 on a database that already holds reports: each gets its own reference and no region."""
    from sqlalchemy import text

    with schema_of(db_url, "0002") as conn:
        for code in (r["gss_code"] for r in westminster_seats()[:3]):
            conn.execute(text(
                "INSERT INTO reports (parliament, gss_code, club, contact_name, contact_email, met, reply_summary, "
                "source, version, created, updated) VALUES ('westminster', :code, 'A club', '', '', false, '', "
                "'club', 1, :now, :now)"), {"code": code, "now": store.utcnow()})
    database = store.Store(db_url, tmp_path / "uploads")
    try:
        reports = database.reports()
        assert len(reports) == 3 and len({r.ref for r in reports}) == 3 and all(len(r.ref) == 16 for r in reports)
        assert all(r.region == "" for r in reports)
        assert [r["report"] for r in rows(store.export_csv(database))] == [r.ref for r in reports]
    finally:
        database.close()
