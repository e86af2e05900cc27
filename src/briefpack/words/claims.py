"""The claims register: every sentence of ``content/`` that states a fact about the law, about who holds a
power or about what a document says, with the source it rests on and a short passage copied from it.

A claim is one YAML entry in a ``claims:`` list, in the same mapping as the words it backs::

    claims:
      - says: "created the Independent Anti-Slavery Commissioner"     # words of this entry's text
        source: leg_msa_2015_part4                                     # an id in content/sources.yml
        passage: "appoint a person as the Independent Anti-slavery Commissioner"   # copied from it

or, for a sentence that reads like one but states no such fact, ``general:`` with the reason instead of
``source`` and ``passage``. A topic's recommendation (``text``, ``source``, ``evidence``) and a ``quote``
(``text``, ``source``) are claims already. The source texts are stored in ``content/sources/``: the campaign's
documents in ``seeds/<id>.txt`` and extracts of Acts and pages in ``extracts/<id>.txt``, each opening with
header lines (``URL:`` and ``Read:`` for an extract) and a blank line. A fact about the data rests on its
sidecar: ``source: data:<name>`` is ``data/<name>.meta.yml``.

:func:`problems` lists what is wrong: an unknown source, a source with no stored text, a passage that is not
in its source word for word (white space aside), words (``says``) that are not in the entry's text, and a
sentence that names an Act, a power or a document (:data:`TRIGGERS`) without a claim that covers it.
:func:`report` prints the register for a reviewer (``build.py claims``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefpack.core import paths
from briefpack.data.catalogue import read_yaml
from briefpack.words.content import sources as source_list

# The files of content/ whose words are checked, as globs under content/.
FILES = ("concerns/*.yml", "topics/*.yml", "figures.yml", "charts.yml", "powers.yml", "letter.yml",
         "meeting.yml", "sources.yml")
# Fields that hold names, ids, numbers or copied passages, not our sentences: not scanned.
NOT_PROSE = {"key", "order", "kind", "title", "phrase", "name", "figure", "figure_scotland", "source", "sources",
             "stance", "evidence", "url", "date", "author", "age_focus", "exploitation_types", "write_to",
             "claims", "says", "passage", "general", "days_after", "subject", "closing", "addresses", "voice",
             "sender_name_missing", "sender_address_missing", "nation", "law", "oversight_by_force"}
# What makes a sentence a claim of the law, of a power or of what a document says. A sentence that matches
# one of these needs a claim that covers it (or a `general:` entry saying why it is not one).
TRIGGERS = {
    "law": r"\bActs?\b|\bBill\b|\blaws?\b|\blegislation\b|\bsections?\b|\bPart \d|\bstatutory\b|\bprospective\b"
           r"|\bin force\b|\bdevolved\b|\breserved\b|\bEuropol\b|\bEurojust\b|\bconsent\b",
    "power": r"\bduty\b|\bduties\b|\bresponsible for\b|\bto account\b|\breports? to\b|\bappoint|\boversees\b"
             r"|\bruns\b|\bpriorities\b|\ba matter for\b|\bstays? with\b|\bpassed by\b|\bapplies in\b"
             r"|\bwhole UK\b|\bentitled\b|\blooked after by\b|\blook after\b|\bSecretary of State\b|\b(to|before) Parliament\b"
             r"|\bMinisters?\b|\bvisas?\b",
    "document": r"Key Card|Call to Action|\bplan\b|\bspeech\b|\bworkshop\b|\bmemorandum\b|\bconference\b"
                r"|\brecords\b|\bwarned\b|\basked for\b|\bcalled for\b|\bcalls? for\b|\bagreed to\b|\bdescribed\b"
                r"|\bpublishe[sd]\b|\bcentred\b|\braised it\b|\breported\b",
}
_TRIGGER = {kind: re.compile(rx) for kind, rx in TRIGGERS.items()}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z{\"'(‘“])")


@dataclass(frozen=True)
class Claim:
    file: str        # content/..., where the claim is
    where: str       # the entry within the file ("recommendations[2]", "concerns.data.England, Wales")
    says: str        # the words of the entry it backs
    source: str = ""
    passage: str = ""
    general: str = ""  # why the words state no fact of the law, a power or a document (instead of a source)


@dataclass(frozen=True)
class Stored:
    id: str
    path: Path
    header: dict
    text: str


def norm(text: str) -> str:
    """Text compared word for word: markdown bold marks removed, white space collapsed."""
    return " ".join(str(text).replace("**", "").split())


def sources_dir() -> Path:
    return paths.content_dir() / "sources"


def stored() -> dict[str, Stored]:
    """The stored source texts, by id: ``content/sources/seeds/<id>.txt`` and ``extracts/<id>.txt``."""
    out = {}
    for folder in ("seeds", "extracts"):
        for path in sorted((sources_dir() / folder).glob("*.txt")):
            raw = path.read_text(encoding="utf-8")
            if folder == "extracts" and "\n---\n" in raw:   # an extract: a header of lowercase fields, '---', then the text
                head, _, body = raw.partition("\n---\n")
            else:                   # a seed: header lines, a blank line, then the text
                head, _, body = raw.partition("\n\n")
            header = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in head.splitlines() if ":" in line)}
            if "url" in header:      # one spelling for both kinds of file; the day read is the date alone
                header.setdefault("URL", header["url"])
            if "read" in header:
                header.setdefault("Read", header["read"].split()[0])
            out[path.stem] = Stored(path.stem, path, header, body)
    for path in sorted(paths.data_dir().glob("*.meta.yml")):
        sid = "data:" + path.name[: -len(".meta.yml")]
        out[sid] = Stored(sid, path, {"File": f"data/{path.name}"}, path.read_text(encoding="utf-8"))
    return out


def _files() -> list[Path]:
    root = paths.content_dir()
    return [p for pattern in FILES for p in sorted(root.glob(pattern))]


def _entries(node, where: str = ""):
    """Every mapping of a YAML document, with where it is."""
    if isinstance(node, dict):
        yield where, node
        for k, v in node.items():
            if k not in NOT_PROSE:   # names, ids, addresses and passages hold no sentences of ours
                yield from _entries(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node, start=1):
            yield from _entries(v, f"{where}[{i}]")


def texts(entry: dict, file: str = "") -> dict[str, str]:
    """The sentences of one entry, by field: its own strings and lists of strings, not its sub-entries. In
    sources.yml a title names a document; what it adds after a colon describes it, and is checked."""
    out = {}
    for k, v in entry.items():
        if k == "title" and file.endswith("/sources.yml") and isinstance(v, str) and ": " in v:
            out["title"] = v.split(": ", 1)[1]
            continue
        if k in NOT_PROSE or str(k).startswith("show_"):
            continue
        if isinstance(v, str):
            out[str(k)] = v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            for i, x in enumerate(v, start=1):
                out[f"{k}[{i}]"] = x
    return out


def _claims_of(entry: dict, file: str, where: str) -> list[Claim]:
    out = []
    if isinstance(entry.get("text"), str) and isinstance(entry.get("source"), str):
        # A recommendation rests on its evidence; a quote is its own passage.
        out.append(Claim(file, where, entry["text"], entry["source"], entry.get("evidence") or entry["text"]))
    for item in entry.get("claims") or []:
        item = item if isinstance(item, dict) else {}
        out.append(Claim(file, where, str(item.get("says", "")), str(item.get("source", "")),
                         str(item.get("passage", "")), str(item.get("general", ""))))
    return out


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(norm(text)) if s]


def triggered(sentence: str) -> list[str]:
    """Which kinds of claim (law, power, document) a sentence reads as."""
    return [kind for kind, rx in _TRIGGER.items() if rx.search(sentence)]


@dataclass(frozen=True)
class Entry:
    file: str
    where: str
    texts: dict
    claims: tuple

    def uncovered(self) -> list[tuple[str, str, list]]:
        """(field, sentence, kinds) for each sentence that reads as a claim and that no claim covers."""
        out = []
        said = [norm(c.says) for c in self.claims if c.says.strip()]
        for field, text in self.texts.items():
            for s in sentences(text):
                kinds = triggered(s)
                if kinds and not any(w in s or s in w for w in said):
                    out.append((field, s, kinds))
        return out


def entries() -> list[Entry]:
    """Every entry of the content files that has words or claims."""
    out = []
    root = paths.content_dir()
    for path in _files():
        file = f"content/{path.relative_to(root).as_posix()}"
        doc = read_yaml(path, file) or {}
        for where, entry in _entries(doc):
            found = Entry(file, where or "(top)", texts(entry, file), tuple(_claims_of(entry, file, where or "(top)")))
            if found.texts or found.claims:
                out.append(found)
    return out


def register() -> list[Claim]:
    return [c for e in entries() for c in e.claims]


def problems(files: tuple = ()) -> list[str]:
    """Everything wrong with the register, one line each (empty when all is well). ``files``: only these
    (``content/powers.yml``...), for a look at one file."""

    ids, texts_ = set(source_list()), stored()
    out = []
    for e in entries():
        if files and e.file not in files:
            continue
        own = norm(" ".join(e.texts.values()))
        for c in e.claims:
            at = f"{c.file} {c.where}"
            if not c.says.strip():
                out.append(f"{at}: a claim without 'says' (the words it backs)")
                continue
            # An entry with no prose of its own (a body: a name), or whose texts are templates filled in per
            # place and force ({oversight}, {chief}), states its claim in plain words; others copy theirs.
            if own and "{" not in own and norm(c.says) not in own:
                out.append(f"{at}: says {c.says!r}, which is not in the entry's text; copy the words exactly")
            if c.general:
                continue
            listed = c.source in ids or (c.source in texts_ and texts_[c.source].header.get("source") in ids)
            if not listed and not c.source.startswith("data:"):
                out.append(f"{at}: source {c.source!r} is not in content/sources.yml")
            elif c.source not in texts_:
                out.append(f"{at}: source {c.source!r} has no stored text in content/sources/seeds/ or extracts/")
            elif not c.passage.strip():
                out.append(f"{at}: {c.says!r} has no passage; copy the words it rests on, or reword it as general")
            elif norm(c.passage) not in norm(texts_[c.source].text):
                out.append(f"{at}: the passage {c.passage!r} is not word for word in {c.source}")
        for field, sentence, kinds in e.uncovered():
            out.append(f"{e.file} {e.where}.{field}: {sentence!r} reads as a claim ({', '.join(kinds)}) but no "
                       "claim covers it; add one (says, source, passage) or say why it is general")
    for s in texts_.values():
        if s.path.parent.name == "extracts" and not (s.header.get("URL") and s.header.get("Read")):
            out.append(f"content/sources/extracts/{s.path.name}: the header needs 'URL:' and 'Read:' lines")
    return out


def report() -> str:
    """The register as plain text, claim by claim, for a reviewer; unsupported sentences at the end."""

    docs, texts_ = source_list(), stored()
    lines, missing = [], []
    for e in entries():
        for c in e.claims:
            lines.append(f"{c.file} {c.where}")
            lines.append(f"  says:    {norm(c.says)}")
            if c.general:
                lines.append(f"  general: {norm(c.general)}")
            else:
                s = texts_.get(c.source)
                where = (s.header.get("URL") or s.header.get("File") or
                         f"content/{s.path.relative_to(paths.content_dir()).as_posix()}") if s else "NOT STORED"
                read = f", read {s.header['Read']}" if s and s.header.get("Read") else ""
                # an extract names itself in its header, and the document it is from by its id in sources.yml
                title = ((docs.get(c.source) or {}).get("title") or (s.header.get("title") if s else "")
                         or ("data sidecar" if c.source.startswith("data:") else "UNKNOWN SOURCE"))
                lines.append(f"  source:  {c.source} ({title}; {where}{read})")
                lines.append(f"  passage: \"{norm(c.passage)}\"")
            lines.append("")
        missing += [f"{e.file} {e.where}.{field}: {s}" for field, s, _ in e.uncovered()]
    n = sum(1 for line in lines if line.startswith("  says:"))
    out = [f"{n} claims in content/ (each with its source and passage; see content/README.md)", ""] + lines
    if missing:
        out += [f"{len(missing)} sentences read as claims but have none:"] + [f"  {m}" for m in missing]
    return "\n".join(out).rstrip() + "\n"
