"""Pace the video by what moves: frames go where the optimizers' heads travel on screen.

Positions are in window units (a / (a_max - a_min), b / (b_max - b_min)), so one unit is the width
(or height) of the contour plot. Steps are fractional: where one step jumps far, its head travels
along the segment between the two recorded points over several frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ..data.recording import Trajectory

#: One pixel of the narrowest video (-ql, 854 wide), in window units: less than this is no movement.
PIXEL = 1 / 854

#: Share of the pacing that runs linearly with the step, so that the step counter keeps running
#: through quiet stretches (steps never pass faster than 1 / FLOOR times the average pace).
#: 0.15 puts, on scenes/exp1..5 at 150 frames, half of the movement at 44-48% of the frames,
#: 90% at 79-85%, and some head moving by a pixel in 83-87% of frame pairs (tests/test_pacing.py).
FLOOR = 0.15


@dataclass(frozen=True)
class Pacing:
    """How a clock spreads the movement over the frames.

    half, ninety: fraction of the frames (0 first, 1 last) at which the paths' summed length
    travelled reaches 50% / 90% of its total; NaN where nothing moves.
    moving_share: share of consecutive frame pairs in which some head moves by >= PIXEL.
    """

    half: float
    ninety: float
    moving_share: float


def _travelled(path: np.ndarray) -> np.ndarray:
    """Length of the path from its first point to each of its points."""
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])


def heads_at(path: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """(len(steps), columns) values of `path` (one row per step: a, b, loss...) at fractional steps,
    along the segments between recorded points.

    A path that ended early (diverged) stays at its last point; an empty one (diverged at step 0)
    has no head: NaN, which matplotlib leaves undrawn.
    """
    steps = np.asarray(steps, dtype=float)
    if len(path) == 0:
        return np.full((len(steps), path.shape[1]), np.nan)
    index = np.arange(len(path))
    return np.column_stack([np.interp(steps, index, column) for column in path.T])


def window_paths(paths: Iterable[Trajectory], a_window: Sequence[float],
                 b_window: Sequence[float]) -> list[np.ndarray]:
    """Each run's (a, b) path in window units: 1 is the width (height) of the contour plot."""
    (a0, a1), (b0, b1) = a_window, b_window
    return [np.column_stack([(path.a - a0) / (a1 - a0), (path.b - b0) / (b1 - b0)]) for path in paths]


def motion_steps(paths: Sequence[np.ndarray], n_steps: int, n_frames: int) -> np.ndarray:
    """Frame f -> fractional step in [0, n_steps - 1], spending frames where the heads move.

    Each step is weighed by how far it moves the picture: the length of its segments combined over
    the paths as sqrt(sum of squares), i.e. the distance travelled by all heads together. That
    weighs the fastest head most, so frames go where some head visibly moves rather than where
    six heads each creep a sub-pixel (a plain sum of lengths left too many frames still on
    scenes/exp3). The cumulative weight, blended with a linear floor (FLOOR), is inverted at evenly
    spaced frames. Non-decreasing; first 0, last exactly n_steps - 1; linear if nothing visibly moves.
    Every path must have at most n_steps points.
    """
    if n_steps < 1 or n_frames < 2:
        raise ValueError(f"need n_steps >= 1 and n_frames >= 2, got {n_steps}, {n_frames}")
    lengths = np.zeros((len(paths), n_steps - 1))
    for k, path in enumerate(paths):
        lengths[k, :max(len(path) - 1, 0)] = np.diff(_travelled(path))
    moved = np.concatenate([[0.0], np.cumsum(np.sqrt((lengths ** 2).sum(axis=0)))])
    if moved[-1] < PIXEL:
        return np.linspace(0.0, n_steps - 1, n_frames)
    target = (1 - FLOOR) * moved / moved[-1] + FLOOR * np.linspace(0.0, 1.0, n_steps)
    target /= target[-1]  # exactly 1 at the end, so the last frame lands on the last step
    return np.interp(np.linspace(0.0, 1.0, n_frames), target, np.arange(n_steps, dtype=float))


def pacing_report(paths: Sequence[np.ndarray], steps: np.ndarray) -> Pacing:
    """Measure a clock (frame -> fractional step) against the paths it shows, in window units."""
    steps = np.asarray(steps, dtype=float)
    moving = [path for path in paths if len(path) >= 2]
    if not moving or len(steps) < 2:
        return Pacing(half=float("nan"), ninety=float("nan"), moving_share=0.0)
    travelled = sum(np.interp(steps, np.arange(len(path)), _travelled(path)) for path in moving)
    frames = np.linspace(0.0, 1.0, len(steps))
    jumps = np.max([np.linalg.norm(np.diff(heads_at(path, steps), axis=0), axis=1) for path in moving],
                   axis=0)
    share = float(np.mean(jumps >= PIXEL))
    if travelled[-1] == 0:
        return Pacing(half=float("nan"), ninety=float("nan"), moving_share=share)
    reached = [float(frames[np.argmax(travelled >= q * travelled[-1])]) for q in (0.5, 0.9)]
    return Pacing(half=reached[0], ninety=reached[1], moving_share=share)


def speed(steps: np.ndarray, n_steps: int, window: int = 5) -> np.ndarray:
    """Per frame, how many times faster than the video's average pace the steps pass (40.0: "x40").

    The pace at frame f is the steps passed per frame, averaged over the `window` frames around f
    so that a label does not flicker; the average pace is (n_steps - 1) / (n_frames - 1). Below 1
    the video runs slower than average (a big move is being drawn out). All ones where no step
    passes at all (n_steps 1, or a single frame).
    """
    steps = np.asarray(steps, dtype=float)
    if n_steps < 2 or len(steps) < 2:
        return np.ones(len(steps))
    per_frame = np.gradient(steps)
    padded = np.pad(per_frame, (window // 2, (window - 1) // 2), mode="edge")
    smoothed = np.convolve(padded, np.ones(window) / window, mode="valid")
    return smoothed / ((n_steps - 1) / (len(steps) - 1))


def marked(pace: np.ndarray, on: float, off: float) -> np.ndarray:
    """Per frame, whether to mark the pace as fast: from `on` times the average pace until it falls
    below `off` (a pace hovering at one threshold would make the mark blink)."""
    shown = np.zeros(len(pace), dtype=bool)
    fast = False
    for frame, value in enumerate(pace):
        fast = value >= (off if fast else on)
        shown[frame] = fast
    return shown
