"""The full-data loss over the (a, b) window, computed in one vectorised pass (chunked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .model import make_data
from .scene import Scene

#: Elements (points × samples) per chunk: bounds memory however fine the grid or long the path.
CHUNK_ELEMENTS = 1 << 22


@dataclass(frozen=True)
class Landscape:
    """loss[j, i] is the full-data MSE at (a[i], b[j]), as numpy.meshgrid lays it out."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    levels: tuple[float, ...]


def full_data_loss(model: Callable[..., torch.Tensor], x: torch.Tensor, y: torch.Tensor,
                   a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """MSE over all samples at each (a[k], b[k]); one broadcast call per chunk of points."""
    a, b = a.reshape(-1, 1), b.reshape(-1, 1)
    rows = max(1, CHUNK_ELEMENTS // max(1, x.numel()))
    with torch.no_grad():
        parts = [((model(x, a[i:i + rows], b[i:i + rows]) - y) ** 2).mean(dim=-1)
                 for i in range(0, a.shape[0], rows)]
    return torch.cat(parts) if parts else torch.empty(0, device=x.device)


def landscape(scene: Scene, device: str = "cpu") -> Landscape:
    """The scene's loss surface on its resolution × resolution grid."""
    x, y = (t.to(device) for t in make_data(scene))
    a = np.linspace(*scene.a_range, scene.resolution)
    b = np.linspace(*scene.b_range, scene.resolution)
    grid_a, grid_b = np.meshgrid(a, b)
    as_tensor = lambda v: torch.as_tensor(v.ravel(), dtype=torch.float32, device=device)  # noqa: E731
    loss = full_data_loss(scene.model, x, y, as_tensor(grid_a), as_tensor(grid_b))
    return Landscape(a=a, b=b, loss=loss.cpu().numpy().reshape(grid_a.shape), levels=scene.contour_levels)
