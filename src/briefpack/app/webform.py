"""A briefing's web form and JSON body, derived from the one definition of its parameters.

Which fields a page's form and the JSON API take, and their names (the JSON keys are the field
names), come from :func:`briefpack.request.inputs.form_fields`; what each holds follows from the
field's default there: a list (``concerns``: ticked boxes, a JSON list), a yes/no (``list_msps``: a
checkbox, JSON true/false), lines (``address``: a text area, a JSON list of lines) or one line of
text. Every value is then checked by the command line's own code (``plan.briefing_job``).

An error names its field (``InputError.field``) and the page words it without the command line's
words (:func:`for_page`): no option, and its own search instead of ``python build.py list``.
"""
from __future__ import annotations

import json

from briefpack.build import plan
from briefpack.core.errors import InputError
from briefpack.places import geography
from briefpack.request import inputs

# What a page says where the command line points to `python build.py list`.
SEARCH_AGAIN = "; search for the seat by postcode, name, member or council."

LIST, FLAG, LINES, TEXT = "list", "flag", "lines", "text"


def kind(name: str) -> str:
    """What field ``name`` holds, from its definition: a list, a yes/no, lines or one line of text."""
    f = inputs.FIELDS[name]
    if isinstance(f.default, bool):
        return FLAG
    if isinstance(f.default, (list, tuple)):
        return LIST
    return LINES if f.metavar == "LINES" else TEXT


def _blank(name: str):
    return {LIST: (), FLAG: False}.get(kind(name), "")


def for_page(exc: InputError) -> str:
    """An error as a page shows it: the field's name without its option, the page's search instead
    of the command line's list (the API's ``error`` keeps the command line's words; ``message`` is this)."""
    return exc.worded(listing=SEARCH_AGAIN)


class BriefingForm:
    """What the user sent, as text, kept to show back in the form; ``form.club`` is the club's value."""

    parliament = geography.WESTMINSTER
    aliases: dict = {}   # a name the form or the API also takes (from earlier releases) -> the field's name
    words = {"member": "MP", "letter": "letter"}   # what the labels' {member} and {letter} say on this page

    def __init__(self, constituency: str = "", concerns_given: bool = False, **values):
        fields = self.fields()
        unknown = [k for k in values if k not in fields]
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        self.values = {name: _blank(name) for name in fields} | values | {"constituency": constituency}
        self.concerns_given = concerns_given     # the API may leave a list out (the command line's default)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return inputs.form_fields(cls.parliament)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{field: its label on this page} (the definition's ``form_label`` in the page's words)."""
        return {name: inputs.FIELDS[name].form_label.format(**cls.words) for name in cls.fields()}

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    @classmethod
    def from_form(cls, pairs: dict) -> "BriefingForm":
        """From a posted form (``parse_qs`` pairs): a field left out is blank, a list all its ticks."""
        alias = {n: a for a, n in cls.aliases.items()}
        values = {}
        for name in cls.fields():
            got = pairs.get(name) or pairs.get(alias.get(name, "")) or []
            first, k = (got[0] if got else ""), kind(name)
            if k == LIST:
                values[name] = tuple(got)
            elif k == FLAG:
                values[name] = first in ("1", "on", "yes", "true")
            else:
                values[name] = first if k == LINES else first.strip()
        return cls(concerns_given=True, **values)

    @classmethod
    def from_json(cls, doc) -> "BriefingForm":
        """From the API's JSON object, whose keys are the field names."""
        fields = cls.fields()
        if not isinstance(doc, dict):
            raise InputError(f"Send a JSON object with any of: {', '.join(fields)}.")
        unknown = [k for k in doc if k not in fields and cls.aliases.get(k) not in fields]
        if unknown:
            raise InputError(f"Unknown field {unknown[0]!r}; send any of: {', '.join(fields)}.")
        named = {cls.aliases.get(k, k): v for k, v in doc.items()}
        values, lists_given = {}, True
        for name in fields:
            value = named.get(name)
            if value is None:
                lists_given = lists_given and kind(name) != LIST
                continue
            values[name] = _json_value(name, value)
        return cls(concerns_given=lists_given, **values)

    def job(self):
        """The build job, checked by the command line's own code (raises InputError)."""
        values = {}
        for name in self.fields():
            value, k = self.values[name], kind(name)
            if name == "constituency":
                continue
            if k == LIST:
                if not self.concerns_given:
                    continue           # the default ones
                # nothing ticked: the same message as `--concerns ,`, not the default ones
                value = list(value) if any(str(v).strip() for v in value) else ","
            elif k == LINES:
                value = ", ".join(line.strip() for line in value.splitlines() if line.strip())
            values[name] = value
        return plan.briefing_job(constituency=self.constituency, parliament=self.parliament, **values)

    @classmethod
    def field_of(cls, exc: Exception) -> str | None:
        """The form field an InputError concerns (briefpack.request.inputs names it), or None."""
        named = getattr(exc, "field", None)
        return named if named in cls.fields() else None


def _json_value(name: str, value):
    k = kind(name)
    if k == FLAG:
        if not isinstance(value, bool):
            raise InputError(f"The field {name!r} should be true or false.")
        return value
    if k == LIST:
        if isinstance(value, str):
            return tuple(value.split(","))
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            example = json.dumps(list(inputs.FIELDS[name].default)[:2])
            raise InputError(f"The field {name!r} should be a list of {name.removesuffix('s')} keys, e.g. {example}.")
        return tuple(value)
    if isinstance(value, list) and k == LINES:
        value = ", ".join(str(v) for v in value)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InputError(f"The field {name!r} should be text.")
    return str(value).strip() if k == TEXT else str(value)
