"""Figures declared as data: a campaign says in ``content/declared_figures.yml`` which table, which columns
and which sentence, and this module computes the number for a seat, with the table's own source and period.

One entry::

    turnout:
      table: ge2024_results_by_constituency     # a table of data/ (its sidecar gives source and period)
      seat_column: ONS ID                       # the column holding the seat's GSS code
      value: [[Valid votes, Invalid votes], Electorate]   # a column, or [part, whole]: the share part/whole
                                                # (a part or whole may be a list of columns, added up)
      format: percent                           # percent or number
      decimals: 0                               # for a percentage (default 0)
      columns: {electorate: Electorate}         # more whole numbers from the seat's row, by placeholder
      text: >-                                  # the sentence: {value}, {seat}, {median}, {rank}, {count},
        ...                                     # {highest}, {lowest} and the names under `columns`

``{rank}`` counts from the highest value ("1st of 650"); ``{median}``, ``{highest}`` and ``{lowest}`` are
over every row of the table. A seat with no row gets no figure (:func:`compute` returns None and the page
says so): nothing is estimated.
"""
from __future__ import annotations

from functools import lru_cache

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.core.text import n
from briefpack.data import catalogue as data
from briefpack.words.figures import Figure
from briefpack.words.sentences import fill, placeholders, read, stamps

FILE = "declared_figures.yml"
FORMATS = ("percent", "number")
_BUILT_IN = ("value", "seat", "median", "rank", "count", "highest", "lowest")


def _path():
    return paths.content_dir() / FILE


@lru_cache(maxsize=4)
def _declared(key: tuple) -> dict:
    path = _path()
    if not path.exists():
        return {}
    doc = read(path)
    where = f"content/{FILE}"
    for name, spec in doc.items():
        if not isinstance(spec, dict):
            raise DataError(f"{where}: {name} must be a mapping with table, seat_column, value, format and text.")
        missing = [k for k in ("table", "seat_column", "value", "format", "text") if not spec.get(k)]
        if missing:
            raise DataError(f"{where}: {name} is missing {missing}; see briefpack.words.declared.")
        if spec["format"] not in FORMATS:
            raise DataError(f"{where}: {name}: format {spec['format']!r} is unknown; use percent or number.")
        value = spec["value"]
        if not (isinstance(value, str) or (isinstance(value, list) and len(value) == 2)):
            raise DataError(f"{where}: {name}: value is a column name or [part, whole].")
        allowed = set(_BUILT_IN) | set(spec.get("columns") or {})
        unknown = sorted(set(placeholders(spec["text"])) - allowed)
        if unknown:
            raise DataError(f"{where}: {name}: the text uses {unknown}; it may use only {sorted(allowed)}.")
    return doc


def declared() -> dict:
    """Every declared figure of the campaign (empty when it declares none), checked."""
    return _declared(stamps(_path()))


def _format(spec: dict, x: float) -> str:
    if spec["format"] == "number":
        return n(x)
    decimals = int(spec.get("decimals") or 0)
    return f"{100 * x:.{decimals}f}%"


def ordinal(k: int) -> str:
    """1 -> '1st', 12 -> '12th', 23 -> '23rd'."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def source_of(table: str) -> tuple[str, str]:
    """(source, period) of a table, as its sidecar gives them: 'publisher, dataset' and the period."""
    prov = data.meta(table).provenance
    return f"{prov['publisher']}, {prov['dataset']}", str(prov.get("period", ""))


def _columns(value) -> list:
    if isinstance(value, str):
        return [value]
    return [c for part in value for c in _columns(part)]


def _sum(df, part):
    return df[part].astype(float) if isinstance(part, str) else sum(df[c].astype(float) for c in part)


def values_of(spec: dict, df, key: str = ""):
    """The declared value for every row of its table (a column, or a share)."""
    columns = [spec["seat_column"], *_columns(spec["value"]), *(spec.get("columns") or {}).values()]
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise DataError(f"content/{FILE}: {key} names column(s) {absent} that {spec['table']} does not have.")
    if isinstance(spec["value"], str):
        return _sum(df, spec["value"])
    part, whole = spec["value"]
    return _sum(df, part) / _sum(df, whole)


def row_of(spec: dict, df, gss_code: str):
    """The index of the seat's row in the figure's table, or None when it has none (or more than one)."""
    at = df.index[df[spec["seat_column"]].astype(str) == gss_code]
    return at[0] if len(at) == 1 else None


def compute(key: str, gss_code: str, seat_name: str) -> Figure | None:
    """The declared figure ``key`` for one seat, or None when its table has no row for the seat."""
    specs = declared()
    if key not in specs:
        raise DataError(f"content/{FILE} declares no figure {key!r}; add it there.")
    spec = specs[key]
    df = data.load(spec["table"])   # every row: the median and the rank use them all
    values = values_of(spec, df, key)
    at = row_of(spec, df, gss_code)
    if at is None:
        return None
    mine = float(values.loc[at])
    rank = int((values > mine).sum()) + 1
    filled = {"value": _format(spec, mine), "seat": seat_name, "median": _format(spec, float(values.median())),
              "rank": ordinal(rank), "count": n(len(values)), "highest": _format(spec, float(values.max())),
              "lowest": _format(spec, float(values.min()))}
    row = df.loc[at]
    filled.update({name: n(row[column]) for name, column in (spec.get("columns") or {}).items()})
    source, period = source_of(spec["table"])
    return Figure(filled["value"], fill(spec["text"], filled), source, period, spec["table"])
