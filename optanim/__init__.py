"""optanim: teaching animations of real torch.optim runs."""

from __future__ import annotations

from .data.batches import batch_landscape
from .data.field import Field
from .data.landscape import Landscape, landscape
from .data.recording import Recording, Trajectory
from .data.recording import report
from .errors import OptanimError
from .lessons.init.recorder import InitRecording, record_init
from .lessons.init.scene import InitScene
from .notebook import show
from .render import frame_steps, render, render_grid, render_init
from .scenefile import load_scene
from .spec.runs import Run
from .spec.scene import Scene
from .training.field import record_field
from .training.recorder import record
from .training.sweep import record_sweep

__all__ = ["OptanimError", "Field", "InitRecording", "InitScene", "Landscape", "Trajectory", "Recording", "Run",
           "Scene", "batch_landscape", "frame_steps", "landscape", "load_scene", "record", "record_field", "record_init",
           "record_sweep", "render",
           "render_grid", "render_init", "report", "show"]
