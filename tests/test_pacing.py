"""Pacing by motion: synthetic paths with known movement, then the real scenes against the targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optanim
from optanim.draw.pacing import FLOOR, PIXEL, heads_at, motion_steps, pacing_report, speed
from optanim.draw.timeline import timeline

SCENES = Path(__file__).resolve().parent.parent / "scenes"
FPS = 15                                   # -ql


def meets_targets(report) -> bool:
    """The issue's targets: half the movement at 30-70% of frames, 90% not before 65%, 75% moving."""
    return 0.3 <= report.half <= 0.7 and report.ninety >= 0.65 and report.moving_share >= 0.75


def decelerating(n_steps: int, moving: int, start, end) -> np.ndarray:
    """A path that slows down as it goes (as under a decaying lr), then stops after `moving` steps."""
    u = 1 - (1 - np.minimum(np.arange(n_steps) / moving, 1.0)) ** 3
    return np.asarray(start) + u[:, None] * (np.asarray(end) - np.asarray(start))


def test_movement_in_the_first_steps_is_spread_over_the_video():
    n_steps, n_frames = 2600, 150
    paths = [decelerating(n_steps, n_steps // 20, (0.5, 0.6), (0.2, 0.3)),
             decelerating(n_steps, n_steps // 40, (0.5, 0.6), (0.4, 0.1))]
    steps = motion_steps(paths, n_steps, n_frames)
    assert meets_targets(pacing_report(paths, steps))
    assert not meets_targets(pacing_report(paths, np.linspace(0, n_steps - 1, n_frames)))


def test_constant_speed_is_linear():
    n_steps, n_frames = 500, 150
    path = np.column_stack([np.linspace(0.1, 0.9, n_steps), np.full(n_steps, 0.5)])
    steps = motion_steps([path], n_steps, n_frames)
    np.testing.assert_allclose(steps, np.linspace(0, n_steps - 1, n_frames), atol=1e-6)
    report = pacing_report([path], steps)
    assert report.half == pytest.approx(0.5, abs=0.01) and report.ninety == pytest.approx(0.9, abs=0.01)
    assert report.moving_share == 1.0


@pytest.mark.parametrize("paths", [
    [np.zeros((0, 2)), np.zeros((0, 2))],                         # every optimizer diverged at step 0
    [np.full((1, 2), 0.5), np.full((1, 2), 0.3)],                  # paths of one point
    [np.full((300, 2), 0.5)],                                      # a path that never moves
    [np.column_stack([np.linspace(0.5, 0.5 + PIXEL / 2, 300), np.full(300, 0.5)])],  # less than a pixel
])
def test_nothing_moves_is_linear(paths):
    steps = motion_steps(paths, 300, 150)
    np.testing.assert_array_equal(steps, np.linspace(0, 299, 150))


@settings(max_examples=50, deadline=None)
@given(n_steps=st.integers(1, 400), n_frames=st.integers(2, 300), seed=st.integers(0, 2 ** 32 - 1),
       n_paths=st.integers(0, 4))
def test_monotone_with_exact_endpoints(n_steps, n_frames, seed, n_paths):
    rng = np.random.default_rng(seed)
    paths = [np.cumsum(rng.normal(scale=rng.choice([1e-6, 1e-3, 0.3]),
                                  size=(rng.integers(0, n_steps + 1), 2)), axis=0) for _ in range(n_paths)]
    steps = motion_steps(paths, n_steps, n_frames)
    assert steps.shape == (n_frames,)
    assert np.all(np.diff(steps) >= 0)
    assert steps[0] == 0 and steps[-1] == n_steps - 1


def test_a_diverged_path_stays_at_its_last_point():
    n_steps, n_frames = 400, 150
    full = decelerating(n_steps, 200, (0.2, 0.2), (0.6, 0.5))
    short = decelerating(40, 40, (0.2, 0.2), (0.9, 0.9))         # left the window at step 40
    empty = np.zeros((0, 2))                                      # diverged at step 0
    steps = motion_steps([full, short, empty], n_steps, n_frames)
    assert np.all(np.diff(steps) >= 0) and steps[-1] == n_steps - 1
    heads = heads_at(short, steps)
    after = steps >= len(short) - 1
    assert after.any()
    np.testing.assert_array_equal(heads[after], np.broadcast_to(short[-1], (after.sum(), 2)))
    assert np.isnan(heads_at(empty, steps)).all()
    assert meets_targets(pacing_report([full, short, empty], steps))


def test_a_huge_jump_is_travelled_over_several_frames():
    n_steps, n_frames, jump = 300, 150, 100
    x = 0.1 + 1e-4 * np.arange(n_steps)
    x[jump + 1:] += 0.6
    path = np.column_stack([x, np.full(n_steps, 0.5)])
    steps = motion_steps([path], n_steps, n_frames)
    inside = (steps > jump) & (steps < jump + 1)
    assert inside.sum() >= 5
    heads = heads_at(path, steps[inside])
    assert np.all((heads[:, 0] > x[jump]) & (heads[:, 0] < x[jump + 1]))
    assert np.all(np.diff(heads[:, 0]) > PIXEL)                  # the head visibly travels each frame
    assert np.median(speed(steps, n_steps)[inside]) < 1          # drawn out: slower than average


def test_heads_at_interpolates_along_segments():
    path = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_allclose(heads_at(path, np.array([0.0, 0.5, 1.0, 1.25, 2.0, 7.0])),
                               [[0, 0], [0.5, 1], [1, 2], [1.5, 2], [3, 2], [3, 2]])


def test_speed_is_relative_to_the_average_pace():
    np.testing.assert_allclose(speed(np.linspace(0, 999, 150), 1000), 1.0)
    n_steps, n_frames = 2600, 150
    path = decelerating(n_steps, n_steps // 20, (0.5, 0.6), (0.2, 0.3))
    pace = speed(motion_steps([path], n_steps, n_frames), n_steps)
    assert pace[0] < 1 < pace[-1] <= 1 / FLOOR + 1e-9            # slow while it moves, fast when quiet
    # a single frame that skips far is spread over its neighbours rather than flashing once
    burst = np.concatenate([np.arange(10.0), 100 + np.arange(10.0)])
    assert speed(burst, 110, window=5).max() < (100 - 9) / (109 / 19)


def window_paths(scene: optanim.Scene, recording: optanim.Recording) -> list[np.ndarray]:
    (a0, a1), (b0, b1) = scene.window
    return [np.column_stack([(p.a - a0) / (a1 - a0), (p.b - b0) / (b1 - b0)])
            for p in recording.paths.values()]


@pytest.fixture(scope="module", params=[f"exp{i}" for i in range(1, 6)])
def real_scene(request):
    scene = optanim.load_scene(SCENES / f"{request.param}.py")
    recording = optanim.record(scene)
    return request.param, scene, recording.n_steps, window_paths(scene, recording)


def test_real_scenes_meet_the_targets(real_scene):
    name, scene, n_steps, paths = real_scene
    n_frames = round(scene.duration * FPS)
    motion = pacing_report(paths, motion_steps(paths, n_steps, n_frames))
    quadratic = pacing_report(paths, timeline(n_steps, scene.duration, 0.0, FPS, "quadratic").steps)
    print(f"\n{name}: motion half {motion.half:.3f} ninety {motion.ninety:.3f}"
          f" moving {motion.moving_share:.3f} | quadratic half {quadratic.half:.3f}"
          f" ninety {quadratic.ninety:.3f} moving {quadratic.moving_share:.3f}")
    assert meets_targets(motion)
