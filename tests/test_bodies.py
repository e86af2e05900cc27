"""Every body named, and the right one (issue 14): the body that holds each police force to account, from
data/police_oversight.csv; the council that holds children's services, from the council data; who holds the
police to account and who sets priorities in each nation, each statement with a verbatim passage of a stored
extract; and, end to end, the built briefings and letters of a seat in each nation and a Scottish Parliament
seat say so. Expected bodies are read from the data files, never written into the test."""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from conftest import DATA, ROOT, read_csv, run_build

from briefpack.core.errors import DataError
from briefpack.places import geography
from briefpack.words import content, powers

SHARED = ROOT.parent.parent / "shared" / "data-sources" / "police_oversight" / "police_oversight.csv"
EXTRACTS = ROOT / "content" / "sources" / "extracts"
PLACE = {"England": "England", "Wales": "Wales", "Scotland": "Scotland", "Northern Ireland": "Northern Ireland"}


def oversight_rows() -> list[dict]:
    return read_csv("police_oversight")


def nrm_name_of(area: str) -> str:
    """The force's NRM name (what a briefing passes) for a police force area name, from the council file."""
    names = {r["nrm_police_first_responder_name"] for r in read_csv("lad23_to_police_force_area") if r["pfa_name"] == area}
    assert len(names) == 1, area
    return names.pop()


def main_force_area(gss: str) -> str:
    rows = [r for r in read_csv("constituency_to_police_force_area") if r["pcon24_code"] == gss]
    return max(rows, key=lambda r: float(r["share_of_constituency_pop"]))["pfa_name"]


def expected_councils(gss: str) -> list[str]:
    """The upper-tier councils of a seat, computed here from the three data files."""
    lads = {r["lad23_code"]: r for r in read_csv("lad23_to_police_force_area")}
    counties = {r["county_council_code"]: r["official_name"] for r in read_csv("county_councils_2023")}
    share = defaultdict(float)
    for r in read_csv("constituency_to_lad23_overlap"):
        if r["pcon24_code"] == gss:
            lad = lads[r["lad23_code"]]
            name = counties[lad["county_council_code"]] if lad["la_type"] == "NMD" else lad["council_official_name"]
            share[name] += float(r["percentage_overlap_pop"])
    return [n for n, s in sorted(share.items(), key=lambda kv: (-kv[1], kv[0])) if s > 0]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!:;])\s+", text) if s]


# --- the data ----------------------------------------------------------------------------------------

def test_oversight_table_is_the_shared_one_and_covers_every_force():
    if SHARED.exists():
        assert (DATA / "police_oversight.csv").read_bytes() == SHARED.read_bytes(), "copy of the shared table"
    rows = oversight_rows()
    areas = {r["pfa_name"] for r in read_csv("lad23_to_police_force_area")}
    assert {r["force_name"] for r in rows} == areas, "one row for every police force area of the project"
    for r in rows:
        assert r["source_url"].startswith("http") and r["source_quote"].strip() and r["since"].isdigit(), r


def test_every_two_tier_district_has_its_county_council():
    counties = {r["county_council_code"] for r in read_csv("county_councils_2023")}
    for lad in read_csv("lad23_to_police_force_area"):
        if lad["la_type"] == "NMD":
            assert lad["county_council_code"] in counties, lad["lad23_name"]
        else:
            assert not lad["county_council_code"], lad["lad23_name"]


# --- every force, through the functions ---------------------------------------------------------------

@pytest.mark.parametrize("row", oversight_rows(), ids=lambda r: r["force_name"])
def test_every_force_is_held_to_account_by_the_body_in_the_table(row):
    force = nrm_name_of(row["force_name"])
    ask = powers.powers().ask("policing", PLACE[row["nation"]], force)
    title = row["body_title"]
    assert title in [b.name for b in ask.bodies], "the body named in 'Who can act'"
    assert title in ask.write_to, "the member is asked to write to it"
    for text in (ask.ask, ask.letter):
        assert title[1:] in text, text   # "The Mayor ..." at the start of a sentence, "the Mayor ..." inside one
    assert title[1:] in ask.question
    # Only the general wording's words are gone: no "(or the elected mayor, where ...)".
    assert "where the mayor holds that role" not in ask.ask + ask.letter
    kind = row["body_kind"]
    if kind in ("pcc", "pfcc"):
        assert any("13 November 2025" in n and "2028" in n for n in ask.notes), "the dated abolition note"
    else:
        assert not ask.notes, "no commissioner to abolish here"
    if kind == "city_of_london":
        assert "carries out the police authority functions for the City of London Police" in ask.ask
    else:
        chief = "the Commissioner of Police of the Metropolis" if kind == "mopac" else \
            f"the Chief Constable of {powers.force_in_text(force)}"
        assert f"{title} holds {chief} to account"[1:] in ask.ask, ask.ask
        assert ask.claims, "the duty carries its passage"


@pytest.mark.parametrize("force,title", [("Greater Manchester Police", "the Mayor of Greater Manchester"),
                                         ("North Wales Police", "the Police and Crime Commissioner for North Wales"),
                                         ("Cheshire Constabulary", "the Police and Crime Commissioner for Cheshire")])
def test_the_issue_s_forces(force, title):
    """Checked against the table too: Makerfield's mayor, Ynys Môn's commissioner, Runcorn's Cheshire."""
    area = [r for r in read_csv("lad23_to_police_force_area") if r["nrm_police_first_responder_name"] == force][0]
    row = [r for r in oversight_rows() if r["force_name"] == area["pfa_name"]][0]
    assert row["body_title"] == title
    assert powers.oversight(force)["body_title"] == title


# --- councils for children's services ------------------------------------------------------------------

@pytest.mark.e2e  # a sweep over every seat: with the full run, not on every change
def test_every_seat_names_the_councils_that_hold_children_s_services():
    lad_names = {r["lad23_name"]: r for r in read_csv("lad23_to_police_force_area")}
    for seat in geography.seats():
        got = [name for name, _ in powers.children_councils(seat)]
        if seat.nation == "Northern Ireland":
            assert got == [], "the Trusts look after children there"
            continue
        assert got == expected_councils(seat.gss_code), seat.name
        for name in got:   # never a district council of a two-tier area
            district = [r for r in lad_names.values() if r["council_official_name"] == name]
            assert all(r["la_type"] != "NMD" for r in district), (seat.name, name)


def test_banbury_is_oxfordshire_county_council_not_cherwell():
    seat = geography.resolve("Banbury")
    cherwell = [r for r in read_csv("lad23_to_police_force_area") if r["lad23_name"] == "Cherwell"][0]
    county = [r for r in read_csv("county_councils_2023") if r["county_council_code"] == cherwell["county_council_code"]]
    assert [n for n, _ in powers.children_councils(seat)] == [county[0]["official_name"]]
    ask = powers.powers().ask("children", "England", geography.forces(seat)[0], seat)
    assert county[0]["official_name"] in ask.letter and cherwell["council_official_name"] not in ask.letter


def test_a_district_without_its_county_stops_with_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    lines = (folder / "county_councils_2023.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("OXF,")]
    (folder / "county_councils_2023.csv").write_text("".join(kept), encoding="utf-8")
    meta = (folder / "county_councils_2023.meta.yml").read_text(encoding="utf-8")
    (folder / "county_councils_2023.meta.yml").write_text(meta.replace("rows: 21", "rows: 20"), encoding="utf-8")
    monkeypatch.setenv("BRIEFPACK_DATA", str(folder))
    with pytest.raises(DataError) as err:
        powers.children_councils(geography.resolve("Banbury"))
    assert "'OXF'" in str(err.value) and "Cherwell" in str(err.value) and "\n" not in str(err.value)


# --- ministers and departments ---------------------------------------------------------------------------

def test_england_children_is_the_education_secretary_and_ni_the_department_of_health():
    england = powers.powers().ask("children", "England", "Thames Valley Police")
    assert "the Secretary of State for Education (Department for Education)" in england.write_to
    assert any(c.source == "dfe_about" for c in england.claims)
    ni = powers.powers().ask("children", "Northern Ireland", "Police Service of Northern Ireland")
    assert "the Department of Health in Northern Ireland" in ni.write_to
    assert all("Northern Ireland Executive" not in t for t in (ni.ask, ni.letter, ni.question))
    assert {c.source for c in ni.claims} >= {"hscani_2022", "hscani_2022_notes_s2"}


def test_wales_children_asks_the_home_secretary_about_guardians_and_asylum():
    ask = powers.powers().ask("children", "Wales", "North Wales Police")
    assert "the Home Secretary" in ask.write_to
    for text in (ask.ask, ask.letter):
        assert "independent child trafficking guardians" in text and "claim asylum" in text
    assert any(c.source == "ho_ictg_answer" for c in ask.claims)


ACCOUNT = {
    # place: (who holds the force to account, who sets priorities, the extracts of the two statements)
    "England": ("holds the Chief Constable of Thames Valley Police to account", "the Home Secretary sets the Strategic Policing Requirement",
                {"prsra_2011_s1", "prsra_2011_s77"}),
    "Wales": ("holds the Chief Constable of North Wales Police to account", "the Home Secretary sets the Strategic Policing Requirement",
              {"prsra_2011_s1", "prsra_2011_s77"}),
    "Scotland": ("The Scottish Police Authority holds the Chief Constable of Police Scotland to account",
                 "the Scottish Ministers set strategic police priorities", {"pfrsa_2012_s2", "pfrsa_2012_notes_s33"}),
    "Scottish Parliament": ("The Scottish Police Authority holds the Chief Constable of Police Scotland to account",
                            "the Scottish Ministers set strategic police priorities", {"pfrsa_2012_s2", "pfrsa_2012_notes_s33"}),
    "Northern Ireland": ("the Northern Ireland Policing Board holds the Chief Constable of the Police Service of Northern Ireland to account",
                         "the Department of Justice in Northern Ireland sets long-term objectives", {"pnia_2000_s3", "pnia_2000_s24"}),
}
FORCE = {"England": "Thames Valley Police", "Wales": "North Wales Police", "Scotland": "Police Scotland",
         "Scottish Parliament": "Police Scotland", "Northern Ireland": "Police Service of Northern Ireland"}


@pytest.mark.parametrize("place", list(ACCOUNT))
def test_who_holds_the_police_to_account_and_who_sets_priorities(place):
    holds, sets, extracts = ACCOUNT[place]
    ask = powers.powers().ask("policing", place, FORCE[place])
    text = ask.ask
    assert holds.lower() in text.lower(), text
    assert sets.lower() in text.lower(), text
    assert extracts <= {c.source for c in ask.claims}
    # The old swap is gone: the government does not "hold" the force to account.
    assert "Home Secretary holds" not in text and "Scottish Government holds" not in text
    assert "Department of Justice in Northern Ireland holds" not in text


# --- claims and extracts -----------------------------------------------------------------------------------

def all_claims():
    return [c for _, c in powers.claims()]


def test_every_claim_is_a_passage_of_its_stored_extract():
    ids = set(content.sources())
    claims = all_claims()
    assert len(claims) >= 15
    for c in claims:
        path = EXTRACTS / f"{c.source}.txt"
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        assert f"url: {c.url}" in head and re.search(r"^read: \d{4}-\d{2}-\d{2}", head, re.M), path
        assert " ".join(c.passage.split()) in " ".join(body.split()), (c.source, c.passage)
        source = re.search(r"^source: (\S+)$", head, re.M).group(1)
        assert source in ids, f"{path.name}: source id {source} is in content/sources.yml"


def test_a_passage_not_in_its_extract_stops_with_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    text = (folder / "powers.yml").read_text(encoding="utf-8")
    (folder / "powers.yml").write_text(text.replace("to hold the chief constable to account for the policing of Scotland",
                                                    "to direct the chief constable", 1), encoding="utf-8")
    monkeypatch.setenv("BRIEFPACK_CONTENT", str(folder))
    with pytest.raises(DataError) as err:
        powers.powers()
    assert "pfrsa_2012_s2.txt" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("place", powers.PLACES)
def test_no_body_is_named_twice_in_one_sentence(place):
    """The Aberdeen South bug: "what training the Scottish Government requires of police officers and the
    Scottish Government of social workers" (a template filled twice)."""
    seat = {"England": "Banbury", "Wales": "Ynys Môn", "Scotland": "Aberdeen South",
            "Northern Ireland": "Belfast East"}.get(place)
    seat = geography.resolve(seat) if seat else None
    p = powers.powers()
    for key in content.concern_keys():
        ask = p.ask(key, place, FORCE[place], seat)
        names = {b.name for b in ask.bodies}
        for text in (ask.ask, ask.question, ask.letter):
            for s in sentences(text):
                for name in names:
                    assert s.count(name[4:] if name.startswith("the ") else name) <= 1, (place, key, s)
    training = p.ask("training", "Scotland", "Police Scotland").letter
    assert "the Scottish Government of social workers" not in training


# --- end to end: the built briefings and letters ---------------------------------------------------------------

SEATS = {"makerfield": "Makerfield", "ynys-mon": "Ynys Môn", "runcorn-and-helsby": "Runcorn and Helsby",
         "banbury": "Banbury", "belfast-east": "Belfast East", "aberdeen-south": "Aberdeen South"}
MSP = ("msp-aberdeen-central", "Aberdeen Central")
CONCERNS = "training,policing,children"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bodies")
    args = [a for name in SEATS.values() for a in ("-c", name)]
    proc = run_build(*args, "--concerns", CONCERNS, "--formats", "html,docx", "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    sp = run_build("--parliament", "scottish", "-c", MSP[1], "--concerns", CONCERNS, "--formats", "html,docx",
                   "--out", str(out), "--jobs", "1")
    assert sp.returncode == 0, sp.stderr
    return out


def page(out: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((out / f"{slug}.html").read_text(encoding="utf-8"), "lxml")


def text_of(nodes) -> str:
    return " ".join(" ".join(n.get_text(" ").split()) for n in nodes)


def letter_text(out: Path, slug: str) -> str:
    return " ".join(p.text for p in docx.Document(str(out / f"{slug}-letter.docx")).paragraphs)


@pytest.mark.e2e
@pytest.mark.parametrize("slug", list(SEATS))
def test_built_briefing_and_letter_name_the_oversight_body_and_council_from_data(built, slug):
    seat = geography.resolve(SEATS[slug])
    row = [r for r in oversight_rows() if r["force_name"] == main_force_area(seat.gss_code)][0]
    title = row["body_title"]
    soup = page(built, slug)
    policing = soup.select_one('section.concern[data-concern="policing"]')
    who = text_of(policing.select("p.who"))
    assert title in who, who
    letter = letter_text(built, slug)
    assert title[1:] in letter, "the letter names the body from the table"
    assert "where the mayor holds that role" not in letter + text_of(soup.select("main, body"))
    notes = text_of(policing.select("p.note.dated"))
    if row["body_kind"] in ("pcc", "pfcc"):
        assert "13 November 2025" in notes and "2028" in notes
    else:
        assert notes == ""
    councils = expected_councils(seat.gss_code)
    children = text_of(soup.select('section.concern[data-concern="children"] p.who'))
    questions = text_of(soup.select("ol.questions"))
    if seat.nation == "Northern Ireland":
        assert "Health and Social Care Trust" in children   # not the district councils
        assert "the Department of Health in Northern Ireland" in children + letter
        assert "Northern Ireland Executive" not in children
    else:
        joined = powers.join_names(councils)
        assert joined in children and joined in questions, (joined, children)
        if seat.nation in ("England", "Wales"):
            assert joined in letter
    if seat.nation == "England":
        assert "the Secretary of State for Education (Department for Education)" in children + letter
    if seat.nation == "Wales":
        assert "independent child trafficking guardians" in letter and "the Home Secretary" in children


@pytest.mark.e2e
def test_issue_seats_end_to_end(built):
    """The issue's own examples, read from the built letters (and checked against the table above)."""
    assert "the Mayor of Greater Manchester holds the Chief Constable of Greater Manchester Police to account" \
        in letter_text(built, "makerfield").replace("The Mayor", "the Mayor")
    assert "Police and Crime Commissioner for North Wales" in letter_text(built, "ynys-mon")
    runcorn = letter_text(built, "runcorn-and-helsby")
    assert "Police and Crime Commissioner for Cheshire" in runcorn and "Liverpool City Region" not in runcorn
    banbury = letter_text(built, "banbury")
    assert "Oxfordshire County Council" in banbury and "Cherwell" not in banbury
    aberdeen = letter_text(built, "aberdeen-south")
    assert "the Scottish Government of social workers" not in aberdeen
    assert "the Scottish Government requires of police officers and social workers in Scotland" in aberdeen


@pytest.mark.e2e
@pytest.mark.parametrize("slug", ["aberdeen-south", "belfast-east", MSP[0]])
def test_devolved_briefings_have_their_own_policing_problem_and_wording(built, slug):
    soup = page(built, slug)
    text = text_of(soup.select("body"))
    policing = text_of(soup.select('section.concern[data-concern="policing"]'))
    assert "England and Wales" not in policing, "the England-and-Wales problem text is not printed here"
    assert "Who can act for the Scottish Parliament" not in text
    assert "Scotland (Police Scotland)" not in text and "Police Scotland police force area" not in text
    assert re.search(r"is policed by (the )?Police (Scotland|Service of Northern Ireland)\.", text), "area sentence"
    nation = "Scotland" if slug != "belfast-east" else "Northern Ireland"
    assert f"Who can act in {nation}:" in text
    holds, sets, _ = ACCOUNT["Scottish Parliament" if slug.startswith("msp-") else nation]
    assert holds.lower() in policing.lower() and sets.lower() in policing.lower()


@pytest.mark.e2e
@pytest.mark.parametrize("slug,members", [("aberdeen-south", "MSPs"), ("belfast-east", "MLAs")])
def test_westminster_seats_in_scotland_and_ni_suggest_raising_it_with_msps_or_mlas(built, slug, members):
    note = text_of(page(built, slug).select("p.note.devolved"))
    assert members in note, note


@pytest.mark.e2e
@pytest.mark.parametrize("slug", ["banbury", "ynys-mon", MSP[0]])
def test_no_msp_or_mla_note_where_it_does_not_apply(built, slug):
    assert not page(built, slug).select("p.note.devolved")


def split_seats() -> dict:
    by_seat = defaultdict(list)
    for r in read_csv("constituency_to_police_force_area"):
        by_seat[r["pcon24_code"]].append(r)
    return {gss: sorted(rows, key=lambda r: -float(r["share_of_constituency_pop"]))
            for gss, rows in by_seat.items() if len(rows) > 1}


@pytest.mark.parametrize("gss", sorted(split_seats()))
def test_a_seat_split_between_forces_names_the_body_for_each(gss):
    """The main force's body is asked; each other force's body is named too, with what it does."""
    rows = split_seats()[gss]
    seat = geography.resolve(gss)
    forces = geography.forces(seat)
    ask = powers.powers().ask("policing", seat.nation, forces[0], seat)
    titles = {r["force_name"]: r["body_title"] for r in oversight_rows()}
    assert titles[rows[0]["pfa_name"]] in ask.write_to
    named = [b.name for b in ask.bodies]
    for r in rows[1:]:
        title = titles[r["pfa_name"]]
        assert title in named and title not in ask.write_to
        force = powers.force_in_text(r["nrm_police_first_responder_name"])
        assert any(n.startswith(f"Part of {seat.name} is policed by {force}: {title}") for n in ask.notes), ask.notes
