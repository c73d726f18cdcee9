"""Draw frames: the static figure once, then only the moving artists over the cached background."""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..views import View


class Animator:
    """Blits each frame over a cached background: trails (lines that only grow) are drawn into the
    background a piece at a time; the moving artists are drawn over it afresh each frame."""

    def __init__(self, fig: Figure, views: Sequence[View]) -> None:
        self.fig, self.views = fig, list(views)
        self.canvas = FigureCanvasAgg(fig)
        by_zorder = lambda artists: sorted(artists, key=lambda a: a.get_zorder())  # noqa: E731
        self.artists = by_zorder(a for v in self.views for a in v.artists)
        # Trails are optional: a view without them only moves artists.
        self.growing = [v for v in self.views if getattr(v, "trails", None)]
        self.trails = by_zorder(a for v in self.growing for a in v.trails)
        # Each growing view's whole step at every frame (the panels of a grid each have a timeline of
        # their own): trails grow by whole steps; a head between two steps is a moving artist.
        self.steps = np.floor(np.stack([v.movie.timeline.steps for v in self.growing])).astype(int) \
            if self.growing else None
        for artist in (*self.artists, *self.trails):
            artist.set_animated(True)
        self.canvas.draw()
        self.pristine = self.canvas.copy_from_bbox(fig.bbox)
        self.background, self.trail_steps = self.pristine, self._nothing()

    def _nothing(self) -> np.ndarray:
        """The trails' steps before anything is drawn."""
        return np.full(len(self.growing), -1)

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.canvas.get_width_height()
        return width, height

    def frame(self, index: int) -> np.ndarray:
        """The RGBA pixels of frame `index`: a view of the canvas buffer, valid until the next call."""
        steps = self.steps[:, index] if self.growing else self._nothing()
        if (steps < self.trail_steps).any():  # going back in time: the trails start again from nothing
            self.background, self.trail_steps = self.pristine, self._nothing()
        self.canvas.restore_region(self.background)
        if self.trails and (steps != self.trail_steps).any():
            for view, since in zip(self.growing, self.trail_steps):
                view.grow(int(since), index)
            for artist in self.trails:
                self.fig.draw_artist(artist)
            self.background, self.trail_steps = self.canvas.copy_from_bbox(self.fig.bbox), steps
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
        for view in self.growing:
            view.grow(-1, index)
        for view in self.views:
            view.update(index)
        for artist in (*self.artists, *self.trails):
            artist.set_animated(False)
        try:
            self.fig.savefig(target, dpi=self.fig.dpi)
        finally:
            for artist in (*self.artists, *self.trails):
                artist.set_animated(True)
            self.background, self.trail_steps = self.pristine, self._nothing()
