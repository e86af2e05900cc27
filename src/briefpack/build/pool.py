"""A pool of worker processes that cannot hang: the batch and the web server build on it.

Each worker process (:func:`briefpack.build.worker.serve`) keeps a warm kernel, exporter and browser and
builds one job at a time, sent over its own pipe. One dispatcher thread in the parent watches every
worker's pipe and process sentinel, so the pool always knows which job each worker holds:

- a worker that dies (killed, out of memory) fails only the job it held, with
  :data:`WORKER_STOPPED`, and is replaced; the other jobs go on;
- a job that runs past ``job_timeout`` fails, and its worker is killed and replaced;
- :meth:`WorkerPool.close` cancels the jobs still waiting, lets the running ones finish within
  ``grace`` seconds (then kills them), stops every worker, and removes every temporary file.

Workers leave the terminal's process group and ignore SIGINT: the parent decides. Whatever a worker
started (kernel, browser) is found by the ``TMPDIR`` it inherited and killed if it outlives the
worker, so nothing is left behind. (``concurrent.futures.ProcessPoolExecutor`` was the other
option: on a dead worker it breaks the whole pool and cannot say which job the worker held.)
"""
from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future, as_completed
from multiprocessing.connection import wait
from pathlib import Path

from briefpack.build.execute import SOCKETS_PREFIX
from briefpack.build.jobs import FAILED, FORMATS, NOT_BUILT, Result
from briefpack.build.worker import remove_outputs, serve
from briefpack.core import stopping
from briefpack.core.atomic import remove_temporaries

WORKER_STOPPED = "the worker stopped: killed or out of memory"
INTERRUPTED = "stopped before it finished"
# Memory of one worker with its kernel, Playwright driver and browser: 470 MiB of resident memory
# at most, summed over those processes, while building 22 briefings on 2 workers (measured
# 2026-11-23); --jobs is capped so that the workers fit in the memory available, with room to spare.
WORKER_MEMORY = 600 * 2**20
STOP_TIMEOUT = 5.0   # seconds a worker has to close its kernel and browser once asked to stop
HEALTH_SECONDS = 5.0  # how often an idle worker's browser is checked (and launched again if it has gone)
_POOL_DIR = re.compile(r"^briefpack-pool-(\d+)-")


class Busy(Exception):
    """Too many jobs are waiting; try again after ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: int):
        super().__init__(f"{waiting} briefings are waiting to be built; try again in {retry_after} seconds.")
        self.waiting, self.retry_after = waiting, retry_after


def available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_limit() -> tuple[int, str]:
    """How many workers this machine can run at once, and why (cores, and memory at WORKER_MEMORY each)."""
    n_cores = cores()
    memory = available_memory()
    if memory is None:
        return n_cores, f"{n_cores} cores"
    by_memory = max(1, memory // WORKER_MEMORY)
    why = f"{n_cores} cores, {memory / 2**30:.1f} GiB free at about {WORKER_MEMORY / 2**30:.1f} GiB per worker"
    return min(n_cores, by_memory), why


class _Task:
    __slots__ = ("job", "out_dir", "formats", "future", "deadline")

    def __init__(self, job, out_dir, formats):
        self.job, self.out_dir, self.formats = job, Path(out_dir), tuple(formats)
        self.future: Future = Future()
        self.deadline = 0.0


class _Slot:
    """One worker process, its pipe, its temporary folder and the task it holds."""

    def __init__(self, ctx, tmp_root: Path, number: int, recycle_after: int):
        self.tmp_dir = tmp_root / f"worker-{number}"
        self.tmp_dir.mkdir()
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, str(self.tmp_dir), recycle_after),
                                   name=f"briefpack-worker-{number}", daemon=True)
        self.process.start()
        child.close()
        self.task: _Task | None = None
        self.warming = False
        self.warmed = False       # it has built once (kernel, exporter, browser up)
        self.warm_error = ""      # why warming failed, if it did
        self.stopping = False
        self.builds = 0
        self.freed = 0.0          # when it last finished a job (it then resets its kernel, briefly)

    @property
    def idle(self) -> bool:
        return self.task is None and not self.warming and not self.stopping


def _processes_of(slot: _Slot) -> list[int]:
    """Every process that inherited the worker's TMPDIR (its kernel, browser, Playwright driver)."""
    marker = f"TMPDIR={slot.tmp_dir}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def _browser_running(slot: _Slot) -> bool:
    """Whether the worker's Chromium (its main process, not a renderer or helper) is running."""
    for pid in _processes_of(slot):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"chrom" in os.path.basename(args[0]) and not any(a.startswith(b"--type=") for a in args) \
                and state not in ("Z", "X"):
            return True
    return False


def _kill_processes_of(slot: _Slot) -> None:
    """SIGKILL the worker, its process group and every process that inherited its TMPDIR."""
    pid = slot.process.pid
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except (ProcessLookupError, PermissionError, TypeError):
            pass
    for found in _processes_of(slot):
        try:
            os.kill(found, signal.SIGKILL)
        except OSError:
            continue


def _remove_kernel_sockets(pid: int | None) -> None:
    """The kernel socket folder a worker made outside its own folder (see execute.sockets_base)."""

    if pid:
        for folder in Path("/tmp").glob(f"{SOCKETS_PREFIX}{pid}-*"):
            shutil.rmtree(folder, ignore_errors=True)


def remove_stale_pool_folders() -> None:
    """Temporary folders of pools whose process was killed outright (SIGKILL)."""
    base = Path(tempfile.gettempdir())
    for folder in base.glob("briefpack-pool-*"):
        m = _POOL_DIR.match(folder.name)
        if not m:
            continue
        try:
            os.kill(int(m[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


class WorkerPool:
    """Worker processes that build jobs; ``submit`` is thread-safe and returns a Future of a Result."""

    def __init__(self, size: int, recycle_after: int = 200, job_timeout: float = 600.0,
                 max_waiting: int | None = None):
        self.size = max(1, int(size))
        self.recycle_after = recycle_after
        self.job_timeout = job_timeout
        self.max_waiting = max_waiting
        self.restarts = 0
        self._ctx = mp.get_context("spawn")
        self._lock = threading.Lock()
        self._waiting: deque[_Task] = deque()
        self._slots: list[_Slot] = []
        self._numbers = 0
        self._warm_formats: tuple | None = None
        self._closing = False
        self._grace_until = 0.0
        self._next_check = 0.0
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        remove_stale_pool_folders()
        self._tmp_root = Path(tempfile.mkdtemp(prefix=f"briefpack-pool-{os.getpid()}-"))

    # --- public API ------------------------------------------------------------------------------

    def start(self, warm: bool = True, formats=FORMATS) -> "WorkerPool":
        """Start all ``size`` workers now (and keep that many); with ``warm``, each starts its kernel,
        exporter and (for PDFs) browser before its first job."""
        with self._lock:
            self._warm_formats = tuple(formats) if warm else ()
            self._ensure_thread()
        self._wake()
        return self

    def submit(self, job, out_dir, formats=FORMATS) -> Future:
        task = _Task(job, out_dir, formats)
        with self._lock:
            if self._closing:
                raise RuntimeError("the worker pool is closed")
            if any(t.future.cancelled() for t in self._waiting):   # their requests have gone: free their places
                self._waiting = deque(t for t in self._waiting if not t.future.cancelled())
            if self.max_waiting is not None and len(self._waiting) >= self.max_waiting:
                raise Busy(len(self._waiting), self.retry_after())
            self._waiting.append(task)
            self._ensure_thread()
        self._wake()
        return task.future

    def retry_after(self) -> int:
        """A fair guess, in whole seconds, of when a place in the queue frees up."""
        return max(1, min(30, round((len(self._waiting) + 1) / self.size)))

    def stats(self) -> dict:
        with self._lock:
            return {"workers": len(self._slots), "busy": sum(s.task is not None for s in self._slots),
                    "waiting": sum(not t.future.cancelled() for t in self._waiting), "restarts": self.restarts}

    def worker_states(self) -> list[dict]:
        """Each worker's real state: ``state`` (warming, idle, building, stopping), whether it has built
        once (``warm``), whether its browser is running (checked now, in /proc), jobs built, and
        ``ready``: warm, not stopping, and its browser up if it prints PDFs."""
        with self._lock:
            slots = list(self._slots)
            pdf = "pdf" in (self._warm_formats or ())
        out = []
        for slot in slots:
            state = ("stopping" if slot.stopping else "warming" if slot.warming else
                     "building" if slot.task is not None else "idle")
            browser = _browser_running(slot) if pdf else None
            doc = {"pid": slot.process.pid, "state": state, "warm": slot.warmed, "builds": slot.builds,
                   "ready": slot.warmed and state in ("idle", "building") and browser is not False}
            if pdf:
                doc["browser"] = "up" if browser else "down"
            if slot.warm_error:
                doc["error"] = slot.warm_error
            out.append(doc)
        return out

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [s.process.pid for s in self._slots if s.process.pid]

    def close(self, grace: float = 10.0) -> None:
        """Cancel waiting jobs, give running ones ``grace`` seconds to finish, stop every worker and
        remove every temporary file. Safe to call again (e.g. with ``grace=0`` after a second Ctrl-C)."""
        with self._lock:
            deadline = time.monotonic() + max(0.0, grace)
            self._grace_until = deadline if not self._closing else min(self._grace_until, deadline)
            self._closing = True
            while self._waiting:
                self._waiting.popleft().future.cancel()
            thread = self._thread
        self._wake()
        if thread is not None:
            thread.join()
        self._cleanup()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close(grace=10.0 if exc[0] is None else 3.0)

    # --- the dispatcher --------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="briefpack-pool", daemon=True)
            self._thread.start()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closing and not self._slots:
                        return
                    self._dispatch()
                    objects, timeout = self._watch_list()
                ready = wait(objects, timeout)
                with self._lock:
                    self._handle(ready)
                    self._check_browsers()
        except BaseException as exc:  # a bug here must not leave callers waiting for ever
            message = f"the worker pool failed: {type(exc).__name__}: {exc}"
            with self._lock:
                self._closing = True
                for slot in list(self._slots):
                    self._reap(slot, message)
                while self._waiting:
                    task = self._waiting.popleft()
                    if task.future.set_running_or_notify_cancel():
                        task.future.set_result(Result(task.job, FAILED, message))

    def _spawn(self) -> _Slot:
        self._numbers += 1
        slot = _Slot(self._ctx, self._tmp_root, self._numbers, self.recycle_after)
        self._slots.append(slot)
        if self._warm_formats:
            slot.conn.send(("warm", self._warm_formats))
            slot.warming = True
        return slot

    def _dispatch(self) -> None:
        if self._closing:
            for slot in self._slots:
                if slot.idle:
                    try:
                        slot.conn.send(("stop",))
                    except OSError:
                        pass
                    slot.stopping = True
            return
        want = self.size if self._warm_formats is not None else min(
            self.size, len(self._waiting) + sum(not s.idle for s in self._slots))
        while len(self._slots) < want:
            self._spawn()
        # The worker that finished longest ago first: one that has just finished is still resetting its
        # kernel for a moment (worker.Worker.tidy), so a lone request goes to the other one.
        for slot in sorted(self._slots, key=lambda s: s.freed):
            if not self._waiting:
                break
            if slot.idle:
                task = self._waiting.popleft()
                if not task.future.set_running_or_notify_cancel():
                    continue
                task.deadline = time.monotonic() + self.job_timeout
                slot.task = task
                try:
                    slot.conn.send(("build", task.job, str(task.out_dir), task.formats))
                except OSError:
                    pass  # the worker died; its sentinel says so next

    def _watch_list(self):
        objects = [self._wake_r]
        deadlines = [s.task.deadline for s in self._slots if s.task is not None]
        if self._closing:
            busy = any(s.task is not None for s in self._slots)
            deadlines.append(self._grace_until if busy else self._grace_until + STOP_TIMEOUT)
        for slot in self._slots:
            objects += [slot.conn, slot.process.sentinel]
        if self._warm_formats and "pdf" in self._warm_formats and not self._closing:
            deadlines.append(self._next_check)
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        return objects, timeout

    def _check_browsers(self) -> None:
        """An idle worker whose browser has died warms again (which launches a new one), so that the
        next user does not wait for it and /healthz says ready again."""
        now = time.monotonic()
        if now < self._next_check or self._closing or not self._warm_formats or "pdf" not in self._warm_formats:
            return
        self._next_check = now + HEALTH_SECONDS
        for slot in self._slots:
            if slot.idle and slot.warmed and not _browser_running(slot):
                try:
                    slot.conn.send(("warm", self._warm_formats))
                    slot.warming = True
                except OSError:
                    pass

    def _handle(self, ready) -> None:
        if self._wake_r in ready:
            try:
                self._wake_r.recv(4096)
            except OSError:
                pass
        for slot in list(self._slots):
            dead = slot.process.sentinel in ready
            if dead or slot.conn in ready:
                try:
                    while slot.conn.poll():
                        self._receive(slot, slot.conn.recv())
                except (EOFError, OSError):  # the worker's end of the pipe is closed
                    dead = True
            if dead:
                self._reap(slot, WORKER_STOPPED)
        now = time.monotonic()
        for slot in list(self._slots):
            if slot.task is not None and now >= slot.task.deadline:
                self._reap(slot, f"took longer than {self.job_timeout:.0f} s and was stopped")
            elif self._closing and (slot.task is not None and now >= self._grace_until
                                    or now >= self._grace_until + STOP_TIMEOUT):
                self._reap(slot, INTERRUPTED)

    def _receive(self, slot: _Slot, msg) -> None:
        if msg[0] == "result" and slot.task is not None:
            task, slot.task = slot.task, None
            slot.freed = time.monotonic()
            slot.builds += 1
            task.future.set_result(msg[1])
        elif msg[0] == "warm":
            slot.warming = False
            slot.warm_error = msg[1] if len(msg) > 1 else ""
            slot.warmed = not slot.warm_error

    def _reap(self, slot: _Slot, reason: str) -> None:
        """The worker is gone or must go: kill what is left of it and fail the job it held."""
        _kill_processes_of(slot)
        slot.process.join(timeout=5)
        self._slots.remove(slot)
        if not self._closing:
            self.restarts += 1
        task, slot.task = slot.task, None
        if task is not None:
            remove_temporaries(task.out_dir, slot.process.pid)
            status = NOT_BUILT if reason == INTERRUPTED else FAILED
            # Whatever the job had written is not a finished briefing (it may have written its page but
            # not its PDF): remove it, so that only recorded briefings sit in the folder.
            remove_outputs(task.job, task.out_dir)
            task.future.set_result(Result(task.job, status, reason))
        slot.conn.close()
        shutil.rmtree(slot.tmp_dir, ignore_errors=True)
        _remove_kernel_sockets(slot.process.pid)

    def _cleanup(self) -> None:
        with self._lock:
            for slot in list(self._slots):
                self._reap(slot, INTERRUPTED)
        shutil.rmtree(self._tmp_root, ignore_errors=True)
        for s in (self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass


def build_jobs(jobs, out_dir: Path, formats=FORMATS, n_jobs: int = 1, recycle_after: int = 200,
               on_result=None, job_timeout: float = 600.0) -> list[Result]:
    """Build ``jobs`` on a pool of ``n_jobs`` workers; ``on_result(result)`` is called in this thread as
    each finishes. On KeyboardInterrupt (or a subclass, for SIGTERM) the jobs not started are
    cancelled, the running ones get a few seconds to finish, every finished one is still passed to
    ``on_result``, and the exception goes on."""
    jobs = list(jobs)
    results: list[Result] = []
    if not jobs:
        return results
    pool = WorkerPool(min(n_jobs, len(jobs)), recycle_after=recycle_after, job_timeout=job_timeout)
    futures = [pool.submit(job, out_dir, formats) for job in jobs]
    taken: set = set()

    def take(fut: Future) -> None:
        with stopping.held():   # a stop between a result and its record would leave it unrecorded
            taken.add(fut)
            result = fut.result()
            results.append(result)
            if on_result:
                on_result(result)

    try:
        for fut in as_completed(futures):
            take(fut)
    except BaseException:
        try:
            pool.close(grace=3.0)
        except KeyboardInterrupt:  # a second Ctrl-C: stop at once
            pool.close(grace=0.0)
        for fut in futures:
            if fut not in taken and fut.done() and not fut.cancelled():
                take(fut)
        raise
    pool.close()
    return results
