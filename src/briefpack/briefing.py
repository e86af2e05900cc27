"""A constituency briefing: the parameters resolved, and one method per section of the notebook.

The notebook ``notebooks/briefing.ipynb`` is the outline; each of its cells is one call here. Sections
are rendered by :mod:`briefpack.sections` (shared with the other page types), which escapes all text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from . import content, data, figures, geography, inputs, msps, paths, powers, record, stats
from .errors import DataError, InputError
from .sections import Section, render, render_sources

# "More than" / "less than" its population share: a force's share of police referrals at least this many
# times its share of the population, or at most (stated on the page).
FAIR_MORE, FAIR_LESS = 1.1, 0.9


@record.memo(maxsize=2)
def _why_it_matters(stamp) -> Section:
    from . import charts, headlines

    nrm_uk = data.load(data.NRM_UK)
    by_year = headlines.referrals_by_year(nrm_uk)
    latest = headlines.latest("referrals_total")
    previous = headlines.headline(str(latest.year - 1), "referrals_total")
    table2 = f"{figures.NRM}, Table 2 of the {headlines.TABLES_RELEASE}"
    later = by_year[~by_year.split]
    source = "; ".join([f"{table2}, {stats.period_label(nrm_uk)} (by age)"]
                       + [f"{int(r.year)}: {r.release}" for r in later.itertuples()])
    earlier = by_year[by_year.year < latest.year]
    return render("why.html.j2", latest=latest, previous=previous, change=latest.value - previous.value,
                  highest=latest.value > int(earlier.total.max()), start=int(by_year.year.min()),
                  split=stats.uk_year(nrm_uk), revised=headlines.revised_total(int(by_year[by_year.split].year.max())),
                  table2=table2, publisher=headlines.HOME_OFFICE, chart=charts.uk_trend(by_year, source),
                  first=by_year[by_year.quarters == 4].iloc[0], totals_only=[int(y) for y in later.year])


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
        from . import campaign

        if self.seat.parliament == geography.SCOTTISH:
            self.member = msps.member(self.seat, self.member_name)
            self.regional = msps.list_msps(self.seat)     # the region's seven list MSPs
        else:
            self.member = geography.member(self.seat)
            self.regional = []
        self.forces = geography.forces(self.seat)
        self.campaign = campaign.status_of(self.seat.gss_code) if self.seat.parliament == geography.WESTMINSTER else None

    @classmethod
    def prepare(cls, constituency, concerns=None, club="", meeting_date=None, parliament="westminster",
                member_name="", sender_address="", letter_date=None, sender_name="",
                personal_note="", list_msps=False) -> "Briefing":
        """Check every parameter and resolve the seat; raises InputError with a one-line message."""
        seat = inputs.constituency(constituency, parliament or geography.WESTMINSTER)
        if member_name and seat.parliament == geography.WESTMINSTER:
            raise InputError("A member's name can only be given for a Scottish Parliament seat (Westminster MPs "
                             "come from data/mps_current.csv; record a change in data/campaign/member_overrides.csv).",
                             "member_name")
        if list_msps and seat.parliament == geography.WESTMINSTER:
            raise InputError("Letters to list MSPs (--list-msps) are for a Scottish Parliament seat; add "
                             "--parliament scottish.", "list_msps")
        keys = inputs.concerns(concerns)
        all_concerns = content.concerns()
        address = inputs.address(sender_address)
        # The personal note is a paragraph: like all text, its line breaks become spaces (inputs.text).
        return cls(seat, [all_concerns[k] for k in keys], inputs.text(club, "club"),
                   inputs.date(meeting_date, "meeting_date"), inputs.text(member_name, "member_name"), address,
                   inputs.date(letter_date, "letter_date"), inputs.text(sender_name, "sender_name"),
                   inputs.text(personal_note, "personal_note"), bool(list_msps))

    @property
    def addressee(self) -> str:
        """How to address the member: their name, or their office when the name is not known."""
        if self.member.name:
            return f"{self.member.name} {self.seat.member_title}"
        return f"the {self.seat.member_role} for {self.seat.name}"

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

    def cover(self) -> Section:
        from .headlines import latest

        note = (f"National totals run to {latest().year}; police-force figures cover "
                f"{stats.period_words(self.police)}, the latest published force by force.")
        return render("cover.html.j2", b=self, seat=self.seat, mp=self.member, figures_note=note,
                      westminster=self.seat.parliament == geography.WESTMINSTER)

    def why_it_matters(self) -> Section:
        """The same for every seat: rendered once per process for as long as the data and words are unchanged."""
        words = content.stamps(paths.templates_dir() / "sections" / "why.html.j2", paths.content_dir() / "charts.yml")
        return _why_it_matters((data.stamp(data.NRM_UK), data.stamp(data.NRM_HEADLINES), words))

    def your_area(self) -> Section:
        from . import charts


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
        for force in self.forces:
            by_qt = stats.force_by_quarter_and_type(police, force.name)
            blocks.append({
                "force": force,
                "total": stats.force_total(police, force.name),
                "ages": stats.force_by_age(police, force.name),
                "chart": charts.force_quarters(by_qt, force.name, source),
                "nationalities": stats.force_top_nationalities(nationality, force.name),
                "fair": stats.fair_comparison(police, pops, force.name),
            })
        responder_types = data.load(data.NRM_RESPONDER_TYPE)
        responders = stats.responder_type_shares(responder_types).set_index("first_responder_type")
        return render("area.html.j2", b=self, seat=self.seat, blocks=blocks, period=period, source=source,
                      period_words=stats.period_words(police), min_count=stats.NATIONALITY_MIN_COUNT, fair_more=FAIR_MORE, fair_less=FAIR_LESS,
                      government=responders.loc["Government agency"],
                      responder_source=f"{figures.NRM}, Tables 11-14, "
                                       f"{stats.period_label(responder_types)}")

    @property
    def place(self) -> str:
        """Whose powers apply (content/powers.yml): the seat's nation, or the Scottish Parliament."""
        return powers.place_of(self.seat.nation, self.seat.parliament)

    @cached_property
    def asks(self) -> list:
        """The chosen concerns' asks, addressed to the bodies that hold the power here."""
        return powers.asks([c.key for c in self.concerns], self.place, self.main_force.name)

    @cached_property
    def figures(self) -> list:
        """One figure per chosen concern, for this seat (the concerns page and the letter share them)."""
        return [figures.FIGURES[c.figure_for(self.seat.nation)](self) for c in self.concerns]

    def chosen_concerns(self) -> Section:
        items = []
        for c, ask, fig in zip(self.concerns, self.asks, self.figures):
            items.append({"c": c, "fig": figures.shown(fig), "ask": ask})
        return render("concerns.html.j2", b=self, items=items, sources=content.sources())

    def the_ask(self) -> Section:
        meeting = content.meeting()
        values = powers.powers().values(self.place, self.main_force.name)
        values.update(recipients=powers.join_names(powers.recipients(self.asks)),
                      member_title=self.seat.member_title)
        steps = []
        for step in meeting["follow_up"]:
            when = self.meeting_date + dt.timedelta(days=int(step["days_after"])) if self.meeting_date else None
            steps.append({"step": powers.fill(step["step"], values), "days": int(step["days_after"]), "when": when})
        return render("ask.html.j2", b=self, mp=self.member, headline=powers.fill(meeting["headline_ask"], values),
                      asks=[powers.fill(a, values) for a in meeting["asks"]], steps=steps)

    def letter(self) -> Section:
        """The letter to send before the meeting: the briefing's last page, and its .docx. With
        ``list_msps``, one letter more for each list MSP of the region (:mod:`briefpack.msp_letters`)."""
        from .letters import LETTER_MIME, build_letter

        letter = build_letter(self)
        section = render("letter.html.j2", letter=letter, b=self, extra={LETTER_MIME: letter.to_json()})
        if self.list_msps:
            from .msp_letters import with_list_letters

            section = with_list_letters(self, letter, section)
        return section

    def sources(self) -> Section:
        """Every table this briefing read (as recorded: see :mod:`briefpack.record`) with its publisher,
        period and licence, the attributions the licences ask for, and the documents cited. Shown
        again at the end of the build, from everything the notebook read, cells below included."""
        return record.sources_section(self._sources)

    def _sources(self) -> Section:
        docs = content.sources()
        cited = list(dict.fromkeys([s for c in self.concerns for s in c.sources] + content.meeting()["sources"]))
        powers_cited = list(dict.fromkeys(s for a in self.asks for s in a.sources if s not in cited))
        return render_sources(record.tables_used(), docs=[(k, docs[k]) for k in cited if k in docs],
                              place=self.place, powers_docs=[(k, docs[k]) for k in powers_cited if k in docs])
