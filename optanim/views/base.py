"""What every view shares: set artists up once, then update(frame) moves only the animated ones."""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.axes import Axes

from .. import style
from ..movie import Movie
from .fasttext import CachedText


class View:
    """A view draws its static parts in __init__ and lists in `artists` what update() changes.

    Lines that only grow (a path, a loss curve) go in `trails` instead: grow() gives them just the
    points added since the step already drawn, and the Animator bakes them into its background, so
    a frame costs the same at step 15,000 as at step 10.
    """

    name = ""
    title = ""

    def __init__(self, ax: Axes, movie: Movie) -> None:
        self.ax, self.movie = ax, movie
        self.artists: list[Artist] = []
        self.trails: list[Artist] = []

    def update(self, frame: int) -> None:
        raise NotImplementedError

    def grow(self, since: int, frame: int) -> None:
        """Set the trails to the points after step `since` (-1: from the start) up to the frame."""

    def segment(self, key: str, since: int, frame: int) -> slice:
        """The steps of one optimizer's trail to draw: from `since` (to join up) to the frame's step."""
        return slice(max(0, min(since, self.movie.step(key, frame))), self.movie.step(key, frame) + 1)

    def paths(self):
        """(key, path, colour, marker) for each optimizer, in the scene's order."""
        for key, path in self.movie.recording.paths.items():
            yield key, path, style.colour(key), style.marker(key)


def head_marker(ax: Axes, colour: str, marker: str, size: float) -> Artist:
    """The marker at the head of a path or curve: the optimizer's shape, outlined to stand out."""
    head, = ax.plot(*([[]] * (3 if hasattr(ax, "zaxis") else 2)), marker=marker, color=colour,
                    markersize=size, mec="white", mew=1, linestyle="none", zorder=4)
    return head


def fmt(value: float) -> str:
    """A loss or rate as a lecturer reads it: four significant figures."""
    return f"{value:.4g}"


def epoch_and_step(movie: Movie, frame: int) -> tuple[int, int]:
    """1-based epoch and 0-based step of the frame, as the readout shows them."""
    step = int(movie.timeline.steps[frame])
    return step // movie.recording.steps_per_epoch + 1, step


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
        self.values = {}
        for key, path, colour, marker in self.paths():
            ax.plot([0.03], [y], marker=marker, color=colour, markersize=font_size * 0.8, clip_on=False)
            ax.text(0.09, y, path.label, fontsize=font_size, color=colour, weight="bold", va="center")
            self.values[key] = ax.add_artist(CachedText(
                0.55 if compact else 0.09, y if compact else y - line, "", fontsize=font_size * 0.9,
                va="center", family="DejaVu Sans Mono", color="#222222"))
            y -= (1.25 if compact else 2.3) * line
        y -= 0.3 * line
        ax.plot([0.03], [y], marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                markersize=font_size * 0.8)
        ax.text(0.09, y, f"start ({movie.init[0]:g}, {movie.init[1]:g})", fontsize=font_size * 0.9, va="center")
        if movie.true_params:
            y -= 1.3 * line
            ax.plot([0.03], [y], marker="*", color=style.TRUE_COLOUR, markersize=font_size)
            ax.text(0.09, y, f"true ({movie.true_params[0]:g}, {movie.true_params[1]:g})",
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
