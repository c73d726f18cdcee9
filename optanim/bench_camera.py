"""The benchmark's camera row: what a contour frame costs while the camera moves, against one while it
stands still, in the same render (frames of both kinds come in turns, so a busy moment slows both)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .benchkit import Row, verdict


def camera_frames(scene_file: Path, quality_key: str, seconds: float) -> Row:
    """Milliseconds a frame of the contour view, split by whether its window moved since the last one."""
    from .render import build_movie, get_recording
    from .scenefile import load_scene
    from .spec.quality import QUALITIES
    from .stage.animator import Animator
    from .stage.layout import compose

    scene = replace(load_scene(scene_file), duration=seconds, hold=0.0)
    quality = QUALITIES[quality_key]
    movie = build_movie(scene, get_recording(scene, None), quality)
    animator = Animator(*compose("contour", movie, quality))
    windows = np.asarray(animator.views[0].windows)
    moved = np.r_[False, (windows[1:] != windows[:-1]).any(axis=1)]
    took = np.empty(len(windows))
    for index in range(len(windows)):
        start = time.perf_counter()
        animator.frame(index)
        took[index] = time.perf_counter() - start
    took = took[1:] * 1e3   # the first frame draws the whole figure
    moving, still = took[moved[1:]], took[~moved[1:]]
    name = f"16 contour frame {quality.width}x{quality.height} while the camera moves ({len(moving)} frames) " \
           f"vs still ({len(still)})"
    if not len(moving) or not len(still):   # a clip too short for the camera to both move and rest
        return Row(name, "-", "-", "-", "<= 1.3x", "-")
    ratio = np.median(moving) / np.median(still)
    return Row(name, f"{np.median(moving):.1f} ms", f"{np.median(still):.1f} ms", f"{ratio:.2f}x", "<= 1.3x",
               verdict(ratio <= 1.3))
