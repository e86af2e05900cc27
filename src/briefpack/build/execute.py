"""Execute a parameterised notebook with Papermill, optionally on a kernel kept warm between runs.

A warm kernel pays the cost of starting Python and importing pandas, Altair and briefpack once.
Between briefings its user namespace is reset (``InteractiveShell.reset(new_session=True)``, which
also resets the execution counter), so no variable of one briefing is visible to the next; imported
modules and their caches of read-only tables stay, which is the point. The kernel is replaced after
``recycle_after`` runs to bound memory.
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from papermill.engines import papermill_engines
from papermill.iorw import papermill_io

from briefpack.build.engine import WarmClient, WarmEngine
from briefpack.core import paths
from briefpack.core.errors import BriefpackError, ExecutionError, quote_input

KERNEL = "python3"
def load_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise BriefpackError(f"Notebook {path} is missing; restore it with git checkout -- {path.name}.") from None
    except Exception as exc:  # nbformat raises several kinds for a corrupt file
        raise BriefpackError(f"Notebook {path.name} cannot be read ({type(exc).__name__}); restore it from git.") from None


def kernel_env() -> dict:
    """The kernel imports the same briefpack as this process, installed or not."""
    env = dict(os.environ)
    src = str(paths.PACKAGE_DIR.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    env.setdefault("BRIEFPACK_ROOT", str(paths.project_root()))
    return env


def _execution_error(exc, notebook: nbformat.NotebookNode | None = None) -> ExecutionError:
    """One line from Papermill's error: the cell (its number and first line), the exception and its message."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = " ".join(str(getattr(exc, "evalue", exc)).split())
    cell = getattr(exc, "exec_count", None)
    first = next((line.strip() for line in str(getattr(exc, "source", "") or "").splitlines() if line.strip()), "")
    where = f"notebook cell {cell}" if cell is not None else "a notebook cell"
    if first:
        where += f" ({quote_input(first)})"
    if ename in ("InputError", "DataError", "BriefpackError", "ExecutionError", "ExportError"):
        return ExecutionError(f"{evalue} ({where})", cell, notebook)
    return ExecutionError(f"{where} failed: {ename}: {evalue}", cell, notebook)


class _FailedNotebooks:
    """A Papermill I/O handler that keeps what Papermill writes in memory, for the failed notebook.

    Given an output path, Papermill writes the executed notebook there, and on a failure first
    marks the failing cell ("An Exception was encountered at 'In [7]'") with its traceback in the
    cell's output. :func:`run_notebook` gives it a path in this handler's scheme, so the failed
    notebook travels with the :class:`ExecutionError` and the worker saves it beside the outputs.
    """

    SCHEME = "briefpack-memory://"

    def __init__(self):
        self.written: dict[str, str] = {}

    def write(self, buf: str, path: str) -> None:
        self.written[path] = buf

    def read(self, path):
        raise ValueError(f"{path} is write-only")

    def listdir(self, path):
        raise ValueError(f"{path} is write-only")

    def pretty_path(self, path):
        return path

    def take(self, path: str) -> str | None:
        return self.written.pop(path, None)


_failed_notebooks = _FailedNotebooks()


ENGINE = "briefpack-warm"


def register() -> None:
    """Give Papermill the warm engine and the in-memory handler (public registries; idempotent). Called
    by :func:`run_notebook`, not on import: importing this module changes nothing in Papermill. The
    engine is also declared under Papermill's ``papermill.engine`` entry point (pyproject.toml)."""
    papermill_engines.register(ENGINE, WarmEngine)
    papermill_io.register(_FailedNotebooks.SCHEME, _failed_notebooks)


# A Unix socket path may be at most 107 bytes; the kernel's are "<folder>/k-<n>". Under a deep TMPDIR
# they go to /tmp instead, in a folder named for this process so that its pool can clean it up.
SOCKETS_PREFIX = "briefpack-kernel-"
_MAX_SOCKETS_BASE = 60


def sockets_base() -> str:
    base = tempfile.gettempdir()
    return base if len(base) <= _MAX_SOCKETS_BASE else "/tmp"


class Kernel:
    """A Jupyter kernel, and nbclient's client connected to it (:class:`WarmClient`), kept alive
    across notebook runs."""

    def __init__(self, recycle_after: int = 200):
        self.recycle_after = recycle_after
        self.km = self.client = None
        self.runs = 0
        self._sockets = None
        self.start_seconds = 0.0    # the time the last ready() spent starting the kernel (0: it was up)

    @property
    def dirty(self) -> bool:
        """A notebook ran since the namespace was last reset."""
        return self.client is not None and self.client.dirty

    def _start(self):
        from jupyter_client import AsyncKernelManager

        # IPC sockets are paths, relative to each side's working folder unless absolute: the kernel
        # runs in notebooks/, so give them an absolute base in a private temporary folder.
        self._sockets = tempfile.mkdtemp(prefix=f"{SOCKETS_PREFIX}{os.getpid()}-", dir=sockets_base())
        km = AsyncKernelManager(kernel_name=KERNEL, transport="ipc", ip=os.path.join(self._sockets, "k"))
        client = WarmClient(nbformat.v4.new_notebook(), km=km, kernel_name=KERNEL, startup_timeout=60,
                            raise_on_iopub_timeout=True, log=logging.getLogger("papermill"))
        self.km, self.client, self.runs = km, client, 0
        with client.setup_kernel(cwd=str(paths.notebooks_dir()), env=kernel_env()):
            pass    # nbclient starts the kernel and connects the client; both stay up (it was given km)

    def shutdown(self):
        from jupyter_core.utils import run_sync

        if self.client is not None and self.client.kc is not None:
            try:
                self.client.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                pass
        self.km = self.client = None
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def ready(self) -> "Kernel":
        """This kernel, started or recycled as needed; counts the run."""
        from jupyter_core.utils import run_sync

        if self.km is not None and (self.runs >= self.recycle_after or not run_sync(self.km.is_alive)()):
            self.shutdown()
        self.start_seconds = 0.0
        if self.km is None:
            started = time.perf_counter()
            try:
                self._start()
            except Exception:
                self.shutdown()
                raise
            self.start_seconds = time.perf_counter() - started
        self.runs += 1
        return self

    def tidy(self) -> None:
        """Reset the namespace now, between jobs, rather than at the start of the next one: a worker
        that waits for work (the web server's) spends its idle time on it, not the next user's. The
        reset includes IPython's garbage collection, about 0.07 s."""
        if self.dirty:
            self.client.reset()


def run_notebook(nb: nbformat.NotebookNode, parameters: dict, kernel: Kernel | None = None,
                 timeout: int = 300) -> nbformat.NotebookNode:
    """Execute a copy of ``nb`` with ``parameters`` injected; return the executed notebook.

    With ``kernel`` the run uses that warm kernel; without, Papermill starts and stops its own.
    Raises :class:`ExecutionError` naming the failing cell; its ``notebook`` is the executed
    notebook as Papermill saves it on a failure (the traceback in the failing cell's output).
    """
    import uuid

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    register()
    if kernel is not None:
        extra = {"engine_name": ENGINE, "kernel": kernel.ready()}
    else:
        extra = {}
        os.environ.update({k: v for k, v in kernel_env().items() if k in ("PYTHONPATH", "BRIEFPACK_ROOT")})
    # Papermill writes only at the end (not after each cell): the run's notebook, or the failed one.
    written = f"{_FailedNotebooks.SCHEME}{uuid.uuid4().hex}.ipynb"
    try:
        out = pm.execute_notebook(copy.deepcopy(nb), written, parameters=parameters, kernel_name=KERNEL,
                                  progress_bar=False, log_output=False, cwd=str(paths.notebooks_dir()),
                                  execution_timeout=timeout, request_save_on_cell_execute=False, **extra)
    except PapermillExecutionError as exc:
        buf = _failed_notebooks.take(written)
        raise _execution_error(exc, nbformat.reads(buf, as_version=4) if buf else None) from None
    except BriefpackError:
        raise
    except Exception as exc:  # kernel died, timeout, ...
        if kernel is not None:
            kernel.shutdown()
        msg = " ".join(str(exc).split())[:200]
        raise ExecutionError(f"the notebook did not finish: {type(exc).__name__}: {msg}") from None
    finally:
        _failed_notebooks.take(written)
    return normalise(out)


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what varies between identical runs (timings, counters, ids), so outputs depend on inputs only."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # Papermill gives it a random id
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = None
            cell.execution_count = None
    return nb
