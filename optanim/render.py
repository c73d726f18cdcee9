"""Scene to files: record (or load the cache), build the storyboard, and hand each view to the writers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .output.export import export_recording
from .data.field import Field
from .data.landscape import landscape
from .data.recording import Recording
from .stage.animator import Animator
from .stage.grid import Grid, compose_grid, make_grid, sweep_stage
from .stage.layout import compose
from .draw.storyboard import Movie, clock, make_movie
from .draw.style import see_through
from .draw.timeline import Timeline
from .draw.titles import compare_titles
from .errors import OptanimError
from .lessons.init.recorder import InitRecording, record_init
from .lessons.init.scene import InitScene
from .lessons.init.view import compose_init, make_init_movie
from .output.alpha import check_transparent
from .output.atomic import ensure_writable
from .output.display import MediaList
from .output.ffmpeg import DEFAULT_GIF_MAX_MB
from .progress import Progress, no_progress
from .output.parallel import drawing_workers
from .spec.quality import DEFAULT_QUALITY, QUALITIES, Quality
from .output.writers import FORMATS, Writer, write_animation, writers_for
from .spec.checks import choices
from .spec.scene import Scene
from .spec.sweep import sweep_labels, sweep_scenes
from .training.cache import cached_record
from .training.field import record_field
from .training.recorder import record
from .training.sweep import record_sweep
from .views import ALL_VIEWS, DASHBOARD, VIEWS


def get_recording(scene: Scene, cache_dir: Path | None) -> Recording:
    return cached_record(scene, cache_dir, record)


def clock_of(scene: Scene, recording: Recording, quality: Quality) -> Timeline:
    """Which step each frame of the scene's video shows: paced by how far its runs move (scene.easing)."""
    return clock(scene, recording, landscape(scene), quality.fps)


def build_movie(scene: Scene, recording: Recording, quality: Quality) -> Movie:
    land = landscape(scene)
    return make_movie(scene, recording, land, clock(scene, recording, land, quality.fps))


def frame_steps(scene: Scene, recording: Recording | None = None, quality: str = DEFAULT_QUALITY) -> np.ndarray:
    """The step each frame of the scene's videos shows at this quality: the motion, then the hold.

    Fractional where a head is between two recorded steps (one long step drawn over several
    frames); int() of it is the step the counter shows. Records the scene if no recording is given.
    """
    if recording is None:
        recording = record(scene)
    return clock_of(scene, recording, quality_preset(quality)).steps


def check_views(views: Sequence[str], has_data: bool = True, has_starts: bool = False) -> list[str]:
    """The views asked for, each known and each meaningful for a scene with (or without) data and
    with (or without) many starts."""
    views = choices(views, ALL_VIEWS, "views")
    for view in views:
        if view in VIEWS and VIEWS[view].needs_data and not has_data:
            raise OptanimError(f"views: {view!r} shows the model's fit to data, and this scene has no data; "
                               f"allowed: {', '.join(v for v in ALL_VIEWS if v == DASHBOARD or not VIEWS[v].needs_data)}")
        if view in VIEWS and VIEWS[view].needs_field and not has_starts:
            raise OptanimError(f"views: {view!r} shows many starts at once, and needs a scene with starts "
                               "(and no sweep or grid): give it starts=(na, nb), N or a list of (a, b) pairs")
    return views


def views_for(scene: Scene, side_by_side: bool = False) -> list[str]:
    """Every view that means something for the scene: the fit needs data, the field views starts (and
    the scene alone, not beside others)."""
    starts = field_starts(scene) and not side_by_side
    return [v for v in ALL_VIEWS if v not in VIEWS or ((scene.has_data or not VIEWS[v].needs_data) and
                                                       (starts or not VIEWS[v].needs_field))]


def field_starts(scene: Scene) -> bool:
    """Whether the field views can show the scene: it has starts, and is not a sweep (a grid of its own)."""
    return scene.starts is not None and not scene.sweep


def quality_preset(quality: str, fps: int | None = None) -> Quality:
    """The preset named by its letter (l, m, h, k), at `fps` if given."""
    if quality not in QUALITIES:
        raise OptanimError(f"quality: unknown quality {quality!r}; allowed: {', '.join(QUALITIES)}")
    return QUALITIES[quality] if fps is None else QUALITIES[quality].with_fps(fps)


def check_dashboard(scene: Scene) -> None:
    """The dashboard's cells name views (the scene checks how many, and in what order); a view that
    needs data is left out of a scene without it, as in the default dashboard."""
    choices(scene.dashboard_views, list(VIEWS), "dashboard_views")


def output_folder(out: str | Path, name: str, quality: str, fps: int | None = None) -> tuple[Quality, Path]:
    """The preset (at `fps` if given) and out/<name>/<quality folder>, created and checked writable
    before any work."""
    preset = quality_preset(quality, fps)
    folder = Path(out) / (name or "scene") / preset.folder
    ensure_writable(folder)
    return preset, folder


def render(scene: Scene, views: Sequence[str] | None = None, quality: str = DEFAULT_QUALITY,
           formats: Sequence[str] = ("mp4",), out: str | Path = "media", *, cache: bool = True,
           export: bool = False, recording: Recording | Mapping[Any, Recording] | None = None,
           field: Field | None = None, fps: int | None = None,
           gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
           note: Callable[[str], None] | None = None, transparent: bool = False) -> list[Path]:
    """Render the scene's views (None: every view that applies to it); returns the files written,
    under out/<scene>/<quality>/.

    `recording`: the scene's, if already made (a sweep's: record_sweep's dict); `field`: its starts'
    (record_field's), for the field views. `fps` overrides the preset's rate; `gif_max_mb` is the GIF's
    size budget (None: none); `note` hears what was chosen to meet it. `transparent`: the background
    and the panels' faces transparent, lines and text haloed (formats with alpha only: webm, apng,
    mov, png, pdf, svg). The list shows each file inline in Jupyter. A sweep renders as `sweep_stage`
    lays it out."""
    # before any work: a recording can take minutes
    views = check_views(views_for(scene) if views is None else views, scene.has_data, field_starts(scene))
    formats = choices(formats, FORMATS, "formats")
    check_transparent(formats, transparent)
    preset, folder = output_folder(out, scene.name, quality, fps)
    check_dashboard(scene)   # before a recording: a typo must not cost one
    if scene.sweep:
        recordings = recording or record_sweep(scene, lambda one: get_recording(one, Path(out) / ".cache"
                                                                                if cache else None))
        stage = sweep_stage(scene, sweep_scenes(scene), recordings,
                            lambda one, rec: clock_of(one, rec, preset))
        written = []
        if export:  # each value's recording in a folder of its own
            for value, text in sweep_labels(scene).items():
                ensure_writable(folder / text.replace(" ", "-"))
                written += export_recording(recordings[value], folder / text.replace(" ", "-"))
        return MediaList(written + render_stage(stage, views, preset, formats, folder, gif_max_mb=gif_max_mb,
                                                note=note, progress=progress, transparent=transparent))
    if recording is None:
        recording = get_recording(scene, Path(out) / ".cache" if cache else None)
    movie = build_movie(scene, recording, preset)
    if any(view in VIEWS and VIEWS[view].needs_field for view in views):
        movie = replace(movie, field=field or record_field(scene, movie.timeline.steps, progress))
    written = []
    if export:
        written += export_recording(recording, folder)
    return MediaList(written + render_stage(movie, views, preset, formats, folder, gif_max_mb=gif_max_mb,
                                            note=note, progress=progress, transparent=transparent))


def render_grid(scenes: Sequence[Scene], views: Sequence[str] = tuple(v for v in VIEWS if not VIEWS[v].needs_field),
                quality: str = DEFAULT_QUALITY,
                formats: Sequence[str] = ("mp4",), out: str | Path = "media", *, cache: bool = True,
                recordings: Sequence[Recording] | None = None, fps: int | None = None,
                gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
                note: Callable[[str], None] | None = None, transparent: bool = False) -> list[Path]:
    """The scenes side by side, one video per view, in step on one clock, under
    out/<scene>+<scene>/<quality>/; each panel titled by what differs between the scenes."""
    views = check_views(views)
    formats = choices(formats, FORMATS, "formats")
    check_transparent(formats, transparent)
    if any(scene.sweep for scene in scenes):
        raise OptanimError("grid: a sweep is a grid of its own; give scenes without a sweep")
    preset, folder = output_folder(out, "+".join(scene.name for scene in scenes), quality, fps)
    if recordings is None:
        recordings = [get_recording(scene, Path(out) / ".cache" if cache else None) for scene in scenes]
    common, titles = compare_titles(scenes)
    grid = make_grid(" vs ".join(scene.name for scene in scenes), common, list(zip(titles, scenes, recordings)),
                     lambda one, rec: clock_of(one, rec, preset))
    return MediaList(render_stage(grid, views, preset, formats, folder, gif_max_mb=gif_max_mb, note=note,
                                  progress=progress, transparent=transparent))


def render_stage(stage: Movie | Grid, views: Sequence[str], quality: Quality, formats: Sequence[str],
                 folder: Path, *, gif_max_mb: float | None = DEFAULT_GIF_MAX_MB,
                 note: Callable[[str], None] | None = None, progress: Progress = no_progress,
                 transparent: bool = False) -> list[Path]:
    """Every view of one movie, or of a grid (which has no dashboard: each of its panels is one view)."""
    if isinstance(stage, Grid) and DASHBOARD in views:
        if views == [DASHBOARD]:
            raise OptanimError(f"views: {DASHBOARD!r} is not drawn for panels side by side (each panel shows "
                               f"one view); pick one of {', '.join(VIEWS)}")
        views = [v for v in views if v != DASHBOARD]
        if note is not None:
            note("dashboard: not drawn for panels side by side (each panel shows one view)")
    if isinstance(stage, Grid) and len(stage.panels) > 2 and quality.height < 720 and note is not None:
        note(f"{len(stage.panels)} panels at {quality.height}p are small (the surfaces most): -qm or -qh reads better")
    written = []
    for view in views:
        written += render_view(stage, view, quality, writers_for(formats, gif_max_mb, note, transparent=transparent,
                                                                 stage=stage), folder, progress, transparent=transparent)
    return written


def render_view(movie: Movie | Grid, view: str, quality: Quality, formats: Sequence[str | Writer], folder: Path,
                progress: Progress = no_progress, workers: int | None = None, transparent: bool = False) -> list[Path]:
    """One view in every format (a name, or a Writer such as a NullWriter); each file complete or absent.

    `workers`: processes drawing the video (None: as many as help, see `drawing_workers`);
    `transparent`: drawn see-through (style.see_through), for writers that keep the alpha.
    """
    fig, panels = compose_grid(view, movie, quality) if isinstance(movie, Grid) else compose(view, movie, quality)
    if transparent:
        see_through(fig)
    n_frames = movie.timeline.n_frames
    slow = any(panel.three_d for panel in panels)
    count = drawing_workers(slow, n_frames) if workers is None else max(1, workers)
    writers = [writers_for([f], transparent=transparent, stage=movie)[0] if isinstance(f, str) else f
               for f in formats]
    return write_animation(Animator(fig, panels), n_frames, view, quality.fps, writers, folder, progress,
                           workers=count)


def render_init(scene: InitScene, quality: str = DEFAULT_QUALITY, formats: Sequence[str] = ("mp4",),
                out: str | Path = "media", *, recording: InitRecording | None = None, fps: int | None = None,
                gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
                note: Callable[[str], None] | None = None, transparent: bool = False) -> list[Path]:
    """The initialisation scene as out/<scene>/<quality>/init.<fmt>; returns the files written."""
    formats = choices(formats, FORMATS, "formats")
    writers = writers_for(formats, gif_max_mb, note, transparent=transparent)   # before the recording
    preset, folder = output_folder(out, scene.name, quality, fps)
    movie = make_init_movie(scene, recording or record_init(scene), preset.fps)
    fig, panels = compose_init(movie, preset)
    if transparent:
        see_through(fig)
    return MediaList(write_animation(Animator(fig, panels), movie.timeline.n_frames, "init", preset.fps,
                                     writers, folder, progress))
