"""Before a long job: build every run's optimizer and the scene's scheduler, step them once, and
estimate the work.

A scene's fields can each be valid while torch rejects their combination (Adam's betas as a number,
StepLR without step_size); this finds that in a second, before any recording or rendering. So does
the estimate for a scene that would train for hours (`epochs=10**9`): see training/budget.py.
"""

from __future__ import annotations

import copy

import torch

from ..errors import OptanimError
from ..spec.network import NetworkFit
from ..spec.scene import Scene
from .budget import check_budget, recording_estimate
from .network import network_optimizer
from .optimizers import make_optimizer
from .schedule import probe_rates
from .stepping import Stepper


def preflight(scene: Scene, *, force: bool = False) -> None:
    """Raise OptanimError, naming the field, if torch cannot train or schedule the scene's runs, or
    (unless `force`) if recording it would take far too long or too much memory."""
    if not force:   # first: the checks below step the schedule through the whole scene
        check_budget(recording_estimate(scene), "recording")
    if scene.is_network:
        network_preflight(scene)
    else:
        pair_preflight(scene)
    probe_rates(scene)


def pair_preflight(scene: Scene) -> None:
    """Every run's optimizer takes one step on a pair (a, b), with a closure where it needs one."""
    for run in scene.runs:
        param = torch.zeros(2, requires_grad=True)
        optimizer = make_optimizer(run, [param], lr=scene.lr, weight_decay=scene.weight_decay,
                                   momentum=scene.momentum)
        stepper = Stepper(run.key, optimizer, param)
        param.grad = torch.ones(2)
        # one step on a pair, on a bowl: what recording will ask of it
        stepper.step(lambda rows: ((rows - 1.0) ** 2).sum(dim=1), 0)


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
