"""Several scenes (or a sweep's values) side by side: one panel each, in step on one clock, one readout.

Each panel keeps a Movie of its own, so every view draws a panel exactly as it draws a single scene;
only the panels' timelines are mapped from one clock: frame f shows the same fraction of training in
every panel (the same epoch, where the panels train for as many epochs).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..data.landscape import landscape
from ..data.merge import merge_runs
from ..data.recording import Recording
from ..errors import OptanimError
from ..spec.quality import Quality
from ..spec.scene import Scene
from ..spec.sweep import sweep_labels
from ..views import VIEWS, View
from ..views.table import TableReadoutView
from ..draw import camera, style
from .layout import figure, titles
from ..draw.storyboard import Movie, make_movie
from ..draw.timeline import Timeline
from ..draw.titles import column_tags, compare_titles, lettered

#: Font size in the grid's figures: every text at least 1/40 of the frame's height (the figure is
#: style.FIGURE_HEIGHT_IN tall: 11.5 pt is 1/37.6 of it), so a 2 x 2 grid still reads at 480p.
FONT = 11.5
#: The panels' share of the figure (left, bottom, right, top) and the readout beside them.
AREA = (0.0, 0.0, 0.70, 0.87)
READOUT = [0.715, 0.04, 0.28, 0.82]
#: Room around a 2D panel's axes, in figure fractions: tick labels and axis labels left and below,
#: the panel's title above.
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_RIGHT = 0.075, 0.09, 0.055, 0.012
#: Views whose y axes the panels share, so that heights compare across panels.
SHARED_Y = ("loss", "lr")
#: Dark to light: one optimizer's runs at a sweep's values, drawn in one panel.
SHADES = (-0.55, 0.35)


@dataclass(frozen=True)
class Panel:
    title: str
    movie: Movie


@dataclass(frozen=True)
class Grid:
    """The panels, and the one clock whose frames the video has (each movie maps it to its steps)."""

    title: str
    subtitle: str
    panels: tuple[Panel, ...]
    timeline: Timeline
    by_fraction: bool           # the panels train for different numbers of epochs


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns): a row for two panels, 2 x 2 for three or four, 2 x 3 for five or six."""
    if not 2 <= n <= 6:
        raise OptanimError(f"grid: 2 to 6 panels fit in a frame, got {n}")
    return (1, 2) if n == 2 else (2, 2) if n <= 4 else (2, 3)


def in_step(clock: Timeline, n_from: int, n_to: int) -> Timeline:
    """The clock of a run of n_to steps kept in step with one of n_from: each frame shows the same
    fraction of training in both (fractional steps: heads travel between recorded points)."""
    return dataclasses.replace(clock, steps=clock.steps * ((n_to - 1) / max(1, n_from - 1)))


def make_grid(title: str, subtitle: str, shown: Sequence[tuple[str, Scene, Recording]],
              clock_of: Callable[[Scene, Recording], Timeline]) -> Grid:
    """One panel per (title, scene, recording), on the clock of the longest (`clock_of` makes a clock
    as for a single scene); every panel gives a run the same colour, marker and dash."""
    grid_shape(len(shown))
    recordings = [recording for _, _, recording in shown]
    kinds = {recording.has_data for recording in recordings}
    if len(kinds) > 1:
        with_data = next(s.name for _, s, r in shown if r.has_data)
        without = next(s.name for _, s, r in shown if not r.has_data)
        raise OptanimError(f"grid: {with_data} fits data and {without} has an analytic loss; their losses and "
                           "clocks do not compare: render them separately")
    longest = max(range(len(shown)), key=lambda i: recordings[i].n_steps)
    clock = clock_of(shown[longest][1], recordings[longest])
    paths = {key: path for recording in recordings for key, path in recording.paths.items()}
    styles = style.run_styles(paths.values())
    timelines = [in_step(clock, recordings[longest].n_steps, recording.n_steps) for recording in recordings]
    windows = one_camera(shown, timelines)
    panels = []
    for (name, scene, recording), timeline in zip(shown, timelines):
        movie = make_movie(scene, recording, landscape(scene, recording=recording), timeline, windows)
        panels.append(Panel(name, dataclasses.replace(movie, styles={k: styles[k] for k in recording.paths})))
    return Grid(title=title, subtitle=subtitle, panels=tuple(panels), timeline=clock,
                by_fraction=len({r.epochs for r in recordings}) > 1)


def one_camera(shown: Sequence[tuple[str, Scene, Recording]], timelines: Sequence[Timeline]) -> np.ndarray | None:
    """Panels over the same window look through one camera (each zooms as its scene says, and the
    camera holds every panel's heads): a small step must look small beside a large one."""
    scenes = [scene for _, scene, _ in shown]
    if any(s.is_network for s in scenes) or any(s.window != scenes[0].window for s in scenes):   # planes differ
        return None
    full = (*scenes[0].window[0], *scenes[0].window[1])
    return camera.shared([camera.windows([(p.a, p.b) for p in recording.paths.values()], timeline.steps,
                                         timeline.fps, full, scene.zoom)
                          for (_, scene, recording), timeline in zip(shown, timelines)], full)


def sweep_stage(scene: Scene, scenes: Mapping[Any, Scene], recordings: Mapping[Any, Recording],
                clock_of: Callable[[Scene, Recording], Timeline]) -> Movie | Grid:
    """A sweep as one panel with a run per value (one optimizer whose values share the landscape, the
    start and the steps: its colour from dark to light), else as one panel per value."""
    labels = sweep_labels(scene)
    common, _ = compare_titles(list(scenes.values()))
    title = scene.title or scene.name
    first = next(iter(scenes.values()))
    merged = merge_runs({labels[v]: r for v, r in recordings.items()}) if len(scene.runs) == 1 else None
    if merged is not None and not first.is_network and _same_picture(list(scenes.values())):
        movie = make_movie(first, merged, landscape(first), clock_of(first, merged))
        ramp = np.linspace(*SHADES, len(merged.paths))
        styles = {key: dataclasses.replace(look, colour=style.shade(look.colour, amount))
                  for (key, look), amount in zip(movie.styles.items(), ramp)}
        run = next(iter(next(iter(recordings.values())).paths.values()))
        return dataclasses.replace(movie, title=title, subtitle=f"{run.label} · {common}", styles=styles)
    return make_grid(title, common, [(labels[v], scenes[v], recordings[v]) for v in scenes], clock_of)


def _same_picture(scenes: Sequence[Scene]) -> bool:
    """One contour and one start marker serve every scene: the same start and the same landscape."""
    first = landscape(scenes[0])
    return all(tuple(s.init) == tuple(scenes[0].init) for s in scenes) and all(
        np.array_equal(first.a, other.a) and np.array_equal(first.b, other.b)
        and np.array_equal(first.loss, other.loss, equal_nan=True) for other in map(landscape, scenes[1:]))


def compose_grid(view: str, grid: Grid, quality: Quality) -> tuple[Figure, list[View]]:
    """A 16:9 figure: the panels of one view in a grid, the shared table readout on the right."""
    if view not in VIEWS:
        raise OptanimError(f"views: {view!r} is not drawn in a grid (each panel is one view); "
                           f"allowed: {', '.join(VIEWS)}")
    kind = VIEWS[view]
    why = next((kind.why_not(p.movie.kind) for p in grid.panels if kind.why_not(p.movie.kind)), "")
    if why:
        raise OptanimError(f"views: {view!r} {why} (a panel's scene)")
    fig = figure(quality)
    rows, cols = grid_shape(len(grid.panels))
    heading, tags = column_tags([p.title for p in grid.panels])
    cell_pt = (AREA[2] - AREA[0]) / cols * fig.get_figwidth() * 72 - 2 * FONT   # a gap to the next title
    names = [wrap(name, cell_pt) for name in lettered([p.title for p in grid.panels], tags)]
    # Room for the longest title: every panel gets it, so that the panels line up.
    top = MARGIN_TOP + max(name.count("\n") for name in names) * 1.2 * FONT / 72 / fig.get_figheight()
    with mpl.rc_context({"font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
                         "xtick.labelsize": FONT, "ytick.labelsize": FONT}):
        titles(fig, grid.title, f"{kind.title_of(grid.panels[0].movie.recording.has_data)}  |  {grid.subtitle}",
               FONT)
        views: list[View] = []
        for i, (panel, name) in enumerate(zip(grid.panels, names)):
            row, col = divmod(i, cols)
            rect = _cell(row, col, rows, cols, kind.three_d, top)
            ax = fig.add_axes(rect, projection="3d" if kind.three_d else None)
            views.append(kind(ax, panel.movie, font_size=FONT))
            if kind.three_d:  # its box sits inside the axes: the title goes at the cell's corner
                ax.set_zlabel("")  # it would run into the next panel, and the figure's title says loss
                fig.text(rect[0] + 0.01, rect[1] + rect[3] + 0.01, name, fontsize=FONT, weight="bold", va="bottom")
            else:
                ax.set_title(name, loc="left", fontsize=FONT, weight="bold")
                # small multiples: axis names on the outer panels only
                if row < rows - 1 and i + cols < len(grid.panels):
                    ax.set_xlabel("")
                if col > 0:
                    ax.set_ylabel("")
        if view in SHARED_Y:
            low = min(v.ax.get_ylim()[0] for v in views)
            high = max(v.ax.get_ylim()[1] for v in views)
            for v in views:
                v.ax.set_ylim(low, high)
        views.append(TableReadoutView(fig.add_axes(READOUT), [p.movie for p in grid.panels], heading, tags,
                                      grid.by_fraction, font_size=FONT))
    return fig, views


def wrap(title: str, width_pt: float) -> str:
    """The title in lines no wider than width_pt at the grid's bold font, broken between its parts."""
    prop = FontProperties(size=FONT, weight="bold")
    lines: list[str] = []
    for part in title.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and TextToPath().get_text_width_height_descent(joined, prop, ismath=False)[0] <= width_pt:
            lines[-1] = joined
        else:
            lines.append(part)
    return "\n".join(lines)


def _cell(row: int, col: int, rows: int, cols: int, three_d: bool, margin_top: float) -> list[float]:
    left, bottom, right, top = AREA
    width, height = (right - left) / cols, (top - bottom) / rows
    x, y = left + col * width, top - (row + 1) * height
    if three_d:  # its box leaves margins of its own, but its tick labels reach out of it
        inset = 0.1 * height
        return [x, y + inset, width - 2 * MARGIN_RIGHT, height - margin_top - inset]
    return [x + MARGIN_LEFT, y + MARGIN_BOTTOM, width - MARGIN_LEFT - MARGIN_RIGHT,
            height - MARGIN_BOTTOM - margin_top]
