"""Who holds the power, nation by nation: the bodies a briefing's asks are addressed to, and the law.

The words live in ``content/powers.yml`` (see content/README.md); this module checks that file and
fills its texts in for one place: a Westminster seat's nation (England, Wales, Scotland, Northern
Ireland) or the Scottish Parliament. Every body and law carries its sources, and every ask gathers the
sources of the bodies it names, so the sources page can list them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.core.text import force_in_text, join_names  # noqa: F401  (powers.join_names: callers name bodies alike)
from briefpack.data import catalogue as data
from briefpack.words.content import NATIONS, concern_keys, sources
from briefpack.words.sentences import files, fill, placeholders, stamps  # noqa: F401  (powers.fill: content's texts fill alike)

PLACES = ("England", "Wales", "Scotland", "Northern Ireland", "Scottish Parliament")
ROLES = ("home", "justice", "oversight", "children", "local", "support", "health", "government")
WORDS = ("law", "nation", "force")              # other placeholders of the texts
VOICE = ("We", "we", "our", "Our", "us", "are")  # the letter's voice, filled in by briefpack.render.letters
TEXTS = ("ask", "question", "letter")
_FILE = "content/powers.yml"


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    sources: tuple


@dataclass(frozen=True)
class Ask:
    """One concern's ask in one place, with its texts filled in (the letter keeps its voice placeholders)."""

    concern: str
    place: str
    ask: str
    question: str
    letter: str
    write_to: tuple     # names of the bodies the member is asked to write to
    bodies: tuple       # the bodies named, in order: who can act
    sources: tuple      # source ids: the entry's, its bodies' and its law's


def place_of(nation: str, parliament: str) -> str:
    """The place whose powers apply: the Scottish Parliament for its seats, else the seat's nation."""
    return "Scottish Parliament" if parliament == "scottish" else nation


class Powers:
    """The checked content of powers.yml."""

    def __init__(self, doc: dict, source_ids: set):
        self.bodies = {k: self._body(k, v, source_ids, "bodies") for k, v in self._section(doc, "bodies").items()}
        self.laws = {k: self._body(k, v, source_ids, "laws") for k, v in self._section(doc, "laws").items()}
        self.places = self._places(self._section(doc, "places"))
        self.entries = self._entries(self._section(doc, "concerns"), source_ids)

    # --- checks ---------------------------------------------------------------------------------

    @staticmethod
    def _section(doc: dict, name: str) -> dict:
        value = doc.get(name)
        if not isinstance(value, dict) or not value:
            raise DataError(f"{_FILE}: missing section '{name}'; see content/README.md.")
        return value

    @staticmethod
    def _exactly(section: dict, name: str, keys) -> None:
        missing = [k for k in keys if k not in section]
        extra = [k for k in section if k not in keys]
        if missing or extra:
            raise DataError(f"{_FILE}: {name} must be exactly {list(keys)} (missing {missing}, unknown {extra}).")

    @staticmethod
    def _sources(value, where: str, source_ids: set) -> tuple:
        ids = tuple(value or ())
        if not ids:
            raise DataError(f"{_FILE}: {where} needs 'sources' (ids from content/sources.yml).")
        unknown = [s for s in ids if s not in source_ids]
        if unknown:
            raise DataError(f"{_FILE}: {where} has unknown source id(s) {unknown}; add them to content/sources.yml.")
        return ids

    def _body(self, key: str, value, source_ids: set, section: str) -> Body:
        if not isinstance(value, dict) or not str(value.get("name") or "").strip():
            raise DataError(f"{_FILE}: {section}.{key} needs a 'name'.")
        return Body(key, " ".join(str(value["name"]).split()),
                    self._sources(value.get("sources"), f"{section}.{key}", source_ids))

    def _places(self, section: dict) -> dict:
        self._exactly(section, "places", PLACES)
        out = {}
        for name, value in section.items():
            where = f"places.{name}"
            if value.get("nation") not in NATIONS:
                raise DataError(f"{_FILE}: {where}.nation must be one of {list(NATIONS)}.")
            if value.get("law") not in self.laws:
                raise DataError(f"{_FILE}: {where}.law must be one of {sorted(self.laws)}.")
            roles = {}
            for role in ROLES:
                key = value.get(role)
                if key is None:
                    continue
                if key not in self.bodies:
                    raise DataError(f"{_FILE}: {where}.{role} is {key!r}, not one of the bodies.")
                roles[role] = key
            unknown = [k for k in value if k not in ROLES + ("nation", "law", "oversight_by_force")]
            if unknown:
                raise DataError(f"{_FILE}: {where} has unknown field(s) {unknown}; roles are {list(ROLES)}.")
            by_force = dict(value.get("oversight_by_force") or {})
            bad = [k for k in by_force.values() if k not in self.bodies]
            if bad:
                raise DataError(f"{_FILE}: {where}.oversight_by_force names unknown bodies {bad}.")
            out[name] = {"nation": value["nation"], "law": value["law"], "roles": roles, "by_force": by_force}
        return out

    def _entries(self, section: dict, source_ids: set) -> dict:
        self._exactly(section, "concerns", concern_keys())
        out = {}
        for concern, by_place in section.items():
            for places, entry in (by_place or {}).items():
                names = [p.strip() for p in str(places).split(",")]
                for place in names:
                    where = f"concerns.{concern}.{places}"
                    if place not in PLACES:
                        raise DataError(f"{_FILE}: {where}: {place!r} is not one of {list(PLACES)}.")
                    if (concern, place) in out:
                        raise DataError(f"{_FILE}: concerns.{concern} gives {place} twice.")
                    out[(concern, place)] = self._entry(entry, where, place, source_ids)
            for place in PLACES:
                if (concern, place) not in out:
                    raise DataError(f"{_FILE}: concerns.{concern} has no entry for {place}.")
        return out

    def _entry(self, entry, where: str, place: str, source_ids: set) -> dict:
        if not isinstance(entry, dict):
            raise DataError(f"{_FILE}: {where} must be a mapping with write_to, ask, question, letter and sources.")
        roles = self.places[place]["roles"]
        for field in TEXTS:
            if not str(entry.get(field) or "").strip():
                raise DataError(f"{_FILE}: {where} needs '{field}'.")
            allowed = set(roles) | set(WORDS) | (set(VOICE) if field == "letter" else set())
            for name in placeholders(entry[field]):
                low = name[:1].lower() + name[1:]
                if name not in allowed and low not in allowed:
                    raise DataError(f"{_FILE}: {where}.{field} uses {{{name}}}, which is not defined for {place}.")
        write_to = list(entry.get("write_to") or [])
        if not write_to or any(r not in roles for r in write_to):
            raise DataError(f"{_FILE}: {where}.write_to must list roles defined for {place} ({sorted(roles)}).")
        return {"write_to": tuple(write_to), **{f: " ".join(str(entry[f]).split()) for f in TEXTS},
                "sources": self._sources(entry.get("sources"), where, source_ids)}

    # --- use ------------------------------------------------------------------------------------

    def role_bodies(self, place: str, force: str = "") -> dict:
        """{role: Body} for a place; the police oversight can depend on the force."""
        p = self.places[place]
        out = {role: self.bodies[key] for role, key in p["roles"].items()}
        if force in p["by_force"]:
            out["oversight"] = self.bodies[p["by_force"][force]]
        return out

    def values(self, place: str, force: str = "") -> dict:
        p = self.places[place]
        out = {role: body.name for role, body in self.role_bodies(place, force).items()}
        out.update(law=self.laws[p["law"]].name, nation=p["nation"], force=force_in_text(force))
        return out

    def law(self, place: str) -> Body:
        return self.laws[self.places[place]["law"]]

    def ask(self, concern: str, place: str, force: str = "") -> Ask:
        entry = self.entries[(concern, place)]
        roles = self.role_bodies(place, force)
        values = self.values(place, force)
        named = []
        for field in TEXTS:
            for name in placeholders(entry[field]):
                low = name[:1].lower() + name[1:]
                if low in roles and roles[low] not in named:
                    named.append(roles[low])
        for role in entry["write_to"]:
            if roles[role] not in named:
                named.append(roles[role])
        sources = list(entry["sources"])
        for body in named:
            sources += list(body.sources)
        if any(n.lower() == "law" for f in TEXTS for n in placeholders(entry[f])):
            sources += list(self.law(place).sources)
        write_to = tuple(dict.fromkeys(roles[r].name for r in entry["write_to"]))
        return Ask(concern, place, fill(entry["ask"], values), fill(entry["question"], values),
                   fill(entry["letter"], values), write_to, tuple(named), tuple(dict.fromkeys(sources)))


@lru_cache(maxsize=4)
def _powers(key: tuple) -> Powers:
    return Powers(data.read_yaml(Path(key[0][0]), _FILE), set(sources()))


def powers() -> Powers:
    """The checked ``content/powers.yml``, read again when it, the sources or the concerns change."""
    folder = paths.content_dir()
    return _powers(stamps(folder / "powers.yml", folder / "sources.yml", *files("concerns")))


def asks(concern_keys, place: str, force: str = "") -> list[Ask]:
    """The asks for the chosen concerns in one place."""
    p = powers()
    return [p.ask(k, place, force) for k in concern_keys]


def recipients(asks_) -> list[str]:
    """Who the member is asked to write to, for these asks: each body once, in order."""
    return list(dict.fromkeys(name for a in asks_ for name in a.write_to))
