"""Benchmark rows for many starts at once: the field view against a matplotlib scatter of the same
points, and the peak memory of a large field render (python -m optanim.bench prints them)."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from .benchkit import Row, median_time, run_measured, verdict
from .data.field import Field
from .spec.scene import Scene


class ScatterPanels:
    """The baseline: the field view with one matplotlib scatter per panel in place of its image layer,
    the scatter's points set and drawn afresh every frame. The rest (readouts, stars, blitting) is
    the view's own, so only the drawing of the points differs."""

    def __init__(self, view) -> None:
        from .draw.raster import DOT_ALPHA
        from .views.field import dot_pixels

        self.view, self.field = view, view.field
        figure = view.ax.figure
        dot_points = dot_pixels(figure.bbox.height) * 72 / figure.dpi   # the same dots as ours
        blank = np.zeros((1, 1, 4), dtype=np.uint8)
        self.scatters = {}
        for key, sub in view.axes.items():
            view.images[key].set_visible(False)
            view.painters[key] = lambda row, blank=blank: blank
            self.scatters[key] = sub.scatter([], [], s=dot_points ** 2, color=view.colour(key), alpha=DOT_ALPHA,
                                             linewidths=0, zorder=3)
        self.artists, self.trails = [*view.artists, *self.scatters.values()], []

    def update(self, frame: int) -> None:
        self.view.update(frame)
        row = self.field.row(self.view.movie.timeline.steps[frame])
        for key, scatter in self.scatters.items():
            alive = self.field.alive(key, row)
            scatter.set_offsets(np.column_stack([self.field.a[key][row][alive], self.field.b[key][row][alive]]))


def bench_field_drawing(scene: Scene, field: Field, repeat: int, quality_key: str = "m") -> Row:
    """Frames per second of the field view, against the same panels with a scatter per optimizer."""
    from .stage.animator import Animator
    from .stage.layout import compose
    from .spec.quality import QUALITIES
    from .render import build_movie
    from .training.recorder import record

    quality = QUALITIES[quality_key]
    movie = replace(build_movie(scene, record(scene), quality), field=field)
    frames = range(movie.timeline.n_frames)
    ours = Animator(*compose("field", movie, quality))
    fig, views = compose("field", movie, quality)
    theirs = Animator(fig, [ScatterPanels(views[0])])
    ours_s = median_time(lambda: [ours.frame(i) for i in frames], repeat)
    theirs_s = median_time(lambda: [theirs.frame(i) for i in frames], repeat)
    n, ratio = len(frames), theirs_s / ours_s
    return Row(f"9 field view {n} frames {quality.width}x{quality.height}, {field.n_starts} starts x {len(field.a)} "
               f"vs scatter", f"{n / ours_s:.1f} frames/s", f"{n / theirs_s:.1f} frames/s", f"{ratio:.2f}x",
               ">= 3x", verdict(ratio >= 3))


def bench_field_memory(exp5: Path, starts: int, epochs: int, quality_key: str, seconds: float) -> Row:
    """Peak RSS of `python -m optanim` rendering the field and basins of exp5 with `starts` starts."""
    with tempfile.TemporaryDirectory() as out:
        scene = Path(out) / "exp5_field.py"
        scene.write_text("from dataclasses import replace\nfrom optanim import load_scene\n"
                         f"scene = replace(load_scene({str(exp5)!r}), name='exp5-field', starts={starts}, "
                         f"epochs={epochs})\n")
        _, peak = run_measured([sys.executable, "-m", "optanim", str(scene), "--views", "field,basins",
                                f"-q{quality_key}", "--duration", f"{seconds:g}", "--out", out, "--quiet"])
    return Row(f"10 peak RSS field+basins render exp5 {epochs} epochs, {starts} starts x 6", f"{peak:.0f} MB", "-",
               "-", "<= 1500 MB", verdict(peak <= 1500))
