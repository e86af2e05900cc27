"""The only module that reads data files. Every table is validated against its schema when read.

Each CSV in ``data/`` has a sidecar ``<stem>.meta.yml`` with its provenance (publisher, period,
licences, attribution lines, how it was made) and its schema (columns, types, keys, row count).
A file that does not match raises :class:`~briefpack.core.errors.DataError` with one line naming the
file, the row or column, and what was expected.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.data import record

# Table names used by the package (the CSV stems in data/).
CONSTITUENCIES = "westminster_constituencies_2024"
MPS = "mps_elected_ge2024"
SEAT_FORCES = "constituency_to_police_force_area"
SEAT_COUNCILS = "constituency_to_lad23_overlap"
COUNCIL_FORCES = "lad23_to_police_force_area"
NRM_UK = "nrm_referrals_uk_quarterly_2009_2023"
NRM_POLICE = "nrm_referrals_by_police_force_first_responder_2022q2_2023q4"
NRM_POLICE_NATIONALITY = "nrm_referrals_police_first_responder_by_nationality_2022q2_2023q4"
NRM_RESPONDER_TYPE = "nrm_referrals_by_first_responder_type_2022q2_2023q4"
NRM_REASONABLE = "nrm_reasonable_grounds_decisions_quarterly_2014_2023"
NRM_CONCLUSIVE = "nrm_conclusive_grounds_decisions_quarterly_2014_2023"
DTN = "duty_to_notify_reports_quarterly_2015_2023"
DTN_NATIONALITY = "duty_to_notify_reports_by_nationality_2022q2_2023q4"
HEX = "constituency_hex_cartogram_2024"
SCOTTISH_PARLIAMENT_2011 = "scottish_parliament_constituencies_regions_2011_boundaries"  # retired names only
SCOTTISH_PARLIAMENT = "scottish_parliament_2026_constituencies"   # the 73 constituencies of May 2026
SCOTTISH_LIST_ELECTED = "scottish_parliament_2026_regional_members"  # the 56 list MSPs as elected
MSPS_CURRENT = "msps_current"            # MSPs now, constituency and list (refreshed by --refresh-msps)
MSP_OVERRIDES = "campaign/msp_overrides"  # coordinators' corrections and "known as" names
MPS_CURRENT = "mps_current"              # sitting MPs (refreshed by build.py refresh-members)
MP_CHANGES = "mp_changes"                # who changed, when the members file first showed it
MP_CHANGE_NOTES = "mp_change_notes"      # by-elections and corrections the change log cannot tell
PARTIES = "parties"                      # party names in the members file -> the 2024 party code
NRM_HEADLINES = "nrm_headlines_2024_2025"

_TYPES = {"int", "float", "str", "bool"}
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Meta:
    name: str
    csv: Path
    title: str
    provenance: dict
    schema: dict


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, shown_as: str | None = None) -> dict:
    """A YAML mapping (data sidecars and content files); errors name the file as ``shown_as``."""
    name = shown_as or Path(path).name
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=_Loader)
    except FileNotFoundError:
        raise DataError(f"{name}: file is missing; restore it from git.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise DataError(f"{name}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the file.") from None
    if not isinstance(doc, dict):
        raise DataError(f"{name}: expected a mapping of fields at the top level; fix the file.")
    return doc


def meta(name: str, data_dir: Path | None = None) -> Meta:
    """The provenance and schema of table ``name`` (a CSV stem in ``data/``)."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    return _meta_cached(name, str(folder), _stamp(folder / f"{name}.meta.yml"))


@lru_cache(maxsize=64)
def _meta_cached(name: str, folder: str, stamp: tuple) -> Meta:
    meta_path = Path(folder) / f"{name}.meta.yml"
    doc = read_yaml(meta_path)
    for key in ("title", "provenance", "schema"):
        if key not in doc:
            raise DataError(f"{meta_path.name}: missing key '{key}'; see data/README.md for the sidecar format.")
    return Meta(name, Path(folder) / f"{name}.csv", doc["title"], doc["provenance"], doc["schema"])


def table_names(data_dir: Path | None = None) -> list[str]:
    """Every table that has a sidecar in the data folder."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    return sorted(p.name[: -len(".meta.yml")] for p in folder.glob("*.meta.yml"))


def check_tables(data_dir: Path | None = None) -> int:
    """Read every table present in ``data/`` and ``data/campaign/`` (validated as always), so that a
    damaged file stops a build before anything is built, not in the middle of each briefing. Cheap:
    the tables stay cached for the build. Returns how many were checked."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    names = table_names(folder) + [f"campaign/{n}" for n in table_names(folder / "campaign")]
    checked = 0
    for name in names:
        if (folder / f"{name}.csv").exists():
            read(name, data_dir)
            checked += 1
    return checked


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fail(m: Meta, what: str) -> DataError:
    return DataError(f"data/{m.name}.csv: {what}")


def _check_column(m: Meta, col: str, rule: dict, values: pd.Series) -> pd.Series:
    """Validate one column (read as text) and return it converted to its declared type."""
    kind = rule.get("type", "str")
    if kind not in _TYPES:
        raise DataError(f"data/{m.name}.meta.yml: column '{col}' has unknown type '{kind}' (use one of {sorted(_TYPES)}).")
    required = rule.get("required", True)
    empty = values.str.strip() == ""
    if required and empty.any():
        row = int(empty.idxmax()) + 2
        raise _fail(m, f"row {row}, column '{col}': empty, expected a {kind} value.")
    present = values[~empty]
    if kind == "int":
        bad = ~present.str.fullmatch(_INT)
    elif kind == "float":
        bad = ~present.str.fullmatch(_FLOAT)
    elif kind == "bool":
        bad = ~present.isin(["True", "False"])
    else:
        bad = pd.Series(False, index=present.index)
    if bad.any():
        idx = bad.idxmax()
        raise _fail(m, f"row {idx + 2}, column '{col}': {values[idx]!r} is not a valid {kind}.")
    if "enum" in rule:
        allowed = [str(v) for v in rule["enum"]]
        bad = ~present.isin(allowed)
        if bad.any():
            idx = bad.idxmax()
            raise _fail(m, f"row {idx + 2}, column '{col}': {values[idx]!r} is not one of {allowed}.")
    if "pattern" in rule:
        bad = ~present.str.fullmatch(rule["pattern"])
        if bad.any():
            idx = bad.idxmax()
            hint = f"; {rule['hint']}" if rule.get("hint") else ""
            raise _fail(m, f"row {idx + 2}, column '{col}': {values[idx]!r} does not match {rule['pattern']}{hint}.")
    if kind == "int":
        out = pd.to_numeric(values.where(~empty), errors="raise").astype("Int64" if not required else "int64")
    elif kind == "float":
        out = pd.to_numeric(values.where(~empty), errors="raise").astype("float64")
    elif kind == "bool":
        out = values.map({"True": True, "False": False})
        if required:
            out = out.astype(bool)
    else:
        out = values
    if kind in ("int", "float"):
        for bound, op in (("min", "lt"), ("max", "gt")):
            if bound in rule:
                bad = getattr(out, op)(rule[bound]).fillna(False)
                if bad.any():
                    idx = bad.idxmax()
                    word = "below the minimum" if bound == "min" else "above the maximum"
                    raise _fail(m, f"row {idx + 2}, column '{col}': {values[idx]} is {word} {rule[bound]}.")
    return out


def validate(m: Meta, raw: pd.DataFrame) -> pd.DataFrame:
    """Check ``raw`` (all text) against the schema of ``m`` and return it typed. A column whose rule has
    ``optional: true`` may be left out of the file (it is read as empty); a rule's ``hint`` is added to the
    message when a value does not match its ``pattern``."""
    columns = m.schema.get("columns") or {}
    expected = list(columns)
    got = list(raw.columns)
    missing = [c for c in expected if c not in got and not (columns[c] or {}).get("optional")]
    if missing:
        raise _fail(m, f"missing column(s) {missing}; expected columns {expected}.")
    extra = [c for c in got if c not in columns]
    if extra:
        raise _fail(m, f"unexpected column(s) {extra}; expected columns {expected}.")
    absent = [c for c in expected if c not in got]       # optional columns a file may leave out: read as empty
    if absent:
        raw = raw.assign(**{c: pd.Series("", index=raw.index, dtype=str) for c in absent})
    if "rows" in m.schema and len(raw) != int(m.schema["rows"]):
        raise _fail(m, f"has {len(raw)} data rows, expected {m.schema['rows']}.")
    typed = pd.DataFrame({c: _check_column(m, c, columns[c] or {}, raw[c]) for c in expected})
    for key in m.schema.get("unique") or []:
        key = [key] if isinstance(key, str) else list(key)
        dup = typed.duplicated(subset=key, keep="first")
        if dup.any():
            idx = dup.idxmax()
            values = ", ".join(str(typed.at[idx, k]) for k in key)
            raise _fail(m, f"row {idx + 2}: duplicate {'/'.join(key)} ({values}); each must be unique.")
    return typed


# Whole files are checked by their line structure on every read, not by the sidecar's sha256:
# - a cut file is caught where it is cut: the last line must end with a line break, every row must
#   have the header's number of fields, and a quoted field may not run past its line (a stray '"'),
#   so the message names the file *and the line*, which a checksum cannot;
# - it holds for every file, including those coordinators edit by hand (data/campaign/*.csv, member
#   overrides), whose sidecars have no checksum, and it does not refuse a deliberate edit (a member
#   refresh, a corrected row) before its sidecar is updated, nor a checkout with Windows line endings;
# - it costs one pass of Python's csv reader over text already in memory (a few ms for the largest
#   table), once per process for each version of a file (tables are cached by file time).
# A file cut exactly at the end of a line keeps its structure: the schema's row count catches that
# for the published tables (all have `rows`), and the test suite compares every published file with
# its sidecar's sha256 (tests/test_data.py), so a changed file cannot be committed unnoticed.
_RECOVER = "restore it from git (or, if you edited it, check that line is complete)"
_FIELD = r'(?:"(?:[^"]|"")*"|[^,"\r\n]*)'      # a quoted field (quotes inside doubled), or one without quotes
_QUOTED_LINE = re.compile(rf"{_FIELD}(?:,{_FIELD})*")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_QUOTED_FIELD = re.compile(r'"(?<![^,\r\n]")[^"]*(?:""[^"]*)*"(?![^,\r\n])')  # starts and ends a field


def _parse_csv(m: Meta, raw: bytes) -> pd.DataFrame:
    """The rows of a CSV file as text, after checking its line structure; blank lines are skipped.

    The frame's index is each row's line number minus 2, so that "row N" in the schema checks is
    the line of the file (the header is line 1) even after a blank line.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(m, "is not UTF-8 text; save it as UTF-8 CSV.") from None
    if not text.strip():
        raise _fail(m, "is empty; restore it from git (its first line is the header).")
    if not text.endswith(("\n", "\r")):
        last = text.count("\n") + 1 if "\n" in text else text.count("\r") + 1
        raise _fail(m, f"line {last} (the last line) does not end with a line break, so the file may have been "
                       f"cut short; {_RECOVER} and end it with a line break.")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        records = []
    # One record per line, each as wide as the header: cheap to confirm, and only if not, found line by line.
    if not records or len(records) != text.count("\n") or any(row and len(row) != len(records[0]) for row in records):
        _find_bad_line(m, text)
    if '"' in text and '"' in _QUOTED_FIELD.sub("", text):  # a quote left outside well-quoted fields
        for number, line in enumerate(_LINE_BREAK.split(text), start=1):
            if '"' in line and not _QUOTED_LINE.fullmatch(line):
                raise _fail(m, f"line {number}: a '\"' inside a field (a stray quote?); remove it, or put the whole "
                               "field in quotes and double each quote inside it.")
    header = records[0]
    if all(records):
        return pd.DataFrame(records[1:], columns=header, dtype=str)
    kept = [(i - 1, row) for i, row in enumerate(records[1:], start=1) if row]
    return pd.DataFrame([row for _, row in kept], columns=header, index=[i for i, _ in kept], dtype=str)


def _find_bad_line(m: Meta, text: str) -> None:
    """Raise for the first line that is not one well-formed record as wide as the header (finding
    none: a file with old Mac line endings, which is fine)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line, width = 0, None
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if line != start:
                raise _fail(m, f"line {start}: a quoted field runs on to line {line} (a stray '\"'?); "
                               "a field may not hold a line break; fix the quotes.")
            width = len(row) if width is None else width
            if row and len(row) != width:
                raise _fail(m, f"line {line} has {len(row)} field{'s' if len(row) != 1 else ''}, the header has "
                               f"{width}; {_RECOVER}: each row needs a value (or an empty place) per column.")
    except csv.Error as exc:
        raise _fail(m, f"line {line + 1}: {exc} (a stray '\"'?); fix the quotes.") from None


@lru_cache(maxsize=64)
def _load_cached(name: str, folder: str, stamp: tuple) -> pd.DataFrame:
    m = meta(name, Path(folder))
    try:
        raw = m.csv.read_bytes()
    except FileNotFoundError:
        raise _fail(m, "file is missing; restore it from git or from ../shared/data-sources/.") from None
    return validate(m, _parse_csv(m, raw)).reset_index(drop=True)


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError:
        return (None,)
    return (st.st_mtime_ns, st.st_size)


def stamp(name: str, data_dir: Path | None = None) -> tuple:
    """Changes whenever table ``name`` or its sidecar changes: a key for caches of derived results."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    return (str(folder), name) + _stamp(folder / f"{name}.csv") + _stamp(folder / f"{name}.meta.yml")


def read(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read table ``name`` from ``data/``, validated and typed, *without* recording the read.

    For code that builds a look-up over a whole table and records, where it hands out a row, which
    row it handed out (e.g. :func:`briefpack.places.members.member`); everything else calls :func:`load`
    or :func:`select`. Tables are cached per process for as long as the file is unchanged; callers
    get a shallow copy (pandas copy-on-write), so changing a returned frame never changes the cache.
    """
    return _load_cached(*_where(name, data_dir)).copy(deep=False)


def _where(name: str, data_dir: Path | None = None) -> tuple:
    """(name, folder, file stamp): the key of a table's caches."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    return name, str(folder), _stamp(folder / f"{name}.csv") + _stamp(folder / f"{name}.meta.yml")


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read the whole of table ``name`` from ``data/``, validated and typed; the briefing being built
    records that it read it (its sources page lists it, and a change to it rebuilds the briefing)."""

    df = read(name, data_dir)
    record.table(name)
    return df


def select(name: str, column: str, values) -> pd.DataFrame:
    """The rows of table ``name`` whose ``column`` is one of ``values``; the briefing records that it
    read those rows only, so a change to other rows of the table does not rebuild it."""

    values = [str(v) for v in values]
    where = _where(name)
    df = _load_cached(*where).copy(deep=False)
    record.rows(name, column, values)
    rows = _rows_of_values(*where, column)
    found = [rows[v] for v in dict.fromkeys(values) if v in rows]
    # the rows in the table's order, as df[df[column].astype(str).isin(values)] gives them
    return df.take(np.sort(np.concatenate(found)) if found else np.array([], dtype=np.intp))


@lru_cache(maxsize=128)
def _rows_of_values(name: str, folder: str, stamp: tuple, column: str) -> dict:
    """{value as text: the positions of its rows} for one column of a table, kept while the file is
    unchanged: a look-up of a few keys then costs no pass over the table."""
    keys = _load_cached(name, folder, stamp)[column].astype(str)
    return keys.groupby(keys.to_numpy(), sort=False).indices


def licences() -> dict:
    path = paths.data_dir() / "licences.yml"
    return _licences_cached(str(path), _stamp(path))


@lru_cache(maxsize=4)
def _licences_cached(path: str, stamp: tuple) -> dict:
    return read_yaml(Path(path))


def attributions(names) -> list[dict]:
    """Provenance of tables ``names`` for the sources section: one dict per table."""
    licences_ = licences()
    out = []
    for name in names:
        m = meta(name)
        p = m.provenance
        out.append({
            "name": name,
            "title": m.title,
            "publisher": p.get("publisher", ""),
            "dataset": p.get("dataset", ""),
            "period": p.get("period", ""),
            "licences": [licences_.get(k, {"name": k, "url": ""}) for k in p.get("licences", [])],
            "attribution": list(p.get("attribution", [])),
            "source_copy": p.get("source_copy", ""),
        })
    return out


# --- JSON tables (the postcode look-up) ---------------------------------------------------------

_JSON_TYPES = {"list": list, "object": dict, "int": int, "str": str}
_JSON_WORDS = {"list": "a list", "object": "an object", "int": "an integer", "str": "text"}


def load_json(name: str, data_dir: Path | None = None):
    """Read ``<name>.json`` from ``data/``, checked against the schema in its sidecar.

    Cached per process while the file is unchanged: callers must not modify what they get.
    """

    folder = Path(data_dir) if data_dir else paths.data_dir()
    stamp = _stamp(folder / f"{name}.json") + _stamp(folder / f"{name}.meta.yml")
    record.table(name)
    return _json_cached(name, str(folder), stamp)


@lru_cache(maxsize=8)
def _json_cached(name: str, folder: str, stamp: tuple):
    import json

    m = meta(name, Path(folder))
    shown = f"data/{name}.json"
    try:
        doc = json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{shown}: file is missing; restore it from git or from ../shared/data-sources/.") from None
    except UnicodeDecodeError:
        raise DataError(f"{shown}: is not UTF-8 text; restore it from git.") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{shown}: not valid JSON (line {exc.lineno}: {exc.msg}); restore it from git.") from None
    _check_json(shown, m.schema, doc)
    return doc


def _check_json(shown: str, schema: dict, doc) -> None:
    """The rules a JSON sidecar can state: ``keys`` (lists with length, item type and minimum) and
    ``entries`` / ``entry_key_pattern`` / ``entry_fields`` (a mapping of records)."""
    if not isinstance(doc, dict):
        raise DataError(f"{shown}: expected an object at the top level; restore it from git.")
    for key, rule in (schema.get("keys") or {}).items():
        if key not in doc:
            raise DataError(f"{shown}: missing key '{key}'; restore it from git.")
        value, kind = doc[key], rule.get("type", "list")
        if not isinstance(value, _JSON_TYPES[kind]):
            raise DataError(f"{shown}: '{key}' should be {_JSON_WORDS[kind]}; restore it from git.")
        if "length" in rule and len(value) != int(rule["length"]):
            raise DataError(f"{shown}: '{key}' has {len(value)} entries, expected {rule['length']}.")
        if "items" in rule:
            want = _JSON_TYPES[rule["items"]]
            bad = next((i for i, v in enumerate(value) if not isinstance(v, want) or isinstance(v, bool)), None)
            if bad is not None:
                raise DataError(f"{shown}: '{key}' entry {bad} is {value[bad]!r}, expected {_JSON_WORDS[rule['items']]}.")
        if "min" in rule and value and min(value) < rule["min"]:
            raise DataError(f"{shown}: '{key}' has a value below the minimum {rule['min']}.")
    if "entries" in schema and len(doc) != int(schema["entries"]):
        raise DataError(f"{shown}: has {len(doc)} entries, expected {schema['entries']}.")
    pattern = schema.get("entry_key_pattern")
    fields = schema.get("entry_fields") or {}
    if not (pattern or fields):
        return
    for key, entry in doc.items():
        if pattern and not re.fullmatch(pattern, key):
            raise DataError(f"{shown}: entry {key!r} does not match {pattern}.")
        if not isinstance(entry, dict):
            raise DataError(f"{shown}: entry {key!r} should be an object; restore it from git.")
        for field_name, rule in fields.items():
            value = entry.get(field_name)
            if value in (None, ""):
                if rule.get("required", True):
                    raise DataError(f"{shown}: entry {key!r} has no '{field_name}'.")
                continue
            if not isinstance(value, str) or ("pattern" in rule and not re.fullmatch(rule["pattern"], value)):
                raise DataError(f"{shown}: entry {key!r}, '{field_name}' is {value!r}, not a valid value.")
