"""The last frame is the slide: the camera rests on every path whole before the hold, the hold is
that one frame throughout, and no contour label covers where a head ends or a minimum."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb

import optanim
from optanim.draw import style
from optanim.render import build_movie
from optanim.spec.quality import QUALITIES
from optanim.stage.animator import Animator
from optanim.stage.layout import compose

from helpers import pixel_of, tiny_scene

QUALITY = QUALITIES["l"].with_fps(8)   # few frames: the camera's timing is in seconds


@pytest.fixture(scope="module")
def zoomed():
    """A bowl whose paths use a small part of the window: the camera zooms in on the heads, which
    end far from the start (a camera that stays on them would cut the start off)."""
    scene = optanim.Scene(name="bowl", loss=lambda a, b: (a - 1) ** 2 + 5 * (b - 0.5) ** 2, init=(0.0, 0.0),
                          steps=200, lr=0.02, optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.05}},
                          duration=5.0, hold=1.0)
    return build_movie(scene, optanim.record(scene), QUALITY)


def _frames(movie, view: str, indices):
    fig, panels = compose(view, movie, QUALITY)
    animator = Animator(fig, panels)
    return panels, [animator.frame(f)[..., :3].copy() for f in indices]


def test_the_camera_zooms_in_then_rests_on_every_path_whole_before_the_hold(zoomed):
    windows, steps = zoomed.windows, zoomed.timeline.steps
    side = windows[:, 1] - windows[:, 0]
    assert side.min() < 0.5 * side[0]                       # it does zoom in on the heads
    rest = int(np.argmax(steps >= steps[-1]))               # the heads' last step: the hold begins
    assert rest < zoomed.timeline.n_frames - 1
    assert (windows[rest:] == windows[-1]).all()
    last = windows[-1]
    for path in zoomed.recording.paths.values():            # start to end, every step
        assert (last[0] <= path.a).all() and (path.a <= last[1]).all()
        assert (last[2] <= path.b).all() and (path.b <= last[3]).all()


@pytest.mark.parametrize("view", ["contour", "dashboard", "state"])
def test_every_frame_of_the_hold_is_the_last(zoomed, view):
    n = zoomed.timeline.n_frames
    held = round(1.0 * QUALITY.fps)
    _, frames = _frames(zoomed, view, range(n - held, n))
    for f, pixels in enumerate(frames[:-1]):
        assert np.array_equal(pixels, frames[-1]), f"{view}: hold frame {f} differs from the last"


def _near(pixels: np.ndarray, row: int, column: int, colour: str, reach: int) -> bool:
    """Is `colour` (within a few levels) among the pixels within `reach` of (row, column)?"""
    patch = pixels[max(row - reach, 0):row + reach + 1, max(column - reach, 0):column + reach + 1].astype(int)
    return bool((np.abs(patch - np.round(np.array(to_rgb(colour)) * 255)).max(axis=-1) <= 6).any())


def test_the_last_frame_shows_every_path_start_to_end(zoomed):
    n = zoomed.timeline.n_frames
    (panel, *_), (last,) = _frames(zoomed, "contour", [n - 1])
    ax = panel.ax
    height = last.shape[0]
    a0, a1, b0, b1 = (*ax.get_xlim(), *ax.get_ylim())
    start = zoomed.init
    assert a0 <= start[0] <= a1 and b0 <= start[1] <= b1
    # The start marker (a ring) is drawn where the start is, and nowhere near is a head's colour lost.
    radius = int(np.ceil(style.FONT_SIZE * ax.figure.dpi / 72))
    assert _near(last, *pixel_of(ax, *start, height), style.START_COLOUR, radius)
    assert not _near(last, *pixel_of(ax, a0 + 0.5 * (a1 - a0), b0 - 0.3 * (b1 - b0), height),
                     style.START_COLOUR, 1)   # (the check can fail: below the axes there is none)
    for key, path in zoomed.recording.paths.items():
        colour = zoomed.styles[key].colour
        assert _near(last, *pixel_of(ax, path.a[-1], path.b[-1], height), colour, radius), key


@pytest.mark.parametrize("changes", [dict(lr=0.05, epochs=4, duration=2.0),
                                     dict(loss="himmelblau", init=(1.0, 4.4), steps=120, lr=0.01,
                                          optimizers=["sgd", "adam"], epochs=None, duration=2.0)])
def test_no_contour_label_covers_a_head_where_it_ends_or_a_minimum(changes):
    changes = {k: v for k, v in changes.items() if v is not None}
    scene = tiny_scene(**changes) if "loss" not in changes else optanim.Scene(name="tiny", hold=0.4, **changes)
    movie = build_movie(scene, optanim.record(scene), QUALITY)
    n = movie.timeline.n_frames
    (panel, *_), _ = _frames(movie, "contour", [n - 1])
    ax = panel.ax
    reach = style.FONT_SIZE * 1.3 * ax.figure.dpi / 72 / 2          # half a marker, in pixels
    marks = [(p.a[-1], p.b[-1]) for p in movie.recording.paths.values() if len(p.a)] + list(movie.minima)
    labels = [t for layer in panel.layers for t in layer[1] if t.get_visible()]
    assert labels                                                  # (there are labels to test)
    for text in labels:
        box = text.get_window_extent()
        for x, y in ax.transData.transform(np.array(marks, dtype=float)):
            assert not box.overlaps(box.from_bounds(x - reach, y - reach, 2 * reach, 2 * reach)), text.get_text()
