"""The optimizers and schedulers a scene may name: torch.optim's classes by lower-case name, and what a
lecturer reads for each run. Naming only: training/optimizers.py builds them."""

from __future__ import annotations

from typing import Any

import torch

from ..errors import OptanimError
from .runs import Run, is_own

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
    "lbfgs": "L-BFGS",
}


def _classes(module: Any, base: type) -> dict[str, type]:
    return {name.lower(): obj for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, base) and obj is not base and not name.startswith("_")}


# SparseAdam needs sparse gradients, and the wrapping schedulers other schedulers (give those as a
# callable optimizer -> scheduler): neither can be built from a name and keywords alone.
_UNFIT = {"sparseadam", "sequentiallr", "chainedscheduler"}
OPTIMIZER_CLASSES = {k: v for k, v in _classes(torch.optim, torch.optim.Optimizer).items() if k not in _UNFIT}
OPTIMIZER_CLASSES["sgdm"] = torch.optim.SGD
#: Optimizers whose update treats each element of a parameter alone (per-tensor values such as Adam's
#: step count depend on the step only): a tensor of many (a, b) rows then runs each row independently.
#: Adafactor (norms of the whole tensor) and Muon (orthogonalised matrices) mix them.
ELEMENTWISE = frozenset({"sgd", "sgdm", "adagrad", "rmsprop", "adam", "adamax", "adamw", "adadelta", "asgd",
                         "nadam", "radam", "rprop"})
SCHEDULER_CLASSES = {k: v for k, v in _classes(torch.optim.lr_scheduler, torch.optim.lr_scheduler.LRScheduler).items()
                     if k not in _UNFIT}


def label(run: Run) -> str:
    """What a lecturer reads for a run: its own label, or its optimizer's display name
    ("sgdm" -> "SGD + momentum", "adamw" -> "AdamW")."""
    if run.label or run.key != run.optimizer or is_own(run.optimizer):  # a second run goes by its own name
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


#: When a scheduler steps: after every epoch (the notebook's), or after every optimizer step.
SCHEDULER_EVERY = ("epoch", "step")


def scheduler_class(name: str) -> type:
    try:
        return SCHEDULER_CLASSES[name.lower()]
    except KeyError:
        allowed = ", ".join(sorted(SCHEDULER_CLASSES))
        raise OptanimError(f"scheduler: unknown scheduler {name!r}; allowed: {allowed}") from None
