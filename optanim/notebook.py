"""Teaching from Jupyter: render one view of a scene and get back something the notebook plays inline."""

from __future__ import annotations

import os
from typing import Any

from .errors import OptanimError
from .lessons.init.scene import InitScene
from .output.display import Media
from .progress import default_progress
from .render import render, render_init
from .scenefile import load_scene
from .spec.scene import Scene
from .views import DASHBOARD

#: The one view of an initialisation scene (render_init's file name).
INIT_VIEW = "init"


def show(scene: Scene | InitScene | str | os.PathLike, view: str = DASHBOARD, quality: str = "l",
         format: str = "mp4", out: str | os.PathLike = "media", **render_kwargs: Any) -> Media:
    """Render one view in one format (the recording cache spares re-training) and return the file
    as Media, which a notebook cell shows as a video or image. `scene` may be a scene file's path;
    `render_kwargs` go to render() (cache, export, recording, progress)."""
    if isinstance(scene, (str, os.PathLike)):
        scene = load_scene(scene)
    render_kwargs.setdefault("progress", default_progress())
    if isinstance(scene, InitScene):
        # One figure; the default view name stands for it too, so show(scene) works for any scene file.
        if view not in (INIT_VIEW, DASHBOARD):
            raise OptanimError(f"view: an initialisation scene has one view, {INIT_VIEW!r}; got {view!r}")
        written = render_init(scene, quality, [format], out, **render_kwargs)
    else:
        written = render(scene, [view], quality, [format], out, **render_kwargs)
    return Media(written[-1])  # exported recordings (export=True) come first, the view's file last
