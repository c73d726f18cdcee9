"""End-to-end: render tiny videos, decode them back, check frames, size, codec and pixels."""

from __future__ import annotations

from pathlib import Path

import os

import numpy as np
import pytest
from PIL import Image

import optanim
from optanim.draw import style
from optanim.stage.animator import Animator
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.draw.timeline import timeline
from optanim.stage.layout import compose

from helpers import decode, pixel_of, tiny_scene, use_failing_ffmpeg


def test_timeline_gives_early_steps_more_frames_and_holds_the_last():
    clock = timeline(n_steps=1000, duration=4, hold=1, fps=15, easing="quadratic")
    assert clock.n_frames == 60 + 15
    assert clock.steps[0] == 0 and clock.steps[59] == 999
    assert (np.diff(clock.steps) >= 0).all()
    gaps = np.diff(clock.steps[:60])
    assert gaps[:10].mean() < gaps[-10:].mean()      # early steps get more frames
    assert (clock.steps[60:] == 999).all() and (clock.turn[60:] == 1).all()
    linear = timeline(1000, 4, 0, 15, "linear")
    assert np.ptp(np.diff(linear.steps)) <= 1


def test_every_view_renders_mp4_gif_png_at_low_quality(tmp_path):
    scene = tiny_scene()
    written = optanim.render(scene, quality="l", formats=["mp4", "gif", "png"], out=tmp_path)
    folder = tmp_path / "tiny" / "480p15"
    assert sorted(p.name for p in written) == sorted(
        f"{v}.{f}" for v in ("contour", "surface", "loss", "fit", "lr", "gradnorm", "state", "dashboard")
        for f in ("mp4", "gif", "png"))
    n_frames = 15 + 6
    for path in folder.glob("*.mp4"):
        meta, frames = decode(path)
        assert meta["codec"].startswith("h264")
        assert meta["pix_fmt"].startswith("yuv420p")
        assert tuple(meta["size"]) == (854, 480)
        assert len(frames) == n_frames
        assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.05, path.name
        # the hold repeats the final frame (H.264 is lossy: equal up to compression noise)
        assert np.abs(frames[-1].astype(int) - frames[-3].astype(int)).mean() < 0.5, path.name
    gif = Image.open(folder / "contour.gif")
    assert gif.info.get("loop") == 0              # loops forever
    assert gif.n_frames == n_frames and gif.size == (854, 480)
    # the palette keeps the colours: the GIF's last frame is the PNG still, up to quantisation
    gif.seek(n_frames - 1)
    still = np.asarray(Image.open(folder / "contour.png").convert("RGB"), dtype=int)
    assert np.abs(np.asarray(gif.convert("RGB"), dtype=int) - still).mean() < 1.0
    assert Image.open(folder / "fit.png").size == (854, 480)
    assert not [p for p in folder.iterdir() if "partial" in p.name or p.name.startswith(".")]


def test_contour_path_colour_is_where_the_recording_says(tmp_path):
    scene = tiny_scene(optimizers=["adam"], epochs=4, lr=0.1)
    quality = QUALITIES["l"]
    recording = optanim.record(scene)
    movie = build_movie(scene, recording, quality)
    fig, views = compose("contour", movie, quality)
    animator = Animator(fig, views)
    last = movie.timeline.n_frames - 1
    frame = animator.frame(last).copy()
    path = recording.paths["adam"]
    ax = views[0].ax
    # a point halfway along the path is on the drawn line: its pixels are Adam's orange
    mid = len(path.a) // 2
    row, col = pixel_of(ax, path.a[mid], path.b[mid], frame.shape[0])
    patch = frame[row - 2:row + 3, col - 2:col + 3, :3].reshape(-1, 3).astype(int)
    orange = np.array([int(style.colour("adam")[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(patch - orange).sum(axis=1).min() < 40
    # at the first frame nothing of the path is drawn yet there
    first = animator.frame(0)
    patch0 = first[row - 2:row + 3, col - 2:col + 3, :3].reshape(-1, 3).astype(int)
    assert np.hypot(path.a[mid] - path.a[0], path.b[mid] - path.b[0]) > 0.3   # the check below means something
    assert np.abs(patch0 - orange).sum(axis=1).min() > 60


def test_readout_numbers_match_the_recording():
    scene = tiny_scene()
    quality = QUALITIES["l"]
    recording = optanim.record(scene)
    movie = build_movie(scene, recording, quality)
    fig, views = compose("loss", movie, quality)
    animator = Animator(fig, views)
    frame = movie.timeline.n_frames // 2
    animator.frame(frame)
    readout = views[-1]
    step = int(movie.timeline.steps[frame])
    assert readout.step.get_text() == f"step {step}/{recording.n_steps - 1}"
    assert readout.values["adam"].get_text() == f"loss {recording.paths['adam'].full_loss[step]:.4g}"


def test_diverged_optimizer_is_marked_and_others_go_on(tmp_path):
    scene = tiny_scene(optimizers=["sgd", "adam"], lr=40.0, epochs=3)
    recording = optanim.record(scene)
    assert recording.paths["sgd"].diverged
    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    fig, views = compose("dashboard", movie, quality)
    animator = Animator(fig, views)
    animator.frame(movie.timeline.n_frames - 1)
    assert views[-1].values["sgd"].get_text().startswith("diverged at step")
    written = optanim.render(scene, views=["contour"], quality="l", out=tmp_path, recording=recording)
    assert written[0].exists()


def test_stills_pdf_and_svg(tmp_path):
    written = optanim.render(tiny_scene(), views=["contour", "surface"], quality="l",
                             formats=["pdf", "svg"], out=tmp_path)
    assert len(written) == 4
    for path in written:
        head = path.read_bytes()[:5]
        assert head.startswith(b"%PDF") if path.suffix == ".pdf" else b"<?xml" in head or b"<svg" in head
    # They hold the drawing: the title as text, and each run's path in its colour.
    svg = (tmp_path / "tiny" / "480p15" / "contour.svg").read_text()
    assert "tiny" in svg and svg.count("<path") > 20
    for key in ("sgd", "adam"):
        assert style.colour(key).lower() in svg.lower()
    import zlib

    pdf = (tmp_path / "tiny" / "480p15" / "contour.pdf").read_bytes()
    # Each compressed stream, inflated as far as it goes (an image stream may end mid-chunk).
    streams = [zlib.decompressobj().decompress(chunk.split(b"stream\n", 1)[1])
               for chunk in pdf.split(b"/FlateDecode")[1:] if b"stream\n" in chunk]
    drawn = b"".join(streams)
    r, g, b = (int(style.colour("adam")[i:i + 2], 16) / 255 for i in (1, 3, 5))
    # Adam's stroke colour, as matplotlib's PDF backend writes numbers (ten decimals, zeros stripped)
    assert (" ".join(f"{v:.10f}".rstrip("0").rstrip(".") for v in (r, g, b)) + " RG").encode() in drawn
    assert b" l\n" in drawn or b" l " in drawn                                       # line segments


def test_null_writer_counts_every_frame_of_the_loop():
    from optanim.output.writers import NullWriter
    from optanim.render import render_view

    scene = tiny_scene()
    movie = build_movie(scene, optanim.record(scene), QUALITIES["l"])
    null = NullWriter()
    assert render_view(movie, "contour", QUALITIES["l"], [null], Path("/tmp")) == []
    assert null.frames == movie.timeline.n_frames
    assert null.last.shape == (480, 854, 4)


def test_failing_encoder_keeps_the_earlier_video_and_leaves_no_partial_file(tmp_path, monkeypatch):
    scene = tiny_scene()
    good = optanim.render(scene, views=["lr"], quality="l", out=tmp_path)[0]
    before = good.read_bytes()
    use_failing_ffmpeg(tmp_path, monkeypatch)
    with pytest.raises(OptanimError, match="No space left on device"):
        optanim.render(scene, views=["lr"], quality="l", out=tmp_path)
    assert good.read_bytes() == before
    assert sorted(os.listdir(good.parent)) == ["lr.mp4"]


def test_unknown_view_format_quality_are_clear_errors(tmp_path):
    scene = tiny_scene()
    with pytest.raises(OptanimError, match="unknown view 'contours'.*allowed: contour"):
        optanim.render(scene, views=["contours"], out=tmp_path)
    with pytest.raises(OptanimError, match="unknown format 'avi'"):
        optanim.render(scene, formats=["avi"], out=tmp_path)
    with pytest.raises(OptanimError, match="quality"):
        optanim.render(scene, quality="x", out=tmp_path)


def test_own_data_and_model_render_without_the_notebooks_true_parameters():
    x = np.linspace(-1, 1, 40)
    scene = tiny_scene(model=lambda x, a, b: a * x + b, data=(x, 0.5 * x - 0.2), init=(2.0, 1.0),
                       optimizers=["adam"], epochs=1)
    quality = QUALITIES["l"]
    movie = build_movie(scene, optanim.record(scene), quality)
    assert movie.true_params is None and movie.true_curve is None
    fig, views = compose("dashboard", movie, quality)
    frame = Animator(fig, views).frame(movie.timeline.n_frames - 1)
    assert frame.shape == (480, 854, 4)
    from matplotlib.text import Text

    texts = [t.get_text() for t in fig.findobj(Text)]
    assert not [t for t in texts if t.startswith("true (")]


def test_a_model_that_overflows_diverges_at_step_0_and_every_view_still_draws():
    x = np.linspace(-1, 1, 40)
    scene = tiny_scene(model=lambda x, a, b: (a * 1e20) * (a * 1e20) * x + b, data=(x, x), init=(2.0, 1.0),
                       epochs=1, duration=0.4, hold=0.0)
    recording = optanim.record(scene)
    assert all(p.diverged_at == 0 and len(p.a) == 0 for p in recording.paths.values())
    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    for view in ("contour", "surface", "loss", "fit", "lr", "state", "dashboard"):
        fig, views = compose(view, movie, quality)
        assert Animator(fig, views).frame(movie.timeline.n_frames - 1).shape == (480, 854, 4)
