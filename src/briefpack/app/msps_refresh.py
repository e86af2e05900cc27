"""Bring a newer list of Members of the Scottish Parliament into ``data/``: ``build.py refresh-msps FILE_OR_URL``.

The same pattern as ``--refresh-members`` (:mod:`briefpack.app.refresh`):

# Load inputs. A CSV file or an http(s) address, with the columns of ``data/msps_current.csv``
#   (``code, constituency, region, member, party, as_of``; ``as_of`` may be left out or empty: it is
#   then the date given with ``--as-of``, else today for a download, the file's date for a file).
# Check it. The sidecar's schema (columns, 129 rows) and :func:`briefpack.places.msps.check`: the 73
#   constituencies with their own codes, names and regions, each once; the 8 regions with 7 list
#   members each; no member twice; a party for every member. A file that fails changes nothing.
# Save outputs. Compare it with the copy in ``data/`` (constituencies by code, list members by region
#   and name), keep each unchanged row's ``as_of``, write the file and its sidecar (sha256)
#   atomically, and print what changed, member by member.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import sys

import pandas as pd

from briefpack.app.refresh import (
    UNCHANGED,
    as_of_date,
    read_payload,
    read_source,
    sidecar_text,
)
from briefpack.core.atomic import write_atomic
from briefpack.core.errors import DataError, InputError
from briefpack.data import catalogue as data
from briefpack.places import geography, msps

COLUMNS = ["code", "constituency", "region", "member", "party", "as_of"]
OPTION = "--refresh-msps"


def parse(payload: bytes, label: str, as_at: dt.date) -> pd.DataFrame:
    """The new file, its empty ``as_of`` filled with ``as_at``, typed and checked; a one-line DataError
    naming ``label`` if it fails."""
    m = data.meta(data.MSPS_CURRENT)
    raw = read_payload(payload, label, "a list of MSPs", "utf-8-sig")
    if "as_of" not in raw.columns:
        raw["as_of"] = ""
    if "as_of" in raw.columns and list(raw.columns) != COLUMNS and set(raw.columns) == set(COLUMNS):
        raw = raw[COLUMNS]
    raw["as_of"] = raw["as_of"].where(raw["as_of"].str.strip() != "", as_at.isoformat())
    # The row count is left to msps.check, which says which region or constituency is short.
    counted = dataclasses.replace(m, schema={k: v for k, v in m.schema.items() if k != "rows"})
    try:
        typed = data.validate(counted, raw)
        for i, r in enumerate(typed.itertuples(index=False), start=2):
            try:
                dt.date.fromisoformat(r.as_of)
            except ValueError:
                raise DataError(f"data/{m.csv.name}: row {i}, column 'as_of': {r.as_of!r} is not a real date.") from None
        msps.check(typed, f"data/{m.csv.name}")
    except DataError as exc:
        text = str(exc)
        prefix = f"data/{m.csv.name}"
        text = f"{label}{text[len(prefix):]}" if text.startswith(prefix) else text
        raise DataError(text + UNCHANGED) from None
    return typed


def _who(member: str, party: str) -> str:
    return f"{member} ({party})" if member else (f"no member named ({party})" if party else "vacant")


def compare(old: pd.DataFrame, new: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """(one line per change, the new table with each unchanged row's as_of kept from the old one)."""
    fold = geography._fold
    before = {r.code: r for r in old.itertuples(index=False) if r.code}
    before_list = {(r.region, fold(r.member)): r for r in old.itertuples(index=False) if not r.code}
    lines, rows = [], []
    for r in sorted((r for r in new.itertuples(index=False) if r.code), key=lambda r: fold(r.constituency)):
        o = before.get(r.code)
        if o is not None and (o.member, o.party) == (r.member, r.party):
            rows.append(r._replace(as_of=o.as_of))
            continue
        rows.append(r)
        if o is None or fold(o.member) != fold(r.member):
            kind = "now vacant" if not r.member else "new member"
            lines.append(f"{r.constituency} ({r.code}): {kind}: {_who(r.member, r.party)}; was "
                         f"{_who(o.member, o.party) if o is not None else 'not listed'}")
        elif o.member != r.member:
            lines.append(f"{r.constituency} ({r.code}): name style: {o.member} -> {r.member} ({r.party})")
        else:
            lines.append(f"{r.constituency} ({r.code}): party change: {r.member}: {o.party} -> {r.party}")
    listed = [r for r in new.itertuples(index=False) if not r.code]
    now = {(r.region, fold(r.member)) for r in listed}
    for region in geography.regions():
        for r in (r for r in listed if r.region == region):
            o = before_list.get((r.region, fold(r.member)))
            if o is not None and (o.member, o.party) == (r.member, r.party):
                rows.append(r._replace(as_of=o.as_of))
                continue
            rows.append(r)
            if o is None:
                lines.append(f"{region} region: new list MSP: {_who(r.member, r.party)}")
            elif o.party != r.party:
                lines.append(f"{region} region: party change: {r.member}: {o.party} -> {r.party}")
            else:
                lines.append(f"{region} region: name style: {o.member} -> {r.member} ({r.party})")
        for key, o in before_list.items():
            if key[0] == region and key not in now:
                lines.append(f"{region} region: no longer a list MSP: {_who(o.member, o.party)}")
    return lines, pd.DataFrame(rows, columns=COLUMNS)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(df[COLUMNS].itertuples(index=False))
    return buf.getvalue().encode("utf-8")


def refresh(source: str, as_of: str | None = None, out=None) -> list[str]:
    """Check the list of MSPs at ``source``, bring it into data/ and print what changed."""
    out = out or sys.stdout
    if not str(source or "").strip():
        raise InputError(f"{OPTION} needs a CSV file or an https:// address with the columns of "
                         f"data/{data.MSPS_CURRENT}.csv (see the README, 'Members of the Scottish Parliament').")
    given = as_of_date(as_of)
    # Load inputs.
    payload, label, as_at = read_source(source, OPTION, "the list of MSPs")
    as_at = given or as_at
    # Check it.
    new = parse(payload, label, as_at)
    old = data.read(data.MSPS_CURRENT)
    lines, merged = compare(old, new)
    if not lines:
        print(f"msps: no change; data/{data.MSPS_CURRENT}.csv already matches {label} (129 MSPs).", file=out)
        return []
    # Save outputs.
    path = data.meta(data.MSPS_CURRENT).csv
    body = _csv_bytes(merged)
    sidecar = sidecar_text(path.with_suffix(".meta.yml"), hashlib.sha256(body).hexdigest())
    write_atomic(path, body)
    write_atomic(path.with_suffix(".meta.yml"), sidecar)
    for line in lines:
        print(line, file=out)
    print(f"msps: {len(lines)} change{'s' if len(lines) != 1 else ''}; data/{data.MSPS_CURRENT}.csv now follows "
          f"{label} (changed rows as at {as_at.isoformat()}).", file=out)
    return lines
