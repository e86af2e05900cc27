"""Topic briefings: one per campaign concern and per theme, national figures only.

``notebooks/topic.ipynb`` is the outline; each cell is one call to a :class:`TopicBriefing` method.
Words come from ``content/topics/<key>.yml`` (:mod:`briefpack.words.topics`); every chart and figure from
``data/``.
"""
from __future__ import annotations

from briefpack.data import catalogue as data
from briefpack.data import stats, used
from briefpack.data.headlines import TABLES_RELEASE, dtn_by_year, latest
from briefpack.render import charts
from briefpack.render.sections import Section, render, render_sources
from briefpack.words import content, figures, topics


class TopicBriefing:
    def __init__(self, key: str):
        self.key = key
        self.topic = topics.topic(key)

    @classmethod
    def prepare(cls, topic: str) -> "TopicBriefing":
        return cls(topics.parse_topics(topic)[0])

    @property
    def title(self) -> str:
        return self.topic["title"]

    def cover(self) -> Section:
        y = stats.uk_year(data.load(data.NRM_UK))
        return render("topic_cover.html.j2", t=self.topic, latest=latest("referrals_total"), split=y,
                      source=f"{figures.NRM}, Table 2 of the {TABLES_RELEASE}", release=TABLES_RELEASE)

    def charts(self) -> Section:
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
        return used.sources_section(self._sources)

    def _sources(self) -> Section:
        docs = content.sources()
        cited = list(dict.fromkeys([r["source"] for r in self.topic["recommendations"]]
                                   + ([self.topic["quote"]["source"]] if self.topic.get("quote") else [])))
        return render_sources(used.tables_used(), docs=[(k, docs[k]) for k in cited if k in docs])