"""briefpack: build modern slavery briefings for UK elected representatives from real data.

Layers, each a folder that imports only the ones before it (tests/test_layers.py holds this):
``core`` (paths, errors, atomic writes, signals, text helpers) <- ``data`` (the table catalogue, the
record of reads, statistics, headlines) <- ``places`` (seats, members, forces, postcodes, search, the
campaign tracker) <- ``words`` (content, figures' sentences, powers, topics) <- ``request`` (a
briefing's parameters and their checks) <- ``render`` (sections, briefing, letters, charts, display,
topic pages, report, index) <- ``build`` (jobs, plan, execute, export, workers, pool, pack, manifest)
<- ``app`` (command line, web page, members refresh).

Importing briefpack changes nothing in the process. A notebook turns the briefing display on with
``%load_ext briefpack`` (see :func:`load_ipython_extension` and :mod:`briefpack.render.display`).
"""
__version__ = "0.1.0"


def show(obj, caption: str = "", source: str = "", **options) -> None:
    """Show a DataFrame or an Altair chart in the briefing with a caption and a source line.

    ``briefpack.show(df, caption="...", source="...", index=True)``; see :func:`briefpack.render.display.show`.
    """
    from briefpack.render.display import show as _show

    _show(obj, caption, source, **options)


def load_ipython_extension(ipython) -> None:
    """``%load_ext briefpack`` (the first cell of every briefing notebook): show DataFrames and Altair
    charts as the briefing's tables and figures, in the briefing theme. Importing briefpack changes
    nothing; this call is the one switch."""
    from briefpack.render.display import install

    install(ipython)


def unload_ipython_extension(ipython) -> None:
    from briefpack.render.display import uninstall

    uninstall(ipython)
