"""Basins of attraction: one map per optimizer, each start drawn where it began and coloured by the end
it has reached (a minimum, a point where many settle, divergence), grey while it is on its way."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..data.field import Field
from ..draw import style
from ..draw.raster import Raster, rgba
from ..draw.storyboard import Movie
from .field import FieldPanels, Painter

#: One colour per end, in order (Paul Tol's bright scheme, colour-blind safe).
END_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377")
MOVING_COLOUR, DIVERGED_COLOUR = "#dcdcdc", "#333333"
#: The map's opacity (of 255): the contour lines show through a little.
MAP_ALPHA = 215


@dataclass(frozen=True)
class BasinMap:
    """A run's starts at where they began, each in the colour of its end at a kept row. Labels index
    the palette: ends 0..C-1, then DIVERGED (-2) and MOVING (-1) from the end."""

    labels: np.ndarray          # (K, N) int8, as Basins.labels
    palette: np.ndarray         # (C + 2, 4) uint8
    starts: np.ndarray          # (N, 2)
    raster: Raster

    def __call__(self, row: int) -> np.ndarray:
        return self.raster.paint(self.starts[:, 0], self.starts[:, 1], self.palette[self.labels[row]])


def map_raster(field: Field, sub: Axes) -> Raster:
    """For a grid of starts, the grid itself (each start is then one pixel, and the map has no holes);
    otherwise about one start per two pixels, in the panel's shape."""
    if field.grid is not None:
        return Raster(field.a_range, field.b_range, (field.grid[1], field.grid[0]))
    box = sub.get_window_extent()
    columns = max(1, round(math.sqrt(field.n_starts / 2 * box.width / box.height)))
    return Raster(field.a_range, field.b_range, (max(1, round(field.n_starts / 2 / columns)), columns))


def palette(ends: int) -> np.ndarray:
    """(ends + 2, 4) uint8: a colour per end, then diverged and on its way (labels -2 and -1)."""
    colours = rgba([*END_COLOURS[:ends], DIVERGED_COLOUR, MOVING_COLOUR])
    colours[:, 3] = MAP_ALPHA
    return colours


class BasinsView(FieldPanels):
    name = "basins"
    kinds = frozenset({"data", "loss"})   # (a, b) themselves: not a network's plane
    title = "basins: each start where it began, coloured by the end it reaches"
    legend_lines = 2

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie, font_size)
        known, points = self.basins.known, self.basins.ends
        if len(points) > known:   # where many settle, away from any known minimum: marked on every map
            self.artists += [sub.plot(*points[known:].T, marker="o", mfc="white", mec="black", mew=1.2,
                                      markersize=font_size * 0.45, linestyle="none", zorder=5)[0]
                             for sub in self.axes.values()]
        kinds = ["minimum"] * self.basins.answers + ["local minimum"] * (known - self.basins.answers)
        handles = [Patch(color=END_COLOURS[c], label=f"({a:.2f}, {b:.2f})" + (f" {kinds[c]}" if c < known else ""))
                   for c, (a, b) in enumerate(points)]
        handles += [Patch(color=MOVING_COLOUR, label="elsewhere, or on its way"),
                    Patch(color=DIVERGED_COLOUR, label="diverged or left the window")]
        if len(points) > known:
            handles.append(Line2D([], [], marker="o", mfc="white", mec="black", linestyle="none",
                                  label="where many settle"))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.02),
                  ncol=math.ceil(len(handles) / self.legend_lines), frameon=False, fontsize=self.small,
                  handlelength=1.2, columnspacing=1.2)

    def painter(self, key: str, sub: Axes) -> Painter:
        return BasinMap(self.basins.labels[key], palette(len(self.basins.ends)), self.field.starts,
                        map_raster(self.field, sub))
