"""Scene to files: record (or load the cache), lay out the views, stream frames into the encoders."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Sequence

import imageio.v3 as iio

from .animate import Animator
from .cache import cached_record
from .atomic import atomic_target
from .encode import FFmpegPipe, gif_from_video
from .errors import OptanimError
from .initialisation import InitRecording, InitScene, record_init
from .landscape import landscape
from .movie import Movie, make_movie
from .quality import DEFAULT_QUALITY, QUALITIES, Quality
from .record import record
from .recording import Recording, save_csv, save_npz
from .scene import Scene
from .timeline import timeline
from .views import ALL_VIEWS, compose
from .views.init_view import compose_init, make_init_movie

FORMATS = ("mp4", "gif", "png", "pdf", "svg")
VIDEO_FORMATS = ("mp4", "gif")

#: progress(iterable, total, description) -> iterable; the CLI passes a tqdm bar.
Progress = Callable[[Iterable[int], int, str], Iterable[int]]


def _no_progress(items: Iterable[int], total: int, description: str) -> Iterable[int]:
    return items


def check_choices(values: Sequence[str], allowed: Sequence[str], what: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise OptanimError(f"--{what}: unknown {what[:-1] if what.endswith('s') else what} {value!r}; "
                               f"allowed: {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def get_recording(scene: Scene, cache_dir: Path | None) -> Recording:
    return cached_record(scene, cache_dir, record)


def build_movie(scene: Scene, recording: Recording, quality: Quality) -> Movie:
    clock = timeline(recording.n_steps, scene.duration, scene.hold, quality.fps, scene.easing)
    return make_movie(scene, recording, landscape(scene), clock)


def output_folder(out: str | Path, name: str, quality: str) -> tuple[Quality, Path]:
    """The preset and out/<name>/<quality folder>, created and checked writable before any work."""
    if quality not in QUALITIES:
        raise OptanimError(f"--quality: unknown quality {quality!r}; allowed: {', '.join(QUALITIES)}")
    preset = QUALITIES[quality]
    folder = Path(out) / (name or "scene") / preset.folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OptanimError(f"--out: cannot write to {folder}: {error.strerror}") from None
    return preset, folder


def render(scene: Scene, views: Sequence[str] = ALL_VIEWS, quality: str = DEFAULT_QUALITY,
           formats: Sequence[str] = ("mp4",), out: str | Path = "media", *, cache: bool = True,
           export: bool = False, recording: Recording | None = None,
           progress: Progress = _no_progress) -> list[Path]:
    """Render the scene's views; returns the files written, under out/<scene>/<quality>/."""
    views = check_choices(views, ALL_VIEWS, "views")
    formats = check_choices(formats, FORMATS, "format")
    preset, folder = output_folder(out, scene.name, quality)
    if recording is None:
        recording = get_recording(scene, Path(out) / ".cache" if cache else None)
    movie = build_movie(scene, recording, preset)
    written = []
    if export:
        written += export_recording(recording, folder)
    for view in views:
        written += render_view(movie, view, preset, formats, folder, progress)
    return written


def export_recording(recording: Recording, folder: Path) -> list[Path]:
    targets = [folder / "recording.npz", folder / "recording.csv"]
    for target, save in zip(targets, (save_npz, save_csv)):
        with atomic_target(target) as partial:
            save(recording, partial)
    return targets


def render_view(movie: Movie, view: str, quality: Quality, formats: Sequence[str], folder: Path,
                progress: Progress = _no_progress) -> list[Path]:
    """One view in every asked format; each file appears complete or not at all."""
    fig, views = compose(view, movie, quality)
    return write_animation(Animator(fig, views), movie.timeline.n_frames, view, quality, formats, folder,
                           progress)


def write_animation(animator: Animator, n_frames: int, name: str, quality: Quality, formats: Sequence[str],
                    folder: Path, progress: Progress = _no_progress) -> list[Path]:
    """Frames 0..n_frames-1 as folder/<name>.<fmt> for every format; each file complete or absent."""
    width, height = animator.size
    last = n_frames - 1
    targets = {fmt: folder / f"{name}.{fmt}" for fmt in formats}
    with contextlib.ExitStack() as files:
        partial = {fmt: files.enter_context(atomic_target(target)) for fmt, target in targets.items()}
        frame = None
        if any(fmt in VIDEO_FORMATS for fmt in formats):
            scratch = Path(files.enter_context(tempfile.TemporaryDirectory(dir=folder, prefix=".optanim-")))
            with contextlib.ExitStack() as pipes:
                sinks = []
                if "mp4" in formats:
                    sinks.append(pipes.enter_context(FFmpegPipe(partial["mp4"], width, height, quality.fps, "mp4")))
                if "gif" in formats:
                    sinks.append(pipes.enter_context(FFmpegPipe(scratch / "lossless.mkv", width, height,
                                                                quality.fps, "mkv")))
                for index in progress(range(n_frames), n_frames, name):
                    frame = animator.frame(index)
                    for sink in sinks:
                        sink.write(frame)
            if "gif" in formats:
                gif_from_video(scratch / "lossless.mkv", partial["gif"], quality.fps)
        if "png" in formats:
            iio.imwrite(partial["png"], (frame if frame is not None else animator.frame(last))[..., :3],
                        extension=".png")
        for fmt in ("pdf", "svg"):
            if fmt in formats:
                animator.save_still(last, str(partial[fmt]))
    return list(targets.values())


def render_init(scene: InitScene, quality: str = DEFAULT_QUALITY, formats: Sequence[str] = ("mp4",),
                out: str | Path = "media", *, recording: InitRecording | None = None,
                progress: Progress = _no_progress) -> list[Path]:
    """The initialisation scene as out/<scene>/<quality>/init.<fmt>; returns the files written."""
    formats = check_choices(formats, FORMATS, "format")
    preset, folder = output_folder(out, scene.name, quality)
    movie = make_init_movie(scene, recording or record_init(scene), preset.fps)
    fig, views = compose_init(movie, preset)
    return write_animation(Animator(fig, views), movie.timeline.n_frames, "init", preset, formats, folder,
                           progress)
