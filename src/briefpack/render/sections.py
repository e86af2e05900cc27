"""What every page type shares: a rendered section, the Jinja environment and its filters.

Constituency briefings (:mod:`briefpack.render.briefing`), topic briefings, the progress report and the
pack's index all render the templates in ``templates/sections/`` through :func:`render`. All text
goes through Jinja's autoescaping, so a club name is always text, never markup.
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from briefpack.core import paths
from briefpack.core.html import Section  # noqa: F401  (pages import it from here with render)
from briefpack.core.text import force_in_text, long_date, n, pct, sentence
from briefpack.data import catalogue as data


class Notes:
    """A page's numbered notes: each citation is said once, numbered in order of first use, and linked
    both ways (the mark in the text to its note on the sources page, and the note back to each mark),
    so that the text reads as prose. ``start`` numbers the first note ``start + 1`` (a section rendered
    once for many pages is numbered as it falls on each)."""

    def __init__(self, start: int = 0):
        self.start = start
        self.items: list[dict] = []      # {"number", "text", "key", "refs": [ids of the marks]}

    def __len__(self) -> int:
        return self.start + len(self.items)

    def cite(self, text: str, key: str = ""):
        """The superscript mark for ``text`` (a source and its period), as HTML; ``key`` names the note
        for tests and tools (``data-source``)."""
        if hasattr(text, "unescape"):       # a {% set %} block of a template: Markup, as plain text
            text = text.unescape()
        text = " ".join(str(text).split())
        item = next((i for i in self.items if i["text"] == text), None)
        if item is None:
            item = {"number": len(self) + 1, "text": text, "key": key, "refs": []}
            self.items.append(item)
        number = item["number"]
        ref = f"ref-{number}-{len(item['refs']) + 1}"
        item["refs"].append(ref)
        return Markup('<sup class="note-ref"><a id="{}" href="#note-{}" aria-label="note {}">{}</a></sup>').format(
            ref, number, number, number)

    def extend(self, items: list[dict]) -> None:
        """Take the notes of a section rendered with ``Notes(start=len(self))``, numbers and marks kept."""
        for item in items:
            if item["number"] != len(self) + 1:
                raise ValueError("notes taken out of order")
            self.items.append({**item, "refs": list(item["refs"])})

    def entries(self) -> list[dict]:
        return [dict(i, refs=list(i["refs"])) for i in self.items]




@lru_cache(maxsize=4)
def _env(folders: tuple):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(n=n, pct=pct, sentence=sentence, date=long_date, force=force_in_text)
    return env


def env():
    """The Jinja environment of ``templates/sections/`` (the campaign's own first: see
    :func:`briefpack.core.paths.section_template_dirs`); a template edited on disk is read again."""
    return _env(tuple(str(p) for p in paths.section_template_dirs()))


def render(template: str, extra: dict | None = None, **values) -> Section:
    return Section(env().get_template(template).render(**values), extra)


def render_sources(tables, **values) -> Section:
    """The sources section for ``tables``: each with its provenance, and the attribution lines once each."""
    attributions = data.attributions(tables)
    lines = list(dict.fromkeys(line for a in attributions for line in a["attribution"]))
    values.setdefault("docs", [])
    values.setdefault("notes", [])
    values.setdefault("place", "")
    values.setdefault("powers_docs", [])
    return render("sources.html.j2", tables=attributions, lines=lines, **values)
