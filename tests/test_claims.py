"""The claims register (issue 14): every statement of the law, a power or a document in content/ carries a
source and a passage copied word for word from its stored text; and the statements issue 14 found wrong,
each read back from the content or a rendered section and checked against a stored passage or the data."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, safe_yaml

from briefpack.core import paths
from briefpack.data import stats
from briefpack.data.catalogue import load
from briefpack.render.sections import pct
from briefpack.words import claims, content

ROOT = Path(__file__).resolve().parents[1]
# The shared seed documents, beside a checkout (../shared) or beside its worktree folder (../../shared).
SHARED_SEEDS = next((p for p in (ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds")
                     if p.is_dir()), ROOT.parent / "shared" / "seeds")
def passage_problems(found: list[str]) -> list[str]:
    return [p for p in found if "reads as a claim" not in p]


def uncovered(found: list[str], file: str | None = None) -> list[str]:
    return [p for p in found if "reads as a claim" in p and (file is None or p.startswith(file + " "))]


# --- the register itself --------------------------------------------------------------------------

def test_every_passage_is_word_for_word_in_its_stored_source_and_every_source_exists():
    found = claims.problems()
    assert passage_problems(found) == []
    register = claims.register()
    assert len(register) > 50, "the register reads the claims of every content file"
    texts, ids = claims.stored(), set(content.sources())
    for c in register:
        if not c.general:
            assert c.source in texts and (c.source in ids or c.source.startswith("data:")
                                          or texts[c.source].header.get("source") in ids), c
            assert claims.norm(c.passage) in claims.norm(texts[c.source].text), c


def test_every_sentence_of_law_power_or_document_has_a_claim():
    found = claims.problems()
    for file in sorted({e.file for e in claims.entries()}):
        assert uncovered(found, file) == [], file


def test_every_powers_sentence_has_a_claim():
    """Who holds each power, nation by nation: every sentence of content/powers.yml that states the law or who
    holds a power (templates included: "{Oversight} {oversight_duty}") is covered by a claim."""
    found = claims.problems(("content/powers.yml",))
    assert uncovered(found, "content/powers.yml") == []
    assert passage_problems(found) == []
    entries = [e for e in claims.entries() if e.file == "content/powers.yml"]
    assert sum(len(e.claims) for e in entries) >= 60
    # the devolved questions: each nation's note rests on a stored passage, not on the wording alone
    notes = [e for e in entries if e.where in ("places.Scotland", "places.Northern Ireland")]
    assert len(notes) == 2 and all(any(c.source and c.passage for c in e.claims) for e in notes)


def test_general_powers_claims_are_listed_but_not_passed_to_the_briefing():
    from briefpack.words import powers

    generals = [c for c in claims.register() if c.file == "content/powers.yml" and c.general]
    assert generals, "the meeting questions that only name the Act are marked general, with the reason"
    assert all(c.source for _, c in powers.claims()), "a briefing's claims all carry a source and passage"


def test_the_scanner_reads_the_kinds_of_claim():
    assert claims.triggered("The Modern Slavery Act 2015 created the Commissioner.") == ["law"]
    assert "power" in claims.triggered("The Commissioner reports to Parliament.")
    assert "document" in claims.triggered("Anthony Steen's speech of 2013 centred on cannabis farms.")
    assert claims.triggered("Victims need care that lasts long enough to recover.") == []


def test_extracts_name_their_page_and_the_day_it_was_read():
    texts = claims.stored()
    extracts = [s for s in texts.values() if s.path.parent.name == "extracts"]
    assert extracts
    for s in extracts:
        assert re.match(r"https?://[a-z0-9.-]+\.[a-z]{2,}/", s.header["URL"]), s.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.header["Read"]), s.id
        assert s.text.strip(), s.id
        assert s.id in content.sources() or s.header.get("source") in content.sources(), (
            f"{s.id}: list it (or the document it is from, its 'source') in content/sources.yml")


def test_stored_seeds_are_the_campaign_documents_word_for_word():
    originals = [p.read_text(encoding="utf-8") for p in sorted(SHARED_SEEDS.glob("*.txt"))] if SHARED_SEEDS.is_dir() else []
    if not originals:
        pytest.skip("the shared seed documents are not beside this checkout; the stored copies are checked above")
    seeds = [s for s in claims.stored().values() if s.path.parent.name == "seeds"]
    assert {s.id for s in seeds} >= {"call_to_action_2013", "steen_speech_2013", "london_partnership_2018",
                                     "silent_slavery_2003", "iasc_strategic_plan_2015", "home_office_memorandum_2008"}
    for s in seeds:
        assert any(s.text.strip() in o for o in originals), f"{s.id} is not a copy of a seed document"
        assert s.header.get("Copied from") and s.header.get("Read"), s.id


# --- a sentence added without a claim is caught ----------------------------------------------------

@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    dst = tmp_path / "content"
    shutil.copytree(paths.content_dir(), dst)
    monkeypatch.setenv("BRIEFPACK_CONTENT", str(dst))
    return dst


def _add(path: Path, change) -> None:
    doc = safe_yaml(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_new_sentence_of_law_without_a_claim_is_caught_and_a_claim_clears_it(content_copy):
    topic = content_copy / "topics" / "labour_exploitation.yml"
    sentence = "The Modern Slavery Act 2015 makes the Secretary of State set the turnover threshold."
    _add(topic, lambda d: d.update(why=d["why"].rstrip() + " " + sentence))
    assert any(sentence in p and "no claim covers it" in p for p in claims.problems())

    wrong = {"says": sentence, "source": "leg_msa_2015_part6", "passage": "the Secretary of State sets it"}
    _add(topic, lambda d: d["claims"].append(wrong))
    assert any("is not word for word in leg_msa_2015_part6" in p for p in claims.problems())

    right = "has a total turnover of not less than an amount prescribed by regulations made by the Secretary of State"
    _add(topic, lambda d: d["claims"].__setitem__(-1, dict(wrong, passage=right)))
    assert [p for p in claims.problems() if "labour_exploitation" in p] == []


def test_a_claim_whose_words_were_edited_away_or_whose_source_is_unknown_is_caught(content_copy):
    concern = content_copy / "concerns" / "commissioner.yml"
    _add(concern, lambda d: d.update(problem=d["problem"].replace("who covers the whole UK", "for the UK")))
    _add(concern, lambda d: d["claims"].append({"says": "the UK", "source": "no_such_source", "passage": "x"}))
    found = claims.problems()
    assert any("'who covers the whole UK', which is not in the entry's text" in p for p in found)
    assert any("source 'no_such_source' is not in content/sources.yml" in p for p in found)


def test_build_claims_prints_every_claim_with_its_source_and_passage():
    run = run_cli("--claims")
    out = run.stdout
    register = claims.register()
    assert out.startswith(f"{len(register)} claims in content/")
    for c in register:
        assert f"says:    {claims.norm(c.says)}" in out
        assert (f"general: {claims.norm(c.general)}" if c.general else f'passage: "{claims.norm(c.passage)}"') in out
    assert "Traceback" not in run.stderr and "UNKNOWN SOURCE" not in out, "an extract is named by its own title"
    assert run.returncode == (1 if claims.problems() else 0)


# --- the statements issue 14 found wrong -----------------------------------------------------------

def topic(key: str) -> dict:
    return safe_yaml((paths.content_dir() / "topics" / f"{key}.yml").read_text(encoding="utf-8"))


def prose_of(doc: dict) -> str:
    return claims.norm(" ".join(claims.texts(doc).values()))


def all_notes() -> dict:
    out = {f"concerns/{k}": c.dated_note + " " + c.problem for k, c in content.concerns().items()}
    out.update({f"topics/{k}": topic(k).get("dated_note", "") + " " + topic(k)["why"]
                for k in (p.stem for p in (paths.content_dir() / "topics").glob("*.yml"))})
    return {k: claims.norm(v) for k, v in out.items()}


def test_the_2023_act_is_described_only_as_legislation_gov_uk_shows_it():
    ima = claims.stored()["leg_ima_2023_modern_slavery"]
    assert "This version of this cross heading contains provisions that are prospective." in claims.norm(ima.text)
    notes = {k: v for k, v in all_notes().items() if "Illegal Migration Act 2023" in v}
    assert set(notes) >= {"concerns/aftercare", "concerns/legislation", "topics/aftercare", "topics/legislation"}
    read = ima.header["Read"]
    day = f"{int(read[8:])} {['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][int(read[5:7]) - 1]} {read[:4]}"
    for where, note in notes.items():
        assert "by the Illegal Migration Act 2023" not in note, f"{where}: the 2023 Act's sections are not in force"
        assert "prospective" in note and f"checked on {day}" in note, where


def test_the_london_workshop_recommendations_are_what_it_agreed_not_its_discussion():
    london = claims.norm(claims.stored()["london_partnership_2018"].text)
    thoughts = london.index("Discussion covered the following thoughts")
    agreed = [m.start() for m in re.finditer("Partners agreed", london)]
    measures = london.index("Partners agreed to develop measures of success")
    discussion = london[thoughts:measures]
    items = [r for r in topic("domestic_servitude")["recommendations"] if r["source"] == "london_partnership_2018"]
    assert len(items) >= 3
    for r in items:
        at = london.index(claims.norm(r["evidence"]))
        assert claims.norm(r["evidence"]) not in discussion, r["text"]
        assert any(a <= at for a in agreed) and not thoughts <= at < measures, r["text"]
    texts = " ".join(r["text"] for r in items)
    assert "one community at a time" not in texts and "do not want to enter" not in texts
    assert "focus group" in texts and "London campaign" in texts
    note = claims.norm(topic("domestic_servitude")["dated_note"])
    assert "agreed to focus on domestic servitude" in note and "measures of success" in note and "focus group" in note


def test_steens_speech_is_not_said_to_centre_on_cannabis_farms():
    speech = claims.stored()["steen_speech_2013"].text
    paragraphs = [p for p in re.split(r"\n\s*\n", speech) if p.strip()]
    about = [p for p in paragraphs if "cannabis farms where" in p]
    assert len(about) == 1 and len(paragraphs) > 10, "cannabis farms are one paragraph of a wide speech"
    note = claims.norm(topic("criminal_exploitation")["dated_note"])
    assert "centred" not in note and "one paragraph" in note
    for where, text in all_notes().items():
        assert "centred on children found in cannabis farms" not in text, where


def test_the_commissioner_is_not_said_to_report_to_parliament():
    for where, text in all_notes().items():
        assert "reports to Parliament" not in text, where
    why = claims.norm(topic("commissioner")["why"])
    assert "strategic plans go to the Secretary of State for approval" in why
    s42 = claims.norm(claims.stored()["leg_msa_2015_s42"].text)
    assert "prepare a strategic plan and submit it to the Secretary of State for approval" in s42


@pytest.fixture(scope="module")
def scotland():
    from briefpack.render.briefing import Briefing

    # A seat of Police Scotland, the force whose sixth nationality the top-five cap leaves out (issue 14).
    areas = load("constituency_to_police_force_area")
    seat = areas[(areas.nrm_police_first_responder_name == "Police Scotland") & areas.is_main_force].pcon24_code
    return Briefing.prepare(min(seat))


def test_the_police_comparison_is_for_context_and_says_what_it_counts(scotland):
    page = scotland.your_area().html
    assert "A fair comparison" not in page and "For context, over the same period" in page
    responders = stats.responder_type_shares(load("nrm_referrals_by_first_responder_type_2022q2_2023q4"))
    gov = responders.set_index("first_responder_type").loc["Government agency"].share
    assert f"government agencies made <span data-figure=\"government-share-context\">{pct(gov)}</span>" in page
    assert "only the referrals a police force made as first responder" in page


def test_the_nationality_note_states_both_rules_and_what_the_cap_leaves_out(scotland):
    page = scotland.your_area().html
    force = scotland.main_force.name
    nationality = load("nrm_referrals_police_first_responder_by_nationality_2022q2_2023q4")
    rows = nationality[(nationality.police_first_responder == force) & (nationality.nationality != stats.TOTAL)]
    sums = rows.groupby("nationality")["people"].sum()
    qualifying = sums[sums >= stats.NATIONALITY_MIN_COUNT].sort_values(ascending=False)
    assert (f"at most the {stats.NATIONALITY_TOP} most common nationalities, and only those with at least "
            f"{stats.NATIONALITY_MIN_COUNT} referrals") in page
    beyond = qualifying[qualifying < qualifying.iloc[stats.NATIONALITY_TOP - 1]] if len(qualifying) > stats.NATIONALITY_TOP else qualifying[:0]
    if len(qualifying) > stats.NATIONALITY_TOP:
        assert f"beyond the first {stats.NATIONALITY_TOP}: " in page
        for name, people in beyond.items():   # every one below the fifth's count is named with its count
            assert f"{name} ({people:,})" in page
    else:
        assert "beyond the first" not in page


def test_latest_means_the_latest_in_the_data_this_briefing_uses(scotland):
    from briefpack.data import headlines
    from briefpack.words import figures

    pages = html.unescape(scotland.why_it_matters().html + scotland.cover().html + scotland.your_area().html)
    for wrong in ("latest year with a published split by age", "latest figures published force by force",
                  "the latest published force by force", "no split by age is published"):
        assert wrong not in pages
    assert f"latest year split by age in the data this briefing uses (the {headlines.TABLES_RELEASE})" in pages
    assert f"in the data this briefing uses (Table 13 of the Home Office's quarterly releases up to the {headlines.TABLES_RELEASE})" in pages
    decisions = stats.decisions(load("nrm_conclusive_grounds_decisions_quarterly_2014_2023"))
    fig = figures.FIGURES["conclusive_grounds"](scotland)
    assert fig.text.startswith(f"In {decisions['year']}, the latest year in the data this briefing uses,")
    assert fig.source.endswith(f"of the {headlines.TABLES_RELEASE}") and fig.period == str(decisions["year"])


def test_the_members_period_does_not_promise_a_refresh_beside_a_fixed_date():
    meta = safe_yaml((paths.data_dir() / "mps_current.meta.yml").read_text(encoding="utf-8"))
    period = meta["provenance"]["period"]
    assert "kept current" not in period and "weekly" not in period


def test_the_topic_pages_print_the_corrected_statements():
    from briefpack.render.topic_briefing import TopicBriefing

    london = claims.norm(claims.stored()["london_partnership_2018"].text)
    discussion = london[london.index("Discussion covered the following thoughts"):
                        london.index("Partners agreed to develop measures of success")]
    page = claims.norm(html.unescape(TopicBriefing("domestic_servitude").recommendations().html))
    for r in topic("domestic_servitude")["recommendations"]:
        assert claims.norm(r["text"]) in page
    assert "one community at a time" not in page and "one community at a time" in discussion
    cover = claims.norm(html.unescape(TopicBriefing("commissioner").cover().html))
    assert "reports to Parliament" not in cover and "strategic plans go to the Secretary of State" in cover
    crime = claims.norm(html.unescape(TopicBriefing("criminal_exploitation").recommendations().html))
    assert "centred on" not in crime and "one paragraph described Vietnamese children" in crime


def test_a_powers_entry_takes_a_claim_as_one_yaml_entry(content_copy):
    from briefpack.words import powers

    path = content_copy / "powers.yml"
    sentence = "The Independent Anti-Slavery Commissioner covers the whole UK."
    where = ("commissioner", "Scotland, Northern Ireland")
    assert not any(sentence in p for p in uncovered(claims.problems(), "content/powers.yml"))
    _add(path, lambda d: d["concerns"][where[0]][where[1]].pop("claims"))    # its claims taken away: caught
    assert any(sentence in p for p in uncovered(claims.problems(), "content/powers.yml"))
    claim = {"says": sentence, "source": "iasc_strategic_plan_2015", "passage": "My position as Commissioner for the whole of the UK"}
    _add(path, lambda d: d["concerns"][where[0]][where[1]].setdefault("claims", []).append(claim))
    found = claims.problems()
    assert not any(sentence in p for p in found) and passage_problems(found) == []
    ask = powers.powers().ask("commissioner", "Scotland", "Police Scotland")   # the build still reads the file
    assert sentence in ask.letter
