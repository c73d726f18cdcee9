"""Scenes that minimise a loss function: paths against a plain PyTorch loop, fields, views and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.optim as optim

import optanim
from optanim.cli import main as cli_main
from optanim.output.export import load_npz, save_csv, save_npz
from optanim.stage.animator import Animator
from optanim.stage.layout import compose
from optanim.draw.storyboard import describe
from optanim.errors import OptanimError
from optanim.spec.quality import QUALITIES
from optanim.render import build_movie
from optanim.spec.analytic import gradient_noise
from optanim.spec.loss import formula_of
from optanim.spec.functions import FUNCTIONS
from optanim.spec.problems import problem_of
from optanim.training.cache import recording_key
from optanim.views.gradnorm import GradNormView

from helpers import decode

SCENES = Path(__file__).resolve().parent.parent / "scenes"
#: Every optimizer the notebook uses, with rates that differ so that each run's own lr is exercised.
RUNS = {"sgd": {}, "sgdm": {}, "adagrad": {"lr": 0.05}, "rmsprop": {"lr": 0.005}, "adam": {"lr": 0.02},
        "adamax": {"lr": 0.02}}
CLASSES = {"sgd": optim.SGD, "sgdm": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
           "adam": optim.Adam, "adamax": optim.Adamax}


def saddle_lambda(a, b):
    return a ** 2 - b ** 2


def plain_loop(scene: optanim.Scene, fn) -> dict[str, tuple[list, list, list, list]]:
    """Each optimizer alone on two scalar tensors: zero_grad, loss(a, b).backward(), the scene's
    gradient noise added to .grad, step, then the scheduler once per step."""
    noise = gradient_noise(scene.seed, scene.n_epochs, scene.grad_noise) if scene.grad_noise else None
    out = {}
    for run in scene.runs:
        a, b = (torch.tensor(float(v), requires_grad=True) for v in scene.init)
        kwargs = {"lr": scene.lr, **({"momentum": scene.momentum} if run.optimizer == "sgdm" else {}), **run.kwargs}
        optimizer = CLASSES[run.optimizer]([a, b], **kwargs)
        scheduler = optim.lr_scheduler.LambdaLR(optimizer, scene.lr_lambda)
        a_list, b_list, losses, grads = [], [], [], []
        for step in range(scene.n_epochs):
            a_list.append(float(a))
            b_list.append(float(b))
            optimizer.zero_grad()
            loss = fn(a, b)
            losses.append(float(loss))
            loss.backward()
            if noise is not None:
                a.grad += noise[step, 0]
                b.grad += noise[step, 1]
            grads.append((float(a.grad), float(b.grad)))
            optimizer.step()
            scheduler.step()
        out[run.key] = (a_list, b_list, losses, grads)
    return out


def assert_same_paths(recording: optanim.Recording, reference: dict) -> None:
    for key, (a, b, loss, grad) in reference.items():
        path = recording.paths[key]
        n = len(path.a)
        assert n == len(a) or path.diverged, key
        assert n > 10, f"{key} left after {n} steps: the comparison says little"
        np.testing.assert_array_equal(path.a, np.float32(a[:n]), err_msg=f"{key}: a")
        np.testing.assert_array_equal(path.b, np.float32(b[:n]), err_msg=f"{key}: b")
        np.testing.assert_array_equal(path.loss, np.float32(loss[:n]), err_msg=f"{key}: loss")
        np.testing.assert_array_equal(path.grad, np.float32(grad[:n]), err_msg=f"{key}: grad")


def inner_start(f) -> tuple[float, float]:
    """A start well inside the function's window, away from its centre (saddles, symmetric bowls)."""
    (a0, a1), (b0, b1) = f.a_range, f.b_range
    return a0 + 0.3 * (a1 - a0), b0 + 0.62 * (b1 - b0)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_builtin_matches_a_plain_loop_at_every_step(name):
    f = FUNCTIONS[name]
    # Gradients of the steep functions reach thousands: rates scaled so no path leaves at once.
    scale = {"goldstein-price": 1e-4, "beale": 0.1, "rosenbrock": 0.1, "styblinski-tang": 0.3}.get(name, 1.0)
    runs = {k: {"lr": v["lr"] * scale} if v else {} for k, v in RUNS.items()}
    scene = optanim.Scene(loss=name, init=inner_start(f), steps=40, lr=1e-3 * scale, optimizers=runs,
                          lr_lambda=lambda s: 0.98 ** s)
    recording = optanim.record(scene)
    assert recording.n_steps == 40 and recording.steps_per_epoch == 1 and not recording.has_data
    assert_same_paths(recording, plain_loop(scene, f.fn))
    # the scheduler stepped once per step
    np.testing.assert_allclose(recording.paths["sgd"].lr[:3], 1e-3 * scale * 0.98 ** np.arange(3), rtol=1e-6)


@pytest.mark.parametrize("loss", [lambda a, b: a ** 2 - b ** 2, saddle_lambda,
                                  lambda a, b: (a - 1) ** 2 + 3 * torch.sin(b) ** 2 + 0.1 * a * b])
def test_a_users_function_matches_a_plain_loop(loss):
    scene = optanim.Scene(loss=loss, init=(0.8, 0.3), steps=50, lr=0.01, optimizers=RUNS)
    assert scene.window == ((-3, 3), (-3, 3))
    assert_same_paths(optanim.record(scene), plain_loop(scene, loss))


def test_gradient_noise_is_exactly_the_plain_loops_noise_and_the_same_for_every_run():
    scene = optanim.Scene(loss="rosenbrock", init=(-1.0, 1.5), steps=60, lr=1e-4, grad_noise=2.0, seed=3,
                          optimizers=RUNS)
    recording = optanim.record(scene)
    assert_same_paths(recording, plain_loop(scene, FUNCTIONS["rosenbrock"].fn))
    # the recorded loss is the function's own, without the noise
    path = recording.paths["adam"]
    fn = FUNCTIONS["rosenbrock"].fn
    np.testing.assert_array_equal(path.loss, fn(torch.tensor(path.a), torch.tensor(path.b)).numpy())
    quiet = optanim.record(optanim.Scene(loss="rosenbrock", init=(-1.0, 1.5), steps=60, lr=1e-4, optimizers=RUNS))
    assert not np.array_equal(quiet.paths["adam"].a, path.a)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_problem_is_the_function_and_marks_all_its_minima(name):
    f = FUNCTIONS[name]
    problem = problem_of(optanim.Scene(loss=name, init=inner_start(f)))
    assert (problem.epochs, problem.steps_per_epoch, problem.arrays()) == (500, 1, {})
    assert sorted(problem.minima) == sorted((m.a, m.b) for m in f.minima)
    if f.minima:
        a, b = (torch.tensor([m.a for m in f.minima]), torch.tensor([m.b for m in f.minima]))
        np.testing.assert_allclose(problem.full_loss(a, b).numpy(), [m.value for m in f.minima], atol=1e-4, rtol=1e-5)
        assert problem.minima[0] in [(m.a, m.b) for m in f.minima if m.is_global]


def test_windows_levels_and_title_come_from_the_function_unless_the_scene_sets_them():
    scene = optanim.Scene(loss="rosenbrock", init=(-1.5, 2.0), steps=5)
    assert scene.window == ((-2.0, 2.0), (-1.0, 3.0))
    land = optanim.landscape(scene)
    assert land.a[0] == -2.0 and land.b[-1] == 3.0
    heights = np.array(land.levels) - land.loss.min()
    assert heights[0] > 0 and heights[-1] / heights[0] > 1000          # log levels ring the valley floor
    own = optanim.Scene(loss="rosenbrock", init=(-1.5, 2.0), steps=5, a_range=(-3.0, 3.0),
                        contour_levels=(1.0, 10.0, 100.0))
    assert own.window == ((-3.0, 3.0), (-1.0, 3.0)) and optanim.landscape(own).levels == (1.0, 10.0, 100.0)
    assert optanim.Scene().window == ((-3.0, 10.0), (-3.0, 10.0))
    assert optanim.landscape(optanim.Scene(resolution=8)).levels[:2] == (0.0, 0.02)
    # a user's bowl gets log rings about its floor, a user's saddle even steps
    bowl = np.array(optanim.landscape(optanim.Scene(loss=lambda a, b: a ** 2 + 4 * b ** 2, init=(1, 1))).levels)
    assert bowl[-1] / bowl[0] > 1000
    saddle = np.diff(optanim.landscape(optanim.Scene(loss=saddle_lambda, init=(1, 0))).levels)
    assert saddle.max() < 1.1 * saddle.min()


def test_subtitle_has_formula_rates_steps_and_start_but_not_the_title():
    scene = optanim.Scene(loss="rosenbrock", init=(-1.5, 2.0), steps=600, lr=1e-3, grad_noise=0.5,
                          optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.05}, "rmsprop": {"lr": 0.01}})
    text = describe(scene)
    assert FUNCTIONS["rosenbrock"].formula in text and "Rosenbrock" not in text
    assert "lr 0.001 (Adam 0.05, RMSprop 0.01)" in text
    assert "600 steps" in text and "start (-1.5, 2)" in text and "noise σ 0.5" in text and "epoch" not in text
    assert formula_of(saddle_lambda) == "saddle_lambda(a, b) = a ** 2 - b ** 2"
    assert formula_of(lambda a, b: a * b) == "loss(a, b) = a * b"


def test_each_runs_own_rate_is_in_its_label_only_when_rates_differ():
    differ = optanim.record(optanim.Scene(loss="booth", init=(0, 0), steps=3,
                                          optimizers={"sgd": {}, "adam": {"lr": 0.05}}))
    assert [p.label for p in differ.paths.values()] == ["SGD · lr 0.01", "Adam · lr 0.05"]
    same = optanim.record(optanim.Scene(loss="booth", init=(0, 0), steps=3, optimizers=["sgd", "adam"]))
    assert [p.label for p in same.paths.values()] == ["SGD", "Adam"]


def frames_of(scene: optanim.Scene, view: str, frames: list[int]):
    quality = QUALITIES["l"]
    movie = build_movie(scene, optanim.record(scene), quality)
    fig, panels = compose(view, movie, quality)
    animator = Animator(fig, panels)
    return movie, panels, [animator.frame(f).copy() for f in frames]


def test_dashboard_shows_the_gradient_norm_instead_of_the_fit_and_the_readout_counts_steps():
    scene = optanim.Scene(loss="himmelblau", init=(0.0, 0.0), steps=30, lr=0.01, optimizers=["sgd", "adam"],
                          duration=1.0, hold=0.2)
    movie, panels, _ = frames_of(scene, "dashboard", [10])
    names = [panel.name for panel in panels]
    assert "gradnorm" in names and "fit" not in names
    readout = panels[-1]
    step = int(movie.timeline.steps[10])
    assert readout.step.get_text() == f"step {step}/29" and readout.epoch.get_text() == ""
    norm = next(p for p in panels if isinstance(p, GradNormView))
    grad = movie.recording.paths["adam"].grad
    np.testing.assert_allclose(norm.heads["adam"].get_ydata(), np.hypot(*grad[step]))
    assert len(movie.minima) == 4 and movie.title == "Himmelblau"


def test_a_saddle_unbounded_below_draws_and_a_path_that_runs_off_is_marked():
    scene = optanim.Scene(loss="monkey-saddle", init=(0.5, 0.05), a_range=(-6, 6), b_range=(-6, 6), steps=200,
                          lr=0.05, optimizers=["sgd"], duration=1.0, hold=0.0)
    movie, panels, (first, last) = frames_of(scene, "surface", [0, 14])
    path = movie.recording.paths["sgd"]
    assert path.diverged and path.diverged_why == "left the window"
    land = movie.landscape
    assert land.loss.min() < land.floor == pytest.approx(np.quantile(land.loss, 0.05))   # cut off below too
    assert panels[0].field.z.min() == pytest.approx(land.floor)
    assert np.abs(first.astype(int) - last.astype(int)).mean() > 0.05
    assert optanim.landscape(optanim.Scene(loss="rosenbrock", init=(0, 0))).floor is None   # a bowl keeps its floor
    own = optanim.landscape(optanim.Scene(loss=lambda a, b: a ** 3 - b, init=(0, 0)))
    assert own.floor is not None and own.loss.min() < own.floor


def test_the_loss_axis_is_logarithmic_unless_the_loss_goes_negative():
    saddle = optanim.Scene(loss="saddle", init=(-1.5, 0.01), steps=200, lr=0.02, optimizers=["adam"],
                           duration=1.0, hold=0.0)
    _, panels, _ = frames_of(saddle, "loss", [0])
    assert panels[0].ax.get_yscale() == "linear" and panels[0].title == "loss"
    bowl = optanim.Scene(loss="booth", init=(1.0, 3.0), steps=5, optimizers=["sgd"], duration=1.0, hold=0.0)
    _, panels, _ = frames_of(bowl, "loss", [0])          # a loss of exactly 0 at the minimum stays on log
    assert panels[0].ax.get_yscale() == "log"


def test_a_sweep_of_a_loss_function_shows_steps_and_its_own_titles(tmp_path):
    scene = optanim.Scene(name="starts", loss="himmelblau", init=(0.0, 0.0), steps=40, lr=0.01, optimizers=["sgd"],
                          sweep={"init": [(-1.0, 1.0), (1.0, -1.0)]}, duration=1.0, hold=0.0)
    written = optanim.render(scene, views=["contour", "gradnorm"], quality="l", formats=["png"], out=tmp_path)
    assert sorted(p.name for p in written) == ["contour.png", "gradnorm.png"]
    from optanim.stage.grid import compose_grid, sweep_stage
    from optanim.render import clock_of
    from optanim.spec.sweep import sweep_scenes
    from optanim.training.sweep import record_sweep

    quality = QUALITIES["l"]
    stage = sweep_stage(scene, sweep_scenes(scene), record_sweep(scene), lambda one, rec: clock_of(one, rec, quality))
    fig, panels = compose_grid("contour", stage, quality)
    Animator(fig, panels).frame(stage.timeline.n_frames - 1)
    assert panels[-1].clock.get_text() == "step 39/39"
    assert any(t.get_text().startswith("loss, and each optimizer's path") for t in fig.texts)


def test_export_round_trip_keeps_the_gradients(tmp_path):
    recording = optanim.record(optanim.Scene(loss="beale", init=(1, 1), steps=5, lr=1e-3, optimizers=["adam"]))
    save_npz(recording, tmp_path / "r.npz")
    back = load_npz(tmp_path / "r.npz")
    np.testing.assert_array_equal(back.paths["adam"].grad, recording.paths["adam"].grad)
    assert back.minima == recording.minima and not back.has_data
    save_csv(recording, tmp_path / "r.csv")
    header, first = (tmp_path / "r.csv").read_text().splitlines()[:2]
    assert "lr,grad_a,grad_b" in header   # the optimizer's state follows (tests/test_state.py)
    assert float(first.split(",")[header.split(",").index("grad_a")]) == recording.paths["adam"].grad[0, 0]


def test_cache_key_follows_the_function_its_noise_and_its_length():
    base = dict(init=(0.5, 0.5), steps=20)
    keys = {recording_key(optanim.Scene(loss=loss, **{**base, **extra})) for loss, extra in [
        ("booth", {}), ("matyas", {}), ("booth", {"steps": 21}), ("booth", {"grad_noise": 0.1}),
        ("booth", {"grad_noise": 0.1, "seed": 1}), (saddle_lambda, {}), (lambda a, b: a ** 2 + b ** 2, {}),
        (lambda a, b: a ** 2 + 2 * b ** 2, {})]}
    assert len(keys) == 8
    assert recording_key(optanim.Scene(loss="booth", **base)) == recording_key(optanim.Scene(loss="booth", **base))


@pytest.mark.parametrize("fields, message", [
    (dict(loss="rosenbrock", model=lambda x, a, b: a * x), "loss: a scene fits a model to data or minimises a "
                                                           "loss function, not both; drop model/data or loss"),
    (dict(loss="rosenbrock", data=([0, 1], [1, 2])), "not both"),
    (dict(loss="rosenbrock", epochs=5), "epochs: describes data, and a scene with loss= has none; set steps="),
    (dict(loss="rosenbrock", batch_size=5), "batch_size: describes data"),
    (dict(steps=100), "steps: only a scene with loss= counts steps"),
    (dict(grad_noise=0.1), "grad_noise: only a scene with loss="),
    (dict(loss="rosenbrock", grad_noise=-1.0), "grad_noise: must be >= 0"),
    (dict(loss="rosenbrock", steps=0), "steps: must be a whole number > 0"),
    (dict(loss="rosenbruck"), "loss: unknown function 'rosenbruck'; did you mean 'rosenbrock'?"),
    (dict(loss=3), "loss: must be a built-in function's name or a function loss(a, b)"),
    (dict(loss=lambda a: a), "loss: loss(a, b) raised TypeError"),
    (dict(loss=lambda a, b: 1.0), "loss: loss(a, b) must return a float tensor"),
    (dict(loss=lambda a, b: (a * b).sum()), "got shape ()"),
    (dict(loss=lambda a, b: torch.ones(3)), "loss: loss(a, b) has no gradient"),
])
def test_bad_loss_fields_are_one_line_errors(fields, message):
    with pytest.raises(OptanimError) as error:
        optanim.Scene(**fields)
    assert message in str(error.value) and "\n" not in str(error.value)


def scene_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.py"
    path.write_text("import torch\nfrom optanim import Scene\n" + body)
    return path


def test_asking_for_the_fit_of_a_loss_function_is_one_line_before_any_work(tmp_path, capsys):
    path = scene_file(tmp_path, "scene = Scene(loss='booth', init=(0, 0))\n")
    for extra in (["--check"], ["--out", str(tmp_path / "out")]):
        code = cli_main([str(path), "--views", "contour,fit", *extra])
        err = capsys.readouterr().err.strip()
        assert code == 1 and "\n" not in err
        assert f"{path}: --views: 'fit' shows the model's fit to 1-D data, and this scene has none" in err
        assert "gradnorm" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(OptanimError, match="views: 'fit'"):
        optanim.render(optanim.Scene(loss="booth", init=(0, 0)), views=["fit"], out=tmp_path / "lib")
    assert not (tmp_path / "lib" / ".cache").exists()


def test_a_lecturers_own_function_renders_from_the_command_line(tmp_path, capsys):
    path = scene_file(tmp_path, "scene = Scene(loss=lambda a, b: (a - 1) ** 2 + 10 * torch.sin(b) ** 2,\n"
                                "              init=(-2.0, 1.0), steps=60, lr=0.02, optimizers=['sgd', 'adam'],\n"
                                "              duration=1.0, hold=0.2)\n")
    code = cli_main([str(path), "-ql", "--fps", "8", "--views", "contour,gradnorm", "--export", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "mine: 60 steps per run, 2 runs" in out
    for view in ("contour", "gradnorm"):
        meta, frames = decode(tmp_path / "mine" / "480p8" / f"{view}.mp4")
        assert tuple(meta["size"]) == (854, 480) and len(frames) == 8 + 2
        assert np.abs(frames[0].astype(int) - frames[7].astype(int)).mean() > 0.05
    assert (tmp_path / "mine" / "480p8" / "recording.npz").exists()


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "saddle", "himmelblau", "saddle_noise"])
def test_each_scene_renders_a_moving_contour_video(name, tmp_path, capsys):
    code = cli_main([str(SCENES / f"{name}.py"), "-ql", "--fps", "8", "--duration", "1", "--views", "contour",
                     "--out", str(tmp_path), "--quiet"])
    assert code == 0, capsys.readouterr().err
    scene = optanim.load_scene(SCENES / f"{name}.py")
    meta, frames = decode(tmp_path / name / "480p8" / "contour.mp4")
    assert tuple(meta["size"]) == (854, 480) and len(frames) == 8 + round(scene.hold * 8)
    assert np.abs(frames[0].astype(int) - frames[7].astype(int)).mean() > 0.05
