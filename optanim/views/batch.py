"""What SGD sees: the loss over the current step's mini-batch, which moves from step to step, drawn
over the loss over all data, faint and still; each run's head, its last few steps, and an arrow along
minus its gradient on this batch (downhill on the batch's landscape, not necessarily on all data's).

Plain (a, b) throughout: the batch landscapes come from the movie (data/batches.py), one per step,
shared by every run (they all see the same batches).
"""

from __future__ import annotations

import contourpy
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import FancyArrowPatch

from ..data.batches import batch_minimum
from ..data.landscape import Landscape
from ..draw import camera, style
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from ..errors import OptanimError
from .base import View, aim, head_marker
from .batch_readout import BatchReadout, batch_name
from .contour import draw_contours
from .state import log_lengths
from .table import MONO_EM

#: This batch's contour lines and its minimum: a violet that no optimizer wears.
BATCH_COLOUR = "#6A3D9A"
#: All data's landscape under it: the contour view's, faded, so that the batch's lines stand out.
FULL_ALPHA = 0.45
#: Steps of each run's recent path drawn behind its head: enough to see SGD's zig-zag.
TRAIL_STEPS = 12
#: A box this many times wider than tall (a view alone) keeps its readout beside the plot; a smaller
#: one (a panel side by side, a dashboard cell) names the batch above the plot and leaves the numbers
#: to the readout there.
WIDE = 1.8
#: The plot and the readout in a wide box, [left, bottom, width, height] as fractions of it: as the
#: contour view and the readout sit when laid out alone.
PLOT_BOX, READOUT_BOX = (0.044, 0.09, 0.635, 0.9), (0.72, 0.04, 0.28, 0.96)


def _sub_box(ax: Axes, box: tuple[float, float, float, float]) -> list[float]:
    pos = ax.get_position()
    return [pos.x0 + box[0] * pos.width, pos.y0 + box[1] * pos.height, box[2] * pos.width, box[3] * pos.height]


def contour_segments(land: Landscape, loss: np.ndarray) -> list[np.ndarray]:
    """The lines of `loss` at the landscape's levels, as (n, 2) arrays of (a, b)."""
    lines = contourpy.contour_generator(land.a, land.b, np.ma.masked_invalid(loss),
                                        line_type=contourpy.LineType.Separate)
    return [line for level in land.levels for line in lines.lines(level) if len(line) > 1]


class BatchView(View):
    name = "batch"
    title = "loss on this step's mini-batch (violet, moves) over all data's (grey, stays)"
    kinds = frozenset({"data"})   # two parameters fitted to data (a network's plane: not yet)
    by_default = False     # a lesson of its own: rendered when asked for (--views batch)
    readout = False        # it brings its own, which names the batch

    @classmethod
    def why_not(cls, kind: str) -> str:
        if kind in cls.kinds:
            return ""
        if kind == "loss":
            return "shows the loss on each step's mini-batch, and this scene has no mini-batches"
        return "shows each mini-batch's loss over two parameters, and is not drawn on a network's plane"

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        if not movie.batches:
            raise OptanimError(f"views: {self.name!r} {self.why_not(movie.kind) or 'needs mini-batches'}")
        box = ax.get_position()
        wide = box.width * ax.figure.get_figwidth() > WIDE * box.height * ax.figure.get_figheight()
        readout_box = _sub_box(ax, READOUT_BOX) if wide else None
        if wide:
            ax.set_position(_sub_box(ax, PLOT_BOX))
        self.lands = [land for land in (movie.landscape, movie.detail) if land is not None]
        self.tables = [table for table in movie.batches if table is not None]
        self.region = camera.whole(movie.detail.a, movie.detail.b) if movie.detail else None
        self.fulls = [self._faint(land) for land in self.lands]
        self.windows = camera.settle(movie.windows, 0.5 / max(ax.bbox.width, ax.bbox.height))
        self.layer = 0
        aim(ax, self.windows[0])
        self._show(self.windows[0])
        # Small, the axis label goes left: the batch's name takes the right end of its line.
        ax.set_xlabel("a", loc="center" if wide else "left")
        ax.set_ylabel("b")
        self.batch_lines = ax.add_collection(LineCollection([], colors=BATCH_COLOUR, linewidths=1.5, zorder=2),
                                             autolim=False)
        self.recent, self.heads, self.arrows, self.crosses = {}, {}, {}, {}
        for key, path, colour, marker in self.paths():
            self.recent[key], = ax.plot([], [], color=colour, lw=2.0, ls=movie.styles[key].dash, zorder=3,
                                        solid_capstyle="round", solid_joinstyle="round")
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.75)
            self.arrows[key] = ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", color=colour,
                                                            lw=2.0, mutation_scale=font_size * 1.1, zorder=4.5,
                                                            shrinkA=0, shrinkB=0, visible=False))
            if path.diverged and len(path.a):
                self.crosses[key], = ax.plot(path.a[-1], path.b[-1], marker="X", color=colour, mec="white",
                                             markersize=font_size * 1.05, mew=1.2, linestyle="none", zorder=6)
        # Arrow lengths grow with log |g| on one scale for every run (as the state view's arrows).
        grads = [-path.grad.astype(float) for path in movie.recording.paths.values()]
        self.arrow_lengths = dict(zip(movie.recording.paths, log_lengths(grads)))
        landmarks = [ax.plot(*movie.init, marker="o", mfc="none", mec=style.START_COLOUR, mew=2,
                             markersize=font_size * 0.9, zorder=5)[0]]
        landmarks += [ax.plot(*point, zorder=5, **style.minimum_look(False, font_size * 1.3))[0]
                      for point in movie.minima]
        self.batch_star, = ax.plot([], [], marker="*", color=BATCH_COLOUR, mec="white", mew=0.8,
                                   markersize=font_size * 1.4, linestyle="none", zorder=5.5)
        self.shown: tuple[int, int] | None = None   # the (layer, step) whose lines are drawn, and its loss
        self.loss = np.zeros(0)
        self.readout = BatchReadout(ax.figure.add_axes(readout_box), movie, BATCH_COLOUR, font_size) \
            if wide else None
        self.clock = None if wide else self._clock(font_size)
        self.artists = [self.batch_lines, *self.recent.values(), *self.heads.values(), *self.arrows.values(),
                        *self.crosses.values(), *landmarks, self.batch_star,
                        *(self.readout.artists if self.readout else [self.clock])]

    def _faint(self, land: Landscape) -> list:
        """All data's landscape, filled and lined as the contour view draws it, faded; unlabelled."""
        fill, lines = draw_contours(self.ax, land, True)
        fill.set_alpha(FULL_ALPHA)
        lines.set_alpha(FULL_ALPHA)
        return [fill, lines]

    def _clock(self, font_size: float) -> CachedText:
        """Below the plot's right end, on the line of the axis label (at its left): which batch this is.
        The title above may take two lines (a dashboard's cell), and the panels' readout has no place for it."""
        size = style.MIN_TEXT_PT
        n = self.movie.recording.steps_per_epoch
        longest = f"mini-batch {n} of {n}"
        height_pt = self.ax.get_position().height * self.ax.figure.get_figheight() * 72
        width_pt = self.ax.get_position().width * self.ax.figure.get_figwidth() * 72
        x = 1 - len(longest) * MONO_EM * size / width_pt
        # Past the ticks (3.5 pt long, 3.5 pt apart from their labels) and their labels (a line of the font).
        below = (7 + 1.2 * font_size + 4 + 0.6 * size) / height_pt
        return self.ax.add_artist(CachedText(x, -below, "", transform=self.ax.transAxes, fontsize=size,
                                             family="DejaVu Sans Mono", va="center",
                                             color=style.text_colour(BATCH_COLOUR)))

    def _show(self, window: np.ndarray) -> None:
        """All data's layer for this window (the finer one where the camera is inside its region)."""
        self.layer = len(self.lands) - 1 if camera.inside(window, self.region) else 0
        for i, artists in enumerate(self.fulls):
            for artist in artists:
                artist.set_visible(i == self.layer)

    def move_camera(self, frame: int) -> bool:
        moved = aim(self.ax, self.windows[frame])
        if moved:   # the layers and the batch's lines follow the window
            self._show(self.windows[frame])
        return moved

    def batch_step(self, frame: int) -> int:
        """The step whose batch the frame shows: the step the heads have reached."""
        return min(self.movie.timeline.whole(frame), self.movie.recording.n_steps - 1)

    def batch_loss(self, step: int, layer: int) -> np.ndarray:
        """This step's batch loss on a layer's grid (len(b), len(a))."""
        return self.tables[layer].loss(self.movie.recording.batch(step))

    def arrow_end(self, start: np.ndarray, direction: np.ndarray, fraction: float) -> np.ndarray:
        """Where an arrow from `start` along `direction` (in (a, b)) ends that is `fraction` of the
        plot's shorter side long on screen."""
        on_screen = self.ax.transData.get_affine().get_matrix()[:2, :2] @ direction
        return start + direction * (fraction * min(self.ax.bbox.width, self.ax.bbox.height) / np.hypot(*on_screen))

    def update(self, frame: int) -> None:
        step, land = self.batch_step(frame), self.lands[self.layer]
        if self.shown != (self.layer, step):
            self.shown, self.loss = (self.layer, step), self.batch_loss(step, self.layer)
            self.batch_lines.set_segments(contour_segments(land, self.loss))
        where = batch_minimum(self.loss, land.a, land.b, self.windows[frame])
        self.batch_star.set_data(*(([where[0]], [where[1]]) if where else ([], [])))
        shown = self.movie.timeline.whole(frame)
        for key, path in self.movie.recording.paths.items():
            s = self.movie.step(key, frame)
            head = self.movie.head(key, frame, path.a, path.b)
            self.heads[key].set_data(*head)
            first = max(0, s - TRAIL_STEPS)
            self.recent[key].set_data(np.append(path.a[first:s + 1], head[0]), np.append(path.b[first:s + 1], head[1]))
            alive = s >= 0 and not (path.diverged and shown >= path.diverged_at)
            length = self.arrow_lengths[key][s] if alive else np.nan
            self.arrows[key].set_visible(bool(np.isfinite(length)))
            if np.isfinite(length):
                start = head[:, 0].astype(float)
                self.arrows[key].set_positions(start, self.arrow_end(start, -path.grad[s].astype(float), length))
        for key, cross in self.crosses.items():
            cross.set_visible(shown >= self.movie.recording.paths[key].diverged_at)
        if self.readout is not None:
            self.readout.update(frame, step)
        else:
            self.clock.set_text(batch_name(self.movie, step))
