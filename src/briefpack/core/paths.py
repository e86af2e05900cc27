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


def campaign_dir() -> Path:
    """The campaign whose briefings are built: ``$BRIEFPACK_CAMPAIGN`` if set (``build --campaign DIR``), else
    the project folder, which is the modern-slavery campaign. A campaign folder holds ``campaign.yml`` (its
    name, titles and layout), ``content/`` (its concerns, figures and words) and ``notebooks/``; it may hold
    ``templates/sections/`` (section templates that replace the project's of the same name)."""
    env = os.environ.get("BRIEFPACK_CAMPAIGN")
    if env:
        return _resolved(env)
    return project_root()


def data_dir() -> Path:
    """``$BRIEFPACK_DATA`` if set (tests point it at a copy), else ``data/`` in the project."""
    return _resolved(os.environ.get("BRIEFPACK_DATA") or str(project_root() / "data"))


def content_dir() -> Path:
    """``$BRIEFPACK_CONTENT`` if set, else ``content/`` in the campaign folder."""
    return _resolved(os.environ.get("BRIEFPACK_CONTENT") or str(campaign_dir() / "content"))


def notebooks_dir() -> Path:
    """``notebooks/`` in the campaign folder."""
    return campaign_dir() / "notebooks"


def section_template_dirs() -> tuple[Path, ...]:
    """Where section templates are looked up, first match wins: the campaign's own ``templates/sections/``
    (when it has one), then the project's."""
    shared = templates_dir() / "sections"
    own = campaign_dir() / "templates" / "sections"
    return (own, shared) if own != shared and own.is_dir() else (shared,)


def briefings_dir() -> Path:
    return project_root() / "briefings"


def templates_dir() -> Path:
    """``templates/`` in the project: the page layout and the words around the figures (researchers edit
    them): ``briefing/`` (the nbconvert template and its CSS) and ``sections/`` (one per section)."""
    return project_root() / "templates"


def web_templates_dir() -> Path:
    """The web page's own templates and static files: application code, shipped inside the package."""
    return PACKAGE_DIR / "templates" / "web"
