"""Teaching from Jupyter: files that display themselves, show(), progress bars, and the example notebook."""

from __future__ import annotations

import base64
import os
import sys
import types
from pathlib import Path

import pytest

import optanim
from optanim.notebook import show
from optanim.output import display
from optanim.output.display import Media, MediaList
from optanim.progress import default_progress, in_notebook, no_progress

from helpers import tiny_scene

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "optimization.ipynb"


@pytest.fixture
def files(tmp_path):
    """A small 'video', 'gif' and 'pdf' with distinct bytes (Media reads them, never decodes them)."""
    paths = {}
    for suffix in ("mp4", "gif", "pdf"):
        paths[suffix] = tmp_path / f"clip.{suffix}"
        paths[suffix].write_bytes(os.urandom(300) + suffix.encode())
    return paths


def test_media_embeds_a_small_video_and_image(files):
    video, image = Media(files["mp4"]), Media(files["gif"])
    page = video._repr_html_()
    assert "<video" in page and "autoplay" in page and "muted" in page
    assert base64.b64encode(files["mp4"].read_bytes()).decode() in page
    picture = image._repr_html_()
    assert "<img" in picture and "<video" not in picture
    assert f"data:image/gif;base64,{base64.b64encode(files['gif'].read_bytes()).decode()}" in picture


def test_media_links_a_large_file_by_relative_path(files, monkeypatch):
    monkeypatch.setattr(display, "EMBED_LIMIT", 10)
    monkeypatch.chdir(files["mp4"].parent.parent)
    page = Media(files["mp4"])._repr_html_()
    assert "base64" not in page
    assert f'src="{files["mp4"].parent.name}/clip.mp4"' in page


def test_media_links_a_pdf_and_reports_a_missing_file(files, tmp_path):
    assert '<a href="' in Media(files["pdf"])._repr_html_()
    assert "missing" in Media(tmp_path / "gone.mp4")._repr_html_()
    assert "missing" in repr(Media(tmp_path / "gone.mp4"))


def test_media_bundle_repr_and_path_behaviour(files):
    media = Media(str(files["mp4"]))
    bundle = media._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert "<video" in bundle["text/html"]
    assert str(files["mp4"]) in repr(media) and "B)" in repr(media)
    assert media.path == files["mp4"] and Path(media) == files["mp4"]
    with open(media, "rb") as handle:  # os.PathLike: code that opened the returned path still works
        assert handle.read() == files["mp4"].read_bytes()


def test_media_list_is_a_list_of_paths_shown_file_by_file(files):
    listed = MediaList([str(files["mp4"]), files["gif"]])
    assert listed == [files["mp4"], files["gif"]]
    assert all(type(path) is type(files["mp4"]) for path in listed)
    page = listed._repr_html_()
    assert "<video" in page and "<img" in page and "clip.mp4" in page and "clip.gif" in page
    lines = repr(listed).splitlines()
    assert [line.split("  (")[0] for line in lines] == [str(files["mp4"]), str(files["gif"])]


def test_show_renders_the_view_and_plays_it(tmp_path):
    media = show(tiny_scene(), quality="l", out=tmp_path)
    assert media.path == tmp_path / "tiny" / "480p15" / "dashboard.mp4"
    assert media.path.stat().st_size > 0
    assert "<video" in media._repr_html_()


def test_show_loads_a_scene_file(tmp_path):
    scene_file = tmp_path / "small.py"
    scene_file.write_text("from optanim import Scene\n"
                          "scene = Scene(epochs=1, optimizers=['sgd'], duration=1.0, hold=0.0, resolution=20)\n")
    media = show(scene_file, view="contour", format="png", out=tmp_path / "media")
    assert media.path == tmp_path / "media" / "small" / "480p15" / "contour.png"
    assert "<img" in media._repr_html_()


def test_show_refuses_a_view_an_init_scene_lacks(tmp_path):
    with pytest.raises(optanim.OptanimError, match="view"):
        show(optanim.InitScene(depth=2, width=4, batch=8), view="contour", out=tmp_path)


def test_no_bar_without_terminal_or_notebook():
    assert not sys.stderr.isatty() and not in_notebook()  # pytest captures stderr
    items = range(3)
    assert default_progress()(items, 3, "x") is items
    assert default_progress(enabled=False) is no_progress


def test_a_bar_when_forced_or_in_a_kernel(monkeypatch):
    forced = default_progress(enabled=True)(range(3), 3, "x")
    assert forced is not range(3) and list(forced) == [0, 1, 2]
    shell = type("ZMQInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert in_notebook()
    assert default_progress() is not no_progress


@pytest.mark.slow  # 60-110 s on 2 shared cores: a kernel, seven videos, the init net
def test_the_notebook_runs_and_plays_every_experiment(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    assert hasattr(optanim, "show"), "optanim.show must be exported (from .notebook import show)"
    for name, value in (("QUALITY", "l"), ("DURATION", "1"), ("EPOCHS", "3"), ("OUT", str(tmp_path))):
        monkeypatch.setenv(f"OPTANIM_NB_{name}", value)
    # The kernel imports this checkout's optanim, and draws figures inline as Jupyter would.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(output.output_type != "error" for cell in code for output in cell.outputs)
    videos = [cell for cell in code if "video" in cell.metadata.get("tags", [])]
    assert len(videos) == 7  # five experiments, Experiment 1's surface, and the initialisation
    for cell in videos:
        pages = [output.get("data", {}).get("text/html", "") for output in cell.outputs]
        assert any("<video" in page for page in pages), cell.source
    assert any("image/png" in output.get("data", {}) for cell in code for output in cell.outputs)
    assert list(tmp_path.glob("*/480p15/*.mp4"))
