"""Recordings cached on disk, keyed by everything that changes them, written atomically, bounded in size."""

from __future__ import annotations

import hashlib
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

#: Bump when the recorder changes what it records.
FORMAT = 5
#: The cache keeps at most this many bytes; the least recently used recordings go first (as manim does).
MAX_BYTES = int(os.environ.get("OPTANIM_CACHE_MB", "500")) * 1_000_000


def _fingerprint(value: Any) -> Any:
    """A JSON-able stand-in for a field: functions by their source, containers recursively."""
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
        "runs": _fingerprint([(r.key, r.optimizer, r.label, r.kwargs) for r in scene.runs]),
        "scheduler": scene.scheduler, "scheduler_kwargs": _fingerprint(scene.scheduler_kwargs),
        "order": scene.scheduler_order, "lr_factors": scene.lr_factors,
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
