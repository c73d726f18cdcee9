"""The optimizer's state and gradients as recorded, against a plain loop's optimizer.state, step by step."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
import torch.optim as optim

import optanim
from optanim.output.export import load_npz, save_csv, save_npz
from optanim.spec.datafit import batch_order, make_data

#: What each optimizer keeps per parameter, as torch.optim names it (its scalar `step` left out).
EXPECTED_STATE = {
    "sgd": set(), "sgdm": {"momentum_buffer"}, "adagrad": {"sum"}, "rmsprop": {"square_avg"},
    "adam": {"exp_avg", "exp_avg_sq"}, "adamax": {"exp_avg", "exp_inf"}, "adamw": {"exp_avg", "exp_avg_sq"},
    "nadam": {"exp_avg", "exp_avg_sq"}, "rmsprop centred": {"square_avg", "momentum_buffer", "grad_avg"},
}
CLASSES = {"sgd": optim.SGD, "sgdm": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
           "adam": optim.Adam, "adamax": optim.Adamax, "adamw": optim.AdamW, "nadam": optim.NAdam}


def plain_loop(scene: optanim.Scene) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    """Each run alone, a and b two scalar tensors as in the notebook: .grad at each optimizer.step(),
    and after it every state entry of a and b (scalars included, as torch keeps them)."""
    X, y = make_data(scene)
    order = batch_order(scene, len(X))
    out = {}
    for run in scene.runs:
        a, b = [torch.tensor(float(p), requires_grad=True) for p in scene.init]
        kwargs = {"lr": scene.lr, "weight_decay": scene.weight_decay,
                  **({"momentum": scene.momentum} if run.optimizer == "sgdm" else {}), **run.kwargs}
        optimizer = CLASSES[run.optimizer]([a, b], **kwargs)
        grads, states = [], {}
        for epoch in range(scene.epochs):
            for start in range(0, len(X), scene.batch_size):
                idx = order[epoch][start:start + scene.batch_size]
                optimizer.zero_grad()
                torch.nn.MSELoss()(scene.model(X[idx], a, b), y[idx]).backward()
                grads.append([a.grad.item(), b.grad.item()])
                optimizer.step()
                for name in optimizer.state[a]:
                    states.setdefault(name, []).append([optimizer.state[a][name].item(),
                                                        optimizer.state[b][name].item()])
        out[run.key] = (np.float32(grads), {k: np.float32(v) for k, v in states.items()})
    return out


def assert_state_matches(recording: optanim.Recording, reference: dict) -> None:
    for key, (grads, states) in reference.items():
        path = recording.paths[key]
        n = len(path.a)
        assert path.grad.shape == (n, 2)
        np.testing.assert_array_equal(path.grad, grads[:n], err_msg=f"{key}: grad")
        assert set(path.state) == EXPECTED_STATE[key], key
        for name, values in path.state.items():
            assert values.shape == (n, 2)
            np.testing.assert_array_equal(values, states[name][:n], err_msg=f"{key}: {name}")


def test_six_notebook_optimizers_state_and_grad_match_plain_loop_at_every_step():
    # Weight decay on: the recorded gradient is the loss's, the decay stays inside step().
    scene = optanim.Scene(epochs=3, lr=0.05, weight_decay=0.01)
    recording = optanim.record(scene)
    assert list(recording.paths) == list(optanim.spec.optimizers.NOTEBOOK_OPTIMIZERS)
    assert_state_matches(recording, plain_loop(scene))


def test_adamw_nadam_and_centred_rmsprop_state_match_plain_loop():
    scene = optanim.Scene(epochs=2, lr=0.05, weight_decay=0.1, init=(0.5, 1.0), optimizers={
        "adamw": {"betas": (0.8, 0.99)}, "nadam": {},
        "rmsprop centred": {"optimizer": "rmsprop", "momentum": 0.5, "centered": True}})
    recording = optanim.record(scene)
    assert_state_matches(recording, plain_loop(scene))
    hyper = recording.paths["adamw"].hyper   # the optimizer's own settings, the run's override in them
    assert (hyper["betas.0"], hyper["betas.1"], hyper["weight_decay"]) == (0.8, 0.99, 0.1)
    assert hyper["decoupled_weight_decay"] == 1.0 and "lr" not in hyper
    assert recording.paths["rmsprop centred"].hyper["centered"] == 1.0


def test_the_step_taken_is_what_the_rule_makes_of_state():
    """SGD + momentum: (a, b)[i+1] - (a, b)[i] == -lr * momentum_buffer[i], to float32 rounding."""
    recording = optanim.record(optanim.Scene(epochs=2, optimizers=["sgdm"]))
    path = recording.paths["sgdm"]
    taken = np.diff(np.stack([path.a, path.b], axis=1), axis=0)
    np.testing.assert_allclose(taken, -path.lr[:-1, None] * path.state["momentum_buffer"][:-1], rtol=1e-4, atol=1e-8)


def test_diverged_run_keeps_only_its_good_steps_of_state():
    recording = optanim.record(optanim.Scene(epochs=3, lr=50.0, optimizers=["adam", "sgdm"]))
    for path in recording.paths.values():
        if path.diverged:
            assert len(path.grad) == len(path.a) == path.diverged_at
            assert all(len(v) == len(path.a) for v in path.state.values())
    assert any(p.diverged for p in recording.paths.values())


def test_export_writes_and_load_npz_reads_state_grad_and_settings(tmp_path):
    recording = optanim.record(optanim.Scene(epochs=1, optimizers=["sgd", "adam"]))
    save_npz(recording, tmp_path / "r.npz")
    loaded = load_npz(tmp_path / "r.npz")
    for key, path in recording.paths.items():
        again = loaded.paths[key]
        np.testing.assert_array_equal(again.grad, path.grad)
        assert set(again.state) == set(path.state) and again.hyper == path.hyper
        for name in path.state:
            np.testing.assert_array_equal(again.state[name], path.state[name])
    save_csv(recording, tmp_path / "r.csv")
    with open(tmp_path / "r.csv") as handle:
        rows = list(csv.DictReader(handle))
    adam = [r for r in rows if r["optimizer"] == "adam"][5]
    assert float(adam["grad_b"]) == recording.paths["adam"].grad[5, 1]
    assert float(adam["exp_avg_sq_a"]) == recording.paths["adam"].state["exp_avg_sq"][5, 0]
    assert [r for r in rows if r["optimizer"] == "sgd"][0]["exp_avg_a"] == ""   # SGD keeps no moments


@pytest.mark.parametrize("focus", ["adam", ""])
def test_state_focus_must_name_a_run(focus):
    scene = optanim.Scene(optimizers=["sgd", "adam"], state_focus=focus)
    assert scene.state_focus == focus
    with pytest.raises(optanim.OptanimError, match="state_focus"):
        optanim.Scene(optimizers=["sgd", "adam"], state_focus="adamw")
