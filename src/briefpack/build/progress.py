"""Progress for batches: a bar on a terminal, plain lines in CI logs."""
from __future__ import annotations

import sys
import time
from collections import Counter

from briefpack.build.jobs import FAILED, NOT_BUILT, STAGES, UP_TO_DATE


class Progress:
    """Counts results as they arrive; draws a tqdm bar on a TTY, else prints one line per briefing built."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.counts: Counter = Counter()
        self.stream = stream or sys.stderr
        self.bar = None
        if total > 1 and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="briefing", file=self.stream, dynamic_ncols=True)

    def __call__(self, result) -> None:
        self.counts[result.status] += 1
        if result.status == NOT_BUILT:
            return
        self.done += 1
        if result.status == FAILED:
            self._write(f"failed: {result.job.label}: {result.message}")
        if self.bar is not None:
            self.bar.update(1)
            return
        if result.status == FAILED or (result.status == UP_TO_DATE and self.total > 1):
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        where = ", ".join(result.outputs) if result.outputs else ""
        print(f"[{self.done}/{self.total}] {result.status}: {result.job.label} -> {where} "
              f"({result.seconds:.1f}s; {rate:.2f}/s; ~{left:.0f}s left)", file=sys.stdout, flush=True)

    def _write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


STAGES_PREFIX = "stages:"


def stages_line(totals: dict, built: int) -> str:
    """One line of where a build's time went, summed over its briefings (``Summary.stages()``):
    ``stages: execute 3.712 s, record 0.051 s, ... (12 built)``; :func:`read_stages_line` reads it back."""
    parts = ", ".join(f"{stage} {totals.get(stage, 0.0):.3f} s" for stage in STAGES)
    return f"{STAGES_PREFIX} {parts} ({built} built)"


def read_stages_line(text: str) -> tuple[dict, int] | None:
    """({stage: seconds}, briefings built) from the :func:`stages_line` in ``text``; None if there is none."""
    line = next((l for l in text.splitlines() if l.startswith(STAGES_PREFIX)), None)
    if line is None:
        return None
    parts, _, built = line[len(STAGES_PREFIX):].rpartition(" (")
    totals = {}
    for part in parts.split(","):
        stage, seconds, _unit = part.split()
        totals[stage] = float(seconds)
    return totals, int(built.split()[0])
