"""The slide deck (--format pptx): its slides, videos, posters, table and notes, and LibreOffice's view of it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

import optanim
from optanim.data.recording import HEADER, story, table_rows
from optanim.errors import OptanimError
from optanim.output.manifest import read_manifest

from helpers import decode, tiny_scene

VIEWS = ["contour", "loss"]
N_FRAMES = round(0.6 * 15) + round(0.4 * 15)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """A tiny scene's deck of two views, beside the PNGs of their last frames; and its recording."""
    out = tmp_path_factory.mktemp("deck")
    scene = tiny_scene(duration=0.6, hold=0.4, title="Two optimizers")
    recording = optanim.record(scene)
    files = optanim.render(scene, views=VIEWS, quality="l", formats=["png", "pptx"], out=out, recording=recording)
    return files, recording


def test_only_the_files_asked_for_are_left(deck):
    files, _ = deck
    folder = files[0].parent
    assert sorted(p.name for p in folder.iterdir()) == ["contour.png", "loss.png", "tiny.pptx"]
    assert [p.name for p in files] == ["contour.png", "loss.png", "tiny.pptx"]


def test_deck_is_16_9_with_a_title_slide_a_slide_per_view_and_the_results_table(deck):
    files, recording = deck
    slides = Presentation(str(files[-1]))
    assert slides.slide_width * 9 == slides.slide_height * 16
    title, *views, results = slides.slides
    assert len(views) == len(VIEWS)
    text = [shape.text_frame.text for shape in title.shapes if shape.has_text_frame]
    assert text[0] == "Two optimizers" and "lr 0.05" in text[1]
    table = next(shape.table for shape in results.shapes if shape.has_table)
    cells = [[table.cell(r, c).text for c in range(len(HEADER))] for r in range(len(table.rows))]
    assert cells == [list(HEADER), *map(list, table_rows(recording))]
    for slide in slides.slides:
        for shape in slide.shapes:
            for paragraph in (shape.text_frame.paragraphs if shape.has_text_frame else ()):
                assert all(run.font.size is None or run.font.size.pt >= 18 for run in paragraph.runs)


def test_each_view_slide_plays_its_video_behind_a_poster_of_the_last_frame(deck):
    files, _ = deck
    slides = Presentation(str(files[-1]))
    for slide, view, still in zip(list(slides.slides)[1:], VIEWS, files[:2]):
        movie, = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert abs(movie.width / movie.height - 854 / 480) < 0.01 and movie.width > Inches(10)
        poster = iio.imread(io.BytesIO(movie.poster_frame.blob))
        assert np.array_equal(poster, iio.imread(still))            # the whole paths, not a blank start
        video, = [rel.target_part.blob for rel in slide.part.rels.values() if rel.reltype.endswith("/video")]
        path = files[0].parent.parent / f"{view}-from-deck.mp4"
        path.write_bytes(video)
        meta, frames = decode(path)
        assert frames.shape == (N_FRAMES, 480, 854, 3)
        assert read_manifest(path)["file"] == {"views": [view], "format": "mp4"}


def test_speaker_notes_are_the_story_of_the_recording_or_the_scenes_own(deck, tmp_path):
    files, recording = deck
    slides = Presentation(str(files[-1]))
    said = story(recording)
    assert "2 runs start at (2, 4.5)" in said
    assert all(slide.notes_slide.notes_text_frame.text == said for slide in slides.slides)
    scene = tiny_scene(duration=0.4, hold=0, notes="Adam gets there first; ask why.")
    deck_file, = optanim.render(scene, views=["lr"], quality="l", formats=["pptx"], out=tmp_path)
    notes = {s.notes_slide.notes_text_frame.text for s in Presentation(str(deck_file)).slides}
    assert notes == {"Adam gets there first; ask why."}


def test_the_deck_carries_the_manifest_in_its_core_properties(deck):
    files, recording = deck
    manifest = read_manifest(files[-1])
    assert manifest["file"] == {"views": VIEWS, "format": "pptx"}
    assert Presentation(str(files[-1])).core_properties.title == "Two optimizers"


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_save_keeps_the_earlier_deck_and_leaves_nothing_else(tmp_path, monkeypatch, failure):
    scene = tiny_scene(duration=0.4, hold=0)
    good, = optanim.render(scene, views=["lr"], quality="l", formats=["pptx"], out=tmp_path)
    before = good.read_bytes()

    def fail(self, target):
        Path(target).write_bytes(b"half a deck")
        raise failure

    monkeypatch.setattr("pptx.presentation.Presentation.save", fail)
    with pytest.raises(type(failure)):
        optanim.render(scene, views=["lr"], quality="l", formats=["pptx"], out=tmp_path)
    assert good.read_bytes() == before
    assert os.listdir(good.parent) == ["tiny.pptx"]


def test_the_initialisation_scene_has_no_deck_one_line(tmp_path):
    with pytest.raises(OptanimError, match="formats: 'pptx' is for scenes of optimizer runs"):
        optanim.render_init(optanim.InitScene(depth=2, width=8), formats=["pptx"], out=tmp_path)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice Impress (soffice) or poppler-utils (pdftoppm) is not installed; "
                           ".ci/run installs them")
def test_libreoffice_renders_every_slide_with_its_poster(deck, tmp_path):
    files, _ = deck
    env = {**os.environ, "HOME": str(tmp_path)}    # a profile of its own: no clash with a running soffice
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(files[-1])],
                   check=True, capture_output=True, timeout=180, env=env)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "tiny.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 + len(VIEWS)
    slides = Presentation(str(files[-1]))
    for page, still, slide in zip(pages[1:], files[:2], list(slides.slides)[1:]):
        shown = iio.imread(page)[..., :3].astype(float)
        poster = iio.imread(still).astype(float)
        # where the movie sits on the slide, at the page's scale: the poster must be there
        movie, = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
        scale = shown.shape[1] / slides.slide_width
        left, top = round(movie.left * scale), round(movie.top * scale)
        box = shown[top:top + round(movie.height * scale), left:left + round(movie.width * scale)]
        rows = np.linspace(0, 479, box.shape[0]).astype(int)
        cols = np.linspace(0, 853, box.shape[1]).astype(int)
        small = poster[rows][:, cols]
        assert np.abs(box - small).mean() < 25, page.name
        assert (box < 200).mean() > 0.02       # the paths and contours, not a blank box
    text = subprocess.run(["pdftotext", str(tmp_path / "tiny.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Two optimizers" in text and "Results" in text and "Adam" in text
