"""The committed notebooks are in nbformat's canonical form, so opening and saving one in JupyterLab
changes no byte; their parameters are the ones papermill reads from the tagged cell; and importing
briefpack changes nothing in the process (the notebooks turn the display on themselves)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "examples").glob("*/notebooks/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_round_trips_byte_for_byte(path):
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    assert nbformat.writes(nb) + "\n" == before or nbformat.writes(nb) == before, (
        f"{path.name} is not in nbformat's canonical form: rewrite it with nbformat.write")
    raw = json.loads(before)
    for cell in raw["cells"]:
        assert isinstance(cell["source"], list), f"{path.name}: a cell's source is one string, not lines"
        assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name}: outputs are committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_turns_the_briefing_display_on(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    assert code and code[0].source.startswith("%load_ext briefpack"), (
        f"{path.name}: the first cell after the parameters turns the display on with %load_ext briefpack")


@pytest.mark.e2e  # starts processes
def test_import_briefpack_leaves_the_process_as_it_was():
    """pandas' options, Altair's theme and renderer, logging and papermill's registries are unchanged
    by importing the package and its modules (a researcher's kernel is theirs)."""
    code = r"""
import json, logging, sys
import pandas as pd, altair as alt
import papermill.engines as pe, papermill.iorw as pio
def outcome(fn):
    try:
        return type(fn()).__name__
    except Exception as exc:
        return type(exc).__name__
def state():
    return {
        "pandas": pd.get_option("display.max_rows"),
        "theme": alt.theme.active, "renderer": alt.renderers.active,
        "loggers": {n: logging.getLogger(n).level for n in ("papermill", "traitlets", "nbclient", "briefpack")},
        "handlers": len(logging.getLogger().handlers), "root": logging.getLogger().level,
        "engine": outcome(lambda: pe.papermill_engines.get_engine("briefpack-warm")),
        "io": outcome(lambda: pio.papermill_io.get_handler("briefpack-failed://x.ipynb")),
        "frame_repr": type(pd.DataFrame._repr_html_).__name__,
    }
before = state()
import briefpack
import briefpack.render.briefing, briefpack.render.display, briefpack.render.charts, briefpack.build.execute
after = state()
print(json.dumps([before, after]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = json.loads(out.stdout)
    assert before == after


def test_the_briefing_notebook_takes_the_parameters_of_the_one_definition():
    """papermill reads the notebook's parameters from its tagged cell: the same names and defaults as
    briefpack.request.inputs defines (the command line, the web page and the job key use that too)."""
    import papermill

    from briefpack.request import inputs

    found = papermill.inspect_notebook(str(ROOT / "notebooks" / "briefing.ipynb"))
    defaults = {name: ast.literal_eval(p["default"]) for name, p in found.items()}   # the cell's literals
    assert defaults == inputs.briefing_defaults()
