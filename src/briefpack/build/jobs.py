"""What a build is made of: a :class:`Job` (one briefing to build) and its :class:`Result`.

Both are small, immutable values that cross process boundaries (worker processes, dask), so they
hold names and parameters, never open files or data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("html", "pdf", "docx")
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


def output_name(job: Job, fmt: str) -> str:
    """The file name of one output of ``job``: ``<slug>.html``, ``<slug>.pdf``, ``<slug>-letter.docx``."""
    return f"{job.slug}-letter.docx" if fmt == "docx" else f"{job.slug}.{fmt}"
