"""What every writer shares: the sinks frames go into, the job they belong to, and the Writer base.

Apart from writers.py (the registry of formats) so that a format in a module of its own (html.py)
can build on it without importing the registry that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from ..stage.animator import Animator
from .ffmpeg import FFmpegPipe
from .manifest import for_file


class Sink(Protocol):
    def __enter__(self) -> Sink: ...
    def __exit__(self, *exc) -> None: ...
    def write(self, frame: np.ndarray) -> None: ...


@dataclass(frozen=True)
class Job:
    """What every writer of one animation shares: where its scratch files go, the frame rate, and the
    manifest its files carry (None: none) with the views they show."""

    scratch: Path
    size: tuple[int, int]
    fps: float
    manifest: Mapping[str, Any] | None = None
    views: tuple[str, ...] = ()

    def pipe(self, target: Path, codec: str, tags: Sequence[str] = ()) -> FFmpegPipe:
        return FFmpegPipe(target, *self.size, self.fps, codec, tags)

    def stamp(self, fmt: str) -> str | None:
        """The manifest's text for this job's file in `fmt`."""
        return None if self.manifest is None else for_file(self.manifest, self.views, fmt)


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
