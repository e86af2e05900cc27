"""One worker: a warm Jupyter kernel, one nbconvert exporter and one headless browser, kept for many briefings.

:class:`Worker` builds jobs in the process it lives in (the pool's worker processes, a dask
worker, a test). :func:`serve` is the main loop of a pool's worker process: it takes jobs from the
parent over a pipe, answers with a :class:`~briefpack.build.jobs.Result` each, and cleans up its kernel
and browser however it ends.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from briefpack.build.execute import Kernel, load_notebook, run_notebook
from briefpack.build.export import HtmlExporter, PdfPrinter
from briefpack.build.jobs import BUILT, FAILED, FORMATS, Job, Result, output_name
from briefpack.core import paths
from briefpack.core.atomic import write_atomic
from briefpack.core.errors import BriefpackError
from briefpack.data import record, used
from briefpack.render.letters import letter_from_notebook, to_docx
from briefpack.render.msp_letters import letters_docx, letters_from_notebook


class Worker:
    """Builds jobs in this process; the kernel starts on first use, the browser on the first PDF."""

    def __init__(self, recycle_after: int = 200):
        self.kernel = Kernel(recycle_after)
        self._exporter = None
        self._printer = None
        self._notebooks = {}
        self.relaunches = 0        # browsers launched again after one died
        self._launched = 0.0       # seconds spent making the exporter or launching the browser since the last look

    def _notebook(self, name):
        """The notebook with one hidden cell added at the end that displays what the run read
        (:mod:`briefpack.data.record`); the exporter leaves that cell out of the page."""
        import nbformat


        if name not in self._notebooks:
            nb = load_notebook(paths.notebooks_dir() / name)
            cell = nbformat.v4.new_code_cell(used.EMIT_SOURCE, id="briefpack-record")
            cell.metadata["tags"] = [record.TAG]
            nb.cells.append(cell)
            self._notebooks[name] = nb
        return self._notebooks[name]

    def _html(self, nb, title):
        if self._exporter is None:
            started = time.perf_counter()
            self._exporter = HtmlExporter()
            self._launched += time.perf_counter() - started
        return self._exporter(nb, title)

    def _pdf(self, html, label):
        """Print with the worker's browser; one that has died (crashed, killed, out of memory) is
        launched again and the page printed again, so a dead browser costs one PDF a second's wait,
        never a failed build."""

        for attempt in (1, 2):
            if self._printer is not None and not self._printer.alive:
                self.close_browser()
            if self._printer is None:
                started = time.perf_counter()
                self._printer = PdfPrinter().__enter__()
                self._launched += time.perf_counter() - started
            try:
                return self._printer.print_pdf(html, label)
            except Exception:
                if attempt == 2 or self._printer.alive:
                    raise
                self.relaunches += 1

    def close_browser(self) -> None:
        if self._printer is not None:
            try:
                self._printer.__exit__(None, None, None)
            except Exception:
                pass
            self._printer = None

    def warm(self, formats=FORMATS, notebook: str = "briefing.ipynb") -> None:
        """Build the notebook once with its own default parameters and throw the result away, so that
        the kernel has its tables, charts and templates loaded and the browser is up: the first real
        briefing then takes as long as the next."""
        warm_up = Job(key="warm-up", slug="warm-up", label="warm-up", title="warm-up", notebook=notebook,
                      parameters=())
        self.render(warm_up, formats)

    def render(self, job: Job, formats=FORMATS, stages: dict | None = None) -> tuple[dict, dict | None]:
        """Execute and export one job: ({format: bytes} in ``formats`` order, the record of what it
        read). Writes nothing. ``stages``, when given, gets the seconds of each stage it ran
        (:data:`~briefpack.build.jobs.STAGES`)."""

        clock = Clock(stages)
        self._launched = 0.0
        executed = run_notebook(self._notebook(job.notebook), job.params, self.kernel)
        clock.lap("execute")
        clock.move("execute", "start", self.kernel.start_seconds)
        clock.move("execute", "record", self._record_cell_seconds(executed))   # the hidden cell's time
        reads = record.from_notebook(executed)   # also puts the final sources section in place
        clock.lap("record")
        html = self._html(executed, job.title)
        out = {"html": html.encode("utf-8")}
        clock.lap("html")
        clock.move("html", "start", self._launched)
        if "pdf" in formats:
            self._launched = 0.0
            out["pdf"] = self._pdf(html, job.title)
            clock.lap("pdf")
            clock.move("pdf", "start", self._launched)
        if "docx" in formats:
            letter = letter_from_notebook(executed)
            if letter is not None:          # topic briefings have no letter
                others = letters_from_notebook(executed)   # --list-msps: the region's list MSPs too
                out["docx"] = letters_docx([letter, *others]) if others else to_docx(letter)
            clock.lap("letter")
        return {fmt: out[fmt] for fmt in formats if fmt in out}, reads

    def _record_cell_seconds(self, executed) -> float:
        """How long the last run spent in the notebook's hidden record cell (0 if not known)."""
        seconds = getattr(self.kernel.client, "cell_seconds", None) or []
        return sum(t for cell, t in zip(executed.cells, seconds)
                   if record.TAG in cell.get("metadata", {}).get("tags", []))

    @staticmethod
    def write(job: Job, rendered: dict, out_dir: Path) -> list[str]:
        """Write a job's rendered outputs atomically and remove its outputs of other formats, so
        an old PDF or letter never sits beside new figures. Returns the paths written."""
        out_dir = Path(out_dir)
        written = []
        for fmt, payload in rendered.items():
            path = out_dir / output_name(job, fmt)
            write_atomic(path, payload)
            written.append(str(path))
        remove_outputs(job, out_dir, keep=rendered)
        return written

    def build(self, job: Job, out_dir: Path, formats=FORMATS) -> Result:
        """Render and write one job; any failure becomes a failed Result (one line), never an exception."""
        start = time.perf_counter()
        stages = {}
        try:
            files, reads = self.render(job, formats, stages)
            clock = Clock(stages)
            outputs = self.write(job, files, out_dir)
            clock.lap("write")
            return Result(job, BUILT, seconds=time.perf_counter() - start, outputs=outputs, reads=reads,
                          stages=stages)
        except BriefpackError as exc:
            message, failed = str(exc), getattr(exc, "notebook", None)
        except Exception as exc:  # never let one briefing stop a batch
            message, failed = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}", None
        remove_outputs(job, out_dir)
        if failed is not None:
            message += save_failed_notebook(job, failed, out_dir)
        return Result(job, FAILED, message, time.perf_counter() - start)

    def tidy(self) -> None:
        """Make the kernel ready for the next job while none is waiting (see execute.Kernel.tidy)."""
        try:
            self.kernel.tidy()
        except Exception:   # a kernel that cannot be reset is reset (or restarted) by the next job
            pass

    def close(self) -> None:
        self.close_browser()
        self.kernel.shutdown()


class Clock:
    """Adds the seconds since the last lap (``time.perf_counter``) to a stage of ``stages``."""

    def __init__(self, stages: dict | None = None):
        self.stages = stages if stages is not None else {}
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - self.last)
        self.last = now

    def move(self, source: str, target: str, seconds: float) -> None:
        """Count ``seconds`` of ``source`` under ``target`` instead (never more than ``source`` had)."""
        seconds = max(0.0, min(seconds, self.stages.get(source, 0.0)))
        self.stages[source] = self.stages.get(source, 0.0) - seconds
        self.stages[target] = self.stages.get(target, 0.0) + seconds


def remove_outputs(job: Job, out_dir: Path, keep=()) -> None:
    """Delete the outputs of ``job`` in ``out_dir`` except those of the formats in ``keep``, and
    the notebook of an earlier failure (a build that succeeds leaves no stale ``.failed.ipynb``)."""
    for fmt in FORMATS:
        if fmt not in keep:
            (Path(out_dir) / output_name(job, fmt)).unlink(missing_ok=True)
    (Path(out_dir) / failed_name(job)).unlink(missing_ok=True)


def failed_name(job: Job) -> str:
    """Where a failed build keeps its executed notebook, traceback included: ``<slug>.failed.ipynb``."""
    return f"{job.slug}.failed.ipynb"


def save_failed_notebook(job: Job, notebook, out_dir: Path) -> str:
    """Write the failed notebook beside the outputs; returns the words that point the error line to it."""
    import nbformat

    path = Path(out_dir) / failed_name(job)
    try:
        write_atomic(path, nbformat.writes(notebook))
    except OSError as exc:
        return f"; its notebook could not be saved to {path} ({exc.strerror or exc})"
    return f"; the notebook with its traceback is {path}"


# --- the worker process --------------------------------------------------------------------------

class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop()


def serve(conn, tmp_dir: str, recycle_after: int) -> None:
    """Main loop of a pool's worker process.

    The worker leaves the terminal's process group (``setsid``) and ignores SIGINT: a Ctrl-C
    reaches only the parent, which decides what stops and when. Its temporary files (kernel
    sockets and connection file, the browser's profile) go under ``tmp_dir``, which the parent
    removes however the worker ends. Messages from the parent: ``("build", job, out_dir, formats)``,
    ``("warm", formats)``, ``("stop",)``; answers: ``("result", Result)``, ``("warm", error)``.
    """
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_stop)
    for var in ("TMPDIR", "JUPYTER_RUNTIME_DIR"):
        os.environ[var] = tmp_dir
    warned = Path(tmp_dir).parent / "warned"    # shared by the pool's workers (preprocessors._warn_once)
    warned.mkdir(exist_ok=True)
    os.environ["BRIEFPACK_WARNED_DIR"] = str(warned)
    import tempfile

    tempfile.tempdir = None
    worker = Worker(recycle_after)
    try:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):   # the parent is gone
                break
            if msg[0] == "build":
                _, job, out_dir, formats = msg
                conn.send(("result", worker.build(job, out_dir, formats)))
                if not conn.poll():        # no job waiting: reset the kernel now, off the next job's time
                    worker.tidy()
            elif msg[0] == "warm":
                try:
                    worker.warm(msg[1])
                    worker.tidy()
                    conn.send(("warm", ""))
                except Exception as exc:
                    conn.send(("warm", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"))
            else:
                break
    except (_Stop, BrokenPipeError, EOFError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)   # let the clean-up finish
        worker.close()
