"""Which seats a build is for: named constituencies, or the whole pack, a few seats of it or one shard."""
from __future__ import annotations

from briefpack.core.errors import InputError
from briefpack.places import geography
from briefpack.request.inputs import constituency


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``"2/4"`` -> (2, 4): the second of four equal parts (1-based)."""
    if not value:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise InputError(f"--shard {value!r} is not K/N; write e.g. --shard 2/4.") from None
    if not (n >= 1 and 1 <= k <= n):
        raise InputError(f"--shard {value!r}: K must be between 1 and N; write e.g. --shard 2/4.")
    return k, n


def pack_seats(parliament: str, only=None, shard: str | None = None) -> list[str]:
    """Keys of the seats of the whole pack (``--all``), narrowed by ``--only`` and ``--shard``."""
    keys = [s.gss_code for s in geography.seats(parliament)]
    if only:
        wanted = {constituency(name, parliament).gss_code for name in only}
        keys = [k for k in keys if k in wanted]
    part = parse_shard(shard)
    if part:
        k, n = part
        keys = keys[k - 1::n]
    return keys


def describe(all_: bool, only=None, shard: str | None = None, parliament: str = "westminster") -> str:
    """How a selection was made, for the message when it selects nothing."""
    what = f"all {len(geography.seats(parliament))} seats" if all_ else "the seats named"
    if only:
        what += f", --only {' '.join(only)}"
    if shard:
        what += f", --shard {shard}"
    return what


def unique_jobs(jobs) -> tuple[list, list]:
    """Jobs with duplicates (the same seat given twice, e.g. by name and by code) dropped:
    (unique jobs, labels of the jobs dropped)."""
    seen, out, dropped = set(), [], []
    for job in jobs:
        if job.key in seen:
            dropped.append(job.label)
            continue
        seen.add(job.key)
        out.append(job)
    return out, dropped
