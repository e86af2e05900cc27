"""Who holds the power, nation by nation: the bodies a briefing's asks are addressed to, and the law.

The words live in ``content/powers.yml`` (see content/README.md); this module checks that file and
fills its texts in for one place: a Westminster seat's nation (England, Wales, Scotland, Northern
Ireland) or the Scottish Parliament. Every body and law carries its sources, and every ask gathers the
sources of the bodies it names, so the sources page can list them.

Two bodies come from data for the seat: the body that holds its police force to account
(``data/police_oversight.csv``, one row per force: :func:`oversight`) and the council(s) that hold
children's services where the seat is (:func:`children_councils`: the upper-tier council of each council
area in the seat). A statement about who holds a power carries claims: a verbatim passage of an extract
saved in ``content/sources/extracts/<id>.txt`` (its address and the date it was read in its header);
loading the file checks every passage against its extract.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.core.text import force_in_text, join_names  # noqa: F401  (powers.join_names: callers name bodies alike)
from briefpack.data import catalogue as data
from briefpack.data import record
from briefpack.places import geography
from briefpack.words.content import NATIONS, concern_keys, sources
from briefpack.words.sentences import files, fill, placeholders, stamps  # noqa: F401  (powers.fill: content's texts fill alike)

PLACES = ("England", "Wales", "Scotland", "Northern Ireland", "Scottish Parliament")
ROLES = ("home", "justice", "oversight", "children", "local", "support", "health", "government")
WORDS = ("law", "nation", "force", "chief", "oversight_duty")   # other placeholders of the texts
VOICE = ("We", "we", "our", "Our", "us", "are")  # the letter's voice, filled in by briefpack.render.letters
TEXTS = ("ask", "question", "letter")
_FILE = "content/powers.yml"
OVERSIGHT = "police_oversight"          # data/police_oversight.csv: who holds each police force to account
COUNTIES = "county_councils_2023"       # data/county_councils_2023.csv: county councils of two-tier areas
KINDS = ("pcc", "pfcc", "mayor", "mopac", "city_of_london", "spa", "nipb")
EXTRACTS = "sources/extracts"           # content/sources/extracts/<id>.txt: the stored source passages
# The places whose "local" role is the seat's own council(s) (from data), and the ones that keep the
# general wording: Northern Ireland's Health and Social Care Trusts, and the Scottish Parliament's seats,
# for which no council data is held.
COUNCIL_PLACES = ("England", "Wales", "Scotland")


@dataclass(frozen=True)
class Claim:
    """A statement about who holds a power, with the extract it rests on and a verbatim passage of it."""

    says: str
    source: str         # extract id: content/sources/extracts/<source>.txt
    passage: str
    url: str = ""       # from the extract's header
    read: str = ""


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    sources: tuple
    claims: tuple = ()
    notes: tuple = ()    # dated notes printed with the concern that names the body


@dataclass(frozen=True)
class Extract:
    id: str
    title: str
    url: str
    read: str
    source: str          # the id in content/sources.yml it belongs to
    text: str


def _norm(text: str) -> str:
    return " ".join(str(text).split())


@lru_cache(maxsize=4)
def _extracts(key: tuple) -> dict:
    out = {}
    for path, _ in key:
        path = Path(path)
        raw = path.read_text(encoding="utf-8")
        head, sep, body = raw.partition("\n---\n")
        where = f"content/{EXTRACTS}/{path.name}"
        if not sep:
            raise DataError(f"{where}: needs a header (id, title, url, read, source), a line '---', then the text.")
        fields = {}
        for line in head.splitlines():
            name, colon, value = line.partition(":")
            if colon:
                fields[name.strip()] = value.strip()
        missing = [f for f in ("id", "title", "url", "read", "source") if not fields.get(f)]
        if missing:
            raise DataError(f"{where}: header misses {missing}; see content/README.md.")
        if fields["id"] != path.stem:
            raise DataError(f"{where}: its id must be {path.stem!r}, the file's name.")
        out[path.stem] = Extract(path.stem, fields["title"], fields["url"], fields["read"], fields["source"],
                                 body.strip())
    return out


def extracts() -> dict:
    """The stored source extracts, by id (``content/sources/extracts/<id>.txt``)."""
    folder = paths.content_dir() / EXTRACTS
    return _extracts(stamps(*sorted(folder.glob("*.txt"))))


def check_claims(value, where: str, extracts_: dict) -> tuple:
    """Claims from YAML (a list of {says, source, passage}): each passage must be in its extract. A claim with
    ``general`` (the reason the words state no fact) instead of a source is left to the claims register."""
    out = []
    for i, c in enumerate(value or ()):
        if isinstance(c, dict) and str(c.get("says") or "").strip() and str(c.get("general") or "").strip():
            continue   # words that state no fact of the law or a power, with the reason: the claims register lists them
        if not isinstance(c, dict) or not all(str(c.get(k) or "").strip() for k in ("says", "source", "passage")):
            raise DataError(f"{_FILE}: {where}.claims[{i}] needs 'says', 'source' (an extract id) and 'passage'.")
        ex = extracts_.get(c["source"])
        if ex is None and c["source"] in sources():   # a seed or other document: the claims register checks it
            out.append(Claim(_norm(c["says"]), c["source"], _norm(c["passage"]), "", ""))
            continue
        if ex is None:
            raise DataError(f"{_FILE}: {where}.claims[{i}]: no extract {c['source']!r}; save it as "
                            f"content/{EXTRACTS}/{c['source']}.txt.")
        if _norm(c["passage"]) not in _norm(ex.text):
            raise DataError(f"{_FILE}: {where}.claims[{i}]: the passage is not in content/{EXTRACTS}/{ex.id}.txt "
                            "word for word; copy it exactly.")
        out.append(Claim(_norm(c["says"]), ex.id, _norm(c["passage"]), ex.url, ex.read))
    return tuple(out)


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
    problem: str = ""   # the concern's problem paragraph for this place, where it differs from the concern's
    notes: tuple = ()   # dated notes on the bodies named (e.g. the 2028 abolition of commissioners)
    claims: tuple = ()  # Claim: the entry's and its bodies' statements about who holds a power


def place_of(nation: str, parliament: str) -> str:
    """The place whose powers apply: the Scottish Parliament for its seats, else the seat's nation."""
    return "Scottish Parliament" if parliament == "scottish" else nation


class Powers:
    """The checked content of powers.yml."""

    def __init__(self, doc: dict, source_ids: set, extracts_: dict | None = None):
        self.extracts = extracts_ or {}
        self.bodies = {k: self._body(k, v, source_ids, "bodies") for k, v in self._section(doc, "bodies").items()}
        self.laws = {k: self._body(k, v, source_ids, "laws") for k, v in self._section(doc, "laws").items()}
        self.kinds = self._kinds(self._section(doc, "oversight_kinds"), source_ids)
        self.places = self._places(self._section(doc, "places"))
        self.entries = self._entries(self._section(doc, "concerns"), source_ids)
        self.split_force_note = _norm(doc.get("split_force_note") or "")
        bad = [n for n in placeholders(self.split_force_note)
               if n[:1].lower() + n[1:] not in ("seat", "force", "oversight", "chief", "oversight_duty")]
        if not self.split_force_note or bad:
            raise DataError(f"{_FILE}: split_force_note must be a sentence using {{seat}}, {{force}}, {{oversight}}, "
                            f"{{chief}} or {{oversight_duty}}" + (f" (not {{{bad[0]}}})." if bad else "."))

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
                    self._sources(value.get("sources"), f"{section}.{key}", source_ids),
                    check_claims(value.get("claims"), f"{section}.{key}", self.extracts))

    def _kinds(self, section: dict, source_ids: set) -> dict:
        self._exactly(section, "oversight_kinds", KINDS)
        out = {}
        for kind, value in section.items():
            where = f"oversight_kinds.{kind}"
            if not isinstance(value, dict) or not all(str(value.get(f) or "").strip() for f in ("chief", "duty")):
                raise DataError(f"{_FILE}: {where} needs 'chief' and 'duty'.")
            for field, allowed in (("chief", {"force"}), ("duty", {"force", "chief"})):
                bad = [n for n in placeholders(value[field]) if n not in allowed]
                if bad:
                    raise DataError(f"{_FILE}: {where}.{field} uses {{{bad[0]}}}; it can use "
                                    f"{', '.join('{' + a + '}' for a in sorted(allowed))}.")
            out[kind] = {"chief": _norm(value["chief"]), "duty": _norm(value["duty"]),
                         "sources": self._sources(value.get("sources"), where, source_ids),
                         "claims": check_claims(value.get("claims"), where, self.extracts),
                         "note": _norm(value.get("note") or ""),
                         "note_claims": check_claims(value.get("note_claims"), f"{where}.note", self.extracts)}
            if out[kind]["note"] and not out[kind]["note_claims"]:
                raise DataError(f"{_FILE}: {where}.note needs note_claims (its source passages).")
        return out

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
            unknown = [k for k in value if k not in ROLES + ("nation", "law", "devolved_note", "claims")]
            if unknown:
                raise DataError(f"{_FILE}: {where} has unknown field(s) {unknown}; roles are {list(ROLES)}.")
            note = _norm(value.get("devolved_note") or "")
            bad = [n for n in placeholders(note) if n not in roles]
            if bad:
                raise DataError(f"{_FILE}: {where}.devolved_note uses {{{bad[0]}}}, which is not a role of {name}.")
            out[name] = {"nation": value["nation"], "law": value["law"], "roles": roles, "devolved_note": note,
                         "claims": check_claims(value.get("claims"), where, self.extracts)}
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
                "sources": self._sources(entry.get("sources"), where, source_ids),
                "problem": _norm(entry.get("problem") or ""),
                "claims": check_claims(entry.get("claims"), where, self.extracts)}

    # --- use ---------------------------------------------------------------------------------

    def oversight_body(self, force) -> tuple:
        """(Body, kind) for the body that holds ``force`` to account, from data/police_oversight.csv."""
        row = oversight(force)
        kind = self.kinds[row["body_kind"]]
        notes = (kind["note"],) if kind["note"] else ()
        body = Body(f"oversight:{row['force_name']}", row["body_title"], kind["sources"],
                    kind["claims"] + kind["note_claims"], notes)
        return body, kind

    def role_bodies(self, place: str, force=None, seat=None) -> dict:
        """{role: Body} for a place; the police oversight depends on the force, the council on the seat."""
        p = self.places[place]
        out = {role: self.bodies[key] for role, key in p["roles"].items()}
        if force and "oversight" in out:
            out["oversight"] = self.oversight_body(force)[0]
        if seat is not None and place in COUNCIL_PLACES and "local" in out:
            names = [name for name, _ in children_councils(seat)]
            if names:
                general = out["local"]
                out["local"] = Body(f"local:{seat.gss_code}", join_names(names),
                                    general.sources + (COUNCIL_SOURCE,), general.claims)
        return out

    def values(self, place: str, force=None, seat=None) -> dict:
        p = self.places[place]
        out = {role: body.name for role, body in self.role_bodies(place, force, seat).items()}
        name = force_name(force)
        out.update(law=self.laws[p["law"]].name, nation=p["nation"], force=force_in_text(name) if name else "")
        if force:
            kind = self.oversight_body(force)[1]
            chief = fill(kind["chief"], {"force": out["force"]})
            out.update(chief=chief, oversight_duty=fill(kind["duty"], {"force": out["force"], "chief": chief}))
        else:
            out.update(chief="the head of the police force", oversight_duty="oversees the police force")
        return out

    def _other_forces(self, place: str, seat) -> list:
        """For a seat split between police forces: (Body, sentence) for each force after the main one,
        "Part of Hitchin is policed by Bedfordshire Police: the Police and Crime Commissioner for
        Bedfordshire holds the Chief Constable of Bedfordshire Police to account."."""

        if seat is None or getattr(seat, "parliament", "westminster") != "westminster":
            return []
        out = []
        for other in geography.forces(seat)[1:]:
            body, kind = self.oversight_body(other)
            name = force_in_text(other.name)
            chief = fill(kind["chief"], {"force": name})
            duty = fill(kind["duty"], {"force": name, "chief": chief})
            out.append((body, fill(self.split_force_note, {"seat": seat.name, "force": name, "oversight": body.name,
                                                            "chief": chief, "oversight_duty": duty})))
        return out

    def law(self, place: str) -> Body:
        return self.laws[self.places[place]["law"]]

    def devolved_note(self, place: str, force=None, seat=None) -> str:
        """For a Westminster seat in Scotland or Northern Ireland: raise devolved questions with MSPs or MLAs."""
        note = self.places[place]["devolved_note"]
        return fill(note, self.values(place, force, seat)) if note else ""

    def ask(self, concern: str, place: str, force=None, seat=None) -> Ask:
        entry = self.entries[(concern, place)]
        roles = self.role_bodies(place, force, seat)
        values = self.values(place, force, seat)
        named = []
        for field in TEXTS:
            for name in placeholders(entry[field]):
                low = name[:1].lower() + name[1:]
                if low in roles and roles[low] not in named:
                    named.append(roles[low])
                if low in ("chief", "oversight_duty") and roles.get("oversight") and roles["oversight"] not in named:
                    named.append(roles["oversight"])
        for role in entry["write_to"]:
            if roles[role] not in named:
                named.append(roles[role])
        split = self._other_forces(place, seat) if roles.get("oversight") in named and force else []
        for body, _ in split:
            if body not in named:
                named.append(body)
        sources = list(entry["sources"])
        for body in named:
            sources += list(body.sources)
        if any(n.lower() == "law" for f in TEXTS for n in placeholders(entry[f])):
            sources += list(self.law(place).sources)
        write_to = tuple(dict.fromkeys(roles[r].name for r in entry["write_to"]))
        notes = tuple(dict.fromkeys([line for _, line in split] + [n for body in named for n in body.notes]))
        claims = tuple(dict.fromkeys(list(entry["claims"]) + [c for body in named for c in body.claims]))
        return Ask(concern, place, fill(entry["ask"], values), fill(entry["question"], values),
                   fill(entry["letter"], values), write_to, tuple(named), tuple(dict.fromkeys(sources)),
                   entry["problem"], notes, claims)


# --- bodies from data -------------------------------------------------------------------------------

COUNCIL_SOURCE = "council_data"   # the source id (content/sources.yml) of the seat's council(s)


def force_name(force) -> str:
    """The NRM name of a force given as a geography.Force or as that name."""
    return str(getattr(force, "name", force) or "")


def oversight(force) -> dict:
    """The row of data/police_oversight.csv for a force (a geography.Force, or its name as the NRM tables
    write it: "Greater Manchester Police"), joined on the police force area of the council file; the
    briefing records that it read those rows."""
    return dict(_oversight(force_name(force), data.stamp(data.COUNCIL_FORCES), data.stamp(OVERSIGHT)))


@record.memo(maxsize=64)
def _oversight(name: str, *_stamps) -> dict:
    """:func:`oversight` of one force, kept while the two tables are unchanged (``_stamps``); a briefing
    given the kept row still records the rows it was read from (record.memo)."""
    areas = set(data.select(data.COUNCIL_FORCES, "nrm_police_first_responder_name", [name]).pfa_name)
    if len(areas) != 1:
        raise DataError(f"data/{data.COUNCIL_FORCES}.csv has no police force named {name!r}; "
                        "use a force name as the NRM tables write it.")
    area = areas.pop()
    rows = data.select(OVERSIGHT, "force_name", [area])
    if len(rows) != 1:
        raise DataError(f"data/{OVERSIGHT}.csv has no row for the police force area {area!r} ({name}); "
                        "add it from ../shared/data-sources/police_oversight/.")
    return rows.iloc[0].to_dict()


def children_councils(seat) -> list[tuple[str, float]]:
    """The councils that hold children's services in a Westminster seat, with the share of its residents
    each covers, largest first: for each council area (LAD) in the seat, its own council, or for a district
    of a two-tier area its county council. Empty in Northern Ireland (the Health and Social Care Trusts
    look after children there) and for Scottish Parliament seats (no council data). A district whose county
    is not in data/county_councils_2023.csv stops with one line: a council is never guessed."""
    if getattr(seat, "parliament", "westminster") != "westminster" or seat.nation == "Northern Ireland":
        return []
    return list(_children_councils(seat, data.stamp(data.SEAT_COUNCILS), data.stamp(data.COUNCIL_FORCES),
                                   data.stamp(COUNTIES)))


@record.memo(maxsize=8)
def _children_councils(seat, *_stamps) -> list[tuple[str, float]]:
    """:func:`children_councils` of a Westminster seat outside Northern Ireland, kept while the three tables are
    unchanged (``_stamps``): a briefing asks for it once for each of its asks; a hit notes the reads again."""
    overlap = data.select(data.SEAT_COUNCILS, "pcon24_code", [seat.gss_code])
    lads = data.select(data.COUNCIL_FORCES, "lad23_code", list(overlap.lad23_code))
    codes = sorted({c for c in lads.county_council_code if str(c or "").strip()})
    counties = data.select(COUNTIES, "county_council_code", codes) if codes else None
    county_names = dict(zip(counties.county_council_code, counties.official_name)) if codes else {}
    by_lad = {r.lad23_code: r for r in lads.itertuples(index=False)}
    shares: dict = {}
    for r in overlap.itertuples(index=False):
        lad = by_lad.get(r.lad23_code)
        if lad is None:
            raise DataError(f"data/{data.COUNCIL_FORCES}.csv has no council area {r.lad23_code} "
                            f"({r.lad23_name}), which data/{data.SEAT_COUNCILS}.csv places in {seat.name}.")
        if lad.la_type == "NMD":
            name = county_names.get(lad.county_council_code)
            if not name:
                raise DataError(f"data/{COUNTIES}.csv has no county council {lad.county_council_code!r} for the "
                                f"district {lad.lad23_name}; add its official name from its source.")
        else:
            name = lad.council_official_name
        shares[name] = shares.get(name, 0.0) + float(r.percentage_overlap_pop)
    ranked = sorted(((n, s) for n, s in shares.items() if s > 0), key=lambda kv: (-kv[1], kv[0]))
    return ranked


@lru_cache(maxsize=4)
def _powers(key: tuple) -> Powers:
    return Powers(data.read_yaml(Path(key[0][0]), _FILE), set(sources()), extracts())


def powers() -> Powers:
    """The checked ``content/powers.yml``, read again when it, the sources, the concerns or the extracts
    change."""
    folder = paths.content_dir()
    return _powers(stamps(folder / "powers.yml", folder / "sources.yml", *files("concerns"),
                          *sorted((folder / EXTRACTS).glob("*.txt"))))


def asks(concern_keys, place: str, force=None, seat=None) -> list[Ask]:
    """The asks for the chosen concerns in one place, for a seat's main police force and council(s)."""
    p = powers()
    return [p.ask(k, place, force, seat) for k in concern_keys]


def recipients(asks_) -> list[str]:
    """Who the member is asked to write to, for these asks: each body once, in order."""
    return list(dict.fromkeys(name for a in asks_ for name in a.write_to))


def claims() -> list[tuple[str, Claim]]:
    """Every claim of ``content/powers.yml`` with where it is ("bodies.ni_health",
    "oversight_kinds.pcc.note", "concerns.policing.Scotland"): for a reviewer's list of claims."""
    p = powers()
    out = [(f"bodies.{k}", c) for k, b in p.bodies.items() for c in b.claims]
    for kind, value in p.kinds.items():
        out += [(f"oversight_kinds.{kind}", c) for c in value["claims"]]
        out += [(f"oversight_kinds.{kind}.note", c) for c in value["note_claims"]]
    out += [(f"places.{name}", c) for name, value in p.places.items() for c in value["claims"]]
    out += [(f"concerns.{concern}.{place}", c) for (concern, place), e in p.entries.items() for c in e["claims"]]
    return out
