"""One definition of a briefing's parameters (issue 16, point 2): a field added to
``briefpack.request.inputs.FIELDS`` and ``BRIEFING`` is, with no other edit, a ``build`` option, a
field of the web forms (labelled with its ``form_label``) and a key of the JSON APIs; its errors are
shown beside it, worded for the page from the same parts as the command line's line."""
from __future__ import annotations

import dataclasses

import pytest
from bs4 import BeautifulSoup
from test_web import StandInPool, fetch, in_process_server

from briefpack.app import cli, holyrood_web, web, webform
from briefpack.core.errors import InputError
from briefpack.places import geography
from briefpack.request import inputs

NEW = inputs.Field("meeting_place", "meeting place", "--meeting-place", 80, "where you will meet the member", "",
                   "PLACE", form_label="Where you will meet (optional)")


@pytest.fixture
def one_more_field(monkeypatch):
    """The one edit: an entry in FIELDS, its name in BRIEFING."""
    monkeypatch.setattr(inputs, "FIELDS", {**inputs.FIELDS, NEW.name: NEW})
    monkeypatch.setattr(inputs, "BRIEFING", (*inputs.BRIEFING, NEW.name))
    return NEW


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = web.Settings(cache_parent=str(tmp_path_factory.mktemp("cache")), pack_dir="-", body_seconds=2)
    with in_process_server(settings, StandInPool()) as (url, app):
        yield url


def test_the_forms_take_the_briefings_fields_with_a_form_label():
    for form, parliament in ((web.Form, geography.WESTMINSTER), (holyrood_web.ScottishForm, geography.SCOTTISH)):
        fields = form.fields()
        assert fields == tuple(n for n in inputs.BRIEFING if inputs.FIELDS[n].form_label
                               and inputs.FIELDS[n].only in ("", parliament))
        assert {"constituency", "concerns", "club", "address"} <= set(fields)
    assert "member_name" not in web.Form.fields() and "list_msps" not in web.Form.fields()
    assert {"member_name", "list_msps"} <= set(holyrood_web.ScottishForm.fields())


def test_a_new_field_is_a_build_option(one_more_field):
    args = cli.parser().parse_args(["build", "-c", "Banbury", "--meeting-place", "Town hall"])
    assert args.meeting_place == "Town hall"
    assert cli.parser().parse_args(["build", "-c", "Banbury"]).meeting_place == ""


def test_a_new_field_is_in_the_forms_and_the_json_apis(one_more_field):
    for form in (web.Form, holyrood_web.ScottishForm):
        assert NEW.name in form.fields()
        posted = form.from_form({"constituency": ["Banbury"], NEW.name: ["  Town hall "]})
        assert posted.meeting_place == "Town hall"
        sent = form.from_json({"constituency": "Banbury", NEW.name: "Town hall"})
        assert sent.meeting_place == "Town hall"
        with pytest.raises(InputError, match="Unknown field 'colour'.*meeting_place"):
            form.from_json({"constituency": "Banbury", "colour": "red"})
        # its errors are shown beside it
        assert form.field_of(InputError("x", NEW.name)) == NEW.name


def test_a_new_field_is_on_both_pages_with_its_label(one_more_field, server):
    banbury = geography.resolve("Banbury")
    scottish = geography.seats(geography.SCOTTISH)[0]
    for path, id_ in ((f"/?seat={banbury.gss_code}", NEW.name), (f"/scottish?seat={scottish.gss_code}",
                                                                  f"sp-{NEW.name}")):
        reply = fetch(server + path)
        assert reply.status == 200, reply.text
        page = BeautifulSoup(reply.body, "lxml")
        field = page.find("input", attrs={"name": NEW.name})
        assert field is not None and field["id"] == id_, path
        assert page.find("label", attrs={"for": id_}).get_text(strip=True) == NEW.form_label
        assert f"{id_}-error" in field["aria-describedby"] and page.find(id=f"{id_}-error") is not None


def test_the_pages_labels_are_the_definitions(server):
    """Every field of both forms is labelled with the definition's form_label, in the page's words."""
    scottish = geography.seats(geography.SCOTTISH)[0]
    for form, path, prefix in ((web.Form, "/", ""), (holyrood_web.ScottishForm, f"/scottish?seat={scottish.gss_code}",
                                                      "sp-")):
        page = BeautifulSoup(fetch(server + path).body, "lxml")
        labels = form.labels()
        assert set(labels) == set(form.fields())
        for name, label in labels.items():
            if name == "constituency":   # chosen by the search above the form, sent as a hidden field
                continue
            if name == "concerns":
                shown = page.find(id=f"{prefix}concerns-hint").parent.find("legend")
            else:
                shown = page.find("label", attrs={"for": f"{prefix}{name}"})
            assert shown is not None and shown.get_text(strip=True) == label, (path, name)
    assert web.Form.labels()["meeting_date"] == "Date of your meeting with the MP (optional)"
    assert holyrood_web.ScottishForm.labels()["address"] == "Your address for the letters (optional)"


def test_a_new_fields_error_names_its_option_on_the_command_line_only(one_more_field):
    with pytest.raises(InputError) as err:
        inputs.text("x" * 81, NEW.name)
    assert str(err.value) == "The meeting place (--meeting-place) is 81 characters long; keep it to 80 or fewer."
    assert webform.for_page(err.value) == "The meeting place is 81 characters long; keep it to 80 or fewer."
    assert err.value.field == NEW.name


def test_an_error_keeps_its_parts_across_processes():
    import pickle

    with pytest.raises(InputError) as err:
        inputs.constituency("")
    again = pickle.loads(pickle.dumps(err.value))
    assert (str(again), again.plain, again.field) == (str(err.value), err.value.plain, "constituency")
    assert dataclasses.is_dataclass(again.parts[1]) and "--constituency" not in again.plain
