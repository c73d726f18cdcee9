"""Before a long job: build every run's optimizer and the scene's scheduler, and step them once.

A scene's fields can each be valid while torch rejects their combination (Adam's betas as a number,
StepLR without step_size); this finds that in a second, before any recording or rendering.
"""

from __future__ import annotations

import copy
import warnings

import torch

from ..errors import OptanimError
from ..spec.network import NetworkFit
from ..spec.scene import Scene
from .network import network_optimizer
from .optimizers import make_optimizer, make_scheduler


def preflight(scene: Scene) -> None:
    """Raise OptanimError, naming the field, if torch cannot train or schedule the scene's runs."""
    if scene.is_network:
        network_preflight(scene)
    else:
        pair_preflight(scene)
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


def pair_preflight(scene: Scene) -> None:
    """Every run's optimizer takes one step on a pair (a, b)."""
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


def network_preflight(scene: Scene) -> None:
    """Every run's optimizer takes one step on a copy of the scene's network, on a few samples."""
    problem = NetworkFit.from_scene(scene)
    criterion = problem.loss_fn()
    for run in scene.runs:
        net = copy.deepcopy(problem.start)
        try:
            optimizer = network_optimizer(run, net, scene)
            criterion(net(problem.x[:4]), problem.y[:4]).backward()
            optimizer.step()
        except OptanimError:
            raise
        except Exception as error:
            raise OptanimError(f"optimizers: {run.key} cannot train the network: "
                               f"{type(error).__name__}: {error}") from None
