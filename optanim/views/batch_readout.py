"""The batch view's readout beside its plot: the clock with the batch named, each run's loss on this
batch against its loss over all data, and what the marks mean."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch

from ..draw import style
from ..draw.fasttext import CachedText
from ..draw.pacing import marked
from ..draw.storyboard import Movie
from .readout import FAST_OFF, FAST_ON
from .table import MONO_EM

#: Lines each run takes (label, values, gap): roomy, or tighter where roomy would not fit.
RUN_SPACINGS = (2.1, 1.95, 1.8)


def batch_name(movie: Movie, step: int) -> str:
    """Which of its epoch's mini-batches a step trains on, counted from 1."""
    per_epoch = movie.recording.steps_per_epoch
    return f"mini-batch {step % per_epoch + 1} of {per_epoch}"


def short(value: float) -> str:
    """Three significant figures: two losses side by side fit the panel's width."""
    return f"{value:.3g}"


class BatchReadout:
    """Not a View of its own: the batch view draws it, in the part of its box it sets aside."""

    def __init__(self, ax: Axes, movie: Movie, batch_colour: str, font_size: float) -> None:
        self.ax, self.movie = ax, movie
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        rec = movie.recording
        box = ax.get_position()
        line = font_size * 1.25 / (box.height * ax.figure.get_figheight() * 72)
        width_pt = box.width * ax.figure.get_figwidth() * 72
        mono = dict(family="DejaVu Sans Mono", va="top", weight="bold", fontsize=font_size * 1.05)
        self.epoch = ax.add_artist(CachedText(0.0, 1.0, "", **mono))
        self.step = ax.add_artist(CachedText(0.0, 1.0 - 1.1 * line, "", **mono))
        self.step.set_text(f"step {rec.n_steps - 1}/{rec.n_steps - 1}")   # the longest: "×6" goes after it
        ends = self.step.get_window_extent()
        self.step.set_text("")
        after = ends.x1 + 2.5 * ends.width / len(f"step {rec.n_steps - 1}/{rec.n_steps - 1}")
        self.pace = ax.add_artist(CachedText(ax.transAxes.inverted().transform((after, 0))[0], 1.0 - 1.1 * line,
                                             "", **mono))
        self.fast = marked(movie.timeline.pace, FAST_ON, FAST_OFF)
        self.batch = ax.add_artist(CachedText(0.0, 1.0 - 2.2 * line, "", **(mono | {
            "color": style.text_colour(batch_colour)})))
        value_size = max(font_size * 0.85, style.MIN_TEXT_PT)
        top, below = 3.9, 0.3 + 1.3 * (3 + bool(movie.minima))
        y = 1.0 - top * line
        # Label, then the values below it, where every run fits so; else one line each, the values
        # in a column after the labels under a heading that says which is which.
        spacing = next((s for s in RUN_SPACINGS if top + s * len(rec.paths) + below <= 1.0 / line), None)
        self.roomy = spacing is not None
        if not self.roomy:
            ax.text(0.09, y, "loss: batch / all data", fontsize=value_size, va="center", color="#333333")
            y -= 1.25 * line
        column = 0.09 if self.roomy else 1.0 - len("0.00908 / 0.00908") * MONO_EM * value_size / width_pt
        self.values = {}
        for key, path in rec.paths.items():
            look = movie.styles[key]
            ax.plot([0.03], [y], marker=look.marker, color=look.colour, markersize=font_size * 0.8, clip_on=False)
            room = (0.87 if self.roomy else column - 0.11) * width_pt
            size = max(style.fitting_size(path.label, font_size, room, "bold"), min(font_size, style.MIN_TEXT_PT))
            ax.text(0.09, y, path.label, fontsize=size, color=style.text_colour(look.colour), weight="bold",
                    va="center")
            self.values[key] = ax.add_artist(CachedText(column, y - line if self.roomy else y, "", fontsize=value_size,
                                                        va="center", family="DejaVu Sans Mono", color="#222222"))
            y -= (spacing or 1.25) * line
        y -= 0.3 * line
        ax.plot([0.03], [y], marker="o", mfc="none", mec=style.START_COLOUR, mew=2, markersize=font_size * 0.8)
        ax.text(0.09, y, f"start ({movie.init[0]:g}, {movie.init[1]:g})", fontsize=value_size, va="center")
        if movie.minima:
            y -= 1.3 * line
            ax.plot([0.03], [y], **style.minimum_look(False, font_size))
            a, b = movie.minima[0]
            ax.text(0.09, y, f"true ({a:.3g}, {b:.3g})", fontsize=value_size, va="center")
        y -= 1.3 * line
        ax.plot([0.03], [y], marker="*", color=batch_colour, mec="white", markersize=font_size * 1.3)
        ax.text(0.09, y, "this batch's minimum", fontsize=value_size, va="center")
        y -= 1.3 * line
        ax.add_patch(FancyArrowPatch((0.0, y), (0.065, y), arrowstyle="-|>", color="#333333", lw=1.8,
                                     mutation_scale=font_size, shrinkA=0, shrinkB=0))
        ax.text(0.09, y, "−gradient on this batch", fontsize=value_size, va="center")
        self.artists = [self.epoch, self.step, self.pace, self.batch, *self.values.values()]

    def update(self, frame: int, step: int) -> None:
        rec = self.movie.recording
        self.epoch.set_text(f"epoch {step // rec.steps_per_epoch + 1}/{rec.epochs}")
        self.step.set_text(f"step {step}/{rec.n_steps - 1}")
        pace = self.movie.timeline.pace[frame]
        self.pace.set_text((f"×{pace:.1f}" if pace < 3 else f"×{pace:.0f}") if self.fast[frame] else "")
        self.batch.set_text(batch_name(self.movie, step))
        for key, path in rec.paths.items():
            if path.diverged and step >= path.diverged_at:
                self.values[key].set_text(f"diverged at step {path.diverged_at}")
                self.values[key].set_color("#B00000")
                continue
            s = self.movie.step(key, frame)
            self.values[key].set_text(f"batch {short(path.loss[s])}  all {short(path.full_loss[s])}"
                                      if self.roomy else f"{short(path.loss[s])} / {short(path.full_loss[s])}")
            self.values[key].set_color("#222222")
