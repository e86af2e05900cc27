"""Logging is the application's to configure, never a library module's on import."""
from __future__ import annotations

import logging

# Papermill, nbclient and traitlets log every cell at INFO; campaigners only need our summary.
QUIET = ("papermill", "traitlets", "nbclient")


def configure() -> None:
    """Called once by the command line (and so by the web server it starts)."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
