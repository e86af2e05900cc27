"""data: the table catalogue (the only reader of data/, validating), the record of reads, statistics
and the yearly headlines. Imports only :mod:`briefpack.core`.

For researchers' cells, ``from briefpack import data`` gives the catalogue's reading functions and table
names as before (``data.load(data.NRM_UK)``, ``data.select(...)``): they are
:mod:`briefpack.data.catalogue`'s, re-exported here.
"""
from briefpack.data.catalogue import *  # noqa: F401,F403  (the researchers' entry point, as before)
from briefpack.data.catalogue import load, read, select  # noqa: F401
