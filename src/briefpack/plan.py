"""Turn what the user asked for into jobs, checking every parameter before anything runs.

A job holds what is asked for (the notebook and its parameters), not what the briefing will read:
that is recorded when it is built (:mod:`briefpack.record`)."""
from __future__ import annotations

from .briefing import Briefing
from .jobs import Job

BRIEFING_NOTEBOOK = "briefing.ipynb"


def briefing_job(constituency, concerns=None, club="", meeting_date=None, parliament="westminster",
                 member_name="", sender_address="", letter_date=None, sender_name="", personal_note="",
                 list_msps=False) -> Job:
    """A constituency briefing job; raises InputError (one line) for a bad parameter."""
    b = Briefing.prepare(constituency, concerns, club, meeting_date, parliament, member_name, sender_address,
                         letter_date, sender_name, personal_note, list_msps)
    params = (
        ("constituency", b.seat.gss_code),
        ("concerns", tuple(c.key for c in b.concerns)),
        ("club", b.club),
        ("meeting_date", b.meeting_date.isoformat() if b.meeting_date else ""),
        ("parliament", b.seat.parliament),
        ("member_name", b.member_name),
        ("sender_address", ", ".join(b.sender_address)),
        ("letter_date", b.letter_date.isoformat() if b.letter_date else ""),
        ("sender_name", b.sender_name),
        ("personal_note", b.personal_note),
    ) + ((("list_msps", True),) if b.list_msps else ())
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
    from .topics import TopicBriefing

    t = TopicBriefing.prepare(key)
    return Job(key=f"topic:{t.key}", slug=f"topic-{t.key.replace('_', '-')}", label=f"topic {t.key}",
               title=f"{t.title}: a topic briefing on modern slavery", notebook=TOPIC_NOTEBOOK,
               parameters=(("topic", t.key),),
               info=(("name", f"Topic: {t.title}"), ("region", "UK"), ("mp", ""), ("party", "")))
