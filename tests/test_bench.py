"""Stage times: each built briefing reports the seconds of each stage; the pack sums them; the build
prints them on one line that the benchmark reads back."""
from __future__ import annotations

import sys

import pytest
from conftest import ROOT

from briefpack.build.jobs import BUILT, STAGES
from briefpack.build.pack import build_pack
from briefpack.build.plan import briefing_job
from briefpack.build.progress import read_stages_line, stages_line
from briefpack.places import geography

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench  # noqa: E402


def test_the_stages_line_reads_back():
    totals = {stage: i * 1.25 for i, stage in enumerate(STAGES)}
    line = stages_line(totals, 3)
    assert line.startswith("stages: ") and line.endswith("(3 built)")
    assert read_stages_line(f"summary: 3 built, 0 up to date, 0 failed\n{line}\n") == (totals, 3)
    assert read_stages_line("summary: 3 built, 0 up to date, 0 failed\n") is None


def test_the_benchmark_table_has_a_row_for_each_stage():
    totals = {stage: 0.5 for stage in STAGES}
    table = bench.stage_table("ours", totals, 4, 3.0, 4.8)
    rows = table.splitlines()
    assert "naive loop 4800 ms a briefing" in rows[0]
    assert [row.split()[0] for row in rows[2:]] == [*STAGES, "all"]
    assert rows[2].split()[1:] == ["0.50", "125.0", f"{1 / len(STAGES):.1%}"]


@pytest.mark.e2e
def test_a_one_seat_build_reports_every_stage(tmp_path):
    seat = geography.seats()[0]
    summary = build_pack([briefing_job(seat.gss_code)], tmp_path / "out", n_jobs=1, index=False)
    [result] = summary.results
    assert result.status == BUILT, result.message
    assert set(result.stages) == set(STAGES)
    assert all(seconds >= 0 for seconds in result.stages.values())
    totals = summary.stages()
    assert list(totals) == list(STAGES) and all(seconds >= 0 for seconds in totals.values())
    assert totals["execute"] > 0 and totals["pdf"] > 0, "the notebook ran and the PDF was printed"
