"""Record a sweep: the scene once per value, each run exactly as a scene of its own would be."""

from __future__ import annotations

from typing import Any, Callable

from ..data.recording import Recording
from ..errors import OptanimError
from ..spec.scene import Scene
from ..spec.sweep import sweep_scenes
from .recorder import record


def record_sweep(scene: Scene, recorder: Callable[[Scene], Recording] = record) -> dict[Any, Recording]:
    """value -> its recording, equal to record(replace(scene, <field>=value, sweep=None)).

    `recorder` records one scene (render passes the cached one)."""
    if not scene.sweep:
        raise OptanimError("sweep: this scene sweeps nothing; record it with optanim.record(scene)")
    return {value: recorder(one) for value, one in sweep_scenes(scene).items()}
