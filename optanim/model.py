"""The notebook's model and data: y = sin(b·cos(a·x)) plus Gaussian noise."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from .scene import Scene


def sine_cosine(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The notebook's model f(x, a, b) = sin(b·cos(a·x)); broadcasts over a and b."""
    return torch.sin(b * torch.cos(a * x))


def make_data(scene: Scene) -> tuple[torch.Tensor, torch.Tensor]:
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


def batch_order(scene: Scene, n_samples: int) -> torch.Tensor:
    """Each epoch's shuffled sample indices (epochs × n_samples), the same for every optimizer."""
    generator = torch.Generator().manual_seed(scene.seed + 1)
    return torch.stack([torch.randperm(n_samples, generator=generator) for _ in range(scene.epochs)])
