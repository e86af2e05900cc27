"""The researchers' guide (README, "For researchers"): each of its recipes done to a copy of the project,
as the README says, and the result checked in the HTML and the PDF text.

Fast tests check that the files a researcher edits are inputs of the build; the recipes themselves build
through ``build.py`` and are marked ``e2e``.
"""
from __future__ import annotations

from briefpack import manifest


def test_a_template_edit_changes_the_inputs_of_every_briefing(project, monkeypatch):
    monkeypatch.setenv("BRIEFPACK_ROOT", str(project.root))
    templates = project.own("templates")
    before = manifest.templates_hash()
    (templates / "README.md").write_text("Notes for the team.\n", encoding="utf-8")
    assert manifest.templates_hash() == before, "a README is not part of a page"
    why = templates / "sections" / "why.html.j2"
    why.write_text(why.read_text(encoding="utf-8") + "<p>One more sentence.</p>\n", encoding="utf-8")
    assert manifest.templates_hash() != before
