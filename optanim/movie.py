"""Everything the views draw, as plain arrays: the one thing that flows from computation to drawing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .landscape import Landscape
from .recording import Recording
from .scene import Scene
from .timeline import Timeline

#: Points on each fitted curve: smooth at 4K, cheap to move.
FIT_POINTS = 240


@dataclass(frozen=True)
class Camera:
    azimuth_start: float
    azimuth_turn: float
    elevation: float

    def azimuth(self, turn: float) -> float:
        return self.azimuth_start + self.azimuth_turn * turn


@dataclass(frozen=True)
class Movie:
    title: str
    subtitle: str
    recording: Recording
    landscape: Landscape
    timeline: Timeline
    init: tuple[float, float]
    true_params: tuple[float, float] | None
    fit_x: np.ndarray
    fits: dict[str, np.ndarray]       # optimizer -> (n_frames, FIT_POINTS) model curve at each frame
    true_curve: np.ndarray | None
    camera: Camera
    surface_cmap: str

    def step(self, key: str, frame: int) -> int:
        """The step an optimizer shows at this frame: a diverged one stays at its last good step
        (-1 for a path that diverged at step 0, so that slices [s:s + 1] are empty)."""
        return min(int(self.timeline.steps[frame]), len(self.recording.paths[key].a) - 1)


def describe(scene: Scene) -> str:
    """The hyperparameters in one line, for the subtitle."""
    factors = scene.lr_factors
    if scene.scheduler != "lambdalr":
        schedule = f"lr {scene.lr:g}, {scene.scheduler}({', '.join(f'{k}={v}' for k, v in scene.scheduler_kwargs.items())})"
    elif all(f == factors[0] for f in factors):
        schedule = f"lr {scene.lr * factors[0]:g}"
    else:
        ratio = factors[2] / factors[1] if len(factors) > 2 and factors[1] else 0.0
        geometric = factors[1] and all(np.isclose(f1, f0 * ratio) for f0, f1 in zip(factors, factors[1:]))
        schedule = f"lr {scene.lr:g} × {ratio:g}^epoch" if geometric else f"lr {scene.lr:g} × λ(epoch)"
    return (f"{schedule} · batch {scene.batch_size} · weight decay {scene.weight_decay:g} · "
            f"{scene.epochs} epochs · start ({scene.init[0]:g}, {scene.init[1]:g})")


def make_movie(scene: Scene, recording: Recording, landscape: Landscape, timeline: Timeline) -> Movie:
    """Evaluate the model's curve for every optimizer at every frame, in one call each."""
    fit_x = np.linspace(recording.x.min(), recording.x.max(), FIT_POINTS)
    x = torch.as_tensor(fit_x, dtype=torch.float32)
    fits = {}
    with torch.no_grad():
        for key, path in recording.paths.items():
            if len(path.a) == 0:
                fits[key] = np.full((timeline.n_frames, FIT_POINTS), np.nan)
                continue
            steps = np.minimum(timeline.steps, len(path.a) - 1)
            a = torch.as_tensor(path.a[steps], dtype=torch.float32)[:, None]
            b = torch.as_tensor(path.b[steps], dtype=torch.float32)[:, None]
            fits[key] = scene.model(x, a, b).numpy().astype(float)
        true_curve = None
        if scene.true_params is not None and scene.data is None:
            true_curve = scene.model(x, *(torch.tensor(float(v)) for v in scene.true_params)).numpy()
    return Movie(title=scene.title or scene.name, subtitle=describe(scene), recording=recording,
                 landscape=landscape, timeline=timeline, init=tuple(scene.init),
                 # With the user's own data the notebook's true parameters mean nothing: no star.
                 true_params=tuple(scene.true_params) if scene.true_params and scene.data is None else None,
                 fit_x=fit_x, fits=fits, true_curve=true_curve,
                 camera=Camera(scene.azimuth_start, scene.azimuth_turn, scene.elevation),
                 surface_cmap=scene.surface_cmap)
