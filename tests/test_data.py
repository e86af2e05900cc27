"""Data tests: every table matches its schema and provenance; bad files fail with one clear line."""
from __future__ import annotations

import csv
import shutil

import pytest
from conftest import DATA, read_csv, run_build

from briefpack.build.pack import LOCK
from briefpack.core.errors import DataError
from briefpack.data import catalogue as data

TABLES = data.table_names()
# Tables a refresh adds rows to (build.py refresh-members): no fixed row count; at least those shipped.
GROWING = {data.MP_CHANGES: 41}


def test_every_csv_has_a_sidecar():
    csvs = sorted(p.stem for p in DATA.glob("*.csv"))
    assert csvs == TABLES


@pytest.mark.parametrize("name", TABLES)
def test_table_matches_schema_and_checksum(name):
    m = data.meta(name)
    df = data.load(name)
    if name in GROWING:
        assert "rows" not in m.schema and len(df) >= GROWING[name], "a log that refreshes add to keeps its rows"
    else:
        assert len(df) == m.schema["rows"]
    assert data.file_sha256(m.csv) == m.provenance["sha256"], "data changed: update its sidecar and provenance"
    p = m.provenance
    for key in ("publisher", "dataset", "period", "licences", "attribution", "source_copy", "how_made"):
        assert p.get(key), f"{name}: provenance needs {key}"


def test_650_constituencies_each_with_a_police_force():
    seats = read_csv("westminster_constituencies_2024")
    assert len(seats) == 650, "There should be 650 constituencies"
    counts = {}
    for n in ("England", "Wales", "Scotland", "Northern Ireland"):
        counts[n] = sum(r["nation"] == n for r in seats)
    assert counts == {"England": 543, "Wales": 32, "Scotland": 57, "Northern Ireland": 18}
    forces = read_csv("constituency_to_police_force_area")
    share = {}
    for r in forces:
        share[r["pcon24_code"]] = share.get(r["pcon24_code"], 0) + float(r["share_of_constituency_pop"])
    assert set(share) == {r["gss_code"] for r in seats}, "every seat maps to a police force area"
    assert all(abs(s - 1) < 0.02 for s in share.values()), "population shares add up to 1 per seat"
    police_names = {r["police_first_responder"] for r in read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4")}
    assert {r["nrm_police_first_responder_name"] for r in forces} <= police_names, "every force joins the NRM table"


def test_nrm_police_hierarchy_adds_up():
    """Forces add up to 'Police total' each quarter: so summing one level never double counts."""
    rows = read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4")
    top = [r for r in rows if r["exploitation_type"] == "Total" and r["age_at_exploitation"] == "Total"
           and r["gender"] == "Total"]
    by_q = {}
    for r in top:
        key = (r["year"], r["quarter"])
        slot = by_q.setdefault(key, {"forces": 0, "total": None})
        if r["police_first_responder"] == "Police total":
            slot["total"] = int(r["people"])
        else:
            slot["forces"] += int(r["people"])
    assert len(by_q) == 7
    assert all(v["forces"] == v["total"] for v in by_q.values())


def _copy_data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _break(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize("mutate,expect", [
    (lambda d: _break(d / "mps_elected_ge2024.csv", "Alex Baker", "Alex Baker\nE1,x"), "mps_elected_ge2024.csv"),
    (lambda d: _break(d / "westminster_constituencies_2024.csv", "E14001063,Aldershot", "E14001063X,Aldershot"),
     "row 2, column 'gss_code'"),
    (lambda d: _break(d / "mps_elected_ge2024.csv", ",5683,", ",lots,"), "column 'majority': 'lots' is not a valid int"),
    (lambda d: _break(d / "constituency_to_police_force_area.csv", "share_of_constituency_pop", "pop_share"),
     "missing column(s) ['share_of_constituency_pop']"),
    (lambda d: (d / "nrm_referrals_uk_quarterly_2009_2023.csv").unlink(), "file is missing"),
    (lambda d: _break(d / "westminster_constituencies_2024.csv", "E14001064,Aldridge", "E14001063,Aldridge"),
     "duplicate gss_code"),
    (lambda d: (d / "nrm_referrals_uk_quarterly_2009_2023.csv").write_bytes(b"\xff\xfe\x00bad"), "not UTF-8"),
])
def test_malformed_data_fails_with_one_line(tmp_path, mutate, expect):
    folder = _copy_data(tmp_path)
    mutate(folder)
    names = [data.MPS, data.CONSTITUENCIES, data.SEAT_FORCES, data.NRM_UK]
    with pytest.raises(DataError) as err:
        for name in names:
            data.load(name, folder)
    message = str(err.value)
    assert "\n" not in message
    assert expect in message, message


@pytest.mark.e2e
def test_malformed_data_stops_the_build_cleanly(tmp_path):
    folder = _copy_data(tmp_path)
    _break(folder / "mps_elected_ge2024.csv", ",5683,", ",lots,")
    out = tmp_path / "out"
    proc = run_build("--constituency", "Banbury", "--out", str(out), env={"BRIEFPACK_DATA": str(folder)})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "mps_elected_ge2024.csv" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not any(out.iterdir())


# --- whole-file structure: a cut file is refused, naming the file and the line ---------------------------

UK = "nrm_referrals_uk_quarterly_2009_2023"
POLICE = "nrm_referrals_by_police_force_first_responder_2022q2_2023q4"


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _cut_last_number(folder):
    """Cut the UK table in the middle of its last number, as an interrupted copy would."""
    path = folder / f"{UK}.csv"
    raw = path.read_bytes()
    path.write_bytes(raw[:-3])  # '...,Total,219\n' -> '...,Total,2'
    return len(_lines(path))


def _drop_a_field(folder):
    """Remove one field from a row in the middle of the police table."""
    path = folder / f"{POLICE}.csv"
    lines = _lines(path)
    middle = len(lines) // 2
    lines[middle] = lines[middle].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return middle + 1


DAMAGES = [
    (_cut_last_number, UK, "(the last line) does not end with a line break, so the file may have been cut short"),
    (_drop_a_field, POLICE, "has 6 fields, the header has 7"),
]


def test_a_cut_file_would_change_a_figure(tmp_path):
    """Why it matters: the cut file still has 885 rows of valid numbers, and the 2023 total drops."""
    folder = _copy_data(tmp_path)
    _cut_last_number(folder)

    def total_2023(path):
        with open(path, encoding="utf-8", newline="") as fh:
            return sum(int(r["nrm_referrals"]) for r in csv.DictReader(fh)
                       if r["year"] == "2023" and r["location_of_exploitation"] == "Total")

    assert total_2023(DATA / f"{UK}.csv") == 17004
    assert total_2023(folder / f"{UK}.csv") == 16787
    assert len(_lines(folder / f"{UK}.csv")) == len(_lines(DATA / f"{UK}.csv"))


@pytest.mark.parametrize("damage,table,what", DAMAGES)
def test_damaged_file_is_refused_naming_file_and_line(tmp_path, damage, table, what):
    folder = _copy_data(tmp_path)
    line = damage(folder)
    with pytest.raises(DataError) as err:
        data.load(table, folder)
    assert str(err.value).startswith(f"data/{table}.csv: line {line} ")
    assert what in str(err.value)


@pytest.mark.e2e
@pytest.mark.parametrize("damage,table,what", DAMAGES)
def test_damaged_file_stops_the_build_before_anything_is_built(tmp_path, damage, table, what):
    folder = _copy_data(tmp_path)
    line = damage(folder)
    out = tmp_path / "out"
    proc = run_build("--constituency", "Banbury", "--out", str(out), "--jobs", "1", env={"BRIEFPACK_DATA": str(folder)})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"error: data/{table}.csv: line {line} ") and what in lines[0]
    assert not out.exists() or {f.name for f in out.iterdir()} <= {LOCK}, "nothing is built"


@pytest.mark.parametrize("stray", [',"Labour,', ',Lab"our,', ',Labour",'])
def test_stray_quote_is_refused_with_its_line(tmp_path, stray):
    folder = _copy_data(tmp_path)
    path = folder / f"{POLICE}.csv"
    lines = _lines(path)
    row = [i for i, line in enumerate(lines) if ",Labour," in line][3]
    lines[row] = lines[row].replace(",Labour,", stray, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        data.load(POLICE, folder)
    assert str(err.value).startswith(f"data/{POLICE}.csv: line {row + 1}: ") and "stray" in str(err.value)


def test_quoted_fields_with_commas_and_doubled_quotes_are_fine(tmp_path):
    folder = _copy_data(tmp_path)
    overrides = folder / "campaign" / "msp_overrides.csv"
    overrides.write_text('seat,member,known_as,party,date,source\n"Aberdeen Central","Jane ""JD"" Doe, MSP",,,'
                         '2026-06-01,"a page, quoted"\n', encoding="utf-8")
    df = data.load("campaign/msp_overrides", folder)
    assert list(df.member) == ['Jane "JD" Doe, MSP'] and list(df.source) == ["a page, quoted"]


def test_hand_edited_files_line_endings_bom_and_blank_lines(tmp_path):
    """A tracker saved by a spreadsheet (BOM, CRLF, a blank line) reads as the same table; an error
    after a blank line names the file's real line."""
    folder = _copy_data(tmp_path)
    tracker = folder / "campaign" / "tracker.csv"
    header = _lines(tracker)[0]
    rows = ["E14001072,Banbury Soroptimists,2026-01-05,,,,,,", "E14001289,Hitchin Club,2026-02-01,,,,,,"]
    tracker.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    plain = data.load("campaign/tracker", folder)
    tracker.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([header, rows[0], "", rows[1], ""]).encode())
    assert data.load("campaign/tracker", folder).equals(plain)
    assert list(plain.gss_code) == ["E14001072", "E14001289"]

    tracker.write_text("\n".join([header, rows[0], "", "E14001289,Hitchin Club,2026-02-x1,,,,,,"]) + "\n",
                       encoding="utf-8")
    with pytest.raises(DataError) as err:
        data.load("campaign/tracker", folder)
    assert str(err.value).startswith("data/campaign/tracker.csv: row 4, column 'contact_made'")

    tracker.write_text(header + "\n" + rows[0], encoding="utf-8")  # saved without a final line break
    with pytest.raises(DataError) as err:
        data.load("campaign/tracker", folder)
    assert str(err.value).startswith("data/campaign/tracker.csv: line 2 (the last line) does not end with a line break")
