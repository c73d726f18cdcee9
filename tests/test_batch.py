"""The batch view and batch_landscape: each step's mini-batch loss equals the criterion on that batch,
the arrows go down minus its gradient, the batch layer moves while all data's stays, bad input is one line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

import optanim
from optanim.cli import main as cli_main
from optanim.data import batches
from optanim.data.batches import BatchLosses, batch_minimum, direct_batch_loss
from optanim.errors import OptanimError
from optanim.render import build_movie, views_for
from optanim.spec.datafit import DataFit
from optanim.spec.quality import QUALITIES
from optanim.stage.grid import compose_grid, sweep_stage
from optanim.stage.layout import compose
from optanim.render import clock_of
from optanim.spec.sweep import sweep_scenes
from optanim.views.batch import BatchView

from helpers import decode, tiny_scene

SCENES = Path(__file__).resolve().parents[1] / "scenes"
LOW = QUALITIES["l"]


_SAMPLES: dict[int, tuple[optanim.Scene, torch.Tensor, torch.Tensor]] = {}


def samples(scene: optanim.Scene) -> tuple[torch.Tensor, torch.Tensor]:
    """The scene's (x, y), made once per scene (kept with it, so that its id stays its own)."""
    if id(scene) not in _SAMPLES:
        problem = DataFit.from_scene(scene)
        _SAMPLES[id(scene)] = (scene, problem.x, problem.y)
    return _SAMPLES[id(scene)][1:]


def criterion_at(scene: optanim.Scene, index: np.ndarray, a: float, b: float, grad: bool = False):
    """The notebook's criterion, nn.MSELoss, on the samples `index` at one (a, b): its value, or its gradient."""
    x, y = samples(scene)
    rows = torch.as_tensor(index)
    ab = torch.tensor([a, b], dtype=torch.float32, requires_grad=grad)
    loss = torch.nn.MSELoss()(scene.model(x[rows], ab[0], ab[1]), y[rows])
    if not grad:
        return float(loss)
    loss.backward()
    return ab.grad.numpy().astype(float)


@pytest.fixture(scope="module")
def scene():
    # Zoomed in, still: the view draws the finer landscape the camera's region has, through one window.
    return tiny_scene(resolution=24, zoom=(0.5, 3.0, 1.5, 5.0), batch_size=32)


@pytest.fixture(scope="module")
def recording(scene):
    return optanim.record(scene)


@pytest.fixture(scope="module")
def view(scene, recording):
    movie = build_movie(scene, recording, LOW)
    fig, panels = compose("batch", movie, LOW)
    return panels[0]


def test_batch_landscape_is_the_criterion_on_that_steps_batch_at_every_grid_point(scene, recording):
    assert recording.steps_per_epoch == 7 and recording.n_steps == 14   # 200 samples: six of 32, one of 8
    for step in (0, 6, 9, 13):
        land = optanim.batch_landscape(scene, step, recording)
        index = recording.batch(step)
        want = np.array([[criterion_at(scene, index, a, b) for a in land.a] for b in land.b])
        np.testing.assert_allclose(land.loss, want, rtol=2e-6, atol=1e-7)
        full = optanim.landscape(scene)
        assert np.array_equal(land.a, full.a) and land.levels == full.levels
        assert not np.allclose(land.loss, full.loss)   # a batch is not all the data
    # Without a recording: the scene's own batches, the same that the recording's runs saw.
    np.testing.assert_array_equal(optanim.batch_landscape(scene, 9).loss, optanim.batch_landscape(scene, 9, recording).loss)


def test_a_step_outside_the_recording_names_its_range_and_a_loss_function_has_no_batches(scene, recording):
    for step in (-1, 14, 2.0, True):
        with pytest.raises(OptanimError) as caught:
            optanim.batch_landscape(scene, step, recording)
        assert "step: must be a whole number from 0 to 13" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(OptanimError, match="has no mini-batches"):
        optanim.batch_landscape(optanim.Scene(loss="booth", init=(0, 0)), 0)
    with pytest.raises(OptanimError, match="sweep"):
        optanim.batch_landscape(tiny_scene(sweep={"batch_size": [8, 16]}), 0)


def test_the_table_of_per_sample_losses_gives_each_batch_as_a_direct_evaluation_does(scene, recording, monkeypatch):
    land = optanim.landscape(scene)
    problem = DataFit.from_scene(scene)
    table = BatchLosses(problem, land.a, land.b)
    assert table.table.shape == (200, 24 * 24)
    for step in (0, 13):
        index = recording.batch(step)
        np.testing.assert_allclose(table.loss(index), direct_batch_loss(problem, index, land.a, land.b),
                                   rtol=2e-6, atol=1e-7)
    # Past the budget, no table: each batch is evaluated on its own, the same numbers.
    monkeypatch.setattr(batches, "TABLE_ELEMENTS", 1000)
    small = BatchLosses(problem, land.a, land.b)
    assert small.table is None
    np.testing.assert_array_equal(small.loss(recording.batch(3)),
                                  direct_batch_loss(problem, recording.batch(3), land.a, land.b))


def test_the_views_batch_loss_is_the_criterion_on_the_shown_steps_batch(scene, recording, view):
    rng = np.random.default_rng(0)
    assert view.layer == 1     # the detail layer: the zoomed window lies in its region
    land = view.lands[view.layer]
    steps = view.movie.timeline.steps
    frames = [0, int(np.argmax(steps >= 5)), int(np.argmax(steps >= 10)), len(steps) - 1]
    drawn = []
    for frame in frames:
        view.update(frame)
        step = view.batch_step(frame)
        assert step == int(steps[frame])
        index = recording.batch(step)
        for j, i in rng.integers(0, len(land.a), size=(6, 2)):
            assert view.loss[j, i] == pytest.approx(criterion_at(scene, index, land.a[i], land.b[j]), rel=2e-6, abs=1e-7)
        drawn.append([seg.copy() for seg in view.batch_lines.get_segments()])
    # The contour lines are this loss's: every vertex is where the interpolated loss crosses a level.
    view.update(frames[-1])
    for segment in view.batch_lines.get_segments()[:20]:
        a, b = segment[len(segment) // 2]
        i, j = np.searchsorted(land.a, a) - 1, np.searchsorted(land.b, b) - 1
        corners = view.loss[j:j + 2, i:i + 2]
        assert any(corners.min() - 1e-6 <= level <= corners.max() + 1e-6 for level in land.levels)
    assert not all(len(x) == len(y) and all(np.array_equal(p, q) for p, q in zip(x, y))
                   for x, y in zip(drawn, drawn[1:]))   # the lines move from batch to batch


def test_each_arrow_points_down_the_batch_gradient_at_the_head(scene, recording, view):
    steps = view.movie.timeline.steps
    frame = next(f for f in range(len(steps)) if steps[f] == int(steps[f]) and steps[f] >= 3)
    view.update(frame)
    step = view.batch_step(frame)
    index = recording.batch(step)
    for key, path in recording.paths.items():
        arrow = view.arrows[key]
        assert arrow.get_visible()
        start, end = (np.asarray(p) for p in arrow._posA_posB)
        np.testing.assert_allclose(start, [path.a[step], path.b[step]], rtol=1e-6)
        g = criterion_at(scene, index, path.a[step], path.b[step], grad=True)
        along = (end - start) / np.linalg.norm(end - start)
        assert along @ (-g / np.linalg.norm(g)) > 0.99999, key
        # Downhill on this batch's landscape: a small move along it lowers this batch's loss.
        there = start + 1e-3 * along
        assert criterion_at(scene, index, *there) < criterion_at(scene, index, *start)


def test_the_readout_names_the_batch_and_each_runs_batch_and_full_loss(recording, view):
    frame = view.movie.timeline.n_frames - 1
    view.update(frame)
    readout = view.readout
    assert readout.batch.get_text() == "mini-batch 7 of 7" and readout.epoch.get_text() == "epoch 2/2"
    for key, path in recording.paths.items():
        text = readout.values[key].get_text()
        assert text == f"batch {path.loss[-1]:.3g}  all {path.full_loss[-1]:.3g}", text


def test_the_batch_minimum_is_the_least_point_in_the_window_and_none_on_its_edge():
    a, b = np.linspace(0, 1, 11), np.linspace(0, 2, 21)
    ga, gb = np.meshgrid(a, b)
    loss = (ga - 0.3) ** 2 + (gb - 1.2) ** 2
    assert batch_minimum(loss, a, b, (0, 1, 0, 2)) == pytest.approx((0.3, 1.2))
    assert batch_minimum(loss, a, b, (0.5, 1, 0, 2)) is None   # beyond the window: not in view
    assert batch_minimum(np.full_like(loss, np.nan), a, b, (0, 1, 0, 2)) is None


def colour_masks(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(violet, grey-or-white) pixels of a decoded frame."""
    r, g, b = (frame[..., k].astype(int) for k in range(3))
    violet = (r - g > 15) & (b - g > 35)
    neutral = (np.abs(r - g) < 8) & (np.abs(g - b) < 8)
    return violet, neutral


def grown(mask: np.ndarray, reach: int) -> np.ndarray:
    """The mask widened by `reach` pixels each way (H.264 smears a line's colour over its neighbours)."""
    out = mask.copy()
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            out |= np.roll(mask, (dy, dx), axis=(0, 1))
    return out


def test_a_rendered_batch_video_decodes_and_its_batch_layer_moves_while_all_datas_stays(scene, recording, tmp_path):
    written = optanim.render(scene, views=["batch"], quality="l", out=tmp_path, recording=recording)
    assert [p.name for p in written] == ["batch.mp4"]
    meta, frames = decode(written[0])
    clock = build_movie(scene, recording, LOW).timeline
    assert tuple(meta["size"]) == (854, 480) and len(frames) == clock.n_frames
    movie = build_movie(scene, recording, LOW)
    fig, (view, *_) = compose("batch", movie, LOW)
    box = view.ax.get_window_extent()
    rows = slice(int(480 - box.y1) + 3, int(480 - box.y0) - 3)
    cols = slice(int(box.x0) + 3, int(box.x1) - 3)
    first, last = int(np.argmax(clock.steps >= 2)), int(np.argmax(clock.steps >= 12))
    one, two = frames[first][rows, cols], frames[last][rows, cols]
    (violet_1, neutral_1), (violet_2, neutral_2) = colour_masks(one), colour_masks(two)
    assert violet_1.mean() > 0.01 and violet_2.mean() > 0.01          # the batch's lines are drawn
    assert (violet_1 & violet_2).sum() < 0.7 * min(violet_1.sum(), violet_2.sum())   # ...and move
    # Away from anything coloured (the batch's lines, the paths), all data's grey landscape is the same.
    still = ~grown(~neutral_1 | ~neutral_2, 3)
    assert still.mean() > 0.3
    change = np.abs(one.astype(int) - two.astype(int)).max(axis=2)
    assert change[still].mean() < 2 and np.percentile(change[still], 99) <= 10     # compression noise
    assert change[violet_1 ^ violet_2].mean() > 40     # where the batch's lines were, or are now


def test_batch_is_not_rendered_unless_asked_and_a_loss_function_scene_refuses_it_in_one_line(tmp_path, capsys):
    assert "batch" not in views_for(tiny_scene()) and "contour" in views_for(tiny_scene())
    path = tmp_path / "mine.py"
    path.write_text("from optanim import Scene\nscene = Scene(loss='booth', init=(0, 0))\n")
    code = cli_main([str(path), "--views", "batch", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "\n" not in err
    assert f"{path}: --views: 'batch' shows the loss on each step's mini-batch, and this scene has no mini-batches" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(OptanimError, match="views: 'batch' shows the loss on each step's mini-batch"):
        optanim.render(optanim.Scene(loss="booth", init=(0, 0)), views=["batch"], out=tmp_path / "lib")


def test_in_a_batch_size_sweep_each_panel_shows_its_own_batches(tmp_path):
    scene = replace(optanim.load_scene(SCENES / "what-sgd-sees.py"), epochs=2, duration=0.6, hold=0.2)
    recordings = optanim.record_sweep(scene)
    stage = sweep_stage(scene, sweep_scenes(scene), recordings, lambda one, rec: clock_of(one, rec, LOW))
    assert len(stage.panels) == 3    # batch sizes differ: no one clock of steps, a panel each
    fig, views = compose_grid("batch", stage, LOW)
    panels = [v for v in views if isinstance(v, BatchView)]
    frame = stage.timeline.n_frames // 2
    for panel, (size, recording), one in zip(panels, recordings.items(), sweep_scenes(scene).values()):
        panel.update(frame)
        step = panel.batch_step(frame)
        assert len(recording.batch(step)) == min(size, 200) and panel.readout is None
        per_epoch = recording.steps_per_epoch
        assert panel.clock.get_text() == f"mini-batch {step % per_epoch + 1} of {per_epoch}"
        np.testing.assert_allclose(panel.loss, optanim.batch_landscape(one, step, recording).loss, rtol=2e-6,
                                   atol=1e-7)
    written = optanim.render(scene, views=["batch"], quality="l", out=tmp_path, recording=recordings)
    meta, frames = decode(written[0])
    assert tuple(meta["size"]) == (854, 480) and len(frames) == stage.timeline.n_frames
    assert np.abs(frames[1].astype(int) - frames[-1].astype(int)).mean() > 0.5


def test_the_benchmark_row_times_the_table_against_each_batch_from_scratch_with_the_same_numbers():
    from optanim.bench_batch import bench_batch_landscapes, shown_batches

    movie, pairs = shown_batches(SCENES / "exp1.py", "l", epochs=1)
    assert {step for _, step in pairs} == set(range(movie.recording.n_steps))   # 13 steps, each one shown
    row = bench_batch_landscapes(SCENES / "exp1.py", "l", 1, epochs=1)
    assert row.name.startswith(f"11 batch landscapes exp1 -ql, {len(pairs)} shown") and row.ratio.endswith("x")
    assert "same values: yes" in row.met
