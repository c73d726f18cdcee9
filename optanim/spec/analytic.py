"""A loss function of (a, b) minimised directly: a classic optimizer test function, or the user's own.

No data and no epochs: every step is one full-batch step on the function itself, so the problem has
`steps` epochs of one step each (the scheduler steps once per step).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import torch

from .checks import source_of
from .datafit import StepLoss
from .functions import contour_levels
from .loss import LossFn, function_of

if TYPE_CHECKING:
    from .scene import Scene


def gradient_noise(seed: int, steps: int, sigma: float) -> torch.Tensor:
    """Each step's (a, b) gradient noise, (steps, 2), drawn on the CPU from the seed: every run gets the same."""
    return torch.randn(steps, 2, generator=torch.Generator().manual_seed(seed)) * sigma


def _probe(fn: LossFn) -> list[float]:
    """The function's values at fixed points: closures and constants that source text hides."""
    with torch.no_grad():
        return [float(v) for v in fn(torch.tensor([-1.3, 0.5, 3.1, 0.0]), torch.tensor([0.7, 2.5, -2.2, 0.0]))]


@dataclass(frozen=True)
class Analytic:
    """Minimise fn(a, b) itself, one full step at a time, with optional seeded gradient noise."""

    fn: LossFn
    steps: int
    noise: torch.Tensor | None        # (steps, 2) added to every run's gradient; None: none
    minima: tuple[tuple[float, float], ...]
    level_scale: str | None           # the built-in's contour scale; None: judged from the grid
    bounded_below: bool | None        # the built-in's; None: judged from the grid
    identity: Any                     # a built-in's name, or a callable's source and probe values

    @classmethod
    def from_scene(cls, scene: Scene) -> Analytic:
        known = function_of(scene.loss)
        noise = gradient_noise(scene.seed, scene.n_epochs, scene.grad_noise) if scene.grad_noise else None
        if known is None:
            return cls(fn=scene.loss, steps=scene.n_epochs, noise=noise, minima=(), level_scale=None,
                       bounded_below=None, identity=[source_of(scene.loss), _probe(scene.loss)])
        # Global minima first: the one a view singles out is the answer.
        ordered = sorted(known.minima, key=lambda m: not m.is_global)
        return cls(fn=known.fn, steps=scene.n_epochs, noise=noise, minima=tuple((m.a, m.b) for m in ordered),
                   level_scale=known.level_scale, bounded_below=known.bounded_below, identity=known.name)

    @property
    def epochs(self) -> int:
        return self.steps

    @property
    def steps_per_epoch(self) -> int:
        return 1

    def to(self, device: torch.device) -> Analytic:
        return replace(self, noise=None if self.noise is None else self.noise.to(device))

    def epoch_steps(self, epoch: int) -> Iterator[StepLoss]:
        """The one step of this "epoch": parameter rows (R, 2) to each row's loss (R,)."""
        noise = None if self.noise is None else self.noise[epoch]

        def step_loss(ab: torch.Tensor) -> torch.Tensor:
            loss = self.fn(ab[:, 0], ab[:, 1])
            if noise is None:
                return loss
            # Zero in value, `noise` in gradient: backward() adds exactly the noise to each row's
            # gradient, and the loss recorded is the function's own.
            return loss + ((ab - ab.detach()) * noise).sum(dim=1)

        yield step_loss

    def full_loss(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.fn(a, b)

    def arrays(self) -> dict[str, Any]:
        """No data, no batches: a Recording of this problem keeps only its paths."""
        return {}

    def fingerprint(self) -> dict[str, Any]:
        """All a recording depends on in the problem: the function, the length, the noise drawn."""
        noise = None if self.noise is None else hashlib.sha256(self.noise.cpu().numpy().tobytes()).hexdigest()
        return {"kind": "analytic", "loss": self.identity, "steps": self.steps, "noise": noise}

    def contour_levels(self, loss: np.ndarray) -> tuple[float, ...]:
        """Levels that suit the function: the catalogue's scale; for the user's own, log rings about a
        floor inside the window, even steps where it falls away past the edge."""
        scale = self.level_scale or ("log" if self._has_floor(loss) else "linear")
        return contour_levels(loss, scale)

    def floor(self, loss: np.ndarray) -> float | None:
        """Where a 3D surface is cut off below: at the 5th percentile for a function unbounded below, as
        the top is at the 95th; None (its lowest point) for one with a floor."""
        if self._has_floor(loss):
            return None
        finite = loss[np.isfinite(loss)]
        return float(np.quantile(finite, 0.05)) if finite.size else None

    def _has_floor(self, loss: np.ndarray) -> bool:
        """A built-in says; the user's own has one where its lowest grid point lies inside the window."""
        if self.bounded_below is not None:
            return self.bounded_below
        grid = np.where(np.isfinite(loss), loss, np.inf)
        row, col = np.unravel_index(np.argmin(grid), grid.shape)
        return bool(0 < row < grid.shape[0] - 1 and 0 < col < grid.shape[1] - 1 and np.isfinite(grid[row, col]))
