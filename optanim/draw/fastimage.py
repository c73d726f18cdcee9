"""An RGBA image layer that fills its axes, blended straight into the Agg canvas.

matplotlib's own image drawing resamples through masked arrays and a general transform on every
frame, which was over half of a field frame's cost. An image that covers its axes exactly needs only
a nearest-pixel lookup, then Agg's own blend; vector output (PDF, SVG) draws the usual way.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.image import AxesImage


class FastImage(AxesImage):
    """An AxesImage over the axes' whole view (extent = its limits, origin lower, nearest pixels)."""

    def __init__(self, ax, data: np.ndarray, extent: tuple[float, float, float, float], **kwargs) -> None:
        self._lookup: tuple = (None, None)
        super().__init__(ax, extent=extent, origin="lower", interpolation="nearest", **kwargs)
        self.set_data(data)
        ax.add_image(self)

    def set_data(self, data: np.ndarray) -> None:
        self.pixels = data   # as given: matplotlib keeps a masked copy, slow to index
        super().set_data(data)

    def _index(self, height: int, width: int, shape: tuple[int, ...]) -> np.ndarray:
        """(height, width): which image pixel (flat) each canvas pixel of the box shows, bottom row first
        (Agg draws an image block from its bottom-left corner up, as origin="lower" lays it out)."""
        key = (height, width, shape[:2])
        if self._lookup[0] != key:
            rows = ((np.arange(height) + 0.5) * shape[0] / height).astype(np.intp)
            columns = ((np.arange(width) + 0.5) * shape[1] / width).astype(np.intp)
            self._lookup = (key, rows[:, None] * shape[1] + columns[None, :])
        return self._lookup[1]

    def draw(self, renderer) -> None:
        ax, data = self.axes, self.pixels
        covers = tuple(self.get_extent()) == (*ax.get_xlim(), *ax.get_ylim())
        if not (isinstance(renderer, RendererAgg) and covers and self.get_visible()
                and isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 3):
            return super().draw(renderer)
        box = ax.bbox
        left, bottom = int(round(box.x0)), int(round(box.y0))
        width, height = int(round(box.x1)) - left, int(round(box.y1)) - bottom
        # One 32-bit lookup per canvas pixel (RGBA as one word), then Agg blends the block in C++.
        words = np.ascontiguousarray(data).view(np.uint32).reshape(data.shape[:2])
        block = np.take(words.ravel(), self._index(height, width, data.shape)).view(np.uint8)
        gc = renderer.new_gc()
        gc.set_clip_rectangle(box)
        renderer.draw_image(gc, left, bottom, block.reshape(height, width, 4))
        gc.restore()
        self.stale = False
