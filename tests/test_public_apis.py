"""Public APIs only: the Jupyter libraries are used through what they document, not their insides.

- The source (``src/``) imports no internal module of papermill, nbconvert, nbclient, jupyter_client
  or jupyter_core, imports and reads none of their ``_private`` names, overrides none of their
  private methods and sets no client's ``kc`` (read with ``ast``; a unit test shows the search finds
  each of the uses it replaced).
- The warm engine is a papermill ``Engine``, found by its ``papermill.engine`` entry point; it runs
  notebooks on one kernel without starting another, and without a kernel it is papermill's own.
- ``jupyter nbconvert --to html --template briefing`` on an executed notebook gives the build's page.
"""
from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from briefpack.build import execute
from briefpack.build.execute import ENGINE, Kernel, WarmEngine, run_notebook
from briefpack.build.worker import Worker
from briefpack.core.errors import ExecutionError
from briefpack.data import record

SRC = ROOT / "src"
TEMPLATE = ROOT / "templates" / "briefing"

# The modules each library documents for use from outside (its API reference, or its guide to
# extending it). Anything else under these packages is internal: papermill.clientwrap, for one,
# holds the client papermill's own engine uses.
PUBLIC_MODULES = {
    "papermill": {"papermill", "papermill.engines", "papermill.iorw", "papermill.exceptions",
                  "papermill.translators"},
    "nbconvert": {"nbconvert", "nbconvert.exporters", "nbconvert.preprocessors", "nbconvert.filters",
                  "nbconvert.postprocessors", "nbconvert.writers"},
    "nbclient": {"nbclient", "nbclient.exceptions"},
    "jupyter_client": {"jupyter_client", "jupyter_client.kernelspec"},
    "jupyter_core": {"jupyter_core", "jupyter_core.paths", "jupyter_core.utils"},
}
# Attributes that belong to their clients and managers: set by them, read by us.
OWNED_BY_THE_LIBRARY = {"kc"}
# Public despite the underscore: namedtuple's documented methods (the underscore keeps them apart
# from field names).
DOCUMENTED_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in PUBLIC_MODULES else None


def _check_module(module: str) -> str | None:
    top = _library(module)
    if top is None:
        return None
    if module not in PUBLIC_MODULES[top] or any(_private(part) for part in module.split(".")):
        return f"internal module {module}"
    return None


def _imported(tree: ast.AST) -> dict[str, str]:
    """{local name: dotted origin} for every import of the libraries in a file (at any depth)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name):     # import a.b binds a; import a.b as c binds a.b
                    names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level and _library(node.module):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _other_modules(tree: ast.AST) -> set[str]:
    """Local names bound to modules other than the libraries' (``import os``, ``import sys as s``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names if not _library(a.name)}
    return names


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _resolve(dotted: str):
    """The object a dotted name of a library names (module, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


def _ours(trees: list[ast.AST]) -> set[str]:
    """The private names our own source defines (functions, classes, attributes it assigns)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if _private(n)}


def problems(sources: dict[str, str]) -> list[str]:
    """Every use of a library's internals in ``{file name: source}``, one line each."""
    trees = {name: ast.parse(text, name) for name, text in sources.items()}
    ours = _ours(list(trees.values()))
    found = []
    for name, tree in trees.items():
        imported = _imported(tree)
        others = _other_modules(tree)
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                found += [f"{where}: {p}" for a in node.names if (p := _check_module(a.name))]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if (p := _check_module(node.module)):
                    found.append(f"{where}: {p}")
                if _library(node.module):
                    found += [f"{where}: private name {node.module}.{a.name}" for a in node.names if _private(a.name)]
            elif isinstance(node, ast.Attribute):
                # A private name we do not define, read from anything but another library's module
                # (os._exit is the standard library's business): on self of a subclass, it is the
                # base class's; on a client, a manager or an exporter, the library's.
                if (_private(node.attr) and node.attr not in ours | DOCUMENTED_UNDERSCORED
                        and _root(node) not in others):
                    found.append(f"{where}: private attribute .{node.attr}")
                if isinstance(node.ctx, ast.Store) and node.attr in OWNED_BY_THE_LIBRARY:
                    found.append(f"{where}: sets .{node.attr}, which the library's client owns")
            elif isinstance(node, ast.ClassDef):
                for base in node.bases:
                    dotted = ast.unparse(base)
                    head, _, rest = dotted.partition(".")
                    if head not in imported:
                        continue
                    cls = _resolve(imported[head] + (f".{rest}" if rest else ""))
                    for item in node.body:
                        if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(item.name)
                                and hasattr(cls, item.name)):
                            found.append(f"{where}: overrides {cls.__name__}.{item.name}")
    return found


def test_the_source_uses_no_internal_of_the_jupyter_libraries():
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py"))}
    assert len(sources) > 40
    assert problems(sources) == []


def test_the_template_names_only_public_preprocessors():
    conf = json.loads((TEMPLATE / "conf.json").read_text())
    for key, pre in conf["preprocessors"].items():
        module = pre["type"].rpartition(".")[0]
        assert _check_module(module) is None, f"{key}: {pre['type']}"
        assert _resolve(pre["type"]) is not None


# What the search replaced (issue 16): each is found.
OLD_USES = {
    "papermill.clientwrap": "from papermill.clientwrap import PapermillNotebookClient\n",
    "kc": "def run(client, kernel):\n    client.kc = kernel.kc\n",
    "_init_resources": "def f(self, resources):\n    return self._init_resources(resources)\n",
    "_nb_metadata": "from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter\n"
                    "def f(self):\n    return WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata)\n",
    "overrides": "from nbconvert import HTMLExporter\n"
                 "class E(HTMLExporter):\n    def _init_resources(self, resources):\n        return resources\n",
    "private name": "from papermill.engines import _engines\n",
    "internal module jupyter_client": "import jupyter_client.session\n",
}


@pytest.mark.parametrize("what", sorted(OLD_USES))
def test_the_search_finds_each_old_use(what):
    found = problems({"old.py": OLD_USES[what]})
    assert found and all(line.startswith("old.py:") for line in found)
    assert any(what.split()[-1] in line for line in found), found


def test_our_own_private_names_and_public_imports_pass():
    text = ("from nbclient import NotebookClient\nfrom papermill.engines import NBClientEngine\n"
            "class C(NotebookClient):\n    def run(self):\n        self._mine = 1\n        return self._mine, self.kc\n")
    assert problems({"new.py": text}) == []


# --- the warm engine ----------------------------------------------------------------------------

def test_the_entry_point_names_the_warm_engine_and_register_gives_it_to_papermill():
    from papermill.engines import Engine, papermill_engines

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["papermill.engine"]
    loaded = EntryPoint(name=ENGINE, value=declared[ENGINE], group="papermill.engine").load()
    assert loaded is WarmEngine and issubclass(loaded, Engine)
    execute.register()
    assert papermill_engines.get_engine(ENGINE) is WarmEngine


def _notebook(*sources: str, parameters: str | None = None) -> nbformat.NotebookNode:
    cells = []
    if parameters is not None:
        cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                          "display_name": "Python 3"}})


def _printed(nb) -> str:
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream").strip()


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


@pytest.mark.e2e
def test_one_kernel_runs_notebook_after_notebook_each_in_a_fresh_namespace(kernel):
    nb = _notebook("%load_ext briefpack",
                   "import os\nprint(os.getpid(), globals().get('left_over'))\nleft_over = value",
                   parameters="value = 0")
    first = run_notebook(nb, {"value": 1}, kernel)
    client, km = kernel.client, kernel.km
    second = run_notebook(nb, {"value": 2}, kernel)
    pid1, seen1 = _printed(first).split()
    pid2, seen2 = _printed(second).split()
    assert pid1 == pid2, "the second notebook ran on the same kernel process"
    assert kernel.client is client and kernel.km is km, "and through the same client: no new handshake"
    assert seen1 == seen2 == "None", "the second notebook does not see the first one's variables"
    assert first.cells[1].outputs == second.cells[1].outputs == [], \
        "%load_ext loads the extension again, as in a new kernel (no 'already loaded')"
    assert second.metadata["language_info"]["name"] == "python"
    assert "papermill" not in second.metadata, "run_notebook drops what varies between runs"


@pytest.mark.e2e
def test_a_failing_cell_on_the_warm_kernel_is_named_and_its_notebook_kept(kernel):
    bad = _notebook("x = 1", "raise ValueError('no such seat')", "print('not reached')")
    with pytest.raises(ExecutionError) as failed:
        run_notebook(bad, {}, kernel)
    assert "ValueError: no such seat" in str(failed.value)
    kept = failed.value.notebook
    assert [o.output_type for o in kept.cells[-2].outputs] == ["error"]
    assert kept.cells[-2].metadata["papermill"]["status"] == "failed"
    assert kept.cells[-1].metadata["papermill"]["status"] == "pending", "the cells after it did not run"
    again = run_notebook(_notebook("print(globals().get('x'))"), {}, kernel)
    assert _printed(again) == "None", "the kernel goes on, reset"


@pytest.mark.e2e
def test_without_a_kernel_the_warm_engine_is_papermills_own(tmp_path):
    import papermill as pm

    execute.register()
    path = tmp_path / "in.ipynb"
    nbformat.write(_notebook("print(21 * 2)", parameters="x = 0"), path)
    out = pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), parameters={"x": 1},
                              engine_name=ENGINE, kernel_name="python3", progress_bar=False)
    assert _printed(out) == "42"
    assert out.metadata["papermill"]["parameters"] == {"x": 1}


# --- the nbconvert command line gives the build's page -------------------------------------------

def test_the_template_leaves_out_what_the_build_leaves_out():
    conf = json.loads((TEMPLATE / "conf.json").read_text())
    tags = next(p["remove_cell_tags"] for p in conf["preprocessors"].values() if p["type"].endswith("TagRemovePreprocessor"))
    assert record.TAG in tags and "parameters" in tags and "injected-parameters" in tags and "notes" in tags


@pytest.mark.e2e
def test_nbconvert_command_line_with_the_briefing_template_gives_the_build_page(kernel, tmp_path):
    worker = Worker()
    worker.kernel = kernel
    executed = run_notebook(worker._notebook("briefing.ipynb"), {}, kernel)   # the notebook's own seat
    record.from_notebook(executed)                                            # as Worker.render does
    page = worker._html(executed, "Briefing")
    path = tmp_path / "executed.ipynb"
    nbformat.write(executed, path)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--template", "briefing",
           f"--TemplateExporter.extra_template_basedirs={TEMPLATE.parent}", "--output-dir", str(tmp_path / "out"),
           str(path)]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cli = (tmp_path / "out" / "executed.html").read_text(encoding="utf-8")

    soup = BeautifulSoup(cli, "html.parser")
    assert soup.html["lang"] == "en-GB"
    assert not soup.select(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .jp-InputPrompt, .jp-OutputPrompt, script")
    assert soup.select("main svg"), "the charts are there"
    # nbconvert's HTMLExporter writes its page out again through BeautifulSoup; the build does not
    # (BriefingHTMLExporter): the same page, spelled by BeautifulSoup.
    assert cli == str(BeautifulSoup(page, features="html.parser"))
    assert page != cli


def test_readme_gives_the_command_and_the_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "jupyter nbconvert --to html --template briefing" in readme
    assert "--TemplateExporter.extra_template_basedirs=templates" in readme
