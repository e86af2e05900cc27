"""Topic briefings: one per campaign concern and per theme, national figures only.

``notebooks/topic.ipynb`` is the outline; each cell is one call to a :class:`TopicBriefing` method.
Words come from ``content/topics/<key>.yml`` (one file per topic, named by its key); every chart and
figure from ``data/``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import content, data, figures, paths, record, stats
from .errors import DataError, InputError, quote_input
from .sections import Section, render, render_sources

TYPES = ("Sexual", "Labour", "Criminal", "Domestic")
KINDS = ("concern", "theme")                 # one of the campaign's concerns, or a theme across them
AGE_FOCUS = ("all", "children", "adults")    # whose line the age chart draws in front
_REQUIRED = ("key", "title", "kind", "summary", "why", "exploitation_types", "age_focus", "recommendations")


def topic_keys() -> tuple:
    """Every topic: the concerns' topics in Key Card order, then the themes by key."""
    return tuple(_all_topics(_stamps()))


def _stamps() -> tuple:
    folder = paths.content_dir()
    return content.stamps(*content.files("topics"), folder / "sources.yml", *content.files("concerns"))


@lru_cache(maxsize=4)
def _all_topics(key: tuple) -> dict:
    concerns = content.concern_keys()
    found = {Path(p).stem: _topic(Path(p), concerns) for p, _ in key if Path(p).parent.name == "topics"}
    if not found:
        raise DataError("content/topics/ has no topic files (<key>.yml); restore them from git.")
    rank = {k: i for i, k in enumerate(concerns)}
    return dict(sorted(found.items(), key=lambda kv: (kv[1]["kind"] == "theme", rank.get(kv[0], 0), kv[0])))


def _topic(path: Path, concerns: tuple) -> dict:
    key, where = path.stem, f"content/topics/{path.name}"
    doc = data.read_yaml(path, where)
    missing = [k for k in _REQUIRED if k not in (doc or {})]
    if missing:
        raise DataError(f"{where}: missing field(s) {missing}; see content/topics/README.md.")
    if doc["key"] != key:
        raise DataError(f"{where}: its 'key' field must be {key!r}, the file's name.")
    if doc["kind"] not in KINDS:
        raise DataError(f"{where}: kind must be concern or theme.")
    if (doc["kind"] == "concern") != (key in concerns):
        raise DataError(f"{where}: kind is {doc['kind']}, but {key!r} {'is not' if key not in concerns else 'is'} "
                        "a concern in content/concerns/; a concern's topic has its key and kind concern.")
    bad = [t for t in doc["exploitation_types"] or [] if t not in TYPES]
    if bad:
        raise DataError(f"{where}: exploitation_types has {bad}; use any of {list(TYPES)}.")
    if doc["age_focus"] not in AGE_FOCUS:
        raise DataError(f"{where}: age_focus must be all, children or adults.")
    ids = set(content.sources())
    for i, rec in enumerate(doc["recommendations"] or [], start=1):
        if not rec.get("text") or rec.get("source") not in ids:
            raise DataError(f"{where}: recommendation {i} needs text and a source id from content/sources.yml.")
    quote = doc.get("quote")
    if quote and (not quote.get("text") or quote.get("source") not in ids):
        raise DataError(f"{where}: the quote needs text and a source id from content/sources.yml.")
    return doc


def parse_topics(value) -> list[str]:
    """Topic keys from 'a,b' or a list, or 'all'."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    keys = [str(k).strip().lower().replace("-", "_") for k in items if str(k).strip()]
    known = topic_keys()
    if keys == ["all"]:
        return list(known)
    for k in keys:
        if k not in known:
            raise InputError(f"Unknown topic {quote_input(k)}; choose from: {', '.join(known)} (or all).")
    if not keys:
        raise InputError(f"Name a topic: one of {', '.join(known)} (or all).")
    return list(dict.fromkeys(keys))


class TopicBriefing:
    def __init__(self, key: str):
        self.key = key
        self.topic = _all_topics(_stamps())[key]

    @classmethod
    def prepare(cls, topic: str) -> "TopicBriefing":
        return cls(parse_topics(topic)[0])

    @property
    def title(self) -> str:
        return self.topic["title"]

    def cover(self) -> Section:
        from .headlines import TABLES_RELEASE, latest

        y = stats.uk_year(data.load(data.NRM_UK))
        return render("topic_cover.html.j2", t=self.topic, latest=latest("referrals_total"), split=y,
                      source=f"{figures.NRM}, Table 2 of the {TABLES_RELEASE}", release=TABLES_RELEASE)

    def charts(self) -> Section:
        from . import charts

        nrm_uk = data.load(data.NRM_UK)
        police = data.load(data.NRM_POLICE)
        uk_source = f"{figures.NRM}, Table 2, {stats.period_label(nrm_uk)}"
        police_source = f"{figures.NRM}, Table 13, {stats.period_label(police)} ({stats.period_words(police)})"
        blocks = [charts.age_trend(stats.uk_referrals_by_year(nrm_uk), self.topic["age_focus"], uk_source)]
        by_type = stats.force_by_quarter_and_type(police, stats.POLICE_TOTAL)
        type_chart = charts.force_quarters(by_type, "all UK police forces", police_source)
        blocks.append(type_chart)
        totals = stats.force_by_type(police, stats.POLICE_TOTAL)
        highlight = []
        for t in self.topic["exploitation_types"] or []:
            n = int(totals.get(t, 0))
            highlight.append({"type": t, "n": n, "share": n / totals.sum() if totals.sum() else 0})
        nationalities = stats.force_top_nationalities(data.load(data.NRM_POLICE_NATIONALITY), stats.POLICE_TOTAL, n=8)
        extra = []
        if self.topic.get("show_decisions"):
            for table, kind, no in ((data.NRM_REASONABLE, "reasonable", "16"), (data.NRM_CONCLUSIVE, "conclusive", "28")):
                yearly = stats.decisions_by_year(data.load(table))
                yearly = yearly[yearly.quarters == 4]
                extra.append(charts.decisions_trend(yearly, kind, f"{figures.NRM}, Table {no}, "
                                                                   f"{int(yearly.year.min())} to {int(yearly.year.max())}"))
        dtn_nat = None
        if self.topic.get("show_duty_to_notify"):
            from .headlines import dtn_by_year

            dtn, dtn_source = dtn_by_year(data.load(data.DTN))
            extra.append(charts.yearly_bars(dtn, "reports", "dtn_reports", dtn_source))
            dtn_nat = stats.dtn_top_nationalities(data.load(data.DTN_NATIONALITY))
        responders = data.load(data.NRM_RESPONDER_TYPE)
        shares = stats.responder_type_shares(responders).set_index("first_responder_type")
        return render("topic_charts.html.j2", blocks=blocks, more_charts=extra, highlight=highlight,
                      largest_type=totals.index[0] if len(totals) else "",
                      police=shares.loc["Police"], government=shares.loc["Government agency"],
                      responder_source=f"{figures.NRM}, Tables 11-14, {stats.period_label(responders)}",
                      nationalities=nationalities, police_period=stats.period_words(police),
                      dtn_nat=dtn_nat, dtn_period=stats.period_label(data.load(data.DTN_NATIONALITY)),
                      dtn_words=stats.period_words(data.load(data.DTN_NATIONALITY)),
                      min_count=stats.NATIONALITY_MIN_COUNT, police_source=police_source)

    def recommendations(self) -> Section:
        return render("topic_recommendations.html.j2", t=self.topic, sources=content.sources())

    def sources(self) -> Section:
        """The tables this briefing read (as recorded) and the documents its recommendations cite."""
        return record.sources_section(self._sources)

    def _sources(self) -> Section:
        docs = content.sources()
        cited = list(dict.fromkeys([r["source"] for r in self.topic["recommendations"]]
                                   + ([self.topic["quote"]["source"]] if self.topic.get("quote") else [])))
        return render_sources(record.tables_used(), docs=[(k, docs[k]) for k in cited if k in docs])