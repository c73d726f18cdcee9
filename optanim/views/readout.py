"""The legend and the numbers in one panel beside the plots: never over the data."""

from __future__ import annotations

from matplotlib.axes import Axes

from ..draw import style
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from .base import View, epoch_and_step, fmt


class ReadoutView(View):
    """The legend and the numbers in one panel beside the plots: never over the data."""

    name = "readout"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rec = movie.recording
        self.total = f"/{rec.epochs}"
        # Lay rows out in font units, so the panel reads the same in every figure and preset.
        height_pt = ax.get_position().height * ax.figure.get_figheight() * 72
        line = font_size * 1.25 / height_pt
        mono = dict(family="DejaVu Sans Mono", va="top", weight="bold", fontsize=font_size * 1.05)
        self.epoch = ax.add_artist(CachedText(0.0, 1.0, "", **mono))
        self.step = ax.add_artist(CachedText(0.0, 1.0 - 1.1 * line, "", **mono))
        y = 1.0 - 3.0 * line
        # Two lines per optimizer where there is room, one (label, then value) where there is not.
        compact = 3.0 + 2.3 * len(rec.paths) + 3.0 > 1.0 / line
        rows = {}
        for key, path, colour, marker in self.paths():
            ax.plot([0.03], [y], marker=marker, color=colour, markersize=font_size * 0.8, clip_on=False)
            rows[key] = (y, ax.text(0.09, y, path.label, fontsize=font_size, color=colour, weight="bold",
                                    va="center"))
            y -= (1.25 if compact else 2.3) * line
        # On one line, the values start clear of the widest label.
        ends = [ax.transAxes.inverted().transform(label.get_window_extent().p1)[0] for _, label in rows.values()]
        column = max([0.55] + [end + 0.04 for end in ends]) if compact else 0.09
        self.values = {key: ax.add_artist(CachedText(
            column, row_y if compact else row_y - line, "", fontsize=font_size * 0.9, va="center",
            family="DejaVu Sans Mono", color="#222222")) for key, (row_y, _) in rows.items()}
        y -= 0.3 * line
        ax.plot([0.03], [y], marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                markersize=font_size * 0.8)
        ax.text(0.09, y, f"start ({movie.init[0]:g}, {movie.init[1]:g})", fontsize=font_size * 0.9, va="center")
        if movie.minima:
            y -= 1.3 * line
            ax.plot([0.03], [y], marker="*", color=style.TRUE_COLOUR, markersize=font_size)
            where = ", ".join(f"({a:.3g}, {b:.3g})" for a, b in movie.minima[:2])
            more = f" +{len(movie.minima) - 2}" if len(movie.minima) > 2 else ""
            ax.text(0.09, y, f"{'true' if rec.has_data else 'minimum'} {where}{more}",
                    fontsize=font_size * 0.9, va="center")
        self.artists = [self.epoch, self.step, *self.values.values()]

    def update(self, frame: int) -> None:
        epoch, step = epoch_and_step(self.movie, frame)
        rec = self.movie.recording
        self.epoch.set_text(f"epoch {epoch}{self.total}")
        self.step.set_text(f"step {step}/{rec.n_steps - 1}")
        for key, path in rec.paths.items():
            if path.diverged and step >= path.diverged_at:
                self.values[key].set_text(f"diverged at step {path.diverged_at}")
                self.values[key].set_color("#B00000")
            else:
                self.values[key].set_text(f"loss {fmt(path.full_loss[self.movie.step(key, frame)])}")
                self.values[key].set_color("#222222")
