"""--transparent: clips and stills with their alpha, read back as players read them, and the
combinations that cannot be transparent refused in one line."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import optanim
from optanim.errors import OptanimError

from helpers import tiny_scene, use_failing_ffmpeg
from test_encode import ffmpeg, video_stream
from test_errors import _cli, one_line, run_cli, scene_file

ROOT = Path(__file__).resolve().parent.parent
SIZE = (854, 480)
#: The libvpx decoder, named before the input: ffmpeg's own VP9 decoder ignores the alpha stream.
LIBVPX = ("-c:v", "libvpx-vp9")


def rgba_frames(path, before_input: tuple[str, ...] = ()) -> np.ndarray:
    """Every frame as straight RGBA (n, h, w, 4)."""
    result = ffmpeg("-loglevel", "error", *before_input, "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgba", "-")
    assert result.returncode == 0, result.stderr.decode()
    return np.frombuffer(result.stdout, np.uint8).reshape(-1, SIZE[1], SIZE[0], 4)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """The loss and contour views transparent in every format with alpha, and opaque as MP4."""
    out = tmp_path_factory.mktemp("clips")
    scene = tiny_scene()
    recording = optanim.record(scene)
    views = ["loss", "contour"]
    transparent = optanim.render(scene, views=views, quality="l", formats=["webm", "apng", "mov", "png"], out=out,
                                 recording=recording, transparent=True)
    opaque = optanim.render(scene, views=views, quality="l", formats=["mp4"], out=out / "opaque",
                            recording=recording)
    files = {(p.stem, p.suffix[1:]): p for p in transparent}
    files.update({(p.stem, "mp4"): p for p in opaque})
    return files, len(optanim.frame_steps(scene, recording, "l"))


def test_apng_keeps_the_alpha_exactly(clips):
    files, n_frames = clips
    for view in ("loss", "contour"):
        frames = rgba_frames(files[view, "apng"])
        still = np.asarray(Image.open(files[view, "png"]))
        assert frames.shape == (n_frames, SIZE[1], SIZE[0], 4) and still.shape == (SIZE[1], SIZE[0], 4)
        # the last frame, pixel for pixel: its alpha, and its colour wherever it shows (a pixel that
        # is wholly transparent has no colour to keep)
        assert np.abs(frames[-1, ..., 3].astype(int) - still[..., 3]).max() <= 1
        shows = still[..., 3] > 0
        assert np.array_equal(frames[-1][shows], still[shows])
        # it is transparent: the corners, and inside the loss panel away from its lines, see through
        alpha = still[..., 3]
        assert alpha[0, -1] == 0 and alpha[-1, -1] == 0
        assert (alpha == 0).mean() > 0.3 if view == "loss" else (alpha == 0).mean() > 0.1


def test_webm_alpha_reads_back_with_the_libvpx_decoder(clips):
    files, n_frames = clips
    for view in ("loss", "contour"):
        webm, exact = files[view, "webm"], rgba_frames(files[view, "apng"])
        assert "yuva420p" in video_stream(webm) or "alpha_mode" in ffmpeg("-i", str(webm)).stderr.decode().lower()
        frames = rgba_frames(webm, LIBVPX)
        assert len(frames) == n_frames
        error = np.abs(frames[..., 3].astype(int) - exact[..., 3])
        assert error.mean() <= 2, (view, error.mean())
        # the built-in decoder drops the alpha: why the decoder must be named
        assert rgba_frames(webm)[..., 3].min() == 255


def test_webm_is_at_most_two_and_a_half_times_the_mp4(clips):
    files, _ = clips
    for view in ("loss", "contour"):
        ratio = files[view, "webm"].stat().st_size / files[view, "mp4"].stat().st_size
        assert ratio <= 2.5, (view, ratio)


def test_mov_is_prores_4444_with_alpha(clips):
    files, n_frames = clips
    stream = video_stream(files["loss", "mov"])
    assert "prores" in stream and "4444" in stream and "yuva444p" in stream and "bt709" in stream
    frames, exact = rgba_frames(files["loss", "mov"]), rgba_frames(files["loss", "apng"])
    assert len(frames) == n_frames
    assert np.abs(frames[..., 3].astype(int) - exact[..., 3]).max() <= 1


def test_a_halo_keeps_text_legible_on_dark_and_light_slides(clips):
    files, _ = clips
    still = np.asarray(Image.open(files["loss", "png"])).astype(float) / 255
    alpha = still[..., 3:]
    title = (slice(0, 40), slice(0, 120))   # the scene's title, "tiny", top left
    for slide, ink in ((0.0, "light"), (1.0, "dark")):
        seen = (still[..., :3] * alpha + slide * (1 - alpha)).mean(axis=-1)[title]
        # on black, the halo shows the letters as light strokes; on white, the letters are dark
        strokes = (seen > 0.7).sum() if ink == "light" else (seen < 0.3).sum()
        assert strokes > 150, (slide, strokes)


def test_pdf_and_svg_stills_are_transparent(tmp_path):
    scene = tiny_scene(duration=0.4, hold=0.2)
    pdf, svg = optanim.render(scene, views=["loss"], quality="l", formats=["pdf", "svg"], out=tmp_path,
                              transparent=True)
    text = svg.read_text()
    # the figure's background rectangle is drawn with no fill (matplotlib writes it as fill-opacity 0)
    assert "fill: #ffffff" not in text.split("</g>")[0] or "fill-opacity: 0" in text
    assert pdf.stat().st_size > 1000


@pytest.mark.parametrize("fmt", ["mp4", "gif", "html"])
def test_a_format_without_alpha_is_one_line_naming_the_flag(tmp_path, capsys, fmt):
    code, err = run_cli(capsys, ROOT / "scenes" / "exp1.py", "--transparent", "--format", f"webm,{fmt}",
                        "--out", tmp_path)
    assert code == 1
    assert one_line(err).startswith(f"optanim: error: --transparent: --format {fmt} cannot be transparent")
    assert not any(tmp_path.iterdir())   # refused before any work
    with pytest.raises(OptanimError, match=f"^transparent: --format {fmt} cannot"):
        optanim.render(tiny_scene(), formats=[fmt], out=tmp_path, transparent=True)


def test_a_failing_encoder_keeps_the_earlier_clips(tmp_path, monkeypatch):
    scene = tiny_scene(duration=0.4, hold=0.2)
    formats = ["webm", "apng", "mov"]
    written = optanim.render(scene, views=["lr"], quality="l", formats=formats, out=tmp_path, transparent=True)
    before = {p: p.read_bytes() for p in written}
    use_failing_ffmpeg(tmp_path, monkeypatch)
    with pytest.raises(OptanimError, match="ffmpeg failed|encoder stopped"):
        optanim.render(scene, views=["lr"], quality="l", formats=formats, out=tmp_path, transparent=True)
    assert {p: p.read_bytes() for p in written} == before
    assert sorted(p.name for p in written[0].parent.iterdir()) == ["lr.apng", "lr.mov", "lr.webm"]


@pytest.mark.parametrize("formats, transparent", [("webm,apng,mov", True), ("html", False)])
def test_ctrl_c_keeps_the_earlier_files_and_no_partial(tmp_path, formats, transparent):
    scene = scene_file(tmp_path, "scene = Scene(epochs=2, optimizers=['adam'], duration=30)\n", "long.py")
    out = tmp_path / "out"
    folder = out / "long" / "480p15"
    folder.mkdir(parents=True)
    earlier = {folder / f"lr.{fmt}": f"an earlier good {fmt}".encode() for fmt in formats.split(",")}
    for path, content in earlier.items():
        path.write_bytes(content)
    process = _cli(scene, "-ql", "--views", "lr", "--format", formats, *(["--transparent"] if transparent else []),
                   "--out", out, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not any("partial" in p.name for p in folder.iterdir()):
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in one_line(err)
    assert {path: path.read_bytes() for path in earlier} == earlier
    assert sorted(os.listdir(folder)) == sorted(path.name for path in earlier)


def test_the_cached_readout_text_is_haloed_and_opaque_on_a_transparent_canvas():
    from optanim.draw.style import see_through
    from optanim.render import build_movie, quality_preset
    from optanim.stage.animator import Animator
    from optanim.stage.layout import compose

    scene, quality = tiny_scene(), quality_preset("l")
    movie = build_movie(scene, optanim.record(scene), quality)
    fig, views = compose("loss", movie, quality)
    see_through(fig)
    animator = Animator(fig, views)
    frame = animator.frame(movie.timeline.n_frames - 1).astype(float) / 255
    box = views[-1].step.get_window_extent()   # "step 25/25", drawn from cached glyphs
    height = frame.shape[0]
    region = frame[int(height - box.y1) - 2:int(height - box.y0) + 2, int(box.x0) - 2:int(box.x1) + 2]
    alpha = region[..., 3:]
    assert alpha.max() == 1.0 and alpha.min() == 0.0   # the letters opaque, the canvas round them clear
    on_black = (region[..., :3] * alpha).mean(axis=-1)
    on_white = (region[..., :3] * alpha + (1 - alpha)).mean(axis=-1)
    assert (on_black > 0.7).sum() > 40 and (on_white < 0.3).sum() > 40   # halo on dark, ink on light


def test_every_new_file_carries_its_manifest_and_from_renders_it_again_transparent(clips, tmp_path, capsys):
    from optanim.cli import main
    from optanim.output.manifest import read_manifest

    files, _ = clips
    for fmt in ("webm", "apng", "mov", "png"):
        manifest = read_manifest(files["loss", fmt])
        assert manifest["file"] == {"views": ["loss"], "format": fmt}
        assert manifest["settings"]["transparent"] is True
    scene = scene_file(tmp_path, "scene = Scene(epochs=2, optimizers=['sgd', 'adam'], lr=0.05, duration=0.6, "
                                 "hold=0.2)\n", "small.py")
    assert main([str(scene), "-ql", "--views", "lr", "--format", "apng,html", "--transparent", "--out",
                 str(tmp_path / "a"), "--quiet"]) == 1   # html cannot be transparent
    assert main([str(scene), "-ql", "--views", "lr", "--format", "apng", "--transparent", "--out",
                 str(tmp_path / "a"), "--quiet"]) == 0
    first = tmp_path / "a" / "small" / "480p15" / "lr.apng"
    assert main(["--from", str(first), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    again = tmp_path / "b" / "small" / "480p15" / "lr.apng"
    capsys.readouterr()
    assert np.array_equal(rgba_frames(again), rgba_frames(first))   # transparent again, pixel for pixel


def test_parts_drawn_in_processes_join_with_their_alpha(clips, tmp_path):
    from optanim.render import build_movie, quality_preset, render_view

    files, n_frames = clips
    scene, quality = tiny_scene(), quality_preset("l")
    movie = build_movie(scene, optanim.record(scene), quality)
    joined = {p.suffix[1:]: p for p in render_view(movie, "loss", quality, ["apng", "webm", "mov", "html"], tmp_path,
                                                   workers=2, transparent=False)}
    serial = {p.suffix[1:]: p for p in render_view(movie, "loss", quality, ["apng", "webm", "mov"], tmp_path / "t",
                                                   workers=2, transparent=True)}
    # the trails are drawn a piece a frame, or (a process's first frame) at once: the same picture,
    # no white nick where one frame's piece meets the next (at most the antialiasing of the joints)
    drawn, exact = rgba_frames(serial["apng"]).astype(int), rgba_frames(files["loss", "apng"]).astype(int)
    apart = np.abs(drawn[..., 3] - exact[..., 3])
    assert (apart > 64).sum() <= 60 and apart.mean() < 0.01   # with the nicks: 930 pixels in frame 20 alone
    for fmt, before in (("webm", LIBVPX), ("mov", ())):
        frames = rgba_frames(serial[fmt], before)
        assert len(frames) == n_frames
        assert np.abs(frames[..., 3].astype(int) - rgba_frames(files["loss", "apng"])[..., 3]).mean() <= 2
    assert len(rgba_frames(joined["apng"])) == n_frames and rgba_frames(joined["apng"])[..., 3].min() == 255
