"""Recordings cached on disk, keyed by everything that changes them, written atomically."""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from pathlib import Path
from typing import Any, Callable

import torch

from .atomic import atomic_target
from .model import make_data
from .recording import Recording, load_npz, save_npz
from .scene import Scene

#: Bump when the recorder changes what it records.
FORMAT = 1


def _fingerprint(value: Any) -> Any:
    """A JSON-able stand-in for a field: functions by their source, containers recursively."""
    if callable(value):
        try:
            return inspect.getsource(value).strip()
        except (OSError, TypeError):
            return getattr(value, "__qualname__", repr(value))
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _fingerprint(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fingerprint(v) for v in value]
    return repr(value)


def _probe(model: Callable[..., torch.Tensor]) -> list[float]:
    """The model's values at fixed points: catches closures and constants that source text hides."""
    x = torch.linspace(-2, 2, 7)
    ab = torch.tensor([[-1.3, 0.7], [0.5, 2.5], [3.1, -2.2]])
    with torch.no_grad():
        return [float(v) for v in model(x, ab[:, :1], ab[:, 1:]).flatten()]


def recording_key(scene: Scene) -> str:
    """A hash of all that a recording depends on: not the scene's name, title or animation."""
    x, y = make_data(scene)
    h = hashlib.sha256()
    h.update(x.numpy().tobytes())
    h.update(y.numpy().tobytes())
    h.update(json.dumps({
        "format": FORMAT, "torch": torch.__version__, "device": scene.device, "seed": scene.seed,
        "init": list(scene.init), "epochs": scene.epochs, "lr": scene.lr, "batch_size": scene.batch_size,
        "weight_decay": scene.weight_decay, "momentum": scene.momentum,
        "optimizers": _fingerprint(list(scene.optimizer_kwargs.items())), "scheduler": scene.scheduler,
        "scheduler_kwargs": _fingerprint(scene.scheduler_kwargs), "order": scene.scheduler_order,
        "lr_factors": scene.lr_factors, "window": [list(scene.a_range), list(scene.b_range)],
        "model": [_fingerprint(scene.model), _probe(scene.model)],
    }, sort_keys=True).encode())
    return h.hexdigest()[:20]


def cached_record(scene: Scene, cache_dir: Path | None, record: Callable[[Scene], Recording]) -> Recording:
    """The cached recording for this scene, or a fresh one (then cached). None: no cache."""
    if cache_dir is None:
        return record(scene)
    target = Path(cache_dir) / f"{scene.name or 'scene'}-{recording_key(scene)}.npz"
    if target.exists():
        try:
            return load_npz(target)
        except Exception:  # a corrupt or truncated cache file: rebuild it, never trust it
            target.unlink(missing_ok=True)
    recording = record(scene)
    try:
        with atomic_target(target) as partial:
            save_npz(recording, partial)
    except OSError as error:  # the recording is good: say so, and go on without caching it
        warnings.warn(f"cache: cannot write {target}: {error.strerror}; continuing without the cache",
                      stacklevel=2)
    return recording
