"""Charts: one Altair theme, chart builders, and offline SVG rendering with a text alternative.

Charts are rendered to inline SVG by vl-convert (no JavaScript, no CDN), so they show in the HTML
page opened from ``file://`` and print as vectors in the PDF. Every chart carries a text
alternative generated from its data. The words (titles, axis and legend labels, text alternatives)
are in ``content/charts.yml`` (:data:`WORDS`); this module fills in their numbers.
"""
from __future__ import annotations

import html
import json
from functools import lru_cache

import altair as alt
import pandas as pd

from briefpack.core import paths
from briefpack.core.text import force_in_text, n, pct
from briefpack.words.sentences import Words, stamps

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
PALETTE = {
    "ink": "#1d1d1b",
    "grid": "#e3e3e3",
    "accent": "#6a1b9a",      # campaign purple
    "Adults": "#6a1b9a",
    "Children": "#e69f00",
    "Age not known": "#9e9e9e",
    "total only": "#c9b3dc",  # years with no split by age: a pale bar with a dashed outline
}
# The Okabe-Ito colours, which readers with any common colour-vision deficiency can tell apart: the
# theme's palette for categories (a researcher's chart coloured by a field gets these, in this order).
OKABE_ITO = {"blue": "#0072b2", "orange": "#e69f00", "bluish green": "#009e73", "reddish purple": "#cc79a7",
             "sky blue": "#56b4e9", "vermilion": "#d55e00", "yellow": "#f0e442", "black": "#000000"}
# Exploitation types keep one colour each, on every chart.
TYPE_COLOURS = {
    "Criminal": OKABE_ITO["blue"],
    "Labour": OKABE_ITO["orange"],
    "Sexual": OKABE_ITO["reddish purple"],
    "Domestic": OKABE_ITO["bluish green"],
    "More than one type": OKABE_ITO["sky blue"],
    "Organ harvesting": OKABE_ITO["vermilion"],
    "Not specified": "#999999",
}
AGE_ORDER = ["Adults", "Children", "Age not known"]
# The words of each chart, and the placeholders each text may use (content/charts.yml).
_TREND = ("first_year", "last_year", "start", "start_year", "end", "end_year", "peak_year", "peak", "split_year",
          "adults", "children", "unknown")
_QUARTERS = ("force", "low", "high", "total", "most_common", "most")
WORDS = Words("charts.yml", {
    "uk_trend": {"title": (), "axis": (), "total_only": (), "bar_label": (), "description": _TREND,
                 "totals_only": ("years", "totals"), "part_year": ("first_year", "quarters")},
    "force_quarters": {"title": ("force",), "axis": (), "description": _QUARTERS, "none": ("force",)},
    "hex_map": {"title": (), "description": ("seats", "counts")},
    "holyrood_grid": {"title": (), "note": (), "description": ("seats", "regions", "counts")},
    "age_trend": {"title": (), "title_focus": ("focus", "other"), "axis": (), "focus_note": ("focus", "other"),
                  "description": ("focus", "other", "first_year", "last_year", "focus_first", "focus_last",
                                  "other_first", "other_last")},
    "decisions_trend": {"title": ("kind",), "axis": (), "positive": (), "negative": (),
                        "description": ("kind", "first_year", "last_year", "total", "positive", "share")},
    "dtn_reports": {"title": (), "axis": (), "description": ("first", "first_year", "last", "last_year")},
})


THEME = "briefpack"


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None},
            # A mark with no colour of its own (a researcher's `mark_line()`) is drawn in the campaign's purple;
            # one coloured by a field takes the colour-blind-safe palette.
            "mark": {"color": PALETTE["accent"]},
            "range": {"category": list(OKABE_ITO.values())},
            "axis": {"labelColor": PALETTE["ink"], "titleColor": PALETTE["ink"], "gridColor": PALETTE["grid"],
                     "labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "domainColor": "#888"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "direction": "horizontal",
                       "titleFontWeight": "normal", "columns": 4},
            "title": {"fontSize": 13, "anchor": "start", "color": PALETTE["ink"], "fontWeight": "bold"},
        }
    }


def _register_theme() -> None:
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(_theme)


def use_theme() -> None:
    """Turn the briefing theme on for every chart drawn from now on (the briefing display does this when
    a notebook turns it on with ``%load_ext briefpack``; importing this module changes nothing)."""
    _register_theme()
    alt.theme.enable(THEME)


class Chart:
    """A rendered chart: the SVG, a title, a text alternative and a source line."""

    def __init__(self, svg: str, title: str, alt_text: str, source: str):
        self.svg, self.title, self.alt_text, self.source = svg, title, alt_text, source

    def to_html(self) -> str:
        """A ``<figure>``; a researcher's chart may have no caption (its title is in the SVG) or no source yet."""
        caption = f'<figcaption>{html.escape(self.title)}</figcaption>' if self.title else ""
        source = f'<p class="source">Source: {html.escape(self.source)}</p>' if self.source else ""
        return (
            f'<figure class="chart">{caption}'
            f'<div class="chart-svg" role="img" aria-label="{html.escape(self.alt_text, quote=True)}">{self.svg}</div>'
            f'<p class="chart-alt">{html.escape(self.alt_text)}</p>{source}</figure>'
        )

    _repr_html_ = to_html


def theme_config() -> dict:
    """The briefing theme's Vega-Lite ``config`` (for specs made while another theme was enabled)."""
    return _theme()["config"]


@lru_cache(maxsize=1)
def _drawn_with() -> tuple:
    import vl_convert as vlc

    return ("altair", alt.__version__, "vl-convert", vlc.__version__, json.dumps(_theme(), sort_keys=True))


def drawing_key() -> tuple:
    """What shapes every chart of this module besides its data: the words of ``content/charts.yml`` (the
    file's time and size, so an edit shows on the next briefing), the theme and the versions of Altair
    and vl-convert. Part of the key of every cache of drawn charts (:mod:`briefpack.render.briefing`)."""
    return stamps(paths.content_dir() / WORDS.filename), _drawn_with()


@lru_cache(maxsize=256)
def _svg_from_json(spec_json: str) -> str:
    import vl_convert as vlc

    # No data from URLs or files: a briefing is drawn from the data it was given, offline.
    svg = vlc.vegalite_to_svg(json.loads(spec_json), allowed_base_urls=[])
    # The SVG is inline in the page: drop the XML prolog if any and make it scale to the column.
    return svg.replace('class="marks"', 'class="marks" preserveAspectRatio="xMinYMin meet"', 1)


def render_svg(chart: alt.TopLevelMixin) -> str:
    """SVG of an Altair chart; identical specs are rendered once per process.

    The spec is not validated against the Vega-Lite schema here (it costs more than rendering);
    the chart builders are fixed code, exercised by the tests, and vl-convert rejects a bad spec.
    """
    _register_theme()
    with alt.theme.enable(THEME):   # the package's charts always wear the theme, whatever is active
        spec = chart.to_dict(validate=False)
    return svg_from_spec(spec)


def svg_from_spec(spec: dict) -> str:
    """SVG of a Vega-Lite spec (a dict of JSON values); identical specs are rendered once per process."""
    return _svg_from_json(json.dumps(spec, sort_keys=True))


def uk_trend(by_year: pd.DataFrame, source: str) -> Chart:
    """Bars: UK NRM referrals per year, stacked by age at exploitation where the split is published;
    later years (column ``split`` False) as a single bar of the total, drawn and labelled differently."""
    split = by_year[by_year["split"]] if "split" in by_year else by_year
    totals = by_year[~by_year["split"]] if "split" in by_year else by_year.iloc[0:0]
    total_only = WORDS("uk_trend", "total_only")
    long = split.melt(id_vars=["year"], value_vars=AGE_ORDER, var_name="age", value_name="referrals")
    long = pd.concat([long, pd.DataFrame({"year": totals.year, "age": total_only, "referrals": totals.total})],
                     ignore_index=True)
    long["order"] = long.age.map((AGE_ORDER + [total_only]).index)
    domain = AGE_ORDER + ([total_only] if len(totals) else [])
    colours = [PALETTE[a] for a in AGE_ORDER] + ([PALETTE["total only"]] if len(totals) else [])
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelExpr="datum.value % 2 == 1 ? datum.value : ''"))
    bars = alt.Chart(long).mark_bar(stroke=PALETTE["ink"], strokeWidth=0).encode(
        x=x,
        y=alt.Y("sum(referrals):Q", title=WORDS("uk_trend", "axis"), axis=alt.Axis(format=",d")),
        color=alt.Color("age:N", title=None, sort=domain, scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(labelLimit=320)),
        order=alt.Order("order:Q"),
        strokeWidth=alt.condition(alt.datum.age == total_only, alt.value(1), alt.value(0)),
        strokeDash=alt.condition(alt.datum.age == total_only, alt.value([3, 2]), alt.value([1, 0])),
    )
    layers = [bars]
    if len(totals):
        label = WORDS("uk_trend", "bar_label").replace(" ", "\n")    # one word a line, over a narrow bar
        labels = alt.Chart(totals.assign(label=label)).mark_text(
            baseline="top", dy=4, fontSize=9, lineBreak="\n", color=PALETTE["ink"]).encode(
            x=x, y=alt.Y("total:Q"), text="label:N")
        layers.append(labels)
    chart = alt.layer(*layers).properties(width=560, height=200)
    first = by_year.iloc[0]
    full = by_year[by_year.quarters == 4]
    start, last = full.iloc[0], full.iloc[-1]
    last_split = split[split.quarters == 4].iloc[-1]
    peak = by_year.loc[by_year.total.idxmax()]
    parts = [WORDS("uk_trend", "description", first_year=int(first.year), last_year=int(last.year),
                   start=n(start.total), start_year=int(start.year), end=n(last.total), end_year=int(last.year),
                   peak_year=int(peak.year), peak=n(peak.total), split_year=int(last_split.year),
                   adults=n(last_split.Adults), children=n(last_split.Children),
                   unknown=n(last_split["Age not known"]))]
    if len(totals):
        parts.append(WORDS("uk_trend", "totals_only", years=" and ".join(str(int(y)) for y in totals.year),
                           totals=", ".join(n(t) for t in totals.total)))
    if first.quarters < 4:
        parts.append(WORDS("uk_trend", "part_year", first_year=int(first.year), quarters=int(first.quarters)))
    return Chart(render_svg(chart), WORDS("uk_trend", "title"), " ".join(parts), source)


def force_quarters(by_qt: pd.DataFrame, force: str, source: str) -> Chart:
    """Stacked bars: a force's referrals as first responder per quarter by exploitation type."""
    types = [t for t in TYPE_COLOURS if t in set(by_qt.type)]
    data = by_qt.assign(order=by_qt.type.map(list(TYPE_COLOURS).index))
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(people):Q", title=WORDS("force_quarters", "axis"), axis=alt.Axis(format=",d", tickMinStep=1)),
        color=alt.Color("type:N", title=None, sort=types,
                        scale=alt.Scale(domain=types, range=[TYPE_COLOURS[t] for t in types])),
        order=alt.Order("order:Q"),
    ).properties(width=560, height=190)
    per_q = by_qt.groupby("period", sort=True)["people"].sum()
    by_type = by_qt.groupby("type")["people"].sum().sort_values(ascending=False)
    named = force_in_text(force)
    if per_q.empty:
        alt_text = WORDS("force_quarters", "none", force=named)
    else:
        top = by_type.index[0]
        top_text = f"{top.lower()} exploitation" if top in ("Criminal", "Labour", "Sexual", "Domestic") else top.lower()
        alt_text = WORDS("force_quarters", "description", force=named, low=n(per_q.min()), high=n(per_q.max()),
                         total=n(per_q.sum()), most_common=top_text, most=n(by_type.iloc[0]))
    return Chart(render_svg(chart), WORDS("force_quarters", "title", force=named), alt_text, source)


STATUS_COLOURS = {
    "no contact": "#e0e0e0",
    "contact made": "#c6dbef",
    "meeting arranged": "#6baed6",
    "met": "#f4a259",
    "wrote to ministers": "#8e44ad",
    "reply received": "#1b7837",
}
# A flat-topped hexagon in Vega's unit box [-1, 1]: the cartogram's neighbours sit at
# (col ± 2, row ± 1) and (col, row ± 2).
HEXAGON = "M -1 0 L -0.5 -0.866 L 0.5 -0.866 L 1 0 L 0.5 0.866 L -0.5 0.866 Z"


def hex_map(cells: pd.DataFrame, source: str) -> Chart:
    """UK hex cartogram (one hexagon per constituency) coloured by campaign status.

    ``cells``: columns col, row, name, status.
    """
    width_hex = 17.0                              # pixels across one hexagon
    step_x = 0.75 * width_hex / 2                 # per unit of col (neighbouring columns differ by 2)
    step_y = 0.866 * width_hex / 2                # per unit of row
    max_col, max_row = int(cells.col.max()), int(cells.row.max())
    width, height = int(max_col * step_x + width_hex), int(max_row * step_y + width_hex)
    statuses = [s for s in STATUS_COLOURS]
    chart = alt.Chart(cells).mark_point(shape=HEXAGON, filled=True, size=(0.96 * width_hex) ** 2, opacity=1,
                                        stroke="white", strokeWidth=0.4).encode(
        x=alt.X("col:Q", axis=None, scale=alt.Scale(domain=[0, max_col], nice=False, zero=True)),
        y=alt.Y("row:Q", axis=None, scale=alt.Scale(domain=[0, max_row], nice=False, zero=True)),
        color=alt.Color("status:N", title=None, sort=statuses,
                        scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in statuses])),
    ).properties(width=width, height=height)
    counts = cells.status.value_counts()
    parts = [f"{int(counts.get(s, 0))} {s}" for s in statuses if counts.get(s, 0)]
    alt_text = WORDS("hex_map", "description", seats=len(cells), counts=", ".join(parts))
    return Chart(render_svg(chart), WORDS("hex_map", "title"), alt_text, source)


def age_trend(by_year: pd.DataFrame, focus: str, source: str) -> Chart:
    """Lines: UK NRM referrals of adults and of children per full year. ``focus`` (a topic's
    ``age_focus``): ``children`` or ``adults`` draws that line in front and thicker, the other thin and
    dashed for comparison, and the title and description lead with it; ``all`` draws both alike."""
    full = by_year[by_year.quarters == 4]
    lead, other = ("Adults", "Children") if focus == "adults" else ("Children", "Adults")
    long = full.melt(id_vars=["year"], value_vars=[other, lead], var_name="age", value_name="referrals")
    both = focus not in ("children", "adults")
    front = alt.datum.age == lead
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("referrals:Q", title=WORDS("age_trend", "axis"), axis=alt.Axis(format=",d")),
        color=alt.Color("age:N", title=None, scale=alt.Scale(domain=["Adults", "Children"],
                                                             range=[PALETTE["Adults"], PALETTE["Children"]])),
        strokeWidth=alt.value(2.5) if both else alt.condition(front, alt.value(3.5), alt.value(1.5)),
        strokeDash=alt.value([1, 0]) if both else alt.condition(front, alt.value([1, 0]), alt.value([4, 3])),
    ).properties(width=560, height=190)
    first, last = full.iloc[0], full.iloc[-1]
    words = dict(focus=lead.lower(), other=other.lower(), first_year=int(first.year), last_year=int(last.year),
                 focus_first=n(first[lead]), focus_last=n(last[lead]), other_first=n(first[other]),
                 other_last=n(last[other]))
    alt_text = WORDS("age_trend", "description", **words)
    if both:
        return Chart(render_svg(chart), WORDS("age_trend", "title"), alt_text, source)
    alt_text += " " + WORDS("age_trend", "focus_note", focus=words["focus"], other=words["other"])
    return Chart(render_svg(chart), WORDS("age_trend", "title_focus", focus=words["focus"], other=words["other"]),
                 alt_text, source)


def decisions_trend(yearly: pd.DataFrame, kind: str, source: str) -> Chart:
    """Stacked bars of positive and negative decisions per year (columns year, Positive, Negative)."""
    labels = {"Positive": WORDS("decisions_trend", "positive"), "Negative": WORDS("decisions_trend", "negative")}
    long = yearly.melt(id_vars=["year"], value_vars=["Positive", "Negative"], var_name="decision", value_name="n")
    long["decision"] = long.decision.map(labels)
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(n):Q", title=WORDS("decisions_trend", "axis"), axis=alt.Axis(format=",d")),
        color=alt.Color("decision:N", title=None, sort=list(labels.values()),
                        scale=alt.Scale(domain=list(labels.values()), range=["#1b7837", "#bdbdbd"])),
        # positive decisions at the bottom of each bar, whatever content/charts.yml calls them
        order=alt.Order("decision:N", sort="descending" if labels["Positive"] > labels["Negative"] else "ascending"),
    ).properties(width=560, height=170)
    last = yearly.iloc[-1]
    total = int(last.Positive + last.Negative)
    share = last.Positive / total if total else 0
    alt_text = WORDS("decisions_trend", "description", kind=kind, first_year=int(yearly.iloc[0].year),
                     last_year=int(last.year), total=n(total), positive=n(last.Positive), share=pct(share))
    return Chart(render_svg(chart), WORDS("decisions_trend", "title", kind=kind), alt_text, source)


def yearly_bars(yearly: pd.DataFrame, value: str, words: str, source: str) -> Chart:
    """Bars of one count per year (column ``value``); ``words``: the chart's key in content/charts.yml."""
    chart = alt.Chart(yearly).mark_bar(color=PALETTE["accent"]).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", title=WORDS(words, "axis"), axis=alt.Axis(format=",d")),
    ).properties(width=560, height=160)
    first, last = yearly.iloc[0], yearly.iloc[-1]
    alt_text = WORDS(words, "description", first=n(first[value]), first_year=int(first.year), last=n(last[value]),
                     last_year=int(last.year))
    return Chart(render_svg(chart), WORDS(words, "title"), alt_text, source)
