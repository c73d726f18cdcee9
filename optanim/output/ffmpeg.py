"""Frames to files: raw RGBA frames piped into ffmpeg, GIF palette passes, parts joined without re-encoding."""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Sequence

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


#: RGB to limited-range YUV by the BT.709 matrix, and the stream tagged so. Untagged, browsers read
#: it as BT.709 and others as BT.601, so some player always shifts the colours. Tagged by setparams,
#: not -color_primaries/-color_trc: ffmpeg 9 lets a frame's own properties override those options.
BT709 = ("scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int,format=yuv420p,"
         "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")
#: The same, keeping the frames' alpha: 4:2:0 with a full-size alpha plane (VP9), or 10-bit 4:4:4 (ProRes).
BT709_ALPHA = BT709.replace("format=yuv420p", "format=yuva420p")
BT709_PRORES = BT709.replace("format=yuv420p", "format=yuva444p10le")

#: How each kind of file is encoded from raw frames (the encoder first: the benchmark hands
#: CODECS["mp4"][1] and the rest to matplotlib's writer).
CODECS = {
    # H.264 with the index up front: plays in PowerPoint, Keynote, Slides and browsers.
    "mp4": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-movflags", "+faststart", "-vf", BT709],
    # VP9, for web pages; realtime speed keeps it about as fast as the H.264 encoder.
    "webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
             "-crf", "32", "-b:v", "0", "-vf", BT709],
    # VP9 with its alpha beside it (a second stream, which only the libvpx decoder reads): browsers.
    # The alpha doubles what VP9 spends; tuned for screen content (flat areas, text), with x264's
    # keyframe spacing (each VP9 keyframe with its alpha is about 130 kB at 480p) and crf 36, it
    # stays within 2.5x the MP4 (exp1's loss view at 480p: 4.4x with the opaque WebM's settings,
    # 2.3x with these; alpha error 0.4/255, colour 0.5 dB below crf 32).
    "webm-alpha": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "6", "-row-mt", "1",
                   "-tune-content", "screen", "-g", "250", "-crf", "36", "-b:v", "0", "-vf", BT709_ALPHA],
    # Animated PNG: lossless RGBA, every frame shown forever in a loop (PowerPoint, Keynote, browsers).
    "apng": ["-f", "apng", "-plays", "0", "-pix_fmt", "rgba"],
    # ProRes 4444 with a 16-bit alpha, tagged as Apple's own so Final Cut and Keynote take it as theirs.
    "mov": ["-c:v", "prores_ks", "-profile:v", "4444", "-vendor", "apl0", "-vf", BT709_PRORES],
    # The web page's H.264: a keyframe each second at 15 fps, so a seek to any step decodes little.
    "html": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "15", "-movflags", "+faststart",
             "-vf", BT709],
    # Lossless, for the GIF's two palette passes: no colour drift from chroma subsampling.
    # (libx264rgb at qp 0 is lossless RGB and twice as fast to write and read back as ffv1.)
    "mkv": ["-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast"],
    # The GIF's palette, gathered while the frames are drawn: histograms only, no frame is kept.
    "palette": ["-vf", "palettegen=stats_mode=diff", "-update", "1"],
}

#: H.264 level 5.1 (4K at 30 fps) is the most Windows' decoder, and so PowerPoint, accepts:
#: its largest frame and its macroblocks per second.
LEVEL_51_FRAME_MBS, LEVEL_51_MB_RATE = 36864, 983040


def codec_args(codec: str, width: int, height: int, fps: float) -> list[str]:
    """ffmpeg's output options for one of CODECS at this frame size and rate."""
    if codec not in ("mp4", "html"):
        return CODECS[codec]
    # libx264 picks the level from size and rate; where the frame fits 5.1 but the rate is over it
    # (4K above 30 fps) the label is held at 5.1, so PowerPoint tries it rather than refusing it.
    mbs = -(-width // 16) * -(-height // 16)
    capped = mbs <= LEVEL_51_FRAME_MBS and mbs * fps > LEVEL_51_MB_RATE
    return CODECS[codec] + (["-level", "5.1"] if capped else [])


class FFmpegPipe:
    """Streams RGBA frames into ffmpeg's stdin; nothing is held in memory or written per frame."""

    def __init__(self, target: Path, width: int, height: int, fps: float, codec: str,
                 tags: Sequence[str] = ()) -> None:
        """`tags`: output options that tag the file (the manifest's -metadata)."""
        self.target, self.size, self.fps, self.codec = target, (width, height), fps, codec
        self.tags = list(tags)
        self._process: subprocess.Popen | None = None
        self._stderr: IO[bytes] | None = None

    def __enter__(self) -> FFmpegPipe:
        width, height = self.size
        # stderr goes to a file, not a pipe: a full pipe nobody reads would deadlock the writer.
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
             "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(self.fps),
             "-i", "pipe:", *codec_args(self.codec, width, height, self.fps), *self.tags, str(self.target)],
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


#: A GIF size that suits a slide deck; gif_from_video steps down its settings to fit it.
DEFAULT_GIF_MAX_MB = 4.0
#: What a GIF gives up to fit its budget, least seen first: frames (thinned to these rates), then
#: pixels (scaled by these factors), and at each of those, colours. Colours come last because once
#: dithered they save little: the exp5 surface at 480p is 5.6 MB at 256 colours, 5.2 MB at 64 and
#: 3.8 MB at 256 colours and 10 fps.
GIF_THINNED_RATES = (10, 8)
GIF_SCALES = (1.0, 0.75, 0.5)
GIF_COLOURS = (256, 128, 64)
#: The size a GIF keeps when its colours are halved (about, from the figures above): with frames
#: and pixels, it guesses which settings cannot fit, so those are not tried.
COLOUR_HALVING_KEEPS = 0.95
MB = 1_000_000


@dataclass(frozen=True)
class GifChoice:
    """The settings a GIF was written with, and its size: for the CLI to report."""

    fps: float
    colors: int
    scale: float
    size_mb: float

    def __str__(self) -> str:
        scaled = "" if self.scale == 1 else f", {self.scale:.0%} size"
        return f"{self.fps:g} fps, {self.colors} colours{scaled}, {self.size_mb:.3g} MB"


def gif_settings(fps: float) -> list[tuple[float, int, float]]:
    """(fps, colours, scale) from the best to the smallest GIF."""
    best = min(fps, GIF_MAX_FPS)
    rates = [best, *(rate for rate in GIF_THINNED_RATES if rate < best)]
    frames = [(rate, 1.0) for rate in rates] + [(rates[-1], scale) for scale in GIF_SCALES[1:]]
    return [(rate, colours, scale) for rate, scale in frames for colours in GIF_COLOURS]


def _expected_mb(measured: GifChoice, setting: tuple[float, int, float]) -> float:
    """A GIF's size at `setting`, guessed from one measured: in proportion to frames and pixels."""
    rate, colours, scale = setting
    return (measured.size_mb * rate / measured.fps * (scale / measured.scale) ** 2
            * COLOUR_HALVING_KEEPS ** math.log2(measured.colors / colours))


def gif_from_video(source: Path, target: Path, fps: float, palette: Path | None = None,
                   max_mb: float | None = DEFAULT_GIF_MAX_MB,
                   stamp: Callable[[Path], None] | None = None) -> GifChoice:
    """A looping GIF from a lossless video, with a palette made for it, of at most `max_mb` MB.

    The best settings first, then down gif_settings until one fits, re-running only the two palette
    passes and skipping settings guessed too big; None: no budget. `palette`, gathered while
    drawing, serves the first try. `stamp` adds to each try (the manifest) before it is measured.
    """
    if max_mb is not None and not max_mb > 0:
        raise OptanimError(f"gif_max_mb: {max_mb} is not allowed; a size in MB above 0, or none")
    settings = gif_settings(fps)
    choice = None
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.stem}.gif-") as scratch:
        attempt = Path(scratch) / "attempt.gif"
        for k, setting in enumerate(settings):
            if choice is not None and k < len(settings) - 1 and _expected_mb(choice, setting) > max_mb:
                continue
            choice = _write_gif(source, attempt, setting, palette if k == 0 else None, Path(scratch), stamp)
            if max_mb is None or choice.size_mb <= max_mb:
                os.replace(attempt, target)
                return choice
    raise OptanimError(f"gif_max_mb: {max_mb:g} MB is out of reach, the smallest GIF is {choice}; "
                       "allow more, or render fewer seconds or a lower quality")


def _write_gif(source: Path, target: Path, setting: tuple[float, int, float], palette: Path | None,
               scratch: Path, stamp: Callable[[Path], None] | None = None) -> GifChoice:
    """One GIF at one (fps, colours, scale), with `palette` or, if None, one made for it in `scratch`."""
    rate, colours, scale = setting
    frames = f"fps={rate}" + ("" if scale == 1 else f",scale=round(iw*{scale}):-1:flags=lanczos")
    if palette is None:
        palette = scratch / "palette.png"
        _run(["-i", str(source), "-vf", f"{frames},palettegen=stats_mode=diff:max_colors={colours}",
              "-update", "1", str(palette)], target)
    _run(["-i", str(source), "-i", str(palette), "-lavfi",
          f"{frames}[v];[v][1:v]paletteuse=dither=sierra2_4a:diff_mode=rectangle", "-loop", "0", str(target)],
         target)
    if stamp is not None:
        stamp(target)
    return GifChoice(rate, colours, scale, target.stat().st_size / MB)


def concat(parts: Sequence[Path], target: Path, tags: Sequence[str] = ()) -> None:
    """Join parts encoded alike into one file without re-encoding (ffmpeg's concat demuxer), tagged
    with `tags` (output options)."""
    listing = parts[0].with_name(f".{target.stem}.parts.txt")
    # The demuxer reads single-quoted names; a quote inside one is written '\''.
    listing.write_text("".join("file '{}'\n".format(str(p.resolve()).replace("'", "'\\''")) for p in parts))
    faststart = ["-movflags", "+faststart"] if target.suffix in (".mp4", ".mov") else []
    try:
        _run(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", *faststart, *tags, str(target)], target)
    finally:
        listing.unlink(missing_ok=True)
