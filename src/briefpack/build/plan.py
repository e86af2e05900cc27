"""Turn what the user asked for into jobs, checking every parameter before anything runs.

A job holds what is asked for (the notebook and its parameters), not what the briefing will read:
that is recorded when it is built (:mod:`briefpack.data.record`)."""
from __future__ import annotations

from briefpack.build.jobs import Job
from briefpack.render.briefing import Briefing
from briefpack.render.topic_briefing import TopicBriefing

BRIEFING_NOTEBOOK = "briefing.ipynb"


def briefing_job(constituency, **values) -> Job:
    """A constituency briefing job from its parameters (:data:`briefpack.request.inputs.BRIEFING`, by field
    name); raises InputError (one line, naming the field) for a bad one."""
    b = Briefing.prepare(constituency=constituency, **values)
    params = b.parameters()
    return Job(key=b.seat.gss_code, slug=b.seat.slug, label=f"{b.seat.name} ({b.seat.gss_code})",
               title=f"Modern slavery in {b.seat.name}: a briefing for {b.addressee}",
               notebook=BRIEFING_NOTEBOOK, parameters=params,
               info=(("name", b.seat.name if b.seat.parliament == "westminster" else f"{b.seat.name} (Scottish Parliament)"),
                     ("region", b.seat.nation if b.seat.region == b.seat.nation
                                                  else f"{b.seat.nation}, {b.seat.region}"),
                     ("mp", b.member.name or b.addressee), ("party", b.member.party),
                     ("member_as_at", b.member.as_of),
                     *((("list_members", "; ".join(f"{m.name} ({m.party})" for m in b.regional)),) if b.regional else ())))


TOPIC_NOTEBOOK = "topic.ipynb"


def topic_job(key: str) -> Job:
    """A topic briefing job (national figures; words from content/topics/<key>.yml)."""

    t = TopicBriefing.prepare(key)
    return Job(key=f"topic:{t.key}", slug=f"topic-{t.key.replace('_', '-')}", label=f"topic {t.key}",
               title=f"{t.title}: a topic briefing on modern slavery", notebook=TOPIC_NOTEBOOK,
               parameters=(("topic", t.key),),
               info=(("name", f"Topic: {t.title}"), ("region", "UK"), ("mp", ""), ("party", "")))
