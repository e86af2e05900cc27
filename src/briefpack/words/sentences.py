"""Sentences that code fills with numbers, and reading ``content/`` files (the words' bottom floor).

:class:`Words` holds the texts of one file of ``content/`` with the placeholders each may use;
:mod:`briefpack.words.figures` and :mod:`briefpack.render.charts` fill them. Every cache keyed by :func:`stamps`
is read again when its files change.
"""
from __future__ import annotations

import re
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import DataError
from briefpack.data import catalogue as data

# --- reading: every cache below is keyed by the modification times of the files it read -------------

def stamps(*files) -> tuple:
    """A key for a cache of what was made from ``files``: it changes when any of them changes (its time
    and size, as the data caches), so an edit shows on the next call in the same process (a notebook
    in Jupyter, a warm kernel)."""
    return tuple((str(f), data._stamp(Path(f))) for f in files)


def read(path) -> dict:
    """A YAML file of ``content/``, checked, named in errors by its place in the project."""
    path = Path(path)
    return data.read_yaml(path, f"content/{path.relative_to(paths.content_dir()).as_posix()}"
                     if path.is_relative_to(paths.content_dir()) else path.name)


def files(folder: str) -> list[Path]:
    """The YAML files of a folder of ``content/`` (``concerns``, ``topics``): one per key, named by it."""
    return sorted((paths.content_dir() / folder).glob("*.yml"))


# --- sentences with placeholders -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, values: dict) -> str:
    """Replace ``{name}`` with ``values[name]``, and ``{Name}`` with it capitalised; others stay as they are."""
    def sub(m):
        key = m.group(1)
        if key in values:
            return values[key]
        low = key[:1].lower() + key[1:]
        if key[:1].isupper() and low in values:
            value = values[low]
            return value[:1].upper() + value[1:]
        return m.group(0)

    return " ".join(_PLACEHOLDER.sub(sub, text).split())


class Words:
    """The sentences of one file of ``content/`` that code fills in with numbers it computed.

    ``spec`` says what the file must hold: ``{key: {field: placeholders}}``. Each text may use only its
    field's placeholders (``{force}``, or ``{Force}`` at the start of a sentence), so a number can never
    be written into the prose, only put in its place; a missing key or field, an unknown key or an
    unknown placeholder stops with one line naming the file and the key. The file is read again when
    it changes (by its modification time), so a notebook shows an edit on its next run.
    """

    def __init__(self, filename: str, spec: dict):
        self.filename = filename
        self.spec = {key: {field: tuple(names) for field, names in fields.items()} for key, fields in spec.items()}
        self._cache: tuple = (None, None)

    def doc(self) -> dict:
        path = paths.content_dir() / self.filename
        key = stamps(path)
        if self._cache[0] != key:
            self._cache = (key, self._check(read(path)))
        return self._cache[1]

    def _check(self, doc: dict) -> dict:
        where = f"content/{self.filename}"
        unknown = [k for k in doc if k not in self.spec]
        if unknown:
            raise DataError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(self.spec)}.")
        out = {}
        for key, fields in self.spec.items():
            entry = doc.get(key)
            if not isinstance(entry, dict):
                raise DataError(f"{where}: missing key {key!r} (with {', '.join(fields)}); see content/README.md.")
            extra = [f for f in entry if f not in fields and f != "claims"]   # claims: see briefpack.words.claims
            if extra:
                raise DataError(f"{where}: {key}.{extra[0]} is not a field of {key}; its fields are "
                                f"{', '.join(fields)}.")
            out[key] = {}
            for field, names in fields.items():
                text = entry.get(field)
                if not isinstance(text, str) or not text.strip():
                    raise DataError(f"{where}: missing {key}.{field} (a sentence); see content/README.md.")
                for name in placeholders(text):
                    if name not in names and (name[:1].lower() + name[1:]) not in names:
                        allowed = ", ".join("{" + n + "}" for n in names) or "none"
                        raise DataError(f"{where}: {key}.{field} has an unknown placeholder {{{name}}}; "
                                        f"it can use {allowed}.")
                out[key][field] = " ".join(text.split())
        return out

    def __call__(self, key: str, field: str, **values) -> str:
        """The text of ``key.field`` with its placeholders filled in."""
        return fill(self.doc()[key][field], {k: str(v) for k, v in values.items()})
