"""How a researcher's own charts and tables look, in Jupyter and in the printed briefing alike.

Importing briefpack inside a Jupyter kernel (the notebook's first code cell does) calls
:func:`install`, which registers two display hooks. Neither imports Altair or pandas until a chart or
a table is first shown, so the import of briefpack stays as fast as before.

- **Altair charts**, whatever renderer is enabled: the first chart shown enables the ``briefpack``
  renderer (unless the researcher chose another), which draws the chart as inline SVG with the
  briefing theme, a text alternative and a source line: the figure the PDF prints. A chart shown with
  another renderer keeps that renderer's output for Jupyter and carries its spec beside it
  (:data:`SPEC_MIME`), so the export (:mod:`briefpack.build.preprocessors`) still draws it offline.
- **pandas DataFrames**: the briefing's table style (``<table class="data">``), numbers with
  thousands separators, without the index unless the index has a name (``df.set_index("year")``)
  or :func:`show` is asked for it.

:func:`show` (also ``briefpack.show``) gives a chart or a table a caption, a source line, a
description or its index::

    briefpack.show(df, caption="Referrals by year", source="Home Office, NRM statistics, 2009-2023")
    briefpack.show(chart, source="Home Office, NRM statistics, 2009-2023", description="...")

The same :func:`chart_figure` and :func:`table_html` serve the kernel and the export.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import numbers
import re
from dataclasses import dataclass

from briefpack.core.errors import ExportError
from briefpack.core.text import long_date
from briefpack.render import charts

RENDERER = "briefpack"
# A chart's Vega-Lite spec, carried beside another renderer's output for the export to draw.
SPEC_MIME = "application/vnd.briefpack.vegalite+json"
VEGALITE_MIME = re.compile(r"^application/vnd\.vegalite\.v\d+(\.\d+)*[+.]json$")
# Where the hooks find Altair's charts and pandas' frames without importing them (a test checks these).
ALTAIR_CHART = ("altair.vegalite.v6.api", "TopLevelMixin")
PANDAS_FRAME = ("pandas", "DataFrame")
META = "briefpack"  # output metadata["text/html"][META]: what the export needs to know about a figure
MISSING = "–"
NUM = ' class="num"'

MARKS = {
    "bar": "Bar chart", "line": "Line chart", "area": "Area chart", "point": "Scatter plot",
    "circle": "Scatter plot", "square": "Scatter plot", "tick": "Strip plot", "rect": "Heat map",
    "arc": "Pie chart", "text": "Table of text marks", "rule": "Rule chart", "trail": "Line chart",
    "boxplot": "Box plot", "errorbar": "Error bar chart", "errorband": "Error band chart",
    "geoshape": "Map", "image": "Image chart",
}
VIEWS = ("layer", "hconcat", "vconcat", "concat")


# --- charts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """A chart drawn for the briefing: its HTML, its text alternative, and what the researcher gave."""

    html: str
    alt_text: str
    described: bool     # the text alternative comes from the researcher (description, title or caption)
    source: str

    def meta(self) -> dict:
        return {"text/html": {META: {"kind": "chart", "described": self.described, "source": self.source}}}

    def bundle(self) -> tuple[dict, dict]:
        return {"text/html": self.html, "text/plain": self.alt_text}, self.meta()


def chart_figure(spec: dict) -> Figure:
    """A Vega-Lite spec as the briefing's figure: inline SVG in the briefing theme, text alternative, source.

    The text alternative is the spec's ``description``; else its title (or caption) followed by a
    plain summary made from the spec (mark, fields, number of data points); else that summary alone.
    ``usermeta`` may carry ``source`` (the source line) and ``caption`` (printed above the chart).
    """

    meta = spec.get("usermeta") if isinstance(spec.get("usermeta"), dict) else {}
    caption, source = _text(meta.get("caption")), _text(meta.get("source"))
    title, description = title_text(spec.get("title")), _text(spec.get("description"))
    summary = describe(spec)
    if description:
        alt_text = description
    elif title or caption:
        alt_text = f"{(title or caption).rstrip('.')}. {summary}"
    else:
        alt_text = summary
    themed = dict(spec, config=_merged(charts.theme_config(), spec.get("config") or {}))
    try:
        svg = charts.svg_from_spec(themed)
    except ValueError as exc:
        first = next((line.strip() for line in str(exc).splitlines()[1:] if line.strip()), str(exc))[:160]
        if "url not allowed" in first.lower():
            raise ExportError(f"A chart reads its data from a URL or a file ({first}); briefings are drawn "
                              "offline: give the chart a DataFrame read with briefpack.data.catalogue, not a URL.") from None
        raise ExportError(f"A chart could not be drawn ({first}); check its marks and encodings.") from None
    html_ = charts.Chart(svg, caption, alt_text, source).to_html()
    return Figure(html_, alt_text, bool(description or title or caption), source)


def _merged(base: dict, override: dict) -> dict:
    """``base`` updated by ``override``, nested dictionaries merged (the chart's own config wins)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    return " ".join(str(value).split()) if isinstance(value, (str, list, tuple)) else ""


def title_text(title) -> str:
    """The words of a Vega-Lite title: a string, lines, or ``{"text": ...}``."""
    if isinstance(title, dict):
        title = title.get("text", "")
    return _text(title)


def describe(spec: dict) -> str:
    """A plain text alternative made from a Vega-Lite spec: kind of chart, fields, data points, ranges."""
    datasets = spec.get("datasets") or {}
    rows = _rows(spec, datasets, [])
    views = [v for v in next((spec[k] for k in VIEWS if isinstance(spec.get(k), list)), []) if isinstance(v, dict)]
    transformed = bool(spec.get("transform"))
    if views:
        kind = "Layered chart" if "layer" in spec else f"Chart of {len(views)} panels"
        parts = [_view_sentence(v, _rows(v, datasets, rows), transformed) for v in views[:4]]
        text = f"{kind}: " + "; ".join(p[0].lower() + p[1:] for p in parts)
        rows = rows or max((_rows(v, datasets, []) for v in views), key=len)
        transformed = transformed or any(v.get("transform") for v in views)
    else:
        inner = spec.get("spec") if isinstance(spec.get("spec"), dict) else spec   # facet and repeat
        rows = _rows(inner, datasets, rows)
        text = _view_sentence(inner, rows, transformed)
        transformed = transformed or bool(inner.get("transform"))
        facet = spec.get("facet")
        if isinstance(facet, dict):
            names = [_label(facet)] if "field" in facet else [_label(f) for f in facet.values()]
            text += f", in panels by {' and '.join(n for n in names if n)}"
    if transformed:     # the chart filters or combines its rows: say what it was given, no more
        return f"{text}; drawn from {len(rows):,} row{'s' if len(rows) != 1 else ''} of data."
    return f"{text}; {len(rows):,} data point{'s' if len(rows) != 1 else ''}."


def _rows(view: dict, datasets: dict, inherited: list) -> list:
    data = view.get("data")
    if isinstance(data, dict):
        if isinstance(data.get("values"), list):
            return data["values"]
        if data.get("name") in datasets and isinstance(datasets[data["name"]], list):
            return datasets[data["name"]]
    return inherited


def _label(channel) -> str:
    if not isinstance(channel, dict):
        return ""
    if isinstance(channel.get("title"), str) and channel["title"].strip():
        return _text(channel["title"])
    field, aggregate = channel.get("field"), channel.get("aggregate")
    if isinstance(field, dict):      # repeat
        field = next(iter(field.values()), "")
    if aggregate == "count" and not field:
        return "count of records"
    if not field:
        return ""
    return f"{aggregate} of {field}" if isinstance(aggregate, str) else str(field)


def _view_sentence(view: dict, rows: list, transformed: bool = False) -> str:
    mark = view.get("mark")
    mark = mark.get("type") if isinstance(mark, dict) else mark
    enc = view.get("encoding") if isinstance(view.get("encoding"), dict) else {}
    if any(k in view for k in VIEWS):
        return "Layered chart" if "layer" in view else "Chart of several panels"
    kind = MARKS.get(mark, f"{mark} chart" if isinstance(mark, str) else "Chart")
    x, y = _label(enc.get("x")), _label(enc.get("y"))
    if mark == "arc":
        x, y = _label(enc.get("color")), _label(enc.get("theta"))
    text = kind + (f" of {y} by {x}" if x and y else f" of {x or y}" if x or y else "")
    colour = _label(enc.get("color")) if mark != "arc" else ""
    if colour:
        text += f", coloured by {colour}"
    transformed = transformed or bool(view.get("transform"))
    ranges = [] if transformed else [r for r in (_range(enc.get(c), rows) for c in ("x", "y")) if r]
    if ranges:
        text += " (" + "; ".join(ranges) + ")"
    return text


def _range(channel, rows: list) -> str:
    """``referrals from 1,200 to 5,600`` for a plain field of the data (not aggregated, binned or by time unit)."""
    if not isinstance(channel, dict) or not rows or any(k in channel for k in ("aggregate", "bin", "timeUnit")):
        return ""
    field = channel.get("field")
    if not isinstance(field, str) or not isinstance(rows[0], dict):
        return ""
    values = [r.get(field) for r in rows if isinstance(r, dict) and r.get(field) is not None]
    label = _label(channel)
    if not values:
        return ""
    if all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in values):
        low, high = min(values), max(values)
        dec = _decimals(values)
        return f"{label} from {_number(low, field, dec)} to {_number(high, field, dec)}"
    distinct = list(dict.fromkeys(str(v) for v in values))
    if len(distinct) <= 6:
        return f"{label}: {', '.join(distinct)}"
    ordered = sorted(distinct)
    return f"{len(distinct)} values of {label}, {ordered[0]} to {ordered[-1]}"


# --- numbers and tables ---------------------------------------------------------------------------

def _decimals(values) -> int:
    """The fewest decimals (0 to 2) that show every value as it is, or 2."""
    finite = [float(v) for v in values if isinstance(v, numbers.Number) and not isinstance(v, bool)
              and math.isfinite(float(v))]
    for d in (0, 1):
        if all(abs(v - round(v, d)) < 1e-9 for v in finite):
            return d
    return 2


def _number(value, column: str = "", decimals: int = 0) -> str:
    """A number with thousands separators; years (a column named like ``year``) without."""
    if "year" in str(column).lower() and float(value).is_integer():
        return str(int(value))
    return f"{value:,.{decimals}f}"


def cell_text(value, column: str = "", decimals: int = 0) -> str:
    """How one value prints in a briefing table."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return MISSING
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "Yes" if value else "No"
    if isinstance(value, numbers.Number):
        if isinstance(value, numbers.Integral):
            return _number(int(value), column)
        return _number(float(value), column, decimals) if math.isfinite(float(value)) else MISSING
    if isinstance(value, dt.datetime):
        return long_date(value) + (f" {value:%H:%M}" if value.time() != dt.time() else "")
    if isinstance(value, dt.date):
        return long_date(value)
    return str(value)


def column_texts(values: list, column: str = "", decimals: int | None = None) -> tuple[list[str], bool]:
    """The texts of a column's values, and whether it is a column of numbers (aligned right; years are labels)."""
    nums = [v for v in values if isinstance(v, numbers.Number) and not isinstance(v, bool)
            and type(v).__name__ != "bool_"]
    present = [v for v in values if cell_text(v) != MISSING]
    numeric = bool(present) and len(nums) == len(present) and "year" not in str(column).lower()
    dec = decimals if decimals is not None else _decimals(nums)
    return [cell_text(v, column, dec) for v in values], numeric


def _header(label) -> str:
    if isinstance(label, tuple):
        return " ".join(str(p) for p in label if str(p).strip())
    return "" if label is None else str(label)


def _index_is_named(index) -> bool:
    return any(name is not None for name in index.names)


def table_html(df, caption: str = "", source: str = "", index: bool | None = None, decimals: int | None = None,
               max_rows: int | None = None) -> str:
    """A DataFrame as the briefing's table: ``<table class="data">``, escaped, numbers formatted.

    ``index``: True shows the index, False hides it; None (default) shows it only when it has a name.
    ``max_rows``: show the first rows only, with a note saying how many there are.
    """
    show_index = _index_is_named(df.index) if index is None else bool(index)
    total = len(df)
    frame = df.iloc[:max_rows] if max_rows is not None and total > max_rows else df
    columns = []   # (header, texts, numeric)
    if show_index:
        levels = [frame.index.get_level_values(i) for i in range(frame.index.nlevels)]
        for name, values in zip(frame.index.names, levels):
            texts, numeric = column_texts(list(values), _header(name))
            columns.append((_header(name), texts, numeric, True))
    for i, label in enumerate(frame.columns):
        texts, numeric = column_texts(frame.iloc[:, i].tolist(), _header(label), decimals)
        columns.append((_header(label), texts, numeric, False))
    esc = html.escape
    out = ['<table class="data">']
    if caption:
        out.append(f"<caption>{esc(_text(caption))}</caption>")
    out.append("<thead><tr>" + "".join(
        f'<th scope="col"{NUM if numeric else ""}>{esc(head)}</th>' for head, _, numeric, _ in columns)
        + "</tr></thead><tbody>")
    for r in range(len(frame)):
        cells = []
        for _, texts, numeric, is_index in columns:
            cls = NUM if numeric else ""
            cells.append(f'<th scope="row"{cls}>{esc(texts[r])}</th>' if is_index else f"<td{cls}>{esc(texts[r])}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if len(frame) < total:
        out.append(f'<p class="note">The first {len(frame):,} of {total:,} rows; '
                   f'briefpack.show(df) prints them all.</p>')
    if source:
        out.append(f'<p class="source">Source: {esc(_text(source))}</p>')
    return "".join(out)


class Table:
    """A DataFrame shown as the briefing's table (see :func:`show`)."""

    def __init__(self, df, caption: str = "", source: str = "", index: bool | None = None,
                 decimals: int | None = None, max_rows: int | None = None):
        self.df, self.caption, self.source = df, caption, source
        self.index, self.decimals, self.max_rows = index, decimals, max_rows

    def to_html(self) -> str:
        return table_html(self.df, self.caption, self.source, self.index, self.decimals, self.max_rows)

    def meta(self) -> dict:
        return {"text/html": {META: {"kind": "table", "source": _text(self.source)}}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(), "text/plain": repr(self.df)}, self.meta()


# --- show -----------------------------------------------------------------------------------------

def _is_chart(obj) -> bool:
    import sys

    alt = sys.modules.get("altair")
    return alt is not None and isinstance(obj, alt.TopLevelMixin)


def show(obj, caption: str = "", source: str = "", *, description: str = "", index: bool | None = None,
         decimals: int | None = None) -> None:
    """Show a DataFrame (or Series) or an Altair chart in the briefing, with its caption and source.

    Tables: every row, the index only if ``index=True`` (or it has a name and ``index`` is not
    False), ``decimals`` fixed (default: 0 to 2, as the values need). Charts: ``caption`` prints
    above the chart, ``description`` is its text alternative (else one is made from its data).
    """
    import sys

    from IPython.display import display

    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if pd is not None and isinstance(obj, pd.DataFrame):
        display(Table(obj, caption, source, index, decimals))
        return
    if _is_chart(obj):
        import altair as alt

        meta = obj.usermeta if isinstance(getattr(obj, "usermeta", alt.Undefined), dict) else {}
        meta = {**meta, **({"caption": caption} if caption else {}), **({"source": source} if source else {})}
        props = {"usermeta": meta, **({"description": description} if description else {})}
        display(obj.properties(**props))
        return
    raise TypeError(f"briefpack.show() takes a pandas DataFrame or an Altair chart, not {type(obj).__name__}.")


# --- the hooks ------------------------------------------------------------------------------------

_altair_ready = False


def render(spec: dict, **_options) -> tuple[dict, dict]:
    """The ``briefpack`` Altair renderer: the chart as the briefing's figure."""
    return chart_figure(spec).bundle()


def _enable_altair() -> None:
    """On the first chart: the briefing theme, and the briefpack renderer unless another was chosen."""
    global _altair_ready
    if _altair_ready:
        return
    import altair as alt

    charts.use_theme()
    alt.renderers.register(RENDERER, render)   # this module's own (an entry point may name an older path)
    if alt.renderers.active == "default":
        alt.renderers.enable(RENDERER)
    _altair_ready = True


def _chart_bundle(chart):
    """Any Altair chart, shown with any renderer: keep the output valid and carry the spec for the export."""
    _enable_altair()
    out = chart._repr_mimebundle_()
    data, md = out if isinstance(out, tuple) else (out or {}, {})
    if not data or META in (md.get("text/html") or {}):
        return out
    # Altair 6's mimetype renderer uses application/vnd.vegalite.v6.json, which nbformat rejects.
    data = {re.sub(r"\.json$", "+json", k) if VEGALITE_MIME.match(k) else k: v for k, v in data.items()}
    if not any(VEGALITE_MIME.match(k) for k in data):
        data[SPEC_MIME] = chart.to_dict(validate=False)
    return data, md


def _frame_html(df):
    import pandas as pd

    table = Table(df, max_rows=pd.get_option("display.max_rows"))
    return table.to_html(), table.meta()["text/html"]


def install(shell) -> None:
    """Register the chart and table hooks on an IPython shell (lazily: by class name)."""
    formatters = shell.display_formatter
    formatters.mimebundle_formatter.for_type_by_name(*ALTAIR_CHART, _chart_bundle)
    formatters.formatters["text/html"].for_type_by_name(*PANDAS_FRAME, _frame_html)


def uninstall(shell) -> None:
    """Take the hooks of :func:`install` off again (``%unload_ext briefpack``)."""
    formatters = shell.display_formatter
    formatters.mimebundle_formatter.pop(".".join(ALTAIR_CHART), None)
    formatters.formatters["text/html"].pop(".".join(PANDAS_FRAME), None)
