"""Scene to files: record (or load the cache), build the storyboard, and hand each view to the writers."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .output.export import export_recording
from .data.field import Field
from .data.landscape import landscape
from .data.recording import HEADER, Recording, story, summary, table_rows
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
from .output.manifest import Origin, for_file, manifest_for
from .output.pptx import DeckText, Table, ViewSlide, write_deck
from .progress import Progress, no_progress
from .output.parallel import drawing_workers
from .spec.quality import DEFAULT_QUALITY, QUALITIES, Quality
from .output.writers import DECK, FORMATS, Writer, write_animation, writers_for
from .scenefile import source_of
from .spec.checks import choices
from .spec.scene import Scene
from .spec.sweep import sweep_labels, sweep_scenes
from .training.cache import cached_record
from .training.field import record_field
from .training.recorder import record
from .training.sweep import record_sweep
from .views import ALL_VIEWS, DASHBOARD, VIEWS


def get_recording(scene: Scene, cache_dir: Path | None, force: bool = False) -> Recording:
    """The scene's recording from the cache, or recorded; `force`: past the preflight's estimate too."""
    return cached_record(scene, cache_dir, partial(record, force=force))


def clock_of(scene: Scene, recording: Recording, quality: Quality) -> Timeline:
    """Which step each frame of the scene's video shows: paced by how far its runs move (scene.easing)."""
    return clock(scene, recording, landscape(scene, recording=recording), quality.fps)


def build_movie(scene: Scene, recording: Recording, quality: Quality) -> Movie:
    land = landscape(scene, recording=recording)
    return make_movie(scene, recording, land, clock(scene, recording, land, quality.fps))


def frame_steps(scene: Scene, recording: Recording | None = None, quality: str = DEFAULT_QUALITY) -> np.ndarray:
    """The step each frame of the scene's videos shows at this quality: the motion, then the hold.

    Fractional where a head is between two recorded steps (one long step drawn over several
    frames); int() of it is the step the counter shows. Records the scene if no recording is given.
    """
    if recording is None:
        recording = record(scene)
    return clock_of(scene, recording, quality_preset(quality)).steps


def check_views(views: Sequence[str], kind: str = "data", has_starts: bool = False) -> list[str]:
    """The views asked for, each known and each meaningful for a scene of this kind (Scene.kind) with
    (or without) many starts."""
    views = choices(views, ALL_VIEWS, "views")
    for view in views:
        why = VIEWS[view].why_not(kind) if view in VIEWS else ""
        if why:
            allowed = [v for v in ALL_VIEWS if v == DASHBOARD or
                       (not VIEWS[v].why_not(kind) and (has_starts or not VIEWS[v].needs_field))]
            raise OptanimError(f"views: {view!r} {why}; allowed: {', '.join(allowed)}")
        if view in VIEWS and VIEWS[view].needs_field and not has_starts:
            raise OptanimError(f"views: {view!r} shows many starts at once, and needs a scene with starts "
                               "(and no sweep or grid): give it starts=(na, nb), N or a list of (a, b) pairs")
    return views


def views_for(scene: Scene, side_by_side: bool = False) -> list[str]:
    """Every view that means something for the scene: the fit needs 1-D data, a network's plane has
    its own views, the field views need starts (and the scene alone, not beside others)."""
    starts = field_starts(scene) and not side_by_side
    return [v for v in ALL_VIEWS if v not in VIEWS or (VIEWS[v].by_default and not VIEWS[v].why_not(scene.kind) and
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


def python_origin(function: str, scenes: Sequence[Scene | InitScene], call: Mapping[str, Any],
                  settings: Mapping[str, Any]) -> Origin:
    """The origin of a render called from Python: each scene's file (if load_scene made it, else a
    Scene(...) line), the call as text, and the settings that repeat it."""
    sources = tuple(source_of(scene) for scene in scenes)
    named = [f"optanim.load_scene({source.file!r})" if source.file else "scene" for source in sources]
    first = named[0] if function != "render_grid" else f"[{', '.join(named)}]"
    arguments = "".join(f", {key}={value!r}" for key, value in call.items())
    return Origin(sources, f"optanim.{function}({first}{arguments})", settings)


def deck_text(notes: str, named: Mapping[str, Recording]) -> DeckText:
    """The deck's speaker notes (the scene's own `notes`, else what each recording shows) and one
    results table per recording, captioned by its name ("" for a scene alone)."""
    told = notes or " ".join(f"{name}: {story(rec)}" if name else story(rec) for name, rec in named.items())
    return DeckText(told, tuple(Table(f"Results{' · ' + name if name else ''}: {summary(rec)}", HEADER,
                                      tuple(table_rows(rec))) for name, rec in named.items()))


def render(scene: Scene, views: Sequence[str] | None = None, quality: str = DEFAULT_QUALITY,
           formats: Sequence[str] = ("mp4",), out: str | Path = "media", *, cache: bool = True,
           export: bool = False, recording: Recording | Mapping[Any, Recording] | None = None,
           field: Field | None = None, fps: int | None = None,
           gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
           note: Callable[[str], None] | None = None, origin: Origin | None = None,
           transparent: bool = False) -> list[Path]:
    """Render the scene's views (None: every view that applies to it); returns the files written,
    under out/<scene>/<quality>/.

    `recording`: the scene's, if already made (a sweep's: record_sweep's dict); `field`: its starts'
    (record_field's), for the field views. `fps` overrides the preset's rate; `gif_max_mb` is the GIF's
    size budget (None: none); `note` hears what was chosen to meet it. `transparent`: the background
    and the panels' faces transparent, lines and text haloed (formats with alpha only: webm, apng,
    mov, png, pdf, svg). The list shows each file inline in Jupyter. A sweep renders as `sweep_stage`
    lays it out. Every file carries a manifest of `origin` (default: this call, see python_origin);
    "pptx" in `formats` adds a deck of every view."""
    # before any work: a recording can take minutes
    views = check_views(views_for(scene) if views is None else views, scene.kind, field_starts(scene))
    formats = choices(formats, FORMATS, "formats")
    check_transparent(formats, transparent)
    preset, folder = output_folder(out, scene.name, quality, fps)
    check_dashboard(scene)   # before a recording: a typo must not cost one
    if origin is None:
        origin = python_origin("render", [scene], dict(views=views, quality=quality, formats=formats, fps=fps)
                               | ({"transparent": True} if transparent else {}),
                               dict(quality=quality, fps=fps, gif_max_mb=gif_max_mb, transparent=transparent))
    output = dict(gif_max_mb=gif_max_mb, note=note, progress=progress, transparent=transparent)
    if scene.sweep:
        recordings = recording or record_sweep(scene, lambda one: get_recording(one, Path(out) / ".cache"
                                                                                if cache else None))
        stage = sweep_stage(scene, sweep_scenes(scene), recordings,
                            lambda one, rec: clock_of(one, rec, preset))
        labels = sweep_labels(scene)
        written = []
        if export:  # each value's recording in a folder of its own
            for value, text in labels.items():
                ensure_writable(folder / text.replace(" ", "-"))
                written += export_recording(recordings[value], folder / text.replace(" ", "-"))
        deck = deck_text(scene.notes, {labels[value]: rec for value, rec in recordings.items()})
        return MediaList(written + render_stage(stage, views, preset, formats, folder, **output,
                                                manifest=manifest_for(origin, recordings), deck=deck))
    if recording is None:
        recording = get_recording(scene, Path(out) / ".cache" if cache else None)
    movie = build_movie(scene, recording, preset)
    if any(view in VIEWS and VIEWS[view].needs_field for view in views):
        movie = replace(movie, field=field or record_field(scene, movie.timeline.steps, progress))
    written = []
    if export:
        written += export_recording(recording, folder)
    return MediaList(written + render_stage(movie, views, preset, formats, folder, **output,
                                            manifest=manifest_for(origin, recording),
                                            deck=deck_text(scene.notes, {"": recording})))


def render_grid(scenes: Sequence[Scene], views: Sequence[str] = tuple(v for v in VIEWS if not VIEWS[v].needs_field
                                                                     and VIEWS[v].by_default),
                quality: str = DEFAULT_QUALITY,
                formats: Sequence[str] = ("mp4",), out: str | Path = "media", *, cache: bool = True,
                recordings: Sequence[Recording] | None = None, fps: int | None = None,
                gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
                note: Callable[[str], None] | None = None, origin: Origin | None = None,
                transparent: bool = False) -> list[Path]:
    """The scenes side by side, one video per view, in step on one clock, under
    out/<scene>+<scene>/<quality>/; each panel titled by what differs between the scenes."""
    views = check_views(views)
    formats = choices(formats, FORMATS, "formats")
    check_transparent(formats, transparent)
    if any(scene.sweep for scene in scenes):
        raise OptanimError("grid: a sweep is a grid of its own; give scenes without a sweep")
    preset, folder = output_folder(out, "+".join(scene.name for scene in scenes), quality, fps)
    if origin is None:
        origin = python_origin("render_grid", scenes, dict(views=list(views), quality=quality, formats=formats,
                                                           fps=fps) | ({"transparent": True} if transparent else {}),
                               dict(quality=quality, fps=fps, gif_max_mb=gif_max_mb, grid=True,
                                    transparent=transparent))
    if recordings is None:
        recordings = [get_recording(scene, Path(out) / ".cache" if cache else None) for scene in scenes]
    common, titles = compare_titles(scenes)
    grid = make_grid(" vs ".join(scene.name for scene in scenes), common, list(zip(titles, scenes, recordings)),
                     lambda one, rec: clock_of(one, rec, preset))
    deck = deck_text("\n\n".join(scene.notes for scene in scenes if scene.notes),
                     {scene.name: rec for scene, rec in zip(scenes, recordings)})
    return MediaList(render_stage(grid, views, preset, formats, folder, gif_max_mb=gif_max_mb, note=note,
                                  progress=progress, manifest=manifest_for(origin, list(recordings)), deck=deck,
                                  transparent=transparent))


def render_stage(stage: Movie | Grid, views: Sequence[str], quality: Quality, formats: Sequence[str],
                 folder: Path, *, gif_max_mb: float | None = DEFAULT_GIF_MAX_MB,
                 note: Callable[[str], None] | None = None, progress: Progress = no_progress,
                 manifest: Mapping[str, Any] | None = None, deck: DeckText | None = None,
                 transparent: bool = False) -> list[Path]:
    """Every view of one movie, or of a grid (which has no dashboard: each of its panels is one view),
    each file carrying `manifest`; with "pptx" in `formats`, a deck of them all saying `deck`;
    `transparent`: drawn see-through."""
    if isinstance(stage, Grid) and DASHBOARD in views:
        if views == [DASHBOARD]:
            raise OptanimError(f"views: {DASHBOARD!r} is not drawn for panels side by side (each panel shows "
                               f"one view); pick one of {', '.join(VIEWS)}")
        views = [v for v in views if v != DASHBOARD]
        if note is not None:
            note("dashboard: not drawn for panels side by side (each panel shows one view)")
    if isinstance(stage, Grid) and len(stage.panels) > 2 and quality.height < 720 and note is not None:
        note(f"{len(stage.panels)} panels at {quality.height}p are small (the surfaces most): -qm or -qh reads better")
    files = [fmt for fmt in formats if fmt != DECK]
    writers = partial(writers_for, gif_max_mb=gif_max_mb, note=note, transparent=transparent, stage=stage)
    if DECK not in formats:
        return [path for view in views for path in render_view(stage, view, quality, writers(files), folder, progress,
                                                               manifest=manifest, transparent=transparent)]
    written, slides = [], []
    # The deck needs each view's MP4 and its last frame; those not asked for are made aside and dropped.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".optanim-deck-") as scratch:
        for view in views:
            made = render_view(stage, view, quality, writers(dict.fromkeys([*files, "mp4", "png"])),
                               Path(scratch), progress, manifest=manifest)
            by_format = {path.suffix[1:]: path for path in made}
            for fmt in files:
                kept = folder / by_format[fmt].name
                os.replace(by_format[fmt], kept)
                by_format[fmt] = kept
                written.append(kept)
            heading = VIEWS[view].title_of(stage_has_data(stage)) if view in VIEWS else "every view at once"
            slides.append(ViewSlide(f"{view}: {heading}", by_format["mp4"], by_format["png"],
                                    (quality.width, quality.height)))
        text = for_file(manifest, views, DECK) if manifest is not None else None
        written.append(write_deck(folder / f"{folder.parent.name}.{DECK}", stage.title, stage.subtitle, slides,
                                  deck or DeckText("", ()), text))
    return written


def stage_has_data(stage: Movie | Grid) -> bool:
    """Whether the stage's runs fit data (a grid's panels all do, or none does)."""
    return (stage.panels[0].movie if isinstance(stage, Grid) else stage).recording.has_data


def render_view(movie: Movie | Grid, view: str, quality: Quality, formats: Sequence[str | Writer], folder: Path,
                progress: Progress = no_progress, workers: int | None = None,
                manifest: Mapping[str, Any] | None = None, transparent: bool = False) -> list[Path]:
    """One view in every format (a name, or a Writer such as a NullWriter); each file complete or absent,
    carrying `manifest` (None: none).

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
                           workers=count, manifest=manifest)


def render_init(scene: InitScene, quality: str = DEFAULT_QUALITY, formats: Sequence[str] = ("mp4",),
                out: str | Path = "media", *, recording: InitRecording | None = None, fps: int | None = None,
                gif_max_mb: float | None = DEFAULT_GIF_MAX_MB, progress: Progress = no_progress,
                note: Callable[[str], None] | None = None, origin: Origin | None = None,
                transparent: bool = False) -> list[Path]:
    """The initialisation scene as out/<scene>/<quality>/init.<fmt>; returns the files written."""
    formats = choices(formats, FORMATS, "formats")
    if DECK in formats:
        raise OptanimError(f"formats: {DECK!r} is for scenes of optimizer runs; the initialisation scene renders "
                           f"{', '.join(f for f in FORMATS if f != DECK)}")
    writers = writers_for(formats, gif_max_mb, note, transparent=transparent)   # before the recording
    preset, folder = output_folder(out, scene.name, quality, fps)
    if origin is None:
        origin = python_origin("render_init", [scene], dict(quality=quality, formats=formats, fps=fps)
                               | ({"transparent": True} if transparent else {}),
                               dict(quality=quality, fps=fps, gif_max_mb=gif_max_mb, transparent=transparent))
    recording = recording or record_init(scene)
    movie = make_init_movie(scene, recording, preset.fps)
    fig, panels = compose_init(movie, preset)
    if transparent:
        see_through(fig)
    return MediaList(write_animation(Animator(fig, panels), movie.timeline.n_frames, "init", preset.fps,
                                     writers, folder, progress,
                                     manifest=manifest_for(origin, recording)))
