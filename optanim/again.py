"""A file rendered again from the manifest inside it (`optanim --from FILE`): the same scene text, view,
format and settings, the recording made afresh and checked bit for bit against the hash the file
carries before anything is drawn."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .errors import OptanimError
from .lessons.init.recorder import record_init
from .lessons.init.scene import InitScene
from .output.manifest import Origin, SceneSource, read_manifest, recording_hash, versions
from .progress import Progress, no_progress
from .render import render, render_grid, render_init
from .scenefile import load_scene
from .training.recorder import record
from .training.sweep import record_sweep


def render_again(path: str | Path, out: str | Path, command: str, progress: Progress = no_progress,
                 note: Callable[[str], None] | None = None) -> list[Path]:
    """Render the file at `path` again under `out` (its scene's folder, its quality); returns the files
    written. One OptanimError line where the file has no manifest, keeps no scene text, or the new
    recording differs from the one the file was made from."""
    path = Path(path)
    manifest = read_manifest(path)
    settings, shown = manifest["settings"], manifest.get("file") or {}
    sources = _sources(manifest)
    if any(source.text is None for source in sources):
        why = manifest.get("scene_source_omitted", "its manifest keeps no scene text")
        raise OptanimError(f"{path}: cannot be rendered again: {why}")
    with tempfile.TemporaryDirectory(prefix="optanim-from-") as scratch:
        scenes = [_load(source, Path(scratch) / str(k), settings.get("overrides") or {})
                  for k, source in enumerate(sources)]
        recording = _record(scenes, bool(settings.get("grid")))
    made, theirs = recording_hash(recording), manifest["recording_hash"]
    if made != theirs:
        then = manifest.get("versions") or {}
        changed = [f"{name} {then.get(name, '?')} then, {now} now" for name, now in versions().items()
                   if then.get(name) != now]
        raise OptanimError(f"{path}: the new recording differs from the one this file was made from ({made[:19]} "
                           f"against {theirs[:19]}){'; ' + ', '.join(changed) if changed else ''}")
    if note is not None:
        note(f"{path}: recording identical to the file's ({made[:19]}...)")
    common = dict(quality=settings.get("quality", "m"), fps=settings.get("fps"), gif_max_mb=settings.get("gif_max_mb"),
                  out=out, progress=progress, note=note, origin=Origin(tuple(sources), command, settings),
                  transparent=bool(settings.get("transparent")),
                  formats=[shown.get("format", "mp4")])
    if settings.get("grid"):
        return render_grid(scenes, shown.get("views"), recordings=recording, **common)
    scene = scenes[0]
    if isinstance(scene, InitScene):
        return render_init(scene, recording=recording, **common)
    return render(scene, shown.get("views"), recording=recording, **common)


def _sources(manifest: Mapping[str, Any]) -> list[SceneSource]:
    """Every scene the file shows (a grid's panels, or the one scene)."""
    if "grid" in manifest:
        return [SceneSource(**panel) for panel in manifest["grid"]]
    return [SceneSource(text=manifest["scene_source"], file=manifest.get("scene_file"), scene=manifest.get("scene"),
                        git_commit=manifest.get("git_commit"), git_dirty=bool(manifest.get("git_dirty")))]


def _load(source: SceneSource, scratch: Path, overrides: Mapping[str, Any]):
    """The scene from its file where that still holds the same text (so files beside it still load),
    else from the text written out under the file's name (which names the scene's folder)."""
    original = Path(source.file) if source.file else None
    if original is not None and original.is_file() and original.read_text(encoding="utf-8") == source.text:
        scene = load_scene(original, source.scene)
    else:
        scratch.mkdir(parents=True)
        copy = scratch / (original.name if original is not None else "scene.py")
        copy.write_text(source.text, encoding="utf-8")
        scene = load_scene(copy, source.scene)
    try:
        return replace(scene, **overrides)
    except (TypeError, OptanimError) as error:
        raise OptanimError(f"{source.file or 'scene'}: the manifest's overrides {dict(overrides)}: {error}") from None


def _record(scenes: Sequence[Any], grid: bool) -> Any:
    """Every recording afresh (not from the cache: the point is to make it again), shaped as the
    render that made the file hashed it."""
    if grid:
        return [record(scene) for scene in scenes]
    scene = scenes[0]
    if isinstance(scene, InitScene):
        return record_init(scene)
    return record_sweep(scene, record) if scene.sweep else record(scene)
