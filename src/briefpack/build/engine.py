"""The warm Papermill engine: notebooks run on a kernel and client that outlive the run.

The ``papermill.engine`` entry point (pyproject.toml) names :class:`WarmEngine` here. Papermill loads
its entry points while ``papermill.engines`` is first imported, so this module is imported by
Papermill itself, after ``papermill.engines`` has defined its classes: import Papermill before this
module (:mod:`briefpack.build.execute` does), never this module first.
"""
from __future__ import annotations

import logging
import time

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from papermill.engines import NBClientEngine

# Clears variables and keeps imported modules; unloads the IPython extensions the last notebook loaded,
# so that its `%load_ext briefpack` loads again as in a new kernel (not "already loaded", an output
# only a briefing built after another would have); a new briefing starts a new record of what it reads.
# Last, what survives the reset (modules, cached tables and charts: the reset has just collected the
# garbage) is moved out of the garbage collector's sight with gc.freeze(): every later collection, the
# reset's own included, then looks only at what one briefing made. On a warm kernel this cut the reset
# from about 100 ms to 7 ms and a briefing's run by about a third (the kernel recycles every 200 runs,
# which bounds what a frozen object that later becomes garbage in a cycle can hold).
RESET = ("get_ipython().reset(new_session=True, aggressive=False)\n"
         "[get_ipython().extension_manager.unload_extension(name) for name in sorted(get_ipython().extension_manager.loaded)]\n"
         "get_ipython().extension_manager.loaded.clear()\n"
         "__import__('sys').modules.get('briefpack.data.record') and __import__('sys').modules['briefpack.data.record'].start()\n"
         "__import__('gc').freeze()")

class WarmEngine(NBClientEngine):
    """A Papermill engine that runs notebooks on a :class:`Kernel` that outlives the run.

    Papermill's own engine starts a kernel and connects a client to it for every run (seconds, and
    about 0.2 s of handshake even on a running kernel); this one runs the notebook on the kernel
    and client given as ``kernel=``, after resetting the kernel's namespace, so the run sees a
    fresh session. Without ``kernel=`` (``papermill --engine briefpack-warm``) it is Papermill's
    own engine. Registered as ``briefpack-warm`` by :func:`register` and by the ``papermill.engine``
    entry point (pyproject.toml).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, kernel=None, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        if kernel is None:
            return super().execute_managed_notebook(
                nb_man, kernel_name, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                start_timeout=start_timeout, execution_timeout=execution_timeout, **kwargs)
        return kernel.client.run(nb_man, timeout=execution_timeout, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)


class WarmClient(NotebookClient):
    """nbclient's client, made once per :class:`Kernel` on its kernel manager (``km=``) and kept.

    nbclient connects a client to the kernel in :meth:`setup_kernel` when it has none, and leaves
    kernel and client running when it was given the kernel manager; so the handshake happens once,
    and each run only points the client at its notebook. :meth:`run` executes the cells as
    Papermill's own engine does, reporting each to Papermill's ``NotebookExecutionManager``
    (``cell_start``, ``cell_exception``, ``cell_complete``), so a failing cell is marked in the
    notebook Papermill saves and Papermill raises ``PapermillExecutionError`` for it.
    """

    dirty = False       # a notebook ran since the namespace was last reset
    cell_seconds = ()         # the last run's time of each cell, in the notebook's order (perf_counter)

    def reset(self) -> None:
        """Clear the kernel's variables (imported modules stay) before the next notebook."""
        reply = self.wait_for_reply(self.kc.execute(RESET, silent=True, store_history=False))
        if reply is None or reply["content"].get("status") != "ok":
            raise RuntimeError("the kernel could not be reset between briefings")
        self.dirty = False

    def run(self, nb_man, timeout=None, log_output=False, stdout_file=None, stderr_file=None):
        self.nb = nb_man.nb
        self.timeout = timeout
        self.reset_execution_trackers()
        with self.setup_kernel():
            if self.dirty:
                self.reset()
            self.dirty = True
            self.cell_seconds = []
            for index, cell in enumerate(self.nb.cells):
                start = time.perf_counter()
                try:
                    nb_man.cell_start(cell, index)
                    self.execute_cell(cell, index)
                except CellExecutionError as exc:
                    nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=exc)
                    break
                finally:
                    nb_man.cell_complete(self.nb.cells[index], cell_index=index)
                    self.cell_seconds.append(time.perf_counter() - start)
                    _echo(self.nb.cells[index], log_output, stdout_file, stderr_file)
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            self.set_widgets_metadata()
        return self.nb


def _echo(cell, log_output: bool, stdout_file, stderr_file) -> None:
    """A cell's printed output to Papermill's log and files, as ``log_output``, ``stdout_file`` and
    ``stderr_file`` ask (after the cell, not while it runs)."""
    if not (log_output or stdout_file or stderr_file):
        return
    log = logging.getLogger("papermill")
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            text = "".join(output.get("text", ""))
            if log_output:
                (log.info if output.get("name") == "stdout" else log.warning)(text)
            target = stdout_file if output.get("name") == "stdout" else stderr_file
            if target is not None:
                target.write(text)
                target.flush()
        elif log_output and "text/plain" in output.get("data", {}):
            log.info("".join(output["data"]["text/plain"]))
