"""Runs as data: each run is one real optimizer with its own keyword arguments and its own name.

A scene's `optimizers` is a list of optimizer names (["sgd", "adam"]) or a mapping from a run's key to
its keyword arguments ({"adam": {"lr": 0.05}}). A key that is not an optimizer's name names its class
with "optimizer", so one optimizer can run twice: {"adam fast": {"optimizer": "adam", "lr": 0.1}}.

Wherever a name goes, a torch.optim.Optimizer subclass may go instead: one written in the scene file
or imported from a package (["sgd", MySignSGD], {"mine": MySignSGD}, {"lion": {"optimizer": Lion}}).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import torch

from ..errors import OptanimError

#: The registry name of a run whose optimizer is a class of its own: "own:" and the class's name.
OWN_PREFIX = "own:"


@dataclass(frozen=True)
class Run:
    key: str                 # the run's name: the recording's key, the export's column
    optimizer: str           # the optimizer's registry name ("own:<Class>" for a class): colour and marker follow it
    kwargs: Mapping[str, Any] = field(default_factory=dict)   # overrides the scene's lr, momentum, ...
    label: str = ""          # what a lecturer reads; default: the optimizer's display name
    cls: type | None = None  # the Optimizer subclass of a run given one instead of a name


def is_own(optimizer: str) -> bool:
    """Whether a registry name is that of a class given by the scene rather than one torch.optim names."""
    return optimizer.startswith(OWN_PREFIX)


def _own(key: str, value: Any) -> Run | None:
    """The run of an Optimizer subclass; None for a name; a one-line error for anything else."""
    if isinstance(value, str):
        return None
    if isinstance(value, type) and issubclass(value, torch.optim.Optimizer):
        return Run(key=key, optimizer=OWN_PREFIX + value.__name__, cls=value)
    what = value.__name__ if isinstance(value, type) else repr(value)
    raise OptanimError(f"optimizers: {key}: {what} is not a torch.optim.Optimizer subclass; give an optimizer's "
                       "name ('adam') or a class that subclasses torch.optim.Optimizer")


def runs_of(optimizers: Sequence[Any] | Mapping[str, Any]) -> tuple[Run, ...]:
    """The runs a scene's `optimizers` field describes, in its order."""
    if isinstance(optimizers, str) or not isinstance(optimizers, (Sequence, Mapping)) or len(optimizers) == 0:
        raise OptanimError(f"optimizers: must be a list of names or a mapping name -> options, got {optimizers!r}")
    if not isinstance(optimizers, Mapping):
        keys = [entry if isinstance(entry, str) else getattr(entry, "__name__", repr(entry)) for entry in optimizers]
        if len(set(keys)) != len(keys):
            raise OptanimError("optimizers: each optimizer may appear once in a list; to run one twice, "
                               "use a mapping {'adam fast': {'optimizer': 'adam', 'lr': 0.1}, ...}")
        return tuple(_own(key, entry) or Run(key=key, optimizer=key) for key, entry in zip(keys, optimizers))
    runs = []
    for key, kwargs in optimizers.items():
        key = str(key)
        if isinstance(kwargs, type):
            runs.append(_own(key, kwargs))
            continue
        if kwargs is not None and not isinstance(kwargs, Mapping):
            raise OptanimError(f"optimizers: {key}: in a mapping each value is a dict of keyword arguments "
                               "or a torch.optim.Optimizer subclass, e.g. {'adamw': {'betas': (0.8, 0.99)}}")
        kwargs = dict(kwargs or {})
        name = kwargs.pop("optimizer", key)
        label = str(kwargs.pop("label", ""))
        own = _own(key, name)
        runs.append(Run(key=key, optimizer=own.optimizer, kwargs=kwargs, label=label, cls=own.cls) if own
                    else Run(key=key, optimizer=str(name).lower(), kwargs=kwargs, label=label))
    return tuple(runs)
