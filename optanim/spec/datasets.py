"""The data a network scene learns from: built-in 2-D class problems, the notebook's regression samples,
or the user's own (X, y). Generated on the CPU from the scene's seed, so every machine sees the same data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from ..errors import OptanimError

#: Built-in data sets with classes; "notebook" is the regression one.
CLASS_DATA = ("moons", "circles", "spirals", "xor", "gaussians")
DATA_NAMES = (*CLASS_DATA, "notebook")


@dataclass(frozen=True)
class Samples:
    """Inputs (N, d) float32 and targets: class indices (N,) int64, or values (N, k) float32."""

    x: torch.Tensor
    y: torch.Tensor

    @property
    def classes(self) -> bool:
        return not self.y.is_floating_point()


def _moons(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    upper, lower = n - n // 2, n // 2
    t_up, t_low = torch.rand(upper, generator=gen) * math.pi, torch.rand(lower, generator=gen) * math.pi
    x = torch.cat([torch.stack([t_up.cos(), t_up.sin()], 1),
                   torch.stack([1 - t_low.cos(), 0.5 - t_low.sin()], 1)])
    return x, torch.cat([torch.zeros(upper), torch.ones(lower)]).long()


def _circles(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    outer = n - n // 2
    t = torch.rand(n, generator=gen) * 2 * math.pi
    radius = torch.cat([torch.ones(outer), torch.full((n // 2,), 0.5)])
    return torch.stack([t.cos(), t.sin()], 1) * radius[:, None], torch.cat([torch.zeros(outer), torch.ones(n // 2)]).long()


def _spirals(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaved arms of 1.5 turns: a boundary that only a net that bends it many times separates."""
    first = n - n // 2
    t = torch.sqrt(torch.rand(n, generator=gen)) * 3 * math.pi
    arm = torch.cat([torch.zeros(first), torch.ones(n // 2)])
    angle = t + arm * math.pi
    return torch.stack([angle.cos(), angle.sin()], 1) * (t / (3 * math.pi))[:, None] * 2, arm.long()


def _xor(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.rand(n, 2, generator=gen) * 2 - 1
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()


def _gaussians(n: int, noise: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Three blobs on a triangle; their spread grows with noise_std."""
    label = torch.arange(n) % 3
    angle = label * (2 * math.pi / 3) + math.pi / 2
    centre = torch.stack([angle.cos(), angle.sin()], 1)
    return centre + torch.randn(n, 2, generator=gen) * 0.3, label


def make_data(scene: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The scene's (x, y) as float32 CPU tensors: its own data, or the notebook's noisy samples.

    Drawn on the CPU from the scene's seed so that every machine and device sees the same data.
    """
    if scene.data is not None:
        x, y = scene.data
        return (torch.as_tensor(x, dtype=torch.float32).flatten(),
                torch.as_tensor(y, dtype=torch.float32).flatten())
    generator = torch.Generator().manual_seed(scene.seed)
    x = torch.linspace(scene.x_range[0], scene.x_range[1], scene.n_samples)
    noise = torch.randn(scene.n_samples, generator=generator) * scene.noise_std
    a, b = scene.true_params
    with torch.no_grad():
        y = scene.model(x, torch.tensor(a), torch.tensor(b)) + noise
    return x, y.to(torch.float32)


def batch_order(scene: Any, n_samples: int) -> torch.Tensor:
    """Each epoch's shuffled sample indices (epochs × n_samples), the same for every optimizer."""
    generator = torch.Generator().manual_seed(scene.seed + 1)
    return torch.stack([torch.randperm(n_samples, generator=generator) for _ in range(scene.epochs)])


class MiniBatches:
    """What a problem of shuffled mini-batches says of its steps: `order` (epochs × samples) and
    `batch_size` give them, the same for every run."""

    order: torch.Tensor
    batch_size: int
    x: torch.Tensor

    @property
    def epochs(self) -> int:
        return int(self.order.shape[0])

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.x) // self.batch_size)


GENERATORS: dict[str, Callable[[int, float, torch.Generator], tuple[torch.Tensor, torch.Tensor]]] = {
    "moons": _moons, "circles": _circles, "spirals": _spirals, "xor": _xor, "gaussians": _gaussians}


def generate(name: str, n: int, noise: float, seed: int,
             notebook: Callable[[], tuple[torch.Tensor, torch.Tensor]]) -> Samples:
    """A built-in data set of n samples, its inputs jittered by Gaussian noise of std `noise`;
    `notebook()` gives the notebook's (x, y), as the two-parameter scenes draw them."""
    if name == "notebook":
        x, y = notebook()
        return Samples(x=x.reshape(-1, 1), y=y.reshape(-1, 1))
    gen = torch.Generator().manual_seed(seed)
    x, y = GENERATORS[name](n, noise, gen)
    return Samples(x=(x + torch.randn(x.shape, generator=gen) * noise).float(), y=y)


def own_samples(data: Any) -> Samples:
    """The user's (X, y): X of N rows (one input each, 1-D X is N inputs of one number), y of N class
    indices (integers) or N targets (floats). One line naming the problem otherwise."""
    try:
        x, y = (torch.as_tensor(np.asarray(v)) for v in data)
    except (TypeError, ValueError):
        raise OptanimError("data: must be a built-in name (" + ", ".join(DATA_NAMES) + ") or a pair (X, y) "
                           "of arrays or tensors") from None
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0 or y.ndim not in (1, 2) or len(y) != len(x):
        raise OptanimError(f"data: X must be (N, d) and y (N,) or (N, k) with the same N, got X {tuple(x.shape)} "
                           f"and y {tuple(y.shape)}")
    x = x.float()
    if not torch.isfinite(x).all() or (y.is_floating_point() and not torch.isfinite(y).all()):
        raise OptanimError("data: X and y must be finite numbers (found NaN or inf)")
    if y.is_floating_point() or y.dtype == torch.bool:
        return Samples(x=x, y=y.float().reshape(len(y), -1))
    if y.ndim != 1 or (y < 0).any():
        raise OptanimError(f"data: integer y are class indices and must be (N,) and >= 0, got {tuple(y.shape)}")
    return Samples(x=x, y=y.long())
