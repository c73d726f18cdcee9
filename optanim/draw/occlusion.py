"""Which points of a path a hill hides from the camera, for the rotating surface.

Matplotlib's 3D axes cannot sort one artist against another (matplotlib issues #20429, #22165), so
a path line would show through hills. The surface is a height field z = L(a, b) and the camera is
orthographic, so a path point is hidden exactly when the ray from it towards the camera passes
under the surface: we march those rays through the (bilinearly interpolated) grid each frame.
"""

from __future__ import annotations

import numpy as np

#: Width : depth : height of the 3D box; the visibility test must use the same numbers.
BOX_ASPECT = (1.0, 1.0, 0.5)
#: Samples along each ray towards the camera.
RAY_SAMPLES = 96


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
