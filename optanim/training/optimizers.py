"""Real torch.optim optimizers and schedulers, built the way a scene names them (spec/optimizers.py)."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping

import torch

from ..errors import OptanimError
from ..spec.optimizers import optimizer_class, scheduler_class
from ..spec.runs import Run


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


def hyperparameters(optimizer: torch.optim.Optimizer) -> dict[str, float]:
    """The optimizer's settings as its param_group holds them, numbers only (betas as betas.0,
    betas.1); lr is left out: it is recorded per step."""
    flat = {}
    for name, value in optimizer.param_groups[0].items():
        if name in ("params", "lr", "initial_lr"):
            continue
        items = {f"{name}.{i}": v for i, v in enumerate(value)} if isinstance(value, (tuple, list)) else {name: value}
        flat.update({key: float(v) for key, v in items.items() if isinstance(v, (bool, int, float))})
    return flat
