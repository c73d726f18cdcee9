"""What every writer shares: the sinks frames go into, the job they belong to, and the Writer base.

Apart from writers.py (the registry of formats) so that a format in a module of its own (html.py,
alpha formats) can build on it without importing the registry that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..stage.animator import Animator
from .ffmpeg import FFmpegPipe


class Sink(Protocol):
    def __enter__(self) -> Sink: ...
    def __exit__(self, *exc) -> None: ...
    def write(self, frame: np.ndarray) -> None: ...


@dataclass(frozen=True)
class Job:
    """What every writer of one animation shares: where its scratch files go, and the frame rate."""

    scratch: Path
    size: tuple[int, int]
    fps: float

    def pipe(self, target: Path, codec: str) -> FFmpegPipe:
        return FFmpegPipe(target, *self.size, self.fps, codec)


class Writer:
    """Base: a writer of `fmt` fed no frames (a still made at the end)."""

    fmt = ""
    #: Whether forked drawing processes can feed it (their sinks must be files to join).
    parallel = True

    def sinks(self, job: Job, partial: Path, part: int | None) -> list[Sink]:
        """What the frames go into while drawing: `part` is a drawing process's chunk (None: serial)."""
        return []

    def finish(self, job: Job, partial: Path, parts: int, animator: Animator, last: np.ndarray | None,
               last_index: int) -> None:
        """Make the file at `partial` once every frame is drawn (from `parts` chunks, 0 if serial)."""
