"""Before a long job: build every run's optimizer and the scene's scheduler, step them once, and
estimate the work.

A scene's fields can each be valid while torch rejects their combination (Adam's betas as a number,
StepLR without step_size); this finds that in a second, before any recording or rendering. So does
the estimate for a scene that would train for hours (`epochs=10**9`): see training/budget.py.
"""

from __future__ import annotations

import torch

from ..spec.scene import Scene
from .budget import check_budget, recording_estimate
from .optimizers import make_optimizer
from .schedule import probe_rates
from .stepping import Stepper


def preflight(scene: Scene, *, force: bool = False) -> None:
    """Raise OptanimError, naming the field, if torch cannot train or schedule the scene's runs, or
    (unless `force`) if recording it would take far too long or too much memory."""
    if not force:   # first: the checks below step the schedule through the whole scene
        check_budget(recording_estimate(scene), "recording")
    for run in scene.runs:
        param = torch.zeros(2, requires_grad=True)
        optimizer = make_optimizer(run, [param], lr=scene.lr, weight_decay=scene.weight_decay,
                                   momentum=scene.momentum)
        stepper = Stepper(run.key, optimizer, param)
        param.grad = torch.ones(2)
        # one step on a pair, on a bowl: what recording will ask of it
        stepper.step(lambda rows: ((rows - 1.0) ** 2).sum(dim=1), 0)
    probe_rates(scene)
