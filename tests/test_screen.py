"""What a lecturer sees on screen: the fit's curves stay in the plot, and the dashboard's text can be
read from the back of a lecture hall at 480p."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import optanim
from optanim.draw import style
from optanim.stage.layout import compose
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.views import DASHBOARD

from helpers import read_texts, text_clashes, tiny_scene

#: A student must read text whose font size is at least this share of the frame's height.
LEGIBLE = 1 / 40


@pytest.fixture(scope="module")
def dashboard():
    """The dashboard of a data scene at 480p, drawn once."""
    scene = tiny_scene(optimizers=["sgd", "sgdm", "adagrad", "rmsprop", "adam", "adamax"])
    quality = QUALITIES["l"]
    movie = build_movie(scene, optanim.record(scene), quality)
    fig, views = compose(DASHBOARD, movie, quality)
    for view in views:
        view.update(movie.timeline.n_frames // 2)
    FigureCanvasAgg(fig).draw()
    return movie, fig, views


def test_every_fit_curve_stays_inside_the_axes_at_every_frame(dashboard):
    movie, fig, views = dashboard
    fit = next(v for v in views if v.name == "fit")
    low, high = fit.ax.get_ylim()
    curves = np.stack(list(movie.fits.values()))      # run × frame × point
    assert np.isfinite(curves).any()
    assert low <= np.nanmin(curves) and np.nanmax(curves) <= high
    assert low <= movie.recording.y.min() and movie.recording.y.max() <= high
    # the model sin(b·cos(a·x)) spans [-1, 1] here, and so must the plot, more than the data does
    assert np.nanmin(curves) < movie.recording.y.min()


def test_every_text_a_student_reads_is_at_least_a_fortieth_of_the_frame_high(dashboard):
    """The measure: the font size in pixels (points × dpi / 72), its em, against the frame height.
    A tick label in mathtext (10⁻²) counts by its base size."""
    _, fig, _ = dashboard
    height = fig.canvas.get_width_height()[1]           # the frame's pixels: 480
    texts = read_texts(fig)
    assert len(texts) > 40                              # ticks, titles, readout: the check saw them
    small = [(t.get_text(), round(t.get_fontsize() * fig.dpi / 72, 1)) for t in texts
             if t.get_fontsize() * fig.dpi / 72 < LEGIBLE * height - 1e-6]
    assert not small, f"below {LEGIBLE * height:.1f} px: {small}"
    assert style.MIN_TEXT_PT * fig.dpi / 72 == pytest.approx(LEGIBLE * height, rel=0.01)


@pytest.mark.parametrize("turn", [0.0, 0.25, 0.5, 0.75])
def test_no_text_of_one_panel_runs_into_another(dashboard, turn):
    """At every quarter of the 3D view's turn (its tick labels swing around)."""
    movie, fig, views = dashboard
    frame = int(np.searchsorted(movie.timeline.turn, turn))
    for view in views:
        view.update(frame)
    fig.canvas.draw()
    clashes, outside = text_clashes(fig, views)
    assert not clashes
    assert not outside   # and nothing leaves the frame


def test_the_readout_values_start_clear_of_the_longest_label(dashboard):
    _, fig, views = dashboard
    readout = views[-1]
    renderer = fig.canvas.get_renderer()
    labels = [t for t in readout.ax.texts if t.get_text() in {p.label for p in readout.movie.recording.paths.values()}]
    assert len(labels) == 6
    right = max(t.get_window_extent(renderer).x1 for t in labels)
    left = min(v.get_window_extent(renderer).x0 for v in readout.values.values())
    assert left > right
