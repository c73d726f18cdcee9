"""Each classifier run's accuracy on the held-out samples, against step."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from ..draw import style
from ..draw.storyboard import Movie
from .base import View, head_marker


def accuracy_limits(*arrays: np.ndarray) -> tuple[float, float]:
    """From a little below the lowest accuracy (down to a round tenth) to just above 100%."""
    values = np.concatenate([a[np.isfinite(a)] for a in arrays] or [np.ones(1)])
    low = float(values.min()) if len(values) else 0.0
    return max(0.0, np.floor(low * 10 - 0.25) / 10), 1.03


class AccuracyView(View):
    """Test accuracy against step, one line per run, its head where the frame is."""

    name = "accuracy"
    kinds = frozenset({"classes"})
    title = "test accuracy (held-out samples)"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        ax.set_ylim(*accuracy_limits(*(p.accuracy for p in rec.paths.values() if p.accuracy is not None)))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("step")
        ax.set_ylabel("test accuracy")
        ax.grid(True, alpha=0.3)
        self.lines, self.heads = {}, {}
        for key, _, colour, marker in self.paths():
            self.lines[key], = ax.plot([], [], color=colour, lw=2.2, ls=movie.styles[key].dash)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.65)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")
        self.trails = list(self.lines.values())
        self.artists = [*self.heads.values(), self.cursor]

    def grow(self, since: int, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            part = self.segment(key, since, frame)
            self.lines[key].set_data(np.arange(len(path.a))[part], path.accuracy[part])

    def update(self, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            self.heads[key].set_data([self.movie.at(key, frame)], self.movie.head(key, frame, path.accuracy)[0])
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
