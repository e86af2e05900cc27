"""The pack's index page: every briefing with its MP, party, links and build status, searchable offline."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from briefpack.core.atomic import write_atomic
from briefpack.core.text import long_date
from briefpack.data import catalogue as data
from briefpack.places import members, postcodes, search
from briefpack.places.search import fold as search_fold
from briefpack.render.sections import env

LABELS = {"html": "HTML", "pdf": "PDF", "docx": "Letter"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def footer() -> str:
    """Where the members come from, and the date of the members file in use."""

    snap = members.snapshot()
    fixes = len(members.overrides())
    return (f"Members of Parliament and their parties as recorded by the {members.SOURCE} (Open Parliament Licence "
            f"v3.0), each as at the date shown; the members file in use is as at {long_date(snap['as_at'])}"
            + (f", and {fixes} seat{'s' if fixes != 1 else ''} carr{'y' if fixes != 1 else 'ies'} a local correction"
               if fixes else "")
            + ". 2024 results: House of Commons Library. Each briefing lists its own sources and attributions.")


def msp_footer(rows) -> str:
    """Where the Members of the Scottish Parliament come from, when the index lists their briefings."""

    if not any(str(r["key"]).startswith("S16") for r in rows):
        return ""
    p = data.meta(data.MSPS_CURRENT).provenance
    return (f"Members of the Scottish Parliament: {p.get('period', '')}; each as at the date shown, so check for "
            f"changes since. {' '.join(p.get('attribution', []))}")


def finder() -> dict:
    """What the index page's search box needs offline: the postcode ranges, the councils and the words."""
    import json


    councils = [[name, " ".join(codes)] for name, _, _, codes in search.councils()]
    attribution = list(dict.fromkeys(line for name in (postcodes.RANGES, data.SEAT_COUNCILS)
                                     for line in data.meta(name).provenance.get("attribution", [])))
    as_json = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return {"ranges": as_json(postcodes.compact_table()), "councils": as_json(councils),
            "not_covered": postcodes.NOT_COVERED.format("BT"), "example": postcodes.EXAMPLE,
            "attribution": attribution}


def write_index(out_dir: Path, entries: list[dict], title: str = "Modern slavery briefings for MPs") -> Path:
    """``entries``: dicts with key, slug, name, region, mp, party, status, reason, files (output file names)."""

    out_dir = Path(out_dir)
    rows, counts = [], {"built": 0, "failed": 0, "missing": 0}
    for e in sorted(entries, key=lambda e: _fold(e["name"])):
        links = [(LABELS.get(name.rsplit(".", 1)[-1], name), name) for name in e.get("files", ())
                 if (out_dir / name).exists()]
        status = e.get("status", "not built")
        if status == "failed":
            counts["failed"] += 1
        elif links:
            counts["built"] += 1
        else:
            counts["missing"] += 1
        rows.append({**e, "links": links, "status": status if (links or status == "failed") else "not built",
                     "search": search_fold(" ".join([e["name"], e["key"], e["region"], e["mp"], e["party"],
                                                        e.get("list_members", "")]))})
    html = env().get_template("index.html.j2").render(title=title, rows=rows, counts=counts, finder=finder(),
                                                       footer=footer(), msp_footer=msp_footer(rows))
    path = out_dir / "index.html"
    write_atomic(path, html)
    return path
