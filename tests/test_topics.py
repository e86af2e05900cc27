"""Topic briefings: every topic builds, with its national charts and attributed recommendations."""
import pytest
from bs4 import BeautifulSoup
from conftest import run_build

from briefpack.words import content, topics


@pytest.fixture(scope="module")
def topic_pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("topics")
    proc = run_build("--topics", "all", "--formats", "html,pdf", "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return out


def test_every_topic_builds(topic_pages):
    for key in topics.topic_keys():
        slug = "topic-" + key.replace("_", "-")
        assert (topic_pages / f"{slug}.html").exists() and (topic_pages / f"{slug}.pdf").exists(), key


@pytest.mark.parametrize("key", topics.topic_keys())
def test_topic_page(topic_pages, key):
    page = BeautifulSoup((topic_pages / f"topic-{key.replace('_', '-')}.html").read_text(encoding="utf-8"), "lxml")
    t = topics.topic(key)
    assert page.h1.get_text() == t["title"]
    charts = page.select("figure.chart")
    assert len(charts) >= 2
    for fig in charts:
        assert len(fig.select_one("[role=img]")["aria-label"]) > 40
    recs = page.select("ul.recommendations li")
    said = page.select("ul.government-said li")
    reported = [r for r in t["recommendations"] if r.get("stance") == "reports"]
    assert len(recs) == len(t["recommendations"]) - len(reported) >= 3
    assert len(said) == len(reported), "what the Government said it was doing is listed apart"
    names = {s["author"] for s in content.sources().values()}
    assert all(any(n in li.get_text() for n in names) for li in recs + said), "every item is attributed"
    for li in said:
        assert "26 February 2008" in li.get_text()
    if t.get("show_decisions"):
        assert "Conclusive grounds decisions each year, UK" in page.get_text()
    if t.get("show_duty_to_notify"):
        assert "Duty to Notify reports each year" in page.get_text()


def test_unknown_topic_is_one_line(tmp_path):
    proc = run_build("--topic", "kittens", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: Unknown topic 'kittens'")
    assert "\n" not in proc.stderr.strip() and not any(tmp_path.iterdir())


def test_criminal_exploitation_figures_from_the_data(topic_pages):
    """The largest type of police referral and the largest nationality, computed from the CSVs."""
    from conftest import read_csv

    main = ("Sexual", "Labour", "Criminal", "Domestic")
    rows = [r for r in read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4")
            if r["police_first_responder"] != "Police total" and r["age_at_exploitation"] == "Total"
            and r["gender"] == "Total" and r["exploitation_type"] != "Total"]
    by_type = {}
    for r in rows:   # combinations of types count as one group, as the briefing's chart shows them
        kind = r["exploitation_type"] if r["exploitation_type"] in main + ("Not specified or unknown", "Organ Harvesting") \
            else "More than one type"
        by_type[kind] = by_type.get(kind, 0) + int(r["people"])
    nat = {}
    for r in read_csv("nrm_referrals_police_first_responder_by_nationality_2022q2_2023q4"):
        if r["police_first_responder"] != "Police total" and r["nationality"] != "Total":
            nat[r["nationality"]] = nat.get(r["nationality"], 0) + int(r["people"])
    top_nat = max(nat, key=nat.get)
    page = BeautifulSoup((topic_pages / "topic-criminal-exploitation.html").read_text(encoding="utf-8"), "lxml")
    text = " ".join(page.select_one("p.highlight").get_text(" ").split())
    assert f"{by_type['Criminal']:,} referrals" in text
    assert ("the largest of any type" in text) == (max(by_type, key=by_type.get) == "Criminal")
    assert f"{top_nat} nationals were the largest group referred by police ({nat[top_nat]:,})" in text


@pytest.mark.parametrize("key", topics.topic_keys())
def test_kind_and_age_focus_change_the_page(topic_pages, key):
    """A concern's topic says it is one of the campaign's concerns, a theme says it is a theme; a topic
    about children or adults puts that group in front, on the cover and in the age chart."""
    from conftest import read_csv

    page = BeautifulSoup((topic_pages / f"topic-{key.replace('_', '-')}.html").read_text(encoding="utf-8"), "lxml")
    t = topics.topic(key)
    kicker = page.select_one("p.kicker").get_text()
    assert ("a concern the campaign raises with MPs" in kicker) == (t["kind"] == "concern") == (key in content.concerns())
    assert ("a theme across the campaign's concerns" in kicker) == (t["kind"] == "theme")
    ages = {"Adult (18 or over)": "adults", "Child (17 or under)": "children"}
    rows = [r for r in read_csv("nrm_referrals_uk_quarterly_2009_2023") if r["location_of_exploitation"] == "Total"]
    year = max(int(r["year"]) for r in rows if r["quarter"] == "Q4")
    counts = {group: sum(int(r["nrm_referrals"]) for r in rows if int(r["year"]) == year
                         and ages.get(r["age_at_exploitation"]) == group) for group in ages.values()}
    total = sum(int(r["nrm_referrals"]) for r in rows if int(r["year"]) == year)
    lead = "adults" if t["age_focus"] == "adults" else "children"
    cover = " ".join(page.select_one("header.cover p.note").get_text().split())
    assert f"{counts[lead]:,} of the {total:,} referred that year were exploited as {lead}" in cover
    titles = [f.figcaption.get_text() for f in page.select("figure.chart") if "referred to the NRM each year" in
              f.figcaption.get_text()]
    other = "children" if lead == "adults" else "adults"
    expect = ("Children and adults referred to the NRM each year, UK" if t["age_focus"] == "all"
              else f"{lead.capitalize()} referred to the NRM each year, UK, with {other} for comparison")
    assert titles == [expect]
