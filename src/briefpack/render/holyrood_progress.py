"""The coordinators' live progress on Scottish Parliament seats: counts by region and a grid of tiles.

The data holds no hex or geographic layout of the 73 constituencies drawn for May 2026, so none is
drawn or guessed: the grid is the eight electoral regions in name order, each a row of tiles, one tile
for each of its constituencies in alphabetical order (the order of ``geography.seats``), coloured by
the stage scale of the Westminster hex map (:data:`charts.STATUS_COLOURS`) and said in words as well,
so the grid is a list a screen reader reads. The page says it is a grid by region, not a map.

A club reports on a constituency (the report form takes a constituency, not a region), so the
regions' list MSPs have no reports to show; each region row counts its constituencies contacted.
"""
from __future__ import annotations

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

    @property
    def contacted(self) -> int:
        """Constituencies of the region where a club has made contact (any stage after "no contact")."""
        return sum(t.status != "no contact" for t in self.tiles)


def layout(entries: dict | None = None) -> list[Region]:
    """The grid: the regions in name order, each with one tile per constituency, alphabetical.
    ``entries``: {GSS code: campaign.Entry} of the constituencies reported."""
    entries = entries or {}
    seats = geography.seats(geography.SCOTTISH)
    return [Region(region, tuple(Tile(s.gss_code, s.name, s.region,
                                      entries[s.gss_code].status if s.gss_code in entries else "no contact")
                                 for s in seats if s.region == region))
            for region in geography.regions()]


def entries_of(reports) -> dict[str, campaign.Entry]:
    """{GSS code: campaign.Entry} of the Scottish Parliament constituencies in ``reports`` (the campaign
    database's rows): the most advanced report of each seat, the rule of the Westminster seats."""
    return campaign.reported(reports, geography.SCOTTISH)


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
    def __init__(self, as_of: dt.date, entries: dict):
        """``entries``: {GSS code: campaign.Entry} of the Scottish Parliament constituencies (:func:`entries_of`)."""
        self.as_of = as_of
        self.entries = entries
        self.regions = layout(entries)

    def counts(self) -> pd.DataFrame:
        """Constituencies per stage by region (every region, every stage, zeros included)."""
        rows = [{"region": r.name, **{s: sum(t.status == s for t in r.tiles) for s in campaign.STATUSES},
                 "seats": len(r.tiles)} for r in self.regions]
        return pd.DataFrame(rows, columns=["region", *campaign.STATUSES, "seats"])

    def description(self) -> str:
        """The grid in one sentence (the text alternative, as the hex map has)."""
        tiles = [t for r in self.regions for t in r.tiles]
        parts = [f"{sum(t.status == s for t in tiles)} {s}" for s in charts.STATUS_COLOURS
                 if any(t.status == s for t in tiles)]
        return charts.WORDS("holyrood_grid", "description", seats=str(len(tiles)), regions=str(len(self.regions)),
                            counts=", ".join(parts))

    def overdue(self) -> list[dict]:
        return campaign.overdue(self.entries, self.as_of, "MSP")

    def section(self) -> Section:
        counts = self.counts()
        totals = {s: int(counts[s].sum()) for s in campaign.STATUSES}
        return render("progress_holyrood.html.j2", p=self, counts=counts, totals=totals,
                      statuses=campaign.STATUSES, seats=int(counts.seats.sum()), stages=stages(),
                      stage_class=stage_class, title=charts.WORDS("holyrood_grid", "title"),
                      note=charts.WORDS("holyrood_grid", "note"), description=self.description(),
                      overdue=self.overdue(), letter_days=campaign.CHASE_LETTER_DAYS,
                      reply_days=campaign.CHASE_REPLY_DAYS)
