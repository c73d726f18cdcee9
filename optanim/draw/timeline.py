"""Which recorded step each video frame shows: paced by what moves (or an easing curve), then a hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .pacing import motion_steps, speed

#: Easing curves u -> share of the steps, u running 0 -> 1 over the motion.
CURVES = {
    "linear": lambda u: u,
    "quadratic": lambda u: u ** 2,
    "cubic": lambda u: u ** 3,
}
#: The easing that spends frames where the paths move on screen (draw/pacing.py).
MOTION = "motion"

#: Seconds over which the readout's pace is averaged, so that "×6" does not flicker.
PACE_WINDOW_S = 0.5


@dataclass(frozen=True)
class Timeline:
    """steps[f] is the step frame f shows, fractional while a head travels along one long step;
    turn[f] runs 0 → 1 over the motion, then holds; pace[f] is how many times the video's average
    pace the steps pass at frame f (1 throughout for a linear clock, 0 in the hold)."""

    steps: np.ndarray
    turn: np.ndarray
    fps: int
    pace: np.ndarray

    @property
    def n_frames(self) -> int:
        return len(self.steps)

    def whole(self, frame: int) -> int:
        """The last step frame `frame` has fully reached: what trails, slices and counters show."""
        return int(self.steps[frame])


def timeline(n_steps: int, duration: float, hold: float, fps: int, easing: str = "quadratic",
             paths: Sequence[np.ndarray] = ()) -> Timeline:
    """The clock of a video of `duration` seconds of motion and `hold` seconds on the last step.

    `paths`: each run's path in window units (draw/pacing.py), needed for easing="motion" only;
    the easing curves round to whole steps.
    """
    motion = max(2, round(duration * fps))
    u = np.linspace(0.0, 1.0, motion)
    if easing == MOTION:
        steps = motion_steps(paths, n_steps, motion)
    else:
        steps = np.rint(CURVES[easing](u) * (n_steps - 1))
    held = round(hold * fps)
    window = max(1, round(PACE_WINDOW_S * fps))
    return Timeline(steps=np.concatenate([steps, np.full(held, n_steps - 1.0)]),
                    turn=np.concatenate([u, np.ones(held)]), fps=fps,
                    pace=np.concatenate([speed(steps, n_steps, window), np.zeros(held)]))
