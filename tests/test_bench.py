"""The benchmark: its baselines compute what optanim computes, and its table prints every row.
No timings are asserted (shared machines are noisy); the full smoke run is marked slow."""

from __future__ import annotations

import re

import pytest

from optanim import bench
from optanim.bench_camera import camera_frames
from optanim.bench_field import bench_field_drawing

TINY = bench.Plan(epochs=2, grids=(12,), video_seconds=0.2, gif_seconds=0.2, job_scenes=(1,),
                  job_args=("-ql", "--duration", "0.2", "--views", "contour"), memory_seconds=(0.2, 0.4),
                  memory_quality="l")


def test_recording_and_landscape_rows_check_identity():
    rows = [bench.bench_recording(TINY, 1), *bench.bench_landscape(TINY, 1)]
    assert all("identical: yes" in row.target or "identical: yes" in row.met for row in rows), rows


def test_table_prints_one_line_per_row_with_its_ratio():
    rows = [bench.Row("1 recording", "9 steps/s", "3 steps/s", "3.00x", ">= 2.5x", "yes"),
            bench.Row("5 GIF", "1 s", "5 s", "5.0x faster", ">= 5x", "NO")]
    text = bench.table(rows)
    lines = text.splitlines()
    assert len(lines) == 4 and lines[2].startswith("1 recording") and "3.00x" in lines[2] and "NO" in lines[3]


def test_field_rows_time_the_field_against_the_notebook_and_a_scatter():
    recording, scene, field = bench.bench_field_recording(TINY, 1)
    assert recording.name.startswith("8 field recording") and "particle-steps/s" in recording.optanim
    assert field.n_starts == TINY.field_starts and scene.starts == TINY.field_starts
    drawing = bench_field_drawing(scene, field, 1, quality_key="l")
    assert drawing.name.startswith("9 field view") and drawing.ratio.endswith("x")


def test_camera_row_times_moving_and_still_frames_of_one_render():
    row = camera_frames(bench.SCENES / "exp5.py", "l", 2.0)
    moving, still = (int(n) for n in re.findall(r"\((\d+)", row.name))
    assert moving > 0 and still > 0 and moving + still == 29   # 2 s at 15 frames a second, the first not counted
    assert row.optanim.endswith(" ms") and row.ratio.endswith("x")


@pytest.mark.slow
def test_quick_benchmark_prints_every_row(capsys):
    assert bench.main(["--quick", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("1 recording", "2 landscape", "3 contour video", "vs encoder alone", "4 surface video",
                 "5 GIF", "6 whole job", "7 peak RSS", "8 field recording", "9 field view",
                 "10 peak RSS field", "11 batch landscapes", "12 plane landscape", "13 plane landscape",
                 "14 record scenes/net-moons.py", "15 peak RSS recording", "16 contour frame"):
        assert name in out, name
    assert "identical: yes" in out   # numbers match the notebook's loop and point-by-point landscape
    assert "identical: NO" not in out
