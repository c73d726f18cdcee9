"""Which recorded step each video frame shows: more frames for the early steps, then a hold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EASINGS = {
    "linear": lambda u: u,
    "quadratic": lambda u: u ** 2,
    "cubic": lambda u: u ** 3,
}


@dataclass(frozen=True)
class Timeline:
    """steps[f] is the step frame f shows; turn[f] runs 0 → 1 over the motion, then holds."""

    steps: np.ndarray
    turn: np.ndarray
    fps: int

    @property
    def n_frames(self) -> int:
        return len(self.steps)


def timeline(n_steps: int, duration: float, hold: float, fps: int, easing: str = "quadratic") -> Timeline:
    motion = max(2, round(duration * fps))
    u = np.linspace(0.0, 1.0, motion)
    steps = np.rint(EASINGS[easing](u) * (n_steps - 1)).astype(int)
    held = round(hold * fps)
    return Timeline(steps=np.concatenate([steps, np.full(held, n_steps - 1)]),
                    turn=np.concatenate([u, np.ones(held)]), fps=fps)
