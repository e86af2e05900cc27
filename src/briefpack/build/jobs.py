"""What a build is made of: a :class:`Job` (one briefing to build) and its :class:`Result`.

Both are small, immutable values that cross process boundaries (worker processes, dask), so they
hold names and parameters, never open files or data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("html", "pdf", "docx")
# The stages of a briefing's build, timed for each (Result.stages): starting the worker's kernel, exporter
# or browser when this briefing was the first (or the kernel was recycled or the browser had died);
# executing the notebook in the kernel; the record of what it read (its hidden cell, taken out of the
# notebook); the HTML page; the PDF; the letter (.docx); writing the files, all in the worker; then its
# line in the manifest, in the main process.
STAGES = ("start", "execute", "record", "html", "pdf", "letter", "write", "manifest")
BUILT, FAILED, UP_TO_DATE, WOULD_BUILD, NOT_BUILT = "built", "failed", "up to date", "would build", "not built"


@dataclass(frozen=True)
class Job:
    key: str                 # unique in a pack, e.g. the GSS code
    slug: str                # output file stem
    label: str               # for messages: "Banbury (E14001072)"
    title: str               # HTML <title> and PDF footer
    notebook: str            # file name in notebooks/
    parameters: tuple        # ((name, value), ...) so the job is hashable
    info: tuple = ()         # ((name, value), ...) for the index page: name, region, mp, party

    @property
    def params(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.parameters}


@dataclass
class Result:
    job: Job
    status: str              # BUILT, FAILED, UP_TO_DATE, WOULD_BUILD or NOT_BUILT
    message: str = ""
    seconds: float = 0.0
    outputs: list = field(default_factory=list)
    reads: dict | None = None   # what the briefing read (briefpack.data.record), for the manifest
    stages: dict = field(default_factory=dict)   # {stage: seconds} of a built briefing (STAGES)


def output_name(job: Job, fmt: str) -> str:
    """The file name of one output of ``job``: ``<slug>.html``, ``<slug>.pdf``, ``<slug>-letter.docx``."""
    return f"{job.slug}-letter.docx" if fmt == "docx" else f"{job.slug}.{fmt}"
