"""Real torch.optim optimizers and schedulers, named the way a scene names them."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping

import torch

from ..errors import OptanimError
from ..spec.runs import Run

#: The notebook's six optimizers, in its order.
NOTEBOOK_OPTIMIZERS = ("sgd", "sgdm", "adagrad", "rmsprop", "adam", "adamax")

#: What a lecturer reads on screen; keys stay short for scene files.
LABELS = {
    "sgd": "SGD",
    "sgdm": "SGD + momentum",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamax": "Adamax",
}


def _classes(module: Any, base: type) -> dict[str, type]:
    return {name.lower(): obj for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, base) and obj is not base and not name.startswith("_")}


# LBFGS needs a closure, SparseAdam sparse gradients, ReduceLROnPlateau a metric to step on, and
# the wrapping schedulers other schedulers: none fits a loop that calls step() once per epoch.
_UNFIT = {"lbfgs", "sparseadam", "reducelronplateau", "sequentiallr", "chainedscheduler"}
OPTIMIZER_CLASSES = {k: v for k, v in _classes(torch.optim, torch.optim.Optimizer).items() if k not in _UNFIT}
OPTIMIZER_CLASSES["sgdm"] = torch.optim.SGD
SCHEDULER_CLASSES = {k: v for k, v in _classes(torch.optim.lr_scheduler, torch.optim.lr_scheduler.LRScheduler).items()
                     if k not in _UNFIT}


def label(run: Run) -> str:
    """What a lecturer reads for a run: its own label, or its optimizer's display name
    ("sgdm" -> "SGD + momentum", "adamw" -> "AdamW")."""
    if run.label or run.key != run.optimizer:  # a second run of one optimizer goes by its own name
        return run.label or run.key
    return LABELS.get(run.optimizer) or OPTIMIZER_CLASSES[run.optimizer].__name__


def run_labels(runs: tuple[Run, ...], lr: float) -> list[str]:
    """Each run's label, with its own learning rate where the runs' rates differ ("Adam · lr 0.05")."""
    rates = [float(run.kwargs.get("lr", lr)) for run in runs]
    if len(set(rates)) <= 1:
        return [label(run) for run in runs]
    return [f"{label(run)} · lr {rate:g}" for run, rate in zip(runs, rates)]


def optimizer_class(key: str) -> type[torch.optim.Optimizer]:
    try:
        return OPTIMIZER_CLASSES[key]
    except KeyError:
        allowed = ", ".join(sorted(OPTIMIZER_CLASSES))
        raise OptanimError(f"optimizers: unknown optimizer {key!r}; allowed: {allowed}") from None


def scheduler_class(name: str) -> type:
    try:
        return SCHEDULER_CLASSES[name.lower()]
    except KeyError:
        allowed = ", ".join(sorted(SCHEDULER_CLASSES))
        raise OptanimError(f"scheduler: unknown scheduler {name!r}; allowed: {allowed}") from None


def make_optimizer(run: Run, params: list[torch.Tensor], *, lr: float, weight_decay: float,
                   momentum: float) -> torch.optim.Optimizer:
    """The run's optimizer as the notebook builds it: lr and weight decay for all, momentum for
    sgdm; the run's own keyword arguments override the scene's."""
    key, extra = run.optimizer, run.kwargs
    cls = optimizer_class(key)
    accepted = inspect.signature(cls.__init__).parameters
    kwargs: dict[str, Any] = {"lr": lr}
    if "weight_decay" in accepted:
        kwargs["weight_decay"] = weight_decay
    if key == "sgdm":
        kwargs["momentum"] = momentum
    kwargs.update(extra)
    try:
        return cls(params, **kwargs)
    except (TypeError, ValueError) as error:
        raise OptanimError(f"optimizers: {run.key}: torch.optim.{cls.__name__} rejects {dict(extra)}: "
                           f"{error}") from None


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, kwargs: Mapping[str, Any],
                   lr_lambda: Callable[[int], float]) -> Any:
    """The scene's scheduler; LambdaLR takes the scene's lr_lambda unless kwargs give one."""
    cls = scheduler_class(name)
    if cls is torch.optim.lr_scheduler.LambdaLR:
        kwargs = {"lr_lambda": lr_lambda, **kwargs}
    try:
        return cls(optimizer, **kwargs)
    except (TypeError, ValueError) as error:
        raise OptanimError(f"scheduler_kwargs: torch.optim.lr_scheduler.{cls.__name__} rejects "
                           f"{dict(kwargs)}: {error}") from None
