"""Export an executed notebook: nbconvert to a self-contained HTML page, headless Chromium to A4 PDF.

One :class:`HtmlExporter` and one :class:`PdfPrinter` (one browser) serve every briefing a process
builds; starting them once is most of the speed-up over the nbconvert command line.
"""
from __future__ import annotations

import functools
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


TEMPLATE = "briefing"


def exporter_config():
    """All the build tells nbconvert: where the briefing template is and that it is the one to use.

    The rest is the template's (``templates/briefing/``): ``conf.json`` lists the preprocessors
    (cells tagged ``notes``, ``remove``, the parameter cells and the record's cell left out;
    researchers' outputs made printable and offline; the page's language), and ``index.html.j2``
    leaves out code and prompts. So ``jupyter nbconvert --to html --template briefing
    --TemplateExporter.extra_template_basedirs=templates`` gives the same page (README).
    """
    from traitlets.config import Config

    cfg = Config()
    cfg.TemplateExporter.extra_template_basedirs = [str(paths.templates_dir())]
    cfg.HTMLExporter.template_name = TEMPLATE
    return cfg


@functools.cache
def exporter_class():
    """:class:`BriefingHTMLExporter`, made on first use: the command line and the web server import
    this module without loading nbconvert."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters import TemplateExporter
    from nbconvert.filters import Highlight2HTML

    class BriefingHTMLExporter(HTMLExporter):
        """nbconvert's HTML exporter, configured by :func:`exporter_config`, without its last step.

        ``HTMLExporter.from_notebook_node`` renders the template (``TemplateExporter.from_notebook_node``)
        and then passes the page through BeautifulSoup: that gives ``<img>`` tags without ``alt`` a
        placeholder text, makes the cells of a ``.jp-Notebook`` body focusable, and writes the page
        out again in BeautifulSoup's spelling (``<meta .../>``, attributes reordered, blank lines
        dropped). A briefing has no ``<img>`` (charts are inline SVG with their own text alternative)
        and no ``.jp-Notebook`` body, so only the spelling changes, yet the pass takes longer than
        the rest of the export (about 0.1 s a page). The build keeps the page as the template renders
        it; the command line's page is the same page in BeautifulSoup's spelling
        (``tests/test_public_apis.py`` compares the two).
        """

        def default_filters(self):
            yield from super().default_filters()
            # The lab template names this filter (for code cells' inputs, which the briefing
            # template leaves out); HTMLExporter registers it in its from_notebook_node.
            yield "highlight_code", Highlight2HTML

        def from_notebook_node(self, nb, resources=None, **kw):
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return BriefingHTMLExporter


class HtmlExporter:
    """One exporter for every page a process builds (starting it is most of an export's cost)."""

    def __init__(self):
        self._exporter = exporter_class()(config=exporter_config())

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
