"""Rendered files as players see them: colours decoded by the stream's tags match the PNG still, and
the WebM format is a real, atomic VP9 file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import optanim
from optanim.draw import style
from optanim.errors import OptanimError

from helpers import tiny_scene, use_failing_ffmpeg
from test_encode import decode, video_stream


def solid_pixels(still: np.ndarray, colour: str, radius: int = 3) -> np.ndarray:
    """(row, col) of pixels of exactly this colour whose whole neighbourhood is that colour: inside a
    marker, where chroma subsampling cannot blur in the white around it."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    exact = (still == rgb).all(axis=-1)
    inside = exact.copy()
    for dr in range(-radius, radius + 1):
        for dc in range(-radius, radius + 1):
            inside &= np.roll(exact, (dr, dc), axis=(0, 1))
    return np.argwhere(inside)


@pytest.mark.parametrize("quality, size", [("l", (854, 480)), ("m", (1280, 720))])
def test_mp4_is_bt709_tagged_and_its_colours_match_the_png(tmp_path, quality, size):
    scene = tiny_scene(duration=0.4, hold=0.2)
    written = optanim.render(scene, views=["contour"], quality=quality, formats=["mp4", "png"], out=tmp_path)
    mp4, png = written
    assert "yuv420p(tv, bt709" in video_stream(mp4)
    still = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    last = decode(mp4, *size)[-1].astype(int)
    misread = decode(mp4, *size, matrix="bt601")[-1].astype(int)   # what an untagged BT.601 file gave
    checked = []
    for key in ("sgd", "adam"):
        # 4:2:0 video shares one colour among 2x2 pixels: only well inside a marker is the colour alone.
        where = solid_pixels(still, style.colour(key))
        if len(where) < 5:
            continue
        checked.append(key)
        rows, cols = where.T
        # The colour a viewer sees: the median over the marker (single pixels carry the codec's noise,
        # a few levels either way; a wrong matrix shifts them all, by about 5 levels in R and G).
        # Within 2 levels on flat patches (test_encode). In a rendered frame a marker is small, and
        # x264 at CRF 20 moves its chroma by up to 4 levels depending on the frames around it
        # (measured: 1 to 6 for the same still fed 1, 9 or 18 times); the BT.601 misreading that
        # the tags prevent moves R by about 10.
        seen, wrong = np.median(last[rows, cols], axis=0), np.median(misread[rows, cols], axis=0)
        true = still[rows[0], cols[0]]
        assert np.abs(seen - true).max() <= 4, (key, seen)
        assert np.abs(seen - true).sum() < np.abs(wrong - true).sum(), (key, seen, wrong)
    assert "sgd" in checked   # its round legend marker is large enough at every preset


def test_webm_is_vp9_with_every_frame(tmp_path):
    scene = tiny_scene(duration=0.6, hold=0.2)
    webm, = optanim.render(scene, views=["loss"], quality="l", formats=["webm"], out=tmp_path)
    stream = video_stream(webm)
    assert "vp9" in stream and "854x480" in stream and "bt709" in stream
    assert len(decode(webm, 854, 480)) == round(0.6 * 15) + round(0.2 * 15)


def test_webm_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    scene = tiny_scene(duration=0.4, hold=0)
    good, = optanim.render(scene, views=["lr"], quality="l", formats=["webm"], out=tmp_path)
    before = good.read_bytes()
    use_failing_ffmpeg(tmp_path, monkeypatch)
    with pytest.raises(OptanimError):
        optanim.render(scene, views=["lr"], quality="l", formats=["webm"], out=tmp_path, cache=False)
    assert good.read_bytes() == before
    assert not [p for p in good.parent.iterdir() if "partial" in p.name]


def test_gif_budget_is_kept_and_said(tmp_path):
    notes = []
    gif, = optanim.render(tiny_scene(duration=1.0), views=["surface"], quality="l", formats=["gif"],
                          out=tmp_path, gif_max_mb=0.3, note=notes.append)
    assert gif.stat().st_size <= 0.3e6
    assert notes and notes[0].startswith("gif: ") and "budget 0.3 MB" in notes[0]
