"""Many starts at once: what a scene's `starts` field may be, and the points it names.

starts=(na, nb) is a regular grid over the window (cell centres, so each start stands for an equal
share of it), starts=N is N uniform random starts drawn from the scene's seed, and a sequence of
(a, b) pairs names the starts one by one.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..errors import OptanimError
from .optimizers import ELEMENTWISE
from .runs import Run

#: Starts per optimizer at most: the recording keeps starts × frames positions for every optimizer.
MAX_STARTS = 100_000

_FORMS = "(na, nb) for a grid, N for random starts, or a list of (a, b) pairs"


def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(value)


def check_starts(starts: Any, runs: Sequence[Run]) -> None:
    """Raise OptanimError naming `starts` (or `optimizers`) if these starts cannot be run by the runs."""
    if starts is None:
        return
    count = start_count(starts)
    if count < 1 or (_is_grid(starts) and min(starts) < 1):
        raise OptanimError(f"starts: needs at least one start; give {_FORMS}, got {starts!r}")
    if count > MAX_STARTS:
        raise OptanimError(f"starts: at most {MAX_STARTS:,} starts (memory grows with starts × frames), "
                           f"got {count:,}")
    for run in runs:
        if run.optimizer == "lbfgs":
            raise OptanimError(f"optimizers: {run.key}: L-BFGS's line search and history couple the rows of its "
                               "parameter, so starts would not run independently; drop it or drop starts")
        if run.cls is None and run.optimizer not in ELEMENTWISE:  # a class is checked by running it
            raise OptanimError(f"optimizers: {run.key} mixes the elements of its parameter tensor (its "
                               f"update looks at the whole tensor), so starts would not run independently; "
                               f"with starts, allowed: {', '.join(sorted(ELEMENTWISE))}")


def start_count(starts: Any) -> int:
    """How many starts the field names."""
    if _is_grid(starts):
        return int(starts[0]) * int(starts[1])
    return int(starts) if _whole(starts) else len(_explicit(starts))


def _is_grid(starts: Any) -> bool:
    return isinstance(starts, tuple) and len(starts) == 2 and all(_whole(n) for n in starts)


def _explicit(starts: Any) -> np.ndarray:
    """An explicit sequence of (a, b) pairs as an (N, 2) array, or a clear error."""
    if isinstance(starts, (str, bytes)) or not hasattr(starts, "__len__"):
        raise OptanimError(f"starts: give {_FORMS}, got {starts!r}")
    pairs = list(starts)
    if not all(hasattr(p, "__len__") and len(p) == 2 and all(_number(v) for v in p) for p in pairs):
        raise OptanimError(f"starts: a list of starts must hold (a, b) pairs of finite numbers; "
                           f"or give {_FORMS}")
    return np.asarray(pairs, dtype=np.float64).reshape(-1, 2)


def start_points(starts: Any, a_range: tuple[float, float], b_range: tuple[float, float],
                 seed: int) -> np.ndarray:
    """A scene's starts as an (N, 2) float32 array (the values the parameters start at): a grid over
    the window a_range × b_range, random ones from `seed`, or the pairs given."""
    (a0, a1), (b0, b1) = a_range, b_range
    if _is_grid(starts):
        na, nb = starts
        a = a0 + (np.arange(na) + 0.5) * (a1 - a0) / na
        b = b0 + (np.arange(nb) + 0.5) * (b1 - b0) / nb
        grid_a, grid_b = np.meshgrid(a, b)   # row j, column i: as the landscape lays out its grid
        points = np.stack([grid_a.ravel(), grid_b.ravel()], axis=1)
    elif _whole(starts):
        rng = np.random.default_rng(seed)
        points = rng.uniform((a0, b0), (a1, b1), size=(int(starts), 2))
    else:
        points = _explicit(starts)
    return points.astype(np.float32)


def grid_shape(starts: Any) -> tuple[int, int] | None:
    """(na, nb) where the starts are a grid (a basin map is then an image of it); None otherwise."""
    return (int(starts[0]), int(starts[1])) if _is_grid(starts) else None
