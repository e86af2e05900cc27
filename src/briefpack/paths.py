"""Where things live. One place, so tests and CI can point the build at a copy of the project."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The project folder: ``$BRIEFPACK_ROOT`` if set, else the checkout this package sits in."""
    env = os.environ.get("BRIEFPACK_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parents[1]


def data_dir() -> Path:
    return Path(os.environ.get("BRIEFPACK_DATA", project_root() / "data")).resolve()


def content_dir() -> Path:
    return Path(os.environ.get("BRIEFPACK_CONTENT", project_root() / "content")).resolve()


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def briefings_dir() -> Path:
    return project_root() / "briefings"


def templates_dir() -> Path:
    return PACKAGE_DIR / "templates"
