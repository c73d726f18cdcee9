"""Network scenes: the recording against a plain PyTorch loop, the planes' promises, the landscape on a
plane against direct evaluation, Muon + AdamW, and every bad input as one line."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

import optanim
from optanim.errors import OptanimError
from optanim.spec.network import NetworkFit, criterion_of
from optanim.training.muon import MuonAdamW, hidden_matrices
from optanim.training.network import kept_steps


def mlp(width: int = 8, inputs: int = 2, outputs: int = 2):
    return lambda: nn.Sequential(nn.Linear(inputs, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(),
                                 nn.Linear(width, outputs))


def net_scene(**changes) -> optanim.Scene:
    fields = dict(name="net", network=mlp(), data="moons", epochs=3, batch_size=16, lr=0.05,
                  optimizers={"sgd": {}, "sgdm": {}, "adam": {"lr": 0.01}}, duration=1.0, hold=0.4)
    fields.update(changes)
    return optanim.Scene(**fields)


def plain_loop(scene: optanim.Scene, make_optimizer) -> list[torch.Tensor]:
    """The weights before every step, from the loop a student writes."""
    problem = NetworkFit.from_scene(scene)
    torch.manual_seed(scene.seed)
    net = copy.deepcopy(scene.network())
    optimizer = make_optimizer(net)
    criterion = criterion_of(problem.criterion)
    rows = []
    for epoch in range(problem.epochs):
        for xb, yb in problem.batches(epoch):
            rows.append(parameters_to_vector(net.parameters()).detach().clone())
            optimizer.zero_grad()
            criterion(net(xb), yb).backward()
            optimizer.step()
    return rows


@pytest.mark.parametrize("data", ["moons", "own"])
def test_weights_equal_a_plain_loop_at_every_kept_step(data):
    if data == "own":
        generator = torch.Generator().manual_seed(5)
        x = torch.randn(120, 3, generator=generator)
        y = (x[:, 0] * x[:, 1] > 0).long()
        scene = net_scene(network=mlp(inputs=3), data=(x.numpy(), y.numpy()))
    else:
        scene = net_scene()
    recording = optanim.record(scene)
    builders = {"sgd": lambda net: torch.optim.SGD(net.parameters(), lr=0.05, weight_decay=0.0),
                "sgdm": lambda net: torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=0.0),
                "adam": lambda net: torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=0.0)}
    for key, build in builders.items():
        rows = plain_loop(scene, build)
        path = recording.paths[key]
        assert len(path.a) == len(rows) == recording.n_steps
        for j, step in enumerate(recording.kept_steps):
            assert torch.equal(torch.as_tensor(path.weights[j]), rows[step]), (key, step)


def test_recording_keeps_samples_batches_and_test_set():
    scene = net_scene()
    recording = optanim.record(scene)
    problem = NetworkFit.from_scene(scene)
    assert np.array_equal(recording.x, problem.x.numpy()) and np.array_equal(recording.x_test, problem.x_test.numpy())
    assert len(recording.x) + len(recording.x_test) == scene.n_samples
    assert len(recording.x_test) == round(scene.n_samples * scene.test_share)
    # the batch at a step indexes the training samples the loop trained on
    xb, _ = next(problem.batches(1))
    assert np.array_equal(recording.x[recording.batch(recording.steps_per_epoch)], xb.numpy())
    path = recording.paths["adam"]
    step = 7
    with torch.no_grad():
        net = copy.deepcopy(problem.start)
        vector_to_parameters(torch.as_tensor(path.weights[step]), net.parameters())
        full = criterion_of("cross_entropy")(net(problem.x), problem.y)
        test = criterion_of("cross_entropy")(net(problem.x_test), problem.y_test)
        accuracy = (net(problem.x_test).argmax(1) == problem.y_test).float().mean()
    assert path.full_loss[step] == pytest.approx(float(full), rel=1e-5)
    assert path.test_loss[step] == pytest.approx(float(test), rel=1e-5)
    assert path.accuracy[step] == pytest.approx(float(accuracy))
    assert recording.task == "classes"


def test_ends_plane_holds_the_start_and_two_ends():
    scene = net_scene(plane="ends", plane_runs=("sgd", "adam"))
    recording = optanim.record(scene)
    plane = recording.plane
    assert plane.runs == ("sgd", "adam")
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-5)
    for key in ("sgd", "adam"):
        path = recording.paths[key]
        assert path.off_plane[-1] == pytest.approx(0, abs=1e-4)
        assert (path.a[0], path.b[0]) == (0.0, 0.0)
    # the projection is the orthogonal one: a = (w - origin) . d1
    path = recording.paths["sgdm"]
    row = path.weights[-1]
    assert path.a[-1] == pytest.approx(float((row - plane.origin) @ plane.directions[0]), abs=1e-4)


def test_default_ends_are_the_two_farthest_apart():
    recording = optanim.record(net_scene())
    ends = {k: p.weights[-1] for k, p in recording.paths.items()}
    far = max(((np.linalg.norm(ends[p] - ends[q]), (p, q)) for p in ends for q in ends if p < q))[1]
    assert set(recording.plane.runs) == set(far)


def test_pca_plane_orthonormal_and_ordered():
    recording = optanim.record(net_scene(plane="pca"))
    plane = recording.plane
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-5)
    assert 1 >= plane.explained[0] >= plane.explained[1] > 0
    rows = np.concatenate([p.weights for p in recording.paths.values()])
    centred = rows - rows.mean(0)
    share = np.linalg.svd(centred, compute_uv=False) ** 2 / (centred ** 2).sum()
    assert plane.explained[0] == pytest.approx(share[0], rel=1e-3)
    assert "PC1" in plane.axis_labels()[0]


def test_random_plane_is_filter_normalised_and_centred_on_a_run():
    recording = optanim.record(net_scene(plane="random", plane_runs="adam"))
    plane = recording.plane
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-5)
    np.testing.assert_array_equal(plane.origin, recording.paths["adam"].weights[-1])
    assert recording.paths["adam"].off_plane[-1] == pytest.approx(0, abs=1e-5)
    # biases are left out of the directions (Li et al.)
    start = NetworkFit.from_scene(net_scene()).start
    first = 0
    for param in start.parameters():
        if param.ndim == 1:
            assert not plane.directions[:, first:first + param.numel()].any()
        first += param.numel()


def test_landscape_on_the_plane_equals_direct_evaluation():
    scene = net_scene(resolution=12)
    recording = optanim.record(scene)
    land = optanim.landscape(scene, recording=recording)
    problem = NetworkFit.from_scene(scene)
    criterion = criterion_of(problem.criterion)
    net = copy.deepcopy(problem.start)
    for j, i in [(0, 0), (3, 7), (11, 11), (6, 2)]:
        weights = recording.plane.origin + land.a[i] * recording.plane.directions[0] + land.b[j] * recording.plane.directions[1]
        vector_to_parameters(torch.as_tensor(weights, dtype=torch.float32), net.parameters())
        with torch.no_grad():
            direct = float(criterion(net(problem.x), problem.y))
        assert land.loss[j, i] == pytest.approx(direct, rel=1e-5)
    # the window holds every path
    for path in recording.paths.values():
        assert land.a[0] < path.a.min() and path.a.max() < land.a[-1]
        assert land.b[0] < path.b.min() and path.b.max() < land.b[-1]
    # the plane's loss under each head is the landscape's function there
    path = recording.paths["sgd"]
    on_plane = problem.on_plane(recording.plane).full_loss(torch.tensor(path.a[-1:]), torch.tensor(path.b[-1:]))
    assert path.plane_loss[-1] == pytest.approx(float(on_plane), rel=1e-5)


@pytest.mark.parametrize("activation, data, criterion, outputs", [
    (nn.Tanh, "moons", "cross_entropy", 2), (nn.ReLU, "gaussians", "cross_entropy", 3),
    (nn.Sigmoid, "circles", "bce", 1), (nn.GELU, "xor", "cross_entropy", 2), (nn.Tanh, "notebook", "mse", 1)])
def test_batched_losses_equal_one_network_at_a_time(activation, data, criterion, outputs):
    """The stacked products (with tanh as 2·σ(2x) − 1, two-class cross-entropy as a softplus) and the
    vmap path give each weight vector's loss and accuracy as the network itself does."""
    inputs = 1 if data == "notebook" else 2
    network = lambda: nn.Sequential(nn.Linear(inputs, 12), activation(), nn.Linear(12, 12), activation(),
                                    nn.Linear(12, outputs))
    problem = NetworkFit.from_scene(net_scene(network=network, data=data, criterion=criterion))
    torch.manual_seed(1)
    rows = parameters_to_vector(problem.start.parameters()).detach() + 0.5 * torch.randn(7, problem.n_params)
    loss, hits = problem.losses(rows, problem.x, problem.y)
    net, direct = copy.deepcopy(problem.start), criterion_of(criterion)
    for k, row in enumerate(rows):
        vector_to_parameters(row, net.parameters())
        with torch.no_grad():
            out = net(problem.x)
        assert float(loss[k]) == pytest.approx(float(direct(out, problem.y)), rel=1e-5)
        if problem.classes:
            guess = (out[:, 0] > 0).long() if outputs == 1 else out.argmax(1)
            assert float(hits[k]) == pytest.approx(float((guess == problem.y).float().mean()))


@pytest.mark.parametrize("low, high", [(0.04578, 0.04689), (0.2, 0.35), (0.001, 2.0)])
def test_contour_levels_stay_apart_however_flat_the_plane(low, high):
    """A random plane is often nearly flat over the paths' window: its levels must still be distinct
    and spread over the loss drawn (rounded to two figures they once collapsed into one)."""
    problem = NetworkFit.from_scene(net_scene())
    loss = np.geomspace(low, high, 10_000).reshape(100, 100)
    levels = np.array(problem.contour_levels(loss))
    assert len(levels) >= 10 and (np.diff(levels) > 0).all()
    assert low <= levels[0] and levels[-1] <= high
    assert levels[0] < np.percentile(loss, 20) and levels[-1] > np.percentile(loss, 80)


def test_landscape_of_a_network_needs_its_recording():
    with pytest.raises(OptanimError, match="recording"):
        optanim.landscape(net_scene())


def test_muon_runs_on_hidden_matrices_and_equals_a_plain_loop():
    scene = net_scene(optimizers={"muon": {"lr": 0.02}})
    recording = optanim.record(scene)
    assert recording.paths["muon"].label.startswith("Muon + AdamW")

    def build(net):
        hidden, rest = hidden_matrices(net)
        assert [p.shape for p in hidden] == [torch.Size([8, 8])]   # the 8x8 between input and output layers
        muon = torch.optim.Muon(hidden, lr=0.02, weight_decay=0.1)
        adamw = torch.optim.AdamW(rest, lr=0.002, weight_decay=0.01)

        class Both:
            def zero_grad(self):
                muon.zero_grad()
                adamw.zero_grad()

            def step(self):
                muon.step()
                adamw.step()
        return Both()

    rows = plain_loop(scene, build)
    for j, step in enumerate(recording.kept_steps):
        assert torch.equal(torch.as_tensor(recording.paths["muon"].weights[j]), rows[step])


def test_muon_with_a_scheduler_sets_both_rates():
    net = mlp()()
    optimizer = MuonAdamW(net, lr=0.02)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.5 ** epoch)
    optimizer.step()
    scheduler.step()
    assert optimizer.muon.param_groups[0]["lr"] == pytest.approx(0.01)
    assert optimizer.adamw.param_groups[0]["lr"] == pytest.approx(0.001)


def test_adafactor_trains_a_network():
    recording = optanim.record(net_scene(optimizers=["adafactor"]))
    path = recording.paths["adafactor"]
    assert not path.diverged and path.full_loss[-1] < path.full_loss[0]


def test_a_diverging_run_is_marked_and_the_others_go_on():
    recording = optanim.record(net_scene(optimizers={"sgd": {"lr": 1e38}, "adam": {"lr": 0.01}}, epochs=4))
    assert recording.paths["sgd"].diverged and not recording.paths["adam"].diverged
    assert len(recording.paths["adam"].a) == recording.n_steps
    assert np.isfinite(recording.paths["sgd"].a).all()


def test_notebook_data_fitted_by_a_network():
    scene = net_scene(network=mlp(16, inputs=1, outputs=1), data="notebook", optimizers=["adam"])
    recording = optanim.record(scene)
    assert recording.task == "regression" and recording.x.ndim == 1 and len(recording.x) == 150
    assert scene.kind == "regression" and recording.paths["adam"].accuracy is None


def test_kept_steps_bounded_by_the_budget():
    assert len(kept_steps(100, 10, 4)) == 100
    steps = kept_steps(10_000, 10_000, 4, budget=256 * 2 ** 20)
    assert steps[0] == 0 and steps[-1] == 9_999 and len(steps) * 10_000 * 4 * 4 <= 256 * 2 ** 20 + 10_000 * 16


def test_subsampled_weights_are_projected_exactly_by_a_second_pass(monkeypatch):
    scene = net_scene(plane="pca")
    whole = optanim.record(scene)
    n_params = whole.paths["sgd"].weights.shape[1]
    monkeypatch.setattr("optanim.training.network.WEIGHT_BUDGET", 4 * n_params * 3 * 4)   # every 8th step
    part = optanim.record(scene)
    assert len(part.kept_steps) < whole.n_steps
    for key, path in part.paths.items():
        np.testing.assert_array_equal(path.weights, whole.paths[key].weights[part.kept_steps])
        np.testing.assert_array_equal(path.full_loss, whole.paths[key].full_loss)


@pytest.mark.parametrize("changes, message", [
    (dict(network=mlp(outputs=1)), r"network: for cross_entropy on 2 classes the output must be \(N, 2\), got \(4, 1\)"),
    (dict(network=mlp(inputs=3)), r"network: the module cannot take the data's inputs of shape \(N, 2\)"),
    (dict(data=(np.zeros((10, 2)), np.zeros(9, dtype=int))), "data: X must be"),
    (dict(data=(np.full((10, 2), np.nan), np.zeros(10, dtype=int))), "data: X and y must be finite"),
    (dict(data="mooons"), "data: unknown data set 'mooons'"),
    (dict(plane_runs=("sgd", "lion")), "plane_runs: 'lion' is not a run"),
    (dict(plane="sphere"), "plane: unknown plane 'sphere'"),
    (dict(criterion="mse"), "criterion: mse needs target values"),
    (dict(loss="rosenbrock"), "network: a scene trains a network or minimises a loss function"),
    (dict(model=lambda x, a, b: a * x), "model: a network scene trains"),
    (dict(init=(1.0, 2.0)), "init: a network scene trains"),
    (dict(network=lambda: nn.Linear(2, 2 ** 27)), r"network: 402,653,184 parameters .* the limit is 1\.5 GB"),
    (dict(network=lambda: 1 / 0), "network: network\\(\\) raised ZeroDivisionError: division by zero \\(at .*test_network.py:"),
])
def test_bad_network_input_is_one_line(changes, message):
    with pytest.raises(OptanimError, match=message):
        net_scene(**changes)


def test_views_that_do_not_apply_are_one_line():
    from optanim.render import check_views
    with pytest.raises(OptanimError, match="views: 'state'"):
        check_views(["state"], "classes")
    with pytest.raises(OptanimError, match="views: 'fit' shows the model's fit to 1-D data"):
        check_views(["fit"], "classes")
    assert check_views(["fit"], "regression") == ["fit"]


def test_cli_errors_name_the_file_and_the_line(tmp_path):
    scene = tmp_path / "bad.py"
    scene.write_text("from torch import nn\nfrom optanim import Scene\n\ndef net():\n    raise ValueError('no layers')\n\n"
                     "scene = Scene(network=net, data='moons')\n")
    result = subprocess.run([sys.executable, "-m", "optanim", str(scene), "--record-only"], capture_output=True,
                            text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "network() raised ValueError: no layers" in lines[0] and "bad.py:5" in lines[0]


def test_a_per_step_schedule_steps_a_network_run_every_step():
    warm = lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(1.0, (step + 1) / 10))  # noqa: E731
    scene = net_scene(optimizers=["sgd"], scheduler=warm, scheduler_every="step")
    recording = optanim.record(scene)
    np.testing.assert_allclose(recording.paths["sgd"].lr[:12], [0.05 * min(1.0, (s + 1) / 10) for s in range(12)])

    def build(net):
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05, weight_decay=0.0)
        scheduler = warm(optimizer)

        class Stepped:
            def zero_grad(self):
                optimizer.zero_grad()

            def step(self):
                optimizer.step()
                scheduler.step()
        return Stepped()

    rows = plain_loop(scene, build)
    assert torch.equal(torch.as_tensor(recording.paths["sgd"].weights[-1]), rows[-1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU on this machine: the cuda path runs where one is lent")
def test_a_network_records_and_its_plane_landscape_computes_on_cuda():
    cpu = optanim.record(net_scene(resolution=10))
    scene = net_scene(resolution=10, device="cuda")
    recording = optanim.record(scene)
    for key, path in recording.paths.items():
        np.testing.assert_allclose(path.full_loss, cpu.paths[key].full_loss, rtol=1e-4, atol=1e-5)
    land = optanim.landscape(scene, recording=recording, device="cuda")
    assert np.isfinite(land.loss).all()
