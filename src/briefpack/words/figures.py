"""One figure per concern, computed from the data, each naming its source and period.

A registry (as papermill registers translators): ``@figure("key")`` adds a function of the
briefing context that returns a :class:`Figure`. Content files name figures by key. The sentence
around each figure is in ``content/figures.yml`` (:data:`WORDS`); this module computes the numbers
that fill its placeholders.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import wraps
from typing import Callable

from briefpack.core import paths
from briefpack.core.text import force_in_text, n, pct
from briefpack.data import catalogue as data
from briefpack.data import headlines, record, stats
from briefpack.words.sentences import Words, stamps

FIGURES: dict[str, Callable] = {}


@dataclass(frozen=True)
class Figure:
    value: str     # the headline number, e.g. "17,004"
    text: str      # one sentence around it
    source: str    # publisher and table
    period: str    # what period it covers
    table: str     # the data table it comes from


def figure(key: str):
    """Register a figure function under ``key`` (what it reads is recorded as it reads it)."""
    def register(fn):
        FIGURES[key] = fn
        return fn
    return register


def national(fn):
    """A figure that is the same for every seat (it does not look at the seat): computed once and
    kept while the tables it read and ``content/figures.yml`` are unchanged; a kept figure notes its
    reads again, so each briefing's record and sources are as if it had computed it."""
    kept: dict = {}

    @wraps(fn)
    def figure_of(ctx) -> Figure:
        words = stamps(paths.content_dir() / "figures.yml")
        hit = kept.get("last")
        if hit is not None and hit[2] == words and all(data.stamp(t) == s for t, s in hit[3].items()):
            record.replay(hit[1])
            return hit[0]
        with record.capture() as reads:
            result = fn(ctx)
        kept["last"] = (result, reads, words, {t: data.stamp(t) for t in reads.tables})
        return result

    return figure_of


NRM = "Home Office, Modern Slavery: NRM and Duty to Notify statistics"
_DECISIONS = ("year", "total", "positive", "share", "negative", "release")
# The sentences, and the placeholders each may use (content/figures.yml).
WORDS = Words("figures.yml", {
    "uk_referrals_trend": {"text": ("latest", "latest_year", "times", "first", "first_year")},
    "uk_child_referrals": {"text": ("children", "total", "year", "share", "release")},
    "force_referrals": {"text": ("force", "total", "uk")},
    "force_child_referrals": {"text": ("children", "total", "force", "share", "were")},
    "force_criminal_exploitation": {"text": ("criminal", "total", "force", "share", "were")},
    "police_share_uk": {"text": ("police_share", "police", "government_share", "government")},
    "dtn_reports": {"text": ("year", "reports")},
    "reasonable_grounds": {"text": _DECISIONS},
    "conclusive_grounds": {"text": _DECISIONS},
})


@figure("uk_referrals_trend")
@national
def uk_referrals_trend(ctx) -> Figure:
    """The latest yearly total (a headline figure) against the first full year of Table 2."""

    by_year = stats.uk_referrals_by_year(data.load(data.NRM_UK))
    first = by_year[by_year.quarters == 4].iloc[0]
    last = headlines.latest("referrals_total")
    growth = last.value / first.total
    return Figure(n(last.value),
                  WORDS("uk_referrals_trend", "text", latest=n(last.value), latest_year=last.year,
                        times=f"{growth:.0f}", first=n(first.total), first_year=int(first.year)),
                  f"{NRM}: {last.year}, {last.release_dated}; "
                  f"{int(first.year)}, Table 2 of the {headlines.TABLES_RELEASE}",
                  f"{int(first.year)} and {last.year}", data.NRM_UK)


@figure("uk_child_referrals")
@national
def uk_child_referrals(ctx) -> Figure:

    y = stats.uk_year(data.load(data.NRM_UK))
    return Figure(n(y["children"]),
                  WORDS("uk_child_referrals", "text", children=n(y["children"]), total=n(y["total"]),
                        year=y["year"], share=pct(y["child_share"]), release=headlines.TABLES_RELEASE),
                  f"{NRM}, Table 2", str(y["year"]), data.NRM_UK)


def _period(df) -> str:
    """'2022 Q2 to 2023 Q4' (pages print it with its words: :func:`shown`)."""
    return stats.period_label(df)


def shown(fig: Figure) -> Figure:
    """The figure as a page prints it: a quarterly period also in plain words, since the police
    figures stop at 2023 Q4 ('2022 Q2 to 2023 Q4 (the seven quarters from April 2022 to December 2023)')."""
    if " Q" not in fig.period:
        return fig
    return replace(fig, period=f"{fig.period} ({stats.period_words(fig.period)})")


@figure("force_referrals")
def force_referrals(ctx) -> Figure:
    police = ctx.police
    force = ctx.main_force.name
    total = stats.force_total(police, force)
    uk = stats.force_total(police, stats.POLICE_TOTAL)
    return Figure(n(total), WORDS("force_referrals", "text", force=force_in_text(force), total=n(total), uk=n(uk)),
                  f"{NRM}, Table 13", _period(police), data.NRM_POLICE)


@figure("force_child_referrals")
def force_child_referrals(ctx) -> Figure:
    police = ctx.police
    force = ctx.main_force.name
    ages = stats.force_by_age(police, force)
    total = sum(ages.values())
    share = ages["Children"] / total if total else 0
    return Figure(n(ages["Children"]),
                  WORDS("force_child_referrals", "text", children=n(ages["Children"]), total=n(total),
                        force=force_in_text(force), share=pct(share), were=were(ages["Children"])),
                  f"{NRM}, Table 13", _period(police), data.NRM_POLICE)


def were(count: int) -> str:
    """'1 of the 42 referrals ... was', '2 of the 42 ... were'."""
    return "was" if count == 1 else "were"


@figure("force_criminal_exploitation")
def force_criminal_exploitation(ctx) -> Figure:
    police = ctx.police
    force = ctx.main_force.name
    by_type = stats.force_by_type(police, force)
    total = int(by_type.sum())
    crim = int(by_type.get("Criminal", 0))
    share = crim / total if total else 0
    return Figure(n(crim),
                  WORDS("force_criminal_exploitation", "text", criminal=n(crim), total=n(total),
                        force=force_in_text(force), share=pct(share), were=were(crim)),
                  f"{NRM}, Table 13", _period(police), data.NRM_POLICE)


@figure("police_share_uk")
@national
def police_share_uk(ctx) -> Figure:
    responders = data.load(data.NRM_RESPONDER_TYPE)
    types = stats.responder_type_shares(responders).set_index("first_responder_type")
    police = types.loc["Police"]
    gov = types.loc["Government agency"]
    return Figure(pct(police.share),
                  WORDS("police_share_uk", "text", police_share=pct(police.share), police=n(police.people),
                        government_share=pct(gov.share), government=n(gov.people)),
                  f"{NRM}, Tables 11-14", _period(responders),
                  data.NRM_RESPONDER_TYPE)


@figure("dtn_reports")
@national
def dtn_reports(ctx) -> Figure:
    """The latest year's Duty to Notify reports: a headline figure where one is published after Table 40."""

    d = stats.dtn_year(data.load(data.DTN))
    later = [h for h in headlines.annual("dtn_reports") if h.year > d["year"]]
    if later:
        year, reports = later[-1].year, later[-1].value
        source = f"{NRM}, {later[-1].release_dated}"
    else:
        year, reports, source = d["year"], d["reports"], f"{NRM}, Table 40"
    return Figure(n(reports), WORDS("dtn_reports", "text", year=year, reports=n(reports)),
                  source, str(year), data.DTN)


def _decisions(table_name: str, key: str, table_no: str) -> Figure:

    d = stats.decisions(data.load(table_name))
    return Figure(n(d["positive"]),
                  WORDS(key, "text", year=d["year"], total=n(d["total"]), positive=n(d["positive"]),
                        share=pct(d["positive_share"]), negative=n(d["negative"]),
                        release=headlines.TABLES_RELEASE),
                  f"{NRM}, Table {table_no} of the {headlines.TABLES_RELEASE}", str(d["year"]), table_name)


@figure("conclusive_grounds")
@national
def conclusive_grounds(ctx) -> Figure:
    return _decisions(data.NRM_CONCLUSIVE, "conclusive_grounds", "28")


@figure("reasonable_grounds")
@national
def reasonable_grounds(ctx) -> Figure:
    return _decisions(data.NRM_REASONABLE, "reasonable_grounds", "16")
