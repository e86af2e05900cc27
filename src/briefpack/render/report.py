"""The coordinators' progress report: one call per section of ``notebooks/progress.ipynb``."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from briefpack.data import catalogue as data
from briefpack.data import record, used
from briefpack.places import campaign, geography, members
from briefpack.render import charts
from briefpack.render.sections import Section, render, render_sources
from briefpack.request import inputs


class ProgressReport:
    def __init__(self, as_of: dt.date, entries: dict | None = None):
        """``entries``: {GSS code: campaign.Entry} (the live database's, briefpack.app.store); default the tracker CSV."""
        self.as_of = as_of
        self.entries = campaign.load() if entries is None else entries
        seats = geography.seats()
        record.table(data.CONSTITUENCIES)
        self.rows = pd.DataFrame([{
            "gss_code": s.gss_code, "name": s.name, "nation": s.nation, "region": s.region,
            "status": self.entries[s.gss_code].status if s.gss_code in self.entries else "no contact",
        } for s in seats])

    @classmethod
    def prepare(cls, as_of="") -> "ProgressReport":
        return cls(inputs.date(as_of, "as_of") or dt.date.today())

    def counts(self) -> pd.DataFrame:
        """Seats per status by nation and region (England by region; the other nations whole)."""
        table = pd.crosstab([self.rows.nation, self.rows.region], self.rows.status)
        for s in campaign.STATUSES:
            if s not in table:
                table[s] = 0
        table = table[list(campaign.STATUSES)]
        table["seats"] = table.sum(axis=1)
        return table.reset_index()

    def overview(self) -> Section:
        counts = self.counts()
        totals = {s: int(counts[s].sum()) for s in campaign.STATUSES}
        return render("progress_overview.html.j2", p=self, counts=counts, totals=totals,
                      statuses=campaign.STATUSES, seats=len(self.rows))

    def hex_map(self) -> Section:
        hexes = data.load(data.HEX)[["gss_code", "col", "row"]]
        cells = hexes.merge(self.rows, on="gss_code", how="left", validate="one_to_one")
        chart = charts.hex_map(cells, "Campaign tracker; hex cartogram of the 2024 constituencies via mySociety")
        return Section(chart.to_html())

    def overdue(self) -> Section:
        return render("progress_overdue.html.j2", p=self, items=campaign.overdue(self.entries, self.as_of),
                      letter_days=campaign.CHASE_LETTER_DAYS,
                      reply_days=campaign.CHASE_REPLY_DAYS)

    def replies(self) -> Section:
        mps = members.all_sitting()
        items = [{"e": e, "mp": mps[e.gss_code]} for e in sorted(self.entries.values(), key=lambda e: e.reply or dt.date.min)
                 if e.reply]
        return render("progress_replies.html.j2", items=items)

    def sources(self) -> Section:
        """The tables the report read (as recorded)."""
        return used.sources_section(lambda: render_sources(used.tables_used()))