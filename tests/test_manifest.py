"""Every file carries its manifest; --info prints it, --from renders the file again, identically."""

from __future__ import annotations

import json
from dataclasses import replace
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import imageio.v3 as iio
import pytest
from PIL import Image

import optanim
from optanim.cli import main
from optanim.output.containers import embed, extract
from optanim.output.manifest import MAX_BYTES, for_file, read_manifest, recording_hash
from optanim.render import build_movie, render_view
from optanim.spec.quality import QUALITIES
from optanim.training.cache import cached_record

from helpers import decode, tiny_scene

SCENE_TEXT = "from optanim import Scene\n\nscene = Scene(epochs=2, optimizers=['sgd', 'adam'], lr=0.05)\n"
STILLS_AND_VIDEOS = ["mp4", "webm", "gif", "png", "pdf", "svg"]


def scene_file(folder: Path, text: str = SCENE_TEXT, name: str = "small.py") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def every_format(tmp_path_factory):
    """A tiny scene's lr view in every format, rendered once, and its recording."""
    folder = tmp_path_factory.mktemp("every")
    scene = optanim.load_scene(scene_file(folder))
    scene = replace(scene, duration=0.6, hold=0.2)
    recording = optanim.record(scene)
    files = optanim.render(scene, views=["lr"], quality="l", formats=STILLS_AND_VIDEOS, out=folder / "media",
                           recording=recording)
    return {path.suffix[1:]: path for path in files}, recording


def test_every_format_carries_one_manifest_with_the_scene_versions_and_recording_hash(every_format):
    files, recording = every_format
    assert sorted(files) == sorted(STILLS_AND_VIDEOS)
    for fmt, path in files.items():
        manifest = read_manifest(path)
        assert len(extract(path)) <= MAX_BYTES
        assert manifest["file"] == {"views": ["lr"], "format": fmt}
        assert manifest["recording_hash"] == recording_hash(recording)
        assert {"optanim", "torch", "numpy"} <= set(manifest["versions"])
        assert "Scene(" in manifest["scene_source"]
        assert manifest["command"].startswith("optanim.render(")


def test_the_manifest_is_where_each_formats_own_tools_look(every_format):
    files, _ = every_format
    texts = {
        "png": Image.open(files["png"]).text["optanim"],
        "gif": Image.open(files["gif"]).info["comment"].decode(),
        "svg": next(e.text for e in ElementTree.parse(files["svg"]).getroot().iter()
                    if e.tag.endswith("metadata") and e.get("id") == "optanim-manifest"),
    }
    if shutil.which("pdfinfo"):
        custom = subprocess.run(["pdfinfo", "-custom", str(files["pdf"])], capture_output=True, text=True).stdout
        texts["pdf"] = next(line.split(":", 1)[1].strip() for line in custom.splitlines()
                            if line.startswith("OptanimManifest:"))
    else:
        print("pdfinfo (poppler-utils) not installed: the PDF's Info key is checked by optanim's reader only")
    for fmt, text in texts.items():
        assert json.loads(text) == read_manifest(files[fmt]), fmt


def test_files_still_play_with_the_manifest_in_them(every_format):
    files, _ = every_format
    n_frames = round(0.6 * 15) + round(0.2 * 15)
    for fmt in ("mp4", "webm"):
        meta, frames = decode(files[fmt])
        assert frames.shape == (n_frames, 480, 854, 3), fmt
    assert iio.imread(files["gif"]).shape[:3] == (n_frames, 480, 854)
    assert iio.imread(files["png"]).shape == (480, 854, 3)


def test_recording_hash_is_the_same_fresh_and_from_the_cache(tmp_path):
    scene = tiny_scene()
    fresh = optanim.record(scene)
    cached_record(scene, tmp_path, optanim.record)
    assert recording_hash(cached_record(scene, tmp_path, optanim.record)) == recording_hash(fresh)
    assert recording_hash(optanim.record(tiny_scene(lr=0.06))) != recording_hash(fresh)


def test_from_renders_the_same_file_again_from_the_manifest_alone(tmp_path, capsys):
    scene = scene_file(tmp_path)
    assert main([str(scene), "-ql", "--views", "loss", "--format", "gif,mp4", "--duration", "0.6",
                 "--out", str(tmp_path / "a"), "--quiet"]) == 0
    gif = tmp_path / "a" / "small" / "480p15" / "loss.gif"
    scene.write_text(SCENE_TEXT.replace("0.05", "0.5"))   # the file changed since: the manifest's text counts
    capsys.readouterr()
    assert main(["--from", str(gif), "--out", str(tmp_path / "b")]) == 0
    assert "recording identical" in capsys.readouterr().err
    again = tmp_path / "b" / "small" / "480p15" / "loss.gif"
    assert sorted(p.name for p in again.parent.iterdir()) == ["loss.gif"]
    first, second = iio.imread(gif), iio.imread(again)
    assert first.shape == second.shape and len(first) == round(0.6 * 15) + 15   # the default hold, 1 s
    assert abs(again.stat().st_size - gif.stat().st_size) < 200    # only the command in the manifest differs
    old, new = read_manifest(gif), read_manifest(again)
    assert new["recording_hash"] == old["recording_hash"] and new["scene_source"] == old["scene_source"]
    assert new["command"].startswith("optanim --from ") and new["settings"] == old["settings"]


def test_from_says_so_in_one_line_when_the_recording_differs(tmp_path, every_format, capsys):
    files, _ = every_format
    png = tmp_path / "lr.png"
    pixels = iio.imread(files["png"])
    iio.imwrite(png, pixels)
    manifest = {**read_manifest(files["png"]), "recording_hash": "sha256:" + "0" * 64}
    embed(png, json.dumps(manifest))
    assert main(["--from", str(png), "--out", str(tmp_path / "again")]) == 1
    assert "new recording differs from the one this file was made from" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "again" / "small").exists()


def test_info_prints_the_manifest_as_json(every_format, capsys):
    files, _ = every_format
    assert main(["--info", str(files["mp4"])]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {"scene_source", "versions", "recording_hash", "command", "git_commit"} <= set(printed)


def test_a_file_without_a_manifest_or_with_a_damaged_one_is_one_line(tmp_path, every_format, capsys):
    files, _ = every_format
    plain = tmp_path / "plain.png"
    iio.imwrite(plain, iio.imread(files["png"]))
    damaged = tmp_path / "damaged.png"
    iio.imwrite(damaged, iio.imread(files["png"]))
    embed(damaged, extract(files["png"])[:-40])
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    for path, said in ((plain, "has no optanim manifest"), (damaged, "manifest is damaged"),
                       (text, "has no optanim manifest"), (tmp_path / "absent.mp4", "no such file")):
        for flag in ("--info", "--from"):
            assert main([flag, str(path)]) == 1
            assert said in one_line(capsys.readouterr().err)


def test_from_and_info_take_no_scene_files(tmp_path, every_format, capsys):
    files, _ = every_format
    assert main(["--from", str(files["gif"]), str(scene_file(tmp_path))]) == 1
    assert "--from: takes the file, not scene files" in one_line(capsys.readouterr().err)


def test_a_manifest_over_16_kb_leaves_the_scene_text_out_and_says_so(tmp_path, every_format, capsys):
    files, _ = every_format
    manifest = read_manifest(files["png"])
    text = for_file({**manifest, "scene_source": "x = 1\n" * 5000}, ["lr"], "png")
    assert len(text) <= MAX_BYTES
    kept = json.loads(text)
    assert kept["scene_source"] is None and "over 16 KB" in kept["scene_source_omitted"]
    png = tmp_path / "big.png"
    iio.imwrite(png, iio.imread(files["png"]))
    embed(png, text)
    assert main(["--from", str(png)]) == 1
    assert "cannot be rendered again" in one_line(capsys.readouterr().err)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_scene_folders_git_commit_is_recorded(tmp_path):
    git = lambda *args: subprocess.run(["git", "-C", str(tmp_path), *args], check=True,  # noqa: E731
                                       capture_output=True, text=True).stdout.strip()
    git("init", "-q")
    scene = scene_file(tmp_path, SCENE_TEXT.replace("lr=0.05", "lr=0.05, duration=0.4, hold=0"))
    git("add", scene.name)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "scene")
    png, = optanim.render(optanim.load_scene(scene), views=["lr"], quality="l", formats=["png"],
                          out=tmp_path / "media")
    manifest = read_manifest(png)
    assert manifest["git_commit"] == git("rev-parse", "HEAD") and manifest["git_dirty"] is False
    assert manifest["scene_source"] == scene.read_text()
    assert manifest["command"] == f"optanim.render(optanim.load_scene({str(scene)!r}), views=['lr'], quality='l', " \
                                  "formats=['png'], fps=None)"


@pytest.mark.parametrize("kind", ["sweep", "grid", "init"])
def test_from_renders_a_sweep_a_grid_and_the_initialisation_scene_again(tmp_path, kind, capsys):
    if kind == "sweep":
        args = [scene_file(tmp_path, SCENE_TEXT.replace("lr=0.05", "sweep={'lr': [0.01, 0.1]}"))]
    elif kind == "grid":
        args = [scene_file(tmp_path), scene_file(tmp_path, SCENE_TEXT.replace("lr=0.05", "lr=0.1"), "other.py"),
                "--grid"]
    else:
        args = [scene_file(tmp_path, "from optanim import InitScene\n\nscene = InitScene(depth=3, width=16)\n")]
    view = "init" if kind == "init" else "lr"
    views = [] if kind == "init" else ["--views", view]
    assert main([*map(str, args), "-ql", *views, "--format", "png", "--out", str(tmp_path / "a"), "--quiet"]) == 0
    png, = (tmp_path / "a").glob(f"*/480p15/{view}.png")
    capsys.readouterr()
    assert main(["--from", str(png), "--out", str(tmp_path / "b")]) == 0
    assert "recording identical" in capsys.readouterr().err
    again = tmp_path / "b" / png.relative_to(tmp_path / "a")
    assert iio.imread(again).shape == iio.imread(png).shape
    assert read_manifest(again)["recording_hash"] == read_manifest(png)["recording_hash"]
    assert ("grid" in read_manifest(again)) == (kind == "grid")


def test_parts_drawn_in_processes_and_joined_carry_the_manifest(tmp_path):
    scene = tiny_scene(duration=0.6, hold=0.2)
    recording = optanim.record(scene)
    manifest = {"optanim_manifest": 1, "scene_source": "x", "versions": {}, "settings": {},
                "recording_hash": recording_hash(recording)}
    files = render_view(build_movie(scene, recording, QUALITIES["l"]), "lr", QUALITIES["l"], ["mp4", "webm", "gif"],
                        tmp_path, workers=2, manifest=manifest)
    for path in files:
        assert read_manifest(path) == {**manifest, "file": {"views": ["lr"], "format": path.suffix[1:]}}
