"""The rotating 3D loss surface with the paths on it, hidden where a hill stands in front of them.

Matplotlib's 3D axes cannot sort one artist against another (matplotlib issues #20429, #22165), so
a path line would show through hills. The surface is a height field z = L(a, b) and the camera is
orthographic, so a path point is hidden exactly when the ray from it towards the camera passes
under the surface: we march those rays through the (bilinearly interpolated) grid each frame and
break the line where it is hidden.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from .. import style
from ..movie import Movie
from .base import View, head_marker

#: Width : depth : height of the 3D box; the visibility test must use the same numbers.
BOX_ASPECT = (1.0, 1.0, 0.5)
#: Facets per side at most: finer costs frame rate and adds nothing at 1080p.
MAX_FACETS = 60
#: Path vertices per optimizer at most in 3D (the visibility test runs on each).
MAX_VERTICES = 600
#: Samples along each ray towards the camera.
RAY_SAMPLES = 96


def clip_level(loss: np.ndarray) -> float:
    """Clip the surface at the 95th percentile: one steep cliff must not flatten all the rest."""
    finite = loss[np.isfinite(loss)]
    return float(np.quantile(finite, 0.95)) if len(finite) else 1.0


class HeightField:
    """Bilinear interpolation of the loss grid, and the occlusion test against it."""

    def __init__(self, a: np.ndarray, b: np.ndarray, z: np.ndarray) -> None:
        self.a, self.b, self.z = a, b, z
        self.span = np.array([a[-1] - a[0], b[-1] - b[0], max(1e-12, z.max() - z.min())])
        self.z_top = float(z.max())

    def height(self, qa: np.ndarray, qb: np.ndarray) -> np.ndarray:
        fa = np.clip((qa - self.a[0]) / (self.a[1] - self.a[0]), 0, len(self.a) - 1.000001)
        fb = np.clip((qb - self.b[0]) / (self.b[1] - self.b[0]), 0, len(self.b) - 1.000001)
        i, j = fa.astype(int), fb.astype(int)
        u, v = fa - i, fb - j
        z = self.z
        return ((1 - u) * (1 - v) * z[j, i] + u * (1 - v) * z[j, i + 1] +
                (1 - u) * v * z[j + 1, i] + u * v * z[j + 1, i + 1])

    def towards_camera(self, elevation: float, azimuth: float) -> np.ndarray:
        """The direction to an orthographic camera, in data units (matplotlib's view convention)."""
        e, az = np.deg2rad(elevation), np.deg2rad(azimuth)
        world = np.array([np.cos(e) * np.cos(az), np.cos(e) * np.sin(az), np.sin(e)])
        return world * self.span / np.array(BOX_ASPECT)

    def hidden(self, points: np.ndarray, elevation: float, azimuth: float) -> np.ndarray:
        """For points (n, 3) on or above the surface: is a hill between each and the camera?"""
        if len(points) == 0:
            return np.zeros(0, dtype=bool)
        d = self.towards_camera(elevation, azimuth)
        # How far each ray can go before it leaves the window or rises above every hill.
        limits = []
        for axis, (low, high) in enumerate(((self.a[0], self.a[-1]), (self.b[0], self.b[-1]))):
            if abs(d[axis]) > 1e-12:
                bound = high if d[axis] > 0 else low
                limits.append((bound - points[:, axis]) / d[axis])
        if d[2] > 1e-12:
            limits.append((self.z_top - points[:, 2]) / d[2])
        reach = np.clip(np.min(limits, axis=0), 0, None) if limits else np.zeros(len(points))
        # Start one grid cell away: a point must not hide behind the facet it sits on.
        cell = max((self.a[1] - self.a[0]) / self.span[0], (self.b[1] - self.b[0]) / self.span[1])
        start = cell / max(1e-12, np.hypot(d[0] / self.span[0], d[1] / self.span[1]))
        t = np.linspace(0, 1, RAY_SAMPLES)[None, :] * reach[:, None]
        q = points[:, None, :] + t[..., None] * d
        under = q[..., 2] < self.height(q[..., 0], q[..., 1]) - 0.004 * self.span[2]
        return np.any(under & (t >= start), axis=1)


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
        ax.set_zlabel("loss", labelpad=4)
        ax.tick_params(labelsize=font_size * 0.7, pad=0)
        # A few ticks and no grid: the 3D axes' ticks and grid were a third of each frame's cost.
        for axis, ticks in ((ax.xaxis, 5), (ax.yaxis, 5), (ax.zaxis, 3)):
            axis.set_major_locator(MaxNLocator(ticks))
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
        if movie.true_params:
            yield movie.true_params, dict(marker="*", color=style.TRUE_COLOUR, markersize=font_size * 1.3)

    def update(self, frame: int) -> None:
        movie = self.movie
        elevation, azimuth = movie.camera.elevation, movie.camera.azimuth(movie.timeline.turn[frame])
        self.ax.view_init(elev=elevation, azim=azimuth)
        for key, (every, points) in self.points.items():
            s = movie.step(key, frame)
            shown = np.concatenate([points[:s + 1:every], points[s:s + 1]])  # empty for an empty path
            hidden = self.field.hidden(shown, elevation, azimuth)
            drawn = np.where(hidden[:, None], np.nan, shown)
            self.lines[key].set_data_3d(*drawn.T)
            self.heads[key].set_data_3d(*drawn[-1:].T)
        for point, artist in self.markers:
            hidden = self.field.hidden(point, elevation, azimuth)
            artist.set_data_3d(*np.where(hidden[:, None], np.nan, point).T)
