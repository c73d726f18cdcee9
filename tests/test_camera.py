"""The camera that follows the optimizers: every head in view at every frame, and a zoom only where
the paths use a small part of the window."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optanim
from optanim.draw import camera
from optanim.stage.animator import Animator
from optanim.stage.layout import compose
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie

from helpers import tiny_scene

FULL = (-3.0, 10.0, -3.0, 10.0)
FPS = 15


def _holds(window: np.ndarray, a: float, b: float) -> bool:
    return window[0] <= a <= window[1] and window[2] <= b <= window[3]


def _walks(seed: int, n_runs: int, n_steps: int, spread: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random walks from one start, each step up to `spread` of the window."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(-2, 9, size=2)
    walks = []
    for _ in range(n_runs):
        steps = rng.normal(0, spread * 13 / np.sqrt(n_steps), size=(n_steps, 2))
        path = np.clip(start + np.cumsum(steps, axis=0), -3, 10)
        walks.append((path[:, 0], path[:, 1]))
    return walks


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_runs=st.integers(1, 6), n_steps=st.integers(2, 400),
       spread=st.floats(0.005, 0.6), n_frames=st.integers(2, 120))
def test_every_head_is_in_view_at_every_frame(seed, n_runs, n_steps, spread, n_frames):
    paths = _walks(seed, n_runs, n_steps, spread)
    steps = np.linspace(0, n_steps - 1, n_frames)
    windows = camera.windows(paths, steps, FPS, FULL)
    assert windows.shape == (n_frames, 4)
    for f, step in enumerate(steps):
        for a, b in paths:
            for s in {int(np.floor(step)), int(np.ceil(step))}:   # a head between two steps, too
                assert _holds(windows[f], a[s], b[s]), (f, s)
    # inside the whole window, and as wide as tall in its units: shapes keep their proportions
    assert (windows[:, [0, 2]] >= -3 - 1e-9).all() and (windows[:, [1, 3]] <= 10 + 1e-9).all()
    np.testing.assert_allclose(windows[:, 1] - windows[:, 0], windows[:, 3] - windows[:, 2], rtol=1e-9)


def _converging(n_runs: int, n_steps: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Paths from one start to nearby ends, as optimizers go: fast at first, then settling."""
    t = np.exp(-np.arange(n_steps) / (n_steps / 6))[:, None]
    ends = np.array([2.0, 4.5]) + np.random.default_rng(0).normal(0, 0.4, size=(n_runs, 2))
    return [tuple((end + (np.array([2.0, 4.5]) - end) * t).T) for end in ends]


def test_a_small_cluster_zooms_in_smoothly_after_showing_the_whole_window():
    paths = _converging(n_runs=4, n_steps=300)
    steps = np.linspace(0, 299, 150)
    windows = camera.windows(paths, steps, FPS, FULL)
    side = windows[:, 1] - windows[:, 0]
    assert (windows[:FPS] == FULL).all()                 # the intro: where in the landscape we are
    assert side[-1] < 0.5 * 13                          # then close in
    # no jumps: a frame's edges move by a small share of the window at most
    assert np.abs(np.diff(windows, axis=0)).max() < 0.1 * 13
    # and then holds still: a camera that drifts makes the ticks crawl (and redraws the panel)
    moving = np.any(np.diff(windows, axis=0) != 0, axis=1)
    assert moving.mean() < 0.4


def test_zoom_off_keeps_the_whole_window_and_a_fixed_window_stays():
    paths = _walks(seed=1, n_runs=3, n_steps=100, spread=0.02)
    steps = np.arange(100)
    assert (camera.windows(paths, steps, FPS, FULL, "off") == FULL).all()
    fixed = (0.0, 4.0, 1.0, 5.0)
    assert (camera.windows(paths, steps, FPS, FULL, fixed) == fixed).all()


def test_paths_that_fill_the_window_do_not_zoom():
    a = np.linspace(-2.5, 9.5, 200)
    paths = [(a, a), (a[::-1], a)]           # a box of 12 x 12 of a 13 x 13 window
    assert (camera.windows(paths, np.arange(200), FPS, FULL) == FULL).all()


def test_empty_and_diverged_paths_do_not_break_the_camera():
    short = (np.array([2.0, 2.1]), np.array([4.5, 4.4]))      # diverged after two steps
    empty = (np.array([]), np.array([]))
    windows = camera.windows([short, empty], np.arange(60), FPS, FULL)
    assert all(_holds(w, 2.1, 4.4) for w in windows)


def test_settle_skips_moves_under_the_tolerance_only():
    windows = np.array([FULL, (-3.0, 10.0001, -3.0, 10.0), (-2.0, 9.0, -2.0, 9.0)])
    held = camera.settle(windows, 1e-3)
    assert (held[1] == held[0]).all() and (held[2] == windows[2]).all()


@pytest.mark.parametrize("zoom", ["in", (0, 1, 0), (1.0, 0.0, 0.0, 1.0), (-5.0, 1.0, 0.0, 1.0), ("a", 1, 2, 3)])
def test_a_bad_zoom_is_a_clear_error(zoom):
    with pytest.raises(OptanimError, match="^zoom: "):
        tiny_scene(zoom=zoom)


def _zooming(**changes):
    """A tiny scene whose two paths stay near the start: it zooms in after the first second."""
    scene = tiny_scene(duration=3.0, hold=0.4, lr=0.02, **changes)
    quality = QUALITIES["l"].with_fps(8)   # few frames: the camera's timing is in seconds
    return build_movie(scene, optanim.record(scene), quality), quality


@pytest.fixture(scope="module")
def zooming():
    return _zooming()


def test_the_contour_and_the_surface_show_every_head_at_every_frame(zooming):
    movie, quality = zooming
    assert movie.detail is not None                      # it zooms: the landscape again, finer
    full = movie.windows[0]
    assert (movie.windows[-1, 1] - movie.windows[-1, 0]) < 0.5 * (full[1] - full[0])
    for view in ("contour", "surface"):
        fig, panels = compose(view, movie, quality)
        animator = Animator(fig, panels)
        ax = panels[0].ax
        for frame in range(movie.timeline.n_frames):
            animator.frame(frame)
            window = (*ax.get_xlim(), *ax.get_ylim())
            for key, path in movie.recording.paths.items():
                s = movie.step(key, frame)
                assert _holds(window, path.a[s], path.b[s]), (view, frame, key)


def test_a_frame_after_the_camera_moves_is_the_frame_drawn_afresh(zooming):
    """The Animator redraws what a camera move makes stale: the same pixels as a fresh figure."""
    movie, quality = zooming
    fig, panels = compose("contour", movie, quality)
    animator = Animator(fig, panels)
    frames = [animator.frame(f).copy() for f in range(movie.timeline.n_frames)]
    moved = [f for f in range(1, len(frames)) if not np.array_equal(panels[0].windows[f], panels[0].windows[f - 1])]
    assert moved
    for frame in (moved[len(moved) // 2], moved[-1]):   # (trails grown piecewise differ at their joins)
        fresh_fig, fresh_panels = compose("contour", movie, quality)
        fresh = Animator(fresh_fig, fresh_panels).frame(frame)
        assert np.abs(fresh.astype(int) - frames[frame].astype(int)).max() <= 1, frame


def test_zoom_off_keeps_the_whole_window_in_the_views():
    movie, quality = _zooming(zoom="off")
    assert movie.detail is None
    fig, panels = compose("contour", movie, quality)
    animator = Animator(fig, panels)
    for frame in (0, movie.timeline.n_frames - 1):
        animator.frame(frame)
        assert (*panels[0].ax.get_xlim(), *panels[0].ax.get_ylim()) == (-3.0, 10.0, -3.0, 10.0)


def test_panels_side_by_side_look_through_one_camera_that_holds_every_head():
    """A small step must look small beside a large one: the panels of a grid share their windows."""
    from optanim.stage.grid import make_grid
    from optanim.render import clock_of

    quality = QUALITIES["l"].with_fps(8)
    scenes = [tiny_scene(name=f"lr{lr}", lr=lr, duration=3.0, hold=0.4) for lr in (0.002, 0.03)]
    grid = make_grid("t", "", [(s.name, s, optanim.record(s)) for s in scenes], lambda s, r: clock_of(s, r, quality))
    first, second = (panel.movie for panel in grid.panels)
    assert np.array_equal(first.windows, second.windows)
    assert (first.windows[-1, 1] - first.windows[-1, 0]) < 13     # they do zoom in
    for movie in (first, second):
        for frame in range(movie.timeline.n_frames):
            for key, path in movie.recording.paths.items():
                s = movie.step(key, frame)
                assert _holds(movie.windows[frame], path.a[s], path.b[s])
