"""The quality presets, as manim users know them: one table drives the flags, help and folders."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import OptanimError

#: The frame rates a preset may be given instead of its own (--fps).
MIN_FPS, MAX_FPS = 1, 120


@dataclass(frozen=True)
class Quality:
    name: str
    width: int
    height: int
    fps: int

    @property
    def folder(self) -> str:
        """The output folder name, e.g. 720p30."""
        return f"{self.height}p{self.fps}"

    def with_fps(self, fps: int) -> Quality:
        """This preset at another frame rate (its folder follows, e.g. 1080p24)."""
        if isinstance(fps, bool) or not isinstance(fps, int) or not MIN_FPS <= fps <= MAX_FPS:
            raise OptanimError(f"fps: {fps!r} is not allowed; a whole number from {MIN_FPS} to {MAX_FPS}")
        return dataclasses.replace(self, fps=fps)


QUALITIES = {
    "l": Quality("low", 854, 480, 15),
    "m": Quality("medium", 1280, 720, 30),
    "h": Quality("high", 1920, 1080, 60),
    # 30 fps, not 60: 4K60 is H.264 level 5.2, above what Windows' decoder (and PowerPoint) plays.
    "k": Quality("4k", 3840, 2160, 30),
}
DEFAULT_QUALITY = "m"
