"""briefpack: build modern slavery briefings for UK elected representatives from real data.

Modules, one job each: ``paths``, ``errors``, ``data`` (the only file reader, validating),
``geography`` (seats, MPs, police forces), ``stats`` (pure functions), ``figures`` (one number per
concern), ``charts`` (Altair theme, offline SVG), ``content`` (editable YAML), ``briefing``
(notebook sections), ``execute`` (Papermill on warm kernels), ``export`` (HTML, PDF), ``pack``
(workers, batches, the pack), ``manifest`` (input hashes, why dirty), ``plan`` (jobs from
parameters), ``letters``, ``campaign`` (tracker), ``report`` (progress report), ``topics``,
``index``, ``progress`` (progress bar), ``distributed`` (dask executor), ``cli``.
"""
__version__ = "0.1.0"
