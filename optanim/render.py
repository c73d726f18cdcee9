"""Scene to files: record (or load the cache), lay out the views, stream frames into the encoders."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import imageio.v3 as iio
import numpy as np

from .animate import Animator
from .cache import cached_record
from .atomic import atomic_target, ensure_writable
from .encode import FFmpegPipe, concat, gif_from_video
from .errors import OptanimError
from .initialisation import InitRecording, InitScene, record_init
from .landscape import landscape
from .movie import Movie, make_movie
from .quality import DEFAULT_QUALITY, QUALITIES, Quality
from .record import record
from .recording import Recording, export_recording
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
    ensure_writable(folder)
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


def render_view(movie: Movie, view: str, quality: Quality, formats: Sequence[str], folder: Path,
                progress: Progress = _no_progress, workers: int | None = None) -> list[Path]:
    """One view in every asked format; each file appears complete or not at all.

    `workers`: processes drawing the video (None: as many as help, see `drawing_workers`).
    """
    fig, views = compose(view, movie, quality)
    count = drawing_workers(view, movie.timeline.n_frames) if workers is None else max(1, workers)
    return write_animation(Animator(fig, views), movie.timeline.n_frames, view, quality, formats, folder,
                           progress, workers=count)


def write_animation(animator: Animator, n_frames: int, name: str, quality: Quality, formats: Sequence[str],
                    folder: Path, progress: Progress = _no_progress, workers: int = 1) -> list[Path]:
    """Frames 0..n_frames-1 as folder/<name>.<fmt> for every format; each file complete or absent.

    With several `workers`, forked processes draw contiguous chunks, joined without re-encoding.
    """
    last = n_frames - 1
    targets = {fmt: folder / f"{name}.{fmt}" for fmt in formats}
    with contextlib.ExitStack() as files:
        partial = {fmt: files.enter_context(atomic_target(target)) for fmt, target in targets.items()}
        frame = None
        if any(fmt in VIDEO_FORMATS for fmt in formats):
            scratch = Path(files.enter_context(tempfile.TemporaryDirectory(dir=folder, prefix=".optanim-")))
            # Each video format as the encoder writes it: the MP4 itself, a lossless MKV for the GIF.
            codecs = {fmt: codec for fmt, codec in (("mp4", "mp4"), ("gif", "mkv")) if fmt in formats}
            lossless, palette = scratch / "lossless.mkv", None
            outputs = {"mp4": partial.get("mp4"), "gif": lossless}
            count = min(n_frames, workers)
            if count == 1:
                sinks = {codecs[fmt]: outputs[fmt] for fmt in codecs}
                if "gif" in formats:
                    sinks["palette"] = palette = scratch / "palette.png"
                frame = _draw_frames(animator, progress(range(n_frames), n_frames, name), quality.fps, sinks)
            else:
                chunks = [range(int(c[0]), int(c[-1]) + 1) for c in np.array_split(np.arange(n_frames), count)]
                parts = [{codecs[fmt]: scratch / f"part{k}.{codecs[fmt]}" for fmt in codecs}
                         for k in range(len(chunks))]
                _draw_in_processes(animator, chunks, parts, quality.fps, progress, name)
                for fmt, codec in codecs.items():
                    concat([part[codec] for part in parts], outputs[fmt])
            if "gif" in formats:
                gif_from_video(lossless, partial["gif"], quality.fps, palette)
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


#: Views whose frames are slow to draw (3D): more processes pay. The 2D views draw a frame in a few
#: milliseconds, the encoder is their limit, and libx264 already uses every core.
PARALLEL_VIEWS = ("surface", "dashboard")
#: Frames each drawing process should get at least: below this, starting it costs more than it saves.
MIN_FRAMES_PER_WORKER = 30


def drawing_workers(view: str, n_frames: int) -> int:
    """How many processes draw this view: one per CPU for the slow views, where fork is available."""
    if view not in PARALLEL_VIEWS or "fork" not in mp.get_all_start_methods():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, n_frames // MIN_FRAMES_PER_WORKER))


def _draw_frames(animator: Animator, indices: Iterable[int], fps: float,
                 outputs: dict[str, Path]) -> np.ndarray | None:
    """Draw the frames and stream each into every output (codec -> file); returns the last frame."""
    width, height = animator.size
    frame = None
    with contextlib.ExitStack() as pipes:
        sinks = [pipes.enter_context(FFmpegPipe(path, width, height, fps, codec)) for codec, path in outputs.items()]
        with _writer(sinks) as write:
            for index in indices:
                frame = animator.frame(index)
                write(frame)
    return frame


@contextlib.contextmanager
def _writer(sinks: Sequence[FFmpegPipe]) -> Iterator[Callable[[np.ndarray], None]]:
    """Frames go down the pipes on a thread of their own, so the next frame is drawn meanwhile
    (pipe writes release the GIL): about 20% more frames per second on 2 cores.

    The thread keeps taking frames after a failure, so the drawing side never blocks on a full
    queue; the failure is raised in the drawing thread at its next frame or at the end."""
    frames: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def run() -> None:
        while (frame := frames.get()) is not None:
            if not failure:
                try:
                    for sink in sinks:
                        sink.write(frame)
                except BaseException as error:  # handed to the drawing thread, which raises it
                    failure.append(error)

    def write(frame: np.ndarray) -> None:
        if failure:
            raise failure[0]
        frames.put(frame.copy())  # the canvas buffer is reused by the next frame

    thread = threading.Thread(target=run, name="optanim-writer", daemon=True)
    thread.start()
    try:
        yield write
    finally:
        frames.put(None)
        thread.join()
    if failure:
        raise failure[0]


def _draw_in_processes(animator: Animator, chunks: Sequence[range], parts: Sequence[dict[str, Path]],
                       fps: float, progress: Progress, view: str) -> None:
    """Each forked process draws one contiguous chunk of frames into its own part files.

    Fork, not spawn: a child starts with the figure already laid out and its background cached, and
    pays neither the imports (torch alone is over a second) nor the set-up again.
    """
    context = mp.get_context("fork")
    messages = context.Queue()
    processes = [context.Process(target=_worker, args=(animator, chunk, fps, outputs, messages), daemon=True)
                 for chunk, outputs in zip(chunks, parts)]
    total = sum(len(chunk) for chunk in chunks)
    try:
        for process in processes:
            process.start()
        for _ in progress(_frames_done(messages, processes), total, view):
            pass
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker stops its encoder and exits
        for process in processes:
            process.join()
        messages.close()


def _worker(animator: Animator, chunk: range, fps: float, outputs: dict[str, Path], messages) -> None:
    # The parent stops workers (and their encoders, through the pipes' __exit__) with SIGTERM; Ctrl-C
    # reaches the parent, which does that, so a worker ignores SIGINT rather than race it.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _draw_frames(animator, _report_each(chunk, messages), fps, outputs)
    except Exception as error:
        detail = str(error) if isinstance(error, OptanimError) else traceback.format_exc()
        messages.put((isinstance(error, OptanimError), detail))
        raise SystemExit(1) from None
    messages.put(None)


def _exit_on_signal(signum: int, frame) -> None:
    raise SystemExit(1)


def _report_each(chunk: range, messages) -> Iterator[int]:
    for index in chunk:
        yield index
        messages.put(1)  # sent once the frame has gone to the encoders


def _frames_done(messages, processes: Sequence) -> Iterator[int]:
    """Yields once per frame drawn by any worker; raises a worker's error, or if one died silently."""
    running = len(processes)
    while running:
        try:
            message = messages.get(timeout=0.5)
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise OptanimError(f"a drawing process died (exit {dead[0]})")
            continue
        if message is None:
            running -= 1
        elif message == 1:
            yield 1
        else:
            user_error, detail = message
            raise OptanimError(detail) if user_error else RuntimeError(f"a drawing process failed:\n{detail}")
