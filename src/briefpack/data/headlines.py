"""National figures after 2023: the Home Office's published headline totals for 2024 and 2025.

``data/nrm_headlines_2024_2025.csv`` holds one published number per row, with its page, its date and
the sentence that states it. Pages sometimes give different numbers for the same period (2025:
23,411 in the end-of-year annex, 23,407 on a later page). The sidecar's ``releases`` names each page
and says what kind it is; :func:`headline` picks one by a stated rule (for a calendar year, the
end-of-year summary annex, the Home Office's own statement of the year; otherwise the page published
last) and keeps the others, so a briefing prints the figure it uses with its release.

The detailed tables (by age, by police force) stop at 2023 Q4; these headlines carry no split by
age, so the yearly series joins the two: 2009-2023 by age from Table 2, 2024 onwards as totals.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from briefpack.core.errors import DataError
from briefpack.core.text import long_date
from briefpack.data import catalogue as data
from briefpack.data import record, stats

TABLE = data.NRM_HEADLINES
HOME_OFFICE = "Home Office, Modern Slavery: NRM and Duty to Notify statistics"
# The release of the detailed tables (nrm_referrals_uk_quarterly_2009_2023.csv and the police tables).
TABLES_RELEASE = "Quarter 4 2023 (October to December 2023) release"


@dataclass(frozen=True)
class Other:
    """Another release's number for the same period and measure."""
    value: int
    release: str
    published: dt.date


@dataclass(frozen=True)
class Headline:
    period: str           # "2025", "2025Q4"
    measure: str          # "referrals_total", "dtn_reports", ...
    value: int
    release: str          # "end-of-year summary 2025, annex"
    published: dt.date
    url: str
    quote: str            # the page's sentence, verbatim
    others: tuple = ()    # Other(...) where another release gives a different number

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def release_dated(self) -> str:
        """'end-of-year summary 2025, annex (published 19 February 2026)'."""
        return f"{self.release} (published {long_date(self.published)})"

    @property
    def cite(self) -> str:
        """'Home Office, ..., end-of-year summary 2025, annex (published 19 February 2026)'."""
        return f"{HOME_OFFICE}, {self.release_dated}"


def _releases() -> dict:
    rel = data.meta(TABLE).provenance.get("releases") or {}
    if not isinstance(rel, dict):
        raise DataError(f"data/{TABLE}.meta.yml: provenance.releases must map each page's address to its "
                        "title and kind.")
    return rel


@lru_cache(maxsize=2)
def _rows(stamp) -> pd.DataFrame:
    df = data.read(TABLE).copy()
    rel = _releases()
    unknown = sorted(set(df.source_url) - set(rel))
    if unknown:
        raise DataError(f"data/{TABLE}.csv: page {unknown[0]} has no entry under provenance.releases in "
                        f"data/{TABLE}.meta.yml; add its title and kind.")
    for url, r in rel.items():
        if not isinstance(r, dict) or not r.get("title") or r.get("kind") not in ("annual", "quarterly", "notice"):
            raise DataError(f"data/{TABLE}.meta.yml: the release {url} needs a title and a kind "
                            "(annual, quarterly or notice).")
    df["release"] = df.source_url.map(lambda u: rel[u]["title"])
    df["kind"] = df.source_url.map(lambda u: rel[u]["kind"])
    df["published_date"] = df.published.map(dt.date.fromisoformat)
    return df


def rows() -> pd.DataFrame:
    """The headline figures with their releases (the briefing records that it read the table)."""

    record.table(TABLE)
    return _rows(data.stamp(TABLE))


def headline(period: str, measure: str) -> Headline:
    """The figure a briefing uses for ``measure`` in ``period``, with the other releases' numbers."""
    df = rows()
    found = df[(df.period == period) & (df.measure == measure)]
    if found.empty:
        raise DataError(f"data/{TABLE}.csv has no {measure} for {period}; the briefing needs it.")
    annual = len(period) == 4 and period.isdigit()
    rank = found.assign(first=(found.kind == "annual") if annual else False)
    rank = rank.sort_values(["first", "published_date"], ascending=[False, False], kind="stable")
    best = rank.iloc[0]
    same = rank[(rank.source_url == best.source_url)]
    if same.value.nunique() > 1:
        raise DataError(f"data/{TABLE}.csv: the {best.release} gives {measure} for {period} twice with different "
                        "numbers; a briefing cannot choose between them.")
    others = tuple(dict.fromkeys(Other(int(r.value), r.release, r.published_date)
                                 for r in rank.itertuples() if int(r.value) != int(best.value)))
    return Headline(period, measure, int(best.value), best.release, best.published_date, best.source_url,
                    best.quote, others)


def annual(measure: str) -> list[Headline]:
    """Calendar-year figures for ``measure``, oldest first."""
    return _annual(measure, data.stamp(TABLE))


@record.memo(maxsize=16)
def _annual(measure: str, stamp) -> list[Headline]:
    df = rows()
    years = sorted({p for p in df.period[df.measure == measure] if len(p) == 4 and p.isdigit()})
    return [headline(y, measure) for y in years]


def latest(measure: str = "referrals_total") -> Headline:
    """The latest calendar year's figure (2025 in the shipped data)."""
    found = annual(measure)
    if not found:
        raise DataError(f"data/{TABLE}.csv has no calendar-year {measure}; the briefing needs it.")
    return found[-1]


def referrals_by_year(nrm_uk: pd.DataFrame) -> pd.DataFrame:
    """UK NRM referrals per year: by age from Table 2 (2009-2023), then the yearly headline totals.

    Columns: year, Adults, Children, Age not known, total, quarters, split (True where the age split
    is published), release (where the year's figure comes from).
    """
    by_age = stats.uk_referrals_by_year(nrm_uk).assign(split=True, release=f"Table 2, {TABLES_RELEASE}")
    last = int(by_age.year.max())
    later = [h for h in annual("referrals_total") if h.year > last]
    extra = pd.DataFrame({"year": [h.year for h in later], "Adults": 0, "Children": 0, "Age not known": 0,
                          "total": [h.value for h in later], "quarters": 4, "split": False,
                          "release": [h.release_dated for h in later]})
    out = pd.concat([by_age, extra], ignore_index=True) if later else by_age
    return out.astype({"year": int, "Adults": int, "Children": int, "Age not known": int, "total": int,
                       "quarters": int, "split": bool})


def revised_total(year: int) -> Headline | None:
    """``year``'s referrals as a later annex restates them: the next year's total less the change it
    reports (the 2024 annex: 19,125 - 2,135 = 16,990 for 2023), or None if no annex says."""
    df = rows()
    if df[(df.period == str(year + 1)) & (df.measure == f"referrals_total_change_vs_{year}")].empty:
        return None
    change = headline(str(year + 1), f"referrals_total_change_vs_{year}")
    total = headline(str(year + 1), "referrals_total")
    if total.url != change.url:
        return None
    return Headline(str(year), "referrals_total", total.value - change.value, total.release, total.published,
                    total.url, total.quote)


def dtn_by_year(dtn: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Duty to Notify reports per full year: Table 40, then the yearly headline totals; and the source line."""
    table = stats.dtn_by_year(dtn)
    table = table[table.quarters == 4]
    last = int(table.year.max())
    later = [h for h in annual("dtn_reports") if h.year > last]
    extra = pd.DataFrame({"year": [h.year for h in later], "reports": [h.value for h in later], "quarters": 4})
    out = pd.concat([table, extra], ignore_index=True).astype(int) if later else table
    source = "; ".join([f"{HOME_OFFICE}, Table 40 of the {TABLES_RELEASE}, {int(table.year.min())} to {last}"]
                       + [f"{h.year}: {h.release_dated}" for h in later])
    return out, source
