"""A classifier's decision regions over its two inputs, one small panel per run: each run's regions at
the weights the frame shows (coloured by class, paler where the network is less sure), the training
points over them, and the run's test accuracy at the step shown."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from ..draw import style
from ..draw.fastimage import FastImage
from ..draw.fasttext import CachedText
from ..draw.storyboard import Movie
from .base import View, epoch_and_step

#: One colour per class (Paul Tol's bright scheme, colour-blind safe; yellow late, pale on white).
CLASS_COLOURS = ("#4477AA", "#EE6677", "#228833", "#AA3377", "#66CCEE", "#CCBB44", "#BBBBBB")
#: How far a region's colour goes from white towards its class's: this at a toss-up, up to the
#: second where the network is sure; the points (full colour) stay darker than any region.
TINT_UNSURE, TINT_SURE = 0.1, 0.6
#: The line where the predicted class changes.
EDGE_RGB = (51, 51, 51)
#: The region image is the panel's pixel size, but never finer than this many times the grid's cells.
MAX_UPSAMPLE = 4
#: Panels narrower than this (points) show only the run's marker beside them, not its name and
#: accuracy: the readout beside them has those.
NAMED_PT = 150


def margins(named: bool, small: float) -> tuple[float, float]:
    """(above, beside) a panel, in points: two lines for its name and accuracy, or its marker's room."""
    return (small * 2.6, small * 0.6) if named else (small * 0.4, small * 1.4)


def panel_layout(n: int, width: float, height: float, aspect: float, small: float, label: float,
                 must_name: bool) -> tuple[int, int, bool]:
    """(columns, rows, named) for n panels of the inputs' aspect in a width × height box (points): the
    grid whose panels come out largest, their margins counted (fewer columns on a tie). Its panels are
    named where its columns are NAMED_PT wide and hold the widest name (`label` points); `must_name`:
    only such grids (no readout beside them names the runs)."""
    def named(columns: int) -> bool:
        return width / columns >= max(NAMED_PT, label + margins(True, small)[1] + small)

    def size(columns: int) -> float:
        if must_name and not named(columns) and columns > 1:
            return -1.0
        rows = math.ceil(n / columns)
        above, beside = margins(named(columns), small)
        return min(width / columns - beside - 0.3 * small, (height / rows - above - 0.3 * small) * aspect)
    columns = max(range(1, n + 1), key=lambda c: (size(c), -c))
    return columns, math.ceil(n / columns), named(columns)


def interpolation(n: int, m: int) -> np.ndarray:
    """(m, n): linear interpolation from n evenly spaced samples to m over the same span."""
    where = np.linspace(0, n - 1, m)
    low = np.minimum(where.astype(int), n - 2) if n > 1 else np.zeros(m, int)
    weight = where - low
    matrix = np.zeros((m, n), np.float32)
    matrix[np.arange(m), low] = 1 - weight
    if n > 1:
        matrix[np.arange(m), low + 1] += weight
    return matrix


#: Steps of confidence the region colours take: finer than the eye tells apart.
SHADES = 64
EDGE, BLANK = 0, 1     # the palette's first two rows: the boundary line, and white (no good step)


def region_palette(colours: np.ndarray) -> np.ndarray:
    """(2 + C·SHADES, 4) uint8: the edge colour, white, then each class's colour at each confidence,
    from TINT_UNSURE (a toss-up) to TINT_SURE of the way from white to the class's colour."""
    tint = np.linspace(TINT_UNSURE, TINT_SURE, SHADES)[None, :, None]
    shades = np.round(255 + tint * (np.asarray(colours, float)[:, None, :] - 255)).reshape(-1, 3)
    rgb = np.concatenate([[EDGE_RGB, (255, 255, 255)], shades])
    return np.column_stack([rgb, np.full(len(rgb), 255)]).astype(np.uint8)


def region_image(probs: np.ndarray, rows: np.ndarray, columns: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 of class probabilities (cells, cells, C) interpolated to H × W (rows (H, cells),
    columns (W, cells)): each pixel its likeliest class's colour in region_palette, paler the less sure
    the network is, and the edge colour where the likeliest class changes. NaN (no good step): white."""
    if not np.isfinite(probs).all():
        return np.broadcast_to(palette[BLANK], (len(rows), len(columns), 4)).copy()
    # (C, H, W): two plain matrix products per class go to BLAS (einsum, or matmul over a stack,
    # took 0.3 s a panel)
    across = np.ascontiguousarray(columns.T)
    fine = np.stack([rows @ np.ascontiguousarray(probs[..., c], dtype=np.float32) @ across
                     for c in range(probs.shape[-1])])
    label = fine.argmax(0)
    chance = 1.0 / probs.shape[-1]
    sure = np.clip((fine.max(0) - chance) * ((SHADES - 1) / max(1 - chance, 1e-12)), 0, SHADES - 1)
    index = 2 + label * SHADES + sure.astype(np.intp)
    index[:, 1:][label[:, 1:] != label[:, :-1]] = EDGE
    index[1:, :][label[1:, :] != label[:-1, :]] = EDGE
    # One 32-bit word per pixel: a quarter of the lookups of four separate channels.
    return palette.view(np.uint32).ravel()[index].view(np.uint8).reshape(*index.shape, 4)


def accuracy_text(movie: Movie, key: str, frame: int) -> str:
    """The run's test accuracy at the frame's step, or where it diverged."""
    path = movie.recording.paths[key]
    step = movie.step(key, frame)
    if path.diverged and movie.timeline.whole(frame) >= path.diverged_at:
        return f"diverged at step {path.diverged_at}"
    if path.accuracy is None or step < 0:
        return ""
    return f"test accuracy {path.accuracy[step]:.0%}"


class BoundaryView(View):
    """One small panel per run over the inputs: its decision regions as they change, the training points."""

    name = "boundary"
    kinds = frozenset({"classes"})
    title = "decision regions over the two inputs · dots: training data"
    readout = False    # each panel says its run and accuracy

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        rec = movie.recording
        ax.set_axis_off()
        self.small = style.MIN_TEXT_PT
        u, v = movie.region_grid
        self.extent = (float(u[0]), float(u[-1]), float(v[0]), float(v[-1]))
        classes = next(iter(movie.regions.values())).shape[-1]
        self.palette = region_palette(np.array([to_rgb(CLASS_COLOURS[c % len(CLASS_COLOURS)])
                                                for c in range(classes)]) * 255)
        # Its own clock on the title line, where no readout stands beside it (the single view).
        self.clock = None
        if ax.get_position().width > 0.5:
            title_middle = 1 + (6 + font_size * 0.45) / (ax.get_position().height * ax.figure.get_figheight() * 72)
            self.clock = ax.add_artist(CachedText(0.72, title_middle, "", transform=ax.transAxes,
                                                  fontsize=self.small, family="DejaVu Sans Mono", va="center"))
        self.labels: dict[str, CachedText] = {}
        self.axes = self._panels(ax)
        self.images, self.shown = {}, {}
        labels = rec.y.astype(int)
        for key, sub in self.axes.items():
            box = sub.get_window_extent()
            height = min(max(2, int(round(box.height))), MAX_UPSAMPLE * len(v))
            width = min(max(2, int(round(box.width))), MAX_UPSAMPLE * len(u))
            self.shown[key] = (interpolation(len(v), height), interpolation(len(u), width))
            self.images[key] = FastImage(sub, self._paint(key, 0), self.extent, zorder=1)
            # The points over the regions, one artist per class (markers are cheap to stamp).
            for c in range(classes):
                pick = labels == c
                sub.add_line(Line2D(rec.x[pick, 0], rec.x[pick, 1], linestyle="none", marker="o",
                                    markersize=self.small * (0.45 if self.named else 0.3),
                                    mfc=CLASS_COLOURS[c % len(CLASS_COLOURS)], mec="white", mew=0.5, zorder=2))
        self.points = [line for sub in self.axes.values() for line in sub.lines]
        self.last: dict[str, np.ndarray] = {}
        self.artists = [*self.images.values(), *self.points, *self.labels.values(),
                        *([self.clock] if self.clock else [])]

    def _paint(self, key: str, frame: int) -> np.ndarray:
        rows, columns = self.shown[key]
        return region_image(self.movie.regions[key][frame], rows, columns, self.palette)

    def _panels(self, ax: Axes) -> dict[str, Axes]:
        """One axes per run on a grid in the container's box, shaped like the inputs' window and framed
        in its run's colour: with two lines above it (the run's name, its accuracy) where the panels
        are wide enough, else with the run's marker beside it (the readout then has the rest)."""
        fig, box = ax.figure, ax.get_position()
        width_in, height_in = fig.get_figwidth(), fig.get_figheight()
        to_x, to_y = (lambda pt: pt / 72 / width_in), (lambda pt: pt / 72 / height_in)  # noqa: E731
        keys = list(self.movie.recording.paths)
        aspect = (self.extent[1] - self.extent[0]) / (self.extent[3] - self.extent[2])
        widest = max(TextPath((0, 0), path.label, size=self.small, prop=FontProperties(weight="bold")).get_extents().width
                     for path in self.movie.recording.paths.values())
        columns, rows, named = panel_layout(len(keys), box.width * width_in * 72, box.height * height_in * 72,
                                            aspect, self.small, widest, must_name=self.clock is not None)
        cell_w, cell_h = box.width / columns, box.height / rows
        self.named = named
        above, beside = margins(named, self.small)
        header, beside = to_y(above), to_x(beside)
        axes = {}
        for index, key in enumerate(keys):
            row, column = divmod(index, columns)
            x0, y0 = box.x0 + column * cell_w, box.y0 + (rows - 1 - row) * cell_h
            # The panel keeps the inputs' shape, centred in its cell under its header.
            room_w, room_h = cell_w - beside - to_x(self.small * 0.3), cell_h - header - to_y(self.small * 0.3)
            w = min(room_w, room_h * aspect * height_in / width_in)
            h = w * width_in / height_in / aspect
            left = x0 + beside + (room_w - w) / 2
            sub = fig.add_axes(Bbox.from_bounds(left, y0 + (room_h - h) / 2, w, h).bounds)
            sub.set_xlim(*self.extent[:2])
            sub.set_ylim(*self.extent[2:])
            sub.set_xticks([])
            sub.set_yticks([])
            look = self.movie.styles[key]
            for spine in sub.spines.values():
                spine.set_color(look.colour)
                spine.set_linewidth(2)
            if named:
                line = self.small * 1.25 / 72 / height_in / h     # a line of text, in the panel's heights
                label = self.movie.recording.paths[key].label
                sub.text(0, 1 + 1.45 * line, label, transform=sub.transAxes, color=style.text_colour(look.colour),
                         weight="bold", va="center",
                         fontsize=style.fitting_size(label, self.small * 1.05, (cell_w - beside) * width_in * 72 - self.small,
                                                     "bold"))
                self.labels[key] = sub.add_artist(CachedText(
                    0, 1 + 0.55 * line, "", transform=sub.transAxes, fontsize=self.small,
                    family="DejaVu Sans Mono", va="center", color="#222222"))
            else:
                fig.add_artist(Line2D([left - to_x(self.small * 0.7)], [y0 + (room_h + h) / 2 - to_y(self.small * 0.4)],
                                      transform=fig.transFigure, marker=look.marker, color=look.colour,
                                      markersize=self.small * 0.8))
            axes[key] = sub
        return axes

    def update(self, frame: int) -> None:
        if self.clock is not None:
            epoch, step = epoch_and_step(self.movie, frame)
            self.clock.set_text(f"step {step}/{self.movie.recording.n_steps - 1}  "
                                f"epoch {epoch}/{self.movie.recording.epochs}")
        for key, image in self.images.items():
            probs = self.movie.regions[key][frame]
            # Frames between two kept steps show the same weights: paint them once.
            if key not in self.last or not np.array_equal(self.last[key], probs, equal_nan=True):
                self.last[key] = probs
                image.set_data(self._paint(key, frame))
            if key in self.labels:
                text = accuracy_text(self.movie, key, frame)
                self.labels[key].set_text(text)
                self.labels[key].set_color("#B00000" if text.startswith("diverged") else "#222222")
