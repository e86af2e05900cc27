"""The researchers' guide (README, "For researchers: four changes, step by step"): each change made to a
copy of the project exactly as the README writes it (its code blocks are read from the README), built
through ``build.py``, and checked in the HTML and in the PDF's text against the CSVs read with the csv
module.

A fast test checks that a template edit is an input of every briefing; the four recipes build, and
are marked ``e2e``.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from collections import defaultdict

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, read_csv, safe_yaml
from pypdf import PdfReader

from briefpack.build import manifest

GUIDE = "## For researchers: four changes, step by step"
FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.M | re.S)


def recipe(title: str) -> str:
    """The text of one recipe (``### title``) of the README's guide."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split(GUIDE, 1)[1].split("\n## ", 1)[0]
    return guide.split(f"\n### {title}\n", 1)[1].split("\n### ", 1)[0]


def blocks(title: str, language: str) -> list[str]:
    """The recipe's code blocks in ``language``, as a reader copies them (indentation removed)."""
    return [textwrap.dedent(m.group(3)) for m in FENCE.finditer(recipe(title)) if m.group(2) == language]


def html(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(path) -> str:
    return " ".join(words(page.extract_text() or "") for page in PdfReader(str(path)).pages)


def section_of(tag) -> str:
    """The heading (h2) of the notebook section a tag is printed in."""
    heading = tag.find_previous("h2")
    return words(heading.get_text()).rstrip("¶ ") if heading else ""


def build(project, out, *args):
    proc = project.build("-c", "Banbury", "--out", str(out), "--jobs", "1", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def period_of(name: str, year="year", quarter="quarter") -> str:
    """'2009 Q2 to 2023 Q4': the first and last quarter of a table, from the CSV."""
    keys = sorted({(int(r[year]), r[quarter]) for r in read_csv(name) if r[quarter] != "Total"})
    return f"{keys[0][0]} {keys[0][1]} to {keys[-1][0]} {keys[-1][1]}"


def uk_full_years() -> dict[int, dict[str, int]]:
    """{year: {"children": n, "total": n}} for the full years of Table 2 (location 'Total' rows)."""
    by_year, quarters = defaultdict(lambda: defaultdict(int)), defaultdict(set)
    for r in read_csv("nrm_referrals_uk_quarterly_2009_2023"):
        if r["location_of_exploitation"] == "Total":
            year = int(r["year"])
            quarters[year].add(r["quarter"])
            by_year[year]["total"] += int(r["nrm_referrals"])
            if r["age_at_exploitation"] == "Child (17 or under)":
                by_year[year]["children"] += int(r["nrm_referrals"])
    return {y: dict(v) for y, v in sorted(by_year.items()) if len(quarters[y]) == 4}


# --- fast: the files a researcher edits are inputs of the build ---------------------------------------

def test_a_template_edit_changes_the_inputs_of_every_briefing(project, monkeypatch):
    monkeypatch.setenv("BRIEFPACK_ROOT", str(project.root))
    templates = project.own("templates")
    before = manifest.templates_hash()
    (templates / "README.md").write_text("Notes for the team.\n", encoding="utf-8")
    assert manifest.templates_hash() == before, "a README is not part of a page"
    why = templates / "sections" / "why.html.j2"
    why.write_text(why.read_text(encoding="utf-8") + "<p>One more sentence.</p>\n", encoding="utf-8")
    assert manifest.templates_hash() != before


def test_a_template_edit_shows_at_the_next_call_in_the_same_process(project, monkeypatch):
    """As in Jupyter: the section that is rendered once per process (the same for every seat) follows
    its template, and so does every other."""
    from briefpack.render.briefing import Briefing

    monkeypatch.setenv("BRIEFPACK_ROOT", str(project.root))
    b = Briefing.prepare("Banbury")
    old, new = "Later releases revise recent figures.", "Later releases may revise the latest figures."
    assert old in b.why_it_matters().html
    why = project.own("templates") / "sections" / "why.html.j2"
    why.write_text(why.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    html_ = b.why_it_matters().html
    assert new in html_ and old not in html_


def test_the_guide_has_its_four_recipes_with_their_code():
    assert [len(blocks("Add a chart", "python")), len(blocks("Add a table", "python")),
            len(blocks("Add a section", "jinja")), len(blocks("Add a section", "python")),
            len(blocks("Change a sentence", "yaml"))] == [1, 1, 1, 1, 1]
    for title in ("Add a chart", "Add a table", "Add a section"):
        for cell in blocks(title, "python"):
            compile(cell, title, "exec")


# --- the four recipes, end to end ------------------------------------------------------------------

@pytest.mark.e2e
def test_add_a_chart(project, tmp_path):
    assert "add a code cell after the cell `b.your_area()`" in recipe("Add a chart")
    [cell] = blocks("Add a chart", "python")
    project.insert_cell("b.your_area()", cell)
    proc = build(project, tmp_path, "--formats", "html,pdf")
    assert not [w for w in proc.stderr.splitlines() if w.startswith("warning:") and "chart" in w], proc.stderr

    years = uk_full_years()
    first, last = min(years), max(years)
    page = html(tmp_path / "banbury.html")
    assert not page.find_all("script"), "drawn as SVG, no script"
    [figure] = [f for f in page.select("figure.chart")
                if f.figcaption and f.figcaption.get_text() == "Children referred to the NRM each year, UK"]
    assert section_of(figure) == "Your area"
    assert figure.select_one("[role=img]")["aria-label"] == (
        f"Children referred to the NRM went from {years[first]['children']:,} in {first} to "
        f"{years[last]['children']:,} in {last}.")
    points = [p["aria-label"] for p in figure.select("svg [aria-roledescription=point]")]
    assert points == [f"Year: {y}; Children referred: {v['children']}" for y, v in years.items()], \
        "one point a full year, with the CSV's count"
    source = f"Home Office, NRM statistics, Table 2, {period_of('nrm_referrals_uk_quarterly_2009_2023')}"
    assert figure.select_one("p.source").get_text() == f"Source: {source}"

    text = pdf_text(tmp_path / "banbury.pdf")
    assert "Children referred to the NRM each year, UK" in text and "Children referred" in text
    assert f"Source: {source}" in text


@pytest.mark.e2e
def test_add_a_table(project, tmp_path):
    assert "Add a code cell after the cell `b.why_it_matters()`" in recipe("Add a table")
    [cell] = blocks("Add a table", "python")
    project.insert_cell("b.why_it_matters()", cell)
    build(project, tmp_path, "--formats", "html,pdf")

    totals = [(int(r["year"]), int(r["dtn_reports"])) for r in read_csv("duty_to_notify_reports_quarterly_2015_2023")
              if r["quarter"] == "Total"][-3:]
    page = html(tmp_path / "banbury.html")
    [table] = [t for t in page.select("table.data")
               if t.caption and t.caption.get_text() == "Duty to Notify reports in England and Wales, by year"]
    assert section_of(table) == "Why it matters now"
    assert [th.get_text() for th in table.select("thead th")] == ["Year", "Reports"]
    assert not table.select("tbody th"), "no index column"
    assert [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")] == [
        [str(y), f"{n:,}"] for y, n in totals]
    source = f"Source: Home Office, NRM statistics, Table 40, {totals[0][0]} to {totals[-1][0]}"
    assert table.find_next_sibling("p").get_text() == source

    text = pdf_text(tmp_path / "banbury.pdf")
    assert "Duty to Notify reports in England and Wales, by year" in text and source in text
    for year, n in totals:
        assert f"{year} {n:,}" in text


@pytest.mark.e2e
def test_add_a_section(project, tmp_path):
    text = recipe("Add a section")
    assert "new template, `templates/sections/children.html.j2`" in text
    assert "after the cell `b.chosen_concerns()`, add a Markdown cell with the section's\n   heading, " \
           "`## Children in the figures`" in text
    [template], [cell] = blocks("Add a section", "jinja"), blocks("Add a section", "python")
    (project.own("templates") / "sections" / "children.html.j2").write_text(template, encoding="utf-8")
    project.insert_cell("b.chosen_concerns()", "## Children in the figures", markdown=True)
    project.insert_cell("## Children in the figures", cell)
    build(project, tmp_path, "--formats", "html,pdf")

    years = uk_full_years()
    year = max(years)
    children, total = years[year]["children"], years[year]["total"]
    paragraph = (f"In {year}, {children:,} of the {total:,} potential victims referred to the NRM in the UK were "
                 f"exploited as children ({100 * children / total:.0f}%).")
    source = f"Source: Home Office, NRM statistics, Table 2, {period_of('nrm_referrals_uk_quarterly_2009_2023')}."
    page = html(tmp_path / "banbury.html")
    [heading] = [h for h in page.select("h2") if words(h.get_text()).rstrip("¶ ") == "Children in the figures"]
    assert heading.find_previous("h2") and section_of(heading) == "The concerns we are raising"
    following = heading.find_all_next("p", limit=2)
    assert [words(p.get_text()) for p in following] == [paragraph, source]

    pdf = pdf_text(tmp_path / "banbury.pdf")
    assert f"Children in the figures {paragraph} {source}" in pdf


@pytest.mark.e2e
def test_change_a_sentence(project, tmp_path):
    import subprocess

    import docx

    text = recipe("Change a sentence")
    found = subprocess.run(["grep", "-rn", "as first responder", "content/", "templates/"], cwd=ROOT,
                           capture_output=True, text=True).stdout
    assert 'grep -rn "as first responder" content/ templates/' in text
    assert re.search(r"^content/figures\.yml:\d+:", found, re.M), "step 1 finds the sentence"
    content, templates = project.own("content"), project.own("templates")
    build(project, tmp_path, "--formats", "html,pdf,docx")
    assert "dry run: 0 to build, 1 up to date" in build(project, tmp_path, "--dry-run").stdout

    # Step 2, as the README writes it.
    [block] = blocks("Change a sentence", "yaml")
    figures_yml = content / "figures.yml"
    doc = safe_yaml(figures_yml.read_text(encoding="utf-8"))
    doc.update(safe_yaml(block))
    figures_yml.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    old, new = "Later releases revise recent figures.", "Later releases may revise the latest figures."
    assert f"`{old}` becomes\n   `{new}`" in text
    why = templates / "sections" / "why.html.j2"
    assert old in why.read_text(encoding="utf-8")
    why.write_text(why.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    dry = build(project, tmp_path, "--dry-run").stdout
    assert "would build: Banbury (E14001072): changed: content, templates" in dry, dry
    build(project, tmp_path, "--formats", "html,pdf,docx")

    police = [r for r in read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4")
              if (r["exploitation_type"], r["age_at_exploitation"], r["gender"]) == ("Total", "Total", "Total")]
    tvp = sum(int(r["people"]) for r in police if r["police_first_responder"] == "Thames Valley Police")
    uk = sum(int(r["people"]) for r in police if r["police_first_responder"] != "Police total")
    sentence = f"Thames Valley Police made {tvp:,} of the {uk:,} referrals by UK police forces as first responder"
    page = html(tmp_path / "banbury.html")
    [box] = page.select("[data-concern=policing] .figure-box")
    assert f"{sentence}, over the seven quarters from April 2022 to December 2023." in words(box.get_text())
    assert new in words(page.get_text(" ")) and old not in words(page.get_text(" "))
    pdf = pdf_text(tmp_path / "banbury.pdf")
    assert sentence in pdf and new in pdf
    letter = " ".join(p.text for p in docx.Document(str(tmp_path / "banbury-letter.docx")).paragraphs)
    assert f"{sentence}, over the seven quarters from April 2022 to December 2023" in words(letter)


@pytest.mark.e2e
def test_a_table_added_by_a_researcher_is_sourced_and_its_edits_rebuild_exactly_its_readers(project, tmp_path):
    """The table recipe's new table is listed on the sources page with its publisher, period and licence,
    and a change to its CSV rebuilds the briefings that read it, and only those.

    Design: every briefing built from one notebook runs the same cells, so the briefings that do not
    read the table come from a second copy of the project with the original notebook. Both copies read
    one copy of ``data/`` (``BRIEFPACK_DATA``) and build into their own folders (each has its manifest):
    the notebook with the cell builds Banbury and Hitchin, the original notebook builds Banbury. The
    same seat, the same data: only the cell differs, so only the briefings with the cell may rebuild.
    """
    from conftest import ProjectCopy

    table = "duty_to_notify_reports_quarterly_2015_2023"
    assert "the sources page lists it with its publisher, period and licence" in " ".join(recipe("Add a table").split())
    [cell] = blocks("Add a table", "python")
    project.insert_cell("b.why_it_matters()", cell)
    data_copy = project.own("data")
    plain = ProjectCopy(tmp_path / "plain")
    plain.env["BRIEFPACK_DATA"] = str(data_copy)
    with_cell, without = tmp_path / "with-cell", tmp_path / "without"
    for copy, out, seats in ((project, with_cell, ("Banbury", "Hitchin")), (plain, without, ("Banbury",))):
        args = [a for seat in seats for a in ("-c", seat)]
        proc = copy.build(*args, "--formats", "html", "--out", str(out), "--jobs", "1")
        assert proc.returncode == 0, proc.stderr

    meta = safe_yaml((ROOT / "data" / f"{table}.meta.yml").read_text(encoding="utf-8"))["provenance"]
    licence = safe_yaml((ROOT / "data" / "licences.yml").read_text(encoding="utf-8"))[meta["licences"][0]]
    row = [meta["publisher"], meta["period"], licence["name"]]
    for slug in ("banbury", "hitchin"):
        sources = [[td.get_text() for td in tr.select("td")][1:]
                   for tr in html(with_cell / f"{slug}.html").select("table.sources tbody tr")]
        assert row in sources, f"{slug}: the new table is on the sources page"
    plain_sources = html(without / "banbury.html").select_one("table.sources").get_text(" ")
    assert meta["period"] not in plain_sources, "without the cell, the table is not read, and not listed"

    # A correction to the table's last year, in the data both copies read.
    csv_path = data_copy / f"{table}.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if ",Total," in line)
    year, _, reports = lines[last].strip().split(",")
    lines[last] = f"{year},Total,{int(reports) + 1}\n"
    csv_path.write_text("".join(lines), encoding="utf-8")

    dry = project.build("-c", "Banbury", "-c", "Hitchin", "--formats", "html", "--out", str(with_cell), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert re.search(rf"would build: Banbury \(E14001072\): changed: {table}$", dry.stdout, re.M), dry.stdout
    assert re.search(rf"would build: Hitchin \(E\d+\): changed: {table}$", dry.stdout, re.M), dry.stdout
    assert "dry run: 2 to build, 0 up to date" in dry.stdout
    still = plain.build("-c", "Banbury", "--formats", "html", "--out", str(without), "--dry-run")
    assert "dry run: 0 to build, 1 up to date" in still.stdout, still.stdout

    proc = project.build("-c", "Banbury", "--formats", "html", "--out", str(with_cell), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    [shown] = [t for t in html(with_cell / "banbury.html").select("table.data")
               if t.caption and t.caption.get_text() == "Duty to Notify reports in England and Wales, by year"]
    assert shown.select("tbody tr")[-1].select("td")[1].get_text() == f"{int(reports) + 1:,}", "the rebuild shows it"
