"""optanim: teaching animations of real torch.optim runs."""

from __future__ import annotations

from .errors import OptanimError
from .initialisation import InitRecording, InitScene, record_init
from .landscape import Landscape, landscape
from .record import record
from .render import render, render_init
from .recording import Recording, Trajectory
from .scene import Scene, load_scene

__all__ = ["OptanimError", "InitRecording", "InitScene", "Landscape", "Trajectory", "Recording", "Scene",
           "landscape", "load_scene", "record", "record_init", "render", "render_init"]
