"""Recordings cached on disk, keyed by everything that changes them, written atomically, bounded in size."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import warnings
from pathlib import Path
from typing import Any, Callable

import torch

from ..output.export import load_npz, save_npz
from ..data.recording import Recording
from ..output.atomic import atomic_target
from ..spec.checks import source_of
from ..spec.problems import problem_of
from ..spec.scene import Scene
from .schedule import probe_rates

#: Bump when the recorder changes what it records.
FORMAT = 5
#: The cache keeps at most this many bytes; the least recently used recordings go first (as manim does).
MAX_BYTES = int(os.environ.get("OPTANIM_CACHE_MB", "500")) * 1_000_000


def class_identity(cls: type) -> dict[str, str]:
    """What a class of one's own is, for the key: its source text (editing it re-records), and for a
    class from an installed package its module and the package's version."""
    module = cls.__module__
    top = module.split(".")[0]
    try:
        from importlib.metadata import packages_distributions, version

        names = packages_distributions().get(top, [])
        release = version(names[0]) if names else ""
    except Exception:  # no metadata (a scene file, a source tree): the source text alone says it
        release = ""
    return {"class": f"{module}.{cls.__qualname__}", "version": release, "source": class_source(cls)}


def class_source(cls: type) -> str:
    """The class's source; where Python cannot find its file (a class in a scene file, run without a
    module of its own), the source of each of its functions, which keep their file and lines."""
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        pass
    parts = []
    for klass in cls.__mro__:
        if klass is torch.optim.Optimizer or klass is object:
            break
        for name, member in vars(klass).items():
            function = getattr(member, "__func__", getattr(member, "fget", member))
            parts.append(f"{klass.__qualname__}.{name}: " + (source_of(function) if inspect.isfunction(function)
                                                            else repr(member)))
    return "\n".join(parts)


def _fingerprint(value: Any) -> Any:
    """A JSON-able stand-in for a field: classes and functions by their source, containers recursively."""
    if isinstance(value, type):
        return class_identity(value)
    if callable(value):
        return source_of(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _fingerprint(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fingerprint(v) for v in value]
    return repr(value)


def recording_key(scene: Scene) -> str:
    """A hash of all that a recording depends on: not the scene's name, title or animation."""
    h = hashlib.sha256(json.dumps({
        "format": FORMAT, "torch": torch.__version__, "device": scene.device, "init": list(scene.init),
        "problem": problem_of(scene).fingerprint(), "lr": scene.lr, "weight_decay": scene.weight_decay,
        "momentum": scene.momentum,
        "runs": _fingerprint([(r.key, r.optimizer, r.label, r.kwargs, r.cls) for r in scene.runs]),
        "scheduler": _fingerprint(scene.scheduler), "scheduler_kwargs": _fingerprint(scene.scheduler_kwargs),
        "order": scene.scheduler_order, "every": scene.scheduler_every, "lr_factors": scene.lr_factors,
        # the rates a schedule sets: a function's closure variables, which its source text hides
        "rates": probe_rates(scene) if callable(scene.scheduler) else None,
        # a network's window is its recording's; its plane is part of what it records
        "window": [scene.a_range, scene.b_range] if scene.is_network else [list(side) for side in scene.window],
        "plane": [scene.plane, scene.plane_runs, scene.test_share] if scene.is_network else None,
    }, sort_keys=True, default=repr).encode())
    return h.hexdigest()[:20]


def cached_record(scene: Scene, cache_dir: Path | None, record: Callable[[Scene], Recording]) -> Recording:
    """The cached recording for this scene, or a fresh one (then cached). None: no cache."""
    if cache_dir is None:
        return record(scene)
    target = Path(cache_dir) / f"{scene.name or 'scene'}-{recording_key(scene)}.npz"
    if target.exists():
        try:
            recording = load_npz(target)
            os.utime(target)  # used now: the last to be evicted
            return recording
        except Exception:  # a corrupt or truncated cache file: rebuild it, never trust it
            target.unlink(missing_ok=True)
    recording = record(scene)
    try:
        with atomic_target(target) as partial:
            save_npz(recording, partial)
        evict(Path(cache_dir), MAX_BYTES, keep=target)
    except OSError as error:  # the recording is good: say so, and go on without caching it
        warnings.warn(f"cache: cannot write {target}: {error.strerror}; continuing without the cache",
                      stacklevel=2)
    return recording


def evict(cache_dir: Path, max_bytes: int, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used recordings until the cache holds at most max_bytes."""
    files = sorted(cache_dir.glob("*.npz"), key=lambda p: p.stat().st_mtime)
    total = sum(p.stat().st_size for p in files)
    removed = []
    for path in files:
        if total <= max_bytes:
            break
        if keep is not None and path == keep:
            continue
        total -= path.stat().st_size
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def clear(cache_dir: Path) -> int:
    """Delete every cached recording; returns how many."""
    files = list(Path(cache_dir).glob("*.npz")) if Path(cache_dir).is_dir() else []
    for path in files:
        path.unlink(missing_ok=True)
    return len(files)
