"""The manifest hashes what shapes a briefing, and only that: the code that runs in the kernel and in
the export, and the versions of every library and browser that shape the files. A change to the web
app, the command line, the pool or a benchmark rebuilds nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefpack.build import manifest
from briefpack.core import paths

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefpack"


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    copy = tmp_path / "briefpack"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE_DIR", copy)
    manifest.code_hash.cache_clear()
    yield copy
    manifest.code_hash.cache_clear()


def _touch(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")


@pytest.mark.parametrize("edited", ["app/web.py", "app/cli.py", "templates/web/base.html.j2", "build/pool.py",
                                    "build/pack.py", "build/manifest.py"])
def test_an_edit_outside_what_shapes_a_briefing_changes_no_hash(package_copy, edited):
    before = manifest.code_hash()
    target = package_copy / edited
    assert target.exists(), f"{edited} moved: update this test"
    _touch(target)
    manifest.code_hash.cache_clear()
    assert manifest.code_hash() == before, f"an edit to {edited} would rebuild every briefing"


@pytest.mark.parametrize("edited", ["render/letters.py", "words/figures.py", "data/stats.py", "core/text.py",
                                    "build/export.py", "build/preprocessors.py", "__init__.py"])
def test_an_edit_to_what_shapes_a_briefing_changes_the_hash(package_copy, edited):
    before = manifest.code_hash()
    _touch(package_copy / edited)
    manifest.code_hash.cache_clear()
    assert manifest.code_hash() != before, f"an edit to {edited} would not rebuild the briefings it shapes"


def test_every_layer_that_runs_in_the_kernel_is_hashed():
    files = {p.relative_to(PACKAGE).parts[0] for p in manifest.shaping_files()}
    assert set(manifest.SHAPING_LAYERS) <= files
    assert "app" not in files


def test_the_libraries_and_browser_that_shape_the_files_are_recorded():
    versions = manifest.library_versions()
    for lib in ("python-docx", "beautifulsoup4", "nbconvert", "papermill", "altair", "vl-convert-python", "pandas"):
        assert f"{lib}==" in versions and f"{lib}==?" not in versions, f"{lib}'s version is not in the manifest"
    pdf = manifest.Inputs(("html", "pdf")).shared
    html = manifest.Inputs(("html",)).shared
    assert "browser" in pdf and "browser" not in html, "the browser shapes the PDF only"
    assert manifest.browser_version().startswith("Chromium "), manifest.browser_version()
