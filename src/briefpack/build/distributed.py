"""Run the same build on a dask.distributed cluster: ``--executor dask --scheduler ADDRESS``.

Each dask worker process keeps one briefpack :class:`~briefpack.build.worker.Worker` (warm kernel, one
browser) across tasks. Tasks return the rendered bytes and the client writes them with the
worker's own write path (atomic, old formats removed), so workers need no shared file system with
the machine that asked for the build. Without a scheduler address a LocalCluster is started with
``--jobs`` single-threaded worker processes.
"""
from __future__ import annotations

import time
from pathlib import Path

from briefpack.build.jobs import BUILT, FAILED, Job, Result
from briefpack.build.worker import Clock, Worker, remove_outputs, save_failed_notebook
from briefpack.core import stopping
from briefpack.core.errors import BriefpackError

_WORKERS: dict = {}


def _render_on_worker(job: Job, formats: tuple, recycle_after: int):
    """Runs on a dask worker: render one job; returns ((files, reads, {stage: seconds}), None, None) or
    (None, error, the failed notebook or None)."""
    import atexit

    worker = _WORKERS.get(recycle_after)
    if worker is None:
        worker = _WORKERS[recycle_after] = Worker(recycle_after=recycle_after)
        atexit.register(worker.close)
    try:
        stages = {}
        files, reads = worker.render(job, formats, stages)
        return (files, reads, stages), None, None
    except BriefpackError as exc:
        return None, str(exc), getattr(exc, "notebook", None)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}", None


def executor(scheduler: str | None):
    """A callable with the signature of :func:`briefpack.build.pool.build_jobs`, running on dask."""

    def run(jobs, out_dir, formats, n_jobs=1, recycle_after=200, on_result=None):
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise BriefpackError("The dask executor needs dask.distributed: pip install 'dask[distributed]'.") from None

        jobs = list(jobs)
        if not jobs:
            return []
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, timeout="30s")
            else:
                cluster = LocalCluster(n_workers=max(1, n_jobs), threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            raise BriefpackError(f"Cannot reach the dask scheduler {scheduler!r} ({type(exc).__name__}); "
                                 "check the address (e.g. tcp://host:8786) and that the scheduler runs.") from None
        results = []
        try:
            started = {}
            futures = []
            for job in jobs:
                fut = client.submit(_render_on_worker, job, tuple(formats), recycle_after, pure=False,
                                    key=f"briefing-{job.slug}-{time.monotonic_ns()}")
                started[fut.key] = (job, time.perf_counter())
                futures.append(fut)
            for fut in as_completed(futures):
                job, t0 = started[fut.key]
                try:
                    rendered, error, failed = fut.result()
                except Exception as exc:  # the worker died, etc.
                    rendered, error, failed = None, f"dask task failed: {type(exc).__name__}: {exc}", None
                with stopping.held():   # the files written here and their record go together
                    if rendered is None:
                        remove_outputs(job, out_dir)
                        if failed is not None:
                            error += save_failed_notebook(job, failed, out_dir)
                        r = Result(job, FAILED, error, time.perf_counter() - t0)
                    else:
                        files, reads, stages = rendered
                        clock = Clock(stages)
                        outputs = Worker.write(job, files, Path(out_dir))
                        clock.lap("write")
                        r = Result(job, BUILT, seconds=time.perf_counter() - t0, outputs=outputs, reads=reads,
                                   stages=stages)
                    results.append(r)
                    if on_result:
                        on_result(r)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return results

    return run
