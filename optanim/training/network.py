"""Train a real network with each of the scene's real torch.optim optimizers, and project every step
onto a plane through its weights, so that the views draw it as they draw two parameters.

Every run starts from the same weights (torch.manual_seed(seed), then network()) and trains a deep copy
of them on the same mini-batches, exactly as a plain loop does (zero_grad(); criterion(net(xb),
yb).backward(); step()). The loss over all data, the test loss and accuracy come afterwards, from the
weights of each step, in batched passes. Where every step's weights do not fit in memory, some are
kept and training runs a second time, deterministically, to project every step once the plane is known.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector

from ..data.plane import Plane, ends_plane, pca_plane, project, random_plane
from ..data.recording import Recording, Trajectory
from ..spec.network import NetworkFit
from ..spec.optimizers import run_labels
from ..spec.runs import Run
from ..spec.scene import Scene
from .device import resolve_device
from .muon import LABEL as MUON_LABEL, MuonAdamW
from .optimizers import hyperparameters, make_optimizer
from .schedule import Schedule

#: Bytes of weights kept across all runs: every step's where they fit, else evenly spaced ones.
WEIGHT_BUDGET = 256 * 2 ** 20
#: Weight rows evaluated together for the loss over all data (a batched forward pass each).
EVAL_ROWS = 512


@dataclass
class RunLog:
    """What one run's training leaves: per-step values, and the weights at the kept steps."""

    loss: np.ndarray
    lr: np.ndarray
    kept: torch.Tensor          # (kept steps reached, P)
    full: torch.Tensor          # (steps reached,) loss over all training data
    test: torch.Tensor
    accuracy: torch.Tensor | None
    diverged_at: int | None
    hyper: dict[str, float]
    coords: torch.Tensor | None = None      # (steps reached, 2) once projected
    off_plane: torch.Tensor | None = None


def kept_steps(n_steps: int, n_params: int, n_runs: int, budget: int | None = None) -> np.ndarray:
    """The steps whose weights every run keeps: all where they fit the budget, else every k-th and the last."""
    budget = WEIGHT_BUDGET if budget is None else budget
    stride = max(1, -(-n_steps * n_params * n_runs * 4 // budget))
    steps = np.arange(0, n_steps, stride)
    return steps if steps[-1] == n_steps - 1 else np.append(steps, n_steps - 1)


def network_optimizer(run: Run, module: torch.nn.Module, scene: Scene) -> torch.optim.Optimizer:
    """The run's real optimizer over the module's parameters; "muon" is Muon on the hidden matrices
    and AdamW on the rest (training/muon.py)."""
    if run.optimizer == "muon":
        return MuonAdamW(module, **{"lr": scene.lr, **run.kwargs})
    return make_optimizer(run, list(module.parameters()), lr=scene.lr, weight_decay=scene.weight_decay,
                          momentum=scene.momentum)


def train(scene: Scene, problem: NetworkFit, run: Run, kept: np.ndarray,
          on_rows: Callable[[int, torch.Tensor], None]) -> tuple[np.ndarray, np.ndarray, list[torch.Tensor],
                                                                int | None, dict[str, float]]:
    """One run, as a plain loop trains it. on_rows(first_step, rows) hears the weights before each step,
    a chunk of rows at a time; returns each step's mini-batch loss and rate, the kept rows, the step
    whose loss was not finite (None) and the optimizer's settings."""
    net = copy.deepcopy(problem.start)
    optimizer = network_optimizer(run, net, scene)
    schedule = Schedule.of(scene, optimizer)
    criterion = problem.loss_fn()

    def full_loss(net: torch.nn.Module) -> float:   # what ReduceLROnPlateau steps on: the loss over all data
        with torch.no_grad():
            return float(criterion(net(problem.x), problem.y))

    n_steps = problem.epochs * problem.steps_per_epoch
    losses, rates = torch.full((n_steps,), float("nan"), device=problem.x.device), np.full(n_steps, np.nan)
    keep = np.zeros(n_steps, dtype=bool)
    keep[kept] = True
    rows, kept_rows, first, step = [], [], 0, 0
    params = list(net.parameters())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
        for epoch in range(problem.epochs):
            if not bool(torch.isfinite(losses[:step]).all()):
                break   # diverged: what follows is NaN, and some optimizers raise on it
            schedule.start_epoch()
            for xb, yb in problem.batches(epoch):
                with torch.no_grad():   # parameters_to_vector's order, at a third of its cost a step
                    weights = torch.cat([p.view(-1) for p in params])
                rows.append(weights)
                if keep[step]:
                    kept_rows.append(weights)
                rates[step] = optimizer.param_groups[0]["lr"]
                optimizer.zero_grad()
                loss = criterion(net(xb), yb)
                loss.backward()
                losses[step] = loss.detach()
                optimizer.step()
                schedule.end_step(lambda: full_loss(net))
                step += 1
                if len(rows) == EVAL_ROWS:
                    on_rows(first, torch.stack(rows))
                    rows, first = [], step
            schedule.end_epoch(lambda: full_loss(net))
    if rows:
        on_rows(first, torch.stack(rows))
    loss = losses[:step].cpu().numpy()
    bad = np.flatnonzero(~np.isfinite(loss))
    return loss, rates, kept_rows, (int(bad[0]) if len(bad) else None), hyperparameters(optimizer)


def record_network(scene: Scene) -> Recording:
    """Every run of a network scene, projected onto the scene's plane (data/plane.py)."""
    device = resolve_device(scene.device)
    problem = NetworkFit.from_scene(scene)
    on_device = problem.to(device)
    n_steps = problem.epochs * problem.steps_per_epoch
    kept = kept_steps(n_steps, problem.n_params, len(scene.runs))
    logs = {run.key: first_pass(scene, on_device, run, kept) for run in scene.runs}
    start = parameters_to_vector(on_device.start.parameters()).detach()
    plane = choose_plane(scene, on_device, start, logs, kept)
    if len(kept) == n_steps:   # every step's weights at hand: project them
        for log in logs.values():
            log.coords, log.off_plane = project(plane, log.kept, start)
    else:
        for run in scene.runs:
            second_pass(scene, on_device, run, kept, plane, start, logs[run.key])
    on_plane = on_device.on_plane(plane)
    labels = run_labels(scene.runs, scene.lr)
    paths = {}
    for k, run in enumerate(scene.runs):
        log = logs[run.key]
        end = len(log.full) if log.diverged_at is None else log.diverged_at
        coords = log.coords[:end]
        plane_loss = on_plane.full_loss(coords[:, 0], coords[:, 1]).cpu().numpy() if end else np.empty(0)
        label = labels[k].replace("Muon", MUON_LABEL, 1) if run.optimizer == "muon" and not run.label else labels[k]
        rows = int(np.searchsorted(kept, end))   # the kept rows before the run stopped
        paths[run.key] = Trajectory(
            key=run.key, label=label, optimizer=run.optimizer,
            a=coords[:, 0].cpu().numpy().astype(float), b=coords[:, 1].cpu().numpy().astype(float),
            loss=log.loss[:end].astype(float), full_loss=log.full[:end].cpu().numpy().astype(float),
            lr=log.lr[:end], grad=np.empty((end, 0)), diverged_at=log.diverged_at,
            diverged_why="" if log.diverged_at is None else "NaN or inf", hyper=log.hyper,
            weights=log.kept[:rows].cpu().numpy(), off_plane=log.off_plane[:end].cpu().numpy().astype(float),
            plane_loss=plane_loss.astype(float), test_loss=log.test[:end].cpu().numpy().astype(float),
            accuracy=None if log.accuracy is None else log.accuracy[:end].cpu().numpy().astype(float))
    return Recording(paths=paths, epochs=problem.epochs, steps_per_epoch=problem.steps_per_epoch, minima=(),
                     plane=plane, kept_steps=kept, **problem.arrays())


def first_pass(scene: Scene, problem: NetworkFit, run: Run, kept: np.ndarray) -> RunLog:
    """Train the run, evaluating every step's weights over all training and test data as they come."""
    full, test, accuracy = [], [], []

    def evaluate(first: int, rows: torch.Tensor) -> None:
        full.append(problem.losses(rows, problem.x, problem.y)[0])
        test_loss, hits = problem.losses(rows, problem.x_test, problem.y_test) if len(problem.x_test) else \
            (torch.full((len(rows),), float("nan"), device=rows.device), None)
        test.append(test_loss)
        accuracy.append(hits)

    loss, lr, kept_rows, bad, hyper = train(scene, problem, run, kept, evaluate)
    full_loss = torch.cat(full)
    # a step whose loss over all data is not finite ends the run too
    bad_full = torch.nonzero(~torch.isfinite(full_loss))
    stops = [s for s in (bad, int(bad_full[0]) if len(bad_full) else None) if s is not None]
    return RunLog(loss=loss, lr=lr, kept=torch.stack(kept_rows), full=full_loss, test=torch.cat(test),
                  accuracy=torch.cat(accuracy) if problem.classes and accuracy[0] is not None else None,
                  diverged_at=min(stops) if stops else None, hyper=hyper)


def second_pass(scene: Scene, problem: NetworkFit, run: Run, kept: np.ndarray, plane: Plane,
                start: torch.Tensor, log: RunLog) -> None:
    """Train the run again (the same numbers: a deterministic replay) and project every step."""
    coords, off = [], []

    def projected(first: int, rows: torch.Tensor) -> None:
        c, o = project(plane, rows, start)
        coords.append(c)
        off.append(o)

    train(scene, problem, run, kept, projected)
    log.coords, log.off_plane = torch.cat(coords), torch.cat(off)


def choose_plane(scene: Scene, problem: NetworkFit, start: torch.Tensor, logs: dict[str, RunLog],
                 kept: np.ndarray) -> Plane:
    """The scene's plane from the kept weights of the runs that did not diverge (all runs if none)."""
    good = {key: log for key, log in logs.items() if log.diverged_at is None} or logs

    def good_rows(log: RunLog) -> torch.Tensor:
        stop = len(log.full) if log.diverged_at is None else log.diverged_at
        return log.kept[:max(1, int(np.searchsorted(kept, stop)))]

    if scene.plane == "pca":
        return pca_plane(torch.cat([good_rows(log) for log in good.values()]))
    ends = {key: good_rows(log)[-1] for key, log in good.items()}
    chosen = None if scene.plane_runs is None else (
        (scene.plane_runs,) if isinstance(scene.plane_runs, str) else tuple(scene.plane_runs))
    if scene.plane == "random":
        centre = chosen[0] if chosen else next(iter(good))
        return random_plane(good_rows(logs[centre])[-1], [p.shape for p in problem.start.parameters()],
                            scene.seed, centre)
    if chosen is not None:
        ends = {key: good_rows(logs[key])[-1] for key in chosen}
    return ends_plane(start, ends, chosen, {key: good_rows(log) for key, log in good.items()})

