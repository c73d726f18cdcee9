"""Frames to files: raw RGBA frames piped into ffmpeg, GIF palette passes, parts joined without re-encoding."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Sequence

import numpy as np

from ..errors import OptanimError

#: GIF frame delays are whole hundredths of a second and players clamp short ones, so GIFs run at
#: most this many frames per second; it also keeps them small enough for a slide deck.
GIF_MAX_FPS = 15


def ffmpeg_exe() -> str:
    """imageio-ffmpeg's own ffmpeg: the machine need not have one."""
    import imageio_ffmpeg

    return os.environ.get("OPTANIM_FFMPEG") or imageio_ffmpeg.get_ffmpeg_exe()


def _run(args: Sequence[str], what: Path) -> None:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, start_new_session=True)
    if result.returncode != 0:
        raise OptanimError(f"{what}: ffmpeg failed (exit {result.returncode}): {_last_line(result.stderr)}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


#: How each kind of file is encoded from raw frames.
CODECS = {
    # H.264 in yuv420p with the index up front: plays in PowerPoint, Keynote, Slides and browsers.
    "mp4": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart"],
    # Lossless, for the GIF's two palette passes: no colour drift from chroma subsampling.
    # (libx264rgb at qp 0 is lossless RGB and twice as fast to write and read back as ffv1.)
    "mkv": ["-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast"],
    # The GIF's palette, gathered while the frames are drawn: histograms only, no frame is kept.
    "palette": ["-vf", "palettegen=stats_mode=diff", "-update", "1"],
}


class FFmpegPipe:
    """Streams RGBA frames into ffmpeg's stdin; nothing is held in memory or written per frame."""

    def __init__(self, target: Path, width: int, height: int, fps: float, codec: str) -> None:
        self.target, self.size, self.fps, self.codec = target, (width, height), fps, codec
        self._process: subprocess.Popen | None = None
        self._stderr: IO[bytes] | None = None

    def __enter__(self) -> FFmpegPipe:
        width, height = self.size
        # stderr goes to a file, not a pipe: a full pipe nobody reads would deadlock the writer.
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
             "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(self.fps),
             "-i", "pipe:", *CODECS[self.codec], str(self.target)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
            # Its own session: Ctrl-C at a terminal reaches optanim alone, which stops the encoder
            # and cleans up, instead of ffmpeg dying first and being reported as a failure.
            start_new_session=True)
        return self

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.size[1], self.size[0], 4):
            raise ValueError(f"frame of shape {frame.shape}, expected {(self.size[1], self.size[0], 4)}")
        try:
            self._process.stdin.write(memoryview(np.ascontiguousarray(frame)))
        except (BrokenPipeError, OSError):
            self._process.wait()
            raise OptanimError(f"{self.target}: the encoder stopped (exit {self._process.returncode}): "
                               f"{self._error_text()}") from None

    def _error_text(self) -> str:
        self._stderr.seek(0)
        return _last_line(self._stderr.read().decode(errors="replace"))

    def __exit__(self, exc_type, exc, tb) -> None:
        process = self._process
        try:
            if exc_type is not None:
                process.kill()
                process.wait()
                return
            try:
                process.stdin.close()
            except OSError:
                pass
            code = process.wait()
            if code != 0:
                raise OptanimError(f"{self.target}: ffmpeg failed (exit {code}): {self._error_text()}")
        finally:
            if process.stdin and not process.stdin.closed:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            self._stderr.close()


def gif_from_video(source: Path, target: Path, fps: float, palette: Path | None = None) -> None:
    """A looping GIF from a lossless video with a palette made for it (made here if not given)."""
    rate = f"fps={min(fps, GIF_MAX_FPS)}"
    made = palette is None
    palette = palette or target.with_name(target.stem + ".palette.png")
    try:
        if made:
            _run(["-i", str(source), "-vf", f"{rate},{CODECS['palette'][1]}", "-update", "1", str(palette)],
                 target)
        _run(["-i", str(source), "-i", str(palette), "-lavfi",
              f"{rate}[v];[v][1:v]paletteuse=dither=sierra2_4a:diff_mode=rectangle",
              "-loop", "0", str(target)], target)
    finally:
        if made:
            palette.unlink(missing_ok=True)


def concat(parts: Sequence[Path], target: Path) -> None:
    """Join parts encoded alike into one file without re-encoding (ffmpeg's concat demuxer)."""
    listing = parts[0].with_name(f".{target.stem}.parts.txt")
    # The demuxer reads single-quoted names; a quote inside one is written '\''.
    listing.write_text("".join("file '{}'\n".format(str(p.resolve()).replace("'", "'\\''")) for p in parts))
    faststart = ["-movflags", "+faststart"] if target.suffix == ".mp4" else []
    try:
        _run(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", *faststart, str(target)], target)
    finally:
        listing.unlink(missing_ok=True)
