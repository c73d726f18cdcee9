"""Encoded files play true to colour in every player: BT.709 tags, H.264 levels, WebM, GIF budgets."""

from __future__ import annotations

import os
import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from optanim.output.ffmpeg import FFmpegPipe, GifChoice, concat, ffmpeg_exe, gif_from_video, gif_settings
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES

#: The optimizers' colours (Okabe-Ito), as drawn.
PATCHES = [(0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00), (0x00, 0x9E, 0x73),
           (0xCC, 0x79, 0xA7), (0xE6, 0x9F, 0x00), (0x56, 0xB4, 0xE9)]


def patch_frame(width: int, height: int) -> np.ndarray:
    """Six flat vertical stripes, one per optimizer colour, as an RGBA frame."""
    frame = np.full((height, width, 4), 255, np.uint8)
    edges = np.linspace(0, width, len(PATCHES) + 1).astype(int)
    for colour, left, right in zip(PATCHES, edges, edges[1:]):
        frame[:, left:right, :3] = colour
    return frame


def patch_centres(frame: np.ndarray) -> np.ndarray:
    height, width = frame.shape[:2]
    columns = ((np.arange(len(PATCHES)) + 0.5) * width / len(PATCHES)).astype(int)
    return frame[height // 2, columns, :3].astype(int)


def encode(path, frames, fps: float, codec: str) -> None:
    height, width = frames[0].shape[:2]
    with FFmpegPipe(path, width, height, fps, codec) as pipe:
        for frame in frames:
            pipe.write(frame)


def ffmpeg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", *args], capture_output=True, check=False)


def video_stream(path) -> str:
    """The `Video:` line `ffmpeg -i` prints: codec, pixel format with range and colour tags, size."""
    lines = ffmpeg("-i", str(path)).stderr.decode().splitlines()
    return next(line for line in lines if "Video:" in line)


def decode(path, width: int, height: int, matrix: str | None = None) -> np.ndarray:
    """Every frame as RGB (n, h, w, 3), converted by the stream's own tags as a player does, with
    exact rounding; `matrix` overrides the tagged one."""
    scale = ["-vf", f"scale=in_color_matrix={matrix}:in_range=tv"] if matrix else []
    result = ffmpeg("-loglevel", "error", "-i", str(path), *scale, "-sws_flags", "accurate_rnd+full_chroma_int",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    assert result.returncode == 0, result.stderr.decode()
    return np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width, 3)


def h264_level(path) -> int:
    """level_idc from the stream's sequence parameter set (51 is level 5.1)."""
    trace = ffmpeg("-i", str(path), "-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-").stderr.decode()
    return int(re.search(r"level_idc\s+[01]+ = (\d+)", trace).group(1))


@pytest.mark.parametrize("codec", ["mp4", "webm"])
@pytest.mark.parametrize("width, height", [(854, 480), (1280, 720)])
def test_colours_are_bt709_tagged_and_true_after_decoding(tmp_path, codec, width, height):
    path = tmp_path / f"patches.{codec}"
    encode(path, [patch_frame(width, height)] * 3, 30, codec)
    assert "yuv420p(tv, bt709" in video_stream(path)  # "bt709" alone: matrix, primaries and transfer agree
    frames = decode(path, width, height)
    assert len(frames) == 3
    for frame in frames:
        assert np.abs(patch_centres(frame) - PATCHES).max() <= 2
    # the tags matter: read as BT.601 (what an untagged stream gets in some players) the colours shift
    assert np.abs(patch_centres(decode(path, width, height, "bt601")[0]) - PATCHES).max() > 8


@pytest.mark.parametrize("codec", ["mp4", "webm"])
def test_parts_joined_keep_tags_colours_and_every_frame(tmp_path, codec):
    width, height = 854, 480
    parts = [tmp_path / f"part{k}.{codec}" for k in range(2)]
    encode(parts[0], [patch_frame(width, height)] * 12, 30, codec)
    encode(parts[1], [patch_frame(width, height)] * 8, 30, codec)
    joined = tmp_path / f"joined.{codec}"
    concat(parts, joined)
    stream = video_stream(joined)
    assert "yuv420p(tv, bt709" in stream and f"{width}x{height}" in stream
    frames = decode(joined, width, height)
    assert len(frames) == 20
    assert np.abs(patch_centres(frames[-1]) - PATCHES).max() <= 2


def test_webm_is_vp9_of_the_right_size_and_length(tmp_path):
    path = tmp_path / "clip.webm"
    rng = np.random.default_rng(0)
    frames = [np.dstack([rng.integers(0, 256, (240, 320, 3), np.uint8), np.full((240, 320), 255, np.uint8)])
              for _ in range(20)]
    encode(path, frames, 30, "webm")
    stream = video_stream(path)
    assert "vp9" in stream and "320x240" in stream
    assert len(decode(path, 320, 240)) == 20


def test_4k_preset_is_30_fps(tmp_path):
    assert QUALITIES["k"].fps == 30 and QUALITIES["k"].folder == "2160p30"


@pytest.mark.parametrize("key, fps", [("k", None), ("k", 60), ("h", None)])
def test_h264_level_is_at_most_5_1_for_windows(tmp_path, key, fps):
    quality = QUALITIES[key] if fps is None else QUALITIES[key].with_fps(fps)
    path = tmp_path / "level.mp4"
    encode(path, [patch_frame(quality.width, quality.height)] * 2, quality.fps, "mp4")
    assert h264_level(path) <= 51


def test_small_videos_keep_the_level_libx264_picks(tmp_path):
    # the 5.1 cap is for fast 4K only: a 480p stream labelled 5.1 would be refused by small decoders
    quality = QUALITIES["l"]
    path = tmp_path / "small.mp4"
    encode(path, [patch_frame(quality.width, quality.height)] * 2, quality.fps, "mp4")
    assert h264_level(path) < 40


def test_with_fps_changes_rate_and_folder_only():
    high = QUALITIES["h"]
    slow = high.with_fps(24)
    assert (slow.fps, slow.folder) == (24, "1080p24")
    assert (slow.name, slow.width, slow.height) == (high.name, high.width, high.height)
    for bad in (0, -5, 1000, 29.97, True):
        with pytest.raises(OptanimError, match="fps: "):
            high.with_fps(bad)


@pytest.fixture
def noisy_lossless(tmp_path):
    """One second of noise at 30 fps, losslessly: the worst case for a GIF's size. (4096 colours, not
    millions: palettegen's time grows with the colours it counts.)"""
    rng = np.random.default_rng(1)
    frames = [np.dstack([rng.integers(0, 16, (72, 96, 3), np.uint8) * 17, np.full((72, 96), 255, np.uint8)])
              for _ in range(30)]
    path = tmp_path / "noise.mkv"
    encode(path, frames, 30, "mkv")
    return path


def test_gif_over_budget_steps_down_until_it_fits(tmp_path, noisy_lossless):
    free = gif_from_video(noisy_lossless, tmp_path / "free.gif", 30, max_mb=None)
    assert (free.fps, free.colors, free.scale) == gif_settings(30)[0]
    budget = free.size_mb / 2
    target = tmp_path / "budget.gif"
    choice = gif_from_video(noisy_lossless, target, 30, max_mb=budget)
    assert isinstance(choice, GifChoice)
    assert choice.size_mb <= budget and choice.size_mb == pytest.approx(target.stat().st_size / 1e6)
    assert (choice.fps, choice.colors, choice.scale) in gif_settings(30)[1:]
    gif = Image.open(target)
    assert gif.n_frames == round(choice.fps)  # one second of frames, thinned to the chosen rate
    assert gif.size == (round(96 * choice.scale), round(72 * choice.scale))
    assert f"{choice.colors} colours" in str(choice)
    assert sorted(os.listdir(tmp_path)) == ["budget.gif", "free.gif", "noise.mkv"]  # no attempt left behind


def test_gif_budget_out_of_reach_names_the_field_and_the_smallest_size(tmp_path, noisy_lossless):
    target = tmp_path / "tiny.gif"
    with pytest.raises(OptanimError, match=r"gif_max_mb: 0\.0001 MB .*smallest GIF is .*[\d.]+ MB") as error:
        gif_from_video(noisy_lossless, target, 30, max_mb=0.0001)
    smallest = gif_settings(30)[-1]
    assert f"{smallest[0]:g} fps, {smallest[1]} colours, {smallest[2]:.0%} size" in str(error.value)
    assert sorted(os.listdir(tmp_path)) == ["noise.mkv"]


def test_gif_budget_must_be_positive(tmp_path, noisy_lossless):
    with pytest.raises(OptanimError, match="gif_max_mb"):
        gif_from_video(noisy_lossless, tmp_path / "x.gif", 30, max_mb=0)
