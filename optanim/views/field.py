"""Every start at once: one small panel per optimizer (tens of thousands of dots in one panel would be
unreadable), its starts drawn as an image layer in its colour, with the share that reached the minimum
and the share that diverged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from ..data.field import Basins, Field, basins
from ..draw import style
from ..draw.fastimage import FastImage
from ..draw.fasttext import CachedText
from ..draw.raster import Raster, crowds, density_colours
from ..draw.storyboard import Movie
from ..errors import OptanimError
from .base import View, epoch_and_step
from .contour import draw_contours

#: Width over height a panel aims at: a landscape is read best about this shape.
PANEL_ASPECT = 1.4
#: A dot is this many pixels wide per 360 pixels of video height (2 at 720p, 3 at 1080p).
DOT_PER_360 = 1.0
#: A crowd of starts (at a minimum, say) is a disk of at most this many dots' radius.
CROWD_RADIUS = 6


def panel_grid(n: int, width: float, height: float) -> tuple[int, int]:
    """(columns, rows) for n panels in a width × height box: the layout whose panels, kept at
    PANEL_ASPECT, come out largest (fewer columns on a tie)."""
    def size(columns: int) -> float:
        rows = math.ceil(n / columns)
        return min(width / columns, height / rows * PANEL_ASPECT)
    columns = max(range(1, n + 1), key=lambda c: (size(c), -c))
    return columns, math.ceil(n / columns)


class Painter(Protocol):
    """What one panel shows: an RGBA image over the window at each kept row."""

    def __call__(self, row: int) -> np.ndarray: ...


class FieldPanels(View):
    """What the field and basins views share: one panel per run with its landscape, the minima and
    a readout; a subclass says what image each panel shows (`painter`)."""

    needs_field = True
    readout = False
    #: Lines of legend the view keeps free below its panels.
    legend_lines = 0

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        if movie.field is None:
            raise OptanimError(f"views: {self.name!r} shows a scene's many starts; give the scene "
                               "starts=(na, nb), N or a list of (a, b) pairs")
        self.field: Field = movie.field
        self.basins: Basins = basins(self.field)
        ax.set_axis_off()
        self.small = style.MIN_TEXT_PT   # six panels share the frame: their text at the smallest legible
        self.images, self.readouts, self.painters = {}, {}, {}
        self.row = -1   # the kept row the images and readouts show: none yet
        self.axes = self._panels(ax)
        self.shares = {key: (self.basins.reached(key), self.basins.diverged(key)) for key in self.axes}
        for key, sub in self.axes.items():
            self.painters[key] = painter = self.painter(key, sub)
            sub.set_xlim(*self.field.a_range)
            sub.set_ylim(*self.field.b_range)
            self.images[key] = FastImage(sub, painter(0), (*self.field.a_range, *self.field.b_range), zorder=3)
        stars = self._minima(ax.figure, self.small * 1.2)
        # On the line of the view's title (set above the box by the layout, 6 points up).
        title_middle = 1 + (6 + font_size * 0.45) / (ax.get_position().height * ax.figure.get_figheight() * 72)
        self.clock = ax.add_artist(CachedText(0.72, title_middle, "", transform=ax.transAxes,
                                              fontsize=self.small, family="DejaVu Sans Mono", va="center"))
        self.artists = [*self.images.values(), *stars, *self.readouts.values(), self.clock]

    def _minima(self, fig, size: float) -> list[Line2D]:
        """Every panel's minima, global ones filled, local ones hollow, as one artist each (drawn over
        the dots every frame; few artists, since each costs a frame as much as thousands of dots).
        In figure fractions, so that vector output places them too."""
        to_figure = fig.transFigure.inverted()
        marks = []
        for local, points in ((False, self.field.minima[:self.field.answers]),
                              (True, self.field.minima[self.field.answers:])):
            where = [to_figure.transform(sub.transData.transform(point))
                     for sub in self.axes.values() for point in points]
            look = style.minimum_look(local, size) | ({} if local else {"mec": "white"})  # white: seen on dots
            if where:
                marks.append(fig.add_artist(Line2D(*np.reshape(where, (-1, 2)).T, transform=fig.transFigure,
                                                   linestyle="none", zorder=5, **look)))
        return marks

    def colour(self, key: str) -> str:
        return self.movie.styles[key].colour

    def _panels(self, ax: Axes) -> dict[str, Axes]:
        """One axes per run, on a grid in the container's box, each with room for its title and ticks."""
        fig, box = ax.figure, ax.get_position()
        width_in, height_in = fig.get_figwidth(), fig.get_figheight()
        to_x, to_y = (lambda pt: pt / 72 / width_in), (lambda pt: pt / 72 / height_in)  # noqa: E731
        bottom = box.y0 + to_y(self.small * 1.8 * self.legend_lines)
        columns, rows = panel_grid(len(self.field.a), box.width * width_in, (box.y1 - bottom) * height_in)
        cell_w, cell_h = box.width / columns, (box.y1 - bottom) / rows
        left_pad, bottom_pad, top_pad = to_x(self.small * 3.4), to_y(self.small * 2.6), to_y(self.small * 3.1)
        axes = {}
        for index, key in enumerate(self.field.a):
            row, column = divmod(index, columns)
            x0 = box.x0 + column * cell_w + left_pad
            y0 = bottom + (rows - 1 - row) * cell_h + bottom_pad
            sub = fig.add_axes(Bbox.from_extents(x0, y0, x0 + cell_w - left_pad - to_x(self.small),
                                                 y0 + cell_h - bottom_pad - top_pad).bounds)
            draw_contours(sub, self.movie.landscape, self.movie.recording.has_data)
            sub.tick_params(labelsize=self.small, length=2, pad=1.5)
            sub.set_xlabel("a", fontsize=self.small, labelpad=0)
            sub.set_ylabel("b", fontsize=self.small, labelpad=0)
            # Two lines above the panel: the run's name, then its readout.
            line = top_pad / sub.get_position().height / 2.2
            sub.text(0, 1 + 1.55 * line, self.field.labels[key], transform=sub.transAxes, color=self.colour(key),
                     weight="bold", fontsize=self.small * 1.1, va="center")
            self.readouts[key] = sub.add_artist(CachedText(
                0, 1 + 0.6 * line, "", transform=sub.transAxes, fontsize=self.small,
                family="DejaVu Sans Mono", va="center", color="#222222"))
            axes[key] = sub
        return axes

    def painter(self, key: str, sub: Axes) -> Painter:
        raise NotImplementedError

    def update(self, frame: int) -> None:
        row = self.field.row(self.movie.timeline.steps[frame])
        epoch, step = epoch_and_step(self.movie, frame)
        epochs = f"  epoch {epoch}/{self.movie.recording.epochs}" if self.movie.recording.has_data else ""
        self.clock.set_text(f"step {step}/{self.field.n_steps - 1}{epochs}")   # without data, an epoch is a step
        if row == self.row:   # frames between two kept steps show the same picture: paint it once
            return
        self.row = row
        for key, image in self.images.items():
            image.set_data(self.painters[key](row))
            reached, diverged = self.shares[key]
            self.readouts[key].set_text(f"at minimum {reached[row]:4.0%}  diverged {diverged[row]:4.0%}")


def dot_pixels(video_height: float) -> int:
    """How wide a start's dot is, in pixels: DOT_PER_360 per 360 of video height, 2 at least."""
    return max(2, round(DOT_PER_360 * video_height / 360))


def dot_raster(field: Field, sub: Axes) -> Raster:
    """A raster of the panel's size in dots."""
    box = sub.get_window_extent()
    dot = dot_pixels(sub.figure.bbox.height)
    return Raster(field.a_range, field.b_range, (max(1, int(box.height // dot)), max(1, int(box.width // dot))))


@dataclass(frozen=True)
class Dots:
    """A run's starts where they are at each kept row, as dots in its colour (the diverged left out)."""

    field: Field
    key: str
    raster: Raster
    colours: np.ndarray         # density_colours of the run's colour

    def __call__(self, row: int) -> np.ndarray:
        counts = self.raster.counts(self.field.a[self.key][row], self.field.b[self.key][row],
                                    self.field.alive(self.key, row))
        crowded = np.minimum(crowds(counts, CROWD_RADIUS), len(self.colours) - 1, out=counts)
        # One 32-bit word per pixel: a quarter of the lookups of four separate channels.
        words = self.colours.view(np.uint32).ravel()[crowded]
        return words.view(np.uint8).reshape(*counts.shape, 4)


class FieldView(FieldPanels):
    name = "field"
    kinds = frozenset({"data", "loss"})   # (a, b) themselves: not a network's plane
    title = "every start at once, one dot each (diverged: NaN, inf or out of the window)"

    def painter(self, key: str, sub: Axes) -> Painter:
        return Dots(self.field, key, dot_raster(self.field, sub), density_colours(self.colour(key)))
