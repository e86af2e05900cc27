"""Bring a newer list of sitting MPs into ``data/``: ``build.py refresh-members [URL_OR_FILE]``.

# Load inputs. The Department for Education's daily file by default (its address is the sidecar's
#   ``source_url``), or another address, or a local file.
# Check it. The sidecar's schema (columns, 650 rows, unique 2024 codes, no empty names) and
#   :func:`briefpack.places.members.check_members` (the same seats as the constituency table, a vacancy
#   only where the row says 'Vacant', a member id for every member, every party in parties.csv).
#   A file that fails a check changes nothing.
# Save outputs. Compare it with the copy in ``data/`` seat by seat (by member id, never by name),
#   add a row to ``data/mp_changes.csv`` for each seat whose member, party, name or email changed
#   (dated with the new file's as-at date), write the new file byte for byte and its sidecar
#   (sha256; ``snapshot``: source and as-at date), each atomically, and print the changes.

The seats that changed get new rows in both files, so the next build rebuilds exactly their
briefings; every other seat's inputs are unchanged.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from briefpack.core.atomic import write_atomic
from briefpack.core.errors import DataError, InputError, quote_input
from briefpack.data import catalogue as data
from briefpack.places import members

MAX_BYTES = 20 << 20          # the file is about 0.4 MB; anything this large is not it
TIMEOUT = 60                  # seconds for a download
UNCHANGED = " Nothing in data/ was changed."


@dataclass(frozen=True)
class Change:
    """One seat's change between the copy in data/ and the new file (a row of mp_changes.csv)."""
    gss_code: str
    name: str
    kind: str              # new member, vacancy, party change, name style, email change, other
    before_member: str
    before_party: str
    after_member: str
    after_party: str
    detail: str = ""       # email change: the two addresses; other: the columns that changed

    def line(self) -> str:
        """One line of the change list: 'Makerfield (E14001350): new member: Andy Burnham (...)'."""
        was = f"{self.before_member} ({self.before_party})" if self.before_member != members.VACANT else "vacant"
        now = f"{self.after_member} ({self.after_party})"
        what = {
            "new member": f"{now}; was {was}",
            "vacancy": f"now vacant; was {was}",
            "party change": f"{self.after_member}: {self.before_party} -> {self.after_party}",
            "name style": f"{self.before_member} -> {self.after_member} (same member, {self.after_party})",
            "email change": f"{self.after_member}: {self.detail}",
            "other": f"other details changed ({self.detail})",
        }[self.kind]
        return f"{self.name} ({self.gss_code}): {self.kind}: {what}"


# --- Load inputs ----------------------------------------------------------------------------------

def default_source() -> str:
    """The address of the newest file, as the sidecar records it."""
    url = str(data.meta(data.MPS_CURRENT).provenance.get("source_url", ""))
    if not url.startswith("https://"):
        raise DataError(f"data/{data.MPS_CURRENT}.meta.yml: provenance.source_url must be the https:// address "
                        "of the members file; restore it from git.")
    return url


def read_source(source: str, option: str = "--refresh-members",
                what: str = "the members file") -> tuple[bytes, str, dt.date]:
    """(the file's bytes, how to name it, its as-at date unless given): a download is as at today,
    a local file as at the day it was last changed. ``option`` and ``what`` name the command and the
    file in messages (``--refresh-msps`` reads its file here too)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.I):
        if not source.lower().startswith(("https://", "http://")):
            raise InputError(f"{option} {quote_input(source)}: give an http(s):// address or a file.")
        try:
            request = urllib.request.Request(source, headers={"User-Agent": "briefpack members refresh"})
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                payload = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise DataError(f"Could not download {what} from {source} (HTTP {exc.code}); check the "
                            "address, or download the file and give its path." + UNCHANGED) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DataError(f"Could not download {what} from {source} ({reason}); check the connection, "
                            "or download the file and give its path." + UNCHANGED) from None
        label, as_at = source, dt.date.today()
    else:
        path = Path(source).expanduser()
        try:
            with open(path, "rb") as fh:
                payload = fh.read(MAX_BYTES + 1)
            as_at = dt.date.fromtimestamp(path.stat().st_mtime)
        except (FileNotFoundError, IsADirectoryError, PermissionError, OSError) as exc:
            raise InputError(f"{option}: cannot read {quote_input(source)} "
                             f"({getattr(exc, 'strerror', None) or exc}); give the path of a CSV file "
                             "or an https:// address.") from None
        label = f"local file {path.name}"
    if len(payload) > MAX_BYTES:
        raise DataError(f"{label}: larger than {MAX_BYTES >> 20} MB, so not {what}." + UNCHANGED)
    return payload, label, as_at


# --- Check it ---------------------------------------------------------------------------------------

def read_payload(payload: bytes, label: str, what: str, encoding: str = "utf-8") -> pd.DataFrame:
    """A downloaded or local CSV as text columns; a one-line DataError naming ``label`` if it is not one."""
    try:
        return pd.read_csv(io.BytesIO(payload), dtype=str, keep_default_na=False, encoding=encoding)
    except UnicodeDecodeError:
        raise DataError(f"{label}: not UTF-8 text, so not {what}." + UNCHANGED) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "empty file"
        raise DataError(f"{label}: not a well-formed CSV ({detail})." + UNCHANGED) from None


def parse(payload: bytes, label: str) -> pd.DataFrame:
    """The new file, typed and checked; a one-line DataError naming ``label`` if it fails."""
    m = data.meta(data.MPS_CURRENT)
    raw = read_payload(payload, label, "the members file", "utf-8")
    try:
        typed = data.validate(m, raw)
        members.check_members(typed, label)
    except DataError as exc:
        text = str(exc)
        prefix = f"data/{m.csv.name}: "
        raise DataError((f"{label}: {text[len(prefix):]}" if text.startswith(prefix) else text) + UNCHANGED) from None
    return typed


# --- Save outputs ------------------------------------------------------------------------------------

def _kind(old, new) -> str:
    old_vacant = members.is_vacant(old.display_as, old.party_text)
    new_vacant = members.is_vacant(new.display_as, new.party_text)
    if old_vacant and new_vacant:
        return ""
    if new_vacant:
        return "vacancy"
    if old_vacant or old.member_id != new.member_id:
        return "new member"
    if old.party_text != new.party_text:
        return "party change"
    if old.display_as != new.display_as:
        return "name style"
    if old.member_email != new.member_email:
        return "email change"
    return ""


def compare(old: pd.DataFrame, new: pd.DataFrame) -> list[Change]:
    """Seat by seat, in constituency-name order: what differs between two checked members files."""
    before = {r.pcon_code: r for r in old.itertuples(index=False)}
    changes = []
    for r in sorted(new.itertuples(index=False), key=lambda r: r.pcon_name):
        o = before[r.pcon_code]
        kind = _kind(o, r)
        if kind:
            detail = f"{o.member_email} -> {r.member_email}" if kind == "email change" else ""
            changes.append(Change(r.pcon_code, r.pcon_name, kind, o.display_as, o.party_text, r.display_as,
                                  r.party_text, detail))
        elif o != r:
            cols = [c for c in new.columns if getattr(o, c) != getattr(r, c)]
            changes.append(Change(r.pcon_code, r.pcon_name, "other", o.display_as, o.party_text, r.display_as,
                                  r.party_text, ", ".join(cols)))
    return changes


def sidecar_text(path: Path, sha: str, snapshot: dict | None = None) -> str:
    """The sidecar with a new provenance sha256 (and ``snapshot`` block, kept last), its layout kept."""
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(r'(?m)^(  sha256: ).*$', lambda m: f'{m.group(1)}"{sha}"', text, count=1)
    if count != 1:
        raise DataError(f"data/{path.name}: no provenance sha256 line to update; restore the file from git." + UNCHANGED)
    if snapshot is not None:
        at = text.find("\nsnapshot:")
        if at < 0:
            raise DataError(f"data/{path.name}: no snapshot block to update; restore the file from git." + UNCHANGED)
        block = yaml.safe_dump({"snapshot": snapshot}, allow_unicode=True, sort_keys=False, width=1000)
        text = text[: at + 1] + block
    doc = yaml.safe_load(text)
    if doc["provenance"]["sha256"] != sha or (snapshot and doc["snapshot"] != snapshot):
        raise DataError(f"data/{path.name}: could not update its sidecar; restore the file from git." + UNCHANGED)
    return text


def _log_text(path: Path, changes: list[Change], as_at: dt.date) -> str:
    """mp_changes.csv with a row for each change of member, party, name or email."""
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for c in changes:
        if c.kind != "other":
            writer.writerow([as_at.isoformat(), "", c.gss_code, c.name, c.before_member, c.before_party,
                             c.after_member, c.after_party, c.kind])
    return text + buf.getvalue()


def as_of_date(as_of) -> dt.date | None:
    """``--as-of`` as a date (None when not given); a one-line InputError when it is not one."""
    if not as_of:
        return None
    try:
        return dt.date.fromisoformat(str(as_of).strip())
    except ValueError:
        raise InputError(f"--as-of {quote_input(as_of)} is not a date; write it as YYYY-MM-DD.") from None


def refresh(source: str | None = None, as_of: str | None = None, out=None) -> list[Change]:
    """Check the members file at ``source`` (default: the Department for Education's daily file),
    bring it into data/ with its changes logged, and print what changed, seat by seat."""
    out = out or sys.stdout
    given = as_of_date(as_of)
    # Load inputs.
    source = source or default_source()
    payload, label, as_at = read_source(source)
    as_at = given or as_at
    # Check it.
    new = parse(payload, label)
    old = data.load(data.MPS_CURRENT)
    current = members.snapshot()["as_at"]
    if as_at < current:
        raise InputError(f"{label} is as at {as_at.isoformat()}, before the members in data/ (as at "
                         f"{current.isoformat()}); give --as-of YYYY-MM-DD if that date is wrong." + UNCHANGED)
    changes = compare(old, new)
    if not changes:
        print(f"members: no change; data/{data.MPS_CURRENT}.csv already matches {label} (650 seats).", file=out)
        return []
    # Save outputs.
    folder = data.meta(data.MPS_CURRENT).csv.parent
    current_csv, log_csv = folder / f"{data.MPS_CURRENT}.csv", folder / f"{data.MP_CHANGES}.csv"
    log = _log_text(log_csv, changes, as_at).encode("utf-8")
    sha = hashlib.sha256(payload).hexdigest()
    snapshot = {"as_at": as_at.isoformat(), "source": label}
    current_meta = sidecar_text(current_csv.with_suffix(".meta.yml"), sha, snapshot)
    log_meta = sidecar_text(log_csv.with_suffix(".meta.yml"), hashlib.sha256(log).hexdigest())
    write_atomic(log_csv, log)
    write_atomic(log_csv.with_suffix(".meta.yml"), log_meta)
    write_atomic(current_csv, payload)
    write_atomic(current_csv.with_suffix(".meta.yml"), current_meta)
    for c in changes:
        print(c.line(), file=out)
    seats = len({c.gss_code for c in changes})
    print(f"members: {seats} seat{'s' if seats != 1 else ''} changed; data/{data.MPS_CURRENT}.csv is now as at "
          f"{as_at.isoformat()} (from {label}).", file=out)
    return changes
