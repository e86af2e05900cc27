"""A second campaign on the same engine (issue 16): ``examples/turnout/`` holds only data (campaign.yml, its
concerns, declared figures and letter words) and a notebook; ``build --campaign examples/turnout`` builds
its HTML, PDF and letter for any seat. Expected figures are computed here from the source table with the
standard library, and the members from data/mps_current.csv, so new data breaks nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import (
    ROOT,
    current_member,
    read_csv,
    run_build,
    run_cli,
    safe_yaml,
    sidecar,
)
from pypdf import PdfReader

CAMPAIGN = ROOT / "examples" / "turnout"
RESULTS = "ge2024_results_by_constituency"


def provenance() -> dict:
    """The results table's publisher and period, as its sidecar gives them (every figure names them)."""
    return sidecar(RESULTS)["provenance"]


def one_seat_per_nation() -> dict:
    """{nation: the first row of the 2024 results for it}."""
    out = {}
    for row in read_csv(RESULTS):
        out.setdefault(row["Country name"], row)
    return out


def turnout(row) -> str:
    """Turnout as the campaign declares it: (valid + invalid) / electorate, one decimal place."""
    share = (int(row["Valid votes"]) + int(row["Invalid votes"])) / int(row["Electorate"])
    return f"{100 * share:.1f}%"


def majority(row) -> str:
    return f"{100 * int(row['Majority']) / int(row['Valid votes']):.1f}%"


def slug(row) -> str:
    from briefpack.places import geography

    return geography.resolve(row["ONS ID"], "westminster").slug


@pytest.fixture(scope="module")
def turnout_pack(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("turnout")
    seats = [row["ONS ID"] for row in one_seat_per_nation().values()]
    proc = run_build("build", "--campaign", "examples/turnout", *[a for s in seats for a in ("-c", s)],
                     "--concerns", "turnout,close_result,invalid_ballots", "--club", "Riverside Voters",
                     "--out", out, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.e2e
def test_the_second_campaign_builds_html_pdf_and_letter_for_a_seat_of_each_nation(turnout_pack):
    for nation, row in one_seat_per_nation().items():
        name, mp = row["Constituency name"], current_member(row["ONS ID"])
        html = (turnout_pack / f"{slug(row)}.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        text = " ".join(soup.get_text(" ").split())
        assert soup.h1.get_text(strip=True) == f"Taking part in elections in {name}", nation
        assert f"{turnout(row)} of the {int(row['Electorate']):,} people on the electoral register in {name}" in text
        assert f"won by {int(row['Majority']):,} votes on 4 July 2024, {majority(row)} of the valid votes" in text
        assert f"{int(row['Invalid votes']):,} ballot papers in {name} were counted as invalid" in text
        assert mp["display_as"] in text
        # every figure names its source and period, from the table's sidecar
        assert provenance()["publisher"] in text and provenance()["period"] in text
        assert "Contains Parliamentary information licensed under the Open Parliament Licence v3.0." in text
        # three charts, each with a text alternative naming the seat
        charts = soup.select("[role=img][aria-label]")
        assert len([c for c in charts if name in c["aria-label"]]) == 3, nation
        # no modern-slavery words leak in
        assert "modern slavery" not in text.lower() and "NRM" not in text

        pdf = turnout_pack / f"{slug(row)}.pdf"
        pages = PdfReader(str(pdf)).pages
        pdf_text = " ".join(" ".join(p.extract_text().split()) for p in pages)
        assert f"Taking part in elections in {name}" in pdf_text and turnout(row) in pdf_text

        letter = [p.text for p in docx.Document(str(turnout_pack / f"{slug(row)}-letter.docx")).paragraphs]
        body = " ".join(letter)
        assert f"Taking part in elections in {name}" in letter
        assert turnout(row) in body and "Riverside Voters" in body
        assert any(p.startswith(f"1. {provenance()['publisher']}") for p in letter), "the figures' source, as a note"


@pytest.mark.e2e
def test_the_campaign_is_data_a_copy_with_other_words_builds_with_no_code_change(tmp_path):
    copy = tmp_path / "my-campaign"
    shutil.copytree(CAMPAIGN, copy)
    concern = copy / "content" / "concerns" / "turnout.yml"
    doc = safe_yaml(concern.read_text(encoding="utf-8"))
    doc["title"] = "Turning up on polling day"
    concern.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    (copy / "campaign.yml").write_text((copy / "campaign.yml").read_text(encoding="utf-8")
                                       .replace("name: turnout", "name: my-campaign"), encoding="utf-8")
    row = one_seat_per_nation()["Wales"]
    proc = run_build("build", "--campaign", copy, "-c", row["ONS ID"], "--formats", "html", "--jobs", "1",
                     cwd=tmp_path, env={"BRIEFPACK_ROOT": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    out = ROOT / "briefings" / "my-campaign"     # a campaign's own folder under briefings/
    try:
        soup = BeautifulSoup((out / f"{slug(row)}.html").read_text(encoding="utf-8"), "html.parser")
        assert "1. Turning up on polling day" in [h.get_text(strip=True) for h in soup.find_all("h3")]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_declared_figures_match_the_source_table(monkeypatch):
    from briefpack.words import declared

    monkeypatch.setenv("BRIEFPACK_CAMPAIGN", str(CAMPAIGN))
    for row in one_seat_per_nation().values():
        fig = declared.compute("turnout", row["ONS ID"], row["Constituency name"])
        assert fig.value == turnout(row)
        assert fig.period == provenance()["period"] and fig.source.startswith(provenance()["publisher"])
        shares = sorted(((int(r["Valid votes"]) + int(r["Invalid votes"])) / int(r["Electorate"])
                         for r in read_csv(RESULTS)), reverse=True)
        mine = (int(row["Valid votes"]) + int(row["Invalid votes"])) / int(row["Electorate"])
        rank = 1 + sum(1 for s in shares if s > mine)
        assert f"was {rank}" in fig.text and f"of {len(shares)}." in fig.text


def test_a_clubs_letter_names_the_seat_and_the_club_in_its_own_words(monkeypatch):
    from briefpack.render.seat_briefing import SeatBriefing

    monkeypatch.setenv("BRIEFPACK_CAMPAIGN", str(CAMPAIGN))
    row = one_seat_per_nation()["England"]
    letter = SeatBriefing.prepare(row["ONS ID"], club="Riverside Voters").build_letter()
    assert f"as constituents in {row['Constituency name']} and members of Riverside Voters about" in letter.paragraphs[0]
    alone = SeatBriefing.prepare(row["ONS ID"]).build_letter()
    assert alone.paragraphs[0].startswith(f"I am writing as a constituent in {row['Constituency name']} about")


def test_a_seat_missing_from_the_table_gets_no_figure_rather_than_an_estimate(monkeypatch):
    from briefpack.words import declared

    monkeypatch.setenv("BRIEFPACK_CAMPAIGN", str(CAMPAIGN))
    assert declared.compute("turnout", "E14999999", "Nowhere") is None


@pytest.mark.parametrize("args, words", [
    (("--parliament", "scottish"), "takes no parliament"),
    (("--concerns", "training,children"), "Unknown concern 'training'; choose 2-3 of: turnout, close_result, invalid_ballots"),
    (("--list-msps",), "Scottish Parliament"),
])
def test_what_the_campaign_does_not_take_is_refused_in_one_line(args, words, tmp_path):
    proc = run_cli("build", "--campaign", CAMPAIGN, "-c", "Banbury", *args, "--out", tmp_path, "--dry-run")
    assert proc.returncode == 2 and words in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_a_folder_that_is_not_a_campaign_is_refused_in_one_line(tmp_path):
    proc = run_cli("build", "--campaign", tmp_path, "-c", "Banbury", "--dry-run")
    assert proc.returncode == 2 and "no campaign.yml there" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_campaign_choice_holds_for_one_command_only(tmp_path):
    import os

    run_cli("build", "--campaign", CAMPAIGN, "-c", "Banbury", "--out", tmp_path, "--dry-run")
    assert "BRIEFPACK_CAMPAIGN" not in os.environ
    from briefpack.words import campaigns

    assert campaigns.current().name == "modern-slavery"


@pytest.mark.e2e
def test_letters_are_the_same_bytes_for_the_same_letter_and_carry_no_author(built, turnout_pack):
    import zipfile

    letters = [*built.glob("*-letter.docx"), *turnout_pack.glob("*-letter.docx")]
    assert len(letters) >= 4
    for path in letters:
        with zipfile.ZipFile(path) as z:    # every entry dated 1980-01-01: a rebuild gives the same file
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}, path.name
        props = docx.Document(str(path)).core_properties
        assert props.author == "" and props.last_modified_by == "", path.name
