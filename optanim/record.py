"""Run the scene's real torch.optim optimizers and schedulers, and record every step."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from .errors import OptanimError
from .landscape import full_data_loss
from .model import batch_order, make_data
from .optimizers import label, make_optimizer, make_scheduler
from .recording import Recording, Trajectory
from .scene import Scene


def resolve_device(name: str) -> torch.device:
    """The scene's device, or a clear error where it is not on this machine."""
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise OptanimError(f"device: unknown device {name!r}; allowed: cpu, cuda, cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise OptanimError(f"device: {name!r} asked for, but this machine has no CUDA GPU; use --device cpu")
    if device.type not in ("cpu", "cuda"):
        raise OptanimError(f"device: {name!r} is not supported; allowed: cpu, cuda")
    return device


def record(scene: Scene) -> Recording:
    """Train every optimizer of the scene on the same mini-batches, in lockstep.

    One broadcast forward and one backward for all of them per batch, with numbers identical to
    training each alone (the tests check every step against a plain loop). Recorded values stay
    on the device until the end (no per-step sync), then come to the host in one copy.
    """
    device = resolve_device(scene.device)
    x_cpu, y_cpu = make_data(scene)
    order = batch_order(scene, len(x_cpu))
    x, y, order_dev = x_cpu.to(device), y_cpu.to(device), order.to(device)
    keys = list(scene.optimizer_kwargs)
    params = [[torch.tensor(float(v), device=device, requires_grad=True) for v in scene.init] for _ in keys]
    optimizers = [make_optimizer(key, pair, lr=scene.lr, weight_decay=scene.weight_decay,
                                 momentum=scene.momentum, extra=extra)
                  for key, pair, extra in zip(keys, params, scene.optimizer_kwargs.values())]
    schedulers = [make_scheduler(scene.scheduler, opt, scene.scheduler_kwargs, scene.lr_lambda)
                  for opt in optimizers]
    flat_params = [p for pair in params for p in pair]
    steps_per_epoch = -(-len(x) // scene.batch_size)
    n_steps = scene.epochs * steps_per_epoch
    ab_history, loss_history = [], []
    lr = np.empty((len(keys), n_steps))

    with warnings.catch_warnings():
        # The notebook steps its scheduler before the optimizer on purpose; don't warn about it.
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
        step = 0
        for epoch in range(scene.epochs):
            if scene.scheduler_order == "notebook":
                for scheduler in schedulers:
                    scheduler.step()
            # Schedulers step only between epochs, so each epoch runs at one rate per optimizer.
            lr[:, step:step + steps_per_epoch] = [[opt.param_groups[0]["lr"]] for opt in optimizers]
            # One gather per epoch; each batch is then a cheap slice of it.
            x_epoch, y_epoch = x[order_dev[epoch]], y[order_dev[epoch]]
            for start in range(0, len(x), scene.batch_size):
                xb, yb = x_epoch[start:start + scene.batch_size], y_epoch[start:start + scene.batch_size]
                ab = torch.stack(flat_params).reshape(-1, 2)
                ab_history.append(ab.detach())
                for param in flat_params:  # what optimizer.zero_grad() does, without its overhead
                    param.grad = None
                # All optimizers in one broadcast forward: each row's loss is computed exactly as
                # F.mse_loss would compute it alone, and summing them hands each row a gradient of
                # exactly 1, so every optimizer gets the gradient it would get on its own.
                losses = ((scene.model(xb, ab[:, :1], ab[:, 1:]) - yb) ** 2).mean(dim=1)
                loss_history.append(losses.detach())
                losses.sum().backward()
                for optimizer in optimizers:
                    optimizer.step()
                step += 1
            if scene.scheduler_order == "pytorch":
                for scheduler in schedulers:
                    scheduler.step()

    ab = torch.stack(ab_history).reshape(n_steps, len(keys), 2)
    full = full_data_loss(scene.model, x, y, ab[..., 0].reshape(-1), ab[..., 1].reshape(-1))
    ab, full = ab.cpu().numpy(), full.reshape(n_steps, len(keys)).cpu().numpy()
    losses = torch.stack(loss_history).cpu().numpy()
    paths = {}
    for k, key in enumerate(keys):
        a, b = ab[:, k, 0], ab[:, k, 1]
        stop, why = _divergence(scene, a, b, losses[:, k], full[:, k])
        end = n_steps if stop is None else stop
        paths[key] = Trajectory(key=key, label=label(key), a=a[:end].copy(), b=b[:end].copy(),
                          loss=losses[:end, k].copy(), full_loss=full[:end, k].copy(),
                          lr=lr[k, :end].copy(), diverged_at=stop, diverged_why=why)
    return Recording(x=x_cpu.numpy(), y=y_cpu.numpy(), order=order.numpy(),
                     batch_size=scene.batch_size, paths=paths)


def _divergence(scene: Scene, a: np.ndarray, b: np.ndarray, loss: np.ndarray,
                full: np.ndarray) -> tuple[int | None, str]:
    """The first step whose values are NaN/inf or outside the window, and why; (None, "") if none.

    An init outside the window (allowed, with a warning) is judged on NaN/inf alone.
    """
    bad = ~(np.isfinite(a) & np.isfinite(b) & np.isfinite(loss) & np.isfinite(full))
    outside = ((a < scene.a_range[0]) | (a > scene.a_range[1]) |
               (b < scene.b_range[0]) | (b > scene.b_range[1]))
    hits = np.flatnonzero(bad if outside[0] else bad | outside)
    if len(hits) == 0:
        return None, ""
    stop = int(hits[0])
    return stop, ("NaN or inf" if bad[stop] else "left the window")
