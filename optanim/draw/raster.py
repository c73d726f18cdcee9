"""Thousands of points as one image: bin their positions to pixels and paint the pixels.

A matplotlib scatter of 60,000 points lays out and draws every marker on every frame; binning with
numpy and handing the result to one image artist costs a few milliseconds whatever the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.colors import to_rgb

#: Opacity of a pixel one point falls in; n points give 1 - (1 - DOT_ALPHA)^n, so crowds look denser.
DOT_ALPHA = 0.6


@dataclass(frozen=True)
class Raster:
    """An image of `shape` (rows, columns) over the window a_range × b_range; row 0 lies at b_range[0]
    (draw it with origin="lower")."""

    a_range: tuple[float, float]
    b_range: tuple[float, float]
    shape: tuple[int, int]

    def pixels(self, a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(flat pixel index, which points) of the points inside the window (and `keep`, if given);
        NaN and outside dropped."""
        rows, columns = self.shape
        (a0, a1), (b0, b1) = self.a_range, self.b_range
        inside = (a >= a0) & (a <= a1) & (b >= b0) & (b <= b1)   # NaN compares False
        inside = np.flatnonzero(inside if keep is None else inside & keep)
        # The window's top and right edges belong to the last pixel, as they belong to the window.
        i = np.minimum(((a[inside] - a0) * (columns / (a1 - a0))).astype(np.intp), columns - 1)
        j = np.minimum(((b[inside] - b0) * (rows / (b1 - b0))).astype(np.intp), rows - 1)
        return j * columns + i, inside

    def counts(self, a: np.ndarray, b: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        """(rows, columns): how many of the points (those in `keep`, if given) fall in each pixel."""
        flat, _ = self.pixels(a, b, keep)
        return np.bincount(flat, minlength=self.shape[0] * self.shape[1]).reshape(self.shape)

    def paint(self, a: np.ndarray, b: np.ndarray, colours: np.ndarray) -> np.ndarray:
        """(rows, columns, 4) uint8: each point's RGBA colour (colours (n, 4)) in its pixel, transparent
        elsewhere; where several points share a pixel, the last one shows."""
        image = np.zeros((*self.shape, 4), dtype=np.uint8)
        flat, inside = self.pixels(a, b)
        image.reshape(-1, 4)[flat] = colours[inside]
        return image


@lru_cache(maxsize=None)
def _disk(radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(dy, dx) of the pixels of a disk of `radius` about its centre."""
    dy, dx = np.nonzero(np.hypot(*np.mgrid[-radius:radius + 1, -radius:radius + 1]) <= radius + 0.3)
    return dy - radius, dx - radius


def crowds(counts: np.ndarray, most: int) -> np.ndarray:
    """`counts` with each pixel of n >= 4 points spread over a disk of radius sqrt(n) / 2 pixels (at
    most `most`): a thousand starts at one minimum must not look like one dot."""
    rows, columns = np.nonzero(counts >= 4)
    if len(rows) == 0:
        return counts
    out = counts.copy()
    n = counts[rows, columns]
    radius = np.minimum(most, np.sqrt(n) / 2).astype(int)
    for r in np.unique(radius):
        dy, dx = _disk(int(r))
        pick = radius == r
        y, x = (rows[pick, None] + dy).ravel(), (columns[pick, None] + dx).ravel()
        inside = (y >= 0) & (y < counts.shape[0]) & (x >= 0) & (x < counts.shape[1])
        np.maximum.at(out, (y[inside], x[inside]), np.repeat(n[pick], len(dy))[inside])
    return out


def density_colours(colour: str, most: int = 255) -> np.ndarray:
    """(most + 1, 4) uint8 lookup: row n is the colour of a pixel n points fall in (row 0 transparent)."""
    table = np.empty((most + 1, 4), dtype=np.uint8)
    table[:, :3] = np.round(np.array(to_rgb(colour)) * 255)
    table[:, 3] = np.round((1 - (1 - DOT_ALPHA) ** np.arange(most + 1)) * 255)
    return table


def rgba(colours: list[str]) -> np.ndarray:
    """(n, 4) uint8 opaque colours from matplotlib colour names."""
    return np.array([[*np.round(np.array(to_rgb(c)) * 255), 255] for c in colours], dtype=np.uint8)
