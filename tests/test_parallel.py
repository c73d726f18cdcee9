"""Drawing a video in several processes gives the video one process draws, and keeps its guarantees."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

import optanim
from optanim.errors import OptanimError
from optanim.output.parallel import forget_parent_fonts
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie, render_view

from helpers import decode, tiny_scene, use_failing_ffmpeg

QUALITY = QUALITIES["l"]


@pytest.fixture(scope="module")
def movie():
    scene = tiny_scene()
    return build_movie(scene, optanim.record(scene), QUALITY)


def test_parallel_surface_matches_serial(movie, tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    serial.mkdir()
    parallel.mkdir()
    render_view(movie, "surface", QUALITY, ["mp4", "gif"], serial, workers=1)
    reported = []

    def progress(items, total, description):
        items = list(items)   # one item per frame the workers report drawn
        reported.append((len(items), total, description))
        return items

    render_view(movie, "surface", QUALITY, ["mp4", "gif"], parallel, progress, workers=2)
    assert reported == [(movie.timeline.n_frames, movie.timeline.n_frames, "surface")]
    meta, one = decode(serial / "surface.mp4")
    meta2, two = decode(parallel / "surface.mp4")
    assert len(one) == len(two) == movie.timeline.n_frames
    assert meta2["codec"].startswith("h264") and tuple(meta2["size"]) == (QUALITY.width, QUALITY.height)
    # The same drawings; H.264 compresses the second chunk a little differently (it starts a new GOP).
    difference = np.abs(one.astype(int) - two.astype(int)).mean(axis=(1, 2, 3))
    assert difference.max() < 2.0, difference
    gif1, gif2 = Image.open(serial / "surface.gif"), Image.open(parallel / "surface.gif")
    assert gif1.n_frames == gif2.n_frames == movie.timeline.n_frames
    assert sorted(os.listdir(parallel)) == ["surface.gif", "surface.mp4"]


def test_parallel_failure_keeps_the_earlier_video_and_leaves_nothing(movie, tmp_path, monkeypatch):
    good = render_view(movie, "surface", QUALITY, ["mp4"], tmp_path, workers=2)[0]
    before = good.read_bytes()
    use_failing_ffmpeg(tmp_path, monkeypatch)
    with pytest.raises(OptanimError, match="No space left on device"):
        render_view(movie, "surface", QUALITY, ["mp4", "gif"], tmp_path, workers=2)
    assert good.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ffmpeg", "surface.mp4"]


def _redraw_in_a_child(canvas, messages) -> None:
    forget_parent_fonts()
    try:
        for _ in range(200):
            canvas.draw()
        messages.put("ok")
    except Exception as error:   # FreeType's, when the children read each other's font bytes
        messages.put(repr(error))


def test_forked_children_draw_mathtext_with_fonts_of_their_own():
    """Log axes' tick labels are mathtext, parsed in the parent before the fork. Without
    forget_parent_fonts, three children redrawing them at once failed every time on this machine
    (FT_Load_Glyph: "too many hints", "invalid outline"): they shared the parent's open font files."""
    import multiprocessing as mp

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set(xscale="log", yscale="log", xlim=(1e-9, 1e3), ylim=(1e-9, 1e3))
    canvas.draw()
    context = mp.get_context("fork")
    messages = context.Queue()
    children = [context.Process(target=_redraw_in_a_child, args=(canvas, messages)) for _ in range(3)]
    for child in children:
        child.start()
    results = [messages.get(timeout=120) for _ in children]
    for child in children:
        child.join()
    assert results == ["ok"] * 3
