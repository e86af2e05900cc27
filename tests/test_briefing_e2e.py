"""End to end: real briefings built by build.py, their HTML parsed and their PDFs opened."""
from __future__ import annotations

import re
import unicodedata

import pytest
from bs4 import BeautifulSoup
from conftest import SEATS, XSS, read_csv, run_build
from pypdf import PdfReader

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


def mp_name(gss_or_name: str) -> str:
    """The sitting MP as the members file writes the name."""
    for row in read_csv("mps_current"):
        if gss_or_name in (row["pcon_code"], row["pcon_name"]):
            return row["display_as"]
    raise KeyError(gss_or_name)


def soup(built, slug) -> BeautifulSoup:
    return BeautifulSoup((built / f"{slug}.html").read_text(encoding="utf-8"), "lxml")


def page_text(page) -> str:
    """A PDF page's text, with ligatures (ﬁ, ﬃ) unfolded and white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", page.extract_text() or "").split())


def pdf_text(built, slug) -> tuple[str, int]:
    reader = PdfReader(str(built / f"{slug}.pdf"))
    return "\n".join(page_text(p) for p in reader.pages), len(reader.pages)


def uk_total_2023() -> int:
    rows = read_csv("nrm_referrals_uk_quarterly_2009_2023")
    return sum(int(r["nrm_referrals"]) for r in rows if r["year"] == "2023" and r["location_of_exploitation"] == "Total")


def uk_total_latest() -> tuple[str, int]:
    """The latest calendar year's referrals as the Home Office's end-of-year summary annex gives them."""
    rows = [r for r in read_csv("nrm_headlines_2024_2025") if r["measure"] == "referrals_total"
            and r["period"].isdigit() and "end-of-year-summary" in r["source_url"]]
    row = max(rows, key=lambda r: r["period"])
    return row["period"], int(row["value"])


def force_total(force: str) -> int:
    rows = read_csv("nrm_referrals_by_police_force_first_responder_2022q2_2023q4")
    return sum(int(r["people"]) for r in rows if r["police_first_responder"] == force
               and r["exploitation_type"] == "Total" and r["age_at_exploitation"] == "Total" and r["gender"] == "Total")


def main_force(gss: str) -> str:
    rows = [r for r in read_csv("constituency_to_police_force_area") if r["pcon24_code"] == gss]
    return max(rows, key=lambda r: float(r["share_of_constituency_pop"]))["nrm_police_first_responder_name"]


def gss_of(name_or_code: str) -> str:
    for r in read_csv("westminster_constituencies_2024"):
        if name_or_code in (r["gss_code"], r["name"]):
            return r["gss_code"]
    raise KeyError(name_or_code)


@pytest.mark.parametrize("slug", list(SEATS))
def test_html_is_self_contained(built, slug):
    page = soup(built, slug)
    for tag in page.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
        for attr in ("src", "href", "srcset"):
            value = tag.get(attr)
            assert not value or not EXTERNAL.match(value), f"{tag.name} loads {value}"
    assert not page.find_all("script"), "a briefing page needs no script"
    for style in page.find_all("style"):
        assert "@import" not in style.text and "url(http" not in style.text
    assert page.html.get("lang") == "en-GB"


@pytest.mark.parametrize("slug", list(SEATS))
def test_html_has_mp_charts_and_no_code(built, slug):
    name, _ = SEATS[slug]
    page = soup(built, slug)
    text = page.get_text(" ")
    assert mp_name(gss_of(name)) in text
    charts = page.select("figure.chart svg")
    assert len(charts) >= 2, "UK trend and force chart as inline SVG"
    for fig in page.select("figure.chart"):
        alt = fig.select_one("[role=img]")["aria-label"]
        assert len(alt) > 40 and re.search(r"\d", alt), "charts carry a text alternative with figures"
    assert not page.select(".jp-CodeCell .jp-InputArea"), "no code in the briefing"
    assert "Briefing.prepare" not in text and "import " not in text


@pytest.mark.parametrize("slug", list(SEATS))
def test_hostile_club_name_is_text(built, slug):
    html = (built / f"{slug}.html").read_text(encoding="utf-8")
    assert XSS not in html, "the club name must be escaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS in soup(built, slug).get_text(), "and still shown, as text"


@pytest.mark.parametrize("slug", list(SEATS))
def test_figures_match_source_tables(built, slug):
    name, _ = SEATS[slug]
    page = soup(built, slug)
    assert page.select_one('[data-figure="uk-total"]').get_text() == f"{uk_total_latest()[1]:,}"
    assert page.select_one('[data-figure="uk-split-total"]').get_text() == f"{uk_total_2023():,}"
    force = main_force(gss_of(name))
    assert page.select_one('[data-figure="force-total"]').get_text() == f"{force_total(force):,}"


@pytest.mark.parametrize("slug", list(SEATS))
def test_pdf_pages_and_text(built, slug):
    name, _ = SEATS[slug]
    text, pages = pdf_text(built, slug)
    assert pages >= 2
    flat = " ".join(text.split())
    assert mp_name(gss_of(name)) in flat
    assert f"{uk_total_latest()[1]:,}" in flat and f"{uk_total_2023():,}" in flat
    assert "file://" not in flat and "about:blank" not in flat, "no browser header/footer stamps"
    assert re.search(r"Page 1 of \d", flat)


def test_pdf_charts_not_split_across_pages(built):
    """Each chart's title and its source line print on the same page."""
    reader = PdfReader(str(built / "banbury.pdf"))
    pages = [page_text(p) for p in reader.pages]
    for title in ("Potential victims referred to the NRM each year, UK", "Referrals made by Thames Valley Police"):
        hits = [i for i, t in enumerate(pages) if title in t]
        assert hits, title
        assert "Source: Home Office" in pages[hits[0]]


def test_split_seat_shows_both_forces(tmp_path):
    proc = run_build("--constituency", "Hitchin", "--formats", "html", "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    page = BeautifulSoup((tmp_path / "hitchin.html").read_text(encoding="utf-8"), "lxml")
    rows = [r for r in read_csv("constituency_to_police_force_area") if r["pcon24_code"] == gss_of("Hitchin")]
    assert len(rows) == 2
    text = page.get_text(" ")
    for r in rows:
        assert r["pfa_name"] in text
        assert f"{round(100 * float(r['share_of_constituency_pop']))}%" in text
    assert not list(tmp_path.glob("*.pdf")), "--formats html writes no PDF"


def test_legislation_adapted_outside_england_and_wales(built):
    page = soup(built, "aberdeen-north")
    ask = page.select_one('section[data-concern="legislation"] p.ask').get_text(" ")
    assert "Human Trafficking and Exploitation (Scotland) Act 2015" in ask and "Scottish Government" in ask
    assert "Modern Slavery Act 2015" not in ask
    assert "Police Scotland" in page.get_text(" ")


@pytest.mark.parametrize("args,expect", [
    (["--constituency", "Banburyy"], "Banbury"),
    (["--constituency", "Banbury", "--concerns", "training,kittens"], "data, training, policing"),
    (["--constituency", "E14999999"], "GSS code"),
    (["--constituency", "Banbury", "--meeting-date", "next tuesday"], "YYYY-MM-DD"),
    (["--constituency", "Banbury", "--formats", "rtf"], "html, pdf, docx"),
])
def test_bad_input_one_line_and_nothing_written(tmp_path, args, expect):
    proc = run_build(*args, "--out", str(tmp_path))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and expect in lines[0]
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_hostile_constituency_text_is_contained(tmp_path):
    proc = run_build("--constituency", "<script>x</script>\n../../etc/passwd", "--out", str(tmp_path))
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Unknown constituency" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_batch_goes_on_after_a_bad_seat(tmp_path):
    proc = run_build("--constituency", "Nowhere At All", "--constituency", "Banbury", "--formats", "html",
                     "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 1
    assert (tmp_path / "banbury.html").exists()
    assert "Unknown constituency 'Nowhere At All'" in proc.stderr
    assert "1 built" in proc.stdout and "1 failed" in proc.stdout
