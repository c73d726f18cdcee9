"""One writer per output format: the sinks it feeds while frames are drawn, then what makes its file.

A new format (or an inline display, or a test double) is a new Writer here, not a branch in the
frame loop. Every file is written under a temporary name and renamed only when complete.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import imageio.v3 as iio
import numpy as np

from ..stage.animator import Animator
from ..draw.storyboard import Movie
from ..errors import OptanimError
from ..stage.grid import Grid
from .alpha import check_transparent
from .atomic import atomic_target
from .base import Job, Writer
from .containers import embed, ffmpeg_metadata, pdf_metadata
from .ffmpeg import DEFAULT_GIF_MAX_MB, concat, gif_from_video
from ..progress import Progress, no_progress
from .frames import draw_frames
from .html import HtmlWriter
from .parallel import draw_in_processes


class VideoWriter(Writer):
    """MP4 (H.264), WebM (VP9), APNG or ProRes (.mov): streamed into the encoder, parts joined without
    re-encoding. `codec`: one of ffmpeg.CODECS (default: the format's own). The manifest goes in the
    container's comment tag, or (APNG, whose muxer keeps no tags) in an iTXt chunk once it is made."""

    def __init__(self, fmt: str = "mp4", codec: str | None = None) -> None:
        self.fmt, self.codec = fmt, codec or fmt

    def _part(self, job: Job, k: int) -> Path:
        return job.scratch / f"part{k}.{self.fmt}"

    def _tags(self, job: Job) -> list[str]:
        return [] if self.fmt == "apng" else ffmpeg_metadata(job.stamp(self.fmt))

    def sinks(self, job, partial, part):
        if part is not None:
            return [job.pipe(self._part(job, part), self.codec)]
        return [job.pipe(partial, self.codec, self._tags(job))]

    def finish(self, job, partial, parts, animator, last, last_index):
        if parts:
            concat([self._part(job, k) for k in range(parts)], partial, self._tags(job))
        text = job.stamp(self.fmt)
        if self.fmt == "apng" and text is not None:
            embed(partial, text)


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
    """The last frame as a still: PNG from the pixels drawn (with their alpha, if `keep_alpha`), PDF
    and SVG drawn again as vectors (transparent where the figure is)."""

    def __init__(self, fmt: str, keep_alpha: bool = False) -> None:
        self.fmt, self.keep_alpha = fmt, keep_alpha

    def finish(self, job, partial, parts, animator, last, last_index):
        text = job.stamp(self.fmt)
        if self.fmt == "png":
            pixels = last if last is not None else animator.frame(last_index)
            iio.imwrite(partial, pixels if self.keep_alpha else pixels[..., :3], extension=".png")
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
    "html": HtmlWriter,
    "apng": lambda: VideoWriter("apng"),
    "mov": lambda: VideoWriter("mov"),
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
                note: Callable[[str], None] | None = None, *, transparent: bool = False,
                stage: Movie | Grid | None = None) -> list[Writer]:
    """One writer per format; the GIF's keeps to its size budget and says what it chose; the web
    page's reads each step's readout from the `stage`. `transparent`: each keeps the frames' alpha
    (check_transparent says which can)."""
    formats = list(formats)
    check_transparent(formats, transparent)
    made = []
    for fmt in formats:
        if fmt == "gif":
            made.append(GifWriter(gif_max_mb, note))
        elif fmt == "html":
            if stage is None:
                raise OptanimError("formats: html steps through optimizer runs, and this animation has none; "
                                   "use mp4 or webm")
            made.append(HtmlWriter(stage))
        elif transparent and fmt in TRANSPARENT:
            made.append(TRANSPARENT[fmt]())
        else:
            made.append(WRITERS[fmt]())
    return made


#: What --transparent changes: the WebM gets VP9's alpha, the PNG still keeps its alpha.
TRANSPARENT: dict[str, Callable[[], Writer]] = {
    "webm": lambda: VideoWriter("webm", "webm-alpha"),
    "png": lambda: StillWriter("png", keep_alpha=True),
}
