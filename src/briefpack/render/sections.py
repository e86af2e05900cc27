"""What every page type shares: a rendered section, the Jinja environment and its filters.

Constituency briefings (:mod:`briefpack.render.briefing`), topic briefings, the progress report and the
pack's index all render the templates in ``templates/sections/`` through :func:`render`. All text
goes through Jinja's autoescaping, so a club name is always text, never markup.
"""
from __future__ import annotations

from functools import lru_cache

from briefpack.core import paths
from briefpack.core.html import Section  # noqa: F401  (pages import it from here with render)
from briefpack.core.text import force_in_text, long_date, n, pct, sentence
from briefpack.data import catalogue as data


@lru_cache(maxsize=4)
def _env(folder: str):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(n=n, pct=pct, sentence=sentence, date=long_date, force=force_in_text)
    return env


def env():
    """The Jinja environment of ``templates/sections/`` (a template edited on disk is read again)."""
    return _env(str(paths.templates_dir() / "sections"))


def render(template: str, extra: dict | None = None, **values) -> Section:
    return Section(env().get_template(template).render(**values), extra)


def render_sources(tables, **values) -> Section:
    """The sources section for ``tables``: each with its provenance, and the attribution lines once each."""
    attributions = data.attributions(tables)
    lines = list(dict.fromkeys(line for a in attributions for line in a["attribution"]))
    values.setdefault("docs", [])
    values.setdefault("place", "")
    values.setdefault("powers_docs", [])
    return render("sources.html.j2", tables=attributions, lines=lines, **values)
