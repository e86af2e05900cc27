"""Content files: all seven concerns, valid references, the law in each place, no invented numbers, and
each fix checked against the seed document it cites (those checks skip when the seeds are absent)."""
import importlib
import re

import pytest
import yaml
from conftest import ROOT, read_csv, safe_yaml

from briefpack.core.errors import InputError
from briefpack.data import catalogue as data
from briefpack.data import stats
from briefpack.render.briefing import Briefing
from briefpack.words import content, figures

PROSE = ("title", "phrase", "summary", "problem", "dated_note")
WORDS_FILES = ("figures.yml", "charts.yml")   # sentences the code fills with numbers (content.Words)


def test_seven_concerns_in_key_card_order():
    concerns = content.concerns()
    assert list(concerns) == list(content.concern_keys())
    for c in concerns.values():
        assert c.figure in figures.FIGURES
        assert c.sources


def test_the_law_that_applies_in_each_place():
    from briefpack.words import powers

    expect = {"England": "Modern Slavery Act 2015", "Wales": "Modern Slavery Act 2015",
              "Scotland": "Human Trafficking and Exploitation (Scotland) Act 2015",
              "Scottish Parliament": "Human Trafficking and Exploitation (Scotland) Act 2015",
              "Northern Ireland": "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) "
                                  "Act (Northern Ireland) 2015"}
    for place, law in expect.items():
        ask = powers.powers().ask("legislation", place, "Police Scotland")
        assert law in ask.ask and law in ask.question, place
        others = {v for v in expect.values() if v != law}
        assert not any(o in ask.ask + ask.letter for o in others), place


@pytest.mark.parametrize("value,error", [
    ("training,kittens", "Unknown concern 'kittens'"),
    ("training", "Choose 2-3 concerns"),
    ("data,training,policing,children", "Choose 2-3 concerns"),
])
def test_concern_choice_is_checked(value, error):
    with pytest.raises(InputError) as err:
        content.parse_concerns(value)
    assert error in str(err.value)


def test_default_and_duplicates():
    assert content.parse_concerns("") == list(content.DEFAULT_CONCERNS)
    assert content.parse_concerns("Training, children,training") == ["training", "children"]


# --- content checked against its sources (issue: content that overstates its sources) ---------------

CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"
# Words that open each seed document's text, to find the document a source id names.
SEED_OF = {
    "call_to_action_2013": "SOROPTIMIST CALL TO ACTION",
    "steen_speech_2013": "Anthony D. Steen's speech",
    "london_partnership_2018": "London Modern Slavery Partnership Board",
    "silent_slavery_2003": "SILENT SLAVERY",
    "iasc_strategic_plan_2015": "Independent Anti-Slavery Commissioner Strategic Plan 2015-17",
    "home_office_memorandum_2008": "Memorandum submitted by the Home Office",
}


def norm(text: str) -> str:
    """Seed text as plain words: markdown bold removed, white space collapsed, case folded."""
    return " ".join(text.replace("**", "").split()).casefold()


@pytest.fixture(scope="module")
def seeds() -> dict:
    """{source id: the seed document's text}: the copies stored in content/sources/seeds/ (the claims register;
    tests/test_claims.py checks them against ../shared/seeds when it is beside the checkout)."""
    files = [p.read_text(encoding="utf-8").partition("\n\n")[2]   # the text after the header lines
             for p in sorted((CONTENT / "sources" / "seeds").glob("*.txt"))]
    out = {}
    for key, marker in SEED_OF.items():
        found = [f for f in files if norm(marker) in norm(f)]
        assert found, f"no seed document contains {marker!r}"
        out[key] = norm(found[0])
    return out


def topics() -> dict:
    return {p.stem: safe_yaml(p.read_text(encoding="utf-8")) for p in (CONTENT / "topics").glob("*.yml")}


def all_prose() -> dict:
    """Every sentence a briefing prints from content/, by where it comes from."""
    out = {}
    for key, c in content.concerns().items():
        for field in PROSE:
            out[f"concerns/{key}.{field}"] = getattr(c, field)
    for key, t in topics().items():
        for field in ("title", "summary", "why", "dated_note"):
            out[f"topics/{key}.{field}"] = t.get(field) or ""
        for i, r in enumerate(t["recommendations"], start=1):
            out[f"topics/{key}.recommendations[{i}]"] = r["text"]
    doc = safe_yaml((CONTENT / "powers.yml").read_text(encoding="utf-8"))
    for concern, places in doc["concerns"].items():
        for place, entry in places.items():
            for field in ("ask", "question", "letter"):
                out[f"powers/{concern}/{place}.{field}"] = entry[field]
    letter = safe_yaml((CONTENT / "letter.yml").read_text(encoding="utf-8"))
    for i, text in enumerate(letter["openings"] + letter["closings"] + list(letter["leads"].values())
                             + [letter["meeting"], letter["meeting_request"], letter["campaign"], letter["enclosure"]]):
        out[f"letter[{i}]"] = text
    meeting = content.meeting()
    for i, text in enumerate([meeting["headline_ask"], *meeting["asks"], *[s["step"] for s in meeting["follow_up"]]]):
        out[f"meeting[{i}]"] = text
    for name in WORDS_FILES:
        for key, fields in safe_yaml((CONTENT / name).read_text(encoding="utf-8")).items():
            for field, text in fields.items():
                if field != "claims":   # the claims register (tests/test_claims.py), not printed words
                    out[f"{name}: {key}.{field}"] = text
    return out


# Numbers allowed in prose: dates and years, a Part of an Act ("Part 5"), and a period in days named by a
# dated document ("45-day"). Anything else is a statistic and must come from data/ with its source and period.
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ALLOWED_NUMBER = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b|(?<!\d)(?<!\d[,.])(19|20)\d\d(?!\d|[,.]\d)|Part \d+|\d+-day")


def test_no_statistic_written_into_any_prose():
    for where, text in all_prose().items():
        rest = ALLOWED_NUMBER.sub("", text)
        assert not re.search(r"\d", rest), f"{where} has a number that is not a year: {text!r}"


STATISTICS_IN_WORDS = ("about a fifth", "about half", "a third of", "a quarter of", "most referrals",
                       "the majority of", "up to 2023 Q4", "2023 Q4")
SWEEPING = ("every campaign document", "from 2003 onwards", "fund safe transition", "c. 2007")


def test_no_statistic_in_words_and_no_sweeping_claim_in_content_or_templates():
    templates = {p.name: p.read_text(encoding="utf-8") for p in
                 (ROOT / "templates" / "sections").glob("*.j2")}
    # The cover's Westminster note is rewritten on another branch (current members and figures); its
    # Scottish Parliament note, which this branch owns, is checked.
    templates["cover.html.j2"] = templates["cover.html.j2"].split("{% else %}<p class=\"note boundaries\">", 1)[-1]
    texts = dict(all_prose(), **templates, sources=(CONTENT / "sources.yml").read_text(encoding="utf-8"))
    for where, text in texts.items():
        low = text.casefold()
        for phrase in STATISTICS_IN_WORDS + SWEEPING:
            assert phrase.casefold() not in low, f"{where} says {phrase!r}"


def test_quotes_and_evidence_are_exact_words_of_their_own_source(seeds):
    quotes = [(f"concerns/{c.key}", c.quote) for c in content.concerns().values() if c.quote]
    quotes += [(f"topics/{k}", t["quote"]) for k, t in topics().items() if t.get("quote")]
    for where, q in quotes:
        assert norm(q["text"]) in seeds[q["source"]], f"{where}: the quote is not in {q['source']}"
    for key, t in topics().items():
        for r in t["recommendations"]:
            assert r.get("evidence"), f"topics/{key}: every recommendation gives the words it rests on"
            assert norm(r["evidence"]) in seeds[r["source"]], f"topics/{key}: {r['evidence']!r} not in {r['source']}"


def test_memorandum_is_dated_26_february_2008(seeds):
    assert content.sources()["home_office_memorandum_2008"]["date"] == "26 February 2008"
    memo = seeds["home_office_memorandum_2008"]
    assert "challenge will be how to harness all the goodwill" in memo
    # The date closes the memorandum, after its last paragraph.
    assert memo.index("26 february 2008") > memo.index("challenge will be how to harness all the goodwill")
    assert "home_office_memorandum_2007" not in content.sources()


def test_memorandum_items_are_what_the_government_said_it_was_doing(seeds):
    memo = [(k, r) for k, t in topics().items() for r in t["recommendations"]
            if r["source"] == "home_office_memorandum_2008"]
    assert len(memo) >= 4
    for key, r in memo:
        assert r.get("stance") == "reports", f"topics/{key}: a memorandum item is not a recommendation"
    said = " ".join(r["text"] for _, r in memo)
    for thing, words in (("Advice and Information Line", "child trafficking advice and information line"),
                         ("port", "frontline staff at ports are receiving up-dated training"),
                         ("aide-memoire", "aide memoir for police"),
                         ("spring 2008", "in spring 2008 a pilot will be undertaken")):
        assert thing in said and words in seeds["home_office_memorandum_2008"], thing


def test_london_workshop_focused_on_domestic_servitude(seeds):
    london = seeds["london_partnership_2018"]
    ideas, agreed = london.index("discussion covered a range of ideas"), london.index("partners agreed work should focus on domestic servitude")
    assert ideas < london.index("construction – focus on employers") < agreed, "construction was one idea in a list"
    items = [r for t in topics().values() for r in t["recommendations"] if r["source"] == "london_partnership_2018"]
    assert items and not any("construction" in r["text"].lower() for r in items)
    assert "agreed to focus on domestic servitude" in " ".join(topics()["domestic_servitude"]["dated_note"].split())


def test_key_card_mandatory_training_goes_into_letters(seeds):
    from briefpack.words import powers

    words = "mandatory training for police and social workers"
    assert words in seeds["call_to_action_2013"]
    assert words in content.concerns()["training"].problem
    for place in powers.PLACES:
        assert words in powers.powers().ask("training", place, "Police Scotland").letter, place


def test_nrm_records_uk_or_overseas_but_not_where_within_the_uk():
    locations = {r["location_of_exploitation"] for r in read_csv("nrm_referrals_uk_quarterly_2009_2023")}
    assert {"UK", "Overseas"} <= locations, "the data record whether exploitation was in the UK or overseas"
    for text in (content.concerns()["data"].problem, content.concerns()["data"].dated_note, topics()["data"]["why"],
                 topics()["data"]["dated_note"]):
        text = " ".join(text.split())
        assert "within the UK" in text and "overseas" in text
    for where, text in all_prose().items():
        assert "not where the exploitation" not in text and "not by where exploitation" not in text, where


def test_dated_notes_where_the_seed_is_dated(seeds):
    aftercare = content.concerns()["aftercare"]
    assert "45 day" in norm(aftercare.quote["text"]) and norm(aftercare.quote["text"]) in seeds["call_to_action_2013"]
    for note in (aftercare.dated_note, content.concerns()["legislation"].dated_note, topics()["aftercare"]["dated_note"]):
        note = " ".join(note.split())
        assert "Nationality and Borders Act 2022" in note and "Illegal Migration Act 2023" in note
        assert "check the current position" in note.lower()
    ninety = [r for r in topics()["aftercare"]["recommendations"] if "ninety days" in r["text"]]
    assert ninety and all("sexual exploitation" in r["text"] for r in ninety), "the 90 days was for sexual exploitation"
    assert "at least a 90-day reflection period" in seeds["silent_slavery_2003"]
    assert "sexual exploitation" in " ".join(topics()["aftercare"]["dated_note"].split())
    policing = " ".join(topics()["policing"]["dated_note"].split())
    assert "Europol" in policing and "check how UK forces work with them now" in policing   # dated: 2015
    for note in (content.concerns()["commissioner"].dated_note, topics()["commissioner"]["dated_note"]):
        assert "vacant" in note


def test_strength_and_context_of_sources_kept(seeds):
    steen = topics()["children"]["quote"]
    assert steen["source"] == "steen_speech_2013" and "snatch her back" in steen["text"], "the quote keeps its context"
    safe_houses = [r for r in topics()["child_exploitation"]["recommendations"] if "safe houses" in r["text"]]
    assert safe_houses and safe_houses[0]["text"].startswith("Consider funding")
    assert "should consider funding transition safe houses" in seeds["silent_slavery_2003"]


def test_criminal_exploitation_is_not_centred_on_cannabis_farms():
    crim = topics()["criminal_exploitation"]
    assert "cannabis" not in crim["why"] and "county lines" in crim["why"]
    assert not any(r["source"] == "steen_speech_2013" for r in crim["recommendations"])


# --- the sentences around the numbers: content/figures.yml and content/charts.yml --------------------

def test_words_files_hold_every_key_the_code_fills():
    from briefpack.render import charts

    for words in (figures.WORDS, charts.WORDS):
        doc = safe_yaml((CONTENT / words.filename).read_text(encoding="utf-8"))
        assert set(doc) == set(words.spec), words.filename
        for key, fields in words.spec.items():
            assert set(doc[key]) - {"claims"} == set(fields), f"{words.filename}: {key}"
    assert set(figures.WORDS.spec) == set(figures.FIGURES), "one sentence per figure"


def test_each_figure_sentence_states_its_own_number():
    for seat in ("Banbury", "Belfast South and Mid Down"):
        b = Briefing.prepare(seat)
        for key, make in figures.FIGURES.items():
            fig = make(b)
            assert fig.value in fig.text, f"{key}: {fig.text!r}"
            assert "{" not in fig.text and "}" not in fig.text, f"{key}: a placeholder was left unfilled"


def test_figure_text_gives_the_police_service_of_northern_ireland_its_article():
    b = Briefing.prepare("Belfast South and Mid Down")
    assert b.main_force.name == "Police Service of Northern Ireland"
    total = figures.FIGURES["force_referrals"](b).text
    assert total.startswith("The Police Service of Northern Ireland referred "), total
    children = figures.FIGURES["force_child_referrals"](b).text
    assert "referred by the Police Service of Northern Ireland (" in children, children


def test_one_of_many_takes_a_singular_verb():
    b = Briefing.prepare("Belfast South and Mid Down")
    fig = figures.FIGURES["force_criminal_exploitation"](b)
    assert fig.value == "1", "PSNI's one referral for criminal exploitation alone (Table 13)"
    assert fig.text.startswith("1 of the 42 referrals made by the Police Service of Northern Ireland (2%) was for "), fig.text
    many = figures.FIGURES["force_criminal_exploitation"](Briefing.prepare("Banbury")).text
    assert ") were for criminal exploitation alone" in many, many


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    """A copy of content/ that the build reads (BRIEFPACK_CONTENT), for tests that edit it."""
    import shutil

    monkeypatch.setenv("BRIEFPACK_CONTENT", str(tmp_path / "content"))
    return shutil.copytree(CONTENT, tmp_path / "content")


def edit_yaml(path, change) -> None:
    doc = safe_yaml(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("change,message", [
    (lambda d: d["force_referrals"].update(text="{Forse} referred {total} potential victims."),
     "content/figures.yml: force_referrals.text has an unknown placeholder {Forse}; it can use {force}, "
     "{total}, {uk}."),
    (lambda d: d.pop("dtn_reports"), "content/figures.yml: missing key 'dtn_reports' (with text); "),
    (lambda d: d["dtn_reports"].update(text=" "), "content/figures.yml: missing dtn_reports.text (a sentence)"),
    (lambda d: d.update(dtn_report={"text": "x"}), "content/figures.yml: unknown key 'dtn_report'; the keys are "),
    (lambda d: d["dtn_reports"].update(note="x"), "content/figures.yml: dtn_reports.note is not a field of"),
])
def test_a_broken_figures_file_is_one_line_naming_the_file_and_key(content_copy, change, message):
    from briefpack.core.errors import DataError

    edit_yaml(content_copy / "figures.yml", change)
    with pytest.raises(DataError) as err:
        figures.WORDS.doc()
    assert str(err.value).startswith(message) and "\n" not in str(err.value), str(err.value)


def test_a_broken_charts_file_is_one_line_naming_the_file_and_key(content_copy):
    from briefpack.core.errors import DataError
    from briefpack.render import charts

    edit_yaml(content_copy / "charts.yml", lambda d: d["hex_map"].pop("title"))
    with pytest.raises(DataError, match=r"^content/charts\.yml: missing hex_map\.title \(a sentence\)"):
        charts.WORDS("hex_map", "title")


def test_a_sentence_edited_in_content_is_used_at_the_next_call(content_copy):
    """As in Jupyter: the same process, the file edited between two runs."""
    from briefpack.render import charts

    police = data.load(data.NRM_POLICE)
    by_qt = stats.force_by_quarter_and_type(police, "Police Service of Northern Ireland")
    before = charts.force_quarters(by_qt, "Police Service of Northern Ireland", "source")
    assert before.title == "Referrals made by the Police Service of Northern Ireland as first responder, by quarter and type"
    edit_yaml(content_copy / "charts.yml",
              lambda d: d["force_quarters"].update(title="Who {force} referred, quarter by quarter"))
    after = charts.force_quarters(by_qt, "Police Service of Northern Ireland", "source")
    assert after.title == "Who the Police Service of Northern Ireland referred, quarter by quarter"
    b = Briefing.prepare("Banbury")
    edit_yaml(content_copy / "figures.yml",
              lambda d: d["force_referrals"].update(text="{total}: the referrals {force} made as first responder."))
    fig = figures.FIGURES["force_referrals"](b)
    assert fig.text == f"{fig.value}: the referrals Thames Valley Police made as first responder."


# --- keys from the files of content/, and caches that follow edits -----------------------------------

def add_concern(folder, key: str, like: str = "data") -> None:
    """A new concern made from an existing one: its file in concerns/ and its entries in powers.yml."""
    order = max(c.order for c in content.concerns().values()) + 1

    def change(doc):
        doc.update(key=key, order=order, title=f"New {key}")
    (folder / "concerns" / f"{key}.yml").write_text((folder / "concerns" / f"{like}.yml").read_text(encoding="utf-8"),
                                                     encoding="utf-8")
    edit_yaml(folder / "concerns" / f"{key}.yml", change)
    edit_yaml(folder / "powers.yml", lambda doc: doc["concerns"].update({key: doc["concerns"][like]}))


def test_concern_keys_are_the_files_of_content_concerns(content_copy):
    assert content.concern_keys() == tuple(p.stem for p in sorted((CONTENT / "concerns").glob("*.yml"),
                                                                  key=lambda p: safe_yaml(p.read_text())["order"]))
    add_concern(content_copy, "supply_chains")
    assert content.concern_keys()[-1] == "supply_chains"
    assert content.parse_concerns("supply_chains,training") == ["supply_chains", "training"]
    from briefpack.words import powers

    assert powers.powers().ask("supply_chains", "Wales").ask == powers.powers().ask("data", "Wales").ask
    (content_copy / "concerns" / "supply_chains.yml").unlink()
    with pytest.raises(InputError, match="Unknown concern 'supply_chains'; choose 2-3 of: data, training"):
        content.parse_concerns("supply_chains,training")


def test_topic_keys_are_the_files_of_content_topics(content_copy):
    from briefpack.core.errors import DataError
    from briefpack.words import topics as topic_briefings

    keys = topic_briefings.topic_keys()
    assert set(keys) == {p.stem for p in (CONTENT / "topics").glob("*.yml")}
    assert keys[:len(content.concern_keys())] == content.concern_keys(), "the concerns first, in Key Card order"
    themes = keys[len(content.concern_keys()):]
    assert list(themes) == sorted(themes) and all(topics()[k]["kind"] == "theme" for k in themes)
    (content_copy / "topics" / "forced_marriage.yml").write_text(
        (content_copy / "topics" / "domestic_servitude.yml").read_text(encoding="utf-8"), encoding="utf-8")
    edit_yaml(content_copy / "topics" / "forced_marriage.yml", lambda d: d.update(key="forced_marriage"))
    assert topic_briefings.parse_topics("forced-marriage") == ["forced_marriage"]
    assert topic_briefings.parse_topics("all")[-2:] == ["forced_marriage", "labour_exploitation"]
    edit_yaml(content_copy / "topics" / "forced_marriage.yml", lambda d: d.update(kind="concern"))
    with pytest.raises(DataError, match=r"^content/topics/forced_marriage\.yml: kind is concern, but 'forced_marriage' "
                                        r"is not a concern in content/concerns/"):
        topic_briefings.topic_keys()


def run_cli(*args, env: dict):
    """The command line, run in this process (it reads the content folder afresh at each call)."""
    from conftest import run_cli as in_process

    return in_process(*args, env=env)


def test_the_command_line_help_lists_the_keys_of_the_content_files(content_copy):
    add_concern(content_copy, "supply_chains")
    (content_copy / "topics" / "supply_chains.yml").write_text(
        (content_copy / "topics" / "data.yml").read_text(encoding="utf-8"), encoding="utf-8")
    edit_yaml(content_copy / "topics" / "supply_chains.yml", lambda d: d.update(key="supply_chains"))
    proc = run_cli("build", "--help", env={"BRIEFPACK_CONTENT": str(content_copy)})
    assert proc.returncode == 0, proc.stderr
    help_text = " ".join(proc.stdout.split())
    concerns = ", ".join(content.concern_keys())
    assert f"--concerns KEYS 2-3 of: {concerns}, comma-separated" in help_text
    assert concerns.endswith("commissioner, supply_chains")
    proc = run_cli("topics", "--help", env={"BRIEFPACK_CONTENT": str(content_copy)})
    help_text = " ".join(proc.stdout.split())
    assert f"topic keys, or all: {', '.join(content.concern_keys())}, child_exploitation" in help_text


def test_the_help_still_prints_when_content_is_broken(content_copy):
    path = content_copy / "concerns" / "training.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  bad: [indent\n", encoding="utf-8")
    env = {"BRIEFPACK_CONTENT": str(content_copy)}
    proc = run_cli("build", "--help", env=env)
    assert proc.returncode == 0, proc.stderr
    help_text = " ".join(proc.stdout.split())
    assert "--concerns KEYS 2-3 of: (the list cannot be read now: content/concerns/training.yml line " in help_text
    assert "not valid YAML" in help_text
    build = run_cli("build", "-c", "Banbury", "--dry-run", "--out", str(content_copy.parent / "out"), env=env)
    assert build.returncode != 0
    [line] = build.stderr.strip().splitlines()
    assert line.startswith("error: content/concerns/training.yml line ") and "Traceback" not in build.stderr


def set_title(doc):
    doc["title"] = "A title edited while Jupyter was open"


@pytest.mark.parametrize("file,change,read", [
    ("concerns/training.yml", set_title, lambda: content.concerns()["training"].title),
    ("topics/children.yml", set_title, lambda: importlib.import_module("briefpack.render.topic_briefing").TopicBriefing("children").title),
    ("sources.yml", lambda d: d["steen_speech_2013"].update(title="A title edited while Jupyter was open"),
     lambda: content.sources()["steen_speech_2013"]["title"]),
    ("meeting.yml", lambda d: d.update(headline_ask="A title edited while Jupyter was open"),
     lambda: content.meeting()["headline_ask"]),
    ("letter.yml", lambda d: d.update(closing="A title edited while Jupyter was open"),
     lambda: importlib.import_module("briefpack.render.letters").wording()["closing"]),
    ("powers.yml", lambda d: d["bodies"]["pcc"].update(name="A title edited while Jupyter was open"),
     lambda: importlib.import_module("briefpack.words.powers").powers().bodies["pcc"].name),
    ("figures.yml", lambda d: d["dtn_reports"].update(text="A title edited while Jupyter was open"),
     lambda: figures.WORDS("dtn_reports", "text")),
])
def test_an_edit_to_content_shows_at_the_next_call_in_the_same_process(content_copy, file, change, read):
    before = read()
    assert before != "A title edited while Jupyter was open"
    edit_yaml(content_copy / file, change)
    assert read() == "A title edited while Jupyter was open"


def test_the_data_readme_gives_the_government_share_as_the_data_does():
    """data/README.md states a statistic only with its source and period, as the CSV gives it."""
    rows = [r for r in read_csv("nrm_referrals_by_first_responder_type_2022q2_2023q4")
            if (r["exploitation_type"], r["age_at_exploitation"], r["gender"]) == ("Total", "Total", "Total")]
    government = sum(int(r["people"]) for r in rows if r["first_responder_type"] == "Government agency")
    total = sum(int(r["people"]) for r in rows)
    quarters = sorted({(int(r["year"]), r["quarter"]) for r in rows})
    assert quarters[0] == (2022, "Q2") and quarters[-1] == (2023, "Q4")
    text = " ".join((ROOT / "data" / "README.md").read_text(encoding="utf-8").split())
    assert (f"made {government:,} of the {total:,} UK referrals from April 2022 to December 2023 "
            f"({100 * government / total:.0f}%;") in text
    assert "about half" not in text
