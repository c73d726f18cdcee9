"""The data, the true curve and each run's current fit of the model."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from ..draw import style
from ..draw.storyboard import Movie
from .base import View


#: Room above and below the data and curves, as a share of their span.
MARGIN = 0.08


def fit_limits(*arrays: np.ndarray | None) -> tuple[float, float]:
    """y-limits holding the data and every fitted curve at every frame: a curve that left the plot
    would hide what the model does (sin(b·cos(a·x)) spans [-1, 1] while the data may not)."""
    values = np.concatenate([np.ravel(v) for v in arrays if v is not None])
    values = values[np.isfinite(values)]
    low, high = (values.min(), values.max()) if len(values) else (0.0, 1.0)
    pad = MARGIN * (high - low) or 0.5   # flat data: a unit-wide band around it
    return float(low - pad), float(high + pad)


class FitView(View):
    """The data, the true curve and each optimizer's current fit; the current mini-batch highlighted."""

    name = "fit"
    kinds = frozenset({"data", "regression"})
    title = "the model's fit · circled: current mini-batch"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        ax.scatter(rec.x, rec.y, s=font_size * 0.9, color="#9a9a9a", zorder=1)
        if movie.true_curve is not None:
            ax.plot(movie.fit_x, movie.true_curve, color=style.TRUE_COLOUR, lw=1.6, ls="--", zorder=2)
        ax.set_ylim(*fit_limits(rec.y, movie.true_curve, *movie.fits.values()))
        ax.set_xlim(rec.x.min(), rec.x.max())
        ax.xaxis.set_major_locator(MaxNLocator(5))  # long tick labels collide in the dashboard
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        self.batch = ax.scatter([], [], s=font_size * 3.2, facecolor="none", edgecolor="#111111",
                                linewidths=1.4, zorder=5)
        self.curves = {key: ax.plot(movie.fit_x, np.full_like(movie.fit_x, np.nan), color=colour, lw=2.2,
                                    zorder=3)[0]
                       for key, _, colour, _ in self.paths()}
        self.artists = [*self.curves.values(), self.batch]

    def update(self, frame: int) -> None:
        rec = self.movie.recording
        shown = self.movie.timeline.whole(frame)
        for key, curve in self.curves.items():
            curve.set_ydata(self.movie.fits[key][frame])
            path = rec.paths[key]
            # A diverged optimizer's last fit fades: it no longer trains, the others do.
            curve.set_alpha(0.25 if path.diverged and shown >= path.diverged_at else 1.0)
        index = rec.batch(shown)
        self.batch.set_offsets(np.column_stack([rec.x[index], rec.y[index]]))
