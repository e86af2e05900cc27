"""briefpack: build modern slavery briefings for UK elected representatives from real data.

Modules, one job each: ``paths``, ``errors``, ``data`` (the only file reader, validating),
``geography`` (seats, MPs, police forces), ``stats`` (pure functions), ``figures`` (one number per
concern), ``charts`` (Altair theme, offline SVG), ``content`` (editable YAML), ``sections`` (rendering shared
by every page type), ``briefing`` (notebook sections), ``execute`` (Papermill on warm kernels), ``export`` (HTML, PDF), ``pack``
(workers, batches, the pack), ``manifest`` (input hashes, why dirty), ``plan`` (jobs from
parameters), ``letters``, ``campaign`` (tracker), ``report`` (progress report), ``topics``,
``index``, ``progress`` (progress bar), ``distributed`` (dask executor), ``cli``, ``display``
(researchers' charts and tables in Jupyter and in print), ``preprocessors`` (nbconvert: every output
prints, offline).

Imported inside a Jupyter kernel, briefpack registers its display hooks (see :mod:`briefpack.render.display`).
"""
__version__ = "0.1.0"


def show(obj, caption: str = "", source: str = "", **options) -> None:
    """Show a DataFrame or an Altair chart in the briefing with a caption and a source line.

    ``briefpack.show(df, caption="...", source="...", index=True)``; see :func:`briefpack.render.display.show`.
    """
    from briefpack.render.display import show as _show

    _show(obj, caption, source, **options)


def _install_display_hooks() -> None:
    """In a Jupyter kernel (IPython already imported, a shell running), register the display hooks."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    if getattr(shell, "display_formatter", None) is not None:
        from briefpack.render.display import install

        install(shell)


_install_display_hooks()
