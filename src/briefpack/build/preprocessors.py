"""nbconvert preprocessors for briefings: every output a researcher adds prints, and works offline.

The briefing template (``templates/briefing/conf.json``) lists them, so ``jupyter nbconvert --to html
--template briefing`` runs them as the build does.

:class:`OfflineOutputPreprocessor` runs after the exporter's own preprocessors (so cells tagged
``notes`` are already gone). For each output of a code cell:

- a chart or table drawn by briefpack's display hooks (:mod:`briefpack.render.display`) is kept as it is;
- a Vega-Lite chart left by any other renderer (a ``application/vnd.vegalite.v*`` output, the spec
  the hooks carry beside an ``svg`` or ``png`` output, or an Altair HTML output that loads Vega from a
  CDN for ``vegaEmbed``) becomes the same inline SVG figure, in the briefing theme;
- pandas' own table (``<table class="dataframe">``) takes the briefing's table style, its numbers
  with thousands separators and without an unnamed ``0, 1, 2`` index;
- any other script is removed (it would not run offline, nor in print).

A chart without a description or a source, and a table without a source, are reported once on
stderr (``warning: ...``), naming the cell by its first line: once per process, and once per pool
where the pool's workers share a folder of what was said (``BRIEFPACK_WARNED_DIR``, set by
:func:`briefpack.build.worker.serve`), so ``--jobs 2`` does not say it twice.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

from briefpack.core.errors import ExportError
from briefpack.render import display

log = logging.getLogger("briefpack")
_warned: set = set()

_EMBED_CALL = re.compile(r"\}\)\(\s*(?=\{)")                         # Altair: (function(spec, embedOpt){...})({spec}, ...)
_VAR_SPEC = re.compile(r"\bvar\s+spec\s*=\s*(?=\{)")                 # Altair's standalone page: var spec = {...};
_EMBED_ARG = re.compile(r"vegaEmbed\(\s*[^,()]+,\s*(?=\{)")          # vegaEmbed("#vis", {...})
_ACTIVE = ("application/javascript", "application/vnd.jupyter.widget-view+json",
           "application/vnd.jupyter.widget-state+json")
_LOADS = re.compile(r"<(script|iframe|object|embed|link)\b|\bsrc\s*=\s*['\"]?\s*(https?:)?//", re.I)
_VIEW_KEYS = ("mark", "layer", "hconcat", "vconcat", "concat", "facet", "repeat")


def spec_from_html(text: str) -> dict | None:
    """The Vega-Lite spec an HTML output hands to ``vegaEmbed``, if it has one."""
    decoder = json.JSONDecoder()
    for pattern in (_EMBED_CALL, _VAR_SPEC, _EMBED_ARG):
        for match in pattern.finditer(text):
            try:
                obj, _ = decoder.raw_decode(text, match.end())
            except ValueError:
                continue
            if isinstance(obj, dict) and ("vega-lite" in str(obj.get("$schema", ""))
                                          or any(k in obj for k in _VIEW_KEYS)):
                return obj
    return None


def chart_spec(data: dict) -> dict | None:
    """The Vega-Lite spec of an output's data, whatever renderer made it; None if it is not a chart."""
    for key, value in data.items():
        if key == display.SPEC_MIME or display.VEGALITE_MIME.match(key):
            return value if isinstance(value, dict) else json.loads(_joined(value))
    html = _joined(data.get("text/html", ""))
    if "vegaEmbed" in html:
        return spec_from_html(html)
    return None


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def restyle_dataframe(html: str) -> str:
    """pandas' default table as the briefing's: class ``data``, numbers formatted, unnamed 0..n-1 index dropped."""
    soup = _soup(html)
    for style in soup.find_all("style"):
        if ".dataframe" in style.get_text():
            style.decompose()
    for table in soup.find_all("table", class_="dataframe"):
        table["class"] = ["data"]
        for attr in ("border", "style"):
            table.attrs.pop(attr, None)
        head_rows = table.thead.find_all("tr") if table.thead else []
        body_rows = table.tbody.find_all("tr") if table.tbody else []
        labels = [row.find("th") for row in body_rows]
        unnamed = all(not row.find("th").get_text(strip=True) for row in head_rows if row.find("th"))
        if body_rows and unnamed and all(th is not None and th.get_text(strip=True) == str(i)
                                         for i, th in enumerate(labels)):
            for th in labels:
                th.decompose()
            for row in head_rows:
                if row.find("th"):
                    row.find("th").decompose()
        _format_columns(table, head_rows, body_rows)
    return str(soup)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _format_columns(table, head_rows, body_rows) -> None:
    """Numbers with separators and aligned right, column by column (a column is numbers or not)."""
    grid = [[c for c in row.find_all(["td", "th"]) if c.name == "td"] for row in body_rows]
    heads = head_rows[-1].find_all("th") if head_rows else []
    offset = len(heads) - max((len(r) for r in grid), default=0)
    for j in range(max((len(r) for r in grid), default=0)):
        cells = [r[j] for r in grid if j < len(r)]
        raw = [c.get_text(strip=True) for c in cells]
        if not raw or not all(_NUMBER.match(t) or t in ("NaN", "<NA>", "None", "") for t in raw):
            continue
        values = [None if not _NUMBER.match(t) else (int(t) if re.fullmatch(r"-?\d+", t) else float(t)) for t in raw]
        column = heads[j + offset].get_text(strip=True) if 0 <= j + offset < len(heads) else ""
        texts, _ = display.column_texts(values, column)
        for cell, text in zip(cells, texts):
            cell.string = text
            cell["class"] = cell.get("class", []) + ["num"]
        if 0 <= j + offset < len(heads):
            heads[j + offset]["class"] = heads[j + offset].get("class", []) + ["num"]


def strip_scripts(html: str) -> str:
    soup = _soup(html)
    for tag in soup.find_all(["script", "iframe", "object", "embed"]):
        tag.decompose()
    for tag in soup.find_all(src=re.compile(r"^\s*(https?:)?//", re.I)):
        del tag["src"]
    for tag in soup.find_all("link", href=True):
        tag.decompose()
    return str(soup)


class OfflineOutputPreprocessor(Preprocessor):
    """Researchers' charts and tables as the briefing's inline SVG figures and tables; no script survives."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in ("display_data", "execute_result"):
                    self._output(output, cell)
        return cell, resources

    def _output(self, output, cell) -> None:
        from nbformat import from_dict


        meta = (output.get("metadata", {}).get("text/html") or {}).get(display.META)
        if meta is None:
            spec = chart_spec(output.get("data", {}))
            if spec is not None:
                try:
                    figure = display.chart_figure(spec)
                except ExportError as exc:
                    raise ExportError(f"cell starting {cell_name(cell)}: {exc}") from None
                data, md = figure.bundle()
                output["data"], output["metadata"] = from_dict(data), from_dict(md)
                meta = md["text/html"][display.META]
        data = output.get("data", {})
        if meta is not None:
            for key in [k for k in data if k not in ("text/html", "text/plain")]:
                del data[key]
            self._check(meta, cell)
            return
        if any(data.pop(key, None) is not None for key in _ACTIVE):
            _warn_once(cell, "a script output was left out: briefings run no scripts")
        html = _joined(data.get("text/html", ""))
        if 'class="dataframe"' in html:
            html = data["text/html"] = restyle_dataframe(html)
            self._check({"kind": "table", "source": ""}, cell)
        if _LOADS.search(html):
            data["text/html"] = strip_scripts(html)
            _warn_once(cell, "scripts or files from the network were left out of its HTML output")

    @staticmethod
    def _check(meta: dict, cell) -> None:
        """One warning line for a chart without a description or a source, or a table without a source."""
        if meta.get("kind") == "table":
            if not meta.get("source"):
                _warn_once(cell, "the table names no source; give it with "
                           "briefpack.show(df, caption=\"...\", source=\"publisher, dataset, period\")")
            return
        described, sourced = meta.get("described"), meta.get("source")
        if described and sourced:
            return
        if not (described or sourced):
            problem, fix = "has no description or source of its own", 'description="...", source="..."'
        elif not described:
            problem, fix = "has no description of its own", 'description="..."'
        else:
            problem, fix = "names no source", 'source="publisher, dataset, period"'
        made = "; its text alternative was made from its data" if not described else ""
        _warn_once(cell, f"the chart {problem}{made}; give it with briefpack.show(chart, {fix})")


def cell_name(cell) -> str:
    first = next((line.strip() for line in cell.get("source", "").splitlines() if line.strip()), "")
    return repr(first if len(first) <= 60 else first[:59] + "…")


def _warn_once(cell, message: str) -> None:
    """Log ``message`` about ``cell`` once (a pack builds the same cell for every seat, in each worker)."""
    key = (cell.get("source", ""), message)
    if key in _warned:
        return
    _warned.add(key)
    if _said_by_another_worker(key):
        return
    log.warning("warning: cell starting %s: %s.", cell_name(cell), message)


def _said_by_another_worker(key: tuple) -> bool:
    """Claim ``key`` in the pool's shared folder; False if this process is the first to (or no folder)."""
    folder = os.environ.get("BRIEFPACK_WARNED_DIR")
    if not folder:
        return False
    name = hashlib.sha256("\0".join(key).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    try:
        os.close(os.open(os.path.join(folder, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return True
    except OSError:     # the folder is gone (the pool is closing): say it rather than lose it
        return False
    return False


class LanguagePreprocessor(Preprocessor):
    """The page's language, ``<html lang="...">``: briefings are British English, ``en-GB``.

    nbconvert's ``HTMLExporter.language_code`` takes a two-letter ISO 639-1 code only (it turns
    ``en-GB`` back into ``en``); the lab template reads ``resources["language_code"]``, which a
    preprocessor may set (preprocessors run after the exporter fills in its resources)."""

    language_code = Unicode("en-GB", help="BCP 47 language tag of the page").tag(config=True)

    def preprocess(self, nb, resources):
        resources["language_code"] = self.language_code
        return nb, resources
