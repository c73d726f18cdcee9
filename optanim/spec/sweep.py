"""A sweep: one scene run once per value of one field, so that a lecturer shows the values side by side.

`sweep={"lr": [0.003, 0.01, 0.03]}` names one field of the scene and its values. Any field that changes
the training can be swept (lr, batch_size, momentum, weight_decay, init, seed, epochs, lr_lambda,
scheduler, optimizers, ...): not the scene's name and title, nor how it is animated. One run's optimizer
keyword is swept as "<run key>.<keyword>", e.g. {"adam.betas": [(0.9, 0.999), (0.5, 0.999)]}: that
run's keyword takes each value, the other runs are as the scene has them.

The helpers take any frozen dataclass scene with `sweep` and `runs`; they import no scene class, so
that the scene's own validation can call them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, TypeVar

from ..errors import OptanimError

S = TypeVar("S")

#: Values per sweep: each value may become a panel, and six panels (2 × 3) are all a frame holds.
MIN_VALUES, MAX_VALUES = 2, 6
#: Fields a sweep may not change: what the scene is called and how it is animated, not what it trains.
NOT_SWEPT = ("name", "title", "notes", "sweep", "duration", "hold", "easing", "azimuth_turn", "azimuth_start",
             "elevation", "surface_cmap", "state_focus", "dashboard_views")
#: How a swept field reads on screen; others read as their name with spaces.
FIELD_LABELS = {"batch_size": "batch", "init": "start", "lr_lambda": "schedule", "n_samples": "samples",
                "noise_std": "noise"}


def sweep_field(scene: Any) -> str:
    """The one field (or "run.keyword") the scene sweeps."""
    return next(iter(scene.sweep))


def sweep_values(scene: Any) -> list[Any]:
    """The swept values, in the scene's order, as dictionary keys (lists become tuples)."""
    return [_hashable(value) for value in scene.sweep[sweep_field(scene)]]


def sweep_scenes(scene: S) -> dict[Any, S]:
    """value -> the scene at that value with no sweep: exactly what record() gets for each value."""
    name = sweep_field(scene)
    return {value: _at(scene, name, value) for value in sweep_values(scene)}


def sweep_labels(scene: Any) -> dict[Any, str]:
    """value -> its label on screen, in the scene's order; values that print alike (two lambdas) are numbered."""
    name = sweep_field(scene)
    labels = {value: value_label(name, value) for value in sweep_values(scene)}
    if len(set(labels.values())) < len(labels):
        labels = {value: f"{text} #{i}" for i, (value, text) in enumerate(labels.items(), 1)}
    return labels


def value_label(name: str, value: Any) -> str:
    """What a panel or a run of the sweep is called on screen: "lr 0.003", "adam betas (0.5, 0.999)"."""
    return f"{FIELD_LABELS.get(name, name.replace('_', ' ').replace('.', ' '))} {short(value)}"


def short(value: Any) -> str:
    """A value as a lecturer reads it: numbers by %g, pairs in brackets, functions by name."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(short(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {short(v)}" for k, v in value.items()) + "}"
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return str(value)


def check_sweep(scene: Any) -> None:
    """Raise OptanimError naming `sweep` unless it is one sweepable field with 2-6 distinct valid values."""
    sweep = scene.sweep
    if not isinstance(sweep, Mapping) or len(sweep) != 1:
        raise OptanimError("sweep: must name one field and its values, e.g. sweep={'lr': [0.003, 0.01, 0.03]}"
                           + (f"; got {len(sweep)} fields" if isinstance(sweep, Mapping) else ""))
    name, values = next(iter(sweep.items()))
    _check_name(scene, name)
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or \
            not MIN_VALUES <= len(values) <= MAX_VALUES:
        raise OptanimError(f"sweep: {name}: give a list of {MIN_VALUES} to {MAX_VALUES} values, got {values!r}")
    keys = []
    for value in values:
        key = _hashable(value)
        if _unhashable(key):
            raise OptanimError(f"sweep: {name}: values must be numbers, strings, tuples or functions, got {value!r}")
        keys.append(key)
    if len(set(keys)) != len(keys):
        raise OptanimError(f"sweep: {name}: the values must differ, got {values!r}")
    for key in keys:
        try:
            _at(scene, name, key)
        except OptanimError as error:
            raise OptanimError(f"sweep: {name}={short(key)}: {error}") from None


def _check_name(scene: Any, name: Any) -> None:
    fields = [f.name for f in dataclasses.fields(scene)]
    allowed = [f for f in fields if f not in NOT_SWEPT]
    if not isinstance(name, str):
        raise OptanimError(f"sweep: the field must be a name, got {name!r}")
    if "." in name:
        run, _, keyword = name.partition(".")
        keys = [r.key for r in scene.runs]
        if run not in keys or not keyword:
            raise OptanimError(f"sweep: {name!r}: an optimizer keyword is swept as '<run>.<keyword>' with "
                               f"<run> one of {', '.join(keys)}, e.g. '{keys[0]}.betas'")
    elif name not in allowed:
        why = "changes only the animation" if name in fields else "is not a Scene field"
        raise OptanimError(f"sweep: {name!r} {why}; allowed: {', '.join(allowed)}, or '<run>.<keyword>'")


def _at(scene: S, name: str, value: Any) -> S:
    """The scene with the field (or one run's keyword) at `value`, and no sweep."""
    if "." not in name:
        return dataclasses.replace(scene, **{name: value}, sweep=None)
    run_key, _, keyword = name.partition(".")
    optimizers = {}
    for run in scene.runs:
        kwargs = {"optimizer": run.cls or run.optimizer, **({"label": run.label} if run.label else {}), **run.kwargs}
        if run.key == run_key:
            kwargs[keyword] = value
        optimizers[run.key] = kwargs
    return dataclasses.replace(scene, optimizers=optimizers, sweep=None)


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def _unhashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return True
    return False
