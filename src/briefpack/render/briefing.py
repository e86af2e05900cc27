"""A constituency briefing: the parameters resolved, and one method per section of the notebook.

The notebook ``notebooks/briefing.ipynb`` is the outline; each of its cells is one call here. Sections
are rendered by :mod:`briefpack.render.sections` (shared with the other page types), which escapes all text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from briefpack.core import paths
from briefpack.core.errors import DataError, InputError, option
from briefpack.data import catalogue as data
from briefpack.data import headlines, record, stats, used
from briefpack.data.headlines import TABLES_RELEASE, latest
from briefpack.places import campaign, geography, members, msps
from briefpack.render import charts
from briefpack.render.letters import (
    LETTER_MIME,
    _spell_out_nrm,
    alternative_figures,
    build_letter,
    figure_note,
    figure_sentence,
    wording,
)
from briefpack.render.msp_letters import with_list_letters
from briefpack.render.sections import Notes, Section, render, render_sources
from briefpack.request import inputs
from briefpack.words import content, figures, powers

# "More than" / "less than" its population share: a force's share of police referrals at least this many
# times its share of the population, or at most (stated on the page).
FAIR_MORE, FAIR_LESS = 1.1, 0.9
# A member's contact page on UK Parliament's website, by the Members API's member id.
CONTACT_PAGE = "https://members.parliament.uk/member/{id}/contact"


@record.memo(maxsize=4)
def _why_it_matters(stamp, start: int = 0) -> Section:
    """The section, its notes numbered from ``start + 1`` (kept on the section as ``notes``)."""
    notes = Notes(start)

    nrm_uk = data.load(data.NRM_UK)
    by_year = headlines.referrals_by_year(nrm_uk)
    latest = headlines.latest("referrals_total")
    previous = headlines.headline(str(latest.year - 1), "referrals_total")
    table2 = f"{figures.NRM}, Table 2 of the {headlines.TABLES_RELEASE}"
    later = by_year[~by_year.split]
    source = "; ".join([f"{table2}, {stats.period_label(nrm_uk)} (by age)"]
                       + [f"{int(r.year)}: {r.release}" for r in later.itertuples()])
    earlier = by_year[by_year.year < latest.year]
    section = render("why.html.j2", latest=latest, previous=previous, change=latest.value - previous.value,
                     highest=latest.value > int(earlier.total.max()), start=int(by_year.year.min()),
                     split=stats.uk_year(nrm_uk), revised=headlines.revised_total(int(by_year[by_year.split].year.max())),
                     table2=table2, release=headlines.TABLES_RELEASE, publisher=headlines.HOME_OFFICE, chart=charts.uk_trend(by_year, source),
                     first=by_year[by_year.quarters == 4].iloc[0], totals_only=[int(y) for y in later.year],
                     note=notes.cite)
    section.notes = notes.entries()
    return section


@record.memo(maxsize=64)
def _force_chart(police_stamp, drawing, force: str, source: str) -> charts.Chart:
    """A police force's chart of referrals by quarter and type: the same for every seat the force serves, so
    drawn once per process for as long as the table (``police_stamp``), the chart's words, theme and
    libraries (``drawing``: :func:`briefpack.render.charts.drawing_key`) are unchanged. It reads the force's
    rows itself, so a briefing given the chart from the cache still records that read (record.memo)."""
    police = data.select(data.NRM_POLICE, "police_first_responder", [force])
    return charts.force_quarters(stats.force_by_quarter_and_type(police, force), force, source)


@dataclass
class Briefing:
    seat: geography.Seat
    concerns: list
    club: str = ""
    meeting_date: dt.date | None = None
    member_name: str = ""
    sender_address: tuple = ()
    letter_date: dt.date | None = None
    sender_name: str = ""
    personal_note: str = ""     # the constituent's own paragraph for the letter (line breaks collapsed)
    list_msps: bool = False     # Scottish Parliament: also a letter to each of the region's list MSPs
    member: geography.Member = field(init=False)
    forces: list = field(init=False)

    def __post_init__(self):
        self.member = members.member(self.seat, self.member_name)
        # a Scottish Parliament seat's region has seven list MSPs too
        self.regional = msps.list_msps(self.seat) if self.seat.parliament == geography.SCOTTISH else []
        self.forces = geography.forces(self.seat)
        self.campaign = campaign.status_of(self.seat.gss_code) if self.seat.parliament == geography.WESTMINSTER else None
        self.notes = Notes()     # the body's citations, numbered, listed on the sources page

    @classmethod
    def prepare(cls, constituency=None, concerns=None, **values) -> "Briefing":
        """Check every parameter (:data:`briefpack.request.inputs.BRIEFING`, by field or notebook name) and
        resolve the seat; raises InputError with a one-line message naming the field."""
        if constituency is not None:
            values["constituency"] = constituency
        if concerns is not None:
            values["concerns"] = concerns
        v = inputs.briefing_values(values)
        get = lambda name: v.get(name, inputs.FIELDS[name].default)  # noqa: E731
        seat = inputs.constituency(get("constituency"), get("parliament") or geography.WESTMINSTER)
        member_name = inputs.text(get("member_name"), "member_name")
        if member_name and seat.parliament == geography.WESTMINSTER:
            raise InputError("A member's name can only be given for a Scottish Parliament seat (Westminster MPs "
                             "come from data/mps_current.csv; record a change in data/campaign/member_overrides.csv).",
                             "member_name")
        list_msps = inputs.flag(get("list_msps"), "list_msps")
        if list_msps and seat.parliament == geography.WESTMINSTER:
            raise InputError(("Letters to list MSPs", option(inputs.FIELDS["list_msps"].option), " are for a Scottish "
                              "Parliament seat; add --parliament scottish."), "list_msps")
        keys = inputs.concerns(get("concerns"))
        all_concerns = content.concerns()
        # The personal note is a paragraph: like all text, its line breaks become spaces (inputs.text).
        return cls(seat, [all_concerns[k] for k in keys], inputs.text(get("club"), "club"),
                   inputs.date(get("meeting_date"), "meeting_date"), member_name, inputs.address(get("address")),
                   inputs.date(get("letter_date"), "letter_date"), inputs.text(get("sender_name"), "sender_name"),
                   inputs.text(get("personal_note"), "personal_note"), list_msps)

    @classmethod
    def from_parameters(cls, namespace) -> "Briefing":
        """The briefing of a notebook's parameters (``Briefing.from_parameters(globals())``): the names of
        :func:`briefpack.request.inputs.briefing_defaults` taken from the notebook's namespace."""
        return cls.prepare(**{name: namespace[name] for name in inputs.briefing_defaults() if name in namespace})

    def parameters(self) -> tuple:
        """The checked parameters as the notebook takes them, in its order: the job's parameters (and so
        its key in the manifest)."""
        d = lambda day: day.isoformat() if day else ""  # noqa: E731
        cleaned = {"constituency": self.seat.gss_code, "concerns": tuple(c.key for c in self.concerns),
                   "club": self.club, "meeting_date": d(self.meeting_date), "parliament": self.seat.parliament,
                   "member_name": self.member_name, "address": ", ".join(self.sender_address),
                   "letter_date": d(self.letter_date), "sender_name": self.sender_name,
                   "personal_note": self.personal_note, "list_msps": self.list_msps}
        return tuple((inputs.FIELDS[n].notebook_name, cleaned[n]) for n in inputs.BRIEFING)

    @property
    def addressee(self) -> str:
        """How to address the member: their name, or their office when the name is not known."""
        return members.addressee(self.seat, self.member)

    @property
    def main_force(self) -> geography.Force:
        return self.forces[0]

    @cached_property
    def police(self):
        """The NRM police first-responder rows of this seat's forces and the published UK police total
        (the briefing records that it read those rows only)."""
        return data.select(data.NRM_POLICE, "police_first_responder",
                           [f.name for f in self.forces] + [stats.POLICE_TOTAL])

    # --- sections -------------------------------------------------------------------------------

    @cached_property
    def contact_page(self) -> str:
        """The member's contact page on UK Parliament's website (the constituency office's address and
        telephone, which Step 1 of the Call to Action asks clubs to find), from ``member_id`` in
        data/mps_current.csv; "" for a vacant seat, a local correction or a Scottish Parliament seat."""
        if self.seat.parliament != geography.WESTMINSTER or self.member.vacant or self.member.overridden:
            return ""
        rows = data.select(data.MPS_CURRENT, "pcon_code", [self.seat.gss_code])
        ids = [str(i) for i in rows.member_id if str(i).isdigit()]
        return CONTACT_PAGE.format(id=ids[0]) if ids else ""

    def summary(self) -> dict:
        """Page 1 in two minutes: each concern's figure (its period in the sentence) and who holds the
        power, and the standing asks of the meeting."""

        sentences = _spell_out_nrm([figure_sentence(f) for f in self.figures])
        concerns = [{"title": c.title, "figure": text, "bodies": [body.name for body in ask.bodies]}
                    for c, text, ask in zip(self.concerns, sentences, self.asks)]
        values = self._meeting_values()
        return {"concerns": concerns, "asks": [powers.fill(a, values) for a in content.meeting()["asks"]]}

    def cover(self) -> Section:
        note = f"National totals run to {latest().year}; police-force figures cover {stats.period_label(self.police)}."
        return render("cover.html.j2", b=self, seat=self.seat, mp=self.member, figures_note=note,
                      westminster=self.seat.parliament == geography.WESTMINSTER, summary=self.summary(),
                      contact=self.contact_page)

    def why_it_matters(self) -> Section:
        """The same for every seat: rendered once per process for as long as the data and words are unchanged."""
        words = content.stamps(paths.templates_dir() / "sections" / "why.html.j2", paths.content_dir() / "charts.yml")
        section = _why_it_matters((data.stamp(data.NRM_UK), data.stamp(data.NRM_HEADLINES), words, charts.drawing_key()),
                                  len(self.notes))
        self.notes.extend(section.notes)
        return section

    def your_area(self) -> Section:
        police = self.police
        known = set(police.police_first_responder.unique())
        for force in self.forces:
            if force.name not in known:
                raise DataError(f"data/{data.NRM_POLICE}.csv has no rows for {force.name!r}, the police force "
                                f"data/{data.SEAT_FORCES}.csv gives for {self.seat.name}; correct the force name.")
        period = stats.period_label(police)
        source = f"{figures.NRM}, Table 13, {period}"
        nationality = data.select(data.NRM_POLICE_NATIONALITY, "police_first_responder",
                                  [f.name for f in self.forces])
        pops = stats.force_populations(data.load(data.SEAT_COUNCILS), data.load(data.COUNCIL_FORCES))
        blocks = []
        police_stamp, drawing = data.stamp(data.NRM_POLICE), charts.drawing_key()
        for force in self.forces:
            blocks.append({
                "force": force,
                "total": stats.force_total(police, force.name),
                "ages": stats.force_by_age(police, force.name),
                "chart": _force_chart(police_stamp, drawing, force.name, source),
                "nationalities": stats.force_top_nationalities(nationality, force.name),
                # those that pass the minimum but not the cap, named so the table hides nothing silently
                "more_nationalities": stats.force_top_nationalities(nationality, force.name, n=10**6)
                                           .iloc[stats.NATIONALITY_TOP:],
                "fair": stats.fair_comparison(police, pops, force.name),
            })
        responder_types = data.load(data.NRM_RESPONDER_TYPE)
        responders = stats.responder_type_shares(responder_types).set_index("first_responder_type")
        return render("area.html.j2", b=self, seat=self.seat, blocks=blocks, period=period, source=source,
                      period_words=stats.period_words(police), min_count=stats.NATIONALITY_MIN_COUNT,
                      top_n=stats.NATIONALITY_TOP, release=TABLES_RELEASE, fair_more=FAIR_MORE, fair_less=FAIR_LESS,
                      note=self.notes.cite,
                      government=responders.loc["Government agency"],
                      responder_period=stats.period_words(responder_types),
                      responder_source=f"{figures.NRM}, Tables 11-14, "
                                       f"{stats.period_label(responder_types)}")

    @property
    def place(self) -> str:
        """Whose powers apply (content/powers.yml): the seat's nation, or the Scottish Parliament."""
        return powers.place_of(self.seat.nation, self.seat.parliament)

    @cached_property
    def asks(self) -> list:
        """The chosen concerns' asks, addressed to the bodies that hold the power here: for the seat's
        main police force (its oversight body) and its council(s)."""
        return powers.asks([c.key for c in self.concerns], self.place, self.main_force, self.seat)

    @cached_property
    def figure_keys(self) -> list:
        """The figure each chosen concern gives here: its own, unless an earlier concern already gives that
        one; then the first of its alternatives (content/letter.yml) not yet given. No figure twice."""

        alternatives, chosen = alternative_figures(), []
        for c in self.concerns:
            key = c.figure_for(self.seat.nation)
            if key in chosen:
                key = next((k for k in alternatives.get(c.key, []) if k not in chosen), key)
            chosen.append(key)
        return chosen

    @cached_property
    def figures(self) -> list:
        """One figure per chosen concern, for this seat (the concerns page and the letter share them)."""
        return [figures.FIGURES[key](self) for key in self.figure_keys]

    def chosen_concerns(self) -> Section:

        items = []
        for c, ask, fig in zip(self.concerns, self.asks, self.figures):
            items.append({"c": c, "fig": fig, "sentence": figure_sentence(fig).rstrip("."),
                          "source": figure_note(fig).rstrip("."), "ask": ask})
        return render("concerns.html.j2", b=self, items=items, sources=content.sources(), note=self.notes.cite)

    def _meeting_values(self) -> dict:
        values = powers.powers().values(self.place, self.main_force, self.seat)
        values.update(recipients=powers.join_names(powers.recipients(self.asks)),
                      member_title=self.seat.member_title)
        return values

    def the_ask(self) -> Section:
        meeting = content.meeting()
        values = self._meeting_values()
        steps = []
        for step in meeting["follow_up"]:
            when = self.meeting_date + dt.timedelta(days=int(step["days_after"])) if self.meeting_date else None
            steps.append({"step": powers.fill(step["step"], values), "days": int(step["days_after"]), "when": when})
        return render("ask.html.j2", b=self, mp=self.member, headline=powers.fill(meeting["headline_ask"], values),
                      asks=[powers.fill(a, values) for a in meeting["asks"]], steps=steps,
                      devolved_note=powers.powers().devolved_note(self.place, self.main_force, self.seat))

    def letter(self) -> Section:
        """The letter to send before the meeting: the briefing's last page, and its .docx."""

        letter = build_letter(self)
        section = render("letter.html.j2", letter=letter, b=self, notes_heading=wording()["notes_heading"],
                         extra={LETTER_MIME: letter.to_json()})
        if self.list_msps:   # one letter more for each list MSP of the region
            section = with_list_letters(self, letter, section)
        return section

    def sources(self) -> Section:
        """Every table this briefing read (as recorded: see :mod:`briefpack.data.record`) with its publisher,
        period and licence, the attributions the licences ask for, and the documents cited. Shown
        again at the end of the build, from everything the notebook read, cells below included."""
        return used.sources_section(self._sources)

    def _sources(self) -> Section:
        docs = content.sources()
        cited = list(dict.fromkeys([s for c in self.concerns for s in c.sources] + content.meeting()["sources"]))
        powers_cited = list(dict.fromkeys(s for a in self.asks for s in a.sources if s not in cited))
        return render_sources(used.tables_used(), docs=[(k, docs[k]) for k in cited if k in docs],
                              place=self.place, powers_docs=[(k, docs[k]) for k in powers_cited if k in docs],
                              notes=self.notes.entries())
