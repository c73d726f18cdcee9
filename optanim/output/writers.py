"""One writer per output format: the sinks it feeds while frames are drawn, then what makes its file.

A new format (or an inline display, or a test double) is a new Writer here, not a branch in the
frame loop. Every file is written under a temporary name and renamed only when complete.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

import imageio.v3 as iio
import numpy as np

from ..stage.animator import Animator
from .atomic import atomic_target
from .containers import embed, ffmpeg_metadata, pdf_metadata
from .ffmpeg import DEFAULT_GIF_MAX_MB, FFmpegPipe, concat, gif_from_video
from ..progress import Progress, no_progress
from .frames import draw_frames
from .manifest import for_file
from .parallel import draw_in_processes


class Sink(Protocol):
    def __enter__(self) -> Sink: ...
    def __exit__(self, *exc) -> None: ...
    def write(self, frame: np.ndarray) -> None: ...


@dataclass(frozen=True)
class Job:
    """What every writer of one animation shares: where its scratch files go, the frame rate, and the
    manifest its files carry (None: none) with the views they show."""

    scratch: Path
    size: tuple[int, int]
    fps: float
    manifest: Mapping[str, Any] | None = None
    views: tuple[str, ...] = ()

    def pipe(self, target: Path, codec: str, tags: Sequence[str] = ()) -> FFmpegPipe:
        return FFmpegPipe(target, *self.size, self.fps, codec, tags)

    def stamp(self, fmt: str) -> str | None:
        """The manifest's text for this job's file in `fmt`."""
        return None if self.manifest is None else for_file(self.manifest, self.views, fmt)


class Writer:
    """Base: a writer of `fmt` fed no frames (a still made at the end)."""

    fmt = ""
    #: Whether forked drawing processes can feed it (their sinks must be files to join).
    parallel = True

    def sinks(self, job: Job, partial: Path, part: int | None) -> list[Sink]:
        """What the frames go into while drawing: `part` is a drawing process's chunk (None: serial)."""
        return []

    def finish(self, job: Job, partial: Path, parts: int, animator: Animator, last: np.ndarray | None,
               last_index: int) -> None:
        """Make the file at `partial` once every frame is drawn (from `parts` chunks, 0 if serial)."""


class VideoWriter(Writer):
    """MP4 (H.264) or WebM (VP9): streamed into the encoder, parts joined without re-encoding."""

    def __init__(self, fmt: str = "mp4") -> None:
        self.fmt = fmt

    def _part(self, job: Job, k: int) -> Path:
        return job.scratch / f"part{k}.{self.fmt}"

    def sinks(self, job, partial, part):
        if part is not None:
            return [job.pipe(self._part(job, part), self.fmt)]
        return [job.pipe(partial, self.fmt, ffmpeg_metadata(job.stamp(self.fmt)))]

    def finish(self, job, partial, parts, animator, last, last_index):
        if parts:
            concat([self._part(job, k) for k in range(parts)], partial, ffmpeg_metadata(job.stamp(self.fmt)))


class GifWriter(Writer):
    """A looping GIF: a lossless intermediate while drawing (and its palette, when drawn serially),
    then the palette passes."""

    fmt = "gif"

    def __init__(self, max_mb: float | None = DEFAULT_GIF_MAX_MB, note: Callable[[str], None] | None = None) -> None:
        self.max_mb, self.note = max_mb, note

    def sinks(self, job, partial, part):
        if part is not None:
            return [job.pipe(job.scratch / f"part{part}.mkv", "mkv")]
        return [job.pipe(job.scratch / "lossless.mkv", "mkv"), job.pipe(job.scratch / "palette.png", "palette")]

    def finish(self, job, partial, parts, animator, last, last_index):
        lossless = job.scratch / "lossless.mkv"
        if parts:
            concat([job.scratch / f"part{k}.mkv" for k in range(parts)], lossless)
        text = job.stamp(self.fmt)
        choice = gif_from_video(lossless, partial, job.fps, None if parts else job.scratch / "palette.png",
                                max_mb=self.max_mb, stamp=None if text is None else lambda gif: embed(gif, text))
        if self.note:
            budget = f"budget {self.max_mb:g} MB" if self.max_mb else "no budget"
            self.note(f"gif: {choice} ({budget})")


class StillWriter(Writer):
    """The last frame as a still: PNG from the pixels drawn, PDF and SVG drawn again as vectors."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def finish(self, job, partial, parts, animator, last, last_index):
        text = job.stamp(self.fmt)
        if self.fmt == "png":
            pixels = last if last is not None else animator.frame(last_index)
            iio.imwrite(partial, pixels[..., :3], extension=".png")
        else:
            animator.save_still(last_index, str(partial), pdf_metadata(text) if self.fmt == "pdf" else {})
        if text is not None and self.fmt != "pdf":
            embed(partial, text)


class FrameCounter:
    """A sink that keeps nothing: counts frames and checks their size (the frame loop's test double)."""

    def __init__(self, owner: NullWriter, size: tuple[int, int]) -> None:
        self.owner, self.size = owner, size

    def __enter__(self) -> FrameCounter:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.size[1], self.size[0], 4):
            raise ValueError(f"frame of shape {frame.shape}, expected {(self.size[1], self.size[0], 4)}")
        self.owner.frames += 1
        self.owner.last = frame.copy()


class NullWriter(Writer):
    """Writes no file: counts the frames it is fed and keeps the last (for tests of the frame loop)."""

    fmt = "null"
    parallel = False

    def __init__(self) -> None:
        self.frames, self.last = 0, None

    def sinks(self, job, partial, part):
        return [FrameCounter(self, job.size)]


WRITERS: dict[str, Callable[..., Writer]] = {
    "mp4": VideoWriter,
    "webm": lambda: VideoWriter("webm"),
    "gif": GifWriter,
    "png": lambda: StillWriter("png"),
    "pdf": lambda: StillWriter("pdf"),
    "svg": lambda: StillWriter("svg"),
}
#: A deck of every view (output/pptx.py), made by render_stage from their MP4s and last frames.
DECK = "pptx"
FORMATS = (*WRITERS, DECK)


def write_animation(animator: Animator, n_frames: int, name: str, fps: float, writers: Sequence[Writer],
                    folder: Path, progress: Progress = no_progress, workers: int = 1,
                    manifest: Mapping[str, Any] | None = None) -> list[Path]:
    """Frames 0..n_frames-1 into every writer, as folder/<name>.<fmt>; each file complete or absent,
    and carrying `manifest` (manifest.manifest_for's) where one is given.

    With several `workers` (and writers that allow it), forked processes draw contiguous chunks."""
    targets = {w.fmt: folder / f"{name}.{w.fmt}" for w in writers if w.fmt != "null"}
    job_size = animator.size
    with contextlib.ExitStack() as files:
        partial = {fmt: files.enter_context(atomic_target(target)) for fmt, target in targets.items()}
        scratch = Path(files.enter_context(tempfile.TemporaryDirectory(dir=folder, prefix=".optanim-")))
        job = Job(scratch=scratch, size=job_size, fps=fps, manifest=manifest, views=(name,))
        place = lambda w: partial.get(w.fmt, scratch / "null")  # noqa: E731
        fed = [w for w in writers if w.sinks(job, place(w), None)]
        count = min(n_frames, workers) if fed and all(w.parallel for w in fed) else 1
        last, parts = None, 0
        if fed and count > 1:
            chunks = [range(int(c[0]), int(c[-1]) + 1) for c in np.array_split(np.arange(n_frames), count)]
            sinks_of = lambda k: [s for w in fed for s in w.sinks(job, place(w), k)]  # noqa: E731
            draw_in_processes(animator, chunks, sinks_of, progress, name)
            parts = len(chunks)
        elif fed:
            sinks = [s for w in fed for s in w.sinks(job, place(w), None)]
            last = draw_frames(animator, progress(range(n_frames), n_frames, name), sinks)
        for writer in writers:
            writer.finish(job, place(writer), parts, animator, last, n_frames - 1)
    return list(targets.values())


def writers_for(formats: Iterable[str], gif_max_mb: float | None = DEFAULT_GIF_MAX_MB,
                note: Callable[[str], None] | None = None) -> list[Writer]:
    """One writer per format; the GIF's keeps to its size budget and says what it chose."""
    return [GifWriter(gif_max_mb, note) if fmt == "gif" else WRITERS[fmt]() for fmt in formats]
