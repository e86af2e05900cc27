"""Build briefings: plan jobs, run them in warm workers, write outputs atomically, report.

A :class:`Worker` lives in one process and keeps a warm kernel, an HTML exporter and one browser.
``build_jobs`` runs jobs in-process (``jobs=1``) or across a pool of worker processes; a failing
briefing is reported with its reason and never stops the others.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import BriefpackError

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class Job:
    key: str                 # unique in a pack, e.g. the GSS code
    slug: str                # output file stem
    label: str               # for messages: "Banbury (E14001072)"
    title: str               # HTML <title> and PDF footer
    notebook: str            # file name in notebooks/
    parameters: tuple        # ((name, value), ...) so the job is hashable
    rows: tuple = ()         # ((table, column, value), ...): the rows of seat tables the briefing reads
    forces: tuple = ()       # NRM names of the police forces whose rows the briefing reads
    tables: tuple = ()       # national tables the briefing reads
    info: tuple = ()         # ((name, value), ...) for the index page: name, region, mp, party

    @property
    def params(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.parameters}


@dataclass
class Result:
    job: Job
    status: str              # "built", "failed", "up to date"
    message: str = ""
    seconds: float = 0.0
    outputs: list = field(default_factory=list)


class Worker:
    """Builds jobs in this process: warm kernel, one exporter, one browser (started on first PDF)."""

    def __init__(self, out_dir: Path, formats=FORMATS, warm: bool = True, recycle_after: int = 200):
        from .execute import Kernel

        self.out_dir = Path(out_dir)
        self.formats = tuple(formats)
        self.kernel = Kernel(recycle_after) if warm else None
        self._exporter = None
        self._printer = None
        self._notebooks = {}

    def _notebook(self, name):
        from .execute import load_notebook

        if name not in self._notebooks:
            self._notebooks[name] = load_notebook(paths.notebooks_dir() / name)
        return self._notebooks[name]

    def _html(self, nb, title):
        from .export import HtmlExporter

        if self._exporter is None:
            self._exporter = HtmlExporter()
        return self._exporter(nb, title)

    def _pdf(self, html, label):
        from .export import PdfPrinter

        if self._printer is None:
            self._printer = PdfPrinter().__enter__()
        return self._printer.print_pdf(html, label)

    def render(self, job: Job) -> dict:
        """Execute and export one job; returns {format: bytes}. Writes nothing."""
        from .execute import run_notebook

        executed = run_notebook(self._notebook(job.notebook), job.params, self.kernel)
        html = self._html(executed, job.title)
        out = {"html": html.encode("utf-8")}
        if "pdf" in self.formats:
            out["pdf"] = self._pdf(html, job.title)
        if "docx" in self.formats:
            from .letters import letter_from_notebook, to_docx

            letter = letter_from_notebook(executed)
            if letter is not None:          # topic briefings have no letter
                out["docx"] = to_docx(letter)
        return {fmt: out[fmt] for fmt in self.formats if fmt in out}

    @staticmethod
    def output_name(job: Job, fmt: str) -> str:
        return f"{job.slug}-letter.docx" if fmt == "docx" else f"{job.slug}.{fmt}"

    def build(self, job: Job) -> Result:
        from .export import write_atomic

        start = time.perf_counter()
        try:
            rendered = self.render(job)
            outputs = []
            for fmt, payload in rendered.items():
                path = self.out_dir / self.output_name(job, fmt)
                write_atomic(path, payload)
                outputs.append(str(path))
            return Result(job, "built", seconds=time.perf_counter() - start, outputs=outputs)
        except BriefpackError as exc:
            return Result(job, "failed", str(exc), time.perf_counter() - start)
        except Exception as exc:  # never let one briefing stop a batch
            msg = " ".join(str(exc).split())[:300]
            return Result(job, "failed", f"{type(exc).__name__}: {msg}", time.perf_counter() - start)

    def close(self):
        if self._printer is not None:
            try:
                self._printer.__exit__(None, None, None)
            except Exception:
                pass
            self._printer = None
        if self.kernel is not None:
            self.kernel.shutdown()


# --- process pool --------------------------------------------------------------------------------

_WORKER: Worker | None = None


def _init_worker(out_dir, formats, recycle_after):
    global _WORKER
    from multiprocessing.util import Finalize

    _WORKER = Worker(Path(out_dir), formats, warm=True, recycle_after=recycle_after)
    Finalize(_WORKER, _WORKER.close, exitpriority=10)


def _run_in_worker(job: Job) -> Result:
    return _WORKER.build(job)


def build_jobs(jobs, out_dir: Path, formats=FORMATS, n_jobs: int = 1, recycle_after: int = 200,
               on_result=None) -> list[Result]:
    """Build ``jobs``; ``on_result(result)`` is called as each finishes. Returns all results."""
    jobs = list(jobs)
    results = []
    if not jobs:
        return results
    if n_jobs <= 1 or len(jobs) == 1:
        worker = Worker(out_dir, formats, warm=True, recycle_after=recycle_after)
        try:
            for job in jobs:
                r = worker.build(job)
                results.append(r)
                if on_result:
                    on_result(r)
        finally:
            worker.close()
        return results
    ctx = mp.get_context("spawn")
    pool = ctx.Pool(min(n_jobs, len(jobs)), initializer=_init_worker,
                    initargs=(str(out_dir), tuple(formats), recycle_after))
    try:
        for r in pool.imap_unordered(_run_in_worker, jobs, chunksize=1):
            results.append(r)
            if on_result:
                on_result(r)
    finally:
        pool.close()
        pool.join()
    return results


# --- the pack: manifest, dirty check, batch, index ----------------------------------------------

@dataclass
class Summary:
    results: list
    planned: int = 0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list:
        return [r for r in self.results if r.status == "failed"]

    def line(self) -> str:
        return (f"summary: {self.count('built')} built, {self.count('up to date')} up to date, "
                f"{self.count('failed')} failed")


def build_pack(jobs, out_dir: Path, formats=FORMATS, n_jobs: int = 1, force: bool = False,
               dry_run: bool = False, index: bool = True, on_result=None, executor=None,
               recycle_after: int = 200) -> Summary:
    """Build what is out of date among ``jobs`` and record it in the manifest.

    ``executor``, when given, is a callable with the
    signature of :func:`build_jobs` (e.g. the dask executor).
    """
    from . import manifest as mf

    out_dir = Path(out_dir)
    jobs = list(jobs)
    remove_stale_temporaries(out_dir)
    man = mf.Manifest(out_dir)
    inputs_for = mf.Inputs(formats) if jobs else None
    todo, results, inputs_of = [], [], {}
    for job in jobs:
        inputs = inputs_for(job)
        inputs_of[job.slug] = inputs
        expected = [out_dir / name for name in man.outputs_of(job.slug)] or [out_dir / Worker.output_name(job, f)
                                                                              for f in formats if f != "docx"]
        reason = "--force" if force else man.why_dirty(job.slug, inputs, expected)
        if reason is None:
            results.append(Result(job, "up to date", outputs=[str(p) for p in expected]))
        else:
            todo.append((job, reason))
    if dry_run:
        for job, reason in todo:
            results.append(Result(job, "would build", reason))
        return Summary(results, len(jobs))
    for r in results:
        if on_result:
            on_result(r)

    def record(r: Result) -> None:
        if r.status == "built":
            man.record(r.job.slug, r.job.key, inputs_of[r.job.slug], r.outputs, dict(r.job.info))
        else:
            man.forget(r.job.slug)
        if on_result:
            on_result(r)

    run = executor or build_jobs
    built = run([job for job, _ in todo], out_dir, formats, n_jobs=n_jobs, recycle_after=recycle_after,
                on_result=record)
    results.extend(built)
    if todo:
        man.compact()
    if index and (todo or not (out_dir / "index.html").exists()):
        write_pack_index(out_dir, man, results)
    return Summary(results, len(jobs))


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete ``.name.PID.tmp`` files left by a build that was killed (its process is gone)."""
    import os

    for tmp in Path(out_dir).glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            tmp.unlink(missing_ok=True)
        except PermissionError:
            pass


def write_pack_index(out_dir: Path, man, results) -> Path:
    """Index every briefing in the manifest, plus this run's failures."""
    from .index import write_index

    entries = {}
    for slug, rec in man.records.items():
        info = rec.get("info", {})
        entries[slug] = {"key": rec["key"], "slug": slug, "name": info.get("name", slug),
                         "region": info.get("region", ""), "mp": info.get("mp", ""), "party": info.get("party", ""),
                         "status": "built", "reason": "", "files": list(rec["outputs"])}
    for r in results:
        if r.status == "failed":
            info = dict(r.job.info)
            entries[r.job.slug] = {"key": r.job.key, "slug": r.job.slug, "name": info.get("name", r.job.label),
                                   "region": info.get("region", ""), "mp": info.get("mp", ""),
                                   "party": info.get("party", ""), "status": "failed", "reason": r.message,
                                   "files": []}
    return write_index(out_dir, list(entries.values()))
