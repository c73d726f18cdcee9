"""What a network scene shows: each run's decision regions, its test accuracy, train and test loss,
the readout's numbers beside the plane's, heads off the plane drawn hollow, and the plane's axes."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from torch import nn

import optanim
from optanim.draw import style
from optanim.render import build_movie
from optanim.spec.quality import QUALITIES
from optanim.stage.animator import Animator
from optanim.stage.layout import compose
from optanim.views import DASHBOARD, VIEWS
from optanim.views.base import OFF_PLANE, mark_off_plane
from optanim.views.boundary import (CLASS_COLOURS, EDGE_RGB, interpolation, panel_layout, region_image,
                                     region_palette)
from optanim.views.readout import network_columns

from helpers import decode, read_texts, text_clashes

#: 1 s of motion and 0.4 s of hold at 15 fps.
N_FRAMES = 15 + 6


def net_scene(**changes) -> optanim.Scene:
    fields = dict(name="tinynet", network=lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)),
                  data="moons", n_samples=80, epochs=4, batch_size=16, lr=0.1,
                  optimizers={"sgd": {}, "adam": {"lr": 0.03}}, duration=1.0, hold=0.4, resolution=40)
    fields.update(changes)
    return optanim.Scene(**fields)


@pytest.fixture(scope="module")
def moons():
    scene = net_scene()
    recording = optanim.record(scene)
    return scene, recording, build_movie(scene, recording, QUALITIES["l"])


@pytest.fixture(scope="module")
def notebook():
    scene = net_scene(name="tinyreg", data="notebook",
                      network=lambda: nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)))
    recording = optanim.record(scene)
    return scene, recording, build_movie(scene, recording, QUALITIES["l"])


def drawn(view: str, movie, frame: int, quality: str = "l"):
    fig, panels = compose(view, movie, QUALITIES[quality])
    Animator(fig, panels).frame(frame)
    return fig, panels


def panel(panels, name: str):
    return next(p for p in panels if p.name == name)


def crop(frame: np.ndarray, ax) -> np.ndarray:
    """The pixels of a frame (rows top down) inside an axes, a pixel in from its frame."""
    box = ax.get_window_extent()
    height = frame.shape[0]
    return frame[int(height - box.y1) + 2:int(height - box.y0) - 2, int(box.x0) + 2:int(box.x1) - 2]


@pytest.mark.parametrize("view", ["boundary", "accuracy", "loss", DASHBOARD])
def test_network_views_render_and_move(moons, tmp_path, view):
    scene, recording, movie = moons
    written = optanim.render(scene, views=[view], quality="l", out=tmp_path, recording=recording)
    meta, frames = decode(written[0])
    assert tuple(meta["size"]) == (854, 480) and len(frames) == N_FRAMES
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.05
    assert np.abs(frames[-1].astype(int) - frames[-3].astype(int)).mean() < 0.5   # the hold
    if view == "boundary":   # each run's regions change as it trains
        fig, panels = compose(view, movie, QUALITIES["l"])
        for sub in panel(panels, "boundary").axes.values():
            first, last = crop(frames[0], sub).astype(int), crop(frames[-1], sub).astype(int)
            assert first.size and np.abs(first - last).mean() > 1.0


def test_boundary_paints_each_runs_regions_at_the_frame(moons):
    scene, recording, movie = moons
    last = movie.timeline.n_frames - 1
    fig, panels = drawn("boundary", movie, last)
    view = panel(panels, "boundary")
    assert set(view.axes) == set(recording.paths)
    for key, image in view.images.items():
        rows, columns = view.shown[key]
        assert np.array_equal(image.pixels, region_image(movie.regions[key][last], rows, columns, view.palette))
        step = movie.step(key, last)
        assert view.labels[key].get_text() == f"test accuracy {recording.paths[key].accuracy[step]:.0%}"
    # the training points over the regions, in their classes' colours
    dots = [line for line in view.points if line.axes is view.axes["sgd"]]
    assert sum(len(line.get_xdata()) for line in dots) == len(recording.x)


def test_region_image_colours_by_class_and_confidence():
    colours = region_palette(np.array([[68, 119, 170], [238, 102, 119]], float))
    rows, columns = interpolation(2, 2), interpolation(4, 4)

    def image(first: list[float]) -> np.ndarray:
        probs = np.zeros((2, 4, 2))
        probs[..., 0] = first
        probs[..., 1] = 1 - probs[..., 0]
        return region_image(probs, rows, columns, colours)[..., :3].astype(int)
    split = image([1.0, 1.0, 0.0, 0.0])
    assert split[0, 0, 2] > split[0, 0, 0] and split[0, 3, 0] > split[0, 3, 2]     # blue, then red
    assert (split[:, 2] == EDGE_RGB).all() and not (split[:, [0, 1, 3]] == EDGE_RGB).all(-1).any()
    assert image([0.6] * 4)[0, 0].sum() > image([1.0] * 4)[0, 0].sum()             # paler where less sure
    assert CLASS_COLOURS[0].lower() == "#4477aa"
    assert (region_image(np.full((2, 2, 2), np.nan), interpolation(2, 4), interpolation(2, 4), colours) == 255).all()


def test_accuracy_view_draws_each_runs_test_accuracy(moons):
    scene, recording, movie = moons
    last = movie.timeline.n_frames - 1
    fig, panels = drawn("accuracy", movie, last)
    view = panel(panels, "accuracy")
    for key, path in recording.paths.items():
        x, y = view.lines[key].get_data()
        assert np.array_equal(y, path.accuracy[x.astype(int)]) and x[-1] == len(path.a) - 1
        assert view.heads[key].get_ydata()[0] == pytest.approx(path.accuracy[-1])
        assert not view.heads[key].get_clip_on()


def test_loss_view_draws_test_loss_dashed_with_a_legend_clear_of_it(moons):
    scene, recording, movie = moons
    last = movie.timeline.n_frames - 1
    fig, panels = drawn("loss", movie, last)
    view = panel(panels, "loss")
    assert "test" in view.title
    renderer = FigureCanvasAgg(fig).get_renderer()
    box = view.ax.get_legend().get_window_extent(renderer)
    assert [t.get_text() for t in view.ax.get_legend().get_texts()] == ["training", "test"]
    for key, path in recording.paths.items():
        x, y = view.test[key].get_data()
        assert np.array_equal(y, path.test_loss[x.astype(int)])
        assert view.test[key].get_color() == view.full[key].get_color() and view.test[key].get_linestyle() == "--"
        for line in (view.full[key], view.test[key]):
            points = view.ax.transData.transform(np.column_stack(line.get_data()))
            inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
            assert not inside.any(), key


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"[-+]?\d*\.?\d+(?:e[-+]?\d+)?", text)]


@pytest.mark.parametrize("fixture", ["moons", "notebook"])
@pytest.mark.parametrize("view", ["contour", DASHBOARD])
def test_readout_numbers_are_the_recordings_at_the_step(request, fixture, view):
    """Real loss, the plane's loss under the head, off-plane share and test accuracy, at the step shown."""
    scene, recording, movie = request.getfixturevalue(fixture)
    readout_header = network_columns(fixture == "moons")
    for frame in (3, movie.timeline.n_frames // 2, movie.timeline.n_frames - 1):
        fig, panels = drawn(view, movie, frame)
        readout = panel(panels, "readout")
        assert readout_header in [t.get_text() for t in readout.ax.texts]
        step = int(_numbers(readout.step.get_text())[0])
        assert step == movie.timeline.whole(frame)
        for key, path in recording.paths.items():
            values = _numbers(readout.values[key].get_text())
            assert values[0] == pytest.approx(path.full_loss[step], rel=1e-3)
            assert values[1] == pytest.approx(path.plane_loss[step], rel=1e-3)
            assert values[2] == round(100 * path.off_plane[step])
            if fixture == "moons":
                assert values[3] == round(100 * path.accuracy[step])
            assert len(values) == (4 if fixture == "moons" else 3)


def test_a_head_far_off_the_plane_is_hollow():
    head = Line2D([0], [0], marker="o", color="#0072B2", mec="white")
    path = SimpleNamespace(off_plane=np.array([0.0, OFF_PLANE + 0.01, OFF_PLANE]))
    looks = []
    for step in range(3):
        mark_off_plane(head, path, step)
        looks.append((head.get_markerfacecolor(), head.get_markeredgecolor()))
    assert looks == [("#0072B2", "white"), ("white", "#0072B2"), ("#0072B2", "white")]
    mark_off_plane(head, SimpleNamespace(off_plane=None), 0)      # a two-parameter scene: always filled
    assert head.get_markerfacecolor() == "#0072B2"


@pytest.mark.parametrize("view", ["contour", "surface"])
def test_heads_show_whether_they_are_on_the_plane(moons, view):
    scene, recording, movie = moons
    for frame in (2, movie.timeline.n_frames - 1):
        fig, panels = drawn(view, movie, frame)
        shown = panel(panels, view)
        for key, path in recording.paths.items():
            off = path.off_plane[movie.step(key, frame)] > OFF_PLANE
            assert (shown.heads[key].get_markerfacecolor() == "white") == off, (key, frame)
    assert recording.plane.kind == "ends" and all(recording.paths[k].off_plane[-1] < 1e-6 for k in recording.plane.runs)


def test_surface_draws_each_path_on_the_plane_at_the_planes_loss(moons):
    """A path off the plane has a real loss above or below the surface; drawn there it would read as
    hidden behind a hill. On the surface it sits at the plane's loss, and the readout gives its own."""
    scene, recording, movie = moons
    last = movie.timeline.n_frames - 1
    fig, panels = drawn("surface", movie, last)
    surface = panel(panels, "surface")
    for key, path in recording.paths.items():
        _, points = surface.points[key]
        np.testing.assert_allclose(points[:, 2], path.plane_loss)
        assert not np.allclose(path.plane_loss, path.full_loss)   # the two differ: the choice shows
        assert surface.heads[key].get_alpha() in (None, 1.0), key   # not drawn as hidden


def test_contour_axes_say_what_the_planes_directions_are(moons):
    scene, recording, movie = moons
    fig, panels = drawn("contour", movie, 0)
    ax = panel(panels, "contour").ax
    assert movie.axis_labels[0].startswith("to ")
    assert (ax.get_xlabel().replace("\n", " "), ax.get_ylabel().replace("\n", " ")) == movie.axis_labels


@pytest.mark.parametrize("fixture", ["moons", "notebook"])
@pytest.mark.parametrize("quality", ["l", "m"])
def test_network_dashboard_is_legible_and_its_panels_keep_apart(request, fixture, quality):
    scene, recording, movie = request.getfixturevalue(fixture)
    fig, views = drawn(DASHBOARD, movie, movie.timeline.n_frames // 2, quality)
    assert [v.name for v in views] == (["contour", "surface", "boundary", "loss", "accuracy", "readout"]
                                       if fixture == "moons" else ["contour", "surface", "fit", "loss", "lr", "readout"])
    fig.canvas.draw()
    height = fig.canvas.get_width_height()[1]
    texts = read_texts(fig)
    small = [t.get_text() for t in texts if t.get_fontsize() * fig.dpi / 72 < height / 40 - 1e-6]
    assert not small
    clashes, outside = text_clashes(fig, views)
    assert not clashes and not outside


def test_regression_network_fit_draws_the_networks_curve(notebook, tmp_path):
    scene, recording, movie = notebook
    last = movie.timeline.n_frames - 1
    fig, panels = drawn("fit", movie, last)
    fit = panel(panels, "fit")
    net = scene.network()
    for key, path in recording.paths.items():
        torch.nn.utils.vector_to_parameters(torch.as_tensor(path.weights[-1], dtype=torch.float32), net.parameters())
        with torch.no_grad():
            expected = net(torch.as_tensor(movie.fit_x, dtype=torch.float32)[:, None])[:, 0].numpy()
        assert np.allclose(fit.curves[key].get_ydata(), expected, atol=1e-5)
    low, high = fit.ax.get_ylim()
    assert low <= recording.y.min() and recording.y.max() <= high
    written = optanim.render(scene, views=["fit"], quality="l", out=tmp_path, recording=recording)
    meta, frames = decode(written[0])
    assert len(frames) == N_FRAMES and np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.05


def test_class_views_are_for_class_networks_only(notebook):
    assert VIEWS["boundary"].why_not("classes") == "" and VIEWS["accuracy"].why_not("classes") == ""
    for kind in ("data", "loss", "regression"):
        assert VIEWS["boundary"].why_not(kind) and VIEWS["accuracy"].why_not(kind)
    scene, recording, _ = notebook
    with pytest.raises(optanim.OptanimError, match="boundary"):
        optanim.render(scene, views=["boundary"], quality="l", recording=recording)


@pytest.mark.parametrize("label", [90.0, 160.0, 170.0, 400.0])
def test_boundary_panels_are_named_only_where_the_names_fit(label):
    """Four runs in the single view's box (715 × 345 pt): as large as can be, each name within its column."""
    for must_name in (True, False):
        columns, rows, named = panel_layout(4, 715, 345, 1.0, style.MIN_TEXT_PT, label, must_name)
        assert columns * rows >= 4 and (columns - 1) * rows < 4 or rows == 1
        if named:
            assert 715 / columns >= label + style.MIN_TEXT_PT
        if must_name and label < 400:
            assert named
    assert panel_layout(4, 715, 345, 1.0, style.MIN_TEXT_PT, 90, True)[:2] == (4, 1)
    assert panel_layout(4, 715, 345, 1.0, style.MIN_TEXT_PT, 170, True)[:2] == (2, 2)
