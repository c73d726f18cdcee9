"""Loss against step, log scale: each run's mini-batch loss faint, its full-data loss bold."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from ..draw import style
from ..draw.storyboard import Movie
from .base import View, head_marker


def log_limits(*arrays: np.ndarray) -> tuple[float, float]:
    values = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in arrays] or [np.ones(1)])
    if len(values) == 0:
        return 1e-3, 1.0
    low, high = values.min(), values.max()
    return low / 1.6, high * 1.6


def clear_corner(ax: Axes, legend: Legend, curves: list[np.ndarray]) -> None:
    """Put the legend in the corner of the axes where it covers the fewest points of the curves
    ((n, 2) step and loss each) as they will be once drawn whole: the lines grow under a legend
    placed before they exist."""
    points = ax.transData.transform(np.concatenate(curves)) if curves else np.zeros((0, 2))
    points = points[np.isfinite(points).all(axis=1)]

    def covered(corner: str) -> int:
        legend.set_loc(corner)
        box = legend.get_window_extent()
        return int(np.count_nonzero((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1) &
                                    (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)))
    legend.set_loc(min(CORNERS, key=covered))


#: Where the train/test legend may go, in order of preference on a tie.
CORNERS = ("upper right", "lower left", "upper left", "lower right")


class LossView(View):
    """Loss against step, log scale (linear for a loss that goes negative): mini-batch loss faint,
    full-data loss bold; a network's test loss dashed beside it."""

    name = "loss"
    title = "loss · bold: all data, faint: mini-batch"
    title_without_data = "loss"    # every step sees the whole loss: one line per run
    title_with_test = "loss · bold: training data, dashed: test, faint: mini-batch"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        tested = [p for p in rec.paths.values() if p.test_loss is not None and len(p.test_loss)]
        keys = {p.key for p in tested}
        if tested:
            self.title = self.title_with_test
        losses = [*(p.loss for p in rec.paths.values()), *(p.full_loss for p in rec.paths.values()),
                  *(p.test_loss for p in tested)]
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        finite = np.concatenate([v[np.isfinite(v)] for v in losses] or [np.ones(1)])
        # A loss unbounded below (a saddle) has no log scale; one within a decade would have one
        # labelled tick on it, or none (a network's often stays within one): linear, both.
        if len(finite) and (finite.min() < 0 or 0 < finite.min() and finite.max() < 10 * finite.min()):
            low, high = finite.min(), finite.max()
            pad = 0.08 * max(high - low, 1e-12)
            ax.set_ylim(low - pad, high + pad)
        else:
            ax.set_yscale("log")
            ax.set_ylim(*log_limits(*losses))
            ax.yaxis.set_minor_formatter(NullFormatter())   # within a decade they crowd the axis
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.grid(True, which="major", alpha=0.3)
        self.batch, self.full, self.test, self.heads = {}, {}, {}, {}
        for key, path, colour, marker in self.paths():
            if rec.has_data:
                self.batch[key], = ax.plot([], [], color=colour, lw=0.6, alpha=0.2)
            self.full[key], = ax.plot([], [], color=colour, lw=2.4)
            if key in keys:
                self.test[key], = ax.plot([], [], color=colour, lw=1.8, ls=(0, (4, 2.5)))
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.65)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")
        if tested:   # what the two line styles mean, where the curves leave room for it
            legend = ax.legend([Line2D([], [], color="#333333", lw=2.4),
                                Line2D([], [], color="#333333", lw=1.8, ls=(0, (4, 2.5)))],
                               ["training", "test"], fontsize=style.MIN_TEXT_PT, framealpha=0.85,
                               handlelength=2.2, borderaxespad=0.3)
            clear_corner(ax, legend, [np.column_stack([np.arange(len(v)), v])
                                      for p in tested for v in (p.full_loss, p.test_loss)])
        self.trails = [*self.batch.values(), *self.full.values(), *self.test.values()]
        self.artists = [*self.heads.values(), self.cursor]

    def grow(self, since: int, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            part = self.segment(key, since, frame)
            steps = np.arange(len(path.a))[part]
            if key in self.batch:
                self.batch[key].set_data(steps, path.loss[part])
            self.full[key].set_data(steps, path.full_loss[part])
            if key in self.test:
                self.test[key].set_data(steps, path.test_loss[part])

    def update(self, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            self.heads[key].set_data([self.movie.at(key, frame)], self.movie.head(key, frame, path.full_loss)[0])
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
