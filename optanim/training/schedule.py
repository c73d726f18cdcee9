"""When a run's scheduler steps, and on what: one small object every recorder calls.

A recorder calls `start_epoch()` before each epoch, `end_step(metric)` after each optimizer step and
`end_epoch(metric)` after each epoch; the schedule steps its scheduler at the one of these the scene
asks for (scheduler_order, scheduler_every). A scheduler that steps on a metric (ReduceLROnPlateau,
by name or returned by the scene's function) is given `metric()`: the loss over all the data where the
run stands (on a loss-function scene, the function there). `metric` is only called when it is needed.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import torch

from ..errors import OptanimError
from ..spec.scene import Scene
from .optimizers import make_scheduler

Metric = Callable[[], float]


def steps_on_metric(scheduler: Any) -> bool:
    """Whether step() needs a value to step on (ReduceLROnPlateau's `metrics`, or one's own)."""
    try:
        parameters = inspect.signature(scheduler.step).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


@dataclass
class Schedule:
    """One optimizer's scheduler and when it steps: after every "epoch" or every "step"; with
    order "notebook", before each epoch instead (the notebook's order)."""

    scheduler: Any
    every: str = "epoch"
    order: str = "pytorch"

    def __post_init__(self) -> None:
        self.on_metric = steps_on_metric(self.scheduler)
        if self.on_metric and self.order == "notebook":
            raise OptanimError("scheduler: a scheduler that steps on the loss (ReduceLROnPlateau) steps after "
                               'the epoch it judges; scheduler_order="notebook" steps before it')

    @classmethod
    def of(cls, scene: Scene, optimizer: torch.optim.Optimizer) -> Schedule:
        """The scene's scheduler for this optimizer, stepped as the scene says."""
        scheduler = make_scheduler(scene.scheduler, optimizer, scene.scheduler_kwargs, scene.lr_lambda)
        return cls(scheduler, scene.scheduler_every, scene.scheduler_order)

    def start_epoch(self) -> None:
        if self.order == "notebook":
            self._step(None)

    def end_step(self, metric: Metric) -> None:
        if self.every == "step":
            self._step(metric)

    def end_epoch(self, metric: Metric) -> None:
        if self.every == "epoch" and self.order == "pytorch":
            self._step(metric)

    def _step(self, metric: Metric | None) -> None:
        try:
            if self.on_metric:
                self.scheduler.step(float(metric()))
            else:
                self.scheduler.step()
        except OptanimError:
            raise
        except Exception as error:   # the scene's own scheduler, or torch's objection to its settings
            raise OptanimError(f"scheduler: step() raised {type(error).__name__}: {error}") from None


def probe_rates(scene: Scene) -> list[float]:
    """The rate the scene's schedule sets at each of its steps (each epoch, or each step), run on a
    stand-in optimizer with the loss held at 1 for schedulers that step on it. It runs the scheduler
    through the whole scene: torch's objections show here, before any training."""
    optimizer = torch.optim.SGD([torch.zeros((), requires_grad=True)], lr=scene.lr)
    schedule = Schedule.of(scene, optimizer)
    unit = scene.scheduler_every if scene.has_data else "step"
    rates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in range(scene.n_scheduler_steps):
                schedule.start_epoch()
                rates.append(float(optimizer.param_groups[0]["lr"]))
                optimizer.step()
                schedule.end_step(lambda: 1.0)
                schedule.end_epoch(lambda: 1.0)
        except OptanimError as error:
            name = scene.scheduler if isinstance(scene.scheduler, str) else "the scheduler"
            field = "scheduler_kwargs" if isinstance(scene.scheduler, str) else "scheduler"
            raise OptanimError(f"{field}: {name} fails over {scene.n_scheduler_steps} {unit}s: "
                               f"{str(error).removeprefix('scheduler: step() raised ')}") from None
    return rates
