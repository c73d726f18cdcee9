"""Several recordings of one problem as one: a sweep of a single optimizer drawn in one panel."""

from __future__ import annotations

import dataclasses
from typing import Mapping

import numpy as np

from .recording import Recording

_SHARED = ("epochs", "steps_per_epoch", "minima", "batch_size")
_SHARED_ARRAYS = ("x", "y", "order")


def merge_runs(recordings: Mapping[str, Recording]) -> Recording | None:
    """One recording holding every run of each, renamed "<label>" (one run each) or "<label> <run>";
    None where they do not share their steps and data (then one clock or one fit cannot show them)."""
    first, *others = recordings.values()
    for other in others:
        if any(getattr(other, name) != getattr(first, name) for name in _SHARED) or \
                any(not _same(getattr(other, name), getattr(first, name)) for name in _SHARED_ARRAYS):
            return None
    paths = {}
    for label, recording in recordings.items():
        for path in recording.paths.values():
            key = label if len(recording.paths) == 1 else f"{label} {path.label}"
            paths[key] = dataclasses.replace(path, key=key, label=key)
    return dataclasses.replace(first, paths=paths)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
