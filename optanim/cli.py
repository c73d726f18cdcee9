"""The command line: arguments, progress, one-line errors, and the report table."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import warnings
from pathlib import Path
from typing import Sequence

from .errors import OptanimError
from .output.ffmpeg import DEFAULT_GIF_MAX_MB
from .spec.quality import DEFAULT_QUALITY, QUALITIES
from .views import ALL_VIEWS, DASHBOARD

FORMAT_HELP = ("mp4 (H.264: slides and browsers), webm (VP9: any browser), gif, png (last frame as a still), "
               "pdf, svg (vector stills), pptx (a slide deck of every view), html (a web page with a step-by-step "
               "player), apng (animated PNG), mov (ProRes 4444)")


def _megabytes(value: str) -> float | None:
    if value.strip().lower() in ("none", "off", "0"):
        return None
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size in MB or 'none', got {value!r}") from None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        # One line, like every other optanim error; --help still prints the full usage.
        self.exit(2, f"optanim: error: {message} (see optanim --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="optanim",
        description="Record real torch.optim runs described by scene files and render them as "
                    "teaching animations (MP4, GIF, stills) under OUT/<scene>/<quality>/.")
    p.add_argument("scenes", nargs="*", type=Path, metavar="SCENE.py", help="scene files, run in turn")
    quality = p.add_mutually_exclusive_group()
    for key, preset in QUALITIES.items():
        quality.add_argument(f"-q{key}", dest="quality", action="store_const", const=key,
                             help=f"{preset.name} quality: {preset.width}x{preset.height} {preset.fps} fps"
                                  + (" (default)" if key == DEFAULT_QUALITY else ""))
    quality.add_argument("--quality", choices=list(QUALITIES), help="the same, by letter")
    p.add_argument("--views", type=_split, metavar="V,V",
                   help=f"views to render (default: all): {', '.join(ALL_VIEWS)}")
    p.add_argument("--format", type=_split, default=["mp4"], metavar="F,F", dest="formats",
                   help=f"output formats (default: mp4): {FORMAT_HELP}")
    p.add_argument("--out", type=Path, default=Path("media"), help="output folder (default: media/)")
    p.add_argument("--device", help="override the scene's device: cpu, cuda, cuda:N")
    p.add_argument("--scene", dest="scene_name", metavar="NAME",
                   help="which scene of a file that defines several (its variable name)")
    p.add_argument("--duration", type=float, help="override the scene's duration in seconds")
    p.add_argument("--fps", type=int, help="override the quality preset's frames per second (1 to 120)")
    p.add_argument("--gif-max-mb", type=_megabytes, default=DEFAULT_GIF_MAX_MB, metavar="MB",
                   help=f"size budget of each GIF: frame rate, palette and size are lowered to fit "
                        f"(default {DEFAULT_GIF_MAX_MB:g}; 'none' for no budget)")
    p.add_argument("--transparent", action="store_true",
                   help="transparent background and panels, lines and text haloed, for slides of any colour "
                        "(formats with alpha: webm, apng, mov, png, pdf, svg)")
    p.add_argument("--grid", action="store_true",
                   help="the scenes side by side (2: a row; 3-4: 2x2; 5-6: 2x3), one video per view, in step "
                        "on one clock, under OUT/<scene>+<scene>/<quality>/")
    p.add_argument("--no-cache", action="store_true", help="record afresh instead of using the cache")
    p.add_argument("--export", action="store_true", help="also write the recording as .npz and .csv")
    p.add_argument("--record-only", action="store_true", help="record and report, render nothing")
    p.add_argument("--check", action="store_true", help="validate the scene files only; record nothing")
    p.add_argument("--force", action="store_true",
                   help="go on with a scene estimated to take over ~15 minutes or more memory than the machine has")
    p.add_argument("--quiet", action="store_true", help="no progress bars, no report")
    p.add_argument("--clear-cache", action="store_true",
                   help="delete the cached recordings under OUT/.cache/ (then render any scenes given)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--from", dest="from_file", type=Path, metavar="FILE",
                       help="render again the file optanim wrote (its scene, view, format and settings, from the "
                            "manifest inside it) under OUT/, checking the new recording is identical")
    again.add_argument("--info", type=Path, metavar="FILE",
                       help="print the manifest inside a file optanim wrote, as JSON")
    return p


#: The library names an argument; the command line names its flag.
FLAGS = {"views": "--views", "formats": "--format", "quality": "--quality", "out": "--out",
         "scene": "--scene", "fps": "--fps", "gif_max_mb": "--gif-max-mb", "grid": "--grid",
         "transparent": "--transparent"}


def _as_flag(error: OptanimError) -> OptanimError:
    name, _, rest = str(error).partition(": ")
    return OptanimError(f"{FLAGS[name]}: {rest}") if name in FLAGS else error


def run(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    try:
        if args.info or args.from_file:
            return _again(args, argv)
        return _run(args, "optanim " + shlex.join(argv))
    except OptanimError as error:
        raise _as_flag(error) from None


def _again(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """--info FILE: print its manifest; --from FILE: render it again."""
    from .again import render_again
    from .output.manifest import read_manifest
    from .progress import default_progress

    flag, path = ("--info", args.info) if args.info else ("--from", args.from_file)
    if args.scenes:
        raise OptanimError(f"{flag}: takes the file, not scene files ({', '.join(map(str, args.scenes))})")
    if args.info:
        print(json.dumps(read_manifest(path), indent=2))
        return 0
    note = (lambda text: None) if args.quiet else (lambda text: print(f"optanim: {text}", file=sys.stderr))
    _print_sizes(render_again(path, args.out, "optanim " + shlex.join(argv),
                              progress=default_progress(False if args.quiet else None), note=note))
    return 0


def _run(args: argparse.Namespace, command: str) -> int:
    from dataclasses import replace

    from .output.export import export_recording
    from .data.recording import report
    from .lessons.init.scene import InitScene
    from .output.alpha import check_transparent
    from .output.atomic import ensure_writable
    from .output.manifest import Origin, scene_source
    from .output.writers import FORMATS
    from .progress import default_progress
    from .render import check_dashboard, check_views, field_starts, get_recording, render, render_init, views_for
    from .spec.checks import choices
    from .scenefile import load_scene, warnings_for
    from .spec.sweep import sweep_labels, sweep_scenes
    from .training.sweep import record_sweep
    from .training import cache
    from .training.device import resolve_device
    from .training.preflight import preflight

    if args.clear_cache:
        print(f"optanim: removed {cache.clear(args.out / '.cache')} cached recordings from {args.out / '.cache'}")
    elif not args.scenes:
        raise OptanimError("give at least one scene file, e.g. optanim scenes/exp1.py")
    quality = args.quality or DEFAULT_QUALITY
    overrides = {k: v for k, v in (("device", args.device), ("duration", args.duration)) if v is not None}
    scenes = []
    for path in args.scenes:
        scene = load_scene(path, args.scene_name)
        try:
            scene = replace(scene, **overrides)
            resolve_device(scene.device)
            if not isinstance(scene, InitScene):
                for one in (sweep_scenes(scene).values() if scene.sweep else [scene]):
                    preflight(one, force=args.force)
                check_dashboard(scene)
        except OptanimError as error:
            raise OptanimError(f"{path}: {error}") from None
        for warning in warnings_for(scene):
            print(f"optanim: warning: {path}: {warning}", file=sys.stderr)
        scenes.append((path, scene))
    # Option errors before any work: a typo must not cost a long recording.
    views = choices(args.views or ALL_VIEWS, ALL_VIEWS, "views")
    choices(args.formats, FORMATS, "formats")
    check_transparent(args.formats, args.transparent)
    for path, scene in scenes:
        given = [flag for flag, on in (("--views", args.views), ("--export", args.export),
                                       ("--record-only", args.record_only)) if on]
        if isinstance(scene, InitScene) and given:
            raise OptanimError(f"{path}: {', '.join(given)} do not apply to an initialisation scene "
                               "(it renders one view, init, and trains no optimizer)")
        if isinstance(scene, InitScene) and "html" in args.formats:
            raise OptanimError(f"{path}: --format html steps through optimizer runs, and an initialisation "
                               "scene trains none; use mp4 or webm")
        if args.views and not isinstance(scene, InitScene):
            try:  # the fit view of a scene without data, or the field views of a scene without starts
                check_views(views, scene.kind, field_starts(scene) and not args.grid)
            except OptanimError as error:
                raise OptanimError(f"{path}: {_as_flag(error)}") from None
    if args.grid:
        _check_grid(scenes, args)
    if not args.force and not args.record_only:
        _check_rendering(scenes, views, quality, args)
    if args.check:
        for path, _ in scenes:
            print(f"{path}: ok")
        return 0
    ensure_writable(args.out)  # before any training: an unwritable --out must not cost a recording
    progress = default_progress(False if args.quiet else None)
    note = (lambda text: None) if args.quiet else (lambda text: print(f"optanim: {text}", file=sys.stderr))
    if args.fps is not None:
        QUALITIES[quality].with_fps(args.fps)  # a bad rate fails here, before any work
    output = dict(fps=args.fps, gif_max_mb=args.gif_max_mb, progress=progress, note=note, transparent=args.transparent)
    # what --from needs to repeat this: the scene fields overridden and the output settings
    settings = dict(quality=quality, fps=args.fps, gif_max_mb=args.gif_max_mb, overrides=overrides, grid=args.grid,
                    transparent=args.transparent)
    origins = {path: Origin((scene_source(path, args.scene_name),), command, settings) for path, _ in scenes}
    if args.grid:
        grid_origin = Origin(tuple(scene_source(path, args.scene_name) for path, _ in scenes), command, settings)
        return _render_grid(scenes, views, quality, args, dict(output, origin=grid_origin))
    for path, scene in scenes:
        if isinstance(scene, InitScene):  # trains nothing: no recording to cache, report or export
            _print_sizes(render_init(scene, quality, args.formats, args.out, origin=origins[path], **output))
            continue
        cache_dir = None if args.no_cache else args.out / ".cache"
        try:  # a sweep: one recording per value, each cached as a scene of its own
            recordings = (record_sweep(scene, lambda one: get_recording(one, cache_dir, args.force)) if scene.sweep
                          else {None: get_recording(scene, cache_dir, args.force)})
        except OptanimError as error:
            raise OptanimError(f"{path}: {error}") from None
        names = ({v: f"{scene.name} {text}" for v, text in sweep_labels(scene).items()} if scene.sweep
                 else {None: scene.name})
        if not args.quiet:
            for value, recording in recordings.items():
                print(report(recording, names[value]))
        if args.record_only:
            if args.export:  # the data of the scene, not of a quality: in the scene's own folder
                for value, recording in recordings.items():
                    folder = args.out / scene.name / names[value][len(scene.name):].strip().replace(" ", "-")
                    ensure_writable(folder)
                    _print_sizes(export_recording(recording, folder))
            continue
        scene_views = views if args.views else [v for v in views if v in views_for(scene)]
        try:
            _print_sizes(render(scene, scene_views, quality, args.formats, args.out, export=args.export,
                                recording=recordings if scene.sweep else recordings[None], origin=origins[path],
                                **output))
        except OptanimError as error:
            raise OptanimError(f"{path}: {error}") from None
    return 0


def _check_rendering(scenes: Sequence[tuple[Path, object]], views: list[str], quality: str,
                     args: argparse.Namespace) -> None:
    """Refuse, before any work, a video that would take far too long to draw (--force goes on)."""
    from .lessons.init.scene import InitScene
    from .render import views_for
    from .training.budget import check_budget, rendering_estimate

    preset = QUALITIES[quality]
    for path, scene in scenes:
        if isinstance(scene, InitScene):
            continue
        shown = views if args.views else [v for v in views if v in views_for(scene)]
        try:
            check_budget(rendering_estimate(scene, args.fps or preset.fps, preset.width * preset.height,
                                            len(shown)), "rendering")
        except OptanimError as error:
            raise OptanimError(f"{path}: {error}") from None


def _check_grid(scenes: Sequence[tuple[Path, object]], args: argparse.Namespace) -> None:
    """--grid takes 2 to 6 plain scenes, and renders views, not a recording."""
    from .lessons.init.scene import InitScene

    if not 2 <= len(scenes) <= 6:
        raise OptanimError(f"grid: give 2 to 6 scene files to show side by side, got {len(scenes)}")
    for path, scene in scenes:
        if isinstance(scene, InitScene) or scene.sweep:
            kind = "an initialisation scene" if isinstance(scene, InitScene) else "a sweep (a grid of its own)"
            raise OptanimError(f"grid: {path} is {kind}; give scenes of optimizer runs")
    if args.record_only or args.export:
        raise OptanimError("grid: renders the scenes side by side; for --record-only or --export run without it")


def _render_grid(scenes: Sequence[tuple[Path, object]], views: list[str], quality: str, args: argparse.Namespace,
                 output: dict) -> int:
    from .data.recording import report
    from .render import get_recording, render_grid, views_for

    recordings = []
    for path, scene in scenes:
        try:
            recordings.append(get_recording(scene, None if args.no_cache else args.out / ".cache", args.force))
        except OptanimError as error:
            raise OptanimError(f"{path}: {error}") from None
        if not args.quiet:
            print(report(recordings[-1], scene.name))
    if not args.views:  # every view each panel can draw; the dashboard is a grid itself
        views = [v for v in views if all(v in views_for(scene, side_by_side=True) for _, scene in scenes)
                 and v != DASHBOARD]
    _print_sizes(render_grid([scene for _, scene in scenes], views, quality, args.formats, args.out,
                             recordings=recordings, **output))
    return 0


def _print_sizes(written: Sequence[Path]) -> None:
    for path in written:
        size = os.path.getsize(path)
        print(f"{path}  ({size / 1e6:.2f} MB)" if size >= 1e5 else f"{path}  ({size / 1e3:.0f} kB)")


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    # Warnings (an unwritable cache, say) as one line, like every other message.
    warnings.formatwarning = lambda message, *args, **kwargs: f"optanim: warning: {message}\n"
    # A kill or a closed terminal cleans up like Ctrl-C: no temporaries, earlier files kept.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        return run(argv)
    except OptanimError as error:
        print(f"optanim: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("optanim: interrupted; earlier files kept, no partial files left", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
