"""The learning rate each run really used, against epoch."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from ..draw import style
from ..draw.storyboard import Movie
from .base import View, head_marker
from .loss import log_limits


class LearningRateView(View):
    """The rate each optimizer really ran at, against epoch: the schedule's off-by-one shows here."""

    name = "lr"
    title = "learning rate in effect"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        per_epoch = rec.steps_per_epoch
        paths = list(self.paths())
        rates = np.concatenate([p.lr for _, p, _, _ in paths]) if paths else np.ones(1)
        rates = rates[np.isfinite(rates) & (rates > 0)]
        if len(rates) and rates.max() / rates.min() > 50:
            ax.set_yscale("log")
            ax.set_ylim(*log_limits(rates))
        elif len(rates):
            ax.set_ylim(0, rates.max() * 1.15)
        ax.set_xlim(0, rec.epochs)
        ax.set_xlabel("epoch" if rec.has_data else "step")
        ax.set_ylabel("learning rate")
        ax.grid(True, alpha=0.3)
        # Optimizers usually share one schedule: draw each distinct schedule once, in its
        # optimizer's colour, or dark grey where several optimizers share it.
        self.heads = {}
        schedules: list[tuple[np.ndarray, object]] = []
        for key, path, colour, marker in paths:
            shared = next((line for lr, line in schedules if np.array_equal(lr, path.lr)), None)
            if shared is None:
                line, = ax.plot(np.arange(len(path.lr)) / per_epoch, path.lr, color=colour, lw=2.2)
                schedules.append((path.lr, line))
            else:
                shared.set_color("#333333")
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.65)
        self.playhead = ax.axvline(0, color="#333333", lw=1.2, ls="--")
        self.artists = [*self.heads.values(), self.playhead]

    def update(self, frame: int) -> None:
        per_epoch = self.movie.recording.steps_per_epoch
        for key, path in self.movie.recording.paths.items():
            self.heads[key].set_data([self.movie.at(key, frame) / per_epoch], self.movie.head(key, frame, path.lr)[0])
        shown = self.movie.timeline.steps[frame] / per_epoch
        self.playhead.set_xdata([shown, shown])
