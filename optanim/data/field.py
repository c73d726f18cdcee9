"""Many starts at once, as plain arrays: where each start of each optimizer is at the steps the video
shows, and which end (minimum, divergence, still on its way) each start reaches: its basin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Labels of a start that is at no end: still on its way, or diverged.
MOVING, DIVERGED = -1, -2
#: A start is at an end when it is within this share of the window's diagonal of it.
REACH = 0.02
#: A point many starts settle at becomes an end of its own when this share of them (of any optimizer) is there.
SETTLED_SHARE = 0.02
#: Ends shown at most: known minima first, then the points most starts settle at.
MAX_ENDS = 6


@dataclass(frozen=True)
class Field:
    """a[key][k, i], b[key][k, i]: start i of run `key` before step steps[k]; full_loss[key][k, i]: the
    loss over everything there. A start that diverged at step diverged_at[key][i] (-1: never) stays at
    its last good position from then on (at its start, if it diverged at step 0)."""

    starts: np.ndarray                  # (N, 2) float32: where each start begins
    steps: np.ndarray                   # (K,) increasing: which step each kept row is; the last step last
    a: dict[str, np.ndarray]            # key -> (K, N)
    b: dict[str, np.ndarray]
    full_loss: dict[str, np.ndarray]
    diverged_at: dict[str, np.ndarray]  # key -> (N,) ints
    labels: dict[str, str]              # key -> what a lecturer reads
    optimizers: dict[str, str]          # key -> the torch.optim registry name (colour follows it)
    minima: tuple[tuple[float, float], ...]   # the known minima, global ones first
    answers: int                        # how many of them are global: what "at minimum" counts
    a_range: tuple[float, float]
    b_range: tuple[float, float]
    n_steps: int
    steps_per_epoch: int
    grid: tuple[int, int] | None = None  # (na, nb) where the starts are a grid, row by row in b

    @property
    def n_starts(self) -> int:
        return len(self.starts)

    def row(self, step: float) -> int:
        """The kept row a frame at `step` (fractional allowed) shows: the last kept step at or before it."""
        return max(0, int(np.searchsorted(self.steps, np.floor(step), side="right")) - 1)

    def alive(self, key: str, row: int) -> np.ndarray:
        """(N,) bool: the starts of run `key` that have not diverged by kept row `row`."""
        at = self.diverged_at[key]
        return (at < 0) | (at > self.steps[row])

    def diverged_by(self, key: str) -> np.ndarray:
        """(K, N) bool: whether start i has diverged by kept step k."""
        at = self.diverged_at[key]
        return (at[None, :] >= 0) & (at[None, :] <= self.steps[:, None])


def kept_steps(frame_steps: np.ndarray, n_steps: int) -> np.ndarray:
    """The steps a field keeps for a video whose frames show `frame_steps`: each whole step shown, and
    the last (memory then grows with the frames, not the steps)."""
    shown = np.clip(np.floor(np.asarray(frame_steps, dtype=float)).astype(int), 0, n_steps - 1)
    return np.union1d(shown, [n_steps - 1])


def reach(field: Field) -> float:
    """How near an end a start must be to be at it, in parameter units."""
    return REACH * float(np.hypot(np.diff(field.a_range)[0], np.diff(field.b_range)[0]))


@dataclass(frozen=True)
class Basins:
    """Where each start is headed. ends[c] is an end: the known minima come first (`known` of them, the
    `answers` global ones first), then points where many starts settle; labels[key][k, i] is start i's
    end at kept row k (an index into ends), MOVING where it is at none, DIVERGED once it has diverged."""

    ends: np.ndarray                    # (C, 2)
    known: int
    answers: int
    labels: dict[str, np.ndarray]       # key -> (K, N) int8

    def reached(self, key: str) -> np.ndarray:
        """(K,) share of the starts that have been at a global minimum by each kept row."""
        at_minimum = (self.labels[key] >= 0) & (self.labels[key] < self.answers)
        return np.logical_or.accumulate(at_minimum, axis=0).mean(axis=1)

    def diverged(self, key: str) -> np.ndarray:
        """(K,) share of the starts that have diverged by each kept row."""
        return (self.labels[key] == DIVERGED).mean(axis=1)


def basins(field: Field, near: float | None = None) -> Basins:
    """Label every start at every kept row by the end it is at (within `near`, default: reach(field)).

    The ends are the known minima and the points where at least SETTLED_SHARE of the last positions
    (all optimizers together, so that one end has one colour in every panel) crowd within `near`."""
    near = reach(field) if near is None else near
    ends = [np.asarray(m, dtype=float) for m in field.minima[:MAX_ENDS]]
    last = np.concatenate([np.stack([field.a[k][-1], field.b[k][-1]], axis=1)[field.diverged_at[k] < 0]
                           for k in field.a])
    ends += _crowds(last, ends, near, MAX_ENDS - len(ends))
    ends_array = np.array(ends, dtype=float).reshape(-1, 2)
    labels = {}
    for key in field.a:
        a, b = field.a[key].astype(float), field.b[key].astype(float)
        label = np.full(a.shape, MOVING, dtype=np.int8)
        nearest = np.full(a.shape, near ** 2)
        for c, (ea, eb) in enumerate(ends_array):
            d2 = (a - ea) ** 2 + (b - eb) ** 2
            closer = d2 <= nearest
            label[closer], nearest[closer] = c, d2[closer]
        label[field.diverged_by(key)] = DIVERGED
        labels[key] = label
    known = min(len(field.minima), MAX_ENDS)
    return Basins(ends=ends_array, known=known, answers=min(field.answers, known), labels=labels)


def _crowds(points: np.ndarray, taken: list[np.ndarray], near: float, most: int) -> list[np.ndarray]:
    """Up to `most` points (other than `taken`) where at least SETTLED_SHARE of `points` lie within `near`:
    the densest cell of a near-sized grid first, centred on the median of the points around it."""
    floor = SETTLED_SHARE * len(points)
    free = np.ones(len(points), dtype=bool)
    for end in taken:
        free &= np.hypot(*(points - end).T) > near
    found: list[np.ndarray] = []
    while len(found) < most and free.sum() >= max(floor, 1):
        rest = points[free]
        cells, counts = np.unique(np.floor(rest / near).astype(np.int64), axis=0, return_counts=True)
        if counts.max() < floor:
            break
        centre = (cells[counts.argmax()] + 0.5) * near
        around = np.hypot(*(rest - centre).T) <= near
        centre = np.median(rest[around], axis=0)
        found.append(centre)
        free[np.flatnonzero(free)[around]] = False   # always progress, whatever the median's neighbours
        free &= np.hypot(*(points - centre).T) > near
    return found
