"""The readout of panels side by side: the clock, one legend for all, and a table of every run's loss
in every panel (a column per panel, a row per run, marked as in the legend)."""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes

from ..draw import style
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from .base import View, epoch_and_step

#: Width of a DejaVu Sans Mono character, in ems.
MONO_EM = 0.602
#: Columns per block of the table; more panels than this make a second block below the first.
BLOCK = 4
DIVERGED = "#B00000"


def fit_number(value: float, chars: int) -> str:
    """The loss in at most `chars` characters, with as many significant figures as fit (2 at least)."""
    for digits in (4, 3, 2):
        text = f"{value:.{digits}g}"
        if len(text) <= chars:
            return text
    return f"{value:.2g}"


class TableReadoutView(View):
    name = "table"

    def __init__(self, ax: Axes, movies: Sequence[Movie], heading: str, tags: Sequence[str], by_fraction: bool,
                 font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, max(movies, key=lambda m: m.recording.n_steps))  # the clock's own movie
        self.movies, self.by_fraction = list(movies), by_fraction
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        box = ax.get_position()
        fig_w, fig_h = ax.figure.get_size_inches()
        line = font_size * 1.25 / (box.height * fig_h * 72)
        char = MONO_EM * font_size / (box.width * fig_w * 72)
        mono = dict(family="DejaVu Sans Mono", fontsize=font_size, va="center")
        runs = {key: (path.label, m.styles[key]) for m in movies for key, path in m.recording.paths.items()}
        y = 1.0 - 0.5 * line
        self.clock = ax.add_artist(CachedText(0.0, y, "", weight="bold", **mono))
        y -= line
        same_steps = len({m.recording.n_steps for m in movies}) == 1
        self.step = ax.add_artist(CachedText(0.0, y, "", **mono)) if same_steps else None
        if by_fraction:
            ax.text(0.0, y, "in step by fraction of training", fontsize=font_size, va="center", color="#333333")
        y -= 1.5 * line
        # The legend: two entries a line where a second block of the table needs the room.
        across = 2 if len(movies) > BLOCK and len(runs) > 3 else 1
        for i, (label, look) in enumerate(runs.values()):
            x = (i % across) / across
            ax.plot([x + 0.03], [y], marker=look.marker, color=look.colour, markersize=font_size * 0.8,
                    clip_on=False)
            ax.text(x + 0.08, y, label, fontsize=font_size, color=look.colour, weight="bold", va="center")
            y -= line if i % across == across - 1 or i == len(runs) - 1 else 0
        y -= 0.2 * line
        y = self._landmarks(y, line, font_size)
        y -= 0.5 * line
        ax.text(0.0, y, f"loss at each {heading}" if heading else "loss in each panel", fontsize=font_size,
                va="center", color="#333333")
        y -= line
        self.cells: dict[tuple[str, int], CachedText] = {}
        self.epochs: dict[int, CachedText] = {}
        per_block = BLOCK if len(movies) <= BLOCK else 3
        width = (1.0 - 0.08) / per_block
        self.chars = max(4, int(width / char) - 1)
        for start in range(0, len(movies), per_block):
            for j in range(start, min(start + per_block, len(movies))):
                x = 0.08 + (j - start) * width
                ax.text(x, y, tags[j], weight="bold", **mono)
            y -= line
            for key, (label, look) in runs.items():
                ax.plot([0.03], [y], marker=look.marker, color=look.colour, markersize=font_size * 0.7,
                        clip_on=False)
                for j in range(start, min(start + per_block, len(movies))):
                    if key in movies[j].recording.paths:
                        self.cells[key, j] = ax.add_artist(CachedText(0.08 + (j - start) * width, y, "", **mono))
                y -= line
            if by_fraction:
                ax.text(0.0, y, "ep", fontsize=font_size, va="center", color="#333333")
                for j in range(start, min(start + per_block, len(movies))):
                    self.epochs[j] = ax.add_artist(CachedText(0.08 + (j - start) * width, y, "", **mono))
                y -= line
            y -= 0.4 * line
        self.artists = [self.clock, *([self.step] if self.step else []), *self.cells.values(),
                        *self.epochs.values()]

    def _landmarks(self, y: float, line: float, font_size: float) -> float:
        """The start and the true parameters, with their coordinates where every panel shares them."""
        ax, movies = self.ax, self.movies
        ax.plot([0.03], [y], marker="o", mfc="none", mec=style.START_COLOUR, mew=2, markersize=font_size * 0.8)
        starts = {tuple(m.init) for m in movies}
        where = f" ({movies[0].init[0]:g}, {movies[0].init[1]:g})" if len(starts) == 1 else ""
        ax.text(0.08, y, f"start{where}", fontsize=font_size, va="center")
        if all(m.minima for m in movies):
            y -= line
            ax.plot([0.03], [y], marker="*", color=style.TRUE_COLOUR, markersize=font_size)
            point = movies[0].minima[0]
            same = len({m.minima for m in movies}) == 1 and len(movies[0].minima) == 1
            name = "true" if movies[0].recording.has_data else "minimum"
            ax.text(0.08, y, f"{name} ({point[0]:.3g}, {point[1]:.3g})" if same else name, fontsize=font_size,
                    va="center")
        return y - line

    def update(self, frame: int) -> None:
        movie = self.movie
        epoch, step = epoch_and_step(movie, frame)
        if self.by_fraction:
            self.clock.set_text(f"{100 * step / max(1, movie.recording.n_steps - 1):.0f}% of training")
        elif movie.recording.has_data:
            self.clock.set_text(f"epoch {epoch}/{movie.recording.epochs}")
        else:  # without data an epoch is a step: the step alone
            self.clock.set_text(f"step {step}/{movie.recording.n_steps - 1}")
        if self.step is not None and movie.recording.has_data:
            self.step.set_text(f"step {step}/{movie.recording.n_steps - 1}")
        for (key, j), cell in self.cells.items():
            panel = self.movies[j]
            path = panel.recording.paths[key]
            if path.diverged and int(panel.timeline.steps[frame]) >= path.diverged_at:
                cell.set_text("div")
                cell.set_color(DIVERGED)
            else:
                cell.set_text(fit_number(float(path.full_loss[panel.step(key, frame)]), self.chars))
                cell.set_color("#222222")
        for j, cell in self.epochs.items():
            epoch = epoch_and_step(self.movies[j], frame)[0]
            whole = f"{epoch}/{self.movies[j].recording.epochs}"
            cell.set_text(whole if len(whole) <= self.chars else str(epoch))
