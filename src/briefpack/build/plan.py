"""Turn what the user asked for into jobs, checking every parameter before anything runs.

A job holds what is asked for (the notebook and its parameters), not what the briefing will read:
that is recorded when it is built (:mod:`briefpack.data.record`)."""
from __future__ import annotations

from briefpack.build.jobs import Job
from briefpack.render.briefing import Briefing
from briefpack.render.seat_briefing import SeatBriefing
from briefpack.render.topic_briefing import TopicBriefing
from briefpack.words import campaigns

BRIEFING_NOTEBOOK = "briefing.ipynb"
# A campaign's layout (campaign.yml) -> the class that checks a briefing's parameters and draws its pages.
BRIEFINGS = {"modern-slavery": Briefing, "seat": SeatBriefing}


def briefing_job(constituency, **values) -> Job:
    """A constituency briefing job of the campaign being built (:func:`briefpack.words.campaigns.current`)
    from its parameters (:data:`briefpack.request.inputs.BRIEFING`, by field name); raises InputError (one
    line, naming the field) for a bad one."""
    c = campaigns.current()
    b = BRIEFINGS[c.layout].prepare(constituency=constituency, **values)
    regional = getattr(b, "regional", ())    # a Scottish Parliament seat's list MSPs (modern-slavery layout)
    return Job(key=b.seat.gss_code, slug=b.seat.slug, label=f"{b.seat.name} ({b.seat.gss_code})",
               title=c.title_for(b.seat.name, b.addressee), notebook=c.notebook, parameters=b.parameters(),
               info=(("name", b.seat.name if b.seat.parliament == "westminster" else f"{b.seat.name} (Scottish Parliament)"),
                     ("region", b.seat.nation if b.seat.region == b.seat.nation
                                                  else f"{b.seat.nation}, {b.seat.region}"),
                     ("mp", b.member.name or b.addressee), ("party", b.member.party),
                     ("member_as_at", b.member.as_of),
                     *((("list_members", "; ".join(f"{m.name} ({m.party})" for m in regional)),) if regional else ())))


TOPIC_NOTEBOOK = "topic.ipynb"


def topic_job(key: str) -> Job:
    """A topic briefing job (national figures; words from content/topics/<key>.yml)."""

    t = TopicBriefing.prepare(key)
    return Job(key=f"topic:{t.key}", slug=f"topic-{t.key.replace('_', '-')}", label=f"topic {t.key}",
               title=f"{t.title}: a topic briefing on modern slavery", notebook=TOPIC_NOTEBOOK,
               parameters=(("topic", t.key),),
               info=(("name", f"Topic: {t.title}"), ("region", "UK"), ("mp", ""), ("party", "")))
