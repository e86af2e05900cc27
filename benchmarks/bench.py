#!/usr/bin/env python3
"""Side-by-side speed of the naive way and ours, on the same briefings, in one run.

Naive: per briefing, the Papermill command line, then the nbconvert command line to HTML, then
headless Chromium's command line to print the HTML to PDF (a new process for each step, as a
shell loop would). `jupyter nbconvert --to webpdf` is not used: it cannot be pointed at Debian's
Chromium and always prints US Letter (see ../shared/FEASIBILITY.md); the Chromium command line
is the same browser printing the same page.

Ours: one `build.py` run over the same briefings with --force --formats html,pdf (warm kernels,
one browser per worker), start-up included. Beside the naive loop's time a briefing, a table gives
where our time went, stage by stage (start-up, executing the notebook, the record of reads, HTML,
PDF, letter, writing, the manifest line), summed over the workers, as the build reports it in its
`stages:` line.

    python benchmarks/bench.py              # 12 briefings, HTML + PDF, both ways
    python benchmarks/bench.py -n 24 --jobs 2
    python benchmarks/bench.py --full       # also time ours on the whole pack (650)
    python benchmarks/bench.py --formats html,pdf,docx   # ours with letters too (the letter's stage)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from briefpack.build.export import CHROMIUM_ARGS, find_chromium  # noqa: E402
from briefpack.build.jobs import STAGES  # noqa: E402
from briefpack.build.progress import read_stages_line  # noqa: E402
from briefpack.places import geography  # noqa: E402


def sample(n: int) -> list:
    """n seats spread evenly over the alphabetical list (so several nations and forces)."""
    seats = geography.seats()
    step = max(1, len(seats) // n)
    return seats[::step][:n]


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark: {' '.join(map(str, cmd[:3]))} failed:\n{proc.stderr[-2000:]}")
    return proc


def naive(seats, out: Path, jobs: int) -> float:
    """Papermill CLI + nbconvert CLI + Chromium CLI per briefing; `jobs` at a time."""
    chromium = find_chromium()
    nb = ROOT / "notebooks" / "briefing.ipynb"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

    def one(seat):
        executed = out / f"{seat.slug}.ipynb"
        run([sys.executable, "-m", "papermill", str(nb), str(executed), "-p", "constituency", seat.gss_code, "--cwd",
             str(ROOT / "notebooks"), "--no-progress-bar", "--log-level", "ERROR"], env=env)
        run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input", "--log-level", "ERROR",
             "--output-dir", str(out), str(executed)], env=env)
        profile = tempfile.mkdtemp(prefix="bench-chromium-")
        try:
            run([chromium, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                 f"--print-to-pdf={out / (seat.slug + '.pdf')}", (out / f"{seat.slug}.html").as_uri()], env=env)
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    start = time.perf_counter()
    if jobs <= 1:
        for seat in seats:
            one(seat)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(one, seats))
    elapsed = time.perf_counter() - start
    missing = [s.slug for s in seats if not (out / f"{s.slug}.pdf").exists() or not (out / f"{s.slug}.html").exists()]
    if missing:
        raise SystemExit(f"benchmark: naive run produced no output for {missing}")
    return elapsed


def ours(args_for_seats, out: Path, jobs: int, formats: str = "html,pdf") -> tuple[float, dict, int]:
    """(seconds, {stage: seconds summed over the briefings}, briefings built) of one build.py run."""
    start = time.perf_counter()
    proc = run([sys.executable, str(ROOT / "build.py"), *args_for_seats, "--force", "--formats", formats,
                "--out", str(out), "--jobs", str(jobs)])
    elapsed = time.perf_counter() - start
    stages = read_stages_line(proc.stdout)
    if stages is None:
        raise SystemExit("benchmark: build.py printed no stages: line")
    return elapsed, *stages


def stage_table(title: str, stages: dict, built: int, elapsed: float, naive_each: float) -> str:
    """Where the time of our build went, stage by stage, beside the naive loop's time a briefing."""
    total = sum(stages.values()) or 1.0
    rows = [f"{title}: {built} briefings in {elapsed:.1f} s wall ({elapsed / built * 1000:.0f} ms a briefing); "
            f"naive loop {naive_each * 1000:.0f} ms a briefing",
            f"  {'stage':<10}{'total s':>10}{'ms/briefing':>13}{'share':>8}"]
    for stage in STAGES:
        seconds = stages.get(stage, 0.0)
        rows.append(f"  {stage:<10}{seconds:>10.2f}{seconds / built * 1000:>13.1f}{seconds / total:>8.1%}")
    rows.append(f"  {'all':<10}{total:>10.2f}{total / built * 1000:>13.1f}{1:>8.1%}  (summed over the workers)")
    return "\n".join(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", type=int, default=12, help="briefings in the sample (default 12)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="our workers (default: cores)")
    p.add_argument("--naive-jobs", type=int, default=1,
                   help="naive briefings at a time (default 1: the plain loop; 2 = xargs -P2)")
    p.add_argument("--full", action="store_true", help="also time our build of the whole pack (650 briefings)")
    p.add_argument("--formats", default="html,pdf",
                   help="our formats (default html,pdf: what the naive loop makes; html,pdf,docx times the letter too)")
    args = p.parse_args(argv)
    seats = sample(args.n)
    work = Path(tempfile.mkdtemp(prefix="briefpack-bench-"))
    try:
        print(f"benchmark: {len(seats)} briefings on {os.cpu_count()} cores; naive (HTML + PDF) "
              f"{args.naive_jobs} at a time, ours ({args.formats}) {args.jobs} workers")
        (work / "naive").mkdir()
        t_naive = naive(seats, work / "naive", args.naive_jobs)
        seat_args = [a for s in seats for a in ("--constituency", s.gss_code)]
        t_ours, stages, built = ours(seat_args, work / "ours", args.jobs, args.formats)
        n = len(seats)
        print(f"naive (papermill CLI + nbconvert CLI + chromium CLI): {t_naive:7.1f} s  {t_naive / n:6.2f} s/briefing")
        print(f"ours  (build.py, warm workers):                       {t_ours:7.1f} s  {t_ours / n:6.2f} s/briefing")
        print(f"ratio: ours is {t_naive / t_ours:.1f}x faster")
        print(stage_table("ours, the sample", stages, built, t_ours, t_naive / n))
        if args.full:
            t_full, stages, built = ours(["--all"], work / "full", args.jobs, args.formats)
            print(f"ours, full pack ({built}, {args.formats}): {t_full:7.1f} s  {t_full / built:6.3f} s/briefing")
            print(f"ratio per briefing, naive sample vs our full pack: {(t_naive / n) / (t_full / built):.1f}x")
            print(stage_table("ours, the full pack", stages, built, t_full, t_naive / n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
