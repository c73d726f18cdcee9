"""The loss over the (a, b) window, computed in one vectorised pass (chunked) by the scene's problem."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import OptanimError
from ..spec.problems import problem_of
from .plane import plane_window
from .recording import Recording
from ..spec.scene import Scene


@dataclass(frozen=True)
class Landscape:
    """loss[j, i] is the loss over everything at (a[i], b[j]), as numpy.meshgrid lays it out."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    levels: tuple[float, ...]
    floor: float | None = None   # where a 3D surface is cut off below (unbounded losses); None: its lowest point

    def __repr__(self) -> str:
        finite = self.loss[np.isfinite(self.loss)]
        span = f"loss {finite.min():.4g} to {finite.max():.4g}" if len(finite) else "no finite loss"
        return (f"Landscape({len(self.a)}x{len(self.b)} grid, a in [{self.a[0]:g}, {self.a[-1]:g}], "
                f"b in [{self.b[0]:g}, {self.b[-1]:g}], {span}, {len(self.levels)} contour levels)")


def landscape(scene: Scene, device: str = "cpu", window: tuple[float, float, float, float] | None = None,
              recording: Recording | None = None) -> Landscape:
    """The scene's loss surface on its resolution × resolution grid, over its window or over `window`
    (a_min, a_max, b_min, b_max): where the camera zooms in, the same grid finer. With the scene's contour
    levels or, where it sets none, levels that suit its problem, and where a loss unbounded below is cut off.

    A network scene's landscape is the loss over all training data on its recording's plane (pass
    `recording`): loss[j, i] at origin + a[i]·d₁ + b[j]·d₂, over a window that holds every path."""
    plane = None
    if scene.is_network:
        if recording is None or recording.plane is None:
            raise OptanimError("recording: a network scene's landscape lies on its recording's plane; "
                               "pass recording=optanim.record(scene)")
        plane = recording.plane
    if window is not None:
        a_range, b_range = window[:2], window[2:]
    elif scene.is_network and (scene.a_range is None or scene.b_range is None):
        a_range, b_range = plane_window([(p.a, p.b) for p in recording.paths.values()])
    else:
        a_range, b_range = scene.window
    a = np.linspace(*a_range, scene.resolution)
    b = np.linspace(*b_range, scene.resolution)
    grid_a, grid_b = np.meshgrid(a, b)
    as_tensor = lambda v: torch.as_tensor(v.ravel(), dtype=torch.float32, device=device)  # noqa: E731
    problem = problem_of(scene, plane)
    loss = problem.full_loss(as_tensor(grid_a), as_tensor(grid_b)).cpu().numpy().reshape(grid_a.shape)
    levels = problem.contour_levels(loss) if scene.contour_levels is None else tuple(scene.contour_levels)
    return Landscape(a=a, b=b, loss=loss, levels=levels, floor=problem.floor(loss))
