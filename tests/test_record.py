"""The recorder against a plain PyTorch loop written as the notebook writes it."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.optim as optim

import optanim
from optanim.spec.datafit import batch_order, make_data

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def plain_loop(scene: optanim.Scene) -> dict[str, tuple[list, list, list]]:
    """The notebook's train(), one optimizer after another, fed the recorder's data and batches."""
    X, y = make_data(scene)
    order = batch_order(scene, len(X))
    lr, wd = scene.lr, scene.weight_decay
    defs = {
        "sgd": lambda p: optim.SGD(p, lr=lr, weight_decay=wd),
        "sgdm": lambda p: optim.SGD(p, lr=lr, momentum=scene.momentum, weight_decay=wd),
        "adagrad": lambda p: optim.Adagrad(p, lr=lr, weight_decay=wd),
        "rmsprop": lambda p: optim.RMSprop(p, lr=lr, weight_decay=wd),
        "adam": lambda p: optim.Adam(p, lr=lr, weight_decay=wd),
        "adamax": lambda p: optim.Adamax(p, lr=lr, weight_decay=wd),
        "adamw": lambda p, **kw: optim.AdamW(p, lr=lr, weight_decay=wd, **kw),
        "nadam": lambda p, **kw: optim.NAdam(p, lr=lr, weight_decay=wd, **kw),
    }
    criterion = torch.nn.MSELoss()
    out = {}
    for name, extra in scene.optimizer_kwargs.items():
        a, b = [torch.tensor(float(p), requires_grad=True) for p in scene.init]
        optimizer = defs[name]((a, b), **extra)
        if scene.scheduler == "lambdalr":
            scheduler = optim.lr_scheduler.LambdaLR(optimizer, scene.lr_lambda)
        else:
            scheduler = optim.lr_scheduler.StepLR(optimizer, **scene.scheduler_kwargs)
        a_list, b_list, cost_list = [], [], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(scene.epochs):
                if scene.scheduler_order == "notebook":
                    scheduler.step()
                perm = order[epoch]
                for start in range(0, len(X), scene.batch_size):
                    idx = perm[start:start + scene.batch_size]
                    inp, target = X[idx], y[idx]
                    a_list.append(float(a))
                    b_list.append(float(b))
                    optimizer.zero_grad()
                    loss = criterion(scene.model(inp, a, b), target)
                    cost_list.append(float(loss))
                    loss.backward()
                    optimizer.step()
                if scene.scheduler_order == "pytorch":
                    scheduler.step()
        out[name] = (a_list, b_list, cost_list)
    return out


def assert_same(recording: optanim.Recording, reference: dict) -> None:
    for name, (a, b, cost) in reference.items():
        path = recording.paths[name]
        n = len(path.a)
        assert n == len(a) or path.diverged
        np.testing.assert_array_equal(path.a, np.float32(a[:n]), err_msg=f"{name}: a")
        np.testing.assert_array_equal(path.b, np.float32(b[:n]), err_msg=f"{name}: b")
        np.testing.assert_array_equal(path.loss, np.float32(cost[:n]), err_msg=f"{name}: loss")


@pytest.mark.parametrize("exp", ["exp1", "exp2", "exp3", "exp4", "exp5"])
def test_notebook_experiments_match_plain_loop_step_by_step(exp):
    # 20 epochs cross every kind of step the full 200 do (the schedule, weight decay, the short last
    # batch of each epoch); the full length of one experiment is checked below, marked slow.
    scene = optanim.load_scene(SCENES / f"{exp}.py")
    scene = replace(scene, epochs=min(scene.epochs, 20))
    recording = optanim.record(scene)
    assert recording.n_steps == scene.epochs * 13
    assert_same(recording, plain_loop(scene))


@pytest.mark.slow
def test_exp5_full_length_matches_plain_loop():
    scene = optanim.load_scene(SCENES / "exp5.py")
    assert_same(optanim.record(scene), plain_loop(scene))


def test_the_same_optimizer_twice_as_two_runs():
    scene = optanim.Scene(epochs=3, optimizers={"adam": {}, "adam fast": {"optimizer": "adam", "lr": 0.05}})
    recording = optanim.record(scene)
    # their rates differ, so each label says its own
    assert [p.label for p in recording.paths.values()] == ["Adam · lr 0.01", "adam fast · lr 0.05"]
    assert {p.optimizer for p in recording.paths.values()} == {"adam"}
    fast = optanim.record(optanim.Scene(epochs=3, lr=0.05, optimizers=["adam"])).paths["adam"]
    np.testing.assert_array_equal(recording.paths["adam fast"].a, fast.a)
    assert not np.array_equal(recording.paths["adam"].a, fast.a)


def test_other_optimizers_schedule_and_init_match_plain_loop():
    scene = optanim.Scene(optimizers={"sgd": {}, "adamw": {"betas": (0.8, 0.99)}, "nadam": {}},
                          init=(0.5, 1.0), epochs=6, lr=0.05, batch_size=32,
                          scheduler="steplr", scheduler_kwargs={"step_size": 2, "gamma": 0.5})
    recording = optanim.record(scene)
    assert list(recording.paths) == ["sgd", "adamw", "nadam"]
    assert recording.paths["adamw"].label == "AdamW"
    assert_same(recording, plain_loop(scene))
    # StepLR halves the rate every 2 epochs, stepped after each epoch (PyTorch's order)
    lr = recording.paths["sgd"].lr.reshape(6, -1)[:, 0]
    np.testing.assert_allclose(lr, [0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125])


def test_notebook_order_runs_epoch_e_at_lambda_e_plus_1():
    scene = optanim.Scene(epochs=3, lr_lambda=lambda e: 0.5 ** e, scheduler_order="notebook",
                          optimizers=["sgd"])
    lr = optanim.record(scene).paths["sgd"].lr.reshape(3, -1)
    np.testing.assert_allclose(lr[:, 0], [0.005, 0.0025, 0.00125])
    pytorch = optanim.record(replace(scene, scheduler_order="pytorch")).paths["sgd"].lr.reshape(3, -1)
    np.testing.assert_allclose(pytorch[:, 0], [0.01, 0.005, 0.0025])


def test_no_scheduler_order_warning(recwarn):
    optanim.record(optanim.Scene(epochs=2, scheduler_order="notebook", optimizers=["adam"]))
    assert not [w for w in recwarn if "lr_scheduler" in str(w.message)]


def test_recording_is_deterministic_and_order_is_a_permutation_per_epoch():
    scene = optanim.Scene(epochs=3, optimizers=["sgd", "adam"])
    first, second = optanim.record(scene), optanim.record(scene)
    np.testing.assert_array_equal(first.paths["adam"].a, second.paths["adam"].a)
    assert first.order.shape == (3, 200)
    for row in first.order:
        assert sorted(row) == list(range(200))
    assert len(first.batch(12)) == 200 - 12 * 16  # the last batch of an epoch is short


def test_full_loss_is_the_mse_over_all_data_at_recorded_params():
    scene = optanim.Scene(epochs=2, optimizers=["rmsprop"])
    recording = optanim.record(scene)
    path = recording.paths["rmsprop"]
    x, y = torch.tensor(recording.x), torch.tensor(recording.y)
    for i in (0, 7, len(path.a) - 1):
        expected = torch.nn.MSELoss()(scene.model(x, torch.tensor(path.a[i]), torch.tensor(path.b[i])), y)
        assert path.full_loss[i] == pytest.approx(float(expected), rel=1e-5)


def test_landscape_matches_point_by_point_loop():
    scene = optanim.Scene(resolution=12)
    land = optanim.landscape(scene)
    x, y = make_data(scene)
    criterion = torch.nn.MSELoss()
    expected = np.array([[float(criterion(scene.model(x, torch.tensor(float(a)), torch.tensor(float(b))), y))
                          for a in land.a] for b in land.b])
    np.testing.assert_allclose(land.loss, expected, rtol=1e-6)
    assert land.loss.shape == (12, 12)


def test_divergence_is_recorded_up_to_the_bad_step():
    scene = optanim.Scene(epochs=5, lr=50.0, optimizers=["sgd", "adam"], a_range=(-3, 10), b_range=(-3, 10))
    recording = optanim.record(scene)
    sgd = recording.paths["sgd"]
    assert sgd.diverged and sgd.diverged_at == len(sgd.a)
    assert sgd.diverged_why in ("NaN or inf", "left the window")
    assert np.isfinite(sgd.a).all() and (sgd.a >= -3).all() and (sgd.a <= 10).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu_closely():
    scene = optanim.load_scene(SCENES / "exp1.py")
    cpu = optanim.record(scene)
    gpu = optanim.record(replace(scene, device="cuda"))
    for name in cpu.paths:
        np.testing.assert_allclose(gpu.paths[name].a, cpu.paths[name].a, rtol=1e-4, atol=1e-4)
