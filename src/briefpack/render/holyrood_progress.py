"""The coordinators' live progress on Scottish Parliament seats: counts by region and a grid of tiles.

The data holds no hex or geographic layout of the 73 constituencies drawn for May 2026, so none is
drawn or guessed: the grid is the eight electoral regions in name order, each a row of tiles, one tile
for each of its constituencies in alphabetical order (the order of ``geography.seats``), coloured by
the stage scale of the Westminster hex map (:data:`charts.STATUS_COLOURS`) and said in words as well,
so the grid is a list a screen reader reads. The page says it is a grid by region, not a map.

A club reports on a constituency and its MSP, or on a region and its seven list MSPs (the report form's
third choice, or a tracker row of seat_type region). Each region row counts its constituencies contacted
and gives the stage of its list MSPs: the most advanced report on the region, by the rule of the seats.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from briefpack.places import campaign, geography
from briefpack.render import charts
from briefpack.render.sections import Section, render

INK, WHITE = "#1d1d1b", "#ffffff"


@dataclass(frozen=True)
class Tile:
    gss_code: str
    name: str
    region: str
    status: str


@dataclass(frozen=True)
class Region:
    name: str
    tiles: tuple[Tile, ...]
    list_msps: str = "no contact"     # the stage of the region's list MSPs (its reports, most advanced)

    @property
    def contacted(self) -> int:
        """Constituencies of the region where a club has made contact (any stage after "no contact")."""
        return sum(t.status != "no contact" for t in self.tiles)


def layout(entries: dict | None = None, regions: dict | None = None) -> list[Region]:
    """The grid: the regions in name order, each with one tile per constituency, alphabetical.
    ``entries``: {GSS code: campaign.Entry} of the constituencies reported; ``regions``: {region:
    campaign.Entry} of the regions' list MSPs reported."""
    entries, regions = entries or {}, regions or {}
    seats = geography.seats(geography.SCOTTISH)
    return [Region(region, tuple(Tile(s.gss_code, s.name, s.region,
                                      entries[s.gss_code].status if s.gss_code in entries else "no contact")
                                 for s in seats if s.region == region),
                   regions[region].status if region in regions else "no contact")
            for region in geography.regions()]


def entries_of(reports) -> dict[str, campaign.Entry]:
    """{GSS code: campaign.Entry} of the Scottish Parliament constituencies in ``reports`` (the campaign
    database's rows): the most advanced report of each seat, the rule of the Westminster seats."""
    return campaign.reported(reports, geography.SCOTTISH)


def region_entries_of(reports) -> dict[str, campaign.Entry]:
    """{region: campaign.Entry} of the regions' list MSPs in ``reports``: the most advanced report of each."""
    return campaign.reported_regions(reports)


# --- colours: the hex map's, with the text colour that reads best on each -----------------------------

def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours (#rrggbb)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def stage_class(status: str) -> str:
    return "stage-" + status.replace(" ", "-")


def stages() -> list[dict]:
    """Each stage of the scale in order: its name, CSS class, fill and text colour (ink or white,
    whichever contrasts more)."""
    out = []
    for status, fill in charts.STATUS_COLOURS.items():
        text = max((INK, WHITE), key=lambda c: contrast(fill, c))
        out.append({"status": status, "css": stage_class(status), "fill": fill, "text": text})
    return out


def stage_css() -> str:
    """The stylesheet of the stage colours (served as a file: the page's CSP allows no inline style)."""
    return "".join(f".{s['css']} {{ background: {s['fill']}; color: {s['text']}; }}\n" for s in stages())


# --- the section ---------------------------------------------------------------------------------------

class HolyroodProgress:
    def __init__(self, as_of: dt.date, entries: dict, region_entries: dict | None = None):
        """``entries``: {GSS code: campaign.Entry} of the Scottish Parliament constituencies (:func:`entries_of`);
        ``region_entries``: {region: campaign.Entry} of the regions' list MSPs (:func:`region_entries_of`)."""
        self.as_of = as_of
        self.entries = entries
        self.region_entries = region_entries or {}
        self.regions = layout(entries, self.region_entries)

    def counts(self) -> pd.DataFrame:
        """Constituencies per stage by region (every region, every stage, zeros included), and the stage of
        each region's list MSPs (``list_msps``)."""
        rows = [{"region": r.name, **{s: sum(t.status == s for t in r.tiles) for s in campaign.STATUSES},
                 "seats": len(r.tiles), "list_msps": r.list_msps} for r in self.regions]
        return pd.DataFrame(rows, columns=["region", *campaign.STATUSES, "seats", "list_msps"])

    def regions_contacted(self) -> int:
        """Regions whose list MSPs a club has contacted (any stage after "no contact")."""
        return sum(r.list_msps != "no contact" for r in self.regions)

    def description(self) -> str:
        """The grid in one sentence (the text alternative, as the hex map has)."""
        tiles = [t for r in self.regions for t in r.tiles]
        parts = [f"{sum(t.status == s for t in tiles)} {s}" for s in charts.STATUS_COLOURS
                 if any(t.status == s for t in tiles)]
        return charts.WORDS("holyrood_grid", "description", seats=str(len(tiles)), regions=str(len(self.regions)),
                            counts=", ".join(parts))

    def overdue(self) -> list[dict]:
        """The chases overdue, of the constituencies and of the regions' list MSPs ("<region> (region)")."""
        regions = {f"region {name}": dataclasses.replace(e, name=f"{name} (region)")
                   for name, e in self.region_entries.items()}
        return campaign.overdue({**self.entries, **regions}, self.as_of, "MSP")

    def section(self) -> Section:
        counts = self.counts()
        totals = {s: int(counts[s].sum()) for s in campaign.STATUSES}
        return render("progress_holyrood.html.j2", p=self, counts=counts, totals=totals,
                      statuses=campaign.STATUSES, seats=int(counts.seats.sum()), stages=stages(),
                      stage_class=stage_class, title=charts.WORDS("holyrood_grid", "title"),
                      note=charts.WORDS("holyrood_grid", "note"), description=self.description(),
                      overdue=self.overdue(), letter_days=campaign.CHASE_LETTER_DAYS,
                      reply_days=campaign.CHASE_REPLY_DAYS)
