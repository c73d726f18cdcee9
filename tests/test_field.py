"""Many starts at once: the field against single-start recordings, its kept steps, divergence per
start, basins, and the field and basins views decoded back from video."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

import optanim
from optanim.cli import main
from optanim.data.field import DIVERGED, MOVING, Field, basins, kept_steps, reach
from optanim.stage.animator import Animator
from optanim.draw.fastimage import FastImage
from optanim.stage.layout import compose
from optanim.draw.raster import DOT_ALPHA, Raster, crowds
from optanim.draw.style import colour
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie, views_for
from optanim.spec.starts import start_points
from optanim.views.basins import MAP_ALPHA, palette

from helpers import decode, pixel_of, tiny_scene

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def single(scene: optanim.Scene, start: np.ndarray) -> optanim.Recording:
    return optanim.record(replace(scene, starts=None, init=(float(start[0]), float(start[1]))))


# -- starts ---------------------------------------------------------------------------------------

def test_starts_grid_random_and_explicit():
    scene = tiny_scene(a_range=(0.0, 4.0), b_range=(-1.0, 1.0))
    grid = start_points((4, 2), scene.a_range, scene.b_range, scene.seed)
    # cell centres, a varying fastest (row j of b, column i of a: the landscape's layout)
    np.testing.assert_allclose(grid[:4, 0], [0.5, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(grid[::4, 1], [-0.5, 0.5])
    random = start_points(500, scene.a_range, scene.b_range, seed=3)
    assert random.shape == (500, 2) and random.dtype == np.float32
    assert (random[:, 0] >= 0).all() and (random[:, 0] <= 4).all() and (np.abs(random[:, 1]) <= 1).all()
    np.testing.assert_array_equal(random, start_points(500, scene.a_range, scene.b_range, seed=3))
    assert not np.array_equal(random, start_points(500, scene.a_range, scene.b_range, seed=4))
    explicit = start_points([(1, 2), (3.5, -0.25)], scene.a_range, scene.b_range, scene.seed)
    np.testing.assert_array_equal(explicit, np.float32([[1, 2], [3.5, -0.25]]))


@pytest.mark.parametrize("starts, message", [
    ((0, 5), "starts: needs at least one start"),
    (2.5, "starts: give (na, nb) for a grid"),
    ([(1, 2, 3)], "starts: a list of starts must hold (a, b) pairs"),
    ([(1, float("nan"))], "starts: a list of starts must hold (a, b) pairs of finite numbers"),
    (10 ** 6, "starts: at most 100,000 starts"),
])
def test_bad_starts_name_the_field(starts, message):
    with pytest.raises(OptanimError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tiny_scene(starts=starts)


def test_an_optimizer_that_mixes_elements_is_refused_with_starts():
    tiny_scene(optimizers=["adafactor"])  # fine on one start
    with pytest.raises(OptanimError, match="optimizers: adafactor mixes the elements"):
        tiny_scene(optimizers=["sgd", "adafactor"], starts=4)


# -- recording ------------------------------------------------------------------------------------

def test_field_equals_single_start_recordings_on_a_data_scene():
    scene = replace(optanim.load_scene(SCENES / "exp1.py"), epochs=2, starts=(20, 15))
    field = optanim.record_field(scene)
    assert field.a["adam"].shape == (len(field.steps), 300)
    for i in (0, 211, 299):
        recording = single(scene, field.starts[i])
        for key, path in recording.paths.items():
            seen = field.steps[field.steps < len(path.a)]
            # Exactly equal, not merely close: every op is element-wise along the rows (or reduces within
            # one row), and ATen's CPU kernels give each element the same bits however many rows there
            # are. Where a backend's vectorised sin/cos differs in the last bit between a long and a short
            # tensor, this would need assert_allclose(rtol=1e-6) instead.
            np.testing.assert_array_equal(field.a[key][:len(seen), i], path.a[seen], err_msg=f"{key} start {i}")
            np.testing.assert_array_equal(field.b[key][:len(seen), i], path.b[seen], err_msg=f"{key} start {i}")
            np.testing.assert_array_equal(field.full_loss[key][:len(seen), i], path.full_loss[seen])
            assert field.diverged_at[key][i] == (-1 if path.diverged_at is None else path.diverged_at)


def test_field_equals_single_start_recordings_on_a_loss_function_with_gradient_noise():
    scene = optanim.Scene(loss="rosenbrock", steps=60, lr=0.001, grad_noise=0.5, starts=(12, 10),
                          optimizers=["sgdm", "adam", "rmsprop"])
    field = optanim.record_field(scene, steps=range(60))
    for i in (0, 57, 119):
        for key, path in single(scene, field.starts[i]).paths.items():
            good = len(path.a)   # exactly equal, for the reason given for the data scene above
            np.testing.assert_array_equal(field.a[key][:good, i], path.a, err_msg=f"{key} start {i}")
            np.testing.assert_array_equal(field.b[key][:good, i], path.b, err_msg=f"{key} start {i}")
            np.testing.assert_array_equal(field.full_loss[key][:good, i], path.full_loss)
            assert field.diverged_at[key][i] == (-1 if path.diverged_at is None else path.diverged_at)


def test_kept_steps_are_the_frames_steps_and_the_last():
    assert list(kept_steps(np.array([0, 0, 1.5, 3, 3, 7.9]), 20)) == [0, 1, 3, 7, 19]
    scene = tiny_scene(starts=(3, 2), epochs=3)
    n_steps = 3 * 13
    told = []
    field = optanim.record_field(scene, steps=[5, 0, 5, 2],
                                 progress=lambda items, total, what: told.append((total, what)) or items)
    assert list(field.steps) == [0, 2, 5, n_steps - 1] and told == [(3, "starts")]
    assert field.n_steps == n_steps and field.grid == (3, 2)
    by_default = optanim.record_field(scene)
    np.testing.assert_array_equal(by_default.steps, kept_steps(optanim.frame_steps(scene), n_steps))
    # the row a frame shows: the last kept step at or before the frame's (fractional) step
    assert [field.row(s) for s in (0, 1.9, 2, 4.5, 5, 30, n_steps - 1)] == [0, 0, 1, 1, 2, 2, 3]


def test_each_start_diverges_on_its_own_and_stays_at_its_last_good_position():
    # A narrow window and a large rate: many starts leave it; the others go on undisturbed.
    scene = tiny_scene(optimizers=["sgdm", "adam"], lr=0.3, epochs=4, a_range=(0.0, 3.0), b_range=(1.0, 4.0),
                       starts=[(0.2, 1.2), (1.3, 2.6), (2.9, 3.9), (2.5, 1.5), (-5.0, 2.0), (1.0, 3.5)])
    field = optanim.record_field(scene, steps=range(52))
    assert (field.diverged_at["sgdm"] >= 0).any() and (field.diverged_at["sgdm"] < 0).any()
    for i, start in enumerate(field.starts):
        recording = single(scene, start)
        for key, path in recording.paths.items():
            at = field.diverged_at[key][i]
            assert at == (-1 if path.diverged_at is None else path.diverged_at), (key, i)
            good = len(path.a)
            np.testing.assert_array_equal(field.a[key][:good, i], path.a)
            if at > 0:  # frozen where it last was good
                assert (field.a[key][at:, i] == path.a[-1]).all() and (field.b[key][at:, i] == path.b[-1]).all()
    # the start outside the window is judged on NaN/inf alone, as the single recorder judges its init
    assert (field.diverged_at["adam"][4] == -1) == (single(scene, field.starts[4]).paths["adam"].diverged_at is None)


# -- basins ---------------------------------------------------------------------------------------

def _field(a: np.ndarray, b: np.ndarray, diverged_at: np.ndarray, minima=((1.0, 1.0),)) -> Field:
    k, n = a.shape
    return Field(starts=np.stack([a[0], b[0]], axis=1), steps=np.arange(k), a={"sgd": a}, b={"sgd": b},
                 full_loss={"sgd": np.zeros_like(a)}, diverged_at={"sgd": diverged_at}, labels={"sgd": "SGD"},
                 optimizers={"sgd": "sgd"}, minima=minima, answers=len(minima), a_range=(0.0, 10.0),
                 b_range=(0.0, 10.0), n_steps=k, steps_per_epoch=1)


def test_basins_label_known_minima_crowds_moving_and_diverged():
    n = 100
    start_a = np.linspace(0.5, 9.5, n)
    # starts left of 5 go to the known minimum (1, 1), the rest (but two) to (8, 6); one diverges at step 2
    end = np.where(start_a[:, None] < 5, [1.0, 1.0], [8.0, 6.0])
    end[-1] = [5.0, 9.0]        # still on its way: nowhere near an end
    t = np.linspace(0, 1, 5)[:, None]
    a = (1 - t) * start_a + t * end[:, 0]
    b = (1 - t) * 5.0 + t * end[:, 1]
    diverged_at = np.full(n, -1)
    diverged_at[70] = 2
    result = basins(_field(a, b, diverged_at))
    assert result.known == 1 and len(result.ends) == 2
    np.testing.assert_allclose(result.ends[1], [8.0, 6.0], atol=reach(_field(a, b, diverged_at)))
    last = result.labels["sgd"][-1]
    assert (last[start_a < 5] == 0).all()
    assert last[70] == DIVERGED and result.labels["sgd"][1, 70] != DIVERGED
    assert last[-1] == MOVING
    assert (last[(start_a >= 5) & (np.arange(n) != 70) & (np.arange(n) != n - 1)] == 1).all()
    assert result.reached("sgd")[-1] == pytest.approx(np.mean(start_a < 5))
    assert result.diverged("sgd")[-1] == pytest.approx(1 / n)


def test_basins_of_experiment_5_are_its_two_valleys():
    # exp5's region: left of the ridge starts reach the true minimum, right of it the local valley.
    scene = replace(optanim.load_scene(SCENES / "field.py"), starts=(8, 4), epochs=30, optimizers=["sgd"])
    field = optanim.record_field(scene)
    result = basins(field)
    labels = result.labels["sgd"][-1]
    near = lambda a, b: int(np.argmin(np.hypot(field.starts[:, 0] - a, field.starts[:, 1] - b)))  # noqa: E731
    assert labels[near(1.0, 2.5)] == 0                                   # the true minimum
    valley = labels[near(5.8, 4.4)]
    assert valley >= result.known                                        # a valley no one told it of
    np.testing.assert_allclose(result.ends[valley], (5.6, 4.3), atol=0.4)


def test_basins_of_himmelblau_are_its_four_quadrants():
    scene = optanim.Scene(loss="himmelblau", steps=300, lr=0.002, optimizers=["sgd"], starts=(20, 20))
    field = optanim.record_field(scene)
    result = basins(field)
    assert result.known == result.answers == len(result.ends) == 4     # four global minima, nothing else
    labels = result.labels["sgd"][-1]
    assert (labels >= 0).all() and result.reached("sgd")[-1] == 1.0    # every start ends at one of them
    for corner, a, b in ((0, 4, 4), (1, -4, 4), (2, -4, -4), (3, 4, -4)):
        i = int(np.argmin(np.hypot(field.starts[:, 0] - a, field.starts[:, 1] - b)))
        np.testing.assert_allclose(result.ends[labels[i]], field.minima[corner])


# -- drawing --------------------------------------------------------------------------------------

def test_raster_bins_points_where_they_are():
    raster = Raster((0.0, 10.0), (0.0, 5.0), (5, 10))
    counts = raster.counts(np.array([0.5, 0.5, 9.99, 10.0, 3.2, np.nan, 11.0]),
                           np.array([0.5, 0.5, 4.99, 5.0, 2.7, 1.0, 1.0]))
    assert counts.sum() == 5 and counts[0, 0] == 2 and counts[4, 9] == 2 and counts[2, 3] == 1
    spread = crowds(np.pad(np.array([[400]]), 5), most=3)
    assert spread[5, 5] == 400 and spread[5, 8] == 400 and spread[5, 9] == 0     # radius min(3, 10)


def test_fast_image_draws_what_matplotlib_draws():
    image = np.random.default_rng(0).integers(0, 256, (12, 20, 4), dtype=np.uint8)
    frames = []
    for draw in (FastImage.draw, AxesImage.draw):
        fig = Figure(figsize=(4, 3), dpi=100)
        ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
        ax.set_xlim(0, 2)
        ax.set_ylim(-1, 1)
        layer = FastImage(ax, image, (0, 2, -1, 1))
        layer.draw = draw.__get__(layer)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        frames.append(np.asarray(canvas.buffer_rgba())[..., :3].astype(int))
    inner = (slice(40, 260), slice(50, 350))   # away from the edges, where the two round differently
    assert np.abs(frames[0][inner] - frames[1][inner]).mean() < 2


@pytest.fixture(scope="module")
def field_scene():
    scene = tiny_scene(name="fieldtiny", starts=(16, 10), epochs=2, lr=0.1, duration=1.0, hold=0.2)
    return scene, optanim.record(scene)


def test_field_view_dots_are_where_the_field_says(field_scene):
    scene, recording = field_scene
    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    movie = replace(movie, field=optanim.record_field(scene, movie.timeline.steps))
    fig, views = compose("field", movie, quality)
    animator = Animator(fig, views)
    frame = animator.frame(0).copy()
    view = views[0]
    for image in view.images.values():
        image.set_visible(False)
    background = animator.frame(0).astype(float)
    orange = np.array([int(colour("adam")[i:i + 2], 16) for i in (1, 3, 5)])
    i = 37   # a start away from the minimum's star
    for key, shown in (("adam", True), ("sgd", False)):
        row, col = pixel_of(view.axes[key], *movie.field.starts[i], frame.shape[0])
        pixels = (slice(row - 1, row + 2), slice(col - 1, col + 2), slice(0, 3))
        # a dot is the optimizer's colour at DOT_ALPHA over the contours
        dot = DOT_ALPHA * orange + (1 - DOT_ALPHA) * background[pixels]
        closest = np.abs(frame[pixels].astype(float) - dot).sum(axis=-1).min()
        assert (closest < 8) == shown, (key, closest)
    assert view.readouts["adam"].get_text().startswith("at minimum")


def test_field_and_basins_render_and_decode(field_scene, tmp_path):
    scene, recording = field_scene
    written = optanim.render(scene, views=["field", "basins"], quality="l", formats=["mp4", "png", "svg"],
                             out=tmp_path, recording=recording)
    assert sorted(p.name for p in written) == sorted(f"{v}.{f}" for v in ("field", "basins")
                                                     for f in ("mp4", "png", "svg"))
    for view in ("field", "basins"):
        meta, frames = decode(tmp_path / "fieldtiny" / "480p15" / f"{view}.mp4")
        assert tuple(meta["size"]) == (854, 480) and len(frames) == 15 + 3
        assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 0.3, view
    assert b"<svg" in (tmp_path / "fieldtiny" / "480p15" / "basins.svg").read_bytes()[:400]


def test_field_views_need_starts_and_the_others_render_the_single_path(tmp_path, capsys, monkeypatch):
    def no_field(*args, **kwargs):
        raise AssertionError("the path views must not record the field")

    monkeypatch.setattr(sys.modules["optanim.render"], "record_field", no_field)   # the module, not render()
    written = optanim.render(tiny_scene(starts=(3, 3), epochs=1), views=["contour"], quality="l", formats=["png"],
                             out=tmp_path)
    assert [p.name for p in written] == ["contour.png"]
    monkeypatch.undo()
    with pytest.raises(OptanimError, match="views: 'field' shows many starts at once, and needs a scene with starts"):
        optanim.render(tiny_scene(), views=["field"], quality="l", out=tmp_path)
    path = tmp_path / "plain.py"
    path.write_text("from optanim import Scene\nscene = Scene(epochs=1, optimizers=['sgd'])\n")
    assert main([str(path), "--views", "basins", "--check"]) == 1
    assert "'basins' shows many starts at once" in capsys.readouterr().err
    # every view that applies: a scene with starts adds the field views
    assert {"field", "basins"} <= set(views_for(tiny_scene(starts=4)))
    assert "field" not in views_for(tiny_scene()) and "basins" not in views_for(tiny_scene())
    assert "field" not in views_for(tiny_scene(starts=4), side_by_side=True)


def test_a_grid_of_starts_is_a_basin_map_without_holes(field_scene):
    scene, recording = field_scene
    quality = QUALITIES["l"]
    movie = build_movie(scene, recording, quality)
    movie = replace(movie, field=optanim.record_field(scene, movie.timeline.steps))
    view = compose("basins", movie, quality)[1][0]
    last = len(movie.field.steps) - 1
    image = view.painters["adam"](last)
    assert image.shape == (10, 16, 4) and (image[..., 3] == MAP_ALPHA).all()
    labels = view.basins.labels["adam"][last].reshape(10, 16)
    np.testing.assert_array_equal(image, palette(len(view.basins.ends))[labels])
