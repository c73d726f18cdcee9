"""Sweeps and scenes side by side: recordings equal single ones, titles from what differs, videos move."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.text import Text

import optanim
from optanim import cli
from optanim.stage.animator import Animator
from optanim.stage.grid import Grid, compose_grid, grid_shape, in_step, make_grid, sweep_stage
from optanim.draw.storyboard import Movie
from optanim.draw.timeline import timeline
from optanim.draw.titles import column_tags, compare_titles, lettered
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES
from optanim.render import clock_of
from optanim.spec.sweep import sweep_labels, sweep_scenes
from optanim.views.base import fmt

from helpers import decode, tiny_scene

SCENES = Path(__file__).resolve().parents[1] / "scenes"
LOW = QUALITIES["l"]


def _same_recordings(got: optanim.Recording, want: optanim.Recording) -> None:
    assert list(got.paths) == list(want.paths)
    assert (got.epochs, got.steps_per_epoch) == (want.epochs, want.steps_per_epoch)
    assert np.array_equal(got.order, want.order)
    for key, path in want.paths.items():
        for name in ("a", "b", "loss", "full_loss", "lr"):
            assert np.array_equal(getattr(got.paths[key], name), getattr(path, name)), (key, name)
        assert got.paths[key].diverged_at == path.diverged_at


@pytest.mark.parametrize("field, values, single", [
    ("lr", [0.01, 0.2], lambda scene, v: replace(scene, lr=v, sweep=None)),
    ("batch_size", [8, 32], lambda scene, v: replace(scene, batch_size=v, sweep=None)),
    ("init", [(2, 4.5), [1.5, 3.0]], lambda scene, v: replace(scene, init=v, sweep=None)),
    ("adam.betas", [(0.9, 0.999), (0.5, 0.9)],
     lambda scene, v: replace(scene, optimizers={"sgd": {}, "adam": {"betas": v}}, sweep=None)),
])
def test_each_value_records_exactly_as_a_scene_of_its_own(field, values, single):
    scene = tiny_scene(sweep={field: values})
    recordings = optanim.record_sweep(scene)
    assert list(recordings) == [tuple(v) if isinstance(v, list) else v for v in values]
    for value, recording in recordings.items():
        _same_recordings(recording, optanim.record(single(scene, value)))
    first, second = recordings.values()
    assert not np.array_equal(first.paths["adam"].a, second.paths["adam"].a)  # the sweep changed something


@pytest.mark.parametrize("sweep, message", [
    ({"lr": [0.1, 0.2], "epochs": [1, 2]}, "sweep: must name one field"),
    ({"duration": [1, 2]}, "'duration' changes only the animation"),
    ({"lrr": [1, 2]}, "'lrr' is not a Scene field"),
    ({"rmsprop.alpha": [0.9, 0.99]}, "<run> one of sgd, adam"),
    ({"lr": [0.1]}, "give a list of 2 to 6 values"),
    ({"lr": 0.1}, "give a list of 2 to 6 values"),
    ({"lr": [0.1, 0.1]}, "the values must differ"),
    ({"lr": [0.1, -1]}, "sweep: lr=-1: lr: must be a finite number > 0"),
    ({"weight_decay": [{"a": 1}, 0]}, "values must be numbers, strings, tuples or functions"),
])
def test_a_bad_sweep_is_one_line_naming_sweep(sweep, message):
    with pytest.raises(OptanimError, match=None) as caught:
        tiny_scene(sweep=sweep)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_recording_a_sweep_as_one_scene_points_to_record_sweep():
    with pytest.raises(OptanimError, match="record_sweep"):
        optanim.record(tiny_scene(sweep={"lr": [0.01, 0.1]}))


def test_sweep_labels_read_as_the_field_and_value_and_number_look_alikes():
    assert list(sweep_labels(tiny_scene(sweep={"weight_decay": [0, 0.01]})).values()) == \
        ["weight decay 0", "weight decay 0.01"]
    assert list(sweep_labels(tiny_scene(sweep={"init": [(2, 4.5), (1, 3)]})).values()) == \
        ["start (2, 4.5)", "start (1, 3)"]
    schedules = tiny_scene(sweep={"lr_lambda": [lambda e: 1.0, lambda e: 0.5 ** e]})
    assert list(sweep_labels(schedules).values()) == ["schedule <lambda> #1", "schedule <lambda> #2"]


def test_panel_titles_are_what_differs_and_the_rest_is_shared():
    exp = {n: optanim.load_scene(SCENES / f"exp{n}.py") for n in (1, 2, 3, 4)}
    common, titles = compare_titles([exp[1], exp[2]])
    assert titles == ["weight decay 0", "weight decay 0.01"]
    assert "lr 0.01" in common and "50 epochs" in common and "weight decay" not in common
    common, titles = compare_titles([exp[3], exp[4]])
    assert titles == ["lr 0.01 × 0.9^epoch · weight decay 0", "lr 0.02 × 0.9^epoch · weight decay 0.001"]
    assert common.startswith("batch 16") and "200 epochs" in common
    # a field the subtitle does not state is named only where it differs
    common, titles = compare_titles([exp[1], replace(exp[1], momentum=0.5)])
    assert titles == ["momentum 0.9", "momentum 0.5"] and "momentum" not in common
    # nothing differs but the name: the panels go by their names
    assert compare_titles([exp[1], replace(exp[1], name="again")])[1] == ["exp1", "again"]


def test_table_columns_are_headed_by_the_values_or_by_letters():
    assert column_tags(["weight decay 0", "weight decay 0.01"]) == ("weight decay", ["0", "0.01"])
    long = ["lr 0.01 × 0.9^epoch · weight decay 0", "lr 0.02 × 0.9^epoch · weight decay 0.001"]
    heading, tags = column_tags(long)
    assert (heading, tags) == ("", ["A", "B"])
    assert lettered(long, tags) == [f"A · {long[0]}", f"B · {long[1]}"]
    assert lettered(["weight decay 0", "weight decay 0.01"], ["0", "0.01"]) == ["weight decay 0", "weight decay 0.01"]


def test_panels_of_different_lengths_keep_step_by_fraction_of_training():
    clock = timeline(n_steps=100, duration=2, hold=0.5, fps=15)
    longer = in_step(clock, 100, 400)
    assert longer.n_frames == clock.n_frames and np.array_equal(longer.turn, clock.turn)
    assert longer.steps[0] == 0 and longer.steps[-1] == 399
    assert np.all(np.diff(longer.steps) >= 0)
    assert np.abs(longer.steps / 399 - clock.steps / 99).max() < 0.01
    assert np.array_equal(in_step(clock, 100, 100).steps, clock.steps)
    assert [grid_shape(n) for n in (2, 3, 4, 5, 6)] == [(1, 2), (2, 2), (2, 2), (2, 3), (2, 3)]
    with pytest.raises(OptanimError, match="2 to 6 panels"):
        grid_shape(7)


def _moves(frames: np.ndarray, left: float, right: float) -> float:
    """How much the part of the frame between two fractions of its width changes, first to last frame."""
    width = frames.shape[2]
    part = slice(int(left * width), int(right * width))
    return float(np.abs(frames[0, :, part].astype(int) - frames[-1, :, part].astype(int)).mean())


def test_a_sweep_of_several_optimizers_renders_one_panel_per_value(tmp_path):
    scene = tiny_scene(name="wd", sweep={"weight_decay": [0.0, 0.5]})
    written = optanim.render(scene, views=["contour", "dashboard"], quality="l", out=tmp_path)
    assert [p.name for p in written] == ["contour.mp4"]  # panels side by side have no dashboard
    meta, frames = decode(tmp_path / "wd" / "480p15" / "contour.mp4")
    assert tuple(meta["size"]) == (854, 480) and len(frames) == 15 + 6
    assert _moves(frames, 0.0, 0.35) > 0.05 and _moves(frames, 0.35, 0.70) > 0.05   # both panels move
    assert _moves(frames, 0.72, 1.0) > 0.05                                          # and the readout
    with pytest.raises(OptanimError, match="'dashboard' is not drawn for panels side by side"):
        optanim.render(scene, views=["dashboard"], quality="l", out=tmp_path)


def test_a_sweep_of_one_optimizer_is_one_panel_with_a_run_per_value():
    scene = tiny_scene(optimizers=["adam"], sweep={"lr": [0.01, 0.05, 0.2]})
    recordings = optanim.record_sweep(scene)
    stage = sweep_stage(scene, sweep_scenes(scene), recordings, lambda s, r: clock_of(s, r, LOW))
    assert isinstance(stage, Movie)
    assert list(stage.recording.paths) == ["lr 0.01", "lr 0.05", "lr 0.2"]
    colours = [look.colour for look in stage.styles.values()]
    assert len(set(colours)) == 3       # Adam's colour, dark to light
    assert all(path.optimizer == "adam" for path in stage.recording.paths.values())
    from optanim.stage.layout import compose

    fig, views = compose("contour", stage, LOW)
    readout = views[-1]
    readout.update(stage.timeline.n_frames - 1)
    for value, recording in recordings.items():   # the readout shows every run's loss
        text = readout.values[f"lr {value:g}"].get_text()
        assert text == f"loss {fmt(recording.paths['adam'].full_loss[-1])}"
    # a sweep over what changes the steps cannot share one clock in one panel: panels instead
    batches = tiny_scene(optimizers=["adam"], sweep={"batch_size": [8, 32]})
    stage = sweep_stage(batches, sweep_scenes(batches), optanim.record_sweep(batches),
                        lambda s, r: clock_of(s, r, LOW))
    assert isinstance(stage, Grid) and [p.title for p in stage.panels] == ["batch 8", "batch 32"]


def _scene_file(folder: Path, name: str, **fields) -> Path:
    path = folder / f"{name}.py"
    fields = {"epochs": 2, "optimizers": ["sgd", "adam"], "lr": 0.05, "duration": 1.0, "hold": 0.4, **fields}
    body = ", ".join(f"{k}={v!r}" for k, v in fields.items())
    path.write_text(f"from optanim import Scene\nscene = Scene({body})\n")
    return path


def test_grid_renders_the_scenes_side_by_side_in_step(tmp_path, capsys):
    a = _scene_file(tmp_path, "a")
    b = _scene_file(tmp_path, "b", weight_decay=0.5, epochs=4)
    code = cli.main([str(a), str(b), "--grid", "-ql", "--views", "contour,loss", "--quiet",
                     "--out", str(tmp_path / "media")])
    assert code == 0, capsys.readouterr().err
    folder = tmp_path / "media" / "a+b" / "480p15"
    assert sorted(p.name for p in folder.iterdir()) == ["contour.mp4", "loss.mp4"]
    meta, frames = decode(folder / "contour.mp4")
    assert tuple(meta["size"]) == (854, 480) and len(frames) == 15 + 6
    assert _moves(frames, 0.0, 0.35) > 0.05 and _moves(frames, 0.35, 0.70) > 0.05


def test_grid_of_other_than_two_to_six_scenes_or_of_a_sweep_is_one_line(tmp_path, capsys):
    a = _scene_file(tmp_path, "a")
    assert cli.main([str(a), "--grid", "--out", str(tmp_path)]) == 1
    assert "--grid: give 2 to 6 scene files" in capsys.readouterr().err
    sweep = _scene_file(tmp_path, "s", sweep={"lr": [0.01, 0.1]})
    assert cli.main([str(a), str(sweep), "--grid", "--out", str(tmp_path)]) == 1
    assert "is a sweep" in capsys.readouterr().err


def test_a_data_scene_beside_one_without_data_is_refused():
    scene = tiny_scene()
    recording = optanim.record(scene)
    no_data = replace(recording, x=None, y=None, order=None, batch_size=None)
    with pytest.raises(OptanimError, match="grid: tiny fits data and other has an analytic loss"):
        make_grid("t", "", [("a", scene, recording), ("b", replace(scene, name="other"), no_data)],
                  lambda s, r: clock_of(s, r, LOW))


def _grid(n: int, **changes) -> Grid:
    scenes = [tiny_scene(name=f"s{i}", weight_decay=0.1 * i, epochs=2 + n - i, **changes) for i in range(n)]
    common, titles = compare_titles(scenes)
    return make_grid("t", common, [(t, s, optanim.record(s)) for t, s in zip(titles, scenes)],
                     lambda s, r: clock_of(s, r, LOW))


def test_every_text_of_a_2x2_grid_is_at_least_a_40th_of_the_frame_at_480p():
    grid = _grid(4)
    assert grid.by_fraction                                   # 2, 3, 4 and 5 epochs
    fig, views = compose_grid("loss", grid, LOW)
    Animator(fig, views).frame(grid.timeline.n_frames - 1)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 40
    smallest = min(t.get_fontsize() * fig.dpi / 72 for t in texts)
    assert smallest >= LOW.height / 40, smallest


def test_trails_drawn_frame_by_frame_in_panels_of_their_own_clocks_equal_a_fresh_drawing():
    grid = _grid(2)
    last = grid.timeline.n_frames - 1
    fig, views = compose_grid("contour", grid, LOW)
    animator = Animator(fig, views)
    for frame in range(last + 1):
        streamed = animator.frame(frame).copy()
    fresh = Animator(*compose_grid("contour", grid, LOW)).frame(last)
    differ = (np.abs(streamed.astype(int) - fresh.astype(int)).max(axis=2) > 60).sum()
    # Joins drawn twice differ by antialiasing (~25 pixels a panel, as for one scene); a trail missing
    # in a panel would be hundreds.
    assert differ < 40 * len(grid.panels), differ


def test_the_command_line_reports_and_exports_each_value_of_a_sweep(tmp_path, capsys):
    sweep = _scene_file(tmp_path, "s", sweep={"lr": [0.01, 0.1]})
    assert cli.main([str(sweep), "--record-only", "--export", "--out", str(tmp_path / "media")]) == 0
    out = capsys.readouterr().out
    assert "s lr 0.01: 2 epochs" in out and "s lr 0.1: 2 epochs" in out
    for value in ("0.01", "0.1"):
        assert (tmp_path / "media" / "s" / f"lr-{value}" / "recording.npz").is_file()
