"""The problem a scene poses, as the recorder, the landscape and the cache ask for it.

A problem knows its steps (how many, grouped in epochs: the scheduler steps between epochs), the
loss each step trains on, the loss over everything (the landscape, the paths' full loss), and what
a recording depends on. A new kind of scene is a new problem class here, not a branch elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Protocol

import numpy as np
import torch

from .analytic import Analytic
from .datafit import DataFit, StepLoss
from .network import NetworkFit

if TYPE_CHECKING:
    from .scene import Scene


class Problem(Protocol):
    epochs: int
    steps_per_epoch: int
    minima: tuple[tuple[float, float], ...]

    def to(self, device: torch.device) -> Problem: ...
    def epoch_steps(self, epoch: int) -> Iterator[StepLoss]: ...
    def full_loss(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor: ...
    def arrays(self) -> dict[str, Any]: ...
    def fingerprint(self) -> dict[str, Any]: ...
    def contour_levels(self, loss: np.ndarray) -> tuple[float, ...]: ...
    def floor(self, loss: np.ndarray) -> float | None: ...


def problem_of(scene: Scene, plane: Any = None) -> Problem:
    """The scene's problem, built on the CPU (the recorder moves it to the scene's device); a network's
    on `plane` (its recording's), where its full loss is the landscape's."""
    if scene.is_network:
        problem = NetworkFit.from_scene(scene)
        return problem if plane is None else problem.on_plane(plane)
    if scene.loss is not None:
        return Analytic.from_scene(scene)
    return DataFit.from_scene(scene)
