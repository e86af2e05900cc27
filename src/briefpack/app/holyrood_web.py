"""The web page's Scottish Parliament briefings: ``/scottish`` and ``/api/scottish/...``.

A campaigner finds their constituency of 2026 by its name, its region, or an MSP (constituency or
list), sees its MSP and the region's seven list MSPs, and makes a briefing addressed to the MSP, with
the option of a letter to each list MSP as well. The data holds no postcode look-up for Scottish
Parliament constituencies, and a Westminster seat does not share their boundaries, so a Scottish
postcode is never turned into a guess: the page says so and helps the user pick their constituency
from the list of all 73, region by region.

The handlers use the app's own service and page helpers (:mod:`briefpack.app.web` passes them in with
:func:`routes`), so every value is checked by the command line's code (``plan.briefing_job``) and
builds run in the same warm workers, cache and limits as every other briefing.
"""
from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qs

from briefpack.app.webform import BriefingForm
from briefpack.build.pool import Busy
from briefpack.core.errors import InputError, quote_input
from briefpack.data import catalogue as data
from briefpack.places import geography, msps, postcodes
from briefpack.places.search import Found, Match, fold
from briefpack.request import inputs
from briefpack.words import content

LIMIT = 20
EXAMPLE = "Glasgow Southside"
# How well a seat matches: the best reason wins; ties go by name.
EXACT_NAME, NAME_START, NAME_WORDS, REGION, MEMBER, LIST_MEMBER = 100, 90, 80, 70, 60, 50


def match(seat: geography.Seat, via: str = "code", detail: str = "") -> Match:
    """A Scottish Parliament seat as the page and the API show it: the constituency MSP (or the office,
    when the data has no name), their party and date."""
    m = msps.constituency_msp(seat)
    member = m.name or f"the Member of the Scottish Parliament for {seat.name}"
    return Match(seat.gss_code, seat.name, member, m.party, seat.nation, seat.region, via, detail, m.as_of)


def list_members(seat: geography.Seat) -> list[dict]:
    return [{"name": m.name, "party": m.party, "as_at": m.as_of} for m in msps.list_msps(seat)]


def by_region() -> list[tuple[str, list[geography.Seat]]]:
    """Every constituency, region by region (to pick one without a postcode look-up)."""
    seats = geography.seats(geography.SCOTTISH)
    return [(r, [s for s in seats if s.region == r]) for r in geography.regions()]


def seat_of(code: str) -> geography.Seat | None:
    try:
        return geography.resolve(code, geography.SCOTTISH) if code else None
    except InputError:
        return None


def attribution() -> tuple:
    """The licence lines of the data this page shows (constituencies, MSPs, and the postcode table it uses to
    tell a Scottish postcode)."""
    names = [data.SCOTTISH_PARLIAMENT, data.MSPS_CURRENT, postcodes.RANGES]
    return tuple(dict.fromkeys(line for n in names for line in data.meta(n).provenance.get("attribution", [])))


def no_lookup_message(pc: str, westminster: str = "") -> str:
    return (f"{pc} is in Scotland, but there is no postcode look-up for Scottish Parliament constituencies in our "
            "data, and the Westminster constituency" + (f" ({westminster})" if westminster else "")
            + " has different boundaries, so we do not guess. Pick your constituency from the list of all 73 "
            "below (by region), or search for it by name, by region or by one of your MSPs.")


def find(query, limit: int = LIMIT) -> tuple[Found, bool]:
    """(seats matching ``query`` by name, region, constituency MSP or list MSP; whether the query was a
    Scottish postcode, for which the page opens the list of all constituencies)."""
    text = " ".join(str(query or "").split())
    if not text:
        return Found("", (), 0, "Type the name of your constituency or town, your region, or an MSP's name."), False
    if len(text) > 100:
        raise InputError(f"The search {quote_input(text)} is {len(text)} characters long; keep it under 100.")
    if postcodes.looks_like_postcode(text):
        return _by_postcode(text)
    seat = seat_of(text) if text.upper().startswith("S16") else None
    if seat is not None:
        return Found(text, (match(seat),), 1), False
    query = tuple(fold(text).split())
    joined = " ".join(query)
    scored: dict = {}

    def offer(score: int, seat: geography.Seat, via: str, detail: str = "") -> None:
        if seat.gss_code not in scored or score > scored[seat.gss_code][0]:
            scored[seat.gss_code] = (score, seat, via, detail)

    def starts(words) -> bool:
        return all(any(w.startswith(q) for w in words) for q in query)

    for s in geography.seats(geography.SCOTTISH):
        name = fold(s.name)
        if joined == name:
            offer(EXACT_NAME, s, "name")
        elif name.startswith(joined):
            offer(NAME_START, s, "name")
        elif starts(name.split()):
            offer(NAME_WORDS, s, "name")
        if starts(fold(s.region).split()):
            offer(REGION, s, "region", s.region)
        m = msps.constituency_msp(s)
        if m.name and starts(fold(f"{m.name} {m.ballot_name}").split()):
            offer(MEMBER, s, "member", m.name)
        for lm in msps.list_msps(s):
            if starts(fold(f"{lm.name} {lm.ballot_name}").split()):
                offer(LIST_MEMBER, s, "list member", lm.name)
    ranked = sorted(scored.values(), key=lambda x: (-x[0], fold(x[1].name)))
    matches = tuple(match(s, via, detail) for _, s, via, detail in ranked[:limit])
    message = "" if matches else (f"Nothing matches {quote_input(text)}; try the name of your constituency or "
                                  f"town (for example {EXAMPLE}), your region or an MSP's name.")
    return Found(text, matches, len(ranked), message), False


def _by_postcode(text: str) -> tuple[Found, bool]:
    pc = postcodes.normalise(text)
    if pc.startswith("BT"):
        return Found(pc, (), 0, f"{pc} is in Northern Ireland; Scottish Parliament briefings are for "
                                "constituencies in Scotland."), False
    try:
        code = postcodes.constituency_code(pc)
    except InputError as exc:
        return Found(pc, (), 0, str(exc)), False
    if not code.startswith("S"):
        return Found(pc, (), 0, f"{pc} is not in Scotland; Scottish Parliament briefings are for constituencies "
                                "in Scotland. For your MP, use the main page."), False
    return Found(pc, (), 0, no_lookup_message(pc)), True


class ScottishForm(BriefingForm):
    """What the user sent for a Scottish Parliament briefing (its fields: ``inputs.form_fields("scottish")``),
    kept to show back in the form."""

    parliament = geography.SCOTTISH
    aliases = {"msp": "member_name"}   # the form's and the API's name for it before 2026-12
    words = {"member": "MSP", "letter": "letters"}

    def match(self, job) -> Match:
        """The seat of ``job`` as the result page shows it."""
        return match(geography.resolve(job.key, geography.SCOTTISH))


def _field(exc) -> str:
    return ScottishForm.field_of(exc) or "form"


def routes(pages, helpers) -> list:
    """The Scottish Parliament page and API for the app. ``pages`` is the app's :class:`briefpack.app.web.Pages`;
    ``helpers`` gives ``BuildFailed``, ``for_page``, ``busy_message`` and ``failed_message``."""
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    def values(request, q: str = "", seat_code: str = "", form: ScottishForm | None = None,
               errors: dict | None = None, notice: str = "") -> dict:
        found, scottish_pc = find(q) if q else (None, False)
        seat = seat_of(seat_code or (form.constituency if form else ""))
        return {"fields": {name: inputs.FIELDS[name] for name in ScottishForm.fields()},
                "labels": ScottishForm.labels(),
                "q": q, "found": found, "scottish_postcode": scottish_pc, "seat": match(seat) if seat else None,
                "list_members": list_members(seat) if seat else [], "regions": by_region(),
                "form": form or ScottishForm(list_msps=True), "errors": errors or {}, "notice": notice,
                "concerns": list(content.concerns().values()), "example": EXAMPLE,
                "title": "Make a briefing for your MSPs (Scottish Parliament)", "attribution": attribution()}

    async def page(request):
        q = " ".join(request.query_params.get("q", "").split())
        errors = {}
        if len(q) > 100:
            errors["q"], q = f"The search is {len(q)} characters long; keep it under 100.", ""
        code = request.query_params.get("seat", "").strip()
        v = values(request, q=q, seat_code=code, errors=errors)
        if code and v["seat"] is None:
            v["errors"]["q"] = "That constituency is not known; search again."
        return pages.render(request, "scottish.html.j2", 400 if v["errors"] else 200, **v)

    async def make_form(request):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return pages.render(request, "message.html.j2", 400, heading="That did not work",
                                message="Send the form as application/x-www-form-urlencoded (use the page's button).")
        body = await pages.body(request)
        try:
            pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=40)
        except (UnicodeDecodeError, ValueError):
            return pages.render(request, "message.html.j2", 400, heading="That did not work",
                                message="The form could not be read (not UTF-8, or too many fields); send it again.")
        form = ScottishForm.from_form(pairs)
        problem = pages.service.guard.check(request, (pairs.get(helpers.token_field) or [""])[0])
        if problem:   # a post from another site's page, or without the page's token
            return pages.render(request, "scottish.html.j2", 403, **values(request, form=form, notice=problem))
        try:
            made = await pages.service.make(form, helpers.client_key(request), lambda: helpers.client_gone(request))
        except InputError as exc:
            v = values(request, form=form, errors={_field(exc): helpers.for_page(exc)})
            return pages.render(request, "scottish.html.j2", 400, **v)
        except helpers.ClientGone:
            return helpers.gone_response()
        except helpers.TooMany as exc:
            v = values(request, form=form, notice=str(exc))
            return pages.render(request, "scottish.html.j2", 429, {"retry-after": "5"}, **v)
        except Busy as exc:
            seconds = pages.service.retry_after(exc)
            v = values(request, form=form, notice=helpers.busy_message(seconds))
            return pages.render(request, "scottish.html.j2", 503, {"retry-after": str(seconds)}, **v)
        except helpers.BuildFailed as exc:
            return pages.render(request, "message.html.j2", 500, heading="Your briefing could not be made",
                                message=helpers.failed_message(exc))
        return RedirectResponse(f"{pages.base(request)}/briefings/{made.token}", status_code=303)

    async def api_constituencies(request):
        q = request.query_params.get("q", "")
        if not q.strip():
            return pages.json({"error": "Give ?q= a constituency, a region or an MSP's name.", "field": "q"}, 400)
        try:
            found, scottish_pc = find(q)
        except InputError as exc:
            return pages.json({"error": str(exc), "field": "q"}, 400)
        doc = found.as_dict()
        for m in doc["matches"]:
            m["list_members"] = list_members(geography.resolve(m["code"], geography.SCOTTISH))
        doc["postcode_lookup"] = not scottish_pc and not postcodes.looks_like_postcode(q)
        if scottish_pc:
            doc["constituencies"] = [{"region": r, "names": [s.name for s in seats], "codes": [s.gss_code for s in seats]}
                                     for r, seats in by_region()]
        return pages.json(doc)

    async def api_briefings(request):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return pages.json({"error": "Send the briefing's parameters as JSON (Content-Type: application/json)."},
                              415)
        body = await pages.body(request)
        try:
            form = ScottishForm.from_json(json.loads(body.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return pages.json({"error": "The request body is not valid JSON."}, 400)
        except InputError as exc:
            return pages.json({"error": str(exc), "field": None}, 400)
        try:
            made = await pages.service.make(form, helpers.client_key(request), lambda: helpers.client_gone(request))
        except InputError as exc:
            return pages.json({"error": str(exc), "message": helpers.for_page(exc), "field": _field(exc)}, 400)
        except Busy as exc:
            seconds = pages.service.retry_after(exc)
            return pages.json({"error": helpers.busy_message(seconds), "retry_after": seconds}, 503,
                              {"retry-after": str(seconds)})
        except helpers.BuildFailed as exc:
            return pages.json({"error": helpers.failed_message(exc)}, 500)
        seat = dataclasses.asdict(made.seat)
        return pages.json({"constituency": {k: seat[k] for k in ("code", "name", "member", "party", "region")},
                           "concerns": list(made.concerns), "list_msps": form.list_msps,
                           **pages.links(request, made), "seconds": round(made.seconds, 3)})

    return [Route("/scottish", page, methods=["GET"]),
            Route("/scottish/briefings", make_form, methods=["POST"]),
            Route("/api/scottish/constituencies", api_constituencies, methods=["GET"]),
            Route("/api/scottish/briefings", api_briefings, methods=["POST"])]
