"""The quality presets, as manim users know them: one table drives the flags, help and folders."""

from __future__ import annotations

from dataclasses import dataclass


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


QUALITIES = {
    "l": Quality("low", 854, 480, 15),
    "m": Quality("medium", 1280, 720, 30),
    "h": Quality("high", 1920, 1080, 60),
    "k": Quality("4k", 3840, 2160, 60),
}
DEFAULT_QUALITY = "m"
