"""Where panels go: a 16:9 figure sized from the preset, one view with its readout, or the dashboard."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.figure import Figure

from typing import Sequence

from ..spec.quality import Quality
from ..views import DASHBOARD, STAND_INS, VIEWS, ReadoutView, View
from ..draw import style
from ..draw.storyboard import Movie

#: The dashboard's cells, [left, bottom, width, height] in figure fractions; the readout sits bottom
#: right. Each row leaves room above for a two-line title and below for ticks and an axis label, all
#: at style.MIN_TEXT_PT; the readout is wide enough for "SGD + momentum" and its loss side by side.
DASHBOARD_CELLS = {
    "contour": [0.065, 0.516, 0.235, 0.284], "surface": [0.325, 0.47, 0.33, 0.36],
    "fit": [0.735, 0.516, 0.25, 0.284], "loss": [0.065, 0.079, 0.235, 0.284],
    "lr": [0.415, 0.079, 0.235, 0.284]}
DASHBOARD_READOUT = [0.685, 0.008, 0.31, 0.435]
#: A network's readout has a line more (its columns' names) and its notes: the cell above it gives
#: up a little height; the contour leaves room on its left for a plane's axis label on two lines.
NETWORK_CELLS = DASHBOARD_CELLS | {"contour": [0.09, 0.516, 0.21, 0.284], "fit": [0.735, 0.56, 0.25, 0.24]}
NETWORK_READOUT = [0.685, 0.008, 0.31, 0.475]
#: One view: the plot on the left (a 3D one larger, its box leaves margins of its own), the readout right.
SINGLE_2D, SINGLE_3D, SINGLE_READOUT = [0.09, 0.1, 0.59, 0.73], [0.0, 0.0, 0.72, 0.83], [0.72, 0.06, 0.27, 0.8]
#: A view with no readout beside it (it carries its own): the whole width.
SINGLE_WIDE = [0.05, 0.03, 0.93, 0.8]


def dashboard_cells(names: Sequence[str], network: bool = False) -> list[tuple[str, list[float]]]:
    """Each of the dashboard's views with its cell: the i-th view takes the i-th cell, and a view
    named again in the next cell spans both (the scene keeps spans within a row): their width, and
    the height they share (the 3D cell is taller: its box keeps margins of its own)."""
    cells: list[tuple[str, list[float]]] = []
    for name, rect in zip(names, (NETWORK_CELLS if network else DASHBOARD_CELLS).values()):
        if cells and cells[-1][0] == name:
            left, bottom, width, height = cells[-1][1]
            top, right = min(bottom + height, rect[1] + rect[3]), max(left + width, rect[0] + rect[2])
            left, bottom = min(left, rect[0]), max(bottom, rect[1])
            cells[-1] = (name, [left, bottom, right - left, top - bottom])
        else:
            cells.append((name, list(rect)))
    return cells


def figure(quality: Quality) -> Figure:
    """A figure of the preset's pixel size whose fonts, in points, scale with it."""
    # A fixed height in inches and dpi from the pixel height: fonts scale with the preset.
    dpi = quality.height / style.FIGURE_HEIGHT_IN
    # A hair over the exact size: Agg truncates the pixel count, and 853.9999 would be 853.
    fig = Figure(figsize=((quality.width + 0.01) / dpi, (quality.height + 0.01) / dpi), dpi=dpi)
    fig.patch.set_facecolor("white")
    return fig


def titles(fig: Figure, title: str, subtitle: str, size: float) -> None:
    fig.text(0.012, 0.975, title, fontsize=size * 1.35, weight="bold", va="top")
    room = (1 - 2 * 0.012) * fig.get_figwidth() * 72    # a long formula shrinks to the figure's width
    fig.text(0.012, 0.915, subtitle, fontsize=style.fitting_size(subtitle, size * 0.95, room), va="top",
             color="#333333")


def fitted_title(ax, title: str, size: float) -> None:
    """The panel's title, broken at the space nearest its middle if it is wider than the panel."""
    text = ax.set_title(title, fontsize=size, loc="left")
    spaces = [i for i, c in enumerate(title) if c == " "]
    if spaces and text.get_window_extent().width > ax.get_window_extent().width:
        middle = min(spaces, key=lambda i: abs(2 * i - len(title)))
        text.set_text(f"{title[:middle]}\n{title[middle + 1:]}")


def _panel(fig: Figure, name: str, rect: list[float], movie: Movie, size: float) -> View:
    kind = VIEWS[name]
    ax = fig.add_axes(rect, projection="3d" if kind.three_d else None)
    return kind(ax, movie, font_size=size)


def compose(view: str, movie: Movie, quality: Quality) -> tuple[Figure, list[View]]:
    """A 16:9 figure holding one view (or the dashboard) with its readout panel."""
    fig = figure(quality)
    with mpl.rc_context({"font.size": style.FONT_SIZE}):
        if view == DASHBOARD:
            # Every panel's smallest text (ticks, axis labels) at the legible minimum, no smaller.
            size, least = style.DASHBOARD_FONT_SIZE, style.MIN_TEXT_PT
            titles(fig, movie.title, movie.subtitle, size)
            views: list[View] = []
            network = movie.recording.plane is not None
            for name, rect in dashboard_cells(movie.dashboard_views, network):
                name = STAND_INS.get(name, {}).get(movie.kind, name)
                panel = _panel(fig, name, rect, movie, size)
                ax = panel.ax
                ax.tick_params(labelsize=least)
                for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", ax.yaxis)):
                    axis.label.set_size(least)
                fitted_title(ax, panel.title, least)
                views.append(panel)
            views.append(ReadoutView(fig.add_axes(NETWORK_READOUT if network else DASHBOARD_READOUT), movie,
                                     font_size=size))
            return fig, views
        size = style.FONT_SIZE
        titles(fig, movie.title, movie.subtitle, size)
        kind = VIEWS[view]
        panel = _panel(fig, view, SINGLE_3D if kind.three_d else SINGLE_2D if kind.readout else SINGLE_WIDE,
                       movie, size)
        panel.ax.set_title(panel.title, fontsize=size * 0.9, loc="left")
        if panel.three_d:  # the 3D view keeps its crowded ticks small, but legible
            panel.ax.tick_params(labelsize=style.MIN_TEXT_PT)
        if not kind.readout:
            return fig, [panel]
        return fig, [panel, ReadoutView(fig.add_axes(SINGLE_READOUT), movie, font_size=size)]
