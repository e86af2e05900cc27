"""The pack: what is out of date, building it, recording it in the manifest, and the index page.

One build writes to an output folder at a time (:class:`OutputLock`). A briefing is recorded in
the manifest as soon as its outputs are in place, so a build stopped at any moment (Ctrl-C, SIGTERM,
a killed worker) keeps every finished briefing, and the next run does only what is left.
"""
from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from briefpack.build import manifest as mf
from briefpack.build.jobs import (
    BUILT,
    FAILED,
    FORMATS,
    STAGES,
    UP_TO_DATE,
    WOULD_BUILD,
    Result,
    output_name,
)
from briefpack.build.pool import build_jobs
from briefpack.core import stopping
from briefpack.core.atomic import remove_temporaries
from briefpack.core.errors import BriefpackError
from briefpack.render.index import write_index

LOCK = ".briefpack.lock"


@dataclass
class Summary:
    results: list

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    def stages(self) -> dict:
        """{stage: seconds} summed over the briefings built, in :data:`~briefpack.build.jobs.STAGES` order
        (a stage no briefing ran, such as the PDF of an HTML-only build, is 0)."""
        totals = dict.fromkeys(STAGES, 0.0)
        for r in self.results:
            if r.status == BUILT:
                for stage, seconds in r.stages.items():
                    totals[stage] = totals.get(stage, 0.0) + seconds
        return totals


def check_output_folder(out_dir: Path) -> Path:
    """The output folder, created if missing; a one-line error if it is not a folder we can write to."""
    out_dir = Path(out_dir)
    shown = str(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BriefpackError(f"--out {shown} is a file, not a folder; give a folder for the briefings.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".briefpack-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        why = {errno.EROFS: "it is on a read-only file system", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ENOTDIR: "part of the path is a file",
               errno.ENOSPC: "the disk is full"}.get(exc.errno, exc.strerror or type(exc).__name__)
        raise BriefpackError(f"Cannot write to --out {shown} ({why}); choose a folder you can write to.") from None
    return out_dir


class OutputLock:
    """One build per output folder at a time: an exclusive ``flock`` on ``<out>/.briefpack.lock``,
    which holds the holder's pid for messages. The kernel releases it when the holder dies, so a
    lock left by a killed build is simply taken over. ``on_wait(pid)`` is called once if we wait."""

    def __init__(self, out_dir: Path, on_wait=None):
        self.path = Path(out_dir) / LOCK
        self.on_wait = on_wait
        self._fh = None

    def __enter__(self) -> "OutputLock":
        import fcntl

        fh = open(self.path, "a+", encoding="ascii")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            if self.on_wait:
                self.on_wait(holder)
            try:
                fcntl.flock(fh, fcntl.LOCK_EX)
            except BaseException:
                fh.close()
                raise
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def plan(jobs, out_dir: Path, formats=FORMATS, force: bool = False):
    """(manifest, [(job, reason)] to build, [Result] up to date, the Inputs hasher).

    A briefing's data inputs are what it read at its last build (the manifest keeps that record),
    hashed as the data is now; one never built, or built without a record, is out of date anyway.
    """

    out_dir = Path(out_dir)
    man = mf.Manifest(out_dir)
    inputs_of = mf.Inputs(formats)
    todo, fresh = [], []
    for job in jobs:
        expected = [out_dir / name for name in man.outputs_of(job.slug)] or [
            out_dir / output_name(job, f) for f in formats if f != "docx"]
        if force:
            reason = "--force"
        else:
            reason = man.why_dirty(job.slug, inputs_of(job, man.reads_of(job.slug)), expected)
        if reason is None:
            fresh.append(Result(job, UP_TO_DATE, outputs=[str(p) for p in expected]))
        else:
            todo.append((job, reason))
    return man, todo, fresh, inputs_of


def build_pack(jobs, out_dir: Path, formats=FORMATS, n_jobs: int = 1, force: bool = False,
               dry_run: bool = False, index: bool = True, on_result=None, executor=None,
               recycle_after: int = 200) -> Summary:
    """Build what is out of date among ``jobs`` and record it in the manifest.

    The caller holds the output folder's :class:`OutputLock`. ``executor``, when given, is a
    callable with the signature of :func:`briefpack.build.pool.build_jobs` (e.g. the dask executor).
    On KeyboardInterrupt the briefings finished so far are recorded and the exception goes on.
    """

    out_dir = Path(out_dir)
    jobs = list(jobs)
    man, todo, results, inputs_of = plan(jobs, out_dir, formats, force)
    if dry_run:
        return Summary(results + [Result(job, WOULD_BUILD, reason) for job, reason in todo])
    remove_temporaries(out_dir)
    for r in results:
        if on_result:
            on_result(r)

    def record(r: Result) -> None:
        with stopping.held():   # a briefing on disk has its manifest line, whatever executor wrote it
            if r.status == BUILT:
                start = time.perf_counter()
                man.record(r.job.slug, r.job.key, inputs_of(r.job, r.reads), r.outputs, dict(r.job.info), r.reads)
                r.stages["manifest"] = r.stages.get("manifest", 0.0) + time.perf_counter() - start
            elif r.status == FAILED:
                man.forget(r.job.slug)
            results.append(r)
            if on_result:
                on_result(r)

    run = executor or build_jobs
    try:
        run([job for job, _ in todo], out_dir, formats, n_jobs=n_jobs, recycle_after=recycle_after,
            on_result=record)
    finally:
        if todo or man.malformed:
            man.compact()
            if index:
                write_pack_index(out_dir, man, results)
    if index and not (out_dir / "index.html").exists():
        write_pack_index(out_dir, man, results)
    return Summary(results)


def write_pack_index(out_dir: Path, man, results) -> Path:
    """Index every briefing in the manifest, plus this run's failures."""

    entries = {}
    for slug, rec in man.records.items():
        info = rec.get("info", {})
        entries[slug] = {"key": rec["key"], "slug": slug, "name": info.get("name", slug),
                         "region": info.get("region", ""), "mp": info.get("mp", ""), "party": info.get("party", ""),
                         "member_as_at": info.get("member_as_at", ""), "list_members": info.get("list_members", ""),
                         "status": "built", "reason": "", "files": list(rec["outputs"])}
    for r in results:
        if r.status == FAILED:
            info = dict(r.job.info)
            entries[r.job.slug] = {"key": r.job.key, "slug": r.job.slug, "name": info.get("name", r.job.label),
                                   "region": info.get("region", ""), "mp": info.get("mp", ""),
                                   "party": info.get("party", ""), "member_as_at": info.get("member_as_at", ""),
                                   "list_members": info.get("list_members", ""), "status": "failed", "reason": r.message,
                                   "files": []}
    return write_index(out_dir, list(entries.values()))
