"""Before a long job: build every run's optimizer and the scene's scheduler, and step them once.

A scene's fields can each be valid while torch rejects their combination (Adam's betas as a number,
StepLR without step_size); this finds that in a second, before any recording or rendering.
"""

from __future__ import annotations

import warnings

import torch

from ..errors import OptanimError
from ..spec.scene import Scene
from .optimizers import make_optimizer, make_scheduler


def preflight(scene: Scene) -> None:
    """Raise OptanimError, naming the field, if torch cannot train or schedule the scene's runs."""
    for run in scene.runs:
        param = torch.zeros(2, requires_grad=True)
        optimizer = make_optimizer(run, [param], lr=scene.lr, weight_decay=scene.weight_decay,
                                   momentum=scene.momentum)
        param.grad = torch.ones(2)
        try:  # one step on a pair: what recording will ask of it
            optimizer.step()
        except Exception as error:
            raise OptanimError(f"optimizers: {run.key} cannot train the parameters a and b: "
                               f"{type(error).__name__}: {error}") from None
    optimizer = torch.optim.SGD([torch.zeros((), requires_grad=True)], lr=scene.lr)
    scheduler = make_scheduler(scene.scheduler, optimizer, scene.scheduler_kwargs, scene.lr_lambda)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in range(scene.n_epochs + 1):
                optimizer.step()
                scheduler.step()
        except Exception as error:
            raise OptanimError(f"scheduler_kwargs: {scene.scheduler} fails over {scene.n_epochs} "
                               f"{'epochs' if scene.has_data else 'steps'}: "
                               f"{type(error).__name__}: {error}") from None
