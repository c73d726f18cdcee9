"""Pacing by motion: synthetic paths with known movement, then the real scenes against the targets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import optanim
from optanim.stage.animator import Animator
from optanim.stage.layout import compose
from optanim.draw.pacing import FLOOR, PIXEL, heads_at, marked, motion_steps, pacing_report, speed, window_paths
from optanim.draw.timeline import CURVES, MOTION, timeline
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie, clock_of
from optanim.spec.scene import EASINGS
from optanim.views.readout import FAST_OFF, FAST_ON

from helpers import tiny_scene

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


def timeline_of(scene, recording):
    return clock_of(scene, recording, QUALITIES["l"])


@pytest.fixture(scope="module", params=[f"exp{i}" for i in range(1, 6)])
def real_scene(request):
    scene = optanim.load_scene(SCENES / f"{request.param}.py")
    return request.param, scene, optanim.record(scene)


def test_real_scenes_meet_the_targets_through_frame_steps(real_scene):
    """The issue's targets, at -ql, on the clock the videos use: the scenes set no easing of their own."""
    name, scene, recording = real_scene
    assert scene.easing == "motion"
    steps = optanim.frame_steps(scene, recording, quality="l")
    motion, held = round(scene.duration * FPS), round(scene.hold * FPS)
    assert len(steps) == motion + held and np.all(steps[motion:] == recording.n_steps - 1)
    paths = window_paths(recording.paths.values(), *scene.window)
    report = pacing_report(paths, steps[:motion])
    quadratic = pacing_report(paths, timeline(recording.n_steps, scene.duration, 0.0, FPS, "quadratic").steps)
    print(f"\n{name}: motion half {report.half:.3f} ninety {report.ninety:.3f}"
          f" moving {report.moving_share:.3f} | quadratic half {quadratic.half:.3f}"
          f" ninety {quadratic.ninety:.3f} moving {quadratic.moving_share:.3f}")
    assert meets_targets(report)
    assert not np.array_equal(steps, np.round(steps))       # some heads travel between two steps
    fast = marked(timeline_of(scene, recording).pace[:motion], FAST_ON, FAST_OFF)
    assert np.count_nonzero(np.diff(fast.astype(int))) <= 1  # the mark comes on once, and stays


def test_frame_steps_follow_the_scene_and_the_quality():
    scene = tiny_scene(easing="linear", duration=2.0, hold=0.0)
    recording = optanim.record(scene)
    np.testing.assert_array_equal(optanim.frame_steps(scene, recording, "l"),
                                  np.rint(np.linspace(0, recording.n_steps - 1, 30)))
    assert len(optanim.frame_steps(scene, recording, "m")) == 60
    with pytest.raises(optanim.OptanimError, match="quality: unknown quality 'x'"):
        optanim.frame_steps(scene, recording, "x")


def test_every_easing_the_scene_allows_has_a_clock():
    assert set(EASINGS) == {MOTION, *CURVES}
    paths = [decelerating(300, 30, (0.2, 0.2), (0.7, 0.6))]
    for easing in EASINGS:
        clock = timeline(300, 2.0, 0.5, FPS, easing, paths)
        assert clock.n_frames == 30 + 8 and clock.steps[0] == 0 and np.all(clock.steps[29:] == 299)
        assert np.all(np.diff(clock.steps) >= 0) and np.all(clock.turn[29:] == 1)
        assert np.all(clock.pace[30:] == 0)                   # the hold: no step passes


def test_motion_with_nothing_moving_is_the_linear_clock():
    still = [np.full((300, 2), 0.5)]
    np.testing.assert_array_equal(timeline(300, 2.0, 0.0, FPS, MOTION, still).steps,
                                  np.linspace(0, 299, 30))
    np.testing.assert_allclose(timeline(300, 2.0, 0.0, FPS, MOTION, still).pace, 1.0)


def test_pace_marks_only_where_the_video_runs_fast():
    """Linear: the average pace throughout, never marked; motion: slow while heads travel, fast after."""
    linear = timeline(1000, 4.0, 0.0, FPS, "linear")
    assert not marked(linear.pace, FAST_ON, FAST_OFF).any()
    clock = timeline(2600, 10.0, 0.0, FPS, MOTION, [decelerating(2600, 130, (0.5, 0.6), (0.2, 0.3))])
    fast = marked(clock.pace, FAST_ON, FAST_OFF)
    assert clock.pace[0] < 1 and fast[-1] and not fast[0]
    assert fast[np.argmax(fast):].all()                       # once fast, it stays fast here


def test_a_pace_hovering_at_the_threshold_does_not_blink():
    pace = np.array([1.0, 1.6, 1.4, 1.6, 1.3, 1.1, 1.4, 1.6])
    np.testing.assert_array_equal(marked(pace, 1.5, 1.2), [0, 1, 1, 1, 1, 0, 0, 1])


def test_heads_and_fits_sit_between_recorded_steps():
    """A head drawn at a fractional step lies on the segment between the two recorded points; the
    trail and the counter stop at the last step reached."""
    scene = tiny_scene()
    recording = optanim.record(scene)
    movie = build_movie(scene, recording, QUALITIES["l"])
    frame = next(f for f, s in enumerate(movie.timeline.steps) if 0.2 < s % 1 < 0.8)
    s = movie.timeline.steps[frame]
    path = recording.paths["sgd"]
    i, t = int(s), s % 1
    a, b = movie.head("sgd", frame, path.a, path.b)[:, 0]
    assert a == pytest.approx(path.a[i] + t * (path.a[i + 1] - path.a[i]))
    assert b == pytest.approx(path.b[i] + t * (path.b[i + 1] - path.b[i]))
    assert movie.step("sgd", frame) == i and movie.timeline.whole(frame) == i
    x = np.linspace(recording.x.min(), recording.x.max(), len(movie.fit_x))
    expected = scene.model(torch.as_tensor(x, dtype=torch.float32), torch.tensor(float(a)),
                           torch.tensor(float(b))).numpy()
    np.testing.assert_allclose(movie.fits["sgd"][frame], expected, rtol=1e-4, atol=1e-5)
    fig, (contour, readout) = compose("contour", movie, QUALITIES["l"])
    Animator(fig, [contour, readout]).frame(frame)
    np.testing.assert_allclose(np.ravel(contour.heads["sgd"].get_data()), [a, b])
    assert contour.lines["sgd"].get_xdata()[-1] == path.a[i]  # the trail: whole steps only
    assert readout.step.get_text().startswith(f"step {i}/")


def test_a_path_that_diverged_at_step_0_has_no_head():
    scene = tiny_scene()
    recording = optanim.record(scene)
    empty = dataclasses.replace(recording.paths["sgd"], a=np.zeros(0), b=np.zeros(0), loss=np.zeros(0),
                                full_loss=np.zeros(0), lr=np.zeros(0), diverged_at=0)
    movie = build_movie(scene, dataclasses.replace(recording, paths={**recording.paths, "sgd": empty}),
                        QUALITIES["l"])
    assert np.isnan(movie.head("sgd", 5, empty.a, empty.b)).all()
    assert movie.head("sgd", 5, empty.a, empty.b).shape == (2, 1)
