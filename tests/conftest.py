"""Shared fixtures: real briefings built once per test session through the real command line."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Fixtures kept in modules of their own: the report tests' databases (SQLite and PostgreSQL).
pytest_plugins = ["databases"]

ROOT = Path(__file__).resolve().parents[1]
# The data the tests read their expectations from: the same folder the package reads, so a run with
# BRIEFPACK_DATA pointing at a copy (the by-election swap test, tests/test_data_swap.py) checks the copy.
DATA = Path(os.environ.get("BRIEFPACK_DATA") or ROOT / "data").resolve()
XSS = "<script>alert(1)</script>"

# One seat from each of three nations, plus a seat split across two police forces.
SEATS = {
    "banbury": ("Banbury", "training,children,policing"),
    "ynys-mon": ("W07000112", "data,legislation,aftercare"),
    "aberdeen-north": ("Aberdeen North", "legislation,commissioner,children"),
}


def run_build(*args, env=None, cwd=ROOT, timeout=900):
    """Run `python build.py ARGS` as a campaigner would; returns the CompletedProcess. Tests written in
    the earlier form (``--constituency X``, ``--serve``) run as the subcommand it stands for (the same
    mapping the command line applies, tested in tests/test_cli.py), so they do not print its note."""
    from briefpack.app.cli import modernise

    fast_layer_guard("starts build.py in a new process")
    full_env = dict(os.environ)
    full_env.update(env or {})
    argv, _ = modernise([str(a) for a in args])
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def run_cli(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    """Run the command line in this process (``briefpack.app.cli.main(args)``), as ``run_build`` does in a
    new one: ``env`` set for the call only, stdout and stderr captured, the exit code returned. For the
    tests that are not about the process itself (exit on a signal, a fresh interpreter): no start-up cost."""
    import contextlib
    import io

    from briefpack.app.cli import main, modernise

    args, _ = modernise([str(a) for a in args])   # the earlier form runs as its subcommand, without the note
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    here = Path.cwd()
    os.environ.update(env or {})
    try:
        os.chdir(cwd or ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:      # argparse: --help, or a usage error
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.chdir(here)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return subprocess.CompletedProcess(["build.py", *map(str, args)], code, out.getvalue(), err.getvalue())


def read_csv(name: str) -> list[dict]:
    """Read a data table with the standard library only, independent of briefpack. Each call gets rows
    of its own (a test may change them); the file is parsed again only when it has changed."""
    path = DATA / f"{name}.csv"
    st = path.stat()
    return [dict(row) for row in _parsed_csv(path, st.st_mtime_ns, st.st_size)]


@functools.lru_cache(maxsize=32)
def _parsed_csv(path: Path, mtime_ns: int, size: int) -> tuple:
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


# --- expectations read from the data, so a refresh of the members (a by-election) breaks no test ---------

def safe_yaml(text: str):
    """``yaml.safe_load`` on libyaml's C parser when PyYAML has it (about ten times faster; the same
    safe subset), else on the pure-Python one."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def sidecar(name: str) -> dict:
    """A table's ``.meta.yml``, read with PyYAML only."""
    return safe_yaml((DATA / f"{name}.meta.yml").read_text(encoding="utf-8"))


def members_base_date() -> dt.date:
    """The date the first members file brought in holds at (its sidecar's ``provenance.as_at``)."""
    return dt.date.fromisoformat(str(sidecar("mps_current")["provenance"]["as_at"]))


def members_snapshot_date() -> dt.date:
    """The date of the members file in use (its sidecar's ``snapshot.as_at``, written by each refresh)."""
    return dt.date.fromisoformat(str(sidecar("mps_current")["snapshot"]["as_at"]))


def seat_as_at(gss_code: str) -> dt.date:
    """The date a seat's member holds at: the first file's, or that of the last logged change of the seat."""
    days = [dt.date.fromisoformat(r["file_changed"]) for r in read_csv("mp_changes") if r["gss_code"] == gss_code]
    return max([members_base_date(), *days])


def long_date(day: dt.date) -> str:
    """'27 June 2026': how a briefing writes a date."""
    return f"{day.day} {day:%B %Y}"


def current_member(seat: str) -> dict:
    """The members file's row for a seat, by name or GSS code."""
    return next(r for r in read_csv("mps_current") if seat in (r["pcon_name"], r["pcon_code"]))


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that briefpack reads in this test (BRIEFPACK_DATA), to change without harm. Tests
    that hand the copy to a process of their own define a data_copy without the variable."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    monkeypatch.setenv("BRIEFPACK_DATA", str(dest))
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Build the three seats (HTML and PDF) in one batch into a temporary folder."""
    out = tmp_path_factory.mktemp("briefings")
    args = []
    for name, _ in SEATS.values():
        args += ["--constituency", name]
    # Different concerns per seat need separate runs; build the first two together with defaults
    # would hide that, so run one command per seat, with the club name hostile on purpose.
    for slug, (name, concerns) in SEATS.items():
        proc = run_build("--constituency", name, "--concerns", concerns, "--club", f"Soroptimists {XSS}",
                         "--meeting-date", "2026-12-04", "--out", str(out), "--jobs", "1")
        assert proc.returncode == 0, proc.stderr
    return out


# Test files that run notebooks, worker processes or a browser: `pytest -m "not e2e"` leaves them out
# and runs the fast unit tests in seconds. A test elsewhere that builds, or starts a process or a
# server, marks itself; the rest call the command line in-process (run_cli).
E2E_MODULES = {"test_briefing_e2e", "test_campaign_kit", "test_pack", "test_topics", "test_faults", "test_pool"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in E2E_MODULES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.e2e)     # a real browser is a process too


FAST_LAYER = "not e2e"
MOST_WORKERS = 4


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """``pytest -m "not e2e"`` over the whole suite (no paths given) runs on every core, up to four,
    with pytest-xdist, as if ``-n N`` had been given: on this 2-core machine about 15 s instead of
    about 20 s (both when the machine is quiet). A file or a test named on the command line runs in
    this process (a worker costs about 2 s to start), as does any run given ``-n`` itself (``-n 0``:
    one process), ``--pdb`` or ``--collect-only``. The full suite is left serial: its browsers and
    build pools use the cores."""
    if (not config.pluginmanager.hasplugin("xdist")
            or hasattr(config, "workerinput")                # a worker itself
            or os.environ.get("PYTEST_XDIST_WORKER")         # a worker itself, told by its environment
            or config.option.numprocesses is not None
            or " ".join(config.option.markexpr.split()) != FAST_LAYER
            or config.args_source is not pytest.Config.ArgsSource.TESTPATHS
            or config.option.usepdb or config.option.collectonly):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores > 1:
        config.option.numprocesses = min(cores, MOST_WORKERS)
    return None


def pytest_collection_finish(session):
    """What collection made (modules, data read at import, the package) lives for the whole run: moved
    out of the garbage collector's sight, each later collection scans only what the tests make (as the
    warm kernel does after its reset)."""
    gc.collect()
    gc.freeze()


_RUNNING = {"e2e": True}


def pytest_runtest_setup(item):
    _RUNNING["e2e"] = item.get_closest_marker("e2e") is not None


def fast_layer_guard(what: str) -> None:
    """The fast layer starts no process: a test that does is marked e2e (or calls run_cli instead)."""
    if not _RUNNING["e2e"]:
        pytest.fail(f"a test of the fast layer {what}: call the command line in-process (run_cli) or mark "
                    "the test e2e", pytrace=False)


class ProjectCopy:
    """A copy of the project that a test may edit, built through the real command line.

    ``notebooks/`` is copied; every other top-level folder is a link to the real one until the test
    calls :meth:`own` to edit a copy of it (``content``, ``data``...). ``BRIEFPACK_ROOT``,
    ``BRIEFPACK_DATA`` and ``BRIEFPACK_CONTENT`` point the build at the copy.
    """

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True)
        for entry in ROOT.iterdir():
            if not entry.name.startswith(".") and entry.name not in ("briefings", "build", "dist"):
                source = DATA if entry.name == "data" else entry      # the data the tests read (BRIEFPACK_DATA)
                (root / entry.name).symlink_to(source, target_is_directory=source.is_dir())
        self.own("notebooks")
        self.env = {"BRIEFPACK_ROOT": str(root), "BRIEFPACK_DATA": str(root / "data"),
                    "BRIEFPACK_CONTENT": str(root / "content")}

    def own(self, folder: str) -> Path:
        """Replace the link to ``folder`` by a copy the test may edit; returns the copy."""
        import shutil

        path = self.root / folder
        if path.is_symlink():
            path.unlink()
            shutil.copytree(DATA if folder == "data" else ROOT / folder, path)
        return path

    def insert_cell(self, after: str, source: str, notebook: str = "briefing.ipynb", tags=(),
                    markdown: bool = False) -> None:
        """Insert a code cell (or a Markdown cell) after the first cell whose source contains ``after``."""
        import nbformat

        path = self.root / "notebooks" / notebook
        nb = nbformat.read(str(path), as_version=4)
        found = [i for i, c in enumerate(nb.cells) if after in c.source]
        if not found:
            raise ValueError(f"no cell of {notebook} contains {after!r}")
        at = found[0]
        cell = (nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell)(source)
        cell.metadata["tags"] = list(tags)
        nb.cells.insert(at + 1, cell)
        nbformat.write(nb, str(path))

    def replace(self, old: str, new: str, notebook: str = "briefing.ipynb") -> None:
        """Replace ``old`` by ``new`` in the first cell whose source contains ``old``."""
        import nbformat

        path = self.root / "notebooks" / notebook
        nb = nbformat.read(str(path), as_version=4)
        cell = next((c for c in nb.cells if old in c.source), None)
        if cell is None:
            raise ValueError(f"no cell of {notebook} contains {old!r}")
        cell.source = cell.source.replace(old, new, 1)
        nbformat.write(nb, str(path))

    def build(self, *args, timeout=900):
        return run_build(*args, env=self.env, timeout=timeout)


@pytest.fixture
def project(tmp_path) -> ProjectCopy:
    """A copy of the project's notebooks (other folders linked) that a test may edit and build."""
    return ProjectCopy(tmp_path / "project")
