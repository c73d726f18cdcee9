"""The rotating 3D loss surface with the paths on it, broken where a hill stands in front of them
(see draw/occlusion.py)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, MaxNLocator
from mpl_toolkits.mplot3d import proj3d

from ..draw import style
from ..draw.occlusion import BOX_ASPECT, HeightField
from ..draw.storyboard import Movie
from .base import View, head_marker

#: Facets per side at most: finer costs frame rate and adds nothing at 1080p.
MAX_FACETS = 60
#: Path vertices per optimizer at most in 3D (the visibility test runs on each).
MAX_VERTICES = 600


def clip_level(loss: np.ndarray) -> float:
    """Clip the surface at the 95th percentile: one steep cliff must not flatten all the rest."""
    finite = loss[np.isfinite(loss)]
    return float(np.quantile(finite, 0.95)) if len(finite) else 1.0


def inner_ticks(low: float, high: float, count: int, margin: float = 0.1) -> list[float]:
    """Round ticks at least `margin` of the span inside [low, high]: the box's corners, where the
    loss axis stands, get no a or b label to run into the loss ticks."""
    inset = margin * (high - low)
    return [float(t) for t in MaxNLocator(count).tick_values(low, high) if low + inset <= t <= high - inset]


def loss_ticks(ax: Axes, elevation: float, font_size: float) -> list[float]:
    """The lowest and highest round loss ticks, or only the highest where the loss axis, short when
    seen from above, leaves too little room for two to stand clear (the dashboard)."""
    ticks = inner_ticks(*ax.get_zlim(), 4, margin=0)
    ax.view_init(elev=elevation, azim=0)  # orthographic: the axis' length on screen is the same at any azimuth
    x, y, z = np.array([ax.get_xlim()[:1] * 2, ax.get_ylim()[:1] * 2, ax.get_zlim()])
    ends = ax.transData.transform(np.column_stack(proj3d.proj_transform(x, y, z, ax.get_proj())[:2]))
    length_pt = np.linalg.norm(ends[1] - ends[0]) * 72 / ax.figure.dpi
    return ticks[:1] + ticks[1:][-1:] if length_pt >= 3.2 * font_size else ticks[-1:]


class SurfaceView(View):
    name = "surface"
    title = "loss surface (all data)"
    three_d = True

    def __init__(self, ax: Axes, movie: Movie, font_size: float = style.FONT_SIZE) -> None:
        super().__init__(ax, movie)
        land = movie.landscape
        top = clip_level(land.loss)
        # NaN/inf (a model that overflows somewhere in the window) stand at the clip level.
        z = np.minimum(np.nan_to_num(land.loss, nan=top, posinf=top), top)
        self.field = HeightField(land.a, land.b, z)
        self.lift = 0.01 * self.field.span[2]
        grid_a, grid_b = np.meshgrid(land.a, land.b)
        stride = max(1, -(-len(land.a) // MAX_FACETS))
        ax.set_proj_type("ortho")
        ax.set_box_aspect(BOX_ASPECT)
        ax.computed_zorder = False  # we order the artists ourselves: surface, then visible paths
        ax.plot_surface(grid_a, grid_b, z, rstride=stride, cstride=stride, cmap=movie.surface_cmap,
                        linewidth=0, antialiased=False, zorder=1,
                        rasterized=True)  # vector stills stay small: the surface is an image in them
        ax.set_xlim(*land.a[[0, -1]])
        ax.set_ylim(*land.b[[0, -1]])
        ax.set_zlim(float(z.min()), max(top, float(z.min()) + 1e-6))  # a flat surface too
        ax.set_xlabel("a", labelpad=-2)
        ax.set_ylabel("b", labelpad=-2)
        ax.set_zlabel("loss", labelpad=0)
        ax.tick_params(labelsize=font_size * 0.7, pad=0)
        # A few ticks and no grid: the 3D axes' ticks and grid were a third of each frame's cost.
        # The loss axis is short seen from above: two ticks, far apart.
        ax.xaxis.set_major_locator(FixedLocator(inner_ticks(*ax.get_xlim(), 5)))
        ax.yaxis.set_major_locator(FixedLocator(inner_ticks(*ax.get_ylim(), 5)))
        ax.zaxis.set_major_locator(FixedLocator(loss_ticks(ax, movie.camera.elevation, font_size)))
        ax.grid(False)
        self.points, self.lines, self.heads = {}, {}, {}
        for key, path, colour, marker in self.paths():
            every = max(1, -(-len(path.a) // MAX_VERTICES))
            self.points[key] = (every, np.column_stack([path.a, path.b, np.minimum(path.full_loss, top)
                                                        + self.lift]))
            self.lines[key], = ax.plot([], [], [], color=colour, lw=2.4, zorder=3)
            self.heads[key] = head_marker(ax, colour, marker, font_size * 0.75)
        self.markers = []
        for (a, b), kwargs in self._fixed_points(movie, font_size):
            point = np.array([[a, b, float(self.field.height(np.array(a), np.array(b))) + self.lift]])
            artist, = ax.plot(*point.T, linestyle="none", zorder=4, **kwargs)
            self.markers.append((point, artist))
        self.artists = [ax]

    @staticmethod
    def _fixed_points(movie: Movie, font_size: float):
        yield movie.init, dict(marker="o", mfc="none", mec=style.START_COLOUR, mew=2, markersize=font_size * 0.9)
        for point in movie.minima:
            yield point, dict(marker="*", color=style.TRUE_COLOUR, markersize=font_size * 1.3)

    def update(self, frame: int) -> None:
        movie = self.movie
        elevation, azimuth = movie.camera.elevation, movie.camera.azimuth(movie.timeline.turn[frame])
        self.ax.view_init(elev=elevation, azim=azimuth)
        for key, (every, points) in self.points.items():
            s = movie.step(key, frame)
            # ...then the head, between two recorded points while it travels one long step.
            head = movie.head(key, frame, *points.T).T[:len(points)]       # empty for an empty path
            shown = np.concatenate([points[:s + 1:every], points[s:s + 1], head])
            hidden = self.field.hidden(shown, elevation, azimuth)
            drawn = np.where(hidden[:, None], np.nan, shown)
            self.lines[key].set_data_3d(*drawn.T)
            self.heads[key].set_data_3d(*drawn[-1:].T)
        for point, artist in self.markers:
            hidden = self.field.hidden(point, elevation, azimuth)
            artist.set_data_3d(*np.where(hidden[:, None], np.nan, point).T)
