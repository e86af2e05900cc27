"""A campaign, read as data: ``campaign.yml`` in its folder names it and says how its briefings are laid out.

The project folder is the modern-slavery campaign; ``build --campaign DIR`` builds another one's briefings
with the same engine (``examples/turnout/`` is one). A campaign folder holds::

    campaign.yml      name, title, the briefing's title, its notebook and its layout (below)
    content/          its concerns (content/concerns/<key>.yml), figures, letter words (YAML)
    notebooks/        its briefing notebook, run by Papermill; its parameters cell says which of the
                      briefing's parameters (briefpack.request.inputs.FIELDS) it takes, with their defaults
    templates/        optional: section templates replacing the project's of the same name

``layout`` is ``modern-slavery`` (the project's own briefing: police forces, the bodies that hold each
power, Scottish Parliament seats: :class:`briefpack.render.briefing.Briefing`) or ``seat`` (a briefing for
one Westminster seat from the campaign's concerns, declared figures and letter words:
:class:`briefpack.render.seat_briefing.SeatBriefing`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.data.catalogue import read_yaml
from briefpack.words.sentences import placeholders, stamps

LAYOUTS = ("modern-slavery", "seat")
FILE = "campaign.yml"
_TITLE_PLACEHOLDERS = {"seat", "addressee"}


@dataclass(frozen=True)
class Campaign:
    folder: Path
    name: str            # a slug: the output folder's name under briefings/ for a campaign other than the project's
    title: str           # the campaign as its members know it
    briefing_title: str  # the HTML <title> and PDF footer: {seat}, {addressee}
    notebook: str        # the briefing notebook, in notebooks/
    layout: str          # one of LAYOUTS

    @property
    def is_project(self) -> bool:
        """True for the project's own campaign (its briefings go to briefings/, not briefings/<name>/)."""
        return self.folder == paths.project_root()

    def title_for(self, seat: str, addressee: str) -> str:
        return self.briefing_title.replace("{seat}", seat).replace("{addressee}", addressee)


def _shown(folder: Path) -> str:
    try:
        return (folder / FILE).relative_to(paths.project_root()).as_posix()
    except ValueError:
        return str(folder / FILE)


@lru_cache(maxsize=8)
def _load(key: tuple) -> Campaign:
    path = Path(key[0][0])
    folder, shown = path.parent, _shown(path.parent)
    if not path.is_file():
        raise DataError(f"{shown} does not exist; a campaign folder needs one (see examples/turnout/campaign.yml).")
    doc = read_yaml(path, shown)
    missing = [k for k in ("name", "title", "briefing_title", "notebook", "layout") if not doc.get(k)]
    if missing:
        raise DataError(f"{shown}: missing field(s) {missing}; see examples/turnout/campaign.yml.")
    name = str(doc["name"])
    if not name.replace("-", "").isalnum() or name != name.lower():
        raise DataError(f"{shown}: name {name!r} must be lower-case letters, digits and hyphens (it names a folder).")
    if doc["layout"] not in LAYOUTS:
        raise DataError(f"{shown}: layout {doc['layout']!r} is unknown; use one of {', '.join(LAYOUTS)}.")
    unknown = set(placeholders(str(doc["briefing_title"]))) - _TITLE_PLACEHOLDERS
    if unknown:
        raise DataError(f"{shown}: briefing_title may use only {{seat}} and {{addressee}}, not {sorted(unknown)}.")
    notebook = str(doc["notebook"])
    if not (folder / "notebooks" / notebook).is_file():
        raise DataError(f"{shown}: its notebook notebooks/{notebook} does not exist in {folder}.")
    return Campaign(folder, name, " ".join(str(doc["title"]).split()), " ".join(str(doc["briefing_title"]).split()),
                    notebook, str(doc["layout"]))


def load(folder: Path) -> Campaign:
    """The campaign of ``folder`` (its ``campaign.yml``, checked; read again when it changes)."""
    return _load(stamps(Path(folder).resolve() / FILE))


def current() -> Campaign:
    """The campaign being built (:func:`briefpack.core.paths.campaign_dir`)."""
    return load(paths.campaign_dir())
