"""Draw frames: the static figure once, then only the moving artists over the cached background."""

from __future__ import annotations

import warnings
from typing import Iterator, Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..views import View


class Animator:
    """Blits each frame over a cached background: trails (lines that only grow) are drawn into the
    background a piece at a time; the moving artists are drawn over it afresh each frame. A view
    whose camera moves (its axis window changes) has its part of the background drawn again."""

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
        # So are cameras: a view that never moves its window needs no move_camera().
        self.cameras = [v for v in self.views if hasattr(v, "move_camera")]
        # The views whose camera has moved, and the figure drawn without them (the stage): on a
        # camera move only they are drawn again; text is most of a full draw, and the titles stay.
        self.moving: list[View] = []
        self.stage = None
        # Saved pixels, by name, copied into arrays kept from frame to frame: matplotlib's
        # copy_from_bbox allocates a fresh region each time and cost 6 ms a 720p frame here, a third
        # of the frame; a copy into a kept array costs under 1 ms.
        self.saved: dict[str, np.ndarray] = {}
        for artist in (*self.artists, *self.trails):
            artist.set_animated(True)
        self._cache_background()

    def _nothing(self) -> np.ndarray:
        """The trails' steps before anything is drawn."""
        return np.full(len(self.growing), -1)

    def _cache_background(self, moved: Sequence[View] = ()) -> None:
        """Draw the static figure (at the views' current windows) and start the trails over."""
        if any(view not in self.moving for view in moved):
            self.moving += [view for view in moved if view not in self.moving]
            self._draw_without(self.moving)
            self.stage = self._save("stage")
        if moved:
            self._restore(self.stage)
            for view in self.moving:
                self.fig.draw_artist(view.ax)
        else:
            self.canvas.draw()
        self.pristine = self._save("pristine")
        self.background, self.trail_steps = self.pristine, self._nothing()

    def _save(self, name: str) -> np.ndarray:
        """The canvas's pixels now, into the array kept under `name`."""
        pixels = np.asarray(self.canvas.buffer_rgba())
        if name not in self.saved or self.saved[name].shape != pixels.shape:
            self.saved[name] = np.empty_like(pixels)
        np.copyto(self.saved[name], pixels)
        return self.saved[name]

    def _restore(self, saved: np.ndarray) -> None:
        np.copyto(np.asarray(self.canvas.buffer_rgba()), saved)

    def _draw_without(self, views: Sequence[View]) -> None:
        for view in views:
            view.ax.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            for view in views:
                view.ax.set_visible(True)

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.canvas.get_width_height()
        return width, height

    def frame(self, index: int) -> np.ndarray:
        """The RGBA pixels of frame `index`: a view of the canvas buffer, valid until the next call."""
        steps = self.steps[:, index] if self.growing else self._nothing()
        moved = [view for view in self.cameras if view.move_camera(index)]
        if moved:  # the cached background shows the old window
            self._cache_background(moved)
        elif (steps < self.trail_steps).any():  # going back in time: the trails start again from nothing
            self.background, self.trail_steps = self.pristine, self._nothing()
        self._restore(self.background)
        if self.trails and (steps != self.trail_steps).any():
            for view, since in zip(self.growing, self.trail_steps):
                view.grow(int(since), index)
            for artist in self.trails:
                self.fig.draw_artist(artist)
            self.background, self.trail_steps = self._save("trails"), steps
        for view in self.views:
            view.update(index)
        for artist in self.artists:
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def frames(self, indices: Sequence[int]) -> Iterator[np.ndarray]:
        for index in indices:
            yield self.frame(index)

    def save_still(self, index: int, target: str, metadata: Mapping[str, str] | None = None) -> None:
        """A vector (or any format) still of frame `index`: every artist drawn normally; `metadata`
        goes to savefig (a PDF's Info keys; those matplotlib does not know are written as given)."""
        for view in self.cameras:
            view.move_camera(index)
        for view in self.growing:
            view.grow(-1, index)
        for view in self.views:
            view.update(index)
        for artist in (*self.artists, *self.trails):
            artist.set_animated(False)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Unknown infodict keyword")
                self.fig.savefig(target, dpi=self.fig.dpi, metadata=metadata or None)
        finally:
            for artist in (*self.artists, *self.trails):
                artist.set_animated(True)
            self._cache_background()
