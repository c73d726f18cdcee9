"""The benchmark's smoke run: every row prints. No timings are asserted (shared machines are noisy)."""

from __future__ import annotations

from optanim import bench


def test_quick_benchmark_prints_every_row(capsys):
    assert bench.main(["--quick", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("1 recording", "2 landscape", "3 contour video", "vs encoder alone", "4 surface video",
                 "5 GIF", "6 whole job", "7 peak RSS"):
        assert name in out, name
    assert "identical: yes" in out   # numbers match the notebook's loop and point-by-point landscape
    assert "identical: NO" not in out
