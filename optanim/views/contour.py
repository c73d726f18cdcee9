"""The contour map of the loss over the window, with each run's path growing on it."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.contour import ContourSet
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..data.landscape import Landscape
from ..draw import camera, style
from ..draw.storyboard import Movie
from .base import View, aim, head_marker

#: White valleys to grey hills: the coloured paths stand out on it, in print and on a projector.
CONTOUR_FILL = LinearSegmentedColormap.from_list("optanim-hills", ["#ffffff", "#b8b8b8"])
#: Contour labels: never smaller than this (points), dark enough to read on the greyest hill (WCAG AA).
LABEL_MIN_PT, LABEL_COLOUR = 8.0, "#404040"


def labelled_contours(ax: Axes, land: Landscape, loss: np.ma.MaskedArray, font_size: float,
                      landmarks: Sequence[tuple[float, float]] = ()) -> tuple[ContourSet, list[Text]]:
    """The contour lines, labelled at every other level where matplotlib finds room, keeping only the
    labels that stand clear (by half a label's height) of each other and of the landmarks (the
    start, the minima), inside the panel: fewer in a small panel, none overlapping another.

    matplotlib places each label without looking at the others: a throwaway contour set shows where
    they would go, then the real one is labelled (and cut beneath each label) at the places kept.
    The labels are placed for the axes' current window: zoomed further in, they only move apart.
    """
    size = max(font_size * 0.75, LABEL_MIN_PT)
    probe = ax.contour(land.a, land.b, loss, levels=list(land.levels), colors="none")
    wanted = probe.levels[1::2]
    reach = font_size * 1.3 * ax.figure.dpi / 72     # the largest landmark marker (the minimum's star)
    boxes = [Bbox.from_bounds(x - reach / 2, y - reach / 2, reach, reach)
             for x, y in ax.transData.transform(np.reshape(landmarks, (-1, 2)))]
    frame, places = ax.get_window_extent(), []
    for text in probe.clabel(wanted, inline=False, fontsize=size, fmt="%g"):
        box = text.get_window_extent()
        clear = box.padded(box.height / 2)
        if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) and \
                not any(clear.overlaps(other) for other in boxes):
            boxes.append(clear)
            places.append(text.get_position())
    probe.remove()
    lines = ax.contour(land.a, land.b, loss, levels=list(land.levels), colors="#7a7a7a", linewidths=0.7)
    if not places:
        return lines, []
    return lines, list(lines.clabel(wanted, manual=places, inline=True, fontsize=size, fmt="%g",
                                    colors=LABEL_COLOUR))



def _divergence_cross(ax: Axes, a: float, b: float, colour: str, size: float):
    cross, = ax.plot([a], [b], marker="X", color=colour, markersize=size * 1.4, mec="white", mew=1.2,
                     linestyle="none", zorder=6)
    return cross


class ContourView(View):
    name = "contour"
    title = "loss over all data, and each optimizer's path"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        aim(ax, np.array(camera.whole(movie.landscape.a, movie.landscape.b)))  # where the labels must fit
        self.label_boxes: dict[Text, Bbox] = {}
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
        self.lines, self.tips, self.heads, self.crosses = {}, {}, {}, {}
        for key, path, colour, marker in self.paths():
            look = dict(color=colour, lw=2.2, solid_capstyle="round", solid_joinstyle="round", zorder=3)
            self.lines[key], = ax.plot([], [], **look)
            # From the trail's end to the head while it travels one long step: the path stays joined.
            self.tips[key], = ax.plot([], [], **look)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.75)
            if path.diverged and len(path.a):  # a cross where it diverged, shown once it has
                self.crosses[key] = _divergence_cross(ax, path.a[-1], path.b[-1], colour, font_size * 0.75)
        self.trails = list(self.lines.values())
        self.artists = [*self.tips.values(), *self.heads.values(), *self.crosses.values(), *self.landmarks]

    def _draw(self, land: Landscape, font_size: float) -> tuple[list[Artist], list[Text]]:
        """The filled contours and their lines, and the lines' labels."""
        levels = list(land.levels)
        loss = np.ma.masked_invalid(land.loss)  # where the model overflows: left blank
        fill = self.ax.contourf(land.a, land.b, loss, levels=levels, cmap=CONTOUR_FILL, extend="max")
        lines, labels = labelled_contours(self.ax, land, loss, font_size, (self.movie.init, *self.movie.minima))
        # Each label's box in (a, b) as placed: zoomed further in, the label covers less than this.
        to_data = self.ax.transData.inverted()
        self.label_boxes.update({label: label.get_window_extent().transformed(to_data) for label in labels})
        return [fill, lines], labels

    def move_camera(self, frame: int) -> bool:
        if not aim(self.ax, self.windows[frame]):
            return False
        self._show(self.windows[frame])
        return True

    def _show(self, window: np.ndarray) -> None:
        """The layer for this window, with only its labels wholly in view: those out of it cost as
        much, and one cut by the frame reads as another number."""
        shown = self.layers[-1] if camera.inside(window, self.region) else self.layers[0]
        for layer in self.layers:
            contours, labels = layer
            for artist in contours:
                artist.set_visible(layer is shown)
            for label in labels:
                box = self.label_boxes[label]
                label.set_visible(layer is shown and window[0] <= box.x0 and box.x1 <= window[1]
                                  and window[2] <= box.y0 and box.y1 <= window[3])

    def grow(self, since: int, frame: int) -> None:
        for key, path in self.movie.recording.paths.items():
            part = self.segment(key, since, frame)
            self.lines[key].set_data(path.a[part], path.b[part])

    def update(self, frame: int) -> None:
        shown = self.movie.timeline.whole(frame)
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            head = self.movie.head(key, frame, path.a, path.b)
            self.heads[key].set_data(*head)
            self.tips[key].set_data(np.append(path.a[s:s + 1], head[0]), np.append(path.b[s:s + 1], head[1]))
        for key, cross in self.crosses.items():
            cross.set_visible(shown >= self.movie.recording.paths[key].diverged_at)
