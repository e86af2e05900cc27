"""scripts/compare_builds.py's comparison: two folders of outputs, each kind of file judged as the report says.

The builds themselves (two worktrees, two venvs, 78 briefings) take 10-15 minutes and are run by hand;
these tests make real files of each kind (HTML, a manifest, a Word letter, a PDF) and compare them."""
import importlib.util
import io
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("compare_builds", ROOT / "scripts" / "compare_builds.py")
compare_builds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_builds)


def letter(author: str, words: str) -> bytes:
    doc = Document()
    doc.add_paragraph(words)
    doc.core_properties.author = doc.core_properties.last_modified_by = author
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf(created: str) -> bytes:
    """A one-page PDF whose info dictionary has the dates as Chromium writes them (Skia/PDF)."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
               b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>",
               f"<</Creator (Chromium)\n/Producer (Skia/PDF m156)\n/CreationDate (D:{created}+00'00')\n"
               f"/ModDate (D:{created}+00'00')>>".encode()]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d /Root 1 0 R /Info 4 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def record(key: str, **inputs) -> str:
    return json.dumps({"key": key, "digest": "".join(inputs.values())[:8], "inputs": inputs})


@pytest.fixture
def folders(tmp_path):
    old, new = tmp_path / "out-old", tmp_path / "out-new"
    old.mkdir()
    new.mkdir()
    trees = [SimpleNamespace(path=tmp_path / f"tree-{n}", venv=tmp_path / f"venv-{n}") for n in ("old", "new")]
    return old, new, trees, tmp_path / "diffs"


def results(old, new, trees, diffs) -> dict:
    return {r["file"]: r for r in compare_builds.compare(trees[0], trees[1], old, new, diffs)}


def test_same_bytes_and_a_changed_page(folders):
    old, new, trees, diffs = folders
    page = "<main><p>Banbury</p>\n<p>Sean Woodcock MP</p></main>\n"
    (old / "banbury.html").write_text(page)
    (new / "banbury.html").write_text(page)
    (old / "foyle.html").write_text(page)
    (new / "foyle.html").write_text(page.replace("</main>", "<pre>already loaded</pre></main>"))
    (old / "only-old.html").write_text(page)
    got = results(old, new, trees, diffs)
    assert got["banbury.html"]["result"] == "byte-identical"
    assert got["foyle.html"]["result"].startswith("DIFFERS")
    diff = Path(got["foyle.html"]["diff"]).read_text()
    assert "+<p>Sean Woodcock MP</p><pre>already loaded</pre></main>" in diff
    assert got["only-old.html"]["result"] == "only in old"


def test_a_path_of_the_build_folder_is_normalised_and_said(folders):
    old, new, trees, diffs = folders
    (old / "index.html").write_text(f"<a href='{old}/banbury.pdf'>PDF</a>")
    (new / "index.html").write_text(f"<a href='{new}/banbury.pdf'>PDF</a>")
    got = results(old, new, trees, diffs)["index.html"]["result"]
    assert got.startswith("same once normalised") and "<OUT>" in got


def test_letter_with_only_its_author_changed(folders):
    old, new, trees, diffs = folders
    (old / "banbury-letter.docx").write_bytes(letter("Jane Smith", "Dear Sean Woodcock,"))
    (new / "banbury-letter.docx").write_bytes(letter("", "Dear Sean Woodcock,"))
    (old / "foyle-letter.docx").write_bytes(letter("", "Dear Colum Eastwood,"))
    (new / "foyle-letter.docx").write_bytes(letter("", "Dear Colum Eastwood MP,"))
    got = results(old, new, trees, diffs)
    assert got["banbury-letter.docx"]["result"].startswith("document.xml same; core.xml DIFFERS")
    assert "-<dc:creator>Jane Smith</dc:creator>" in Path(got["banbury-letter.docx"]["diff"]).read_text()
    assert got["foyle-letter.docx"]["result"].startswith("document.xml DIFFERS; core.xml same")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_printed_at_another_time(folders):
    old, new, trees, diffs = folders
    (old / "banbury.pdf").write_bytes(pdf("20261202053230"))
    (new / "banbury.pdf").write_bytes(pdf("20261202053444"))
    got = results(old, new, trees, diffs)["banbury.pdf"]["result"]
    assert got == ("pages 1/1 same; text same; images same; "
                   "bytes same once /CreationDate and /ModDate are blanked")


def test_pdf_node_ids_are_blanked():
    a = b"/ID (node00000026)>>\n/Headers [(node00000026)]"
    b = b"/ID (node00000046)>>\n/Headers [(node00000046)]"
    assert compare_builds.PDF_NODE_IDS.sub(b"(node########)", a) == compare_builds.PDF_NODE_IDS.sub(b"(node########)", b)


def test_manifest_names_the_inputs_that_changed(folders):
    old, new, trees, diffs = folders
    (old / "manifest.jsonl").write_text(record("E14001072", code="aaaa", content="cccc", parameters="pppp") + "\n")
    (new / "manifest.jsonl").write_text(
        record("E14001072", code="bbbb", content="cccc", parameters="pppp", browser="zzzz") + "\n")
    got = results(old, new, trees, diffs)["manifest.jsonl"]
    assert got["result"] == "DIFFERS in 1 of 1 records; inputs that differ: browser, code"
    assert "browser (added), code (changed)" in Path(got["diff"]).read_text()
