"""request: a briefing request's fields and their checks, shared by the command line, the web page and
the notebooks. Imports the layers below (it checks seats and concern keys)."""
