"""Draw frames: the static figure once, then only the moving artists over the cached background."""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .views import View


class Animator:
    """Blits each frame: restore the background, update the views, draw their artists, read pixels."""

    def __init__(self, fig: Figure, views: Sequence[View]) -> None:
        self.fig, self.views = fig, list(views)
        self.canvas = FigureCanvasAgg(fig)
        self.artists = sorted((a for v in self.views for a in v.artists), key=lambda a: a.get_zorder())
        for artist in self.artists:
            artist.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.canvas.get_width_height()
        return width, height

    def frame(self, index: int) -> np.ndarray:
        """The RGBA pixels of frame `index`: a view of the canvas buffer, valid until the next call."""
        self.canvas.restore_region(self.background)
        for view in self.views:
            view.update(index)
        for artist in self.artists:
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def frames(self, indices: Sequence[int]) -> Iterator[np.ndarray]:
        for index in indices:
            yield self.frame(index)

    def save_still(self, index: int, target: str) -> None:
        """A vector (or any format) still of frame `index`: every artist drawn normally."""
        for view in self.views:
            view.update(index)
        for artist in self.artists:
            artist.set_animated(False)
        try:
            self.fig.savefig(target, dpi=self.fig.dpi)
        finally:
            for artist in self.artists:
                artist.set_animated(True)
