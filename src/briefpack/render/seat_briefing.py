"""A campaign's briefing for one Westminster seat, from its content alone (the ``seat`` layout of
:mod:`briefpack.words.campaigns`): the campaign's concerns, its declared figures, its letter words.

A campaign notebook calls, one cell each::

    b = SeatBriefing.from_parameters(globals())   # its parameters cell, checked as every briefing's are
    b.cover(); b.chosen_concerns(); b.distribution("turnout"); b.letter(); b.sources()

Which of the briefing's parameters (:data:`briefpack.request.inputs.FIELDS`) the campaign takes, and their
defaults, is what its notebook's parameters cell says (read with Papermill's ``inspect_notebook``): a
value given for any other is refused with one line, so nothing asked for is silently dropped.
"""
from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import papermill as pm

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError
from briefpack.core.html import Section
from briefpack.core.text import join_names, long_date
from briefpack.data import catalogue as data
from briefpack.data import used
from briefpack.places import geography, members
from briefpack.render.display import show
from briefpack.render.letters import (
    LETTER_MIME,
    Letter,
    figure_note,
    letter_ends,
    note_mark,
    voice,
)
from briefpack.render.sections import render, render_sources
from briefpack.request import inputs
from briefpack.words import campaigns, content, declared
from briefpack.words.sentences import fill, read, stamps

LETTER_FIELDS = ("campaign", "subject", "opening", "meeting", "meeting_request", "concerns_intro", "closing_paragraph",
                 "closing", "address", "sender_name_missing", "sender_address_missing", "member_note", "notes_heading",
                 "enclosure", "voice")


@lru_cache(maxsize=8)
def _notebook_parameters(key: tuple) -> dict:
    path = key[0][0]
    try:
        found = pm.inspect_notebook(path)
    except Exception as exc:
        raise DataError(f"{path}: its parameters cannot be read ({type(exc).__name__}); tag one cell 'parameters'.") from None
    by_parameter = {inputs.FIELDS[n].notebook_name: n for n in inputs.FIELDS}
    out = {}
    for name, spec in found.items():
        if name not in by_parameter or by_parameter[name] not in inputs.BRIEFING:
            raise DataError(f"{path}: parameter {name!r} is not a briefing parameter; use those of "
                            f"briefpack.request.inputs.BRIEFING ({', '.join(inputs.BRIEFING)}).")
        try:
            out[by_parameter[name]] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            raise DataError(f"{path}: the default of {name!r} must be a plain value (text, a list, True or False).") from None
    if "constituency" not in out:
        raise DataError(f"{path}: its parameters cell must have a constituency parameter.")
    return out


def notebook_parameters() -> dict:
    """{field name: default} of the campaign notebook's parameters cell, in its order."""
    return _notebook_parameters(stamps(paths.notebooks_dir() / campaigns.current().notebook))


def _letter_words() -> dict:
    return _letter_doc(stamps(paths.content_dir() / "letter.yml"))


@lru_cache(maxsize=4)
def _letter_doc(key: tuple) -> dict:
    doc = read(key[0][0])
    missing = [k for k in LETTER_FIELDS if not doc.get(k)]
    if missing:
        raise DataError(f"content/letter.yml: missing field(s) {missing}; see examples/turnout/content/letter.yml.")
    return doc


def _blank(value) -> bool:
    return value is None or value == "" or value == [] or value == () or value is False


@dataclass
class SeatBriefing:
    seat: geography.Seat
    concerns: list
    club: str = ""
    meeting_date: dt.date | None = None
    sender_address: tuple = ()
    letter_date: dt.date | None = None
    sender_name: str = ""
    personal_note: str = ""
    member: geography.Member = field(init=False)

    def __post_init__(self):
        self.member = members.member(self.seat)
        self.campaign = campaigns.current()

    @classmethod
    def prepare(cls, constituency=None, concerns=None, **values) -> SeatBriefing:
        """Check the parameters the campaign's notebook takes; refuse a value for any other."""
        if constituency is not None:
            values["constituency"] = constituency
        if concerns is not None:
            values["concerns"] = concerns
        v = inputs.briefing_values(values)
        takes = notebook_parameters()
        for name, value in v.items():
            f = inputs.FIELDS[name]
            if name not in takes and not _blank(value) and value != f.default:
                raise InputError((f"The {campaigns.current().title} briefing takes no {f.label}", f.named[1],
                                  "; leave it out."), name)
        get = lambda name: v[name] if not _blank(v.get(name)) else takes.get(name, inputs.FIELDS[name].default)
        seat = inputs.constituency(get("constituency"), geography.WESTMINSTER)
        keys = inputs.concerns(get("concerns"))
        all_concerns = content.concerns()
        return cls(seat, [all_concerns[k] for k in keys], inputs.text(get("club"), "club"),
                   inputs.date(get("meeting_date"), "meeting_date"), inputs.address(get("address")),
                   inputs.date(get("letter_date"), "letter_date"), inputs.text(get("sender_name"), "sender_name"),
                   inputs.text(get("personal_note"), "personal_note"))

    @classmethod
    def from_parameters(cls, namespace) -> SeatBriefing:
        """The briefing of a notebook's parameters (``SeatBriefing.from_parameters(globals())``)."""
        names = {inputs.FIELDS[n].notebook_name: n for n in notebook_parameters()}
        return cls.prepare(**{name: namespace[name] for name in names if name in namespace})

    def parameters(self) -> tuple:
        """The checked parameters, as the notebook takes them and in its order (the job's key)."""
        d = lambda day: day.isoformat() if day else ""
        cleaned = {"constituency": self.seat.gss_code, "concerns": tuple(c.key for c in self.concerns),
                   "club": self.club, "meeting_date": d(self.meeting_date), "address": ", ".join(self.sender_address),
                   "letter_date": d(self.letter_date), "sender_name": self.sender_name,
                   "personal_note": self.personal_note}
        return tuple((inputs.FIELDS[n].notebook_name, cleaned.get(n, default))
                     for n, default in notebook_parameters().items())

    @property
    def addressee(self) -> str:
        return members.addressee(self.seat, self.member)

    @cached_property
    def figures(self) -> list:
        """One declared figure per concern (None where the table has no row for this seat), computed once for
        the cover, the concerns and the letter."""
        return [declared.compute(c.figure, self.seat.gss_code, self.seat.name) for c in self.concerns]

    # --- sections -------------------------------------------------------------------------------

    def cover(self) -> Section:
        return render("seat_cover.html.j2", b=self, seat=self.seat, mp=self.member, campaign=self.campaign,
                      items=list(zip(self.concerns, self.figures)))

    def chosen_concerns(self) -> Section:
        return render("seat_concerns.html.j2", b=self, items=list(zip(self.concerns, self.figures)))

    def distribution(self, key: str) -> None:
        """A chart of a declared figure across every seat of its table, this seat's bar marked."""
        import altair as alt
        import pandas as pd

        spec = declared.declared()[key]
        df = data.load(spec["table"])
        values = declared.values_of(spec, df, key)
        scale = 100 if spec["format"] == "percent" else 1
        frame = pd.DataFrame({"value": values * scale})
        fig = declared.compute(key, self.seat.gss_code, self.seat.name)
        at = declared.row_of(spec, df, self.seat.gss_code)
        title = spec.get("chart_title") or key
        axis = spec.get("chart_axis") or title
        bars = alt.Chart(frame).mark_bar(color="#9aa5b1").encode(
            x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=axis, axis=alt.Axis(format=".0f", tickCount=10)),
            y=alt.Y("count():Q", title="Seats"))
        chart = bars
        if fig is not None:
            mine = pd.DataFrame({"value": [float(values.loc[at]) * scale], "label": [f"{self.seat.name}: {fig.value}"]})
            rule = alt.Chart(mine).mark_rule(color="#b3003b", strokeWidth=2).encode(x="value:Q")
            right = float(mine.value.iloc[0]) > float(frame.value.median())   # the label on the side with room
            label = alt.Chart(mine).mark_text(align="right" if right else "left", dx=-4 if right else 4, dy=-4,
                                              color="#b3003b", fontWeight="bold").encode(
                x="value:Q", y=alt.value(8), text="label:N")
            chart = alt.layer(bars, rule, label)
        chart = chart.properties(width=520, height=220)
        source, period = declared.source_of(spec["table"])
        where = fig.text.strip().rstrip(".") if fig else f"The data has no row for {self.seat.name}"
        bands = f"Bar chart of how many of the {len(frame)} seats fall in each band of {axis[:1].lower() + axis[1:]}"
        description = f"{bands}, with a line marking {self.seat.name}. {where}." if fig else f"{bands}. {where}."
        show(chart, caption=title, source=f"{source}, {period}", description=description)

    def letter(self) -> Section:
        letter = self.build_letter()
        w = _letter_words()
        return render("letter.html.j2", letter=letter, b=self, addressee=self.addressee,
                      notes_heading=w["notes_heading"], extra={LETTER_MIME: letter.to_json()})

    def build_letter(self) -> Letter:
        w = _letter_words()
        seat, member = self.seat, self.member
        values = {"constituency": seat.name, "club": self.club, "campaign": w["campaign"],
                  "member_title": seat.member_title, "meeting_date": long_date(self.meeting_date),
                  "concern_list": join_names(c.phrase for c in self.concerns), **voice(self.club, w["voice"])}
        f = lambda text: fill(text, values)
        paragraphs = [f(w["opening"]), f(w["meeting"] if self.meeting_date else w["meeting_request"])]
        if self.personal_note:
            paragraphs.insert(1, self.personal_note)
        paragraphs.append(f(w["concerns_intro"]))
        notes, items = [], []
        for c, fig in zip(self.concerns, self.figures):
            text = c.summary
            if fig is not None:
                note = figure_note(fig)
                if note not in notes:
                    notes.append(note)
                text = f"{fig.text.strip()}{note_mark(notes.index(note) + 1)} {c.summary}"
            items.append({"title": c.title, "text": " ".join(text.split())})
        greeting, recipient, sender, signature = letter_ends(self, w["address"], w)
        note = fill(w["member_note"], {"as_of": member.as_of, "name": member.name}) if member.name and member.as_of else ""
        return Letter(sender=sender, date=long_date(self.letter_date), recipient=recipient, salutation=greeting,
                      subject=f(w["subject"]), paragraphs=paragraphs, concerns=items,
                      closing_paragraphs=[f(w["closing_paragraph"])], closing=w["closing"], signature=signature,
                      notes=[f"{i}. {text}" for i, text in enumerate(notes, start=1)], enclosure=f(w["enclosure"]),
                      member_note=note, notes_heading=w["notes_heading"])

    def sources(self) -> Section:
        """Every table this briefing read, with its publisher, period, licence and attributions."""
        return used.sources_section(lambda: render_sources(used.tables_used()))
