"""Optimizers and schedules beyond torch.optim's names: a class of one's own, one from a package,
L-BFGS with its closure, schedules stepped per step or on the loss, schedule-free eval weights.
Each against a plain PyTorch loop, bit for bit at every step."""

from __future__ import annotations

import copy
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, ReduceLROnPlateau, SequentialLR

import optanim
from optanim.cli import main
from optanim.errors import OptanimError
from optanim.spec.analytic import Analytic
from optanim.spec.datafit import batch_order, make_data
from optanim.training import budget
from optanim.training.cache import recording_key

from helpers import tiny_scene


class SignSGD(torch.optim.Optimizer):
    """The homework's optimizer: step by lr in the direction of the gradient's sign, with momentum."""

    def __init__(self, params, lr=0.01, beta=0.9):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                m = state.setdefault("m", torch.zeros_like(p))
                m.mul_(group["beta"]).add_(p.grad, alpha=1 - group["beta"])
                p.add_(m.sign(), alpha=-group["lr"])


class NormalisedSGD(torch.optim.Optimizer):
    """Steps of length lr along -g/|g|: the norm is of the whole tensor, so rows are not independent."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(p.grad / (p.grad.norm() + 1e-12), alpha=-group["lr"])


def data_loop(scene, make, *, scheduler=None, every="epoch", plateau=False, closure=False, eval_weights=False):
    """The notebook's loop with (a, b) as two scalar tensors: a, b, batch loss, lr and evaluations per step."""
    X, y = make_data(scene)
    order = batch_order(scene, len(X))
    a, b = [torch.tensor(float(v), requires_grad=True) for v in scene.init]
    opt = make([a, b])
    sched = scheduler(opt) if scheduler else None
    if eval_weights:
        opt.train()
    mse = torch.nn.MSELoss()
    out = {k: [] for k in ("a", "b", "loss", "lr", "evaluations")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(scene.epochs):
            for start in range(0, len(X), scene.batch_size):
                idx = order[epoch][start:start + scene.batch_size]
                inp, target = X[idx], y[idx]
                shown = (a, b)
                if eval_weights:   # the eval-mode weights, read on a copy: the training ones stay as they are
                    twin = copy.deepcopy(opt)
                    twin.eval()
                    shown = twin.param_groups[0]["params"]
                out["a"].append(float(shown[0]))
                out["b"].append(float(shown[1]))
                out["lr"].append(opt.param_groups[0]["lr"])
                count = [0]

                def evaluate():
                    count[0] += 1
                    opt.zero_grad()
                    loss = mse(scene.model(inp, a, b), target)
                    loss.backward()
                    return loss

                if closure:
                    out["loss"].append(float(mse(scene.model(inp, a, b), target)))
                    opt.step(evaluate)
                    out["evaluations"].append(count[0])
                else:
                    out["loss"].append(float(evaluate()))
                    opt.step()
                if sched and every == "step":
                    sched.step()
            if sched and every == "epoch":
                sched.step(float(mse(scene.model(X, a, b), y))) if plateau else sched.step()
    return out


def assert_same(path, reference):
    n = len(path.a)
    assert n == len(reference["a"])
    np.testing.assert_array_equal(path.a, np.float32(reference["a"]), err_msg="a")
    np.testing.assert_array_equal(path.b, np.float32(reference["b"]), err_msg="b")
    np.testing.assert_array_equal(path.loss, np.float32(reference["loss"]), err_msg="loss")
    np.testing.assert_array_equal(path.lr, np.array(reference["lr"]), err_msg="lr")
    if reference["evaluations"]:
        np.testing.assert_array_equal(path.evaluations, reference["evaluations"], err_msg="evaluations")


DATA = dict(epochs=4, init=(2.0, 4.5), lr=0.01)


# -- a class of one's own, and one from a package -------------------------------------------------

def test_a_hand_written_class_equals_a_plain_loop():
    scene = optanim.Scene(**DATA, optimizers={"adam": {}, "mine": SignSGD})
    recording = optanim.record(scene)
    path = recording.paths["mine"]
    assert path.label == "mine" and path.optimizer == "own:SignSGD"
    assert set(path.state) == {"m"}   # its own state, by its own name
    assert_same(path, data_loop(scene, lambda p: SignSGD(p, lr=0.01)))


def test_a_class_from_a_package_equals_a_plain_loop():
    lion = pytest.importorskip("lion_pytorch")
    scene = optanim.Scene(**DATA, optimizers={"lion": {"optimizer": lion.Lion, "lr": 1e-3}})
    path = optanim.record(scene).paths["lion"]
    assert_same(path, data_loop(scene, lambda p: lion.Lion(p, lr=1e-3)))
    assert set(path.state) == {"exp_avg"}


def test_a_class_in_a_list_is_named_by_its_class_and_styled_apart_from_the_builtins():
    from optanim.draw.style import COLOURS, EXTRA_COLOURS, MARKERS, run_styles

    recording = optanim.record(tiny_scene(optimizers=["sgd", SignSGD, NormalisedSGD]))
    assert [p.label for p in recording.paths.values()] == ["SGD", "SignSGD", "NormalisedSGD"]
    styles = run_styles(recording.paths.values())
    own = [styles["SignSGD"], styles["NormalisedSGD"]]
    assert own[0].colour != own[1].colour
    for style in own:
        assert style.colour not in {*COLOURS.values(), *EXTRA_COLOURS} and style.marker not in MARKERS.values()


def test_the_cache_key_follows_the_class_source_and_a_package_version(tmp_path):
    path = tmp_path / "own.py"
    path.write_text(OWN_SCENE)
    first = recording_key(optanim.load_scene(path))
    assert first == recording_key(optanim.load_scene(path))
    path.write_text(OWN_SCENE.replace("alpha=-group['lr']", "alpha=-2 * group['lr']"))   # the student edits it
    assert recording_key(optanim.load_scene(path)) != first
    from optanim.training.cache import class_identity

    lion = pytest.importorskip("lion_pytorch")
    identity = class_identity(lion.Lion)
    assert identity["class"] == "lion_pytorch.lion_pytorch.Lion" and identity["version"]


OWN_SCENE = """
import torch
from optanim import Scene
class SignSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, dict(lr=lr))
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group['params']:
                p.data.add_(p.grad.sign(), alpha=-group['lr'])
scene = Scene(epochs=2, optimizers={"mine": SignSGD})
"""


def test_an_elementwise_class_runs_with_starts_and_one_that_is_not_is_refused():
    scene = optanim.Scene(loss="rosenbrock", steps=30, lr=0.01, optimizers={"mine": SignSGD},
                          starts=[(-1.5, 2.0), (0.5, -0.5), (1.8, 2.5)])
    field = optanim.record_field(scene, steps=range(30))
    for i, start in enumerate(field.starts):
        path = optanim.record(replace(scene, starts=None, init=tuple(map(float, start)))).paths["mine"]
        np.testing.assert_array_equal(field.a["mine"][:, i], path.a)
    with pytest.raises(OptanimError, match=r"^optimizers: norm: NormalisedSGD does not update each element alone"):
        optanim.record_field(replace(scene, optimizers={"norm": NormalisedSGD}), steps=range(30))


# -- L-BFGS ----------------------------------------------------------------------------------------

def test_lbfgs_strong_wolfe_on_rosenbrock_equals_a_plain_loop():
    scene = optanim.Scene(loss="rosenbrock", init=(-1.5, 2.0), steps=25, lr=1.0,
                          optimizers={"lbfgs": {"line_search_fn": "strong_wolfe", "history_size": 10}})
    path = optanim.record(scene).paths["lbfgs"]
    fn = Analytic.from_scene(scene).fn
    a, b = [torch.tensor(v, requires_grad=True) for v in scene.init]
    opt = torch.optim.LBFGS([a, b], lr=1.0, line_search_fn="strong_wolfe", history_size=10)
    positions, evaluations = [], []
    for _ in range(scene.steps):
        positions.append((float(a), float(b)))
        count = [0]

        def closure():
            count[0] += 1
            opt.zero_grad()
            loss = fn(a, b)
            loss.backward()
            return loss

        opt.step(closure)
        evaluations.append(count[0])
    np.testing.assert_array_equal(np.stack([path.a, path.b], 1), np.float32(positions))
    np.testing.assert_array_equal(path.evaluations, evaluations)
    assert path.evaluations[0] > 10 and abs(path.a[-1] - 1) < 1e-3   # its line search works hard, and arrives


def test_lbfgs_on_a_data_scene_equals_a_plain_loop():
    scene = optanim.Scene(epochs=2, lr=0.5, optimizers={"lbfgs": {"line_search_fn": "strong_wolfe", "max_iter": 5}})
    path = optanim.record(scene).paths["lbfgs"]
    reference = data_loop(scene, lambda p: torch.optim.LBFGS(p, lr=0.5, line_search_fn="strong_wolfe", max_iter=5),
                          closure=True)
    assert_same(path, reference)


# -- schedules -------------------------------------------------------------------------------------

def warmup_cosine(opt):
    return SequentialLR(opt, [LinearLR(opt, 0.01, total_iters=10), CosineAnnealingLR(opt, 42)], milestones=[10])


def test_warmup_and_cosine_stepped_every_step_equals_a_plain_loop():
    scene = optanim.Scene(**DATA, optimizers=["sgdm", "adam"], scheduler=warmup_cosine, scheduler_every="step")
    recording = optanim.record(scene)
    reference = data_loop(scene, lambda p: torch.optim.Adam(p, lr=0.01), scheduler=warmup_cosine, every="step")
    assert_same(recording.paths["adam"], reference)
    lr = recording.paths["adam"].lr
    assert lr[0] == pytest.approx(1e-4) and lr[10] == pytest.approx(0.01) and lr[11] < lr[10]


def test_reduce_lr_on_plateau_steps_on_the_full_loss_and_equals_a_plain_loop():
    kwargs = {"patience": 0, "factor": 0.5, "threshold": 0.05}
    scene = optanim.Scene(epochs=8, lr=0.3, optimizers=["adam"], scheduler="reducelronplateau", scheduler_kwargs=kwargs)
    path = optanim.record(scene).paths["adam"]
    assert_same(path, data_loop(scene, lambda p: torch.optim.Adam(p, lr=0.3),
                                scheduler=lambda opt: ReduceLROnPlateau(opt, **kwargs), plateau=True))
    assert len(set(path.lr)) >= 3   # the rate really was cut, more than once
    by_function = replace(scene, scheduler=lambda opt: ReduceLROnPlateau(opt, **kwargs), scheduler_kwargs={})
    np.testing.assert_array_equal(optanim.record(by_function).paths["adam"].lr, path.lr)


def test_a_schedule_free_optimizer_shows_its_eval_weights_and_equals_a_plain_loop():
    schedulefree = pytest.importorskip("schedulefree")
    scene = optanim.Scene(**DATA, optimizers={"sf": {"optimizer": schedulefree.SGDScheduleFree, "lr": 0.5}})
    path = optanim.record(scene).paths["sf"]
    reference = data_loop(scene, lambda p: schedulefree.SGDScheduleFree(p, lr=0.5), eval_weights=True)
    np.testing.assert_array_equal(path.a, np.float32(reference["a"]))
    np.testing.assert_array_equal(path.b, np.float32(reference["b"]))
    np.testing.assert_array_equal(path.loss, np.float32(reference["loss"]))   # trained at the train weights
    assert "z" in path.state


# -- bad input: one line each ----------------------------------------------------------------------

BAD = [
    ("optimizers={'mine': dict}", "optimizers: mine: dict is not a torch.optim.Optimizer subclass"),
    ("optimizers={'mine': {'optimizer': 3}}", "optimizers: mine: 3 is not a torch.optim.Optimizer subclass"),
    ("optimizers={'mine': Sign}, lr=0.1", None),
    ("optimizers={'mine': {'optimizer': Sign, 'beta': 2}}", "optimizers: mine: Sign rejects"),
    ("optimizers={'mine': Fails}", "optimizers: mine: step() raised RuntimeError: no more at step 3"),
    ("scheduler=lambda opt: 1 / 0", "scheduler: the function optimizer -> scheduler raised ZeroDivisionError"),
    ("scheduler=lambda opt: 42", "scheduler: the function optimizer -> scheduler must return a scheduler"),
    ("scheduler_every='batch'", "scheduler_every: 'batch' is not allowed; allowed: epoch, step"),
    ("optimizers=['lbfgs'], starts=4", "optimizers: lbfgs: L-BFGS's line search and history couple the rows"),
    ("epochs=10**9", "epochs: recording this scene would take about"),
]
SCENE_HEAD = """
import torch
from optanim import Scene
class Sign(torch.optim.Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, dict(lr=lr))
    def step(self, closure=None):
        pass
class Fails(Sign):
    def step(self, closure=None):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls > 3:   # steps 0, 1 and 2 go well
            raise RuntimeError("no more")
"""


@pytest.mark.parametrize("fields, message", BAD, ids=[f.split("=")[0] + str(i) for i, (f, _) in enumerate(BAD)])
def test_bad_input_is_one_line_and_exits_non_zero(tmp_path, capsys, fields, message):
    path = tmp_path / "bad.py"
    path.write_text(SCENE_HEAD + f"scene = Scene(epochs=1, {fields})\n".replace("epochs=1, epochs", "epochs"))
    code = main([str(path), "--record-only", "--quiet", "--no-cache", "--out", str(tmp_path / "media")])
    err = capsys.readouterr().err
    if message is None:
        assert code == 0, err
        return
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
    assert message in lines[0], lines[0]
    assert not list(tmp_path.glob("media/**/*.npz"))   # nothing half-written


def test_the_guard_names_the_estimate_and_force_goes_on(tmp_path, capsys, monkeypatch):
    path = tmp_path / "long.py"
    path.write_text("from optanim import Scene\nscene = Scene(epochs=2, optimizers=['sgd'])\n")
    monkeypatch.setattr(budget, "LIMIT_S", 1e-4)
    args = [str(path), "--record-only", "--quiet", "--no-cache", "--out", str(tmp_path)]
    assert main(args) == 1
    assert "epochs: recording this scene would take about" in capsys.readouterr().err
    assert main(args + ["--force"]) == 0
    monkeypatch.setattr(budget, "LIMIT_S", 15 * 60)
    estimate = budget.rendering_estimate(optanim.Scene(duration=600, hold=600), 60, 1920 * 1080, 8)
    assert estimate.seconds > budget.LIMIT_S and estimate.field == "duration"


def test_many_starts_step_the_schedule_per_step_as_single_runs_do():
    scene = optanim.Scene(loss="rosenbrock", steps=40, lr=0.002, optimizers=["adam"], starts=[(-1.5, 2.0), (1.5, -0.5)],
                          scheduler=lambda opt: SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=10),
                                                                   CosineAnnealingLR(opt, 30)], milestones=[10]))
    field = optanim.record_field(scene, steps=range(40))
    for i, start in enumerate(field.starts):
        path = optanim.record(replace(scene, starts=None, init=tuple(map(float, start)))).paths["adam"]
        np.testing.assert_array_equal(field.a["adam"][:, i], path.a)
    with pytest.raises(OptanimError, match="^scheduler: one that steps on the loss"):
        optanim.record_field(replace(scene, scheduler="reducelronplateau"), steps=range(40))


def test_per_step_schedules_do_not_go_with_the_notebook_order():
    with pytest.raises(OptanimError, match='^scheduler_every: "step" steps after each optimizer step'):
        tiny_scene(scheduler_every="step", scheduler_order="notebook")
    with pytest.raises(OptanimError, match="^scheduler_kwargs: only for a scheduler given by name"):
        tiny_scene(scheduler=warmup_cosine, scheduler_kwargs={"gamma": 0.5})
