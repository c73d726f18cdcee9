"""The views, and the figures that lay them out: one view with its readout, or the dashboard."""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import style
from ..movie import Movie
from ..quality import Quality
from .base import ReadoutView, View
from .plots import ContourView, FitView, LearningRateView, LossView
from .surface import SurfaceView

VIEWS: dict[str, type[View]] = {v.name: v for v in (ContourView, SurfaceView, LossView, FitView,
                                                     LearningRateView)}
DASHBOARD = "dashboard"
ALL_VIEWS = (*VIEWS, DASHBOARD)


def _figure(quality: Quality) -> Figure:
    # A fixed height in inches and dpi from the pixel height: fonts scale with the preset.
    dpi = quality.height / style.FIGURE_HEIGHT_IN
    # A hair over the exact size: Agg truncates the pixel count, and 853.9999 would be 853.
    fig = Figure(figsize=((quality.width + 0.01) / dpi, (quality.height + 0.01) / dpi), dpi=dpi)
    fig.patch.set_facecolor("white")
    return fig


def _titles(fig: Figure, movie: Movie, size: float) -> None:
    fig.text(0.012, 0.975, movie.title, fontsize=size * 1.35, weight="bold", va="top")
    fig.text(0.012, 0.915, movie.subtitle, fontsize=size * 0.95, va="top", color="#333333")


def compose(view: str, movie: Movie, quality: Quality) -> tuple[Figure, list[View]]:
    """A 16:9 figure holding one view (or the dashboard) with its readout panel."""
    fig = _figure(quality)
    with_rc = {"font.size": style.FONT_SIZE}
    import matplotlib as mpl

    with mpl.rc_context(with_rc):
        if view == DASHBOARD:
            size = style.FONT_SIZE * 0.72
            _titles(fig, movie, size * 1.2)
            cells = {  # [left, bottom, width, height] in figure fractions
                "contour": [0.05, 0.49, 0.27, 0.35], "surface": [0.34, 0.47, 0.31, 0.37],
                "fit": [0.70, 0.49, 0.28, 0.35], "loss": [0.05, 0.07, 0.27, 0.31],
                "lr": [0.40, 0.07, 0.25, 0.31]}
            views: list[View] = []
            for name, rect in cells.items():
                three_d = getattr(VIEWS[name], "three_d", False)
                ax = fig.add_axes(rect, projection="3d" if three_d else None)
                ax.tick_params(labelsize=size * 0.85)
                for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", ax.yaxis)):
                    axis.label.set_size(size)
                views.append(VIEWS[name](ax, movie, font_size=size))
                if three_d:  # its title says loss; the z label would run into the fit panel
                    ax.set_zlabel("")
                ax.set_title(VIEWS[name].title, fontsize=size, loc="left")
            views.append(ReadoutView(fig.add_axes([0.70, 0.05, 0.29, 0.36]), movie, font_size=size))
            return fig, views
        if view not in VIEWS:
            raise KeyError(view)
        size = style.FONT_SIZE
        _titles(fig, movie, size)
        three_d = getattr(VIEWS[view], "three_d", False)
        rect = [0.0, 0.0, 0.72, 0.83] if three_d else [0.09, 0.1, 0.59, 0.73]
        ax = fig.add_axes(rect, projection="3d" if three_d else None)
        ax.set_title(VIEWS[view].title, fontsize=size * 0.9, loc="left")
        views = [VIEWS[view](ax, movie, font_size=size),
                 ReadoutView(fig.add_axes([0.72, 0.06, 0.27, 0.8]), movie, font_size=size)]
        return fig, views
