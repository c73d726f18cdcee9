"""The contour map of the loss over the window, with each run's path growing on it."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.text import Text

from ..data.landscape import Landscape
from ..draw import camera, style
from ..draw.storyboard import Movie
from .base import View, aim, head_marker

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
        self.layers = [self._draw(movie.landscape, font_size)]
        # Zoomed in, the landscape computed again over the camera's region; its labels are placed
        # for that zoom, and it stands in for the whole one while the window lies in the region.
        self.region = camera.whole(movie.detail.a, movie.detail.b) if movie.detail else None
        if movie.detail:
            aim(ax, np.array(self.region))
            self.layers.append(self._draw(movie.detail, font_size))
        # Drawn with the moving artists, so the paths growing beneath never cover them.
        self.landmarks = [ax.plot(*movie.init, marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                                  markersize=font_size * 0.9, zorder=5)[0]]
        for point in movie.minima:
            self.landmarks.append(ax.plot(*point, marker="*", color=style.TRUE_COLOUR,
                                          markersize=font_size * 1.3, zorder=5)[0])
        # Moves of under half a pixel are skipped: each move redraws the panel.
        self.windows = camera.settle(movie.windows, 0.5 / max(ax.bbox.width, ax.bbox.height))
        aim(ax, self.windows[0])
        self._show(self.windows[0])
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

    def _draw(self, land: Landscape, font_size: float) -> tuple[list[Artist], list[Text]]:
        """The filled contours and their lines, and the lines' labels."""
        levels = list(land.levels)
        loss = np.ma.masked_invalid(land.loss)  # where the model overflows: left blank
        fill = self.ax.contourf(land.a, land.b, loss, levels=levels, cmap=CONTOUR_FILL, extend="max")
        lines = self.ax.contour(land.a, land.b, loss, levels=levels, colors="#7a7a7a", linewidths=0.7)
        labels = self.ax.clabel(lines, lines.levels[1::2], inline=True, fontsize=font_size * 0.7, fmt="%g")
        return [fill, lines], labels

    def move_camera(self, frame: int) -> bool:
        if not aim(self.ax, self.windows[frame]):
            return False
        self._show(self.windows[frame])
        return True

    def _show(self, window: np.ndarray) -> None:
        """The layer for this window, with only its labels in view: those out of it cost as much."""
        shown = self.layers[-1] if camera.inside(window, self.region) else self.layers[0]
        for layer in self.layers:
            contours, labels = layer
            for artist in contours:
                artist.set_visible(layer is shown)
            for label in labels:
                a, b = label.get_position()
                label.set_visible(layer is shown and window[0] <= a <= window[1] and window[2] <= b <= window[3])

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
