"""optanim: teaching animations of real torch.optim runs."""

from __future__ import annotations

from .errors import OptanimError
from .landscape import Landscape, landscape
from .record import record
from .render import render
from .recording import Path, Recording
from .scene import Scene, load_scene

__all__ = ["OptanimError", "Landscape", "Path", "Recording", "Scene", "landscape", "load_scene",
           "record", "render"]
