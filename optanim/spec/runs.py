"""Runs as data: each run is one real optimizer with its own keyword arguments and its own name.

A scene's `optimizers` is a list of optimizer names (["sgd", "adam"]) or a mapping from a run's key to
its keyword arguments ({"adam": {"lr": 0.05}}). A key that is not an optimizer's name names its class
with "optimizer", so one optimizer can run twice: {"adam fast": {"optimizer": "adam", "lr": 0.1}}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import OptanimError


@dataclass(frozen=True)
class Run:
    key: str                 # the run's name: the recording's key, the export's column
    optimizer: str           # the optimizer's registry name: colour, marker and class follow it
    kwargs: Mapping[str, Any] = field(default_factory=dict)   # overrides the scene's lr, momentum, ...
    label: str = ""          # what a lecturer reads; default: the optimizer's display name


def runs_of(optimizers: Sequence[str] | Mapping[str, Mapping[str, Any] | None]) -> tuple[Run, ...]:
    """The runs a scene's `optimizers` field describes, in its order."""
    if isinstance(optimizers, str) or not isinstance(optimizers, (Sequence, Mapping)) or len(optimizers) == 0:
        raise OptanimError(f"optimizers: must be a list of names or a mapping name -> options, got {optimizers!r}")
    if not isinstance(optimizers, Mapping):
        if len(set(optimizers)) != len(optimizers):
            raise OptanimError("optimizers: each optimizer may appear once in a list; to run one twice, "
                               "use a mapping {'adam fast': {'optimizer': 'adam', 'lr': 0.1}, ...}")
        return tuple(Run(key=str(key), optimizer=str(key)) for key in optimizers)
    runs = []
    for key, kwargs in optimizers.items():
        if kwargs is not None and not isinstance(kwargs, Mapping):
            raise OptanimError("optimizers: in a mapping each value is a dict of keyword arguments, "
                               "e.g. {'adamw': {'betas': (0.8, 0.99)}}")
        kwargs = dict(kwargs or {})
        name = kwargs.pop("optimizer", key)
        label = kwargs.pop("label", "")
        runs.append(Run(key=str(key), optimizer=str(name).lower(), kwargs=kwargs, label=str(label)))
    return tuple(runs)
