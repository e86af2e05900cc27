"""Incremental builds: a hash of each briefing's inputs, and the reason a briefing is out of date.

Like OWID's etl: a briefing is dirty when the checksum of its inputs differs from the one recorded
when it was last built. Its inputs are the notebook, the package code, the templates, the content
files, its parameters, library versions, an epoch constant and *the data it read at that build*, as
recorded in the kernel (:mod:`briefpack.data.record`): whole tables, or the rows of one key (its
constituency's rows, its police forces' rows). A record is written only after a briefing's outputs
are in place, so a build killed half way redoes only what it had not finished.

Records are appended to ``manifest.jsonl`` as briefings finish (one line each, flushed), and the
file is compacted to one line per briefing at the end of a run.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from briefpack.build.export import find_chromium
from briefpack.core import paths
from briefpack.core.atomic import write_atomic
from briefpack.core.errors import BriefpackError, DataError
from briefpack.data import catalogue as data
from briefpack.data import record

EPOCH = 2  # bump to force every briefing to rebuild (e.g. after a change outside the tracked inputs)
MANIFEST = "manifest.jsonl"
# Every library whose version can change what a briefing's files hold: the kernel's and the export's.
LIBRARIES = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "pandas", "numpy", "altair",
             "vl-convert-python", "playwright", "jinja2", "pyyaml", "python-docx", "beautifulsoup4", "lxml",
             "mistune", "markupsafe")
# The code that shapes a briefing: what runs in the notebook's kernel (every layer up to render) and what
# runs in its export (execute, export, preprocessors, worker). The command line, the web page (app/), the
# pool, the pack and the manifest itself decide *which* briefings to build, not what they hold, so a
# change to them rebuilds nothing; nor do benchmarks/ and scripts/, which are outside the package.
SHAPING_LAYERS = ("core", "data", "places", "words", "request", "render")
SHAPING_MODULES = ("__init__.py", "build/engine.py", "build/execute.py", "build/export.py", "build/preprocessors.py", "build/worker.py",
                   "build/jobs.py")


def _sha(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def _files_hash(files) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.relative_to(paths.project_root()) if f.is_relative_to(paths.project_root()) else f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def shaping_files() -> list[Path]:
    """The package's files that shape a briefing's outputs (see :data:`SHAPING_LAYERS`)."""
    pkg = paths.PACKAGE_DIR
    files = [pkg / m for m in SHAPING_MODULES]
    for layer in SHAPING_LAYERS:
        files += [p for p in (pkg / layer).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


@lru_cache(maxsize=1)
def code_hash() -> str:
    return _files_hash(shaping_files())


def content_hash() -> str:
    """Content files, the campaign's ``campaign.yml`` and the licence texts printed in the sources section."""
    own = paths.campaign_dir() / "campaign.yml"
    return _files_hash(sorted(paths.content_dir().rglob("*.yml")) + [p for p in (own,) if p.exists()]
                       + [paths.data_dir() / "licences.yml"])


def templates_hash() -> str:
    """The briefings' layout and the words around their figures (``templates/``, and a campaign's own
    section templates; READMEs excluded)."""
    folders = [paths.templates_dir(), *paths.section_template_dirs()[:-1]]
    return _files_hash([p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"])


def notebook_hash(name: str) -> str:
    return _files_hash([paths.notebooks_dir() / name])


@lru_cache(maxsize=1)
def library_versions() -> str:
    versions = []
    for lib in LIBRARIES:
        try:
            versions.append(f"{lib}=={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib}==?")
    return ",".join(versions)


@lru_cache(maxsize=1)
def browser_version() -> str:
    """The Chromium that prints the PDFs ('Chromium 156.0.8078.114'), or '?' when it cannot be asked."""
    try:
        proc = subprocess.run([find_chromium(), "--version"], capture_output=True, text=True, timeout=60)
    except (BriefpackError, OSError, subprocess.SubprocessError):
        return "?"
    return " ".join(proc.stdout.split()[:2]) or "?"


def _meta_hash(name: str) -> str:
    """A table's sidecar without its whole-file checksum (which changes with any row)."""
    m = data.meta(name)
    prov = {k: v for k, v in m.provenance.items() if k != "sha256"}
    return _sha(json.dumps([m.title, prov, m.schema], sort_keys=True, default=str))


def table_hash(name: str) -> str:
    df = data.read(name)
    return _sha(pd.util.hash_pandas_object(df, index=False).values.tobytes(), _meta_hash(name))


def grouped_hashes(name: str, column: str) -> dict:
    """Hash of each group of rows of a table, keyed by the value of ``column`` (as text)."""
    df = data.read(name)
    row_hashes = pd.util.hash_pandas_object(df, index=False).values
    meta = _meta_hash(name)
    out = {}
    for key, idx in df.groupby(column, sort=False).indices.items():
        out[str(key)] = _sha(row_hashes[idx].tobytes(), meta)
    return out


class Slices:
    """Hashes of whole tables and of the rows of one key, each computed once for a whole pack."""

    def __init__(self):
        self._grouped: dict = {}
        self._whole: dict = {}

    def whole(self, name: str) -> str:
        if name not in self._whole:
            self._whole[name] = table_hash(name)
        return self._whole[name]

    def rows(self, table: str, column: str, value: str) -> str:
        if (table, column) not in self._grouped:
            self._grouped[(table, column)] = grouped_hashes(table, column)
        return self._grouped[(table, column)].get(str(value), "absent")

    def for_reads(self, reads: dict) -> dict:
        """The data a briefing read at its last build (:mod:`briefpack.data.record`), each part as a short
        hash of what it is now: ``table`` for a whole table, ``table[value]`` for the rows of a key.
        A table that is no longer there reads as "missing", so the briefing is rebuilt (and says why)."""

        out = {}
        for table, keys in reads.items():
            try:
                if keys == [record.WHOLE]:
                    out[table] = self.whole(table)
                else:
                    for column, value in keys:
                        out[f"{table}[{value}]"] = self.rows(table, column, value)
            except DataError:
                out[table] = "missing"
        return out


class Inputs:
    """Every input of a job, name -> short hash; what all jobs share is hashed once."""

    def __init__(self, formats):
        self.shared = {"epoch": str(EPOCH), "code": code_hash(), "content": content_hash(),
                       "templates": templates_hash(),
                       "libraries": _sha(library_versions()), "formats": ",".join(formats)}
        if "pdf" in formats:   # the browser shapes the PDF only
            self.shared["browser"] = _sha(browser_version())
        self.slices = Slices()
        self._notebooks = {}

    def __call__(self, job, reads: dict | None) -> dict:
        """The inputs of ``job`` given what it read (None: not known, so nothing but the job's own)."""
        if job.notebook not in self._notebooks:
            self._notebooks[job.notebook] = notebook_hash(job.notebook)
        inputs = dict(self.shared, notebook=self._notebooks[job.notebook],
                      parameters=_sha(json.dumps(job.parameters, sort_keys=True, default=list)))
        if reads is not None:
            inputs.update(self.slices.for_reads(reads))
        return inputs


def digest(inputs: dict) -> str:
    return _sha(json.dumps(inputs, sort_keys=True))


class Manifest:
    """The record of what was built from which inputs, in ``<out>/manifest.jsonl``.

    Lines are appended as briefings finish; :meth:`compact` rewrites the file from what is on disk
    now plus this build's own changes, so it never drops what another build recorded. A line that
    is not a valid record (cut short by a killed build, edited by hand) is skipped with a warning:
    that briefing is rebuilt.
    """

    def __init__(self, out_dir: Path, warn=None):
        self.path = Path(out_dir) / MANIFEST
        self.malformed = 0
        self.records: dict[str, dict] = self._read(warn if warn is not None else _warn)
        self._changes: dict[str, dict | None] = {}

    def _read(self, warn) -> dict:
        records, bad = {}, []
        try:
            fh = open(self.path, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return records
        with fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    rec = None
                if _valid(rec):
                    records[rec["slug"]] = rec
                else:
                    bad.append(number)
        self.malformed = len(bad)
        if bad and warn:
            lines = ", ".join(map(str, bad[:5])) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            warn(f"warning: {self.path}: skipped {len(bad)} malformed line(s) ({lines}); "
                 "those briefings will be rebuilt.")
        return records

    def reads_of(self, slug: str) -> dict | None:
        """What ``slug`` read at its last build, if it was recorded."""
        return self.records.get(slug, {}).get("reads")

    def why_dirty(self, slug: str, inputs: dict, outputs: list[Path]) -> str | None:
        """None if up to date, else a short reason."""
        rec = self.records.get(slug)
        if rec is None:
            return "never built (or the last build was interrupted)"
        missing = [p.name for p in outputs if not p.exists()]
        if missing:
            return f"output missing: {', '.join(missing)}"
        if rec.get("reads") is None:
            return "no record of the data it read (built by an earlier version)"
        if rec.get("digest") == digest(inputs):
            return None
        old = rec.get("inputs", {})
        changed = [k for k in inputs if old.get(k) != inputs[k]] + [k for k in old if k not in inputs]
        return "changed: " + ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")

    def record(self, slug: str, key: str, inputs: dict, outputs: list[str], info: dict | None = None,
               reads: dict | None = None) -> None:
        rec = {"slug": slug, "key": key, "digest": digest(inputs), "inputs": inputs,
               "outputs": [Path(o).name for o in outputs], "info": info or {}, "reads": reads}
        self.records[slug] = self._changes[slug] = rec
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def outputs_of(self, slug: str) -> list[str]:
        """File names the last build of ``slug`` wrote."""
        return list(self.records.get(slug, {}).get("outputs", []))

    def forget(self, slug: str) -> None:
        self.records.pop(slug, None)
        self._changes[slug] = None

    def compact(self) -> None:
        """One line per briefing: the file as it is on disk now, with this build's changes applied."""

        records = self._read(warn=None)
        for slug, rec in self._changes.items():
            if rec is None:
                records.pop(slug, None)
            else:
                records[slug] = rec
        self.records = records
        write_atomic(self.path, "".join(json.dumps(records[s], sort_keys=True) + "\n" for s in sorted(records)))


def _valid(rec) -> bool:
    return (isinstance(rec, dict) and isinstance(rec.get("slug"), str) and isinstance(rec.get("key"), str)
            and isinstance(rec.get("digest"), str) and isinstance(rec.get("inputs"), dict)
            and isinstance(rec.get("outputs"), list)
            and all(isinstance(o, str) and o == Path(o).name and o not in ("", ".", "..") for o in rec["outputs"])
            and isinstance(rec.get("info", {}), dict) and isinstance(rec.get("reads") or {}, dict))


def _warn(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
