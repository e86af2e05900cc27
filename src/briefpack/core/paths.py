"""Where things live. One place, so tests and CI can point the build at a copy of the project."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]   # src/briefpack (this file is core/paths.py)


@lru_cache(maxsize=16)
def _resolved(path: str) -> Path:
    return Path(path).resolve()


def project_root() -> Path:
    """The project folder: ``$BRIEFPACK_ROOT`` if set, else the checkout this package sits in."""
    env = os.environ.get("BRIEFPACK_ROOT")
    if env:
        return _resolved(env)
    return PACKAGE_DIR.parents[1]


def data_dir() -> Path:
    """``$BRIEFPACK_DATA`` if set (tests point it at a copy), else ``data/`` in the project."""
    return _resolved(os.environ.get("BRIEFPACK_DATA") or str(project_root() / "data"))


def content_dir() -> Path:
    """``$BRIEFPACK_CONTENT`` if set, else ``content/`` in the project."""
    return _resolved(os.environ.get("BRIEFPACK_CONTENT") or str(project_root() / "content"))


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def briefings_dir() -> Path:
    return project_root() / "briefings"


def templates_dir() -> Path:
    """``templates/`` in the project: the page layout and the words around the figures (researchers edit
    them): ``briefing/`` (the nbconvert template and its CSS) and ``sections/`` (one per section)."""
    return project_root() / "templates"


def web_templates_dir() -> Path:
    """The web page's own templates and static files: application code, shipped inside the package."""
    return PACKAGE_DIR / "templates" / "web"
