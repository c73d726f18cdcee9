"""Run the scene's real torch.optim optimizers and schedulers, and record every step."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from ..data.recording import Recording, Trajectory
from ..errors import OptanimError
from ..spec.problems import Problem, problem_of
from ..spec.scene import Scene
from .device import resolve_device
from ..spec.optimizers import run_labels
from .network import record_network
from .optimizers import hyperparameters, make_optimizer
from .preflight import preflight
from .schedule import Schedule
from .stepping import Stepper


def record(scene: Scene, *, force: bool = False) -> Recording:
    """Train every run of the scene on the same steps of its problem, in lockstep.

    Each run's (a, b) is one parameter tensor of two elements: the optimizers work element by
    element, so the numbers are identical to a loop over two scalar tensors, at half the calls.
    One broadcast forward and one backward serve all the runs at each step (the tests check every
    step against a plain loop). Recorded values stay on the device until the end (no per-step
    sync), then come to the host in one copy. A run whose step() needs a closure (L-BFGS) gets one
    (training/stepping.py); the scheduler steps as training/schedule.py says. `force`: train even
    a scene the preflight estimates too big for this machine.
    """
    if scene.sweep:
        raise OptanimError("sweep: this scene sweeps a field; record it with optanim.record_sweep(scene)")
    preflight(scene, force=force)
    if scene.is_network:
        return record_network(scene)
    device = resolve_device(scene.device)
    problem = problem_of(scene)
    on_device = problem.to(device)
    runs = scene.runs
    params = [torch.tensor([float(v) for v in scene.init], device=device, requires_grad=True) for _ in runs]
    optimizers = [make_optimizer(run, [param], lr=scene.lr, weight_decay=scene.weight_decay,
                                 momentum=scene.momentum) for run, param in zip(runs, params)]
    steppers = [Stepper(run.key, opt, param) for run, opt, param in zip(runs, optimizers, params)]
    schedules = [Schedule.of(scene, opt) for opt in optimizers]
    # The loss over everything where each run stands: asked only by a schedule that steps on it.
    metrics = [lambda k=k: float(on_device.full_loss(*steppers[k].shown()[:, None])) for k in range(len(runs))]
    modes = any(stepper.modes for stepper in steppers)
    n_steps = problem.epochs * problem.steps_per_epoch
    ab_history, loss_history, grad_history, state_history, lr_history = [], [], [], [], []
    slots: list[tuple[int, str]] = []

    with warnings.catch_warnings():
        # The notebook steps its scheduler before the optimizer on purpose; don't warn about it.
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
        step = 0
        for epoch in range(problem.epochs):
            for schedule in schedules:
                schedule.start_epoch()
            for step_loss in on_device.epoch_steps(epoch):
                ab = torch.stack(params)   # where the gradients are taken (a schedule-free run's train weights)
                ab_history.append(torch.stack([s.shown() for s in steppers]) if modes else ab.detach())
                lr_history.append([opt.param_groups[0]["lr"] for opt in optimizers])
                for param in params:  # what optimizer.zero_grad() does, without its overhead
                    param.grad = None
                losses = step_loss(ab)
                loss_history.append(losses.detach())
                # Each row's loss reaches only its own run's parameters, with gradient exactly 1.
                losses.sum().backward()
                grad_history.append(torch.stack([param.grad for param in params]))
                for stepper in steppers:
                    stepper.step(step_loss, step)
                for schedule, metric in zip(schedules, metrics):
                    schedule.end_step(metric)
                if step == 0:  # momentum_buffer and Adam's moments exist only after a step
                    slots = state_slots(optimizers, params)
                if slots:  # one stack of every run's state per step: the only copy, kept on the device
                    state_history.append(torch.stack([optimizers[k].state[params[k]][name] for k, name in slots]))
                step += 1
            for schedule, metric in zip(schedules, metrics):
                schedule.end_epoch(metric)

    ab = torch.stack(ab_history)
    full = on_device.full_loss(ab[..., 0].reshape(-1), ab[..., 1].reshape(-1))
    ab, full = ab.cpu().numpy(), full.reshape(n_steps, len(runs)).cpu().numpy()
    losses = torch.stack(loss_history).cpu().numpy()
    grads = torch.stack(grad_history).cpu().numpy()
    states = torch.stack(state_history).cpu().numpy() if slots else np.empty((n_steps, 0, 2))
    lr = np.array([[float(v) for v in row] for row in lr_history]).T   # a tensor lr reads as a number
    labels = run_labels(runs, scene.lr)
    paths = {}
    for k, run in enumerate(runs):
        a, b = ab[:, k, 0], ab[:, k, 1]
        stop, why = divergence(scene, a, b, losses[:, k], full[:, k])
        end = n_steps if stop is None else stop
        evaluations = np.array(steppers[k].evaluations[:end]) if steppers[k].closure else None
        paths[run.key] = Trajectory(key=run.key, label=labels[k], optimizer=run.optimizer,
                                    a=a[:end].copy(), b=b[:end].copy(), loss=losses[:end, k].copy(),
                                    full_loss=full[:end, k].copy(), lr=lr[k, :end].copy(),
                                    grad=grads[:end, k].copy(), diverged_at=stop, diverged_why=why,
                                    state={name: states[:end, j].copy() for j, (owner, name) in enumerate(slots)
                                           if owner == k},
                                    hyper=hyperparameters(optimizers[k]), evaluations=evaluations)
    return _recording(problem, paths)


def state_slots(optimizers: list[torch.optim.Optimizer], params: list[torch.Tensor]) -> list[tuple[int, str]]:
    """(run, name) of each per-parameter state tensor the optimizers keep, in their own order.

    Scalar bookkeeping (Adam's `step`, NAdam's `mu_product`) is left out: only what has one value
    per parameter, as (a, b) has."""
    return [(k, name) for k, (optimizer, param) in enumerate(zip(optimizers, params))
            for name, value in optimizer.state[param].items()
            if isinstance(value, torch.Tensor) and value.shape == param.shape]


def _recording(problem: Problem, paths: dict[str, Trajectory]) -> Recording:
    return Recording(paths=paths, epochs=problem.epochs, steps_per_epoch=problem.steps_per_epoch,
                     minima=problem.minima, **problem.arrays())


def divergence(scene: Scene, a: np.ndarray, b: np.ndarray, loss: np.ndarray,
               full: np.ndarray) -> tuple[int | None, str]:
    """The first step whose values are NaN/inf or outside the window, and why; (None, "") if none.

    An init outside the window (allowed, with a warning) is judged on NaN/inf alone.
    """
    bad = ~(np.isfinite(a) & np.isfinite(b) & np.isfinite(loss) & np.isfinite(full))
    (a_low, a_high), (b_low, b_high) = scene.window
    outside = (a < a_low) | (a > a_high) | (b < b_low) | (b > b_high)
    hits = np.flatnonzero(bad if outside[0] else bad | outside)
    if len(hits) == 0:
        return None, ""
    stop = int(hits[0])
    return stop, ("NaN or inf" if bad[stop] else "left the window")
