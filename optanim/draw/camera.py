"""Where the 2D views and the surface look, frame by frame: a camera that follows the optimizers.

A scene whose paths use a small corner of the (a, b) window zooms in on them, so that a student can
tell the heads apart. Like a camera operator, it holds a shot and reframes only when a head would
leave it or the heads have gathered in a part of it: a camera that drifts all the time makes the
ticks crawl and costs a redraw every frame. The whole video is known before the first frame is
drawn, so each shot is chosen to hold what the next HOLD_S seconds need, and the cuts between shots
become smooth moves: a running min/max over FOLLOW_S seconds (the camera opens before a head
arrives), then a blur no wider than that. A blurred edge is an average of edges that each hold the
frame's heads, so every head stays in view at every frame.

The last frame is the slide: over the last EASE_S seconds of the motion the camera eases back out
to a window that holds every path whole (every run from its start to its end), and it rests there
from the frame on which the heads reach their last step, through the hold. The ease blends the
following camera into that window; each holds every head, so the blend does too. Pure numpy:
views turn these into limits.
"""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np

#: (a_min, a_max, b_min, b_max)
Window = tuple[float, float, float, float]
#: A scene's `zoom`: "auto", "off", or a fixed window.
Zoom = Union[str, Sequence[float]]

#: "auto" zooms in only if the box of every path's every step covers less than this share of the window.
AUTO_AREA = 0.25
#: Seconds the film opens on the whole window, so that a student sees where the paths are.
INTRO_S = 1.0
#: Seconds of trail kept in view behind each head: where it came from, not only where it is.
TRAIL_S = 1.5
#: Seconds the camera looks ahead and back (the widening), and the blur (two box passes of half this).
FOLLOW_S = 0.6
#: Seconds a shot holds at least: it is framed on what the heads need over that time.
HOLD_S = 2.0
#: Reframe when the heads would fit in this share of the shot's side: it has become too loose.
TIGHTEN = 0.5
#: Room around the heads: a share of the box's size, and at least this share of the whole window.
MARGIN, MIN_MARGIN = 0.15, 0.03
#: Seconds over which the camera eases out to every path whole, ending as the heads reach their last step.
EASE_S = 1.5
#: The ease takes at most this share of the frames after the intro (a short video still zooms in).
EASE_SHARE = 0.4
#: A camera zoomed in this many times or more sees the landscape computed again over its region.
DETAIL = 3.0
#: The camera never shows less than this share of the window's side (converged heads are one point).
MIN_SIDE = 0.12


def whole(a: np.ndarray, b: np.ndarray) -> Window:
    """The landscape's window, from its grid."""
    return float(a[0]), float(a[-1]), float(b[0]), float(b[-1])


def windows(paths: Sequence[tuple[np.ndarray, np.ndarray]], steps: np.ndarray, fps: float,
            window: Window, zoom: Zoom = "auto") -> np.ndarray:
    """(n_frames, 4): the (a_min, a_max, b_min, b_max) each frame shows.

    paths: each run's (a, b) per step (a diverged run's may be shorter, or empty); steps: the step
    each frame shows (a fraction: between two steps)."""
    n = len(steps)
    if not isinstance(zoom, str):
        return np.tile(np.asarray(zoom, dtype=float), (n, 1))
    full = np.asarray(window, dtype=float)
    paths = [(np.asarray(a, float), np.asarray(b, float)) for a, b in paths if len(a)]
    if zoom == "off" or not paths or not small(paths, full):
        return np.tile(full, (n, 1))
    steps = np.asarray(steps, dtype=float)
    boxes = _boxes(paths, steps, fps, full)
    intro = max(1, round(INTRO_S * fps))
    shots = _shots(_room(boxes, 1.0, full), _room(boxes, 0.5, full), intro, max(1, round(HOLD_S * fps)), full)
    reach = max(1, round(FOLLOW_S * fps))
    low, high = _running(shots[:, [0, 2]], reach, np.min), _running(shots[:, [1, 3]], reach, np.max)
    half = reach // 2  # two passes of half-width `half`: the blur reaches at most `reach` frames
    low, high = _blur(_blur(low, half), half), _blur(_blur(high, half), half)
    # The blur's sums leave float noise on a held shot: hold it exactly, so that views see it still.
    followed = settle(_fit(np.column_stack([low[:, 0], high[:, 0], low[:, 1], high[:, 1]]), full), 1e-9)
    return _ease_out(followed, whole_paths(paths, full), int(np.argmax(steps >= steps[-1])), intro,
                     max(1, round(EASE_S * fps)), full)


def whole_paths(paths: Sequence[tuple[np.ndarray, np.ndarray]], full: np.ndarray) -> np.ndarray:
    """The box of every path whole, start to end (the whole window where no point is finite)."""
    a = np.clip(np.concatenate([p[0] for p in paths]), full[0], full[1])
    b = np.clip(np.concatenate([p[1] for p in paths]), full[2], full[3])
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if not len(a) or not len(b):
        return full
    return np.array([a.min(), a.max(), b.min(), b.max()])


def _ease_out(followed: np.ndarray, story: np.ndarray, rest: int, intro: int, ease: int,
              full: np.ndarray) -> np.ndarray:
    """The followed windows blended, over the `ease` frames before `rest`, into the window the camera
    rests on from `rest` on: the one it has where that already holds `story` with half the room
    (no needless move), else `story` with its room, in the window's proportions. Smoothstep, so the camera neither jerks into the move
    nor out of it. A motion no longer than the intro has no time to zoom in and out: it keeps the
    whole window."""
    windows = followed.copy()
    if rest <= intro:
        windows[:] = followed[0]
        return windows
    start = max(rest - ease, rest - round(EASE_SHARE * (rest - intro)))
    held = followed[start]
    end = held if inside(_room(story[None], 0.5, full)[0], tuple(held)) else _fit(_room(story[None], 1.0, full), full)[0]
    u = (np.arange(start, rest) - start + 1) / (rest - start + 1)
    share = (u * u * (3 - 2 * u))[:, None]
    windows[start:rest] = followed[start:rest] + share * (end - followed[start:rest])   # exact where they agree
    windows[rest:] = end
    return windows


def small(paths: Sequence[tuple[np.ndarray, np.ndarray]], full: np.ndarray) -> bool:
    """Do all the paths, every step, lie in a box under AUTO_AREA of the window?"""
    a = np.clip(np.concatenate([p[0] for p in paths]), full[0], full[1])
    b = np.clip(np.concatenate([p[1] for p in paths]), full[2], full[3])
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if not len(a) or not len(b):
        return False
    area = (a.max() - a.min()) * (b.max() - b.min())
    return bool(area < AUTO_AREA * (full[1] - full[0]) * (full[3] - full[2]))


def _boxes(paths, steps: np.ndarray, fps: float, full: np.ndarray) -> np.ndarray:
    """Per frame, the box of every head and its last TRAIL_S seconds of trail."""
    n = len(steps)
    trail = max(1, round(TRAIL_S * fps))
    boxes = np.empty((n, 4))
    for f in range(n):
        first, last = int(np.floor(steps[max(0, f - trail)])), int(np.ceil(steps[f]))
        a = np.concatenate([pa[min(first, len(pa) - 1):min(last, len(pa) - 1) + 1] for pa, _ in paths])
        b = np.concatenate([pb[min(first, len(pb) - 1):min(last, len(pb) - 1) + 1] for _, pb in paths])
        a = np.clip(a[np.isfinite(a)], full[0], full[1])
        b = np.clip(b[np.isfinite(b)], full[2], full[3])
        boxes[f] = (a.min(), a.max(), b.min(), b.max()) if len(a) and len(b) else full
    return boxes


def _room(boxes: np.ndarray, share: float, full: np.ndarray) -> np.ndarray:
    """The boxes with `share` of the room around them (MARGIN, MIN_MARGIN, MIN_SIDE)."""
    side = np.array([full[1] - full[0], full[3] - full[2]])
    centre = (boxes[:, [0, 2]] + boxes[:, [1, 3]]) / 2
    size = boxes[:, [1, 3]] - boxes[:, [0, 2]]
    half = np.maximum(size * (0.5 + share * MARGIN) + share * MIN_MARGIN * side, share * MIN_SIDE * side / 2)
    return np.column_stack([centre[:, 0] - half[:, 0], centre[:, 0] + half[:, 0],
                            centre[:, 1] - half[:, 1], centre[:, 1] + half[:, 1]])


def _shots(need: np.ndarray, must: np.ndarray, intro: int, hold: int, full: np.ndarray) -> np.ndarray:
    """Per frame, the shot: the whole window for the intro, then boxes each framed on what the next
    `hold` frames need, reframed when the heads come closer to an edge than `must` allows (half the
    room: slack, so that a slow creep does not reframe every few frames) or fill under TIGHTEN of it."""
    side = np.array([full[1] - full[0], full[3] - full[2]])
    scale = lambda box: np.max((box[[1, 3]] - box[[0, 2]]) / side)  # noqa: E731 (share of the window)
    shots, shot, until = np.empty_like(need), full, intro
    for f, (box, core) in enumerate(zip(need, must)):
        inside = core[0] >= shot[0] and core[1] <= shot[1] and core[2] >= shot[2] and core[3] <= shot[3]
        if f >= until and (not inside or scale(box) < TIGHTEN * scale(shot)):
            later = need[f:f + hold]
            shot = np.array([later[:, 0].min(), later[:, 1].max(), later[:, 2].min(), later[:, 3].max()])
            until = f + hold
        shots[f] = shot
    return shots


def _running(values: np.ndarray, reach: int, reduce) -> np.ndarray:
    """The min (or max) over the frames within `reach` of each frame, column by column."""
    padded = np.pad(values, ((reach, reach), (0, 0)), mode="edge")
    return reduce(np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1, axis=0), axis=-1)


def _blur(values: np.ndarray, half: int) -> np.ndarray:
    """A moving average over 2 * half + 1 frames, the ends held."""
    if half < 1:
        return values
    padded = np.pad(values, ((half, half), (0, 0)), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0).mean(axis=-1)


def _fit(boxes: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Each box widened to the window's aspect (shapes keep their proportions as the camera zooms),
    then slid (not shrunk) back inside the window."""
    side = np.array([full[1] - full[0], full[3] - full[2]])
    centre = (boxes[:, [0, 2]] + boxes[:, [1, 3]]) / 2
    size = boxes[:, [1, 3]] - boxes[:, [0, 2]]
    scale = np.minimum(np.max(size / side, axis=1), 1.0)[:, None]   # the share of the window shown
    size = scale * side
    low = np.clip(centre - size / 2, full[[0, 2]], full[[1, 3]] - size)
    return np.column_stack([low[:, 0], low[:, 0] + size[:, 0], low[:, 1], low[:, 1] + size[:, 1]])


def settle(windows: np.ndarray, tolerance: float) -> np.ndarray:
    """The windows held still until one strays more than `tolerance` of the window's size from the
    one held (half a pixel, say): a camera move costs a redraw of the panel, a sub-pixel one for nothing."""
    held = windows.copy()
    for f in range(1, len(held)):
        size = held[f - 1, [1, 1, 3, 3]] - held[f - 1, [0, 0, 2, 2]]
        if np.all(np.abs(windows[f] - held[f - 1]) <= tolerance * size):
            held[f] = held[f - 1]
    return held


def region(windows: np.ndarray, window: Window) -> Window | None:
    """The box of every window zoomed in DETAIL times or more, where the landscape is worth
    computing again, finer (None where the camera never comes that close)."""
    full = np.asarray(window, dtype=float)
    side = np.array([full[1] - full[0], full[3] - full[2]])
    scale = np.max((windows[:, [1, 3]] - windows[:, [0, 2]]) / side, axis=1)
    close = windows[scale <= 1 / DETAIL]
    if not len(close):
        return None
    return float(close[:, 0].min()), float(close[:, 1].max()), float(close[:, 2].min()), float(close[:, 3].max())


def inside(window: np.ndarray, box: Window | None) -> bool:
    """Does the window lie within the box?"""
    return box is not None and box[0] <= window[0] and window[1] <= box[1] and box[2] <= window[2] \
        and window[3] <= box[3]


def shared(each: Sequence[np.ndarray], window: Window) -> np.ndarray:
    """One camera for panels side by side, so that their sizes compare: at each frame the box of
    every panel's window (each holds its heads), widened to the aspect and slid inside the window."""
    stack = np.stack(each)
    union = np.column_stack([stack[:, :, 0].min(axis=0), stack[:, :, 1].max(axis=0),
                             stack[:, :, 2].min(axis=0), stack[:, :, 3].max(axis=0)])
    return settle(_fit(union, np.asarray(window, dtype=float)), 1e-9)
