"""Real torch.optim optimizers and schedulers, built the way a scene names them (spec/optimizers.py):
by name, or from the scene's own Optimizer subclass or its own function optimizer -> scheduler."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping

import torch

from ..errors import OptanimError
from ..spec.optimizers import optimizer_class, scheduler_class
from ..spec.runs import Run


def _accepts(cls: type, name: str) -> bool:
    parameters = inspect.signature(cls.__init__).parameters
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def make_optimizer(run: Run, params: list[torch.Tensor], *, lr: float, weight_decay: float,
                   momentum: float) -> torch.optim.Optimizer:
    """The run's optimizer as the notebook builds it: lr and weight decay for all that take them,
    momentum for sgdm; the run's own keyword arguments override the scene's."""
    key, extra = run.optimizer, run.kwargs
    cls = run.cls or optimizer_class(key)
    kwargs: dict[str, Any] = {"lr": lr} if _accepts(cls, "lr") else {}
    # A class of one's own gets weight decay only where the scene asks for some: its own default stands.
    if _accepts(cls, "weight_decay") and (run.cls is None or weight_decay):
        kwargs["weight_decay"] = weight_decay
    if key == "sgdm":
        kwargs["momentum"] = momentum
    kwargs.update(extra)
    where = cls.__name__ if run.cls else f"torch.optim.{cls.__name__}"
    try:
        optimizer = cls(params, **kwargs)
    except (TypeError, ValueError) as error:
        raise OptanimError(f"optimizers: {run.key}: {where} rejects {kwargs}: {error}") from None
    except Exception as error:   # a class of one's own may raise anything: the error is the scene's
        raise OptanimError(f"optimizers: {run.key}: {where}(params, **{kwargs}) raised "
                           f"{type(error).__name__}: {error}") from None
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise OptanimError(f"optimizers: {run.key}: {where} did not build a torch.optim.Optimizer")
    return optimizer


def make_scheduler(name: str | Callable[[torch.optim.Optimizer], Any], optimizer: torch.optim.Optimizer,
                   kwargs: Mapping[str, Any], lr_lambda: Callable[[int], float]) -> Any:
    """The scene's scheduler: by name (LambdaLR takes the scene's lr_lambda unless kwargs give one), or
    what the scene's function optimizer -> scheduler returns (SequentialLR, OneCycleLR, one's own)."""
    if callable(name):
        try:
            scheduler = name(optimizer)
        except Exception as error:   # the scene's own function: report it, not our stack
            raise OptanimError(f"scheduler: the function optimizer -> scheduler raised "
                               f"{type(error).__name__}: {error}") from None
        if not callable(getattr(scheduler, "step", None)):
            raise OptanimError(f"scheduler: the function optimizer -> scheduler must return a scheduler "
                               f"(something with step()), returned {type(scheduler).__name__}")
        return scheduler
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
