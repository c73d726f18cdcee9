"""The 3D view: the camera turns, and a path behind a hill is hidden."""

from __future__ import annotations

import numpy as np

import optanim
from optanim.draw import style
from optanim.stage.animator import Animator
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.stage.layout import compose
from optanim.draw.occlusion import HeightField

from helpers import tiny_scene


def hill() -> HeightField:
    a = np.linspace(-3, 10, 60)
    b = np.linspace(-3, 10, 60)
    A, B = np.meshgrid(a, b)
    return HeightField(a, b, 3.0 * np.exp(-((A - 3.5) ** 2 + (B - 3.5) ** 2) / 2.0))


def test_a_point_behind_a_hill_is_hidden_and_one_in_front_is_not():
    field = hill()
    # camera towards +a (azimuth 0), low: the hill at a=3.5 stands between a=0 and the camera
    behind = np.array([[0.0, 3.5, 0.01]])
    front = np.array([[7.0, 3.5, 0.01]])
    assert field.hidden(behind, elevation=10, azimuth=0)[0]
    assert not field.hidden(front, elevation=10, azimuth=0)[0]
    # from the other side it is the other way round
    assert not field.hidden(behind, elevation=10, azimuth=180)[0]
    assert field.hidden(front, elevation=10, azimuth=180)[0]
    # from straight above nothing hides
    assert not field.hidden(np.vstack([behind, front]), elevation=89, azimuth=0).any()


def _frames(scene):
    quality = QUALITIES["l"]
    recording = optanim.record(scene)
    movie = build_movie(scene, recording, quality)
    fig, views = compose("surface", movie, quality)
    return movie, views, Animator(fig, views)


def test_camera_turns_between_frames():
    movie, _, animator = _frames(tiny_scene())
    first = animator.frame(0).copy()
    second = animator.frame(3).copy()
    assert np.abs(first.astype(int) - second.astype(int)).mean() > 1.0


def _colour_pixels(frame: np.ndarray, key: str, ax) -> int:
    """Pixels of the optimizer's colour inside the 3D axes (the readout beside it has them too)."""
    x0, y0, x1, y1 = (int(v) for v in ax.bbox.extents)
    height = frame.shape[0]
    crop = frame[height - y1:height - y0, x0:x1, :3].astype(int)
    rgb = np.array([int(style.colour(key)[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(crop - rgb).sum(axis=2) < 30).sum())


def _chroma(frame: np.ndarray, ax) -> np.ndarray:
    """How coloured each pixel inside the 3D axes is (max - min of RGB): the Greys surface has none."""
    x0, y0, x1, y1 = (int(v) for v in ax.bbox.extents)
    height = frame.shape[0]
    crop = frame[height - y1:height - y0, x0:x1, :3].astype(int)
    return crop.max(axis=2) - crop.min(axis=2)


def test_path_behind_a_hill_shows_faintly_and_in_front_in_full_colour():
    a = np.linspace(-1, 1, 50)
    y = np.zeros_like(a)
    # A model whose loss has a tall ridge at a≈0 across all b; the path stays at a≈-0.6.
    scene = tiny_scene(
        model=lambda x, a, b: 3.0 * (1.0 - (a / 0.6) ** 2).clamp(min=0) + 0 * b + 0 * x,
        data=(a, y), true_params=None, init=(-0.9, 0.0), optimizers=["adam"], lr=1e-4,
        a_range=(-1.0, 1.0), b_range=(-1.0, 1.0), resolution=60, elevation=12, azimuth_turn=180,
        azimuth_start=0, surface_cmap="Greys", duration=1.0, hold=0.0, zoom="off")
    movie, views, animator = _frames(scene)
    # azimuth 0: camera on the +a side, ridge between it and the path: hidden
    hidden_frame = animator.frame(0).copy()
    # azimuth 180: camera on the -a side, nothing in front of the path: visible
    visible_frame = animator.frame(movie.timeline.n_frames - 1).copy()
    ax = views[0].ax
    assert _colour_pixels(visible_frame, "adam", ax) > 20
    assert _colour_pixels(hidden_frame, "adam", ax) == 0
    # behind the ridge the path goes on as an x-ray line: its colour, but faint
    full = int(np.ptp([int(style.colour("adam")[i:i + 2], 16) for i in (1, 3, 5)]))
    hidden_chroma, visible_chroma = _chroma(hidden_frame, ax), _chroma(visible_frame, ax)
    assert (hidden_chroma > 0.15 * full).sum() > 20
    assert hidden_chroma.max() < 0.6 * full
    assert visible_chroma.max() > 0.9 * full
