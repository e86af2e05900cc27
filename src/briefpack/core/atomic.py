"""Atomic file writes: a reader never sees half a file, and a killed build leaves nothing half written.

Every file is written to a temporary name beside its destination and renamed over it. Temporary
names carry a mark and the writer's process id (``.banbury.html.briefpack-4242.tmp``), so a later
build removes only the temporaries that a build of ours left behind, never a user's own files.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

_MARK = "briefpack"
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\." + _MARK + r"-(?P<pid>\d+)\.tmp$")


def temporary_path(path: Path, pid: int | None = None) -> Path:
    """The temporary name a process writes ``path`` to before renaming it."""
    path = Path(path)
    return path.with_name(f".{path.name}.{_MARK}-{os.getpid() if pid is None else pid}.tmp")


def write_atomic(path: Path, payload: bytes | str) -> None:
    """Write ``payload`` to a temporary file beside ``path``, flush it to disk, rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_temporaries(folder: Path, pid: int | None = None) -> int:
    """Delete the temporaries of our own builds in ``folder``: those of process ``pid``, or, without
    ``pid``, those whose writer is no longer running. Returns how many were removed."""
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for entry in entries:
        m = _TEMPORARY.match(entry.name)
        if not m:
            continue
        writer = int(m["pid"])
        if (pid is not None and writer != pid) or (pid is None and _alive(writer)):
            continue
        try:
            entry.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
