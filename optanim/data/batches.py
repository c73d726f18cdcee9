"""What a mini-batch optimizer sees: each step's mini-batch loss over the (a, b) grid.

The loss of every sample at every grid point is computed once (a table, samples × points); a batch's
landscape is then the mean of its samples' rows, a few microseconds a step where evaluating the model
again would cost a pass over the grid per step.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterator, Sequence

import numpy as np
import torch

from ..errors import OptanimError
from ..spec.datafit import DataFit
from ..spec.scene import Scene
from .landscape import Landscape, landscape
from .recording import Recording

#: The most samples × points a table may hold (64 MB of float32); beyond it (a large data set on a
#: fine grid) each batch is evaluated on its own, in chunks: slower, but memory stays bounded.
TABLE_ELEMENTS = 1 << 24


@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread meanwhile. A table is a few dozen small element-wise passes, and on a busy
    machine torch's thread pool waits for its threads at each: 0.13 s on one thread against 1.4 s on
    two, on the shared 2-core machine; an idle machine takes a few milliseconds either way."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _grid(a: np.ndarray, b: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """The points of the (a, b) grid as numpy.meshgrid lays them out, flat, as float32 tensors."""
    grid_a, grid_b = np.meshgrid(a, b)
    return (torch.as_tensor(grid_a.ravel(), dtype=torch.float32),
            torch.as_tensor(grid_b.ravel(), dtype=torch.float32))


def direct_batch_loss(problem: DataFit, index: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(b), len(a)): the criterion on the samples `index` at each grid point, evaluated afresh."""
    rows = torch.as_tensor(np.asarray(index, dtype=np.int64))
    batch = replace(problem, x=problem.x[rows], y=problem.y[rows])
    return batch.full_loss(*_grid(a, b)).numpy().reshape(len(b), len(a))


@dataclass(frozen=True, eq=False)
class BatchLosses:
    """Any mini-batch's loss on one (a, b) grid. The table is computed on first use: a movie carries
    one for each of its landscapes, and only the batch view asks."""

    problem: DataFit
    a: np.ndarray
    b: np.ndarray

    @cached_property
    def table(self) -> np.ndarray | None:
        """(samples, points): each sample's squared error at each grid point; None past TABLE_ELEMENTS."""
        if len(self.problem.x) * len(self.a) * len(self.b) > TABLE_ELEMENTS:
            return None
        with one_thread():
            return self.problem.sample_losses(*_grid(self.a, self.b)).cpu().numpy()

    def loss(self, index: np.ndarray) -> np.ndarray:
        """(len(b), len(a)): the loss of the batch of samples `index` at each grid point."""
        if self.table is None:
            return direct_batch_loss(self.problem, index, self.a, self.b)
        return self.table[np.asarray(index)].mean(axis=0).reshape(len(self.b), len(self.a))


def batch_losses(scene: Scene, lands: Sequence[Landscape | None]) -> tuple[BatchLosses | None, ...]:
    """One BatchLosses per landscape of a two-parameter data scene (None for a missing one); () for others."""
    if scene.kind != "data":
        return ()
    problem = DataFit.from_scene(scene)
    return tuple(None if land is None else BatchLosses(problem, land.a, land.b) for land in lands)


def batch_minimum(loss: np.ndarray, a: np.ndarray, b: np.ndarray,
                  window: Sequence[float]) -> tuple[float, float] | None:
    """The grid point in the window (a_min, a_max, b_min, b_max) where the loss is least: where the
    batch pulls the runs in view (its landscape has valleys elsewhere too: the model is even in a).
    None where that point is on the window's edge (the minimum lies beyond it) or no loss is finite."""
    columns = np.flatnonzero((a >= window[0]) & (a <= window[1]))
    rows = np.flatnonzero((b >= window[2]) & (b <= window[3]))
    if len(columns) < 3 or len(rows) < 3:
        return None
    part = loss[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    finite = np.where(np.isfinite(part), part, np.inf)
    j, i = np.unravel_index(int(np.argmin(finite)), part.shape)
    if not np.isfinite(finite[j, i]) or i in (0, part.shape[1] - 1) or j in (0, part.shape[0] - 1):
        return None
    return float(a[columns[i]]), float(b[rows[j]])


def batches_of(scene: Scene) -> Recording:
    """The scene's batches without training: every run sees these (a recording of the scene has the same)."""
    problem = DataFit.from_scene(scene)
    return Recording(epochs=problem.epochs, steps_per_epoch=problem.steps_per_epoch, **problem.arrays())


def batch_landscape(scene: Scene, step: int, recording: Recording | None = None) -> Landscape:
    """The loss over the mini-batch of `step` on the scene's grid: the criterion on recording.batch(step)
    at each point, with the full landscape's levels. Without a recording, the scene's own batches
    (drawn from its seed, as a recording's are), and nothing is trained."""
    if scene.sweep:
        raise OptanimError("batch_landscape: a sweep has batches per value; pass one of its scenes "
                           "(optanim.spec.sweep.sweep_scenes(scene))")
    if scene.kind == "loss":
        raise OptanimError("batch_landscape: this scene minimises a loss function: it has no mini-batches")
    if scene.kind != "data":
        raise OptanimError("batch_landscape: a network scene's batches lie on its plane, which this does not "
                           "draw yet; it takes a scene of two parameters fitted to data")
    source = batches_of(scene) if recording is None else recording
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < source.n_steps:
        raise OptanimError(f"step: must be a whole number from 0 to {source.n_steps - 1} "
                           f"(the recording's steps), got {step!r}")
    full = landscape(scene)
    loss = direct_batch_loss(DataFit.from_scene(scene), source.batch(int(step)), full.a, full.b)
    return replace(full, loss=loss)
