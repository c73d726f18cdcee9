"""The rotating 3D loss surface with the paths on it. Where a hill stands in front of a path (see
draw/occlusion.py) the path goes on faint and dashed, so a student knows it runs on behind."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.ticker import MaxNLocator
from mpl_toolkits.mplot3d import proj3d

from ..draw import style
from ..draw.camera import inside, settle, whole
from ..draw.occlusion import BOX_ASPECT, HeightField
from ..draw.storyboard import Movie
from .base import View, axis_words, head_marker, mark_off_plane

#: Facets per side: finer costs frame rate and adds nothing at 1080p.
MAX_FACETS = 60
#: Path vertices per optimizer at most in 3D (the visibility test runs on each).
MAX_VERTICES = 600
#: How a path behind a hill is drawn: thin, dashed, faint.
XRAY = dict(lw=1.3, ls=(0, (3, 2)), alpha=0.4)


def clip_level(loss: np.ndarray) -> float:
    """Clip the surface at the 95th percentile: one steep cliff must not flatten all the rest."""
    finite = loss[np.isfinite(loss)]
    return float(np.quantile(finite, 0.95)) if len(finite) else 1.0


def behind(hidden: np.ndarray) -> np.ndarray:
    """The points of the x-ray line: the hidden ones and their neighbours, so that it joins the visible line."""
    near = hidden.copy()
    near[1:] |= hidden[:-1]
    near[:-1] |= hidden[1:]
    return near


class InnerTicks(MaxNLocator):
    """Round ticks at least `margin` of the span inside the axis' ends (so the box's corners, where
    the loss axis stands, get no a or b label to run into its ticks); of those, `keep` 2: only the
    lowest and the highest, 1: only the highest. Recomputed as the camera zooms."""

    def __init__(self, count: int, margin: float = 0.1, keep: int | None = None) -> None:
        super().__init__(count)
        self.margin, self.keep = margin, keep

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        inset = self.margin * (vmax - vmin)
        ticks = [t for t in super().tick_values(vmin, vmax) if vmin + inset <= t <= vmax - inset]
        if self.keep is not None:
            ticks = ticks[-1:] if self.keep == 1 else ticks[:1] + ticks[1:][-1:]
        return np.array(ticks)


def loss_ticks_fit(ax: Axes, elevation: float, font_size: float) -> int:
    """2 loss ticks (the lowest and the highest) where the loss axis, short when seen from above,
    leaves room for two to stand clear; else 1 (the dashboard)."""
    ax.view_init(elev=elevation, azim=0)  # orthographic: the axis' length on screen is the same at any azimuth
    x, y, z = np.array([ax.get_xlim()[:1] * 2, ax.get_ylim()[:1] * 2, ax.get_zlim()])
    ends = ax.transData.transform(np.column_stack(proj3d.proj_transform(x, y, z, ax.get_proj())[:2]))
    return 2 if np.linalg.norm(ends[1] - ends[0]) * 72 / ax.figure.dpi >= 3.2 * font_size else 1


class SurfaceView(View):
    name = "surface"
    title = "loss surface (all data)"
    title_without_data = "loss surface"
    three_d = True

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        top = clip_level(movie.landscape.loss)
        # A loss unbounded below is cut off below as well as above (the landscape says where).
        self.bottom = -np.inf if movie.landscape.floor is None else min(movie.landscape.floor, top)
        # NaN/inf (a model that overflows somewhere in the window) stand at the clip level; the
        # camera's window is cut from these: the whole landscape, or the finer one where it zooms in.
        self.sources = [HeightField(land.a, land.b, np.clip(np.nan_to_num(land.loss, nan=top, posinf=top),
                                                            self.bottom, top))
                        for land in (movie.landscape, movie.detail) if land is not None]
        # A function's levels are often logarithmic: coloured by them, as the contour map is shaded,
        # its valleys and plateaus show even where the height scale flattens them.
        self.norm = (None if movie.recording.has_data else
                     BoundaryNorm(movie.landscape.levels, 256, extend="both"))
        self.region = whole(movie.detail.a, movie.detail.b) if movie.detail else None
        ax.set_proj_type("ortho")
        ax.set_box_aspect(BOX_ASPECT)
        ax.computed_zorder = False  # we order the artists ourselves: surface, then visible paths
        self.windows = settle(movie.windows, 0.5 / max(ax.bbox.width, ax.bbox.height))
        self.surface, self.window = None, None
        self.aim(self.windows[0])
        for set_label, label in ((ax.set_xlabel, movie.axis_labels[0]), (ax.set_ylabel, movie.axis_labels[1])):
            words = axis_words(label)
            # a letter sits close to its ticks; words need their width of room, or they run into them
            set_label(words, labelpad=2 if len(words) <= 2 else 6)
        ax.set_zlabel("loss", labelpad=5)
        ax.tick_params(labelsize=font_size * 0.7, pad=0)
        ax.tick_params(axis="z", pad=3)   # else a tick label's first digit sits on the axis line
        # A few ticks and no grid: the 3D axes' ticks and grid were a third of each frame's cost.
        ax.xaxis.set_major_locator(InnerTicks(5))
        ax.yaxis.set_major_locator(InnerTicks(5))
        ax.zaxis.set_major_locator(InnerTicks(4, margin=0, keep=loss_ticks_fit(ax, movie.camera.elevation,
                                                                                font_size)))
        ax.grid(False)
        self.points, self.lines, self.xray, self.heads = {}, {}, {}, {}
        for key, path, colour, marker in self.paths():
            every = max(1, -(-len(path.a) // MAX_VERTICES))
            self.points[key] = (every, np.column_stack([path.a, path.b, path.landscape_loss]))
            self.xray[key], = ax.plot([], [], [], color=colour, zorder=2, **XRAY)
            self.lines[key], = ax.plot([], [], [], color=colour, lw=2.4, zorder=3)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.75)
        self.markers = [(np.array([a, b]), ax.plot([], [], [], linestyle="none", zorder=4, **kwargs)[0])
                        for (a, b), kwargs in self._fixed_points(movie, font_size)]
        self.artists = [ax]

    @staticmethod
    def _fixed_points(movie: Movie, font_size: float):
        yield movie.init, dict(marker="o", mfc="none", mec=style.START_COLOUR, mew=2, markersize=font_size * 0.9)
        for point in movie.minima:
            yield point, style.minimum_look(point in movie.local_minima, font_size * 1.3)

    def aim(self, window: np.ndarray) -> None:
        """Show the surface over the window (a_min, a_max, b_min, b_max), its heights zoomed with it."""
        if self.window is not None and np.array_equal(window, self.window):
            return
        self.window = window
        a, b = np.linspace(*window[:2], MAX_FACETS + 1), np.linspace(*window[2:], MAX_FACETS + 1)
        grid_a, grid_b = np.meshgrid(a, b)
        z = self.sources[-1 if inside(window, self.region) else 0].height(grid_a, grid_b)
        self.top = clip_level(z)
        z = np.minimum(z, self.top)
        self.field = HeightField(a, b, z)   # the visibility test sees the surface drawn
        self.lift = 0.01 * self.field.span[2]
        if self.surface is not None:
            self.surface.remove()
        self.surface = self.ax.plot_surface(
            grid_a, grid_b, z, cmap=self.movie.surface_cmap, norm=self.norm, linewidth=0, antialiased=False, zorder=1,
            rasterized=True)  # vector stills stay small: the surface is an image in them
        self.ax.set_xlim(*window[:2])
        self.ax.set_ylim(*window[2:])
        self.ax.set_zlim(float(z.min()), max(self.top, float(z.min()) + 1e-6))  # a flat surface too

    def on_surface(self, points: np.ndarray) -> np.ndarray:
        """(a, b, loss) points as drawn: just above the clipped surface; NaN outside the window."""
        a_min, a_max, b_min, b_max = self.window
        out = ~((points[:, 0] >= a_min) & (points[:, 0] <= a_max) & (points[:, 1] >= b_min) & (points[:, 1] <= b_max))
        lifted = np.column_stack([points[:, :2], np.clip(points[:, 2], self.bottom, self.top) + self.lift])
        return np.where(out[:, None], np.nan, lifted)

    def update(self, frame: int) -> None:
        movie = self.movie
        self.aim(self.windows[frame])
        elevation, azimuth = movie.camera.elevation, movie.camera.azimuth(movie.timeline.turn[frame])
        self.ax.view_init(elev=elevation, azim=azimuth)
        for key, (every, points) in self.points.items():
            s = movie.step(key, frame)
            # ...then the head, between two recorded points while it travels one long step.
            head = movie.head(key, frame, *points.T).T[:len(points)]       # empty for an empty path
            shown = self.on_surface(np.concatenate([points[:s + 1:every], points[s:s + 1], head]))  # empty: none
            hidden = self.hidden(shown, elevation, azimuth)
            self.lines[key].set_data_3d(*np.where(hidden[:, None], np.nan, shown).T)
            self.xray[key].set_data_3d(*np.where(behind(hidden)[:, None], shown, np.nan).T)
            self.heads[key].set_data_3d(*shown[-1:].T)
            mark_off_plane(self.heads[key], movie.recording.paths[key], s)
            self.heads[key].set_alpha(XRAY["alpha"] if hidden[-1:].any() else 1.0)
        for (a, b), artist in self.markers:
            point = self.on_surface(np.array([[a, b, float(self.field.height(np.array(a), np.array(b)))]]))
            hidden = self.hidden(point, elevation, azimuth)
            artist.set_data_3d(*np.where(hidden[:, None], np.nan, point).T)

    def hidden(self, points: np.ndarray, elevation: float, azimuth: float) -> np.ndarray:
        """Which points a hill hides; NaN points (out of the window) are not tested."""
        hidden = np.zeros(len(points), dtype=bool)
        drawn = np.isfinite(points).all(axis=1)
        hidden[drawn] = self.field.hidden(points[drawn], elevation, azimuth)
        return hidden
