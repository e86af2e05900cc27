"""Great Britain postcodes to 2024 Westminster constituencies, offline.

The table is mySociety's compact range look-up (``data/postcodes/``, built from OS Code-Point
Open): sorted range starts, each a postcode without spaces read as a base-36 number, and the
constituency of each range. A postcode belongs to the last range that starts at or below it.

Three limits to tell the user about: Northern Ireland (``BT``) postcodes are not covered; a
well-formed postcode that does not exist still falls inside some range, so always show the
constituency found (and its member) for the user to confirm; postcodes issued after mid-2024 may
be missing.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from briefpack.core.errors import DataError, InputError, quote_input
from briefpack.data import catalogue as data

RANGES = "postcodes/pcon_2024_postcode_ranges"
LOOKUP = "postcodes/pcon_2024_lookup"

# The shapes of a full UK postcode (outward code, then digit and two letters), without spaces.
SHAPE = re.compile(r"^(?:[A-Z]{2}[0-9][A-Z]|[A-Z][0-9][A-Z]|[A-Z][0-9]|[A-Z][0-9]{2}|[A-Z]{2}[0-9]|[A-Z]{2}[0-9]{2})"
                   r"[0-9][A-Z]{2}$")
EXAMPLE = "OX16 5AA"
NOT_COVERED = ("Northern Ireland postcodes ({}) are not in the postcode look-up, which covers Great Britain only; "
               "search for the constituency by name or for your MP instead.")


def normalise(text) -> str | None:
    """``'ox165aa'`` -> ``'OX16 5AA'``; None unless ``text`` has the shape of a full UK postcode."""
    compact = re.sub(r"\s+", "", str(text or "")).upper()
    if not SHAPE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def looks_like_postcode(text) -> bool:
    return normalise(text) is not None


def is_northern_ireland(postcode: str) -> bool:
    return re.sub(r"\s+", "", str(postcode)).upper().startswith("BT")


@dataclass(frozen=True)
class Table:
    starts: tuple        # sorted range starts (base-36 values of postcodes without spaces)
    codes: tuple         # the GSS code of each range, or None where no constituency is recorded

    def code_at(self, number: int) -> str | None:
        i = bisect.bisect_right(self.starts, number) - 1
        return self.codes[i] if i >= 0 else None


def decode_values(value_key: list) -> list[int]:
    """Undo mySociety's coding of ``value_key``: a 0 (from the third entry on) repeats the entry two
    before; then every entry less one is an index into ``value_values``."""
    out = list(value_key[:2])
    for v in value_key[2:]:
        out.append(out[-2] if v == 0 else v)
    return [v - 1 for v in out]


def short_codes(lookup: dict) -> dict:
    """{mySociety short code: 2024 GSS code}."""
    return {short: entry["parlcon_2024_gss_code"] for short, entry in lookup.items()}


def decode(ranges: dict, lookup: dict) -> Table:
    """The range table, with each range's GSS code (None for a gap)."""
    gss = short_codes(lookup)
    values = ranges["value_values"]
    codes = []
    for i in decode_values(ranges["value_key"]):
        short = values[i] if 0 <= i < len(values) else None
        if short is not None and short not in gss:
            raise DataError(f"data/{RANGES}.json: short code {short!r} is not in data/{LOOKUP}.json; restore both from git.")
        codes.append(gss.get(short) if short else None)
    return Table(tuple(accumulate(ranges["postcode_keys"])), tuple(codes))


@lru_cache(maxsize=2)
def _table(stamp) -> Table:
    return decode(data.load_json(RANGES), data.load_json(LOOKUP))


def table() -> Table:
    return _table(data.stamp(RANGES) + data.stamp(LOOKUP))


def constituency_code(postcode) -> str:
    """The 2024 GSS code of the Westminster constituency a GB postcode lies in.

    Raises InputError (one line) for text that is not a full postcode, for a Northern Ireland
    postcode, and for a postcode in a gap of the table. A well-formed postcode that does not exist
    may still get a constituency: show it to the user to confirm.
    """
    pc = normalise(postcode)
    if pc is None:
        raise InputError(f"{quote_input(postcode)} is not a full UK postcode; write it like {EXAMPLE}.")
    if is_northern_ireland(pc):
        raise InputError(NOT_COVERED.format(pc))
    code = table().code_at(int(pc.replace(" ", ""), 36))
    if code is None:
        raise InputError(f"No constituency is recorded for the postcode {pc}; check it, or search for the "
                         "constituency by name or for your MP.")
    return code


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
NONE = "zz"  # the value of a range with no constituency in compact_table()


def _base36(n: int, width: int = 1) -> str:
    out = ""
    while n:
        n, d = divmod(n, 36)
        out = _DIGITS[d] + out
    return out.rjust(width, "0")


def compact_table() -> dict:
    """The range table, small enough to embed in a web page that works offline.

    ``starts``: the range starts as base-36 differences joined by commas (their running sum gives
    the starts); ``values``: two base-36 digits per range, an index into ``codes`` (``zz`` where no
    constituency is recorded); ``codes``: the GSS codes, sorted.
    """
    t = table()
    codes = sorted({c for c in t.codes if c})
    at = {c: i for i, c in enumerate(codes)}
    diffs = [t.starts[0]] + [b - a for a, b in zip(t.starts, t.starts[1:])]
    return {"starts": ",".join(_base36(d) for d in diffs),
            "values": "".join(_base36(at[c], 2) if c else NONE for c in t.codes),
            "codes": codes}
