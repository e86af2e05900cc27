"""The house holds its shape: layers as folders, each importing only the layers below it, every import
of ours at the top of its file, and no import circle (read from the source with ``ast``, not by
importing anything)."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefpack"
# Bottom first: a module may import its own layer and the layers before it in this list.
LAYERS = ("core", "data", "places", "words", "request", "render", "build", "app")


def modules() -> dict[str, Path]:
    """{dotted name: file} of every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _resolve(module: str, node: ast.ImportFrom | ast.Import, alias: ast.alias) -> list[str]:
    """The modules of ours that one import names (``from briefpack.data import record`` names
    ``briefpack.data.record``; ``from briefpack.data.record import memo`` names ``briefpack.data.record``)."""
    if isinstance(node, ast.Import):
        return [alias.name] if alias.name.startswith("briefpack") else []
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        pkg = module.split(".")
        pkg = pkg[: len(pkg) - node.level] if not MODULES[module].name == "__init__.py" else pkg[: len(pkg) - node.level + 1]
        base = ".".join(pkg + ([base] if base else []))
    if not base.startswith("briefpack"):
        return []
    sub = f"{base}.{alias.name}"
    return [sub] if sub in MODULES else [base]


MODULES = modules()


@functools.cache   # the source does not change during a run: each file is parsed once, not once a test
def imports(module: str) -> tuple[tuple[str, int, bool], ...]:
    """((imported module of ours, line, at the top of the file), ...)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                for target in _resolve(module, node, alias):
                    out.append((target, node.lineno, id(node) in top))
    return tuple(out)


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in imports(m) if t != m and t in MODULES} for m in MODULES}


def test_every_module_is_in_a_layer():
    loose = [m for m in MODULES if m != "briefpack" and layer(m) is None]
    assert not loose, f"modules outside the layer folders {LAYERS}: {loose}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "briefpack"))
def test_imports_only_layers_below_and_at_the_top(module):
    rank = LAYERS.index(layer(module))
    for target, line, at_top in imports(module):
        where = f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {target}"
        assert at_top, f"{where} inside a function or block: put it at the top of the file"
        if target == "briefpack":
            raise AssertionError(f"{where}: import the module it needs, not the package's root")
        assert LAYERS.index(layer(target)) <= rank, (
            f"{where}: an upward import ({layer(module)} may import only {', '.join(LAYERS[:rank + 1])})")


def test_the_root_package_imports_nothing_at_import_time():
    """``import briefpack`` changes nothing and loads nothing: its helpers import what they need when called."""
    root = [(t, line) for t, line, at_top in imports("briefpack") if at_top]
    assert not root, f"src/briefpack/__init__.py imports {root} at import time"


def test_no_import_circle():
    g = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(g[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if not state.get(t):
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(g):
        if not state.get(m):
            visit(m)


def test_the_checker_sees_imports():
    """The checks above would pass on a package they could not read: make sure they read this one."""
    g = graph()
    assert "briefpack.data.catalogue" in g["briefpack.places.geography"]
    assert "briefpack.core.errors" in g["briefpack.app.cli"]
    assert len(MODULES) > 40
