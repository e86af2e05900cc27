"""Researchers' own cells: a chart or a table added to a copy of the notebook prints, offline.

Unit tests run the display hooks and the export preprocessor in this process; the end-to-end test
adds cells to a copy of ``notebooks/briefing.ipynb`` and builds it through ``build.py``.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict

import altair as alt
import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import read_csv
from pypdf import PdfReader

from briefpack.build.export import HtmlExporter
from briefpack.render import display

LOADS = ("link", "img", "iframe", "source", "video", "audio", "embed", "object", "image")
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


def assert_offline(page: BeautifulSoup) -> None:
    """No script at all, nothing that could load (``<img>``, ``<iframe>``...), no http(s) URL in src or href."""
    assert not page.find_all("script"), "no script survives into a briefing"
    assert not page.find_all(LOADS), "nothing that loads a file"
    for tag in page.find_all(True):
        for attr in ("src", "href", "xlink:href", "srcset", "data", "action"):
            value = tag.get(attr)
            assert not value or not EXTERNAL.match(value), f"{tag.name} refers to {value}"


def nrm_by_year() -> dict[int, int]:
    """UK NRM referrals per year, all ages (the 'Total' location rows), read with the csv module."""
    totals = defaultdict(int)
    for r in read_csv("nrm_referrals_uk_quarterly_2009_2023"):
        if r["location_of_exploitation"] == "Total":
            totals[int(r["year"])] += int(r["nrm_referrals"])
    return dict(totals)


# --- units: what the hooks and the preprocessor do, without a kernel ------------------------------

SMALL = pd.DataFrame({"year": [2021, 2022, 2023], "referrals": [12700, 16921, 17004]})


@pytest.fixture
def renderer():
    """Restore Altair's renderer after a test enables another."""
    active = alt.renderers.active
    yield alt.renderers
    alt.renderers.enable(active)


def test_hooks_name_the_installed_classes():
    assert (alt.TopLevelMixin.__module__, alt.TopLevelMixin.__name__) == display.ALTAIR_CHART
    assert (pd.DataFrame.__module__, pd.DataFrame.__name__) == display.PANDAS_FRAME


def test_chart_without_description_gets_one_from_its_data():
    chart = alt.Chart(SMALL).mark_line().encode(x="year:O", y=alt.Y("referrals:Q", title="Referrals"))
    fig = display.chart_figure(chart.to_dict())
    assert not fig.described and fig.source == ""
    low, high = SMALL.referrals.min(), SMALL.referrals.max()
    assert fig.alt_text == (f"Line chart of Referrals by year (year from {SMALL.year.min()} to {SMALL.year.max()}; "
                            f"Referrals from {low:,} to {high:,}); {len(SMALL)} data points.")
    page = BeautifulSoup(fig.html, "html.parser")
    assert page.select_one("figure.chart [role=img]")["aria-label"] == fig.alt_text
    svg = page.select_one("figure.chart svg")
    assert "Referrals" in svg.get_text(" ") and all(str(y) in svg.get_text(" ") for y in SMALL.year)
    assert "DejaVu Sans" in str(svg), "drawn in the briefing theme"
    assert not page.select("figcaption") and not page.select(".source")


def test_chart_description_title_caption_and_source():
    chart = alt.Chart(SMALL, title="Referrals rose").mark_bar().encode(x="year:O", y="referrals:Q")
    fig = display.chart_figure(chart.to_dict())
    assert fig.described and fig.alt_text.startswith("Referrals rose. Bar chart of referrals by year")
    described = chart.properties(description="Referrals each year, 2021 to 2023.",
                                 usermeta={"source": "Home Office, NRM statistics, 2021-2023", "caption": "NRM"})
    fig = display.chart_figure(described.to_dict())
    page = BeautifulSoup(fig.html, "html.parser")
    assert fig.alt_text == "Referrals each year, 2021 to 2023."
    assert page.select_one("figcaption").get_text() == "NRM"
    assert page.select_one(".source").get_text() == "Source: Home Office, NRM statistics, 2021-2023"


def test_chart_reading_a_url_is_refused_in_one_line():
    from briefpack.core.errors import ExportError

    with pytest.raises(ExportError, match="from a URL or a file") as err:
        display.chart_figure(alt.Chart("https://example.org/data.csv").mark_bar().encode(x="a:N").to_dict())
    assert "\n" not in str(err.value)


def test_describe_layers_and_pie():
    base = alt.Chart(SMALL).encode(x="year:O", y="referrals:Q")
    layered = display.describe((base.mark_line() + base.mark_point()).to_dict())
    assert layered.startswith("Layered chart: line chart of referrals by year") and "; 3 data points." in layered
    pie = display.describe(alt.Chart(SMALL).mark_arc().encode(theta="referrals:Q", color="year:N").to_dict())
    assert pie.startswith("Pie chart of referrals by year")
    filtered = display.describe(base.mark_bar().transform_filter("datum.year > 2021").to_dict())
    assert filtered == "Bar chart of referrals by year; drawn from 3 rows of data.", "no ranges the chart may not show"


def test_table_without_index_numbers_formatted():
    df = pd.DataFrame({"Police force": ["Thames Valley <Police>", "Kent"], "year": [2023, 2023],
                       "people": [1234, 56789], "share": [0.125, 0.5], "note": [None, "x"]})
    page = BeautifulSoup(display.table_html(df, caption="Two forces", source="Home Office"), "html.parser")
    table = page.select_one("table.data")
    assert not table.select("tbody th"), "no index column"
    assert [th.get_text() for th in table.select("thead th")] == list(df.columns)
    rows = [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")]
    assert rows[0][0] == "Thames Valley <Police>" and "<Police>" not in str(table).replace("&lt;", "")
    assert [r[2] for r in rows] == [f"{n:,}" for n in df.people]
    assert [r[1] for r in rows] == ["2023", "2023"], "years have no thousands separator"
    assert [r[3] for r in rows] == ["0.12", "0.50"], "one number of decimals per column"
    assert rows[0][4] == display.MISSING
    assert table.select_one("caption").get_text() == "Two forces"
    assert page.select_one("p.source").get_text() == "Source: Home Office"
    assert "num" in table.select("tbody tr")[0].select("td")[2]["class"]


def test_table_index_when_named_or_asked():
    named = SMALL.set_index("year")
    page = BeautifulSoup(display.table_html(named), "html.parser")
    assert [th.get_text() for th in page.select("tbody th")] == [str(y) for y in SMALL.year]
    assert not BeautifulSoup(display.table_html(named, index=False), "html.parser").select("tbody th")
    asked = BeautifulSoup(display.table_html(SMALL, index=True), "html.parser")
    assert [th.get_text() for th in asked.select("tbody th")] == [str(i) for i in SMALL.index]
    cut = BeautifulSoup(display.table_html(SMALL, max_rows=2), "html.parser")
    assert len(cut.select("tbody tr")) == 2 and "first 2 of 3 rows" in cut.select_one("p.note").get_text()


def test_mimetype_renderer_output_becomes_valid(renderer):
    chart = alt.Chart(SMALL).mark_line().encode(x="year:O", y="referrals:Q")
    renderer.enable("mimetype")
    raw = chart._repr_mimebundle_()
    with pytest.raises(nbformat.ValidationError):
        nbformat.v4.new_output("display_data", data=raw)     # what nbclient does with each output
    data, _ = display._chart_bundle(chart)
    assert "application/vnd.vegalite.v6+json" in data and "application/vnd.vegalite.v6.json" not in data
    nbformat.v4.new_output("display_data", data=data)


def _notebook(*outputs) -> nbformat.NotebookNode:
    cells = []
    for i, (data, md) in enumerate(outputs):
        cell = nbformat.v4.new_code_cell(f"cell_{i}()")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=md)]
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def _bundle(out):
    """A bundle as the kernel sends it: bytes (PNG) base64-encoded."""
    import base64

    data, md = out if isinstance(out, tuple) else (out, {})
    return {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in data.items()}, md


def test_export_turns_every_renderer_into_inline_svg(renderer, caplog):
    chart = alt.Chart(SMALL).mark_line().encode(x=alt.X("year:O", title="Year of referral"), y="referrals:Q")
    outputs = []
    for name in ("html", "mimetype", "svg", "png"):
        renderer.enable(name)
        outputs.append(_bundle(display._chart_bundle(chart)))
    renderer.enable("html")
    outputs.append(({"text/html": chart._repr_mimebundle_()["text/html"]}, {}))   # html from a kernel without hooks
    outputs.append(({"text/html": chart.to_html()}, {}))                            # Altair's standalone page
    outputs.append(({"text/html": SMALL._repr_html_(), "text/plain": repr(SMALL)}, {}))   # pandas' own table
    outputs.append(({"application/javascript": "alert(1)", "text/plain": "x"}, {}))
    assert "cdn.jsdelivr.net" in outputs[0][0]["text/html"], "the html renderer loads Vega from a CDN"
    with caplog.at_level(logging.WARNING, logger="briefpack"):
        page = BeautifulSoup(HtmlExporter()(_notebook(*outputs), "test"), "lxml")
        HtmlExporter()(_notebook(*outputs), "again")
    assert_offline(page)
    figures = page.select("figure.chart")
    assert len(figures) == 6
    for fig in figures:
        assert "Year of referral" in fig.select_one("svg").get_text(" ")
        assert fig.select_one("[role=img]")["aria-label"].startswith("Line chart of referrals by Year of referral")
    table = page.select_one("table.data")
    assert table is not None and not page.select("table.dataframe")
    assert not table.select("tbody th"), "pandas' 0, 1, 2 index is dropped"
    assert [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")] == [
        [str(y), f"{n:,}"] for y, n in zip(SMALL.year, SMALL.referrals)]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == len(set(warnings)), "each warning once per process"
    for i in range(6):
        assert sum(f"'cell_{i}()'" in w and "no description" in w for w in warnings) == 1
    assert any("'cell_6()'" in w and "the table names no source" in w for w in warnings)
    assert any("'cell_7()'" in w and "script" in w for w in warnings)


# --- end to end: a researcher adds a chart and tables to a copy of the briefing notebook ----------

CHART_CELL = '''import altair as alt
from briefpack.data import catalogue as data

nrm = data.load(data.NRM_UK)
yearly = nrm[nrm.location_of_exploitation == "Total"].groupby("year", as_index=False)["nrm_referrals"].sum()
chart = alt.Chart(yearly).mark_line(point=True).encode(
    x=alt.X("year:O", title="Year of referral"),
    y=alt.Y("nrm_referrals:Q", title="Referrals, all ages"),
).properties(width=480, height=160)
chart'''

TABLE_CELLS = [
    'yearly.tail(3)',
    'import briefpack\n\nbriefpack.show(yearly.set_index("year").tail(2), caption="Referrals in the last two years",\n'
    '               source="Home Office, NRM statistics, 2009-2023")',
]
# The last leaves the png renderer enabled in the warm kernel, for the next briefing's first chart.
RENDERER_CELLS = ['display(chart.properties(description="UK referrals to the NRM each year."))'] + [
    f'alt.renderers.enable("{name}")\nchart' for name in ("html", "mimetype", "svg", "png")]


@pytest.mark.e2e
def test_researcher_adds_a_chart_and_tables(project, tmp_path):
    for source in reversed([CHART_CELL, *RENDERER_CELLS, *TABLE_CELLS]):
        project.insert_cell("b.your_area()", source)
    out, alone = tmp_path / "out", tmp_path / "alone"
    proc = project.build("-c", "Hitchin", "-c", "Banbury", "--formats", "html,pdf", "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.index("Hitchin") < proc.stdout.index("Banbury"), "Banbury is built on a used kernel"
    single = project.build("-c", "Banbury", "--formats", "html", "--out", str(alone), "--jobs", "1")
    assert single.returncode == 0, single.stderr
    assert (out / "banbury.html").read_bytes() == (alone / "banbury.html").read_bytes(), \
        "a renderer left enabled by one briefing does not change the next"
    pair = project.build("-c", "Hitchin", "-c", "Banbury", "--formats", "html", "--out", str(tmp_path / "pair"),
                         "--jobs", "2")
    assert pair.returncode == 0 and "capped" not in pair.stderr, pair.stderr
    assert sum("'import altair as alt'" in line and "no description" in line
               for line in pair.stderr.splitlines()) == 1, "once a build, not once a worker"
    by_year = nrm_by_year()
    years = sorted(by_year)

    page = BeautifulSoup((out / "banbury.html").read_text(encoding="utf-8"), "lxml")
    assert_offline(page)
    ours = [f for f in page.select("figure.chart") if "Year of referral" in f.get_text(" ")]
    assert len(ours) == 1 + len(RENDERER_CELLS), "every renderer's chart is drawn as inline SVG"
    generated = (f"Line chart of Referrals, all ages by Year of referral (Year of referral from {years[0]} to "
                 f"{years[-1]}; Referrals, all ages from {min(by_year.values()):,} to {max(by_year.values()):,}); "
                 f"{len(years)} data points.")
    labels = [f.select_one("[role=img]")["aria-label"] for f in ours]
    assert labels == [generated, "UK referrals to the NRM each year."] + [generated] * (len(RENDERER_CELLS) - 1)
    tables = [t for t in page.select("table.data") if "nrm_referrals" in t.get_text(" ")]
    assert len(tables) == 2
    plain, shown = tables
    assert [th.get_text() for th in plain.select("thead th")] == ["year", "nrm_referrals"]
    assert not plain.select("tbody th"), "the DataFrame prints without its index"
    assert [[td.get_text() for td in tr.select("td")] for tr in plain.select("tbody tr")] == [
        [str(y), f"{by_year[y]:,}"] for y in years[-3:]]
    assert shown.select_one("caption").get_text() == "Referrals in the last two years"
    assert [(th.get_text(), td.get_text()) for th, td in zip(shown.select("tbody th"), shown.select("tbody td"))] == [
        (str(y), f"{by_year[y]:,}") for y in years[-2:]], "a named index is shown"
    assert shown.find_next_sibling("p")["class"] == ["source"]

    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert sum("'import altair as alt'" in w and "no description" in w for w in warnings) == 1, "once a build"
    assert not any("display(chart" in w and "has no description" in w for w in warnings)
    assert any("'yearly.tail(3)'" in w and "no source" in w for w in warnings)
    assert not any("'import briefpack'" in w for w in warnings), "shown with a source: no warning"

    reader = PdfReader(str(out / "banbury.pdf"))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert text.count("Year of referral") >= 1 + len(RENDERER_CELLS), "chart text prints (vector SVG)"
    assert "Referrals in the last two years" in text
    for y in years[-3:]:
        assert f"{y} {by_year[y]:,}" in text, "table rows print with their figures"


# --- a failing cell keeps its evidence -------------------------------------------------------------

def test_execution_error_names_the_cell_and_its_first_line():
    from papermill.exceptions import PapermillExecutionError

    from briefpack.build.execute import _execution_error

    exc = PapermillExecutionError(cell_index=9, exec_count=7, source="b.your_aera()\n", ename="AttributeError",
                                  evalue="'Briefing' object has no attribute 'your_aera'", traceback=[])
    err = _execution_error(exc, notebook="nb")
    assert str(err) == ("notebook cell 7 ('b.your_aera()') failed: AttributeError: 'Briefing' object has no "
                        "attribute 'your_aera'")
    assert err.cell == 7 and err.notebook == "nb"
    data = PapermillExecutionError(cell_index=3, exec_count=2, source="b = Briefing.prepare(x)", ename="DataError",
                                   evalue="data/x.csv row 3: bad value; fix the file.", traceback=[])
    assert str(_execution_error(data)) == ("data/x.csv row 3: bad value; fix the file. "
                                           "(notebook cell 2 ('b = Briefing.prepare(x)'))")


@pytest.mark.e2e
def test_failed_cell_leaves_its_notebook_with_the_traceback(project, tmp_path):
    project.replace("b.your_area()", "b.your_aera()")
    out = tmp_path / "out"
    proc = project.build("--constituency", "Banbury", "--formats", "html", "--out", str(out), "--jobs", "1")
    assert proc.returncode == 1
    failed = out / "banbury.failed.ipynb"
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("failed:")]
    cell = re.search(r"notebook cell (\d+) \('b\.your_aera\(\)'\) failed: AttributeError: .*your_aera", line)
    assert cell and line.endswith(f"the notebook with its traceback is {failed}"), line
    assert "Traceback" not in proc.stderr
    assert not (out / "banbury.html").exists()

    nb = nbformat.read(str(failed), as_version=4)
    broken = [c for c in nb.cells if c.cell_type == "code" and "your_aera" in c.source]
    [error] = [o for o in broken[0].outputs if o.output_type == "error"]
    assert error.ename == "AttributeError" and "your_aera" in error.evalue
    assert any("your_aera" in line for line in error.traceback)
    assert broken[0].execution_count == int(cell.group(1)), "the number in the message is the cell's In [n]"
    assert any(f"In [{cell.group(1)}]" in c.source for c in nb.cells if c.cell_type == "markdown"), \
        "Papermill's marker points to the failing cell"
    earlier = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() == "b.cover()"]
    assert earlier and earlier[0].outputs, "the cells before the failure keep their outputs"

    project.replace("b.your_aera()", "b.your_area()")
    again = project.build("--constituency", "Banbury", "--formats", "html", "--out", str(out), "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert (out / "banbury.html").exists() and not failed.exists(), "a later success removes the stale notebook"
