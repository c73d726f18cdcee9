"""Loss against step, log scale: each run's mini-batch loss faint, its full-data loss bold."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
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


class LossView(View):
    """Loss against step, log scale (linear for a loss that goes negative): mini-batch loss faint,
    full-data loss bold."""

    name = "loss"
    title = "loss · bold: all data, faint: mini-batch"
    title_without_data = "loss"    # every step sees the whole loss: one line per run

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        losses = [*(p.loss for p in rec.paths.values()), *(p.full_loss for p in rec.paths.values())]
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        finite = np.concatenate([v[np.isfinite(v)] for v in losses] or [np.ones(1)])
        if len(finite) and finite.min() < 0:  # a loss unbounded below (a saddle) has no log scale
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
        self.batch, self.full, self.heads = {}, {}, {}
        for key, _, colour, marker in self.paths():
            if rec.has_data:
                self.batch[key], = ax.plot([], [], color=colour, lw=0.6, alpha=0.2)
            self.full[key], = ax.plot([], [], color=colour, lw=2.4)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.65)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")
        self.trails = [*self.batch.values(), *self.full.values()]
        self.artists = [*self.heads.values(), self.cursor]

    def grow(self, since: int, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            part = self.segment(key, since, frame)
            steps = np.arange(len(path.a))[part]
            if key in self.batch:
                self.batch[key].set_data(steps, path.loss[part])
            self.full[key].set_data(steps, path.full_loss[part])

    def update(self, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            self.heads[key].set_data([self.movie.at(key, frame)], self.movie.head(key, frame, path.full_loss)[0])
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
