"""Data tests: every table matches its schema and provenance; bad files fail with one clear line."""
from __future__ import annotations

import shutil

import pytest

from briefpack import data
from briefpack.errors import DataError
from conftest import DATA, read_csv

TABLES = data.table_names()


def test_every_csv_has_a_sidecar():
    csvs = sorted(p.stem for p in DATA.glob("*.csv"))
    assert csvs == TABLES


@pytest.mark.parametrize("name", TABLES)
def test_table_matches_schema_and_checksum(name):
    m = data.meta(name)
    df = data.load(name)
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
    from conftest import run_build

    folder = _copy_data(tmp_path)
    _break(folder / "mps_elected_ge2024.csv", ",5683,", ",lots,")
    out = tmp_path / "out"
    proc = run_build("--constituency", "Banbury", "--out", str(out), env={"BRIEFPACK_DATA": str(folder)})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "mps_elected_ge2024.csv" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not any(out.iterdir())
