"""The 2D views: contour map with paths, loss curves, the model's fit, and the learning rate."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import MaxNLocator

from .. import style
from ..movie import Movie
from .base import View, head_marker

#: White valleys to grey hills: the coloured paths stand out on it, in print and on a projector.
CONTOUR_FILL = LinearSegmentedColormap.from_list("optanim-hills", ["#ffffff", "#b8b8b8"])


def _divergence_cross(ax: Axes, a: float, b: float, colour: str, size: float):
    cross, = ax.plot([a], [b], marker="X", color=colour, markersize=size * 1.4, mec="white", mew=1.2,
                     linestyle="none", zorder=6)
    return cross


class ContourView(View):
    name = "contour"
    title = "loss over all data, and each optimizer's path"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        land = movie.landscape
        levels = list(land.levels)
        loss = np.ma.masked_invalid(land.loss)  # where the model overflows: left blank
        ax.contourf(land.a, land.b, loss, levels=levels, cmap=CONTOUR_FILL, extend="max")
        lines = ax.contour(land.a, land.b, loss, levels=levels, colors="#7a7a7a", linewidths=0.7)
        ax.clabel(lines, lines.levels[1::2], inline=True, fontsize=font_size * 0.7, fmt="%g")
        # Drawn with the moving artists, so the paths growing beneath never cover them.
        self.landmarks = [ax.plot(*movie.init, marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                                  markersize=font_size * 0.9, zorder=5)[0]]
        if movie.true_params:
            self.landmarks.append(ax.plot(*movie.true_params, marker="*", color=style.TRUE_COLOUR,
                                          markersize=font_size * 1.3, zorder=5)[0])
        ax.set_xlim(*land.a[[0, -1]])
        ax.set_ylim(*land.b[[0, -1]])
        ax.set_xlabel("a")
        ax.set_ylabel("b")
        self.lines, self.heads, self.crosses = {}, {}, {}
        for key, path, colour, marker in self.paths():
            self.lines[key], = ax.plot([], [], color=colour, lw=2.2, solid_capstyle="round",
                                       solid_joinstyle="round", zorder=3)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.75)
            if path.diverged and len(path.a):  # a cross where it diverged, shown once it has
                self.crosses[key] = _divergence_cross(ax, path.a[-1], path.b[-1], colour, font_size * 0.75)
        self.trails = list(self.lines.values())
        self.artists = [*self.heads.values(), *self.crosses.values(), *self.landmarks]

    def grow(self, since: int, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            part = self.segment(key, since, frame)
            self.lines[key].set_data(path.a[part], path.b[part])

    def update(self, frame: int) -> None:
        shown = int(self.movie.timeline.steps[frame])
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            self.heads[key].set_data(path.a[s:s + 1], path.b[s:s + 1])
        for key, cross in self.crosses.items():
            cross.set_visible(shown >= self.movie.recording.paths[key].diverged_at)


def _log_limits(*arrays: np.ndarray) -> tuple[float, float]:
    values = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in arrays] or [np.ones(1)])
    if len(values) == 0:
        return 1e-3, 1.0
    low, high = values.min(), values.max()
    return low / 1.6, high * 1.6


class LossView(View):
    """Loss against step, log scale: mini-batch loss faint, full-data loss bold."""

    name = "loss"
    title = "loss · bold: all data, faint: mini-batch"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        ax.set_yscale("log")
        ax.set_xlim(0, max(1, rec.n_steps - 1))
        ax.set_ylim(*_log_limits(*(p.loss for p in rec.paths.values()),
                                  *(p.full_loss for p in rec.paths.values())))
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.grid(True, which="major", alpha=0.3)
        self.batch, self.full, self.heads = {}, {}, {}
        for key, _, colour, marker in self.paths():
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
            self.batch[key].set_data(steps, path.loss[part])
            self.full[key].set_data(steps, path.full_loss[part])

    def update(self, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            self.heads[key].set_data(np.arange(len(path.a))[s:s + 1], path.full_loss[s:s + 1])
        shown = self.movie.timeline.steps[frame]
        self.cursor.set_xdata([shown, shown])


class FitView(View):
    """The data, the true curve and each optimizer's current fit; the current mini-batch highlighted."""

    name = "fit"
    title = "the model's fit · circled: current mini-batch"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        ax.scatter(rec.x, rec.y, s=font_size * 0.9, color="#9a9a9a", zorder=1)
        if movie.true_curve is not None:
            ax.plot(movie.fit_x, movie.true_curve, color=style.TRUE_COLOUR, lw=1.6, ls="--", zorder=2)
        span = rec.y.max() - rec.y.min()
        ax.set_ylim(rec.y.min() - 0.15 * span, rec.y.max() + 0.15 * span)
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
        shown = int(self.movie.timeline.steps[frame])
        for key, curve in self.curves.items():
            curve.set_ydata(self.movie.fits[key][frame])
            path = rec.paths[key]
            # A diverged optimizer's last fit fades: it no longer trains, the others do.
            curve.set_alpha(0.25 if path.diverged and shown >= path.diverged_at else 1.0)
        index = rec.batch(shown)
        self.batch.set_offsets(np.column_stack([rec.x[index], rec.y[index]]))


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
            ax.set_ylim(*_log_limits(rates))
        elif len(rates):
            ax.set_ylim(0, rates.max() * 1.15)
        ax.set_xlim(0, rec.epochs)
        ax.set_xlabel("epoch")
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
            s = self.movie.step(key, frame)
            self.heads[key].set_data(np.arange(len(path.lr))[s:s + 1] / per_epoch, path.lr[s:s + 1])
        shown = self.movie.timeline.steps[frame] / per_epoch
        self.playhead.set_xdata([shown, shown])
