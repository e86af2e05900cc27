"""Export an executed notebook: nbconvert to a self-contained HTML page, headless Chromium to A4 PDF.

One :class:`HtmlExporter` and one :class:`PdfPrinter` (one browser) serve every briefing a process
builds; starting them once is most of the speed-up over the nbconvert command line.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from briefpack.core import paths
from briefpack.core.errors import ExportError

CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _briefing_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class BriefingHTMLExporter(HTMLExporter):
        """HTMLExporter without its BeautifulSoup post-pass.

        That pass gives ``<img>`` tags without ``alt`` a placeholder text and makes cells of a
        ``.jp-Notebook`` body focusable. A briefing has no ``<img>`` (charts are inline SVG with
        their own text alternative) and no ``.jp-Notebook`` body, so the pass changes nothing, yet
        it costs most of the export time (parsing and re-serialising the page).
        """

        def _init_resources(self, resources):
            resources = super()._init_resources(resources)
            resources["language_code"] = "en-GB"  # nbconvert accepts two-letter codes only; briefings are British English
            return resources

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return BriefingHTMLExporter


class HtmlExporter:
    """nbconvert's HTMLExporter with the briefing template: no code, no prompts, no network."""

    def __init__(self):
        from traitlets.config import Config

        cfg = Config()
        cfg.HTMLExporter.extra_template_basedirs = [str(paths.templates_dir())]
        cfg.HTMLExporter.template_name = "briefing"
        cfg.HTMLExporter.exclude_input = True
        cfg.HTMLExporter.exclude_input_prompt = True
        cfg.HTMLExporter.exclude_output_prompt = True
        cfg.HTMLExporter.embed_images = True
        cfg.TagRemovePreprocessor.enabled = True
        # Notes for researchers and the (output-less) parameter cells are not part of the page.
        cfg.TagRemovePreprocessor.remove_cell_tags = {"notes", "remove", "parameters", "injected-parameters",
                                                       "briefpack-record"}
        # Researchers' charts (any Altair renderer) and tables print as inline SVG and styled tables, offline.
        cfg.HTMLExporter.preprocessors = ["briefpack.build.preprocessors.OfflineOutputPreprocessor"]
        self._exporter = _briefing_exporter_class()(config=cfg)

    def __call__(self, nb, title: str) -> str:
        nb.metadata["title"] = title
        body, _ = self._exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        return body


def find_chromium() -> str:
    env = os.environ.get("BRIEFPACK_CHROMIUM")
    if env:
        if Path(env).exists():
            return env
        raise ExportError(f"BRIEFPACK_CHROMIUM={env} does not exist; point it at a Chromium binary or unset it.")
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise ExportError("Chromium not found: install it with `apt-get install chromium chromium-headless-shell`"
                      " (or set BRIEFPACK_CHROMIUM), or build HTML only with --formats html.")


FOOTER = ('<div style="font-family: DejaVu Sans, Arial, sans-serif; font-size: 7.5pt; color: #5f5f5f; '
          'width: 100%; padding: 0 15mm; display: flex; justify-content: space-between;">'
          '<span>{label}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


class PdfPrinter:
    """One headless Chromium, reused for every PDF. Use as a context manager."""

    def __init__(self):
        self._pw = self._browser = self._context = self._page = None

    def __enter__(self) -> "PdfPrinter":
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        executable = find_chromium()
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except PlaywrightError as exc:
            self._pw.stop()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown error"
            raise ExportError(f"Chromium at {executable} would not start ({first}); reinstall chromium-headless-shell.") from None
        # Pages may not reach the network: a briefing must be self-contained.
        self._context = self._browser.new_context(offline=True, java_script_enabled=False)
        return self

    @property
    def alive(self) -> bool:
        """False once the browser has gone (crashed or killed): it cannot print again."""
        try:
            return self._browser is not None and self._browser.is_connected()
        except Exception:
            return False

    def _fresh_page(self):
        """One page reused for every PDF (a new page per PDF doubles the time)."""
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        return self._page

    def __exit__(self, *exc) -> None:
        for closer in (self._context, self._browser):
            try:
                if closer is not None:
                    closer.close()
            except Exception:
                pass
        if self._pw is not None:
            self._pw.stop()

    def print_pdf(self, html: str, label: str) -> bytes:
        import html as html_mod

        page = self._fresh_page()
        try:
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            return page.pdf(
                format="A4", print_background=True, prefer_css_page_size=True,
                display_header_footer=True, header_template="<span></span>",
                footer_template=FOOTER.format(label=html_mod.escape(label)),
                outline=True, tagged=True,
            )
        except Exception:
            try:
                page.close()  # start the next PDF on a clean page
            except Exception:  # the browser has gone with it
                pass
            raise


def without_author(docx: bytes) -> bytes:
    """The Word file with its author and last-modified-by properties empty: a letter made on the web
    page must not carry its sender's name in the file's properties (the letter itself holds it)."""
    import io

    from docx import Document

    doc = Document(io.BytesIO(docx))
    props = doc.core_properties
    if not props.author and not props.last_modified_by:
        return docx
    props.author = props.last_modified_by = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
