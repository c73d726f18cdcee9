"""What a network's views draw beyond its plane: its curve over 1-D data, its class regions over 2-D
inputs, at the weights each frame shows (the last kept step at or before the frame's step)."""

from __future__ import annotations

import numpy as np
import torch

from ..data.recording import Recording
from ..spec.network import NetworkFit
from ..spec.problems import problem_of
from ..spec.scene import Scene
from .timeline import Timeline

#: Cells on each side of the class-region image: smooth enough at 1080p, cheap to evaluate per frame.
REGION_CELLS = 72


def frame_rows(recording: Recording, key: str, timeline: Timeline) -> np.ndarray:
    """For each frame, the row of the run's kept weights it shows: the last kept step at or before the
    frame's step (every step, where all are kept), held at a diverged run's last good one."""
    path = recording.paths[key]
    steps = np.minimum(np.floor(timeline.steps).astype(int), max(len(path.a) - 1, 0))
    rows = np.searchsorted(recording.kept_steps, steps, side="right") - 1
    return np.clip(rows, 0, len(path.weights) - 1)


def network_outputs(problem: NetworkFit, recording: Recording, timeline: Timeline, inputs: np.ndarray
                    ) -> dict[str, np.ndarray]:
    """run -> (n_frames, M, out): the network's outputs on `inputs` (M, d) at each frame's weights."""
    x = torch.as_tensor(inputs, dtype=torch.float32)
    outs = {}
    for key, path in recording.paths.items():
        if path.weights is None or len(path.weights) == 0:
            outs[key] = np.full((timeline.n_frames, len(inputs), 1), np.nan)
            continue
        rows = frame_rows(recording, key, timeline)
        unique, back = np.unique(rows, return_inverse=True)
        values = problem.outputs(torch.as_tensor(path.weights[unique]), x).numpy()
        outs[key] = values[back]
    return outs


def network_fits(scene: Scene, recording: Recording, timeline: Timeline, fit_x: np.ndarray) -> dict[str, np.ndarray]:
    """run -> (n_frames, len(fit_x)): a 1-D regression network's curve at each frame."""
    outputs = network_outputs(problem_of(scene), recording, timeline, fit_x[:, None])
    return {key: out[..., 0].astype(float) for key, out in outputs.items()}


def input_grid(x: np.ndarray, cells: int = REGION_CELLS, margin: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The two inputs' axes around the training points, with a margin."""
    axes = []
    for column in x.T[:2]:
        low, high = float(column.min()), float(column.max())
        pad = (high - low) * margin or 1.0
        axes.append(np.linspace(low - pad, high + pad, cells))
    return axes[0], axes[1]


def network_regions(scene: Scene, recording: Recording, timeline: Timeline
                    ) -> tuple[tuple[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
    """The input grid (x₁ axis, x₂ axis) and run -> (n_frames, cells, cells, classes) float32: each class's
    probability over the first two inputs at each frame (softmax of the outputs; sigmoid for one)."""
    u, v = input_grid(recording.x)
    grid_u, grid_v = np.meshgrid(u, v)
    inputs = np.column_stack([grid_u.ravel(), grid_v.ravel()])
    regions = {}
    for key, out in network_outputs(problem_of(scene), recording, timeline, inputs).items():
        logits = torch.as_tensor(out)
        probs = torch.sigmoid(logits) if logits.shape[-1] == 1 else torch.softmax(logits, -1)
        if logits.shape[-1] == 1:
            probs = torch.cat([1 - probs, probs], -1)
        regions[key] = probs.reshape(timeline.n_frames, len(v), len(u), -1).numpy().astype(np.float32)
    return (u, v), regions
