"""The gradient's norm per run against step, log scale: flat plateaus, saddles and valleys show as its dips."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from ..draw import style
from ..draw.storyboard import Movie
from .base import View, head_marker
from .loss import log_limits


class GradNormView(View):
    """|∇| = sqrt(∂a² + ∂b²) of what each optimizer was handed at each step (noise included)."""

    name = "gradnorm"
    kinds = frozenset({"data", "loss"})   # (a, b) themselves: not a network's plane
    title = "gradient norm |∇loss| per step"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        self.norms = {key: np.hypot(path.grad[:, 0], path.grad[:, 1]) for key, path in rec.paths.items()}
        ax.set_yscale("log")
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        ax.set_ylim(*log_limits(*self.norms.values()))
        ax.yaxis.set_minor_formatter(NullFormatter())   # within a decade they crowd the axis
        ax.set_xlabel("step")
        ax.set_ylabel("gradient norm")
        ax.grid(True, which="major", alpha=0.3)
        self.lines, self.heads = {}, {}
        for key, _, colour, marker in self.paths():
            self.lines[key], = ax.plot([], [], color=colour, lw=2.0)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.65)
        self.cursor = ax.axvline(0, color="#333333", lw=1, ls="--")
        self.trails = list(self.lines.values())
        self.artists = [*self.heads.values(), self.cursor]

    def grow(self, since: int, frame: int) -> None:
        for key, norm in self.norms.items():
            part = self.segment(key, since, frame)
            self.lines[key].set_data(np.arange(len(norm))[part], norm[part])

    def update(self, frame: int) -> None:
        for key, norm in self.norms.items():
            s = self.movie.step(key, frame)
            self.heads[key].set_data(np.arange(len(norm))[s:s + 1], norm[s:s + 1])
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])
