"""The contour map of the loss over the window, with each run's path growing on it."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..data.landscape import Landscape
from ..draw import camera, style
from ..draw.stamps import Ticks, stamped, to_stage
from ..draw.storyboard import Movie
from .base import View, aim, head_marker, label_axes, mark_off_plane

#: White valleys to grey hills: the coloured paths stand out on it, in print and on a projector.
CONTOUR_FILL = LinearSegmentedColormap.from_list("optanim-hills", ["#ffffff", "#b8b8b8"])
#: Contour labels: never smaller than this (points), dark enough to read on the greyest hill (WCAG AA).
LABEL_MIN_PT, LABEL_COLOUR = 8.0, "#404040"


#: Labels keep this far (in window fractions, edges counted thrice) from each other and the edges;
#: a ring smaller than LABEL_RING across is left unlabelled (its label would cover it).
LABEL_GAP, LABEL_RING = 0.12, 0.08


def label_spots(lines, levels: list[float], window: tuple[tuple[float, float], tuple[float, float]]):
    """(level, (a, b)) where to label: on each ring of each level, the point farthest from the labels
    placed before and from the window's edges, where that is far enough. Left to matplotlib, nested
    rings stack their labels along the one wall where they run straightest (Rosenbrock's), unreadably."""
    (a0, a1), (b0, b1) = window
    placed: list[np.ndarray] = []
    spots = []
    for level, path in zip(lines.levels, lines.get_paths()):
        if level not in levels:
            continue
        rings = [(ring - [a0, b0]) / [a1 - a0, b1 - b0] for ring in path.to_polygons(closed_only=False)]
        for uv in sorted(rings, key=len, reverse=True):    # window fractions: a and b weigh alike
            if len(uv) < 2 or np.ptp(uv, axis=0).max() < LABEL_RING:
                continue
            edge = np.minimum(uv, 1 - uv).min(axis=1)
            crowd = np.min([np.hypot(*(uv - p).T) for p in placed], axis=0) if placed else np.ones(len(uv))
            score = np.minimum(crowd, 3 * edge)
            best = int(np.argmax(score))
            if score[best] >= LABEL_GAP:
                placed.append(uv[best])
                spots.append((level, (a0 + uv[best, 0] * (a1 - a0), b0 + uv[best, 1] * (b1 - b0))))
    return spots


def clear_spots(ax: Axes, land: Landscape, loss: np.ma.MaskedArray, spots, size: float,
                landmarks: Sequence[tuple[float, float]], landmark_pt: float) -> list:
    """The (level, (a, b)) spots whose labels stand clear, by half a label's height, of each other and
    of the landmarks (the start, the minima, where the heads end), wholly inside the panel at its
    current window: fewer in a small panel. matplotlib draws a label where it is asked without looking at the others, so
    a throwaway contour set measures each first. Zoomed further in, the labels only move apart."""
    reach = landmark_pt * ax.figure.dpi / 72
    boxes = [Bbox.from_bounds(x - reach / 2, y - reach / 2, reach, reach)
             for x, y in ax.transData.transform(np.reshape(landmarks, (-1, 2)))]
    probe = ax.contour(land.a, land.b, loss, levels=list(land.levels), colors="none")
    frame, kept = ax.get_window_extent(), []
    for level, spot in spots:
        box = probe.clabel([level], inline=False, fontsize=size, fmt="%g", manual=[spot])[-1].get_window_extent()
        clear = box.padded(box.height / 2)
        if frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1) and \
                not any(clear.overlaps(other) for other in boxes):
            boxes.append(clear)
            kept.append((level, spot))
    probe.remove()
    return kept


def _divergence_cross(ax: Axes, a: float, b: float, colour: str, size: float):
    cross, = ax.plot([a], [b], marker="X", color=colour, markersize=size * 1.4, mec="white", mew=1.2,
                     linestyle="none", zorder=6)
    return cross


def draw_contours(ax: Axes, land: Landscape, has_data: bool) -> tuple[Artist, Artist]:
    """The filled contours of the loss and their lines (unlabelled)."""
    levels = list(land.levels)
    loss = np.ma.masked_invalid(land.loss)  # where the model overflows: left blank
    if has_data:  # the notebook's levels, shaded as the notebook shades them
        fill = ax.contourf(land.a, land.b, loss, levels=levels, cmap=CONTOUR_FILL, extend="max")
    else:
        # A function's levels are often logarithmic: one shade per band (on a linear scale all but
        # the top few would be white), and shades beyond both ends for a loss unbounded below.
        norm = BoundaryNorm(levels, CONTOUR_FILL.N, extend="both")
        fill = ax.contourf(land.a, land.b, loss, levels=levels, cmap=CONTOUR_FILL, norm=norm, extend="both")
    return fill, ax.contour(land.a, land.b, loss, levels=levels, colors="#7a7a7a", linewidths=0.7)


class ContourView(View):
    name = "contour"
    title = "loss over all data, and each optimizer's path"
    title_without_data = "loss, and each optimizer's path"

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
        # Drawn with the moving artists, so the paths growing beneath never cover them; a minimum's star
        # beneath the heads (a head that arrives sits on it, larger than it), the start's ring above.
        self.landmarks = [ax.plot(*movie.init, marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                                  markersize=font_size * 0.9, zorder=5)[0]]
        for point in movie.minima:
            look = style.minimum_look(point in movie.local_minima, font_size * 1.3)
            self.landmarks.append(ax.plot(*point, zorder=3.5, **look)[0])
        # Moves of under half a pixel are skipped: each move redraws the panel.
        self.windows = camera.settle(movie.windows, 0.5 / max(ax.bbox.width, ax.bbox.height))
        aim(ax, self.windows[0])
        self._show(self.windows[0])
        label_axes(ax, movie.axis_labels)
        # Ticks and axis labels stamped, not laid out afresh at each camera move (draw/stamps.py);
        # the title drawn with the figure, from the first frame on (the layout sets it once the
        # view is built).
        ax.add_artist(Ticks(ax, self.windows))
        self.staged = False
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
        fill, lines = draw_contours(self.ax, land, self.movie.recording.has_data)
        loss = np.ma.masked_invalid(land.loss)
        window = (tuple(land.a[[0, -1]]), tuple(land.b[[0, -1]]))
        size = max(font_size * 0.75, LABEL_MIN_PT)
        # Clear of the start, the minima and where every head ends: the last frame is a slide.
        ends = [(path.a[-1], path.b[-1]) for path in self.movie.recording.paths.values() if len(path.a)]
        spots = clear_spots(self.ax, land, loss, label_spots(lines, list(lines.levels[1::2]), window), size,
                            (self.movie.init, *self.movie.minima, *ends), font_size * 1.3)
        for level, spot in spots:
            self.ax.clabel(lines, [level], inline=True, fontsize=size, fmt="%g", manual=[spot], colors=LABEL_COLOUR)
        labels = [stamped(label) for label in getattr(lines, "labelTexts", [])]   # none where no ring had room
        if labels:
            lines.labelTexts[:] = labels
        # Each label's box in (a, b) as placed: zoomed further in, the label covers less than this.
        to_data = self.ax.transData.inverted()
        self.label_boxes.update({label: label.get_window_extent().transformed(to_data) for label in labels})
        return [fill, lines], labels

    def move_camera(self, frame: int) -> bool:
        staging = not self.staged
        if staging:
            to_stage(self.ax, [t for t in self.ax.get_children() if isinstance(t, Text) and t not in self.ax.texts])
            self.staged = True
        if not aim(self.ax, self.windows[frame]) and not staging:
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
            mark_off_plane(self.heads[key], path, s)
            self.tips[key].set_data(np.append(path.a[s:s + 1], head[0]), np.append(path.b[s:s + 1], head[1]))
        for key, cross in self.crosses.items():
            cross.set_visible(shown >= self.movie.recording.paths[key].diverged_at)
